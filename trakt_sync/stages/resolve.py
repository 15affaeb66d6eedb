"""Resolve: the matcher's answer for every play not yet resolved, one show season (or
film) at a time, recorded in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from trakt_sync.bad_data import UNREADABLE, left_for_bad_data
from trakt_sync.errors import AccessDenied, ApiError, BadData, TraktSyncError
from trakt_sync.models import Resolution
from trakt_sync.stages.ports import Lists, Resolver, ResolverHandle
from trakt_sync.stages.types import MAX_ATTEMPTS, Progress, ResolveResult, SyncOptions
from trakt_sync.store import PlayGroup, Store


@dataclass
class _Tally:
    unmatched: int = 0
    skipped: int = 0
    failed: int = 0
    bad_data: int = 0

    def result(self, error: TraktSyncError | None = None) -> ResolveResult:
        return ResolveResult(self.unmatched, self.skipped, self.failed, self.bad_data, error)


class ResolveStage:
    def __init__(
        self,
        store: Store,
        resolver: ResolverHandle,
        lists: Lists,
        *,
        progress: Progress,
        check: Callable[[], None],
    ) -> None:
        self.store, self.resolver, self.lists = store, resolver, lists
        self.progress, self.check = progress, check

    def run(self, options: SyncOptions) -> ResolveResult:
        tally = _Tally()
        try:
            # An export import always looks again at what an import with less to go on (no
            # client id then) left unmatched: the matcher's version tells those apart.
            again = options.retry_unmatched or options.export is not None
            if (
                not again
                and not self.lists.needs_resolve()
                and not self.store.needs_resolve(MAX_ATTEMPTS)
            ):
                return tally.result()  # nothing new: the matcher (and its data) need not load
            resolver = self.resolver.get(options.retry_unmatched)
            self._resolve_plays(resolver, options, tally)
            self.lists.resolve(resolver, resolver.version, options.retry_unmatched)
        except TraktSyncError as exc:
            return tally.result(exc)
        return tally.result()

    def _resolve_plays(self, resolver: Resolver, options: SyncOptions, tally: _Tally) -> None:
        version = resolver.version
        # One show season (or film) at a time, read when its turn comes: memory stays flat
        # however long the history.
        selection = (version, options.retry_unmatched, MAX_ATTEMPTS)
        keys = self.store.groups_to_resolve(*selection)
        total = sum(key.size for key in keys)
        done = 0
        # Two small transactions per group (the matcher's cache, the plays' resolutions):
        # committed together about once a second rather than one by one.
        with self.store.few_commits() as commit:
            for key in keys:
                self.check()
                group = self.store.group_to_resolve(key, *selection)
                if not group.history_ids:
                    continue
                try:
                    results = _resolve_group(resolver, group)
                except AccessDenied:
                    raise  # a configuration problem, not this show's: stop the run
                except ApiError as exc:
                    self.store.mark_failed(group.history_ids, str(exc))
                    tally.failed += len(group.history_ids)
                    continue
                except (BadData, *UNREADABLE) as exc:
                    results = left_for_bad_data(group, exc)
                    tally.bad_data += len(results)
                self.store.record_resolutions(results, version)
                for _, res in results:
                    if res.status.value == "unmatched":
                        tally.unmatched += 1
                    elif res.status.value == "skipped":
                        tally.skipped += 1
                done += len(group.history_ids)
                self.progress("resolve", done, total)
                commit()


def _resolve_group(resolver: Resolver, group: PlayGroup) -> list[tuple[int, Resolution]]:
    if group.movie is not None:
        resolution = resolver.resolve_movie(group.movie)
        return [(history_id, resolution) for history_id in group.history_ids]
    assert group.show is not None and group.key.season is not None
    resolutions = resolver.resolve_season(group.show, group.key.season, group.episodes)
    return list(zip(group.history_ids, resolutions, strict=True))
