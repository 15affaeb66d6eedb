"""The further id table's TMDB/TVDB/IMDb links, where bangumi-data has no key: weaker
evidence, so every link is vetted and placed by air date before it counts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from trakt_sync.matching.confidence import PRIOR_ID_TABLE
from trakt_sync.matching.context import (
    MAX_TABLE_FLOATING,
    NOT_ANIME,
    WINDOW_SLACK,
    MatchContext,
    Rejection,
    SeasonQuery,
    merged_note,
    own_titles,
)
from trakt_sync.matching.fits import Candidate, TraktEp
from trakt_sync.matching.franchise import contest_batches, walk
from trakt_sync.matching.placement import place
from trakt_sync.matching.segments import Found, found_from_placement
from trakt_sync.matching.titles import season_named
from trakt_sync.models import SUBJECT_ANIME


def place_by_table(
    ctx: MatchContext, q: SeasonQuery, eps: dict[int, TraktEp]
) -> tuple[Found | None, list[Rejection]]:
    """The season placed on the table's links, or None and the links turned down when
    none of them is confirmed, so a title search can follow."""
    candidates, rejected = _candidates(ctx, q, eps)
    if not candidates:
        return None, rejected
    titles = own_titles(q.show)
    for cand in candidates:
        cand.title_names = season_named(titles, cand.name, q.season)
    placement = place(candidates, eps)
    if not placement.assigned:
        rejected += [(c.subject_id, c.name, why) for c, why in placement.rejected]
        # a subject placed in pieces (around a recap) has several fits: list it once
        fitted = {c.subject_id: c.name for c, _ in placement.fits}
        rejected += [(sid, name, "ambiguous") for sid, name in fitted.items()]
        return None, rejected
    placement = contest_batches(ctx, walk(ctx, placement, eps), eps, titles, q.season)
    found = found_from_placement(
        q.key,
        q.season,
        eps,
        placement,
        rejected,
        none_found=f"no Bangumi subject confirmed for {q.show.title!r} season {q.season} "
        "from the id table",
    )
    return found, rejected


def _candidates(
    ctx: MatchContext, q: SeasonQuery, eps: Mapping[int, TraktEp]
) -> tuple[list[Candidate], list[Rejection]]:
    table = ctx.id_table
    if table is None:
        return [], []
    ids = q.show.ids
    links: dict[int, tuple[int | None, str]] = {}
    if ids.tmdb is not None:
        for tkey, sid in table.tv(ids.tmdb):
            if tkey.season == 0:
                continue
            if tkey.season == q.season:
                links[sid] = (tkey.episode or 1, f"id table {tkey} → {sid}")
            else:
                links.setdefault(sid, (None, f"id table {tkey} → {sid}; placed by air date"))
    if not links:  # TVDB and IMDb ids are show (or episode) level: placed by air date
        by_other: list[tuple[str, list[int]]] = []
        if ids.tvdb is not None:
            by_other.append((f"tvdb {ids.tvdb}", table.tvdb(ids.tvdb)))
        if ids.imdb:
            by_other.append((f"imdb {ids.imdb}", table.imdb(ids.imdb)))
        for label, sids in by_other:
            for sid in sids:
                links.setdefault(sid, (None, f"id table {label} → {sid}; placed by air date"))
    dated = [te.aired for te in eps.values() if te.aired]
    floating = []
    for sid, (anchor, _) in links.items():
        if anchor is not None:
            continue
        row = table.subject(sid)
        begin = row.begin if row is not None else None
        if not dated or (begin is not None and begin > max(dated) + WINDOW_SLACK):
            continue  # nothing to place it by, or it began after this season
        floating.append((begin or date.min, sid))
    keep = {sid for sid, (anchor, _) in links.items() if anchor is not None}
    keep |= {sid for _, sid in sorted(floating, reverse=True)[:MAX_TABLE_FLOATING]}
    candidates = []
    rejected: list[Rejection] = []
    for sid in sorted(keep):
        anchor, note = links[sid]
        row = table.subject(sid)
        name = row.name if row is not None and row.name else str(sid)
        listed = ctx.vet(sid, season_subject=True)
        if listed != NOT_ANIME:  # Bangumi has it as an anime: its own name is better
            subject = ctx.subject(sid)
            assert subject is not None
            name = str(subject.get("name") or name)
        if isinstance(listed, str):
            rejected.append((sid, name, listed))
            continue
        real_id, episodes = listed
        evidence = [note, *merged_note(sid, real_id)]
        candidates.append(
            Candidate(
                real_id, name, "id-table", PRIOR_ID_TABLE, episodes, anchor, SUBJECT_ANIME, evidence
            )
        )
    return candidates, rejected
