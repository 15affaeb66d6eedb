"""Export: the plays (and ratings and watchlist entries) of Trakt's data export into the
store, for ``sync --from-export`` — a history source feeding the same resolve and apply."""

from __future__ import annotations

from collections.abc import Callable

from trakt_sync.errors import TraktSyncError
from trakt_sync.stages.pages import EXPORT_REFRESH, save_pages
from trakt_sync.stages.ports import ExportedHistory, Lists
from trakt_sync.stages.types import FetchResult, Progress
from trakt_sync.store import Store


class ExportStage:
    def __init__(
        self,
        store: Store,
        lists: Lists,
        *,
        page_limit: int,
        progress: Progress,
        check: Callable[[], None],
    ) -> None:
        self.store, self.lists = store, lists
        self.page_limit = page_limit
        self.progress, self.check = progress, check

    def run(self, export: ExportedHistory) -> FetchResult:
        """Saved like fetched pages but in one transaction, whatever ends it (the export was
        read and checked whole before). Nothing counts as removed: an export says nothing of
        removals, and the activity baselines stay for the API to set."""
        try:
            with self.store.transaction():
                pages = export.history_pages(self.page_limit)
                saved = save_pages(self.store, pages, progress=self.progress, check=self.check)
                changed = self.lists.save_export(export.lists)
                if (saved.new or changed) and not self.store.get_state(EXPORT_REFRESH):
                    self.store.set_state(EXPORT_REFRESH, True)
        except TraktSyncError as exc:
            return FetchResult(error=exc)
        return FetchResult(
            fetched=saved.fetched,
            new=saved.new,
            malformed=saved.malformed,
            bad_data=saved.unreadable,
        )
