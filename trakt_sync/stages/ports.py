"""The stages' faces towards the matcher, the API clients and each other's data: protocols
only, so the stages reach ``matching``, ``bangumi`` and ``trakt`` through what runtime wires."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from trakt_sync.models import Play, Resolution, TraktEpisode, TraktMovie, TraktShow

if TYPE_CHECKING:
    from trakt_sync.extras import RatingsMode, SubjectExtras
    from trakt_sync.store import Store


class Resolver(Protocol):
    """The matcher's face towards the stages (see matching.matcher.Matcher)."""

    @property
    def version(self) -> str: ...
    def resolve_season(
        self, show: TraktShow, season: int, episodes: Sequence[TraktEpisode]
    ) -> list[Resolution]: ...
    def resolve_movie(self, movie: TraktMovie) -> Resolution: ...
    def forget_subject(self, subject_id: int) -> int: ...
    def subject_name(self, subject_id: int) -> str: ...
    def subject_name_cn(self, subject_id: int) -> str: ...


class ResolverHandle:
    """The run's matcher, built at most once and only when something needs it: its data
    is slow to load. The flag of the first build says whether cached "unmatched" answers
    are looked at again (``--retry-unmatched``)."""

    def __init__(self, make: Callable[[bool], Resolver]) -> None:
        self._make = make
        self._resolver: Resolver | None = None

    def get(self, recheck_unmatched: bool = False) -> Resolver:
        if self._resolver is None:
            self._resolver = self._make(recheck_unmatched)
        return self._resolver


class HistorySource(Protocol):
    def last_activities(self) -> dict[str, Any]: ...
    def watched(self, kind: str) -> Any: ...
    def history_pages(
        self,
        kind: str,
        *,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        limit: int = 250,
    ) -> Any: ...


class ExportedHistory(Protocol):
    """Trakt's data export (trakt_export.TraktExport): plays as history pages, and the
    ratings and watchlist entries by list and kind."""

    lists: dict[str, dict[str, list[dict[str, Any]]]]

    def history_pages(self, limit: int = 250) -> Iterator[tuple[list[dict[str, Any]], bool]]: ...


class BangumiWriter(Protocol):
    def collections_page(
        self, username: str, *, subject_type: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]: ...
    def user_collection(self, username: str, subject_id: int) -> dict[str, Any] | None: ...
    def episode_marks(self, subject_id: int) -> list[tuple[dict[str, Any], int]]: ...
    def set_collection(
        self,
        subject_id: int,
        collection_type: int | None,
        *,
        rate: int | None = None,
        private: bool | None = None,
    ) -> None: ...
    def mark_episodes(self, subject_id: int, episode_ids: list[int], mark: int = 2) -> None: ...
    def me(self) -> dict[str, Any]: ...


class PlaySink(Protocol):
    """Where plays go instead of Bangumi's API (sink.BangumiSyncerSink): one item per play."""

    def item(
        self, play: Play, subject_id: int | None, episode_id: int | None
    ) -> dict[str, Any]: ...
    def send(self, item: dict[str, Any]) -> None: ...


class EpisodeSource(Protocol):
    """Bangumi's episode lists and subjects, read once (matching.lookups.CachedBangumi)."""

    def get_episodes(self, subject_id: int) -> list[dict[str, Any]]: ...
    def get_subject(self, subject_id: int) -> dict[str, Any]: ...


class Account(Protocol):
    """Whose Bangumi collection the run writes to (accounts.BangumiAccount)."""

    def username(self, client: BangumiWriter, state: Store) -> str: ...


class ListsSettings(Protocol):
    @property
    def ratings(self) -> RatingsMode: ...
    @property
    def private(self) -> bool: ...


class Lists(Protocol):
    """The Trakt ratings and watchlist through each stage (stages.lists.ExtrasSync, or
    stages.lists.NoLists when neither is synced)."""

    @property
    def settings(self) -> ListsSettings: ...
    def fetch(self, activities: dict[str, Any], force: bool) -> int: ...
    def save_export(self, lists: dict[str, dict[str, list[dict[str, Any]]]]) -> int: ...
    def needs_resolve(self) -> bool: ...
    def resolve(self, resolver: Resolver, version: str, retry_unmatched: bool) -> None: ...
    def wanted(self, run_subjects: set[int]) -> dict[int, SubjectExtras]: ...
    def settle(
        self, subject_id: int, extras: SubjectExtras, rating_waits: bool, error: str | None
    ) -> None: ...
