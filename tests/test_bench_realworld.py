"""The generalisation bench's generator and counting, on the vendored bangumi-data sample."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from functools import cache

import pytest

from bench import patterns, realdata, report
from bench.patterns import NO_MARK, Target
from bench.realworld import RealWorld, Universe, WorldBuilder, build_worlds
from trakt_sync.models import Resolution, ResolutionStatus


@cache
def universe() -> Universe:
    return Universe(realdata.sample_items())


def worlds(seed: int = 3, count: int = 3) -> list[RealWorld]:
    return build_worlds(universe(), range(seed, seed + count), franchises=6, films=2)


def test_worlds_are_deterministic_for_a_seed_and_differ_between_seeds() -> None:
    def labels(found: list[RealWorld]) -> list[tuple[str, int, str, str]]:
        return [
            (case.franchise, case.season, str(target), pattern)
            for w in found
            for case in w.seasons
            for target, pattern in zip(case.targets, case.touched, strict=True)
        ]

    assert labels(worlds(3)) == labels(worlds(3))
    assert labels(worlds(3)) != labels(worlds(4))


def test_every_target_is_an_episode_of_its_subject_and_every_play_is_listed() -> None:
    patterns_seen, paths_seen = set(), set()
    for world in worlds(3, 6):
        episodes = world.bangumi.catalogue.episodes
        for case in world.seasons:
            assert case.show.ids.trakt is not None
            listing = world.trakt.seasons[(case.show.ids.trakt, case.season)]
            assert [p.number for p in case.plays] == [r["number"] for r in listing][
                : len(case.plays)
            ]
            for target in case.targets:
                if target.marks:
                    assert target.subject is not None
                    ids = {e["id"] for e in episodes[target.subject]}
                    assert target.episode in ids
            patterns_seen |= {case.pattern, *case.touched}
            paths_seen.add(case.path)
            if case.path == "title-only":
                assert case.show.ids.tmdb is not None
                assert world.index.tv(case.show.ids.tmdb) == []
        for film in world.films:
            if film.target.marks:
                assert film.target.subject is not None
                assert [e["id"] for e in episodes[film.target.subject]] == [film.target.episode]
    assert {"clean", "recap", "batch"} <= patterns_seen
    assert {"id", "non-anime"} <= paths_seen


def test_the_recap_row_targets_the_sp_only_with_a_recap_title() -> None:
    inserted = [
        row
        for seed in range(40)
        for row in patterns.synth_part(
            7, date(2020, 1, 5), 10, 1, "recap", random.Random(seed)
        ).rows
        if not row.target.marks or row.target.ep_label.startswith("SP sort ")
    ]
    assert {row.title == "Recap" for row in inserted} == {True, False}
    for row in inserted:
        # only a row whose titles say recap may become the SP; an untitled one says nothing
        assert row.target.marks == (row.original_title is not None) == (row.title == "Recap")
        assert not row.target.marks or row.target.ep_label.startswith("SP sort ")


def test_a_half_sort_recap_is_a_main_episode_tmdb_counts_half_the_time() -> None:
    """Issue 24's rule: the recap is a main episode with sort x.5 and ``ep`` x.5 (the
    server's sort - first + 1), and TMDB lists it in about half of the parts."""
    counted = 0
    for seed in range(40):
        part = patterns.synth_part(
            7,
            date(2020, 1, 5),
            10,
            13,
            "half-recap",
            random.Random(seed),
            quirks=random.Random(seed),
        )
        [recap] = [e for e in part.episodes if e["sort"] % 1]
        assert recap["type"] == 0 and recap["ep"] == recap["sort"] - 13 + 1
        mains = [e for e in part.episodes if e["type"] == 0 and e["sort"] % 1 == 0]
        counted += len(part.rows) == len(mains) + 1
        # every row past the recap is touched by it and targets its own main episode
        labels = [r.target.ep_label for r in part.rows if r.pattern == "half-recap"]
        assert labels and all(label.startswith(("ep ", "recap sort")) for label in labels if label)
    assert 10 < counted < 30


def test_bangumi_dates_are_written_dotted_after_the_first_episode_or_not_at_all() -> None:
    part = patterns.synth_part(7, date(2020, 1, 5), 4, 1, None, random.Random(1))
    dotted = patterns.bangumi_dates(part.episodes, "dotted")
    mains = sorted((e for e in dotted if e["type"] == 0), key=lambda e: e["sort"])
    assert mains[0]["airdate"] == "2020-01-05" and mains[1]["airdate"] == "12.01.2020"
    assert {e["airdate"] for e in patterns.bangumi_dates(part.episodes, "undated")} == {""}
    assert patterns.bangumi_dates(part.episodes, "iso") == part.episodes


def test_search_is_substring_on_folded_names_drops_trailing_words_and_keeps_width() -> None:
    world = WorldBuilder(universe(), 1).build(2, 0)
    search = world.bangumi.search_subjects
    subject = next(s for s in world.bangumi.catalogue.subjects.values() if "SPY" in s["name"])
    hits = search("spy×family")
    assert subject["id"] in [h["id"] for h in hits] and len(hits) <= 20
    assert subject["id"] in [h["id"] for h in search("SPY×FAMILY Season 9 Blu-ray")]
    assert search("ＳＰＹ×ＦＡＭＩＬＹ") == []  # Bangumi does not fold full-width Latin
    assert search("SPY×FAMILY", air_date=[">=1990-01-01", "<=1990-12-31"]) == []


def test_a_wrong_mark_is_counted_wrong_and_scored_candidates_are_calibrated() -> None:
    target = Target(5, 50, "ep 1 (sort 1)")

    def outcome(res: Resolution, want: Target = target) -> report.Outcome:
        return report.Outcome("w", "episode", "clean", "id", "p", want, res)

    right = outcome(Resolution(ResolutionStatus.MATCHED, 5, 50, confidence=0.95))
    wrong = outcome(Resolution(ResolutionStatus.MATCHED, 5, 51, confidence=0.85))
    marked_no_mark = outcome(Resolution(ResolutionStatus.MATCHED, 5, 50, confidence=0.9), NO_MARK)
    guess = outcome(
        Resolution.unmatched(
            "best guess",
            [{"subject_id": 5, "score": 0.75}],
            confidence=0.75,
            evidence=["S1E1 → ep 1 (sort 1) of X (5)"],
        )
    )
    outcomes = [right, wrong, marked_no_mark, guess]

    assert [o.verdict for o in outcomes] == ["correct", "wrong", "wrong", "unmatched"]
    assert guess.scored() == [(0.75, True, False)]
    assert "2 wrong mark(s)" in report.failures(outcomes)
    film = report.Outcome(
        "w", "film", "film", "id", "f", Target(9, 90), Resolution(ResolutionStatus.MATCHED, 9)
    )
    film = dataclasses.replace(film, result=dataclasses.replace(film.result, is_movie=True))
    assert film.verdict == "correct" and film.film_episode_marked  # planner: 看过 + episode
    elsewhere = dataclasses.replace(film.result, subject_id=8)
    assert not dataclasses.replace(film, result=elsewhere).film_episode_marked  # can fail
    table = report.calibration_table(outcomes)
    assert "0.7–0.8              1  100.0%       0" in table
    assert "0.8–0.9              1    0.0%       1" in table


@pytest.mark.parametrize("seed", [3])
def test_a_world_runs_through_the_matcher_and_every_play_gets_a_verdict(seed: int) -> None:
    world = worlds(seed, 1)[0]
    outcomes = report.run_world(world)
    plays = sum(len(c.plays) for c in world.seasons) + len(world.films)
    assert len(outcomes) == plays
    assert not report.wrong_marks(outcomes)
    assert all(o.verdict == "abstained" for o in outcomes if o.path == "non-anime")
    relabelled = [
        dataclasses.replace(o, target=NO_MARK) if o.verdict == "correct" else o for o in outcomes
    ]
    assert report.wrong_marks(relabelled)


def test_export_worlds_ask_trakt_nothing_without_a_client_id_and_mark_nothing_wrong() -> None:
    world = worlds(3, 1)[0]
    api = report.run_world(world)
    blind = world.as_export()
    exported = report.run_world(blind)
    assert not blind.trakt.calls and not report.wrong_marks(exported)
    episodes = [o for o in exported if o.kind == "episode" and o.path != "non-anime"]
    assert episodes and all(o.verdict in ("unmatched", "abstained") for o in episodes)
    assert all("air dates" in o.result.reason for o in episodes if o.result.reason)
    assert any(o.verdict == "correct" for o in exported if o.kind == "film")
    with_id = report.run_world(world.as_export(client_id=True))
    assert not report.wrong_marks(with_id)
    correct = sum(o.verdict == "correct" for o in with_id)
    assert correct == sum(o.verdict == "correct" for o in api)
    table = report.source_table(api, exported, with_id)
    assert table.splitlines()[0].split()[:3] == ["plays", "API", "wrong"]
