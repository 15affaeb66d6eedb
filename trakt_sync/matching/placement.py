"""Placing one TMDB-numbered season onto Bangumi subjects (pure: data in, placement out).

Each candidate subject gets the fit (fits.py) that its id anchor (a bangumi-data start
position) or, failing that, the air dates support — or several fits, pieces around an
episode TMDB counts and Bangumi does not (pieces.py); Trakt episodes claimed by several
subjects go to the one whose air date agrees, or stay unplaced. How sure each placement is
comes from confidence.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from trakt_sync.matching.airdate import TOLERANCE_DAYS, DateCheck
from trakt_sync.matching.fits import (
    Candidate,
    Fit,
    TraktEp,
    candidate_offsets,
    evaluate,
    fit_rank,
)
from trakt_sync.matching.pieces import MIN_PIECE_AGREE, hold_across_recaps, piecewise


def choose_fit(cand: Candidate, eps: Mapping[int, TraktEp]) -> tuple[Fit | None, str]:
    """The fit to use for a candidate, or None and why not."""
    if not cand.main:
        return None, "Bangumi lists no main episodes for it yet"
    fits = [f for f in (evaluate(cand, o, eps) for o in candidate_offsets(cand, eps)) if f.checks]
    if not fits:
        return None, "none of its episodes lines up with this season"
    if cand.anchor is not None:
        anchored = evaluate(cand, cand.anchor - 1, eps)
        if anchored.checks and anchored.dated == 0:
            # a batch's dates set aside were compared (and fit one for one or not); with
            # no date at all, the counts must agree (issue 24)
            differs = "" if anchored.set_aside else _count_differs(cand, eps)
            return (None, differs) if differs else (anchored, "")
        if anchored.checks and anchored.confirmed:
            return anchored, ""
        # The id says where it starts but the air dates say otherwise: place by air date.
        others = [f for f in fits if f.offset != cand.anchor - 1 and f.confirmed and f.agree >= 2]
        if others:
            best = max(others, key=fit_rank)
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
        best = max(confirmed, key=fit_rank)
        shifted = _rescheduled(cand, best, fits, eps)
        if shifted is not None:
            return None, _why_rescheduled(cand, best, shifted, eps)
        return best, ""
    undated = [f for f in fits if f.dated == 0 and (f.numbering or f.count_fits)]
    if undated:
        return max(undated, key=fit_rank), ""
    best = max(fits, key=fit_rank)
    return None, f"air dates do not line up ({_tally(best)})"


def _count_differs(cand: Candidate, eps: Mapping[int, TraktEp]) -> str:
    """Why numbering alone cannot place an anchored subject no date checks: TMDB numbers
    another count of episodes from its start (to the next start, or the season's end)
    than Bangumi lists main episodes. One episode counted on one side only — a premiere
    TMDB splits in two, a recap it counts — puts every number after it one off, and
    nothing else would tell (issue 24: a subject without air dates). "" when they agree."""
    assert cand.anchor is not None
    last = cand.next_start - 1 if cand.next_start is not None else max(eps, default=0)
    tmdb = sum(cand.anchor <= n <= last for n in eps)
    if tmdb == len(cand.main):
        return ""
    return (
        f"no air date to check its start E{cand.anchor} against, and TMDB numbers {tmdb} "
        f"episode(s) E{cand.anchor}-E{last} where Bangumi lists {len(cand.main)} main "
        "episodes: one counted on one side only would put every number after it one off"
    )


def choose_fits(cand: Candidate, eps: Mapping[int, TraktEp]) -> tuple[list[Fit], str]:
    """The fits to use for a candidate: one, or the pieces around an episode TMDB counts
    and Bangumi does not (a recap), or none and why not; episodes placed past a half-sort
    main recap that no date confirms are held (pieces.hold_across_recaps)."""
    fits, why = _choose_fits(cand, eps)
    for fit in fits:
        hold_across_recaps(cand, fit)
    return fits, why


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
    starts = sorted({c.anchor for c in candidates if c.anchor is not None})
    for cand in candidates:
        later = [a for a in starts if cand.anchor is not None and a > cand.anchor]
        cand.next_start = later[0] if later else None
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
