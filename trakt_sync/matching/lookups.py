"""Cached metadata look-ups: every subject, episode list or season is fetched once.

The matcher and the engine read Bangumi and Trakt metadata through these
wrappers, so a later sync — or a later play of the same show — costs no
request. Lists that may still grow (a season on air) are re-read after a day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Protocol

from trakt_sync.errors import BadData, NotFound
from trakt_sync.matching.airdate import bangumi_date
from trakt_sync.matching.airdate import parse_instant as parse_aired
from trakt_sync.subject_names import SUBJECT_NS, remember_names
from trakt_sync.timeutil import parse_instant, utcnow

FRESH_FOR = timedelta(days=1)  # lists of airing subjects and seasons grow weekly
RECENT = timedelta(days=60)
EPISODES_NS = "bgm:episodes"  # a Bangumi subject's episode list, by subject id


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

    def _recent(self, days: list[date | None]) -> bool:
        """True when a list may still grow: an unknown date or one within the last weeks."""
        known = [day for day in days if day is not None]
        if not known or len(known) < len(days):
            return True
        return self.today() - max(known) < RECENT


def _copy(value: Any) -> Any:
    """A shallow copy of a list or object; any other answer as it came (the matcher's
    checked readers refuse it with BadData, naming the subject or show)."""
    if isinstance(value, list | dict):
        return type(value)(value)
    return value


def _main_airdates(episodes: Any, subject_id: int) -> list[date | None]:
    """The days of a subject's main episodes, each read as Bangumi writes it (None:
    unknown); a list that is not one reads as unknown too."""
    days: list[date | None] = []
    for e in episodes if isinstance(episodes, list) else [None]:
        if not isinstance(e, dict):
            days.append(None)
        elif e.get("type") == 0:
            found = bangumi_date(e.get("airdate"), subject=subject_id)
            days.append(found.day if found is not None else None)
    return days


def _first_aired_days(episodes: Any) -> list[date | None]:
    days: list[date | None] = []
    for e in episodes if isinstance(episodes, list) else [None]:
        instant = parse_aired(e.get("first_aired")) if isinstance(e, dict) else None
        days.append(instant.date() if instant is not None else None)
    return days


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


class TraktShowClient(Protocol):
    """The Trakt reads behind :class:`CachedTrakt`: one request per show for each."""

    def get_show_seasons(self, show_id: int | str) -> list[dict[str, Any]]: ...
    def get_show_aliases(self, show_id: int | str) -> list[dict[str, Any]]: ...
    def get_show_translations(
        self, show_id: int | str, language: str | None = None
    ) -> list[dict[str, Any]]: ...


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
        return _copy(
            self._cached(SUBJECT_NS, str(subject_id), lambda: self.client.get_subject(subject_id))
        )

    def cached_subject(self, subject_id: int) -> dict[str, Any] | None:
        """The subject if an earlier look-up read it; never a request."""
        value = self.cache.get(SUBJECT_NS, str(subject_id))
        return _copy(value) if value is not None else None

    def get_episodes(self, subject_id: int) -> list[dict[str, Any]]:
        return _copy(
            self._cached(
                EPISODES_NS,
                str(subject_id),
                lambda: self.client.get_episodes(subject_id),
                lambda eps: self._recent(_main_airdates(eps, subject_id)),
            )
        )

    def get_related_subjects(self, subject_id: int) -> list[dict[str, Any]]:
        return _copy(
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

        def load() -> Any:
            found = self.client.search_subjects(
                keyword, subject_types=subject_types, air_date=air_date, limit=limit
            )
            remember_names(self.cache, found)
            return found

        return _copy(
            self._cached("bgm:search", key, load, lambda rows: True, refresh=self.fresh_search)
        )


class HistorySeasons(Protocol):
    """Seasons known in full from the user's own history (store.Store)."""

    def history_season(self, show_id: int | str, season: int) -> list[dict[str, Any]] | None: ...


# What the matcher, the explainer and the sink read of an episode; the rest of
# ``extended=full`` (overviews, ratings, translations) is not kept in the cache.
EPISODE_FIELDS = (
    "season",
    "number",
    "title",
    "original_title",
    "ids",
    "number_abs",
    "first_aired",
    "runtime",
    "episode_type",
)


class CachedTrakt(_Cached):
    """A show's seasons (every episode of each) and its translations (every language) are
    each one request, cached per show; its aliases too."""

    def __init__(
        self,
        client: TraktShowClient,
        cache: Cache,
        history: HistorySeasons | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(cache, **kw)
        self.client = client
        self.history = history

    def get_season_episodes(self, show_id: int | str, season: int) -> list[dict[str, Any]]:
        """One season's episodes; NotFound when the show has no such season."""
        # A season whose every episode was played is in hand: no request, nothing cached.
        known = self.history.history_season(show_id, season) if self.history else None
        if known is not None:
            return known
        for listed in self._seasons(show_id):
            if listed.get("number") == season:
                return list(listed.get("episodes") or [])
        raise NotFound(f"Trakt: no season {season} of show {show_id}", 404)

    def _seasons(self, show_id: int | str) -> list[dict[str, Any]]:
        def load() -> list[dict[str, Any]]:
            seasons = self.client.get_show_seasons(show_id)
            if not isinstance(seasons, list):
                what = type(seasons).__name__
                raise BadData("Trakt", f"show {show_id}", f"its seasons are {what}, not a list")
            return [
                {
                    "number": s.get("number"),
                    "episodes": [
                        {k: e[k] for k in EPISODE_FIELDS if k in e}
                        for e in _list(s.get("episodes"))
                        if isinstance(e, dict)
                    ],
                }
                for s in seasons
                if isinstance(s, dict)
            ]

        def may_grow(seasons: list[dict[str, Any]]) -> bool:
            # Specials often lack air dates: they alone do not make a show re-read daily.
            regular = [s for s in seasons if s.get("number") != 0] or seasons
            return self._recent(_first_aired_days([e for s in regular for e in s["episodes"]]))

        return list(self._cached("trakt:seasons", str(show_id), load, may_grow))

    def get_show_aliases(self, show_id: int | str) -> list[dict[str, Any]]:
        return _copy(
            self._cached(
                "trakt:aliases", str(show_id), lambda: self.client.get_show_aliases(show_id)
            )
        )

    def get_show_translations(self, show_id: int | str, language: str) -> list[dict[str, Any]]:
        every = self._cached(
            "trakt:translations-all",
            str(show_id),
            lambda: [
                {
                    "title": t.get("title"),
                    "language": t.get("language"),
                    "country": t.get("country"),
                }
                for t in _list(self.client.get_show_translations(show_id))
                if isinstance(t, dict)
            ],
        )
        return [t for t in every if t.get("language") == language]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
