"""Run the matcher over labelled worlds and count what it got right.

A play is *correct* when it is marked on the labelled subject (and episode, for shows),
*wrong* when it is marked on anything else or marked at all while labelled ``NO_MARK``,
*unmatched* when it has a label but was left alone, *abstained* when it has none and was
left alone. Precision = correct / marked; recall = correct / plays with a label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.worlds import CLASSES, Label, MovieRequest, ShowRequest, World
from trakt_sync.models import Resolution, ResolutionStatus

GATES = {"precision": 0.995, "id": 0.95, "title": 0.85}


@dataclass(frozen=True)
class Outcome:
    klass: str
    world: str
    play: str
    label: Label
    result: Resolution

    @property
    def marked(self) -> bool:
        return self.result.status is ResolutionStatus.MATCHED

    @property
    def verdict(self) -> str:
        if not self.marked:
            return "unmatched" if self.label.marks else "abstained"
        same = self.result.subject_id == self.label.subject and (
            self.label.episode is None or self.result.episode_id == self.label.episode
        )
        return "correct" if self.label.marks and same else "wrong"


@dataclass
class Tally:
    plays: int = 0
    targets: int = 0  # plays whose label is a mark
    matched: int = 0
    correct: int = 0
    wrong: int = 0
    unmatched: int = 0
    abstained: int = 0
    calls: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.plays += 1
        self.targets += outcome.label.marks
        self.matched += outcome.marked
        verdict = outcome.verdict
        setattr(self, verdict, getattr(self, verdict) + 1)

    def merge(self, other: Tally) -> None:
        for name in ("plays", "targets", "matched", "correct", "wrong", "unmatched", "abstained"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.calls.update(other.calls)

    @property
    def precision(self) -> float | None:
        return self.correct / self.matched if self.matched else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.targets if self.targets else None


def run_world(world: World) -> tuple[list[Outcome], dict[str, Counter[str]]]:
    """Resolve every request of a world with one matcher, as one sync would."""
    matcher = world.matcher()
    outcomes: list[Outcome] = []
    calls: dict[str, Counter[str]] = {}
    for request in world.requests:
        before = world.calls()
        if isinstance(request, ShowRequest):
            results = matcher.resolve_season(request.show, request.season, request.plays)
            for ep, label, result in zip(request.plays, request.labels, results, strict=True):
                what = f"{request.show.title} S{request.season}E{ep.number}"
                outcomes.append(Outcome(request.klass, world.name, what, label, result))
        else:
            assert isinstance(request, MovieRequest)
            result = matcher.resolve_movie(request.movie)
            outcomes.append(
                Outcome(request.klass, world.name, request.movie.title, request.label, result)
            )
        calls.setdefault(request.klass, Counter()).update(world.calls() - before)
    return outcomes, calls


def run(worlds: Iterable[World]) -> tuple[list[Outcome], dict[str, Tally]]:
    outcomes: list[Outcome] = []
    tallies = {c.name: Tally() for c in CLASSES}
    for world in worlds:
        found, calls = run_world(world)
        outcomes += found
        for klass, spent in calls.items():
            tallies[klass].calls.update(spent)
    for outcome in outcomes:
        tallies[outcome.klass].add(outcome)
    return outcomes, tallies


def groups(tallies: dict[str, Tally]) -> dict[str, Tally]:
    """Tallies per gate group ("id", "title", "non-anime") and in total."""
    out = {"id": Tally(), "title": Tally(), "non-anime": Tally(), "total": Tally()}
    for case in CLASSES:
        tally = tallies.get(case.name)
        if tally is None:
            continue
        if case.gate is not None:
            out[case.gate].merge(tally)
        out["total"].merge(tally)
    return out


def failures(tallies: dict[str, Tally]) -> list[str]:
    """Why the bench fails, empty when every gate holds."""
    grouped = groups(tallies)
    problems = []
    total = grouped["total"]
    if total.precision is not None and total.precision < GATES["precision"]:
        problems.append(f"precision {total.precision:.2%} < {GATES['precision']:.1%}")
    for group in ("id", "title"):
        recall = grouped[group].recall
        if recall is not None and recall < GATES[group]:
            problems.append(f"{group}-path recall {recall:.2%} < {GATES[group]:.0%}")
    if grouped["non-anime"].matched:
        problems.append(f"{grouped['non-anime'].matched} non-anime play(s) marked")
    return problems


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def table(tallies: dict[str, Tally]) -> str:
    header = (
        f"{'class':<22} {'plays':>6} {'matched':>8} {'correct':>8} {'wrong':>6} "
        f"{'unmatched':>10} {'precision':>10} {'recall':>7} {'calls/play':>11}"
    )
    lines = [header, "-" * len(header)]

    def row(name: str, t: Tally) -> str:
        per_play = sum(t.calls.values()) / t.plays if t.plays else 0.0
        return (
            f"{name:<22} {t.plays:>6} {t.matched:>8} {t.correct:>8} {t.wrong:>6} "
            f"{t.unmatched:>10} {_pct(t.precision):>10} {_pct(t.recall):>7} {per_play:>11.2f}"
        )

    for case in CLASSES:
        if case.name in tallies and tallies[case.name].plays:
            lines.append(row(case.name, tallies[case.name]))
    lines.append("-" * len(header))
    for name, tally in groups(tallies).items():
        label = "TOTAL" if name == "total" else f"[{name} gate]"
        lines.append(row(label, tally))
    return "\n".join(lines)


def calls_line(tallies: dict[str, Tally]) -> str:
    total: Counter[str] = Counter()
    for tally in tallies.values():
        total.update(tally.calls)
    return "reader calls: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items()))


def wrong_marks(outcomes: Sequence[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        if o.verdict == "wrong":
            got = Label(o.result.subject_id, o.result.episode_id)
            lines.append(
                f"{o.klass}: {o.play} [{o.world}] expected {o.label}, marked {got} "
                f"({o.result.source}, {o.result.confidence:g})"
            )
    return lines
