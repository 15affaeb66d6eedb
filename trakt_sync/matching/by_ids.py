"""bangumi-data TMDB keys: a ``tv/N/season/S[/episode/E]`` key says where a subject starts,
a plain ``tv/N`` (or another season's key) only that it belongs to the show, so those are
placed by air date; episodes left over are reached by the franchise walk."""

from __future__ import annotations

from trakt_sync.matching.bangumi_data import TmdbKey
from trakt_sync.matching.confidence import PRIOR_ANCHORED, PRIOR_FLOATING
from trakt_sync.matching.context import (
    WINDOW_SLACK,
    MatchContext,
    Rejection,
    SeasonQuery,
    merged_note,
    own_titles,
)
from trakt_sync.matching.fits import Candidate, TraktEp, without_batch_dates
from trakt_sync.matching.franchise import contest_batches, walk, walk_on
from trakt_sync.matching.placement import place
from trakt_sync.matching.segments import Found, found_from_placement
from trakt_sync.matching.titles import season_named
from trakt_sync.models import SUBJECT_ANIME


def place_by_ids(
    ctx: MatchContext,
    q: SeasonQuery,
    eps: dict[int, TraktEp],
    links: list[tuple[TmdbKey, int]],
) -> Found:
    tmdb = q.show.ids.tmdb
    season = q.season
    anchors: dict[int, tuple[int, TmdbKey]] = {}
    for tkey, sid in links:
        if tkey.season == season:
            anchors.setdefault(sid, (tkey.episode or 1, tkey))
    plain = sorted({sid for tkey, sid in links if tkey.season is None})
    if season == 1 and len(plain) == 1 and not any(a == 1 for a, _ in anchors.values()):
        # The show's only plain key, and nothing else claims S1E1: it starts there.
        anchors.setdefault(plain[0], (1, TmdbKey("tv", tmdb or 0)))
    # a batch release's one date may be months from the TV run: no window from it
    dated = [te.aired for te in without_batch_dates(eps).values() if te.aired]
    window = (min(dated) - WINDOW_SLACK, max(dated) + WINDOW_SLACK) if dated else None
    floating: dict[int, TmdbKey] = {}
    for tkey, sid in links:
        if sid in anchors or tkey.season == 0 or tkey.season == season:
            continue
        if window is None and tkey.season is not None:
            continue
        if window is not None and not ctx.overlaps(sid, window):
            continue
        floating.setdefault(sid, tkey)

    candidates: list[Candidate] = []
    rejected: list[Rejection] = []
    for sid, (anchor, tkey) in sorted(anchors.items(), key=lambda x: x[1][0]):
        note = f"bangumi-data {tkey} → {sid}" + (f" (starts at E{anchor})" if anchor > 1 else "")
        # A plain tv/N key only implies the start, so it keeps the weaker prior.
        prior = PRIOR_FLOATING if tkey.season is None else PRIOR_ANCHORED
        found = _candidate(ctx, sid, prior, note, anchor)
        if isinstance(found, Candidate):
            candidates.append(found)
        else:
            rejected.append(found)
    for sid, tkey in sorted(floating.items()):
        note = f"bangumi-data {tkey} → {sid}; placed by air date"
        found = _candidate(ctx, sid, PRIOR_FLOATING, note, None)
        if isinstance(found, Candidate):
            candidates.append(found)
        else:
            rejected.append(found)

    titles = own_titles(q.show)
    for cand in candidates:
        cand.title_names = season_named(titles, cand.name, season)
    placement = place(candidates, eps)
    if placement.assigned:
        placement = walk(ctx, placement, eps)
    elif dated and not placement.contested:
        # A season bangumi-data does not list yet: walk on from the last one it does.
        before = [
            (subject.begin, sid)
            for tkey, sid in links
            if tkey.season != 0
            and (subject := ctx.index.subject(sid)) is not None
            and subject.kind in ("tv", "web")
            and subject.begin is not None
            and subject.begin < min(dated)
        ]
        if before:
            _, last_sid = max(before)
            start = Candidate(last_sid, ctx.name(last_sid), "bangumi-data", 0.0, [])
            placement = walk_on(ctx, placement, start, "续集", eps)
    placement = contest_batches(ctx, placement, eps, titles, season)
    return found_from_placement(
        q.key,
        season,
        eps,
        placement,
        rejected,
        none_found=f"no Bangumi subject for TMDB tv/{tmdb} season {season} in bangumi-data",
    )


def _candidate(
    ctx: MatchContext, sid: int, prior: float, note: str, anchor: int | None
) -> Candidate | Rejection:
    name = ctx.name(sid)
    listed = ctx.vet(sid, season_subject=False)
    if isinstance(listed, str):
        return (sid, name, listed)
    real_id, episodes = listed
    evidence = [note, *merged_note(sid, real_id)]
    return Candidate(
        real_id, name, "bangumi-data", prior, episodes, anchor, SUBJECT_ANIME, evidence
    )
