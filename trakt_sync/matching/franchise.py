"""The franchise walk: episodes no id or search placed may belong to a sequel (续集) or a
prequel (前传) of a subject that was placed, found along Bangumi's relations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from trakt_sync.errors import NotFound
from trakt_sync.matching.airdate import subject_day
from trakt_sync.matching.confidence import PRIOR_FRANCHISE
from trakt_sync.matching.context import MAX_WALK_STEPS, MatchContext
from trakt_sync.matching.fits import BATCH_AFTER, BATCH_BEFORE, Candidate, Fit, TraktEp
from trakt_sync.matching.placement import Placement, choose_fits, place, settle
from trakt_sync.matching.titles import season_named
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


def contest_batches(
    ctx: MatchContext,
    placement: Placement,
    eps: Mapping[int, TraktEp],
    titles: Sequence[str],
    season: int,
) -> Placement:
    """Episodes placed by numbering on a batch release (their one shared date set aside)
    keep their place only when no other subject of the franchise could host them too.

    The subjects along 续集/前传 from the one placed, within reach of the shared date,
    are put against it on those episodes: one whose own episodes aired on that day takes
    them (the date is its evidence, not something to set aside); one that could as well
    be the release (its numbers fit, the day lies before or after its run) leaves them
    unplaced with both named, unless an id states where the placed one starts or just
    one of them is named for the season (``titles``: the show's)."""
    batched = {n: claim for n, claim in placement.assigned.items() if claim[1].set_aside}
    days = sorted(d for n in batched if (d := eps[n].aired) is not None)
    if not days:
        return placement
    window = (days[0] - BATCH_AFTER, days[-1] + BATCH_BEFORE)
    known = {c.subject_id for c, _ in placement.fits + placement.rejected}
    starts = {cand.subject_id: cand for cand, _ in batched.values()}
    left = {n: eps[n] for n in batched}
    claims: dict[int, list[tuple[Candidate, Fit]]] = {}
    for sid, note in _franchise_near(ctx, starts.values(), window, known):
        rival = _candidate(ctx, sid, note)
        if rival is None:
            continue
        rival.title_names = season_named(titles, rival.name, season)
        for fit in choose_fits(rival, left)[0]:
            for n in fit.checks:
                claims.setdefault(n, []).append((rival, fit))
    if not claims:
        return placement
    assigned, contested = dict(placement.assigned), dict(placement.contested)
    fits = list(placement.fits)
    for n, rivals in sorted(claims.items()):
        claim = [batched[n], *rivals]
        winner = settle(n, claim)
        if winner is None:
            del assigned[n]
            contested[n] = claim
        elif winner is not batched[n]:
            assigned[n] = winner
            if winner not in fits:
                fits.append(winner)
    return Placement(assigned, contested, placement.rejected, fits)


def _franchise_near(
    ctx: MatchContext, starts: Iterable[Candidate], window: tuple[date, date], known: set[int]
) -> list[tuple[int, str]]:
    """(subject id, how it was reached) for the subjects up to MAX_WALK_STEPS along 续集
    and along 前传 from ``starts`` that bangumi-data does not place wholly outside
    ``window``; ``known`` ones are passed through, not returned."""
    found: dict[int, str] = {}
    seen = set(known)
    for start in starts:
        for relation in ("续集", "前传"):
            current, name = start.subject_id, start.name
            for _ in range(MAX_WALK_STEPS):
                try:
                    related = ctx.bangumi.get_related_subjects(current)
                except NotFound:
                    break
                nxt = next(
                    (
                        r
                        for r in related
                        if r.get("relation") == relation
                        and r.get("type") == SUBJECT_ANIME
                        and isinstance(r.get("id"), int)
                    ),
                    None,
                )
                if nxt is None:
                    break
                sid = nxt["id"]
                if not ctx.overlaps(sid, window):
                    break  # the chain runs on away from the date
                if sid not in seen:
                    seen.add(sid)
                    found[sid] = f"{relation} of {name} ({current}), against a batch placement"
                current, name = sid, str(nxt.get("name") or sid)
    return list(found.items())


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
        day = subject_day(subject) if subject else None
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
