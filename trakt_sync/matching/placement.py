"""Placing one TMDB-numbered season onto Bangumi subjects (pure: data in, placement out).

A *fit* says: Trakt episode ``n`` is main episode ``ep = n - offset`` of a subject. Each
candidate subject gets the fit that its id anchor (a bangumi-data start position) or,
failing that, the air dates support — or several fits, pieces around an episode TMDB
counts and Bangumi does not (a recap) or a premiere TMDB splits in two; Trakt episodes
claimed by several subjects go to the one whose air date agrees, or stay unplaced. A
batch release's one shared date is set aside, not counted against a fit, for a subject it
could be a web release of (before or after its TV run, never inside it); where it meets a
single day of a weekly run it is a coincidence, not an agreeing date.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from trakt_sync.matching.airdate import TOLERANCE_DAYS, DateCheck, compare_days, parse_day
from trakt_sync.matching.titles import is_compilation
from trakt_sync.models import EP_MAIN

# Share of dated episodes that must agree before a fit counts as confirmed (honue's 70%).
MIN_AGREEMENT = 0.7

# Starting confidence per kind of evidence that put a subject forward; air dates and
# numbering move it up or down (see confidence()).
PRIOR_OVERRIDE = 1.0
PRIOR_ANCHORED = 0.85  # bangumi-data key that says where the subject starts
PRIOR_FLOATING = 0.75  # bangumi-data key without a start (plain tv/N, other season)
PRIOR_FRANCHISE = 0.7  # reached along 续集/前传 relations
# A link from a further id table (BangumiExtLinker): weaker than bangumi-data, so it
# scores >= 0.8 only when an episode's own air date agrees (or its fit's dates and numbers).
PRIOR_ID_TABLE = 0.7
PRIOR_SEARCH = 0.65  # title search, title verified


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
        return f"ep {self.ep} (sort {sort})" if self.ep is not None else f"SP sort {sort}"


def parse_episodes(raw: Iterable[Mapping[str, Any]]) -> list[BgmEp]:
    """v0 Episode dicts → episodes with ``ep`` settled for main ones.

    ``ep`` is the 1-based index among main (type 0) episodes; it is recomputed from
    ``sort`` order when the API's values are missing or inconsistent.
    """
    parsed = []
    raw_ep: dict[int, Any] = {}
    for item in raw:
        try:
            parsed.append(
                BgmEp(
                    id=int(item["id"]),
                    type=int(item.get("type") or 0),
                    sort=float(item.get("sort") or 0),
                    ep=None,
                    airdate=parse_day(item.get("airdate")),
                    name=str(item.get("name") or ""),
                    name_cn=str(item.get("name_cn") or ""),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
        raw_ep[parsed[-1].id] = item.get("ep")
    mains = sorted((e for e in parsed if e.type == EP_MAIN), key=lambda e: (e.sort, e.id))
    given = [raw_ep.get(e.id) for e in mains]
    trusted = all(isinstance(v, int | float) and v > 0 for v in given) and sorted(
        int(v) for v in given if v is not None
    ) == list(range(1, len(mains) + 1))
    numbers = {
        e.id: (int(v) if trusted and v is not None else i)
        for i, (e, v) in enumerate(zip(mains, given, strict=True), start=1)
    }
    return [
        BgmEp(e.id, e.type, e.sort, numbers.get(e.id), e.airdate, e.name, e.name_cn)
        for e in sorted(parsed, key=lambda e: (e.type, e.sort, e.id))
    ]


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

    def __post_init__(self) -> None:
        self.main = {e.ep: e for e in self.episodes if e.type == EP_MAIN and e.ep is not None}
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
        modal, count = Counter(eps[n].aired for n in run).most_common(1)[0]
        if count >= MIN_BATCH and 2 * count >= len(run):
            out.update({n: day for n in run if (day := eps[n].aired) is not None})
    return out


def _batch_near(cand: Candidate, batch: Mapping[int, date]) -> Mapping[int, date]:
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
    batch = _batch_near(cand, shared)
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


def _offsets(cand: Candidate, eps: Mapping[int, TraktEp]) -> set[int]:
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


def _span(numbers: Sequence[int]) -> str:
    return f"E{numbers[0]}" + (f"-E{numbers[-1]}" if len(numbers) > 1 else "")


def _rank(fit: Fit) -> tuple[int, bool, int]:
    return (fit.agree - 2 * fit.disagree, fit.numbering is not None, -abs(fit.offset))


def choose_fit(cand: Candidate, eps: Mapping[int, TraktEp]) -> tuple[Fit | None, str]:
    """The fit to use for a candidate, or None and why not."""
    if not cand.main:
        return None, "Bangumi lists no main episodes for it yet"
    fits = [f for f in (evaluate(cand, o, eps) for o in _offsets(cand, eps)) if f.checks]
    if not fits:
        return None, "none of its episodes lines up with this season"
    if cand.anchor is not None:
        anchored = evaluate(cand, cand.anchor - 1, eps)
        if anchored.checks and (anchored.dated == 0 or anchored.confirmed):
            return anchored, ""
        # The id says where it starts but the air dates say otherwise: place by air date.
        others = [f for f in fits if f.offset != cand.anchor - 1 and f.confirmed and f.agree >= 2]
        if others:
            best = max(others, key=_rank)
            shifted = _rescheduled(cand, best, fits, eps)
            if shifted is not None:
                return None, _why_rescheduled(cand, best, shifted, eps)
            best.replaced = True
            return best, ""
        if not anchored.checks:
            return None, f"it starts at E{cand.anchor} but has no episode there"
        return None, f"air dates disagree with its start E{cand.anchor} ({_tally(anchored)})"
    confirmed = [f for f in fits if f.confirmed]
    if confirmed:
        best = max(confirmed, key=_rank)
        shifted = _rescheduled(cand, best, fits, eps)
        if shifted is not None:
            return None, _why_rescheduled(cand, best, shifted, eps)
        return best, ""
    undated = [f for f in fits if f.dated == 0 and (f.numbering or f.count_fits)]
    if undated:
        return max(undated, key=_rank), ""
    best = max(fits, key=_rank)
    return None, f"air dates do not line up ({_tally(best)})"


def choose_fits(cand: Candidate, eps: Mapping[int, TraktEp]) -> tuple[list[Fit], str]:
    """The fits to use for a candidate: one, or the pieces around an episode TMDB counts
    and Bangumi does not (a recap), or none and why not."""
    return _choose_fits(cand, eps)


NAMES_ANOTHER_SEASON = "its title names the first season and its air dates do not place it here"


def against_title(cand: Candidate, fits: Sequence[Fit]) -> bool:
    """A subject whose title names the first season, for a later one, placed by
    numbering alone (no id anchor, fewer than MIN_PIECE_AGREE agreeing dates or a batch
    date set aside): it may not take the episodes, though it still makes others' claims
    on them ambiguous. An id that states where it starts outweighs a season word."""
    return (
        cand.title_names == "other"
        and cand.anchor is None
        and (sum(f.agree for f in fits) < MIN_PIECE_AGREE or any(f.set_aside for f in fits))
    )


def _choose_fits(cand: Candidate, eps: Mapping[int, TraktEp]) -> tuple[list[Fit], str]:
    fit, why = choose_fit(cand, eps)
    pieces = piecewise(cand, eps)
    # pieces win when they explain more dates than one fit, and keep the id's start
    # unless the air dates overrule it anyway
    overruled = cand.anchor is not None and pieces and pieces[0].offset != cand.anchor - 1
    if (
        pieces
        and (not overruled or fit is None or fit.replaced)
        and (fit is None or sum(p.agree for p in pieces) > fit.agree)
    ):
        for piece in pieces:
            piece.replaced = bool(overruled)
        return pieces, ""
    return ([fit], "") if fit is not None else ([], why)


# A piece of a subject placed around an inserted episode needs this many agreeing dates.
MIN_PIECE_AGREE = 2


def piecewise(cand: Candidate, eps: Mapping[int, TraktEp]) -> list[Fit] | None:
    """Fits for runs of episodes whose air dates agree at offsets stepping up by one.

    TMDB sometimes counts a recap (Bangumi: an SP, sort 6.5) as a regular episode, so
    from it on every number is one off (matching.md) — more than once in a long season.
    Each step must be explained: exactly one dated episode between two runs that agrees
    with no Bangumi slot (the inserted one: a week in the run with no Bangumi episode),
    or two TMDB episodes on one Bangumi episode's day (a premiere split on TMDB's side).
    Every run needs MIN_PIECE_AGREE agreeing dates (a split premiere's first half, or a
    lone date on the subject's first or last episode: one)
    and no date may disagree; undated episodes between two runs stay unplaced. The
    inserted episode goes to an SP only when its date and a recap-like title agree.
    """
    if not cand.main or batch_days(eps):
        return None
    offsets = _offsets(cand, eps)
    dated = sorted(n for n, te in eps.items() if te.aired is not None)
    agrees: dict[int, set[int]] = {}
    for n in dated:
        agrees[n] = {
            o
            for o in offsets
            if (be := cand.main.get(n - o)) is not None
            and compare_days(eps[n].aired, be.airdate) is DateCheck.AGREE
        }
    tally = Counter(o for found in agrees.values() for o in found)
    runs: list[tuple[int, list[int]]] = []
    loose: list[int] = []
    for n in dated:
        found = agrees[n]
        if runs and runs[-1][0] in found:
            runs[-1][1].append(n)
        elif not found:
            loose.append(n)
        elif runs:
            if runs[-1][0] + 1 not in found:
                return None
            runs.append((runs[-1][0] + 1, [n]))
        else:
            runs.append((max(found, key=lambda o: (tally[o], -abs(o))), [n]))
    if len(runs) < 2:
        return None
    last = len(runs) - 1
    pieces = [
        (offset, [n for n in sorted(eps) if (members[0] if k else min(eps)) <= n])
        for k, (offset, members) in enumerate(runs)
    ]
    pieces = [
        (offset, [n for n in ns if n <= (runs[k][1][-1] if k < last else max(eps))])
        for k, (offset, ns) in enumerate(pieces)
    ]
    for n in loose:
        between = any(a[1][-1] < n < b[1][0] for a, b in zip(runs, runs[1:], strict=False))
        if not between and any(cand.main.get(n - o) is not None for o, _ in runs):
            return None  # a date that disagrees inside the subject's run
    notes: list[str] = []
    inserted: list[int] = []
    for (o1, run1), (o2, run2) in zip(runs, runs[1:], strict=False):
        # Trakt episodes between the runs: one more than the Bangumi episodes there
        gap = [n for n in sorted(eps) if run1[-1] < n < run2[0]]
        gap_dated = [n for n in gap if eps[n].aired is not None]
        if not gap and run1[-1] - o1 == run2[0] - o2:
            notes.append(
                f"E{run1[-1]} and E{run2[0]} are both {cand.main[run1[-1] - o1].label} "
                "(one Bangumi episode split in two on TMDB: same air day)"
            )
            continue
        if len(gap_dated) > 1 or not (
            _enough(cand, runs, o1, run1) and _enough(cand, runs, o2, run2)
        ):
            return None
        if not gap_dated:
            notes.append(
                f"one of S{_span(gap)} has no Bangumi episode (TMDB counts one more); "
                f"E{run2[0]} on are shifted by one to ep {run2[0] - o2}"
            )
            continue
        (extra,) = gap_dated
        inserted.append(extra)
        titles = ", ".join(repr(t) for t in eps[extra].titles[:2])
        notes.append(
            f"E{extra} ({eps[extra].aired}{', ' + titles if titles else ''}) has no Bangumi "
            f"episode: TMDB counts it, Bangumi does not (a recap?); E{run2[0]} on are shifted "
            f"by one to ep {run2[0] - o2}"
        )
    fits: list[Fit] = []
    split_first = notes and notes[0].startswith(f"E{runs[0][1][-1]} and")
    if not split_first and not _enough(cand, runs, *runs[0]):
        return None
    note = "; ".join(notes)
    for offset, members in pieces:
        sub = {n: eps[n] for n in members}
        fit = evaluate(cand, offset, sub)
        if fit.disagree or not fit.checks:
            return None
        fit.note = note
        fit.inserted = tuple(inserted)
        fits.append(fit)
    for n in inserted:
        special = _recap_special(cand, eps[n])
        if special is not None:
            fits.append(
                Fit(
                    n,
                    {n: DateCheck.AGREE},
                    None,
                    note=f"E{n} is the recap {special.label}: its air date and title agree",
                    special=special,
                )
            )
    return fits


def _enough(
    cand: Candidate, runs: Sequence[tuple[int, list[int]]], offset: int, run: list[int]
) -> bool:
    """A run has enough agreeing dates: MIN_PIECE_AGREE, or one on the subject's first
    episode (first run) or last episode (last run), where its place is not in doubt."""
    if len(run) >= MIN_PIECE_AGREE:
        return True
    ep = run[0] - offset
    first, last = min(cand.main), max(cand.main)
    return (run is runs[0][1] and ep == first) or (run is runs[-1][1] and ep == last)


def _recap_special(cand: Candidate, te: TraktEp) -> BgmEp | None:
    """The SP an inserted episode is, when its date and a recap-like title both agree."""
    if te.aired is None or not is_compilation(*te.titles):
        return None
    sps = [
        e
        for e in cand.episodes
        if e.type != EP_MAIN and compare_days(te.aired, e.airdate) is DateCheck.AGREE
    ]
    return sps[0] if len(sps) == 1 else None


def _day_offsets(cand: Candidate, fit: Fit, eps: Mapping[int, TraktEp]) -> list[int]:
    """Trakt day minus Bangumi day for each dated episode of a fit."""
    out = []
    for n in fit.checks:
        te, be = eps[n], cand.main[n - fit.offset]
        if te.aired is not None and be.airdate is not None:
            out.append((te.aired - be.airdate).days)
    return out


def _rescheduled(
    cand: Candidate, fit: Fit, fits: Sequence[Fit], eps: Mapping[int, TraktEp]
) -> Fit | None:
    """Another fit that pairs more of the same episodes, every one the same days off.

    Then the numbering may be right and Trakt's dates a streaming schedule (web releases
    run days or weeks from the TV date, matching.md); the fit the dates pick would mark
    every episode one or more off, so neither can be trusted.
    """
    agreed = {n for n, check in fit.checks.items() if check is DateCheck.AGREE}
    for other in fits:
        if other.offset == fit.offset or other.agree or other.dated < 2:
            continue
        if (other.dated, len(other.checks)) <= (fit.agree, len(fit.checks)):
            continue
        if not agreed <= other.checks.keys():
            continue
        offsets = _day_offsets(cand, other, eps)
        if max(offsets) - min(offsets) <= 2 * TOLERANCE_DAYS:
            return other
    return None


def _why_rescheduled(cand: Candidate, fit: Fit, shifted: Fit, eps: Mapping[int, TraktEp]) -> str:
    offsets = sorted(_day_offsets(cand, shifted, eps))
    days = offsets[len(offsets) // 2]
    moved = shifted.offset - fit.offset
    return (
        f"air dates match only with every episode moved {abs(moved)} place(s) from its "
        f"number, and with the numbers kept every date is {days:+d} days off: a streaming "
        "schedule? (left alone rather than mark every episode one off)"
    )


def _tally(fit: Fit) -> str:
    return f"{fit.agree}/{fit.dated} dated episodes agree"


@dataclass
class Placement:
    assigned: dict[int, tuple[Candidate, Fit]] = field(default_factory=dict)
    contested: dict[int, list[tuple[Candidate, Fit]]] = field(default_factory=dict)
    rejected: list[tuple[Candidate, str]] = field(default_factory=list)
    fits: list[tuple[Candidate, Fit]] = field(default_factory=list)

    def merged(self, more: Placement) -> Placement:
        """This placement with ``more`` (placed on episodes this one left) added."""
        return Placement(
            assigned={**self.assigned, **more.assigned},
            contested=dict(self.contested),
            rejected=self.rejected + more.rejected,
            fits=self.fits + more.fits,
        )


def place(candidates: Sequence[Candidate], eps: Mapping[int, TraktEp]) -> Placement:
    result = Placement()
    claims: dict[int, list[tuple[Candidate, Fit]]] = defaultdict(list)
    shadows: list[tuple[Candidate, Fit]] = []
    for cand in candidates:
        fits, why = choose_fits(cand, eps)
        if not fits:
            result.rejected.append((cand, why))
            continue
        if against_title(cand, fits):
            result.rejected.append((cand, NAMES_ANOTHER_SEASON))
            shadows += [(cand, fit) for fit in fits]
            continue
        for fit in fits:
            result.fits.append((cand, fit))
            for n in fit.checks:
                claims[n].append((cand, fit))
    for cand, fit in shadows:
        for n in fit.checks.keys() & claims.keys():
            claims[n].append((cand, fit))
    for n, claim in sorted(claims.items()):
        winner = claim[0] if len(claim) == 1 else settle(n, claim)
        if winner is None:
            result.contested[n] = claim
        else:
            result.assigned[n] = winner
    return result


def settle(n: int, claim: list[tuple[Candidate, Fit]]) -> tuple[Candidate, Fit] | None:
    """The one claim on Trakt episode ``n`` that wins, or None when none stands out."""
    agree = [c for c in claim if c[1].checks[n] is DateCheck.AGREE]
    pool = agree or [c for c in claim if c[1].checks[n] is DateCheck.UNKNOWN]
    if len(pool) == 1:
        return None if against_title(pool[0][0], [pool[0][1]]) else pool[0]
    # Same day (or no dates): an id that states the start beats a subject placed by dates,
    # and then, for season 1, the subject with the show's very title.
    anchored = [c for c in pool if c[0].anchor is not None and not c[1].replaced]
    if anchored:
        return anchored[0] if len(anchored) == 1 else None
    named = [c for c in pool if c[0].title_names == "show"]
    if named:
        return named[0] if len(named) == 1 else None
    # a batch whose episodes are one for one the main episodes of just one of them
    counted = [c for c in pool if c[1].count_fits]
    return counted[0] if len(counted) == 1 else None


# Odds factors for independent evidence on top of a source's prior (see confidence()).
OWN_DATE_AGREES = 2.5  # this episode's own air date agrees (±1 day)
NEIGHBOUR_DATE = 1.5  # each further agreeing date of the fit, up to MAX_NEIGHBOURS
MAX_NEIGHBOURS = 6
NUMBERING_AGREES = 2.0  # Bangumi's ep/sort says the same number
COUNT_FITS = 2.0  # the fit covers the subject's main episodes one for one (batch releases)
DATE_DISAGREES = 0.25  # each disagreeing date of the fit, up to 3
MAX_CONFIDENCE = 0.99


def confidence(
    prior: float,
    own: DateCheck,
    agree: int,
    disagree: int,
    numbering: str | None,
    *,
    count_fits: bool = False,
) -> float:
    """Score one episode of a placed subject from independent pieces of evidence.

    The prior (what put the subject forward: an id key, a relation, a title) is turned
    into odds and multiplied by a factor per independent piece: the episode's own air
    date, its fit's other agreeing dates (a wrong subject rarely lines up a whole run of
    broadcast days), numbering that says the same, an episode count that fits; each
    disagreeing date divides. ``own`` is this episode's check; ``agree``/``disagree``
    count the whole fit, so an undated episode inherits the support of its neighbours.
    """
    if own is DateCheck.DISAGREE:
        return 0.2
    odds = prior / (1 - prior) if prior < 1 else 1e6
    neighbours = agree
    if own is DateCheck.AGREE:
        odds *= OWN_DATE_AGREES
        neighbours -= 1
    odds *= NEIGHBOUR_DATE ** min(max(neighbours, 0), MAX_NEIGHBOURS)
    # Without dates (or a batch's count), numbering is the placement itself, not more evidence.
    if numbering and (agree or count_fits):
        odds *= NUMBERING_AGREES
    if count_fits:
        odds *= COUNT_FITS
    odds *= DATE_DISAGREES ** min(disagree, 3)
    score = odds / (1 + odds)
    if agree + disagree and agree < MIN_AGREEMENT * (agree + disagree):
        score = min(score, 0.5)
    return round(max(0.0, min(score, MAX_CONFIDENCE)), 2)
