"""History pages into the store: what the fetch and the export stages share (not a stage)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trakt_sync.errors import ListReadShort
from trakt_sync.readahead import read_ahead
from trakt_sync.stages.types import Progress
from trakt_sync.store import Store
from trakt_sync.store.play_columns import HISTORY_ID, WATCHED_AT
from trakt_sync.trakt_items import history_row

log = logging.getLogger(__name__)
# Set by an import of Trakt's data export: the next fetch with a Trakt login reads the whole
# history once, so the export's plain items (no air dates, no genres) become Trakt's own.
EXPORT_REFRESH = "export:refresh"


@dataclass(frozen=True)
class SavedPages:
    """What one fetch's pages held: items read and plays new to the store, the newest watch
    time, the items that could not be read and the history ids seen."""

    fetched: int
    new: int
    newest: str | None
    malformed: int  # unreadable items and empty pages: that history is asked for again
    present: set[int]
    unreadable: int  # of them, the items no parser could read (bad data, issue 24)


def save_pages(
    store: Store,
    pages: Any,
    *,
    progress: Progress,
    check: Callable[[], None],
    fetched_before: int = 0,
    refresh: bool = False,
) -> SavedPages:
    """Save every page (``refresh``: Trakt's items replace the export's); progress counts
    on from ``fetched_before``."""
    fetched = new = malformed = unreadable = 0
    newest: str | None = None
    present: set[int] = set()
    # A page per transaction would commit 200 times for 50 k plays: about once a
    # second is as safe, as the baseline moves only once the whole fetch is saved.
    # The next page is read while this one is saved (the request beside SQLite's work).
    with store.few_commits() as commit, read_ahead(pages) as ahead:
        try:
            for page, last in ahead:
                check()
                if not page and not last:
                    # An empty page before the last one: items went missing in transit.
                    malformed += 1
                    log.warning("Trakt sent an empty history page before the last one")
                rows = []
                for item in page:
                    try:
                        row = history_row(item)
                    except ValueError as exc:
                        malformed += 1
                        unreadable += 1
                        log.warning("skipping a malformed Trakt history item (%s)", exc)
                        continue
                    rows.append((row, item))
                    present.add(row[HISTORY_ID])
                    stamp = row[WATCHED_AT]
                    newest = stamp if newest is None or stamp > newest else newest
                fetched += len(page)
                new += store.save_rows(rows)
                if refresh:
                    store.refresh_exported(rows)
                progress("fetch", fetched_before + fetched, fetched_before + fetched)
                commit()
        except ListReadShort as exc:
            # What was read is kept; nothing is concluded from what was not.
            malformed += 1
            log.warning("%s", exc)
    return SavedPages(fetched, new, newest, malformed, present, unreadable)
