"""The one-off check after the upgrade to schema 2: earlier versions fetched by a
``watched_at`` cursor and lost backdated plays; the first fetch after the upgrade asks for
every kind's changes and counts the plays it recovered."""

from __future__ import annotations

import logging
from datetime import timedelta

from trakt_sync.store import Store
from trakt_sync.timeutil import iso_z, parse_instant

log = logging.getLogger(__name__)
FLAG = "reconcile"  # set by the migration to schema 2 when plays were held


class Reconcile:
    def __init__(self, store: Store, history_overlap: float) -> None:
        self.store = store
        self.overlap = timedelta(seconds=history_overlap)

    def pending(self) -> dict[str, int] | None:
        """None when there is nothing to reconcile; else the plays held per kind that the
        old cursor could no longer fetch, to compare with after the fetch."""
        if not self.store.get_state(FLAG):
            return None
        return self._older_than_cursors()

    def finish(self, before: dict[str, int]) -> int:
        """After a complete fetch: the plays recovered, and the check is done for good."""
        after = self._older_than_cursors()
        recovered = sum(after[k] - before[k] for k in before)
        self.store.set_state(FLAG, False)
        log.warning(
            "checked the stored history against Trakt's counts once after the upgrade: "
            "recovered %d play(s) that earlier versions missed",
            recovered,
        )
        return recovered

    def _older_than_cursors(self) -> dict[str, int]:
        """Plays held per kind that the old ``watched_at`` cursor could no longer fetch."""
        counts = {}
        for kind, play_kind in (("episodes", "episode"), ("movies", "movie")):
            cursor = self.store.get_state(f"cursor:{kind}")
            if cursor is not None:
                bound = iso_z(parse_instant(cursor) - self.overlap)
                counts[kind] = self.store.count_plays(play_kind, bound)
        return counts
