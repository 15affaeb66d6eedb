"""Cached metadata look-ups: every subject, episode list or season is fetched once.

The matcher and the engine read Bangumi and Trakt metadata through these
wrappers, so a later sync — or a later play of the same show — costs no
request. Lists that may still grow (a season on air) are re-read after a day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Protocol

from trakt_sync.timeutil import parse_instant, utcnow

FRESH_FOR = timedelta(days=1)  # lists of airing subjects and seasons grow weekly
RECENT = timedelta(days=60)
EPISODES_NS = "bgm:episodes"  # a Bangumi subject's episode list, by subject id
SUBJECT_NS = "bgm:subject"  # a Bangumi subject, by id


class Cache(Protocol):
    def get(self, namespace: str, key: str) -> Any | None: ...
    def put(self, namespace: str, key: str, value: Any) -> None: ...
    def cache_age(self, namespace: str, key: str) -> str | None: ...


class _Cached:
    def __init__(self, cache: Cache, today: Callable[[], date] = lambda: utcnow().date()) -> None:
        self.cache, self.today = cache, today

    def _cached(
        self,
        namespace: str,
        key: str,
        load: Callable[[], Any],
        may_grow: Callable[[Any], bool] = lambda value: False,
        refresh: bool = False,
    ) -> Any:
        value = None if refresh else self.cache.get(namespace, key)
        if value is not None:
            stored = self.cache.cache_age(namespace, key)
            stale = (
                stored is not None
                and may_grow(value)
                and utcnow() - parse_instant(stored) > FRESH_FOR
            )
            if not stale:
                return value
        value = load()
        self.cache.put(namespace, key, value)
        return value

    def _recent(self, airdates: list[str]) -> bool:
        """True when a list may still grow: an empty date or one within the last weeks."""
        if not airdates or any(not day for day in airdates):
            return True
        latest = max(date.fromisoformat(day[:10]) for day in airdates)
        return self.today() - latest < RECENT


class BangumiReader(Protocol):
    def get_subject(self, subject_id: int) -> dict[str, Any]: ...
    def get_episodes(self, subject_id: int) -> list[dict[str, Any]]: ...
    def get_related_subjects(self, subject_id: int) -> list[dict[str, Any]]: ...
    def search_subjects(
        self,
        keyword: str,
        *,
        subject_types: list[int] | None = None,
        air_date: list[str] | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]: ...


class TraktReader(Protocol):
    def get_season_episodes(self, show_id: int | str, season: int) -> list[dict[str, Any]]: ...
    def get_show_aliases(self, show_id: int | str) -> list[dict[str, Any]]: ...
    def get_show_translations(self, show_id: int | str, language: str) -> list[dict[str, Any]]: ...


class NoTrakt:
    """Trakt's metadata when Trakt may not be asked (an export and no client id): nothing."""

    def get_season_episodes(self, show_id: int | str, season: int) -> list[dict[str, Any]]:
        return []

    def get_show_aliases(self, show_id: int | str) -> list[dict[str, Any]]:
        return []

    def get_show_translations(self, show_id: int | str, language: str) -> list[dict[str, Any]]:
        return []


NO_TRAKT = NoTrakt()


class CachedBangumi(_Cached):
    def __init__(
        self, client: BangumiReader, cache: Cache, fresh_search: bool = False, **kw: Any
    ) -> None:
        super().__init__(cache, **kw)
        self.client = client
        # `sync --retry-unmatched`: search again instead of trusting yesterday's answer.
        self.fresh_search = fresh_search

    def get_subject(self, subject_id: int) -> dict[str, Any]:
        return dict(
            self._cached(SUBJECT_NS, str(subject_id), lambda: self.client.get_subject(subject_id))
        )

    def cached_subject(self, subject_id: int) -> dict[str, Any] | None:
        """The subject if an earlier look-up read it; never a request."""
        value = self.cache.get(SUBJECT_NS, str(subject_id))
        return dict(value) if value is not None else None

    def get_episodes(self, subject_id: int) -> list[dict[str, Any]]:
        return list(
            self._cached(
                EPISODES_NS,
                str(subject_id),
                lambda: self.client.get_episodes(subject_id),
                lambda eps: self._recent(
                    [e.get("airdate") or "" for e in eps if e.get("type") == 0]
                ),
            )
        )

    def get_related_subjects(self, subject_id: int) -> list[dict[str, Any]]:
        return list(
            self._cached(
                "bgm:related",
                str(subject_id),
                lambda: self.client.get_related_subjects(subject_id),
                lambda rows: True,
            )
        )

    def search_subjects(
        self,
        keyword: str,
        *,
        subject_types: list[int] | None = None,
        air_date: list[str] | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        key = f"{keyword}|{subject_types}|{air_date}|{limit}"
        return list(
            self._cached(
                "bgm:search",
                key,
                lambda: self.client.search_subjects(
                    keyword, subject_types=subject_types, air_date=air_date, limit=limit
                ),
                lambda rows: True,
                refresh=self.fresh_search,
            )
        )


class HistorySeasons(Protocol):
    """Seasons known in full from the user's own history (store.Store)."""

    def history_season(self, show_id: int | str, season: int) -> list[dict[str, Any]] | None: ...


class CachedTrakt(_Cached):
    def __init__(
        self, client: TraktReader, cache: Cache, history: HistorySeasons | None = None, **kw: Any
    ) -> None:
        super().__init__(cache, **kw)
        self.client = client
        self.history = history

    def get_season_episodes(self, show_id: int | str, season: int) -> list[dict[str, Any]]:
        # A season whose every episode was played is in hand: no request, nothing cached.
        known = self.history.history_season(show_id, season) if self.history else None
        if known is not None:
            return known
        return list(
            self._cached(
                "trakt:season",
                f"{show_id}/{season}",
                lambda: self.client.get_season_episodes(show_id, season),
                lambda eps: self._recent([(e.get("first_aired") or "") for e in eps]),
            )
        )

    def get_show_aliases(self, show_id: int | str) -> list[dict[str, Any]]:
        return list(
            self._cached(
                "trakt:aliases", str(show_id), lambda: self.client.get_show_aliases(show_id)
            )
        )

    def get_show_translations(self, show_id: int | str, language: str) -> list[dict[str, Any]]:
        return list(
            self._cached(
                "trakt:translations",
                f"{show_id}/{language}",
                lambda: self.client.get_show_translations(show_id, language),
            )
        )
