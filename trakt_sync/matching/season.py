"""Building one season's plan: overrides first, then the strongest automatic source that
knows the show — bangumi-data keys, the id table, a title search — or the specials rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from trakt_sync.errors import NotFound
from trakt_sync.matching.airdate import broadcast_day
from trakt_sync.matching.by_id_table import place_by_table
from trakt_sync.matching.by_ids import place_by_ids
from trakt_sync.matching.by_override import override_segment
from trakt_sync.matching.context import (
    NEEDS_GENRES,
    NEEDS_TRAKT_DATES,
    MatchContext,
    SeasonQuery,
)
from trakt_sync.matching.fits import TraktEp
from trakt_sync.matching.overrides import Override, best_override, map_add_command
from trakt_sync.matching.payloads import whole
from trakt_sync.matching.segments import (
    PATH_IDS,
    PATH_NO_GENRES,
    PATH_NO_TRAKT,
    PATH_OUT_OF_SCOPE,
    PATH_OVERRIDES,
    PATH_SEARCH,
    PATH_SPECIALS,
    PATH_TABLE,
    Found,
    SeasonPlan,
)
from trakt_sync.matching.specials import place_specials
from trakt_sync.matching.title_search import place_by_search
from trakt_sync.models import TraktEpisode, TraktShow


def build_plan(
    ctx: MatchContext,
    q: SeasonQuery,
    pending: Sequence[TraktEpisode],
    overrides: Sequence[Override],
    built_at: float,
) -> SeasonPlan:
    """``pending``: the played episodes no override ignores; ``overrides``: the show's."""
    show, season = q.show, q.season
    plan = SeasonPlan(built_at=built_at)
    applicable = [o for o in overrides if not o.ignore and o.season in (season, None)]
    if season == 0:
        applicable = [o for o in applicable if o.season == 0]
    for override in sorted(applicable, key=lambda o: o.specificity, reverse=True):
        plan.add(override_segment(ctx, override, season, pending, plan.unmatched.keys()))
    auto = [
        ep
        for ep in pending
        if (o := best_override(overrides, season, ep.number)) is None or o.ignore
    ]
    if not auto:
        plan.path = PATH_OVERRIDES
        return plan
    if not ctx.trakt_metadata:
        # Placing by episode numbers alone marks wrongly wherever Trakt and Bangumi count
        # a season differently (a recap, a split premiere): only air dates tell.
        plan.add(_unmatched(auto, NEEDS_TRAKT_DATES))
        plan.path = PATH_NO_TRAKT
        return plan

    links = ctx.index.tv(show.ids.tmdb) if show.ids.tmdb is not None else []
    mapped = any(not o.ignore for o in overrides)
    genres = () if links or mapped else ctx.genres_of("show", show.ids.trakt, show.genres)
    if genres is None:
        plan.add(_unmatched(auto, NEEDS_GENRES))
        plan.path = PATH_NO_GENRES
        return plan
    if not links and not mapped and not ctx.in_scope(genres):
        plan.skip_all = (
            f"not anime: no id source knows {show.title!r} and its Trakt genres "
            f"({', '.join(genres) or 'none'}) are not anime/donghua/animation; "
            f"add `{map_add_command(q.key, season)}` if it belongs on Bangumi"
        )
        plan.path = PATH_OUT_OF_SCOPE
        return plan

    today = datetime.fromtimestamp(built_at, UTC).date()
    eps = season_eps(ctx, show, season, pending, today)
    plan.trakt_days = {n: te.aired.isoformat() for n, te in eps.items() if te.aired}
    auto_numbers = {ep.number for ep in auto}
    if season == 0:
        wanted = {n: te for n, te in eps.items() if n in auto_numbers}
        plan.add(place_specials(ctx, q, wanted, links))
        plan.path = PATH_SPECIALS
        return plan
    wanted = {
        n: te
        for n, te in eps.items()
        if n in auto_numbers or best_override(overrides, season, n) is None
    }
    if links:
        plan.add(place_by_ids(ctx, q, wanted, links))
        plan.path = PATH_IDS
        return plan
    found, rejected = place_by_table(ctx, q, wanted)
    plan.path = PATH_TABLE
    if found is None:
        found = place_by_search(ctx, q, wanted, rejected)
        plan.path = PATH_SEARCH
    plan.add(found)
    return plan


def season_eps(
    ctx: MatchContext,
    show: TraktShow,
    season: int,
    pending: Sequence[TraktEpisode],
    today: date | None = None,
) -> dict[int, TraktEp]:
    """The whole season from Trakt (for dates and number_abs), plus the played episodes.

    A date after ``today`` is TMDB's projection for an episode not aired yet, as Bangumi's
    pre-created episodes have theirs: two projections that differ say nothing about which
    episode is which, so it is dropped rather than counted against the aired ones."""
    eps: dict[int, TraktEp] = {}
    trakt_id = show.ids.trakt if show.ids.trakt is not None else show.ids.slug
    raw: list[dict[str, Any]] = []
    if trakt_id is not None:
        try:
            raw = ctx.trakt.get_season_episodes(trakt_id, season)
        except NotFound:
            raw = []
    for item in raw:  # checked: number and number_abs are ints (payloads.season_episodes)
        number = item["number"]
        titles = tuple(str(item[k]) for k in ("title", "original_title") if item.get(k))
        aired = broadcast_day(item.get("first_aired"))
        if aired is not None and today is not None and aired > today:
            aired = None
        eps[number] = TraktEp(number, aired, item.get("number_abs"), titles)
    for ep in pending:
        known = eps.get(ep.number)
        titles = tuple(t for t in (ep.title,) if isinstance(t, str) and t)
        number_abs = whole(ep.number_abs)
        if known is None:
            eps[ep.number] = TraktEp(ep.number, broadcast_day(ep.first_aired), number_abs, titles)
        elif known.aired is None and ep.first_aired is not None:
            eps[ep.number] = TraktEp(
                ep.number,
                broadcast_day(ep.first_aired),
                known.number_abs or number_abs,
                known.titles + titles,
            )
    return eps


def _unmatched(episodes: Sequence[TraktEpisode], reason: str) -> Found:
    return Found(unmatched={ep.number: {"reason": reason, "candidates": []} for ep in episodes})
