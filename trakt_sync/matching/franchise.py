"""The franchise walk: episodes no id or search placed may belong to a sequel (续集) or a
prequel (前传) of a subject that was placed, found along Bangumi's relations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from trakt_sync.errors import NotFound
from trakt_sync.matching.airdate import parse_day
from trakt_sync.matching.context import MAX_WALK_STEPS, MatchContext
from trakt_sync.matching.placement import (
    PRIOR_FRANCHISE,
    Candidate,
    Placement,
    TraktEp,
    place,
)
from trakt_sync.models import SUBJECT_ANIME


def walk(ctx: MatchContext, placement: Placement, eps: Mapping[int, TraktEp]) -> Placement:
    """The placement extended along 续集 (or 前传) from its outermost subjects to the
    episodes left over."""
    if not placement.assigned:
        return placement
    for direction in ("续集", "前传"):
        placed = sorted(placement.assigned)
        edge = placed[-1] if direction == "续集" else placed[0]
        left = {
            n: te
            for n, te in eps.items()
            if n not in placement.assigned
            and n not in placement.contested
            and (n > edge if direction == "续集" else n < edge)
        }
        if left:
            start = placement.assigned[edge][0]
            placement = walk_on(ctx, placement, start, direction, left)
    return placement


def walk_on(
    ctx: MatchContext,
    placement: Placement,
    start: Candidate,
    relation: str,
    left: Mapping[int, TraktEp],
) -> Placement:
    """The placement extended with the subjects ``relation`` leads to from ``start``, up
    to MAX_WALK_STEPS steps, each placed on the episodes ``left``."""
    seen = {c.subject_id for c, _ in placement.fits} | {c.subject_id for c, _ in placement.rejected}
    more = Placement()
    left = dict(left)
    current = start
    for _ in range(MAX_WALK_STEPS):
        try:
            related = ctx.bangumi.get_related_subjects(current.subject_id)
        except NotFound:
            break
        nxt: Candidate | None = None
        for rel in related:
            rid = rel.get("id")
            if (
                rel.get("relation") != relation
                or rel.get("type") != SUBJECT_ANIME
                or not isinstance(rid, int)
                or rid in seen
            ):
                continue
            seen.add(rid)
            cand = _candidate(ctx, rid, f"{relation} of {current.name} ({current.subject_id})")
            if cand is None:
                continue
            found = place([cand], left)
            if found.assigned:
                more.assigned.update(found.assigned)
                more.fits.extend(found.fits)
                for n in found.assigned:
                    left.pop(n, None)
                nxt = cand
                break
            more.rejected.extend(found.rejected)
        if nxt is None or not left:
            break
        current = nxt
    return placement.merged(more)


# How far along 续集 a later season is looked for from the show's first subject.
MAX_CHAIN_STEPS = 8


def follow_sequels(
    ctx: MatchContext, root: int, eps: Mapping[int, TraktEp], until: date, note: str
) -> Placement:
    """Subjects along 续集 from ``root`` placed on ``eps``; unlike ``walk_on``, subjects
    that fit none of them are passed over (the earlier seasons), up to the first one that
    began after ``until``. bangumi-data's dates spare the look-ups of those that ended
    before the first episode."""
    placement = Placement()
    left = dict(eps)
    aired = sorted(te.aired for te in eps.values() if te.aired)
    current, seen = root, {root}
    for _ in range(MAX_CHAIN_STEPS):
        try:
            related = ctx.bangumi.get_related_subjects(current)
        except NotFound:
            break
        sequels = [
            r["id"]
            for r in related
            if r.get("relation") == "续集"
            and r.get("type") == SUBJECT_ANIME
            and isinstance(r.get("id"), int)
            and r["id"] not in seen
        ]
        if not sequels:
            break
        current = sequels[0]
        seen.update(sequels)
        known = ctx.index.subject(current)
        if known is not None and known.begin is not None and known.begin > until:
            break
        if aired and not ctx.overlaps(current, (aired[0], until)):
            continue
        subject = ctx.subject(current)
        day = parse_day(subject.get("date")) if subject else None
        if day is not None and day > until:
            break
        cand = _candidate(ctx, current, note)
        if cand is None:
            continue
        found = place([cand], left)
        placement = placement.merged(found)
        for n in found.assigned:
            left.pop(n, None)
        if not left:
            break
    return placement


def _candidate(ctx: MatchContext, sid: int, note: str) -> Candidate | None:
    listed = ctx.vet(sid, season_subject=True)
    if isinstance(listed, str):
        return None
    subject = ctx.subject(sid)
    assert subject is not None
    name = str(subject.get("name") or sid)
    return Candidate(
        listed[0], name, "franchise", PRIOR_FRANCHISE, listed[1], None, SUBJECT_ANIME, [note]
    )
