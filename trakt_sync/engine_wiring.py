"""A run's stages, wired to one profile's clients, store and matcher (``Runtime.engine``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from trakt_sync.config import Settings
from trakt_sync.engine import Stages, SyncEngine
from trakt_sync.matching.lookups import NO_TRAKT, CachedBangumi, CachedTrakt
from trakt_sync.progress import Progress
from trakt_sync.stages.apply import ApplyStage
from trakt_sync.stages.export import ExportStage
from trakt_sync.stages.fetch import FetchStage
from trakt_sync.stages.lists import ExtrasSettings, ExtrasSync, NoLists
from trakt_sync.stages.ports import Account, BangumiWriter, Lists, Resolver, ResolverHandle
from trakt_sync.stages.reconcile import Reconcile
from trakt_sync.stages.resolve import ResolveStage
from trakt_sync.stages.send import SendStage
from trakt_sync.stages.types import checkpoint, no_progress
from trakt_sync.store import Store
from trakt_sync.trakt import TraktClient

if TYPE_CHECKING:
    from trakt_sync.sink import BangumiSyncerSink


class EngineParts(Protocol):
    """What the stages are built from (``runtime.Runtime`` has each, built on first use)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def store(self) -> Store: ...
    @property
    def trakt(self) -> TraktClient: ...
    @property
    def bangumi(self) -> BangumiWriter: ...
    @property
    def cached_bangumi(self) -> CachedBangumi: ...
    @property
    def cached_trakt(self) -> CachedTrakt: ...
    @property
    def sink(self) -> BangumiSyncerSink | None: ...
    @property
    def bangumi_account(self) -> Account: ...
    def resolver(self, recheck_unmatched: bool = False, from_export: bool = False) -> Resolver: ...


def wire_engine(
    parts: EngineParts,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    from_export: bool = False,
) -> SyncEngine:
    sync, store = parts.settings.sync, parts.store
    progress = progress or no_progress
    check = checkpoint(should_stop or (lambda: False))
    resolver = ResolverHandle(lambda recheck: parts.resolver(recheck, from_export))
    lists = _lists(parts, from_export and parts.settings.trakt.offline)
    deliver: ApplyStage | SendStage
    if parts.sink is not None:
        deliver = SendStage(store, parts.sink, progress=progress, check=check)
    else:
        deliver = ApplyStage(
            store,
            parts.bangumi,
            episodes=parts.cached_bangumi,
            account=parts.bangumi_account,
            lists=lists,
            resolver=resolver,
            complete_subjects=sync.complete_subjects,
            progress=progress,
            check=check,
        )
    fetch = FetchStage(
        store, parts.trakt, page_limit=sync.page_limit, progress=progress, check=check
    )
    return SyncEngine(
        store,
        Stages(
            fetch=fetch,
            export=ExportStage(
                store, lists, page_limit=sync.page_limit, progress=progress, check=check
            ),
            reconcile=Reconcile(store, sync.history_overlap),
            resolve=ResolveStage(store, resolver, lists, progress=progress, check=check),
            deliver=deliver,
            lists=lists,
        ),
    )


def _lists(parts: EngineParts, offline: bool) -> Lists:
    """The Trakt ratings and watchlist stage, or NoLists when neither is synced."""
    sync = parts.settings.sync
    settings = ExtrasSettings(sync.ratings, sync.watchlist, parts.settings.bangumi.private)
    if settings == ExtrasSettings():
        return NoLists()
    trakt = NO_TRAKT if offline else parts.cached_trakt
    return ExtrasSync(
        parts.store, parts.trakt, settings, trakt.get_season_episodes, sync.page_limit
    )
