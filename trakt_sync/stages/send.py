"""Send: with a Bangumi-syncer sink configured, each new anime play, matched or not, goes
to the sink as it is (the sink matches and marks on its own); nothing is read from or
written to the Bangumi collection."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trakt_sync.errors import AccessDenied, ApiError, TraktSyncError
from trakt_sync.stages.ports import PlaySink
from trakt_sync.stages.types import Progress, SendResult, SyncOptions
from trakt_sync.store import Store

log = logging.getLogger(__name__)


@dataclass
class _Tally:
    synced: int = 0
    sent: int = 0
    failed: int = 0
    items: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def result(self, error: TraktSyncError | None = None) -> SendResult:
        return SendResult(self.synced, self.sent, self.failed, tuple(self.items), error)


class SendStage:
    def __init__(
        self, store: Store, sink: PlaySink, *, progress: Progress, check: Callable[[], None]
    ) -> None:
        self.store, self.sink = store, sink
        self.progress, self.check = progress, check

    def run(self, options: SyncOptions, run_id: int) -> SendResult:
        """A play is synced once the sink took it; a 5xx or no answer ends the run with the
        rest pending (TryLater); a refusal of that one play marks it failed."""
        tally = _Tally()
        try:
            self._send(options, run_id, tally)
        except TraktSyncError as exc:
            return tally.result(exc)
        return tally.result()

    def _send(self, options: SyncOptions, run_id: int, tally: _Tally) -> None:
        total = self.store.count_to_send()
        todo = (stored for batch in self.store.batches_to_send() for stored in batch)
        for done, stored in enumerate(todo, start=1):
            self.check()
            history_id = stored.play.history_id
            item = self.sink.item(stored.play, stored.subject_id, stored.episode_id)
            tally.items.append((history_id, item))
            if options.dry_run:
                continue
            try:
                self.sink.send(item)
            except AccessDenied:
                raise  # the sink refuses everything (a wrong key): keep the plays pending
            except ApiError as exc:
                log.warning("play %s: %s", history_id, exc)
                self.store.mark_failed([history_id], str(exc))
                tally.failed += 1
                continue
            self.store.mark_synced([history_id], run_id)
            tally.synced += 1
            tally.sent += 1
            self.progress("send", done, total)
