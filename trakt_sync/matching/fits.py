"""Candidates and fits, the pieces a placement is made of (pure).

A *fit* says: Trakt episode ``n`` is main episode ``ep = n - offset`` of a subject, with the
air dates and numbering that support or contradict it. A batch release's one shared date is
set aside, not counted against a fit, for a subject it could be a web release of (before or
after its TV run, never inside it); where it meets a single day of a weekly run it is a
coincidence, not an agreeing date.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from trakt_sync.errors import BadData
from trakt_sync.matching.airdate import TOLERANCE_DAYS, DateCheck, bangumi_day, compare_days
from trakt_sync.models import EP_MAIN

# Share of dated episodes that must agree before a fit counts as confirmed (honue's 70%).
MIN_AGREEMENT = 0.7


@dataclass(frozen=True)
class TraktEp:
    number: int
    aired: date | None = None  # Japanese broadcast day (airdate.broadcast_day)
    number_abs: int | None = None
    titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class BgmEp:
    id: int
    type: int
    sort: float
    ep: int | None
    airdate: date | None
    name: str = ""
    name_cn: str = ""

    @property
    def label(self) -> str:
        sort = int(self.sort) if float(self.sort).is_integer() else self.sort
        if self.ep is not None:
            return f"ep {self.ep} (sort {sort})"
        return f"recap sort {sort}" if self.is_recap else f"SP sort {sort}"

    @property
    def is_recap(self) -> bool:
        """A main episode with a half sort: a recap kept aside, never numbered."""
        return self.type == EP_MAIN and self.ep is None


def parse_episodes(raw: Any, subject: Any = None) -> list[BgmEp]:
    """v0 Episode dicts of ``subject`` → episodes with ``ep`` settled for main ones.

    ``ep`` is the 1-based index among main (type 0) episodes. The API's value is kept
    when it numbers them 1..N; otherwise they are numbered in ``sort`` order. A main
    episode with a half sort (8.5: a recap Bangumi lists as a main episode, for which
    the API says ``ep: 8.5``) gets no number at all: it is kept aside (``recap_gaps``),
    so it never shifts the numbers of the episodes after it.

    Raises BadData naming the subject when the list, or an episode that may be a main
    one, cannot be read: dropping it would shift every number after it. An OP/ED or SP
    whose own fields are unreadable is left out (it is never numbered).
    """
    if not isinstance(raw, list):
        raise BadData("Bangumi", f"subject {subject}", "its episode list is not a list")
    parsed: list[BgmEp] = []
    raw_ep: dict[int, Any] = {}
    for item in raw:
        try:
            episode, given = _episode(item, subject)
        except ValueError as exc:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind in (1, 2, 3, 4, 5, 6):
                continue  # never numbered: whatever it says, it shifts nothing
            which = f"episode {item.get('id')!r}" if isinstance(item, dict) else "an episode"
            raise BadData("Bangumi", f"subject {subject}", f"{which}: {exc}") from None
        parsed.append(episode)
        raw_ep[episode.id] = given
    mains = sorted((e for e in parsed if e.type == EP_MAIN), key=lambda e: (e.sort, e.id))
    given = [raw_ep.get(e.id) for e in mains]
    trusted = all(_whole(v) and v > 0 for v in given) and sorted(int(v) for v in given) == list(
        range(1, len(mains) + 1)
    )
    whole = [e for e in mains if e.sort.is_integer()]
    numbers = {e.id: (int(raw_ep[e.id]) if trusted else i) for i, e in enumerate(whole, start=1)}
    return [
        BgmEp(e.id, e.type, e.sort, numbers.get(e.id), e.airdate, e.name, e.name_cn)
        for e in sorted(parsed, key=lambda e: (e.type, e.sort, e.id))
    ]


def _whole(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and float(value).is_integer()
    )


def _as_int(value: Any) -> int:
    """An id or type: an int, a whole float (1.0) or digits; anything else is unreadable."""
    if _whole(value):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"{value!r} is not a whole number")


def _as_number(value: Any) -> float:
    if isinstance(value, str):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a number")
    return float(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _episode(item: Any, subject: Any) -> tuple[BgmEp, Any]:
    """One v0 Episode and the ``ep`` the API gave it; ValueError names what is wrong."""
    if not isinstance(item, dict):
        raise ValueError(f"{type(item).__name__} {item!r:.40}, not an episode object")

    def field(key: str, read: Any) -> Any:
        if key not in item:
            raise ValueError(f"no {key}")
        try:
            return read(item[key])
        except (TypeError, ValueError):
            raise ValueError(f"{key} {item[key]!r:.40} is unreadable") from None

    episode = BgmEp(
        id=field("id", _as_int),
        type=field("type", _as_int),
        sort=field("sort", _as_number),
        ep=None,
        airdate=bangumi_day(item.get("airdate"), subject=subject),
        name=_text(item.get("name")),
        name_cn=_text(item.get("name_cn")),
    )
    return episode, item.get("ep")


@dataclass
class Candidate:
    subject_id: int
    name: str
    source: str  # bangumi-data | id-table | franchise | search
    prior: float
    episodes: list[BgmEp]
    anchor: int | None = None  # Trakt number of the subject's ep 1, from an id key
    subject_type: int = 2
    evidence: list[str] = field(default_factory=list)
    # What its title says of the TMDB season being placed (titles.season_named): "show"
    # (the show's very title, season 1), "other" (names season 1, a later one is
    # placed: see against_title) or "" nothing.
    title_names: str = ""
    # The next start another candidate's id states in the same TMDB season (placement.place)
    next_start: int | None = None

    def __post_init__(self) -> None:
        self.main = {e.ep: e for e in self.episodes if e.type == EP_MAIN and e.ep is not None}
        # Where a half-sort main recap sits: after main episode g (between g and g + 1).
        self.recap_gaps = sorted(
            {sum(m.sort < e.sort for m in self.main.values()) for e in self.episodes if e.is_recap}
        )
        self._by_day: dict[date, list[BgmEp]] = defaultdict(list)
        for e in self.main.values():
            if e.airdate is not None:
                self._by_day[e.airdate].append(e)

    def around(self, day: date) -> list[BgmEp]:
        return [e for d in (-1, 0, 1) for e in self._by_day.get(day + timedelta(days=d), ())]


@dataclass
class Fit:
    offset: int  # Trakt n ↔ main ep n - offset
    checks: dict[int, DateCheck]
    numbering: str | None  # "ep" / "sort" / "abs": the numbers themselves say the same
    replaced: bool = False  # an id anchor was overruled by air dates
    # Trakt numbers whose date was a batch release's one shared day, set aside (not a
    # contradiction), and whether the fit then covers the subject's main episodes one for one.
    set_aside: tuple[int, ...] = ()
    count_fits: bool = False
    # One piece of a subject TMDB numbers with an inserted episode (a recap): what was
    # shifted and why, for the evidence; ``special`` when the fit is that recap on its SP.
    note: str = ""
    special: BgmEp | None = None
    inserted: tuple[int, ...] = ()  # Trakt numbers TMDB counts and this subject does not
    # Trakt numbers placed past a half-sort recap that no air date confirms: claimed (no
    # other subject takes them) but left unmarked, with the reason (pieces.hold_across_recaps)
    held: dict[int, str] = field(default_factory=dict)

    @property
    def agree(self) -> int:
        return sum(c is DateCheck.AGREE for c in self.checks.values())

    @property
    def disagree(self) -> int:
        return sum(c is DateCheck.DISAGREE for c in self.checks.values())

    @property
    def dated(self) -> int:
        return self.agree + self.disagree

    @property
    def confirmed(self) -> bool:
        return self.dated > 0 and self.agree >= MIN_AGREEMENT * self.dated


# A run of this many consecutive TMDB episodes on one day is a batch (web-first) release.
MIN_BATCH = 3
ONE_DAY = timedelta(days=1)
# A web-first release comes weeks before the Japanese TV run or months after it; a batch
# date further away belongs to another season, so it still contradicts.
BATCH_BEFORE = timedelta(days=90)
BATCH_AFTER = timedelta(days=200)
# ... or in the premiere's week (a worldwide release days after the Japanese premiere),
# but not further into the run: weeks into it, the date is another subject's, not its own.
BATCH_PREMIERE_WEEK = timedelta(days=6)


def batch_days(eps: Mapping[int, TraktEp]) -> dict[int, date]:
    """Trakt numbers in a batch: consecutive dated episodes (undated ones skipped) within
    two days of each other, at least MIN_BATCH and most of them on one day.

    Web-first releases get one ``first_aired`` for the whole season, days or months from
    the Japanese TV run (matching.md): such a date says nothing about which episode is
    which. Single rows may still be a day off, and a daily run (one day apart each) is no
    batch: its days are all different.
    """
    runs: list[list[int]] = []
    for n in sorted(eps):
        day = eps[n].aired
        if day is None:
            continue
        if runs:
            days = [eps[m].aired for m in runs[-1]] + [day]
            if max(d for d in days if d) - min(d for d in days if d) <= 2 * ONE_DAY:
                runs[-1].append(n)
                continue
        runs.append([n])
    out: dict[int, date] = {}
    for run in runs:
        _, count = Counter(eps[n].aired for n in run).most_common(1)[0]
        if count >= MIN_BATCH and 2 * count >= len(run):
            out.update({n: day for n in run if (day := eps[n].aired) is not None})
    return out


def batch_near(cand: Candidate, batch: Mapping[int, date]) -> Mapping[int, date]:
    """The batch dates a web release of this subject could have: before its TV run (see
    BATCH_BEFORE), in its premiere's week, or after the run (BATCH_AFTER), never weeks
    into it. A shared date in the middle of the subject's own weekly run is no release of
    it (it is another subject's, or a contradiction)."""
    days = [e.airdate for e in cand.main.values() if e.airdate is not None]
    if not batch or not days:
        return batch
    first, last = min(days), max(days)
    slack = timedelta(days=TOLERANCE_DAYS)
    return {
        n: d
        for n, d in batch.items()
        if first - BATCH_BEFORE <= d <= first + BATCH_PREMIERE_WEEK
        or last - slack <= d <= last + BATCH_AFTER
    }


def without_batch_dates(eps: Mapping[int, TraktEp]) -> dict[int, TraktEp]:
    """The episodes with a batch release's shared date dropped (for search windows)."""
    batch = batch_days(eps)
    return {n: (replace(te, aired=None) if n in batch else te) for n, te in eps.items()}


def evaluate(cand: Candidate, offset: int, eps: Mapping[int, TraktEp]) -> Fit:
    checks: dict[int, DateCheck] = {}
    same = {"ep": True, "sort": True, "abs": True}
    has_abs = False
    shared = batch_days(eps)
    batch = batch_near(cand, shared)
    set_aside = []
    for n, te in eps.items():
        be = cand.main.get(n - offset)
        if be is None:
            continue
        checks[n] = compare_days(te.aired, be.airdate)
        if checks[n] is DateCheck.DISAGREE and n in batch:
            checks[n] = DateCheck.UNKNOWN
            set_aside.append(n)
        same["ep"] &= be.ep == n
        same["sort"] &= be.sort == n
        if te.number_abs is not None:
            has_abs = True
            same["abs"] &= be.sort == te.number_abs
    same["abs"] &= has_abs
    # A day shared by a batch that meets one day of the subject's weekly run is a
    # coincidence, not its date: it agrees only for a subject that has (at least half as
    # many) episodes of its own on that day, a web release like the batch.
    sizes = Counter(shared.values())
    for n, day in shared.items():
        if checks.get(n) is DateCheck.AGREE and 2 * len(cand.around(day)) < sizes[day]:
            checks[n] = DateCheck.UNKNOWN
            set_aside.append(n)
    numbering = next((k for k in ("ep", "sort", "abs") if same[k]), None) if checks else None
    covered = sorted(n - offset for n in checks)
    # the batch maps one for one onto the subject: no episode of either left over
    count_fits = bool(set_aside) and covered == sorted(cand.main) and batch.keys() <= checks.keys()
    return Fit(offset, checks, numbering, set_aside=tuple(sorted(set_aside)), count_fits=count_fits)


def candidate_offsets(cand: Candidate, eps: Mapping[int, TraktEp]) -> set[int]:
    # 0, and "starts where the episodes left to place start" (a sequel reached by a walk)
    offsets = {0, min(eps, default=1) - 1}
    if cand.anchor is not None:
        offsets.add(cand.anchor - 1)
    first = cand.main.get(1)
    if first is not None and first.sort.is_integer():
        offsets.add(int(first.sort) - 1)  # sort continues the TMDB numbering
    by_sort = {e.sort: e for e in cand.main.values()}
    for n, te in eps.items():
        if te.number_abs is not None and (hit := by_sort.get(te.number_abs)) and hit.ep:
            offsets.add(n - hit.ep)  # sort continues the absolute numbering
        if te.aired is not None:
            offsets.update(n - e.ep for e in cand.around(te.aired) if e.ep is not None)
    return offsets


def span(numbers: Sequence[int]) -> str:
    return f"E{numbers[0]}" + (f"-E{numbers[-1]}" if len(numbers) > 1 else "")


def fit_rank(fit: Fit) -> tuple[int, bool, int]:
    return (fit.agree - 2 * fit.disagree, fit.numbering is not None, -abs(fit.offset))
