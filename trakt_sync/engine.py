"""The sync: fetch Trakt history → save to SQLite → resolve → plan → apply to Bangumi.

``SyncEngine`` only sequences the stages (``trakt_sync.stages``) and adds their results
up into a ``RunReport``; each stage does one job and returns a frozen result. The database
is the record of truth: a crash at any point loses nothing, and a re-run repeats no
Bangumi write that already landed (see each stage).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Protocol

from trakt_sync.errors import ServiceUnavailable, TraktSyncError
from trakt_sync.outcome import RunOutcome
from trakt_sync.stages.apply import ApplyStage
from trakt_sync.stages.export import ExportStage
from trakt_sync.stages.fetch import FetchStage
from trakt_sync.stages.ports import Lists
from trakt_sync.stages.reconcile import Reconcile
from trakt_sync.stages.resolve import ResolveStage
from trakt_sync.stages.send import SendStage
from trakt_sync.stages.types import (
    ApplyResult,
    FetchResult,
    ProgressFn,
    ResolveResult,
    RunReport,
    SendResult,
    SyncOptions,
)
from trakt_sync.store import Store

__all__ = ["ProgressFn", "RunReport", "Stages", "SyncEngine", "SyncOptions"]


class Deliver(Protocol):
    """Where resolved plays go: Bangumi's API (ApplyStage) or a sink (SendStage)."""

    def run(self, options: SyncOptions, run_id: int) -> ApplyResult | SendResult: ...


@dataclass(frozen=True)
class Stages:
    fetch: FetchStage
    export: ExportStage  # `sync --from-export`, in place of fetch
    reconcile: Reconcile
    resolve: ResolveStage
    deliver: ApplyStage | SendStage
    lists: Lists  # the Trakt ratings and watchlist, or NoLists


class SyncEngine:
    def __init__(self, store: Store, stages: Stages) -> None:
        self.store, self.stages = store, stages

    def run(self, options: SyncOptions, run_id: int) -> RunReport:
        s = self.stages
        fetched, resolved, recovered, malformed, short = FetchResult(), ResolveResult(), 0, 0, 0
        delivered: ApplyResult | SendResult | None = None
        error: TraktSyncError | None = None
        # A dry run takes every step of a real one, then rolls the local state back.
        discard = self.store.discarding() if options.dry_run else nullcontext()
        try:
            with discard:
                if options.export is not None:
                    fetched = s.export.run(options.export)
                    _stop_on(fetched.error)
                    malformed = fetched.malformed
                else:
                    activities = s.fetch.activities()
                    before = s.reconcile.pending()
                    fetched = s.fetch.run(options, activities, every_kind=before is not None)
                    _stop_on(fetched.error)
                    malformed = fetched.malformed + s.lists.fetch(activities, options.full)
                    if fetched.export_refreshed and not malformed:
                        s.fetch.end_export_refresh()
                    if before is not None and not malformed:
                        recovered = s.reconcile.finish(before)
                # An item Trakt sends unreadable would be just as unreadable on a retry: it is
                # bad data (counted, the rest syncs). Only a list read short is worth "try again
                # later". Either way the baseline stays, so the next run looks at it again.
                short = malformed - fetched.bad_data
                resolved = s.resolve.run(options)
                _stop_on(resolved.error)
                delivered = s.deliver.run(options, run_id)
                _stop_on(delivered.error)
            if short > 0:
                raise ServiceUnavailable(
                    f"Trakt sent {short} empty page(s) or list(s) read short; "
                    "that history will be fetched again on the next run"
                )
        except TraktSyncError as exc:
            error = exc
        report = RunReport(
            fetch=fetched,
            recovered=recovered,
            resolve=resolved,
            apply=delivered if isinstance(delivered, ApplyResult) else None,
            send=delivered if isinstance(delivered, SendResult) else None,
        )
        if error is not None:
            outcome = RunOutcome.of_error(error)
            return _with(report, outcome, self.store.redact(str(error)), error)
        if report.failed:
            return _with(report, RunOutcome.FAILED, None, None)
        return report


def _stop_on(error: TraktSyncError | None) -> None:
    """A stage that ended early returns what it did with its error: the run ends there."""
    if error is not None:
        raise error


def _with(
    report: RunReport, outcome: RunOutcome, message: str | None, error: TraktSyncError | None
) -> RunReport:
    return replace(report, outcome=outcome, message=message, error=error)
