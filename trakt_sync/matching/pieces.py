"""Placing a subject in pieces: runs of episodes whose air dates agree at offsets stepping
up by one, around an episode TMDB counts and Bangumi does not (a recap) or a premiere TMDB
splits in two (pure)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence

from trakt_sync.matching.airdate import DateCheck, compare_days
from trakt_sync.matching.fits import (
    BgmEp,
    Candidate,
    Fit,
    TraktEp,
    batch_days,
    candidate_offsets,
    evaluate,
    span,
)
from trakt_sync.matching.titles import is_compilation
from trakt_sync.models import EP_MAIN

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
    offsets = candidate_offsets(cand, eps)
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
                f"one of S{span(gap)} has no Bangumi episode (TMDB counts one more); "
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
        if (e.type != EP_MAIN or e.is_recap)
        and compare_days(te.aired, e.airdate) is DateCheck.AGREE
    ]
    return sps[0] if len(sps) == 1 else None


def hold_across_recaps(cand: Candidate, fit: Fit) -> None:
    """Hold back the episodes a fit places past a half-sort main recap without an air
    date to say whether TMDB counts that recap (then every number after it is one off).

    The recaps cut the subject's main episodes into parts. A part is confirmed when one
    of its own dates agrees, or dates agree in a part before it and one after it (with
    one offset on both sides, TMDB cannot count a recap in between); the part before the
    first recap also when the fit has no agreeing date at all (its numbers start where
    the subject starts, whatever TMDB does later). The episodes of the other parts are
    held: correctness beats coverage."""
    if fit.special is not None or not cand.recap_gaps:
        return
    gaps = cand.recap_gaps

    def part(n: int) -> int:
        return bisect_left(gaps, n - fit.offset)

    agreeing = {part(n) for n, check in fit.checks.items() if check is DateCheck.AGREE}
    for n in fit.checks:
        k = part(n)
        if k in agreeing or (not agreeing and k == 0):
            continue
        if agreeing and min(agreeing) < k < max(agreeing):
            continue
        gap = gaps[k - 1] if k else gaps[0]
        after = cand.main[gap].sort if gap in cand.main else -math.inf
        recap = min(
            (e for e in cand.episodes if e.is_recap and e.sort > after),
            key=lambda e: e.sort,
            default=None,
        )
        what = f"a recap ({recap.label})" if recap is not None else "a recap"
        fit.held[n] = (
            f"{cand.name} ({cand.subject_id}) lists {what} as a main episode after ep {gap}, "
            f"and no air date says whether TMDB counts it: E{n} would be "
            f"{cand.main[n - fit.offset].label}, or the one before it if TMDB does, "
            "so it is left unmarked"
        )
