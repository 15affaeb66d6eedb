"""How sure a placement is: a source's prior, then odds for independent evidence (pure)."""

from __future__ import annotations

from trakt_sync.matching.airdate import DateCheck
from trakt_sync.matching.fits import MIN_AGREEMENT

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
