"""Manual overrides, the strongest source: a show override becomes a segment as it stands."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from trakt_sync.matching.confidence import PRIOR_OVERRIDE
from trakt_sync.matching.context import MatchContext
from trakt_sync.matching.fits import BgmEp
from trakt_sync.matching.overrides import Override
from trakt_sync.matching.segments import Found, Segment
from trakt_sync.models import EP_MAIN, EP_SP, SUBJECT_ANIME, TraktEpisode


def override_segment(
    ctx: MatchContext,
    override: Override,
    season: int,
    pending: Sequence[TraktEpisode],
    known_unmatched: Collection[int],
) -> Found:
    """The override's segment, and the played episodes it covers that its subject lacks.

    ``known_unmatched``: episodes a more specific override already left unmatched; their
    reason stands."""
    assert override.subject_id is not None
    found = Found()
    covered = [ep.number for ep in pending if override.covers(season, ep.number)]
    subject = ctx.subject(override.subject_id)
    listed = ctx.episodes(override.subject_id) if subject is not None else None
    if subject is None or listed is None:
        for n in covered:
            found.unmatched[n] = {
                "reason": f"{override.describe()}: Bangumi has no subject "
                f"{override.subject_id}; fix the override",
                "candidates": [],
            }
        return found
    subject_id, episodes = listed
    first = override.first if override.first is not None else 1
    offset = first - override.start_ep
    by_key: dict[int, BgmEp] = {e.ep: e for e in episodes if e.type == EP_MAIN and e.ep}
    if season == 0:
        for e in episodes:  # specials may point at SP episodes, numbered by sort
            if e.type == EP_SP and e.sort.is_integer():
                by_key.setdefault(int(e.sort), e)
    last_key = max(by_key, default=0)
    last = override.last if override.last is not None else last_key + offset
    seg = Segment(
        subject_id=subject_id,
        subject_type=int(subject.get("type") or SUBJECT_ANIME),
        name=str(subject.get("name") or subject_id),
        source="override",
        offset=offset,
        first=first,
        last=last,
        prior=PRIOR_OVERRIDE,
        fixed_confidence=PRIOR_OVERRIDE,
        evidence=[override.describe()],
        eps={
            k: [e.id, e.airdate.isoformat() if e.airdate else "", e.label]
            for k, e in by_key.items()
            if first <= k + offset <= last
        },
    )
    found.segments.append(seg)
    for n in covered:
        if not seg.covers(n) and n not in known_unmatched:
            found.unmatched[n] = {
                "reason": f"{override.describe()} maps S{season}E{n} to ep "
                f"{n - offset}, but {seg.name} ({subject_id}) lists {len(by_key)} "
                "episodes; fix the override",
                "candidates": [],
            }
    return found
