"""Run the matcher over drawn worlds and report recall per pattern, wrong marks and calibration.

A play is *correct* when marked on its target (subject and episode; for a film the
subject), *wrong* when marked on anything else or marked while its target is
``NO_MARK``, *unmatched* when it has a target and was left alone, *abstained* when it has
none and was left alone. Recall = correct / plays with a target.

Calibration counts every candidate the matcher scored, marked or not: a play's own
confidence (marked, or an unmarked best guess whose reason names the episode), else the
scored candidates it lists (checked at subject level, they name no episode).
A film counts as marked only when the planner also marks its one main episode.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.patterns import Target
from bench.realworld import RealWorld
from trakt_sync.fakes.memory import MemoryCache
from trakt_sync.matching.lookups import CachedBangumi
from trakt_sync.models import COLLECTION_DONE, Resolution, ResolutionStatus
from trakt_sync.planner import plan_subject

PATTERN_ORDER = (
    "clean",
    "web-drop",
    "batch",
    "recap",
    "half-recap",
    "half-recap-undated",
    "bgm-dotted",
    "bgm-undated",
    "premiere-tmdb",
    "premiere-bangumi",
    "null-date",
    "day-off",
    "day-early",
    "day-late",
    "film",
    "non-anime",
)
PATHS = ("id", "title-only", "slug-key")
BUCKETS = ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))
GATE_RECALL, GATE_PATTERN_RECALL = 0.95, 0.90
# Bangumi lists no air dates there: numbering alone places a play only where no recap can
# have shifted it, and a source's prior alone is below the threshold, so leaving plays
# unmatched is the right answer; only their wrong marks are gated (zero).
NO_RECALL_GATE = frozenset({"bgm-undated", "half-recap-undated"})
GATE_AFTER_RECAP = 0.90  # plays past a half-sort recap on a dated subject: placed


@dataclass(frozen=True)
class Outcome:
    world: str
    kind: str  # episode | film
    pattern: str  # the season's pattern (film, non-anime)
    path: str
    play: str
    target: Target
    result: Resolution
    touched: str = "clean"  # what changed this play's own episode

    @property
    def marked(self) -> bool:
        return self.result.status is ResolutionStatus.MATCHED

    @property
    def verdict(self) -> str:
        if not self.marked:
            return "unmatched" if self.target.marks else "abstained"
        same = self.result.subject_id == self.target.subject and (
            self.kind == "film" or self.target.accepts(self.result.episode_id)
        )
        return "correct" if self.target.marks and same else "wrong"

    @property
    def film_episode_marked(self) -> bool:
        """A rightly resolved film whose plan (the planner, as a sync would call it for a
        film not yet collected) marks its main episode and collects it as 看过."""
        if self.verdict != "correct" or self.target.episode is None:
            return False
        assert self.result.subject_id is not None
        plan = plan_subject(
            self.result.subject_id,
            is_movie=self.result.is_movie,
            watched=[(1, self.result.episode_id)],
            current_type=None,
            marks={},
            main_episode_ids=[self.target.episode],
        )
        done = COLLECTION_DONE in (plan.collect_before, plan.collect_after)
        return done and self.target.episode in plan.episodes_to_mark

    def scored(self) -> list[tuple[float, bool, bool]]:
        """(score, right, marked) for every candidate the matcher scored for this play."""
        res, target = self.result, self.target
        if res.confidence > 0:
            if self.marked:
                return [(res.confidence, self.verdict == "correct", True)]
            subject = res.candidates[0]["subject_id"] if res.candidates else None
            named = any(target.names(e) for e in res.evidence)
            right = target.marks and subject == target.subject and (self.kind == "film" or named)
            return [(res.confidence, right, False)]
        return [
            (float(row["score"]), target.marks and row.get("subject_id") == target.subject, False)
            for row in res.candidates
            if float(row.get("score") or 0) > 0
        ]


UNEXPECTED = "unexpected error: "


def run_world(world: RealWorld) -> list[Outcome]:
    """Resolve a world's plays with one matcher, as one sync would. A season whose
    resolution raises is recorded as unmatched with the error (a sync would have ended
    there: see ``unexpected_errors``) and the others go on, to be counted too. Then, as a
    sync's apply step does, each subject marked has its episode list read again through
    the same cache: where that raises, the sync would have ended there and marked nothing,
    so every play of the world is recorded unmatched with the error."""
    cache = MemoryCache()
    matcher = world.matcher(cache)
    out = []
    for case in world.seasons:
        try:
            results = matcher.resolve_season(case.show, case.season, case.plays)
        except Exception as exc:  # noqa: BLE001 — counted and reported, never hidden
            why = f"{UNEXPECTED}{type(exc).__name__}: {exc}"
            results = [Resolution.unmatched(why) for _ in case.plays]
        pattern = "non-anime" if case.path == "non-anime" else case.pattern
        for ep, target, touched, result in zip(
            case.plays, case.targets, case.touched, results, strict=True
        ):
            what = f"{case.franchise} S{case.season}E{ep.number}"
            touched = "non-anime" if case.path == "non-anime" else touched
            out.append(
                Outcome(world.name, "episode", pattern, case.path, what, target, result, touched)
            )
    for film in world.films:
        try:
            result = matcher.resolve_movie(film.movie)
        except Exception as exc:  # noqa: BLE001
            result = Resolution.unmatched(f"{UNEXPECTED}{type(exc).__name__}: {exc}")
        pattern = "non-anime" if film.path == "non-anime" else "film"
        what = f"{film.movie.title} (movie/{film.movie.ids.tmdb})"
        out.append(
            Outcome(world.name, "film", pattern, film.path, what, film.target, result, pattern)
        )
    reader = CachedBangumi(world.bangumi, cache)
    for sid in sorted({o.result.subject_id for o in out if o.marked and o.result.subject_id}):
        try:
            reader.get_episodes(sid)
        except Exception as exc:  # noqa: BLE001
            why = f"{UNEXPECTED}{type(exc).__name__}: {exc} (reading subject {sid} to apply)"
            return [dataclasses.replace(o, result=Resolution.unmatched(why)) for o in out]
    return out


@dataclass
class Tally:
    plays: int = 0
    targets: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    film_episodes: int = 0

    def add(self, o: Outcome) -> None:
        self.plays += 1
        self.targets += o.target.marks
        self.counts[o.verdict] += 1
        self.film_episodes += o.kind == "film" and o.film_episode_marked

    @property
    def recall(self) -> float | None:
        return self.counts["correct"] / self.targets if self.targets else None


def tally(outcomes: Iterable[Outcome]) -> Tally:
    t = Tally()
    for o in outcomes:
        t.add(o)
    return t


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _frac(t: Tally) -> str:
    return f"{t.counts['correct']}/{t.targets}" if t.targets else "—"


def pattern_table(outcomes: Sequence[Outcome], *, by_touch: bool = False) -> str:
    """Rows per season pattern; ``by_touch``: per what changed the play's own episode."""
    first = "own episode" if by_touch else "season pattern"
    header = (
        f"{first:<17} {'plays':>6} {'correct':>8} {'wrong':>6} {'unmatched':>10} "
        f"{'recall':>7}   {'id path':>13} {'title-only':>13} {'slug-key':>11}"
    )
    lines = [header, "-" * len(header)]
    by_pattern: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_pattern[o.touched if by_touch else o.pattern].append(o)

    def row(name: str, rows: Sequence[Outcome]) -> str:
        t = tally(rows)
        paths = [tally(o for o in rows if o.path == p) for p in PATHS]
        return (
            f"{name:<17} {t.plays:>6} {t.counts['correct']:>8} {t.counts['wrong']:>6} "
            f"{t.counts['unmatched']:>10} {_pct(t.recall):>7}   {_frac(paths[0]):>13} "
            f"{_frac(paths[1]):>13} {_frac(paths[2]):>11}"
        )

    for name in PATTERN_ORDER:
        if by_pattern.get(name):
            lines.append(row(name, by_pattern[name]))
    lines.append("-" * len(header))
    lines.append(row("TOTAL", outcomes))
    return "\n".join(lines)


def source_table(
    api: Sequence[Outcome], export: Sequence[Outcome], with_id: Sequence[Outcome]
) -> str:
    """Recall and wrong marks per source of plays: the API, the export alone, the export
    with a client id; for TV episodes, films and all plays."""
    sources = (("API", api), ("export only", export), ("export + client id", with_id))
    header = f"{'plays':<10}" + "".join(f" {name:>19} {'wrong':>6}" for name, _ in sources)
    lines = [header, "-" * len(header)]
    for name, kinds in (
        ("episodes", ("episode",)),
        ("films", ("film",)),
        ("all", ("episode", "film")),
    ):
        cells = []
        for _, outcomes in sources:
            t = tally(o for o in outcomes if o.kind in kinds)
            cells.append(f" {_pct(t.recall):>19} {t.counts['wrong']:>6}")
        lines.append(f"{name:<10}" + "".join(cells))
    return "\n".join(lines)


def world_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """One line per world: its seed, plays, recall and wrong marks."""
    by_world: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_world[o.world].append(o)
    lines = []
    for name, rows in by_world.items():
        t = tally(rows)
        lines.append(f"{name}: {t.plays} plays, recall {_pct(t.recall)}, wrong {t.counts['wrong']}")
    return lines


def path_table(outcomes: Sequence[Outcome]) -> str:
    lines = [f"{'path':<22} {'plays':>6} {'correct':>8} {'wrong':>6} {'recall':>7}"]
    groups = {
        "episodes, id path": [o for o in outcomes if o.kind == "episode" and o.path == "id"],
        "episodes, title-only": [
            o for o in outcomes if o.kind == "episode" and o.path == "title-only"
        ],
        "episodes, slug-key": [o for o in outcomes if o.kind == "episode" and o.path == "slug-key"],
        "films, id path": [o for o in outcomes if o.kind == "film" and o.path == "id"],
        "films, title-only": [o for o in outcomes if o.kind == "film" and o.path == "title-only"],
        "non-anime": [o for o in outcomes if o.path == "non-anime"],
    }
    for name, rows in groups.items():
        t = tally(rows)
        lines.append(
            f"{name:<22} {t.plays:>6} {t.counts['correct']:>8} {t.counts['wrong']:>6} "
            f"{_pct(t.recall):>7}"
        )
    films = tally(o for o in outcomes if o.kind == "film" and o.target.marks)
    lines.append(
        f"films with their episode marked too: {films.film_episodes}/{films.targets} "
        f"(subject right: {films.counts['correct']})"
    )
    return "\n".join(lines)


def calibration_table(outcomes: Sequence[Outcome]) -> str:
    rows: dict[int, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        for score, right, marked in o.scored():
            b = next(k for k, (lo, hi) in enumerate(BUCKETS) if lo <= score < hi)
            rows[b]["all"] += 1
            rows[b]["right"] += right
            rows[b]["marked"] += marked
            rows[b]["marked right"] += marked and right
            rows[b]["left right"] += right and not marked
    header = (
        f"{'confidence':<11} {'candidates':>10} {'right':>7} {'marked':>7} {'marked right':>13} "
        f"{'unmarked but right':>19}"
    )
    lines = [header, "-" * len(header)]
    for b, (lo, hi) in enumerate(BUCKETS):
        c = rows.get(b, Counter())
        label = f"{lo:.1f}–{min(hi, 1.0):.1f}"
        share = f"{c['right'] / c['all']:.1%}" if c["all"] else "—"
        lines.append(
            f"{label:<11} {c['all']:>10} {share:>7} {c['marked']:>7} {c['marked right']:>13} "
            f"{c['left right']:>19}"
        )
    return "\n".join(lines)


REASON_KINDS = (
    (r"best guess .* but confidence", "best guess below the threshold"),
    (r"best guess .* but air date disagrees", "best guess, its own air date disagrees"),
    (r"streaming schedule", "dates fit only shifted: called a streaming schedule"),
    (r"lies outside the Bangumi subjects found", "outside the subjects found, no sequel fits"),
    (r"fits \d+ Bangumi subjects equally", "ambiguous between subjects"),
    (r"no Bangumi subject confirmed", "no subject confirmed (title search)"),
    (r"no Bangumi subject for TMDB", "no subject confirmed from bangumi-data keys"),
    (r"no Bangumi film confirmed", "film: no search hit confirmed"),
    (r"bangumi-data links TMDB movie", "film: key not confirmed"),
    (r"not anime", "skipped as not anime"),
)


def reason_kind(reason: str) -> str:
    return next((kind for rx, kind in REASON_KINDS if re.search(rx, reason)), reason[:60])


def misses(outcomes: Sequence[Outcome], examples: int = 3) -> str:
    """Unmatched plays per pattern, grouped by the matcher's reason, with examples."""
    grouped: dict[str, dict[str, list[Outcome]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes:
        if o.verdict == "unmatched":
            grouped[o.pattern][reason_kind(o.result.reason)].append(o)
    lines = []
    for pattern in PATTERN_ORDER:
        kinds = grouped.get(pattern)
        if not kinds:
            continue
        lines.append(f"{pattern} ({sum(len(v) for v in kinds.values())} unmatched):")
        for kind, rows in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"  {len(rows):>4} × {kind}")
            seen: set[str] = set()
            for o in rows:
                franchise = o.play.rsplit(" S", 1)[0]
                if franchise in seen:
                    continue
                seen.add(franchise)
                lines.append(f"         {o.play} [{o.path}, {o.world}] → want {o.target}")
                lines.append(f"           {o.result.reason[:260]}")
                if len(seen) == examples:
                    break
    return "\n".join(lines)


def unexpected_errors(outcomes: Sequence[Outcome]) -> dict[str, str]:
    """World → the first unexpected error its resolution raised (a sync would have ended
    there with "unexpected error")."""
    found: dict[str, str] = {}
    for o in outcomes:
        if o.result.reason.startswith(UNEXPECTED):
            found.setdefault(o.world, f"{o.play}: {o.result.reason}")
    return found


def recap_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """Issue 24's figures: the plays past a half-sort main recap, placed where the dates
    confirm them (dated subjects) and left alone where nothing can (undated ones)."""
    lines = []
    for touched, what in (
        ("half-recap", "dated subject: placed"),
        ("half-recap-undated", "undated subject: placed"),
    ):
        t = tally(o for o in outcomes if o.touched == touched)
        lines.append(
            f"plays past a half-sort recap, {what} {t.counts['correct']}/{t.targets} "
            f"({_pct(t.recall)}), wrong {t.counts['wrong']}, left unmatched "
            f"{t.counts['unmatched']}"
        )
    placeable = tally(o for o in outcomes if o.pattern not in NO_RECALL_GATE)
    lines.append(
        f"recall on subjects with air dates (the 95% gate): {_pct(placeable.recall)}; "
        f"without ({', '.join(sorted(NO_RECALL_GATE))}): only wrong marks are gated"
    )
    crashed = unexpected_errors(outcomes)
    worlds = len({o.world for o in outcomes})
    lines.append(f"worlds whose sync would end in an unexpected error: {len(crashed)}/{worlds}")
    lines += [f"  {world}: {first}" for world, first in crashed.items()]
    return lines


def wrong_marks(outcomes: Sequence[Outcome]) -> list[str]:
    return [
        f"{o.pattern}/{o.path}: {o.play} [{o.world}] want {o.target}, marked "
        f"{o.result.subject_id}/{o.result.episode_id} ({o.result.source}, {o.result.confidence:g})"
        for o in outcomes
        if o.verdict == "wrong"
    ]


def failures(outcomes: Sequence[Outcome]) -> list[str]:
    """Issue 10's acceptance gates; empty when all hold."""
    problems = []
    total = tally(outcomes)
    if total.counts["wrong"]:
        problems.append(f"{total.counts['wrong']} wrong mark(s)")
    crashed = unexpected_errors(outcomes)
    if crashed:
        problems.append(f"{len(crashed)} world(s) whose sync would end in an unexpected error")
    after = tally(o for o in outcomes if o.touched == "half-recap")
    if after.recall is not None and after.recall < GATE_AFTER_RECAP:
        problems.append(
            f"plays past a half-sort recap placed {after.recall:.1%} < {GATE_AFTER_RECAP:.0%}"
        )
    placeable = tally(o for o in outcomes if o.pattern not in NO_RECALL_GATE)
    if placeable.recall is not None and placeable.recall < GATE_RECALL:
        problems.append(
            f"recall {placeable.recall:.1%} < {GATE_RECALL:.0%} (subjects with air dates)"
        )
    for pattern in PATTERN_ORDER:
        if pattern in NO_RECALL_GATE:
            continue
        for how, attr in (("season", "pattern"), ("own episode", "touched")):
            t = tally(o for o in outcomes if getattr(o, attr) == pattern)
            if t.recall is not None and t.recall < GATE_PATTERN_RECALL:
                problems.append(
                    f"{pattern} ({how}) recall {t.recall:.1%} < {GATE_PATTERN_RECALL:.0%}"
                )
    films = tally(o for o in outcomes if o.kind == "film" and o.target.marks)
    if films.film_episodes < films.targets:
        problems.append(f"films with their episode marked {films.film_episodes}/{films.targets}")
    return problems
