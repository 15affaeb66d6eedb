"""Resolve Trakt plays to Bangumi subjects and episodes — precision first.

Sources, strongest first: manual overrides; bangumi-data TMDB keys (an ``/episode/E`` key
says where a subject starts, a plain ``tv/N`` only that it belongs to the show); where
bangumi-data has no key, a further id table's TMDB/TVDB/IMDb links (weaker: always placed
and confirmed by air dates); the franchise chain on Bangumi (续集/前传); a title search
whose hits must be confirmed by air dates. Every position is checked against Bangumi air
dates, and anything below ``min_confidence`` is left unmatched with its candidates (matching.md).

This module is the face: answers are cached per (show, season) plan and per film, keyed by
``version``; the sources live in their own modules below ``context``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from trakt_sync.matching.airdate import broadcast_day
from trakt_sync.matching.bangumi_data import DataIndex
from trakt_sync.matching.context import MatchContext, SeasonQuery
from trakt_sync.matching.films import resolve_film
from trakt_sync.matching.id_table import IdLookups
from trakt_sync.matching.lookups import EPISODES_NS, BangumiReader, TraktReader
from trakt_sync.matching.overrides import (
    Override,
    best_override,
    fingerprint,
    movie_key,
    show_key,
)
from trakt_sync.matching.season import build_plan
from trakt_sync.matching.segments import (
    SEASON_NS,
    SeasonPlan,
    plan_subject_ids,
    resolution_from_json,
    resolution_to_json,
)
from trakt_sync.models import (
    Resolution,
    ResolutionStatus,
    TraktEpisode,
    TraktMovie,
    TraktShow,
)

log = logging.getLogger(__name__)

# Bump when a change here should invalidate cached season plans.
MATCHER_REVISION = "5"  # 5: half-sort main recaps kept aside (issue 24)
MOVIE_NS = "matcher.movie"
# A cached "unmatched" answer is looked at again after this long (Bangumi adds episodes).
UNMATCHED_RECHECK_S = 12 * 3600


class MatchCache(Protocol):
    def get(self, namespace: str, key: str) -> Any | None: ...
    def put(self, namespace: str, key: str, value: Any) -> None: ...
    def cached_items(self, namespace: str) -> list[tuple[str, Any]]: ...
    def drop_cached(self, namespace: str, keys: list[str]) -> int: ...


class Matcher:
    def __init__(
        self,
        *,
        index: Callable[[], DataIndex],
        bangumi: BangumiReader,
        trakt: TraktReader,
        cache: MatchCache,
        overrides: Sequence[Override] = (),
        min_confidence: float = 0.8,
        include_live_action: bool = False,
        clock: Callable[[], float] = time.time,
        recheck_unmatched: bool = False,
        id_table: Callable[[], IdLookups | None] | None = None,
        trakt_metadata: bool = True,
        from_export: bool = False,
        genres: Callable[[str, int], tuple[str, ...]] | None = None,
    ) -> None:
        self.context = MatchContext(
            index=index,
            id_table=id_table,
            bangumi=bangumi,
            trakt=trakt,
            min_confidence=min_confidence,
            include_live_action=include_live_action,
            trakt_metadata=trakt_metadata,
            genres_known=not from_export,
            genres=genres,
        )
        # Answers given with less to go on are kept apart, and asked again by a later sync
        # with everything (the version is part of each resolution and cached plan).
        self._mode = ("" if trakt_metadata else ".offline") + (".export" if from_export else "")
        self._cache = cache
        self._overrides = tuple(overrides)
        self._clock = clock
        # `sync --retry-unmatched`: cached "unmatched" answers are looked at again now.
        self._recheck_after = 0 if recheck_unmatched else UNMATCHED_RECHECK_S
        self._version: str | None = None

    @property
    def version(self) -> str:
        """Matcher revision + bangumi-data version (+ id table version) + overrides
        fingerprint (loads the index and the table)."""
        if self._version is None:
            table = self.context.id_table
            data = self.context.index.version + (f"+{table.version}" if table is not None else "")
            self._version = f"{MATCHER_REVISION}.{data}.{fingerprint(self._overrides)}{self._mode}"
        return self._version

    def show_overrides(self, show: TraktShow) -> list[Override]:
        return [o for o in self._overrides if not o.is_movie and o.matches_show(show.ids)]

    # == shows ===========================================================================

    def resolve_season(
        self, show: TraktShow, season: int, episodes: Sequence[TraktEpisode]
    ) -> list[Resolution]:
        return self.season_plan(show, season, episodes, fresh=False)[1]

    def season_plan(
        self, show: TraktShow, season: int, episodes: Sequence[TraktEpisode], *, fresh: bool
    ) -> tuple[SeasonPlan | None, list[Resolution]]:
        """The season's plan (None when overrides settle every episode) and a resolution per
        episode; ``fresh`` builds the plan anew and neither reads nor writes the cache."""
        if not episodes:
            return None, []
        q = SeasonQuery(show, season, show_key(show.ids))
        overrides = self.show_overrides(show)
        results: list[Resolution | None] = []
        pending: list[TraktEpisode] = []
        for ep in episodes:
            chosen = best_override(overrides, season, ep.number)
            if chosen is not None and chosen.ignore:
                results.append(Resolution.skipped(f"ignored by {chosen.describe()}"))
            else:
                results.append(None)
                pending.append(ep)
        if not pending:
            return None, [r for r in results if r is not None]

        cache_key = f"{q.key}|S{season}|{self.version}"
        plan = None if fresh else self._cached_plan(cache_key)
        if plan is None or not self._plan_serves(plan, q, pending):
            plan = build_plan(self.context, q, pending, overrides, self._clock())
            if not fresh:
                self._cache.put(SEASON_NS, cache_key, plan.to_json())
        out = []
        for ep, result in zip(episodes, results, strict=True):
            out.append(result if result is not None else self._from_plan(plan, q, ep))
        return plan, out

    def _cached_plan(self, cache_key: str) -> SeasonPlan | None:
        data = self._cache.get(SEASON_NS, cache_key)
        if not isinstance(data, dict):
            return None
        try:
            return SeasonPlan.from_json(data)
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring an unreadable cached season plan %s", cache_key)
            return None

    def _plan_serves(
        self, plan: SeasonPlan, q: SeasonQuery, episodes: Sequence[TraktEpisode]
    ) -> bool:
        if not all(plan.knows(ep.number) for ep in episodes):
            return False
        if self._clock() - plan.built_at < self._recheck_after:
            return True
        return all(
            self._from_plan(plan, q, ep).status is not ResolutionStatus.UNMATCHED for ep in episodes
        )

    def _from_plan(self, plan: SeasonPlan, q: SeasonQuery, ep: TraktEpisode) -> Resolution:
        result = plan.resolve(
            q.key,
            q.season,
            ep.number,
            broadcast_day(ep.first_aired),
            self.context.min_confidence,
        )
        if result is None:  # cannot happen for a plan built with this episode
            return Resolution.unmatched(f"S{q.season}E{ep.number} was not resolved; sync again")
        return result

    # == films ===========================================================================

    def resolve_movie(self, movie: TraktMovie) -> Resolution:
        key = movie_key(movie.ids)
        cache_key = f"{key}|{self.version}"
        cached = self._cache.get(MOVIE_NS, cache_key)
        if isinstance(cached, dict) and (
            cached.get("status") != ResolutionStatus.UNMATCHED.value
            or self._clock() - float(cached.get("built_at", 0)) < self._recheck_after
        ):
            try:
                return resolution_from_json(cached)
            except (KeyError, TypeError, ValueError):
                log.warning("ignoring an unreadable cached film resolution %s", cache_key)
        overrides = [o for o in self._overrides if o.is_movie and o.matches_movie(movie.ids)]
        result = resolve_film(self.context, movie, key, overrides)
        self._cache.put(
            MOVIE_NS, cache_key, {**resolution_to_json(result), "built_at": self._clock()}
        )
        return result

    def resolve_film_fresh(self, movie: TraktMovie) -> Resolution:
        """A film resolved anew, the cache neither read nor written (for ``explain``)."""
        overrides = [o for o in self._overrides if o.is_movie and o.matches_movie(movie.ids)]
        return resolve_film(self.context, movie, movie_key(movie.ids), overrides)

    # == upkeep and explanation ==========================================================

    def subject_name(self, subject_id: int) -> str:
        """A subject's name for labelling a plan, from what the matcher holds (never a
        request); "" when it does not know the subject."""
        return self.context.known_name(subject_id)

    def forget_subject(self, subject_id: int) -> int:
        """Bangumi re-created the subject's episodes: drop its episode list and every season
        plan placing plays on it, cached or memoised, so they are read afresh. Returns the
        number of cached entries dropped."""
        self.context.forget(subject_id)
        stale = [
            key
            for key, plan in self._cache.cached_items(SEASON_NS)
            if subject_id in plan_subject_ids(plan)
        ]
        dropped = self._cache.drop_cached(SEASON_NS, stale)
        return dropped + self._cache.drop_cached(EPISODES_NS, [str(subject_id)])
