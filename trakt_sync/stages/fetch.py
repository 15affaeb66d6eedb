"""Fetch: Trakt's watch history into the store, page by page.

Each fetched page is saved in a transaction of its own (a few per commit) and the baseline
that says what changed on Trakt (last activities, the watched summary) only moves once a
fetch completed, so a crash loses nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trakt_sync.errors import ListReadShort, TraktSyncError
from trakt_sync.history_changes import mismatches, parse_watched, plan_refetch
from trakt_sync.stages.pages import EXPORT_REFRESH, SavedPages, save_pages
from trakt_sync.stages.ports import HistorySource
from trakt_sync.stages.types import FetchResult, Progress, SyncOptions
from trakt_sync.store import Store

log = logging.getLogger(__name__)
HISTORY_KINDS = ("episodes", "movies")
# history kind → (its /sync/watched summary and per-item history path, media key, play kind)
SUMMARIES = {"episodes": ("shows", "show", "episode"), "movies": ("movies", "movie", "movie")}


@dataclass
class _Tally:
    fetched: int = 0
    new: int = 0
    removed: int = 0
    malformed: int = 0
    export_refreshed: bool = False
    bad_data: int = 0

    def result(self, error: TraktSyncError | None = None) -> FetchResult:
        return FetchResult(
            self.fetched,
            self.new,
            self.removed,
            self.malformed,
            self.export_refreshed,
            self.bad_data,
            error,
        )


class FetchStage:
    def __init__(
        self,
        store: Store,
        trakt: HistorySource,
        *,
        page_limit: int,
        progress: Progress,
        check: Callable[[], None],
    ) -> None:
        self.store, self.trakt = store, trakt
        self.page_limit = page_limit
        self.progress, self.check = progress, check

    def activities(self) -> dict[str, Any]:
        """Trakt's ``last_activities``: what changed since the stamps the store holds. A
        section that is not an object says nothing: that kind is fetched (issue 24)."""
        answer = self.trakt.last_activities()
        if not isinstance(answer, dict):
            return {}
        return {k: v for k, v in answer.items() if isinstance(v, dict)}

    def run(
        self, options: SyncOptions, activities: dict[str, Any], every_kind: bool = False
    ) -> FetchResult:
        """Save new history. ``every_kind``: fetch each kind's changes even where its
        activity stamp did not move (the reconcile after the upgrade)."""
        tally = _Tally()
        tally.export_refreshed = exported = bool(self.store.get_state(EXPORT_REFRESH))
        try:
            for kind in HISTORY_KINDS:
                seen = (activities.get(kind) or {}).get("watched_at")
                if exported:
                    malformed = self._fetch_whole(kind, tally, refresh=True)
                elif options.full or options.since is not None:
                    malformed = self._fetch_window(kind, options, tally)
                elif every_kind or seen is None or seen != self.store.get_state(f"activity:{kind}"):
                    malformed = self._fetch_changes(kind, tally)
                else:
                    continue
                tally.malformed += malformed
                if not malformed and seen is not None:
                    self.store.set_state(f"activity:{kind}", seen)
        except TraktSyncError as exc:
            return tally.result(exc)
        return tally.result()

    def end_export_refresh(self) -> None:
        """Trakt's items replaced the export's whole: later fetches go by changes again."""
        self.store.set_state(EXPORT_REFRESH, False)

    def _fetch_changes(self, kind: str, tally: _Tally) -> int:
        """Fetch whatever changed since the last complete fetch, whatever its watch date:
        the changed shows' or films' whole history, or the kind's whole history where that
        is fewer requests or the cheap evidence does not add up."""
        summary, media, play_kind = SUMMARIES[kind]
        before = self.store.held_counts(play_kind)
        seen = self.store.get_state(f"watched:{kind}")
        if seen is None and not any(before.values()):
            # A first fetch: every item is new, so the whole history it is, and the summary
            # would only be a baseline; without one the next run's counts decide.
            return self._fetch_whole(kind, tally)
        try:
            watched = parse_watched(media, self.trakt.watched(summary))
        except (ValueError, ListReadShort) as exc:
            log.warning("Trakt's watched %s are unusable (%s); fetching all %s", summary, exc, kind)
            return self._fetch_whole(kind, tally)
        refetch = plan_refetch(watched, before, seen, self.page_limit)
        if refetch.full:
            log.info("fetching the whole %s history: %s", kind, refetch.reason)
            malformed = self._fetch_whole(kind, tally)
        else:
            malformed = 0
            for trakt_id in refetch.items:
                pages = self.trakt.history_pages(summary, item_id=trakt_id, limit=self.page_limit)
                saved = self._save_pages(pages, tally)
                malformed += saved.malformed
                if not saved.malformed:
                    tally.removed += self.store.mark_removed(play_kind, trakt_id, saved.present)
            wrong = mismatches(refetch, self.store.held_counts(play_kind))
            if not malformed and wrong:
                trakt_id, counted, held = wrong[0]
                log.warning(
                    "Trakt counts %d play(s) of %s %d but its history gave %d; "
                    "fetching the whole %s history",
                    counted,
                    media,
                    trakt_id,
                    held,
                    kind,
                )
                malformed = self._fetch_whole(kind, tally)
        if not malformed:
            self.store.set_state(f"watched:{kind}", refetch.snapshot)
        return malformed

    def _fetch_whole(self, kind: str, tally: _Tally, refresh: bool = False) -> int:
        pages = self.trakt.history_pages(kind, limit=self.page_limit)
        saved = self._save_pages(pages, tally, refresh)
        if not saved.malformed:
            tally.removed += self.store.mark_removed(SUMMARIES[kind][2], None, saved.present)
        return saved.malformed

    def _fetch_window(self, kind: str, options: SyncOptions, tally: _Tally) -> int:
        """``--full`` (everything) or ``--since`` (plays watched since then)."""
        cursor = self.store.get_state(f"cursor:{kind}")
        pages = self.trakt.history_pages(kind, start_at=options.since, limit=self.page_limit)
        saved = self._save_pages(pages, tally)
        if saved.malformed:
            return saved.malformed  # keep the cursor so the bad items are asked for again
        if options.since is None:
            tally.removed += self.store.mark_removed(SUMMARIES[kind][2], None, saved.present)
        if saved.newest is not None and (cursor is None or saved.newest > cursor):
            self.store.set_state(f"cursor:{kind}", saved.newest)
        return 0

    def _save_pages(self, pages: Any, tally: _Tally, refresh: bool = False) -> SavedPages:
        saved = save_pages(
            self.store,
            pages,
            progress=self.progress,
            check=self.check,
            fetched_before=tally.fetched,
            refresh=refresh,
        )
        tally.fetched += saved.fetched
        tally.new += saved.new
        tally.bad_data += saved.unreadable
        return saved
