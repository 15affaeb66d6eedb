"""The matching bench must count right, or it could pass while the matcher marks wrongly."""

from __future__ import annotations

import dataclasses

import pytest

from bench.matching import main
from bench.scoring import Outcome, Tally, failures, run, run_world
from bench.worlds import CLASS_NAMES, NO_MARK, Builder, Label, ShowRequest, World, build_worlds
from trakt_sync.models import Resolution, ResolutionStatus

SEED = 7


@pytest.fixture
def small() -> list[World]:
    """A few single-subject id worlds and the non-anime ones: all resolvable in ms."""
    builder = Builder(SEED)
    builder.build_id_single()
    id_worlds = builder.worlds[:3]
    builder.worlds = []
    builder.build_non_anime()
    return id_worlds + builder.worlds[:4]


def show_requests(worlds: list[World]) -> list[ShowRequest]:
    return [r for w in worlds for r in w.requests if isinstance(r, ShowRequest)]


def test_correct_labels_are_counted_correct(small: list[World]) -> None:
    outcomes, tallies = run(small)

    plain = tallies["id/plain"]
    labelled = sum(len(r.plays) for r in show_requests(small) if r.klass == "id/plain")
    assert plain.plays == labelled > 0
    assert plain.correct == plain.matched == plain.targets == labelled
    assert (plain.wrong, plain.unmatched, plain.precision, plain.recall) == (0, 0, 1.0, 1.0)
    assert tallies["non-anime"].abstained == tallies["non-anime"].plays > 0
    assert sum(tallies["id/plain"].calls.values()) > 0  # reader calls are counted too
    assert failures(tallies) == []
    assert {o.verdict for o in outcomes} == {"correct", "abstained"}


def test_a_deliberately_wrong_label_is_reported_wrong(small: list[World]) -> None:
    request = next(r for r in show_requests(small) if r.klass == "id/plain")
    first, second = request.labels[0], request.labels[1]
    request.labels[0] = second  # E1 labelled as the subject's ep 2

    _, tallies = run(small)

    plain = tallies["id/plain"]
    assert plain.wrong == 1
    assert plain.correct == plain.matched - 1
    assert plain.precision is not None and plain.precision < 1
    assert any(problem.startswith("precision") for problem in failures(tallies))
    assert first != second


def test_a_mark_where_none_belongs_is_wrong_and_a_missing_mark_is_unmatched(
    small: list[World],
) -> None:
    marked = next(r for r in show_requests(small) if r.klass == "id/plain")
    marked.labels[0] = NO_MARK  # the matcher marks it: wrong
    skipped = next(r for r in show_requests(small) if r.klass == "non-anime")
    skipped.labels[0] = Label(1, 10001)  # the matcher leaves it: unmatched

    outcomes, tallies = run(small)

    verdicts = {(o.play, o.verdict) for o in outcomes}
    assert (f"{marked.show.title} S{marked.season}E{marked.plays[0].number}", "wrong") in verdicts
    assert tallies["non-anime"].unmatched == 1 and tallies["non-anime"].targets == 1
    assert tallies["non-anime"].recall == 0.0


def test_gates_fail_on_low_recall_and_on_any_marked_non_anime_play() -> None:
    def outcome(klass: str, label: Label, status: ResolutionStatus, sid: int | None) -> Outcome:
        result = Resolution(status, subject_id=sid, episode_id=None if sid is None else 1)
        return Outcome(klass, "w", "p", label, result)

    tallies = {name: Tally() for name in CLASS_NAMES}
    target = Label(5, 1)
    for _ in range(9):
        tallies["id/plain"].add(outcome("id/plain", target, ResolutionStatus.MATCHED, 5))
    tallies["id/plain"].add(outcome("id/plain", target, ResolutionStatus.UNMATCHED, None))
    for _ in range(17):
        tallies["title/tv"].add(outcome("title/tv", target, ResolutionStatus.MATCHED, 5))
    for _ in range(3):
        tallies["title/tv"].add(outcome("title/tv", target, ResolutionStatus.SKIPPED, None))
    tallies["non-anime"].add(outcome("non-anime", NO_MARK, ResolutionStatus.MATCHED, 9))

    problems = failures(tallies)

    assert "id-path recall 90.00% < 95%" in problems  # 9 of 10
    assert not any(p.startswith("title-path") for p in problems)  # 17 of 20: exactly the bar
    assert "1 non-anime play(s) marked" in problems
    assert any(p.startswith("precision") for p in problems)  # the non-anime mark is wrong


def test_worlds_are_deterministic_for_a_seed() -> None:
    def labels(worlds: list[World]) -> list[tuple[str, str, Label]]:
        return [
            (w.name, r.klass, label)
            for w in worlds
            for r in w.requests
            for label in (r.labels if isinstance(r, ShowRequest) else [r.label])
        ]

    assert labels(build_worlds(SEED)) == labels(build_worlds(SEED))
    assert labels(build_worlds(SEED)) != labels(build_worlds(SEED + 1))


def test_every_class_has_plays_and_calls_are_counted_per_request(small: list[World]) -> None:
    worlds = build_worlds(SEED)
    classes = {r.klass for w in worlds for r in w.requests}
    assert classes == set(CLASS_NAMES)
    world = small[0]
    outcomes, calls = run_world(dataclasses.replace(world, requests=list(world.requests)))
    assert outcomes and calls["id/plain"]["trakt.season"] == 1


def test_the_bench_passes_and_prints_one_row_per_class(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for name in CLASS_NAMES:
        assert any(line.startswith(f"{name} ") for line in out.splitlines()), name
    assert out.rstrip().endswith("PASS")
