"""What the stages hand back and what they share: options, progress, frozen results."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trakt_sync.errors import Interrupted, TraktSyncError
from trakt_sync.outcome import RunOutcome, exit_code
from trakt_sync.planner import SubjectPlan
from trakt_sync.progress import Progress
from trakt_sync.stages.ports import ExportedHistory

MAX_ATTEMPTS = 3  # a failed play is resolved again this many times, then left failed


@dataclass(frozen=True)
class SyncOptions:
    full: bool = False
    since: datetime | None = None
    dry_run: bool = False
    retry_unmatched: bool = False
    # `sync --from-export`: the plays come from this export instead of Trakt's API.
    export: ExportedHistory | None = None


def no_progress(stage: str, done: int, total: int) -> None:
    """A Progress that shows nothing."""


ProgressFn = Progress  # the name callers knew (see trakt_sync.progress)


def checkpoint(should_stop: Callable[[], bool]) -> Callable[[], None]:
    """Called between transactions: stop there when a shutdown was requested."""

    def check() -> None:
        if should_stop():
            raise Interrupted("stopped on request; the remaining work stays pending")

    return check


@dataclass(frozen=True)
class FetchResult:
    """The history saved: items read, plays new to the store, plays Trakt no longer lists,
    and items that could not be read (that history is fetched again next run)."""

    fetched: int = 0
    new: int = 0
    removed: int = 0
    malformed: int = 0
    export_refreshed: bool = False  # the fetch replaced an export's items with Trakt's
    bad_data: int = 0  # history items no parser could read (issue 24)
    error: TraktSyncError | None = None


@dataclass(frozen=True)
class ResolveResult:
    unmatched: int = 0
    skipped: int = 0
    failed: int = 0
    bad_data: int = 0  # plays left unmatched over a service's unreadable data
    error: TraktSyncError | None = None


@dataclass(frozen=True)
class ApplyResult:
    """The Bangumi writes: each subject's plan with its title, what failed and why."""

    synced: int = 0
    marked: int = 0
    already: int = 0
    failed: int = 0
    rated: int = 0
    watchlisted: int = 0
    plans: tuple[tuple[SubjectPlan, str], ...] = ()
    # subject id → why its writes failed (the other planned subjects went through)
    failed_subjects: Mapping[int, str] = field(default_factory=dict)
    bad_data: int = 0  # plays failed as their subject's Bangumi data is unreadable
    error: TraktSyncError | None = None


@dataclass(frozen=True)
class SendResult:
    """The plays sent to a sink (or, in a dry run, to be sent): (history id, item) each."""

    synced: int = 0
    sent: int = 0
    failed: int = 0
    items: tuple[tuple[int, dict[str, Any]], ...] = ()
    error: TraktSyncError | None = None


# The counts a run records and prints, in this order.
COUNT_NAMES = (
    "fetched",
    "new",
    "synced",
    "marked",
    "already",
    "unmatched",
    "skipped",
    "failed",
    "removed",
    "recovered",
    "sent",
    "rated",
    "watchlisted",
    "bad_data",  # plays left unmatched or failed over a service's unreadable data
)


@dataclass(frozen=True)
class RunReport:
    """One run: each stage's result as it returned it, added up by ``counts``."""

    fetch: FetchResult = FetchResult()
    recovered: int = 0  # plays the schema-2 reconcile found (once, after the upgrade)
    resolve: ResolveResult = ResolveResult()
    apply: ApplyResult | None = None
    send: SendResult | None = None  # with a sink, instead of apply
    outcome: RunOutcome = RunOutcome.OK
    message: str | None = None
    error: TraktSyncError | None = None

    @property
    def exit_code(self) -> int:
        return exit_code(self.outcome, self.error)

    @property
    def failed(self) -> int:
        """Plays (and list-only subjects) that failed in any stage."""
        apply, send = self.apply or ApplyResult(), self.send or SendResult()
        return self.resolve.failed + apply.failed + send.failed

    @property
    def counts(self) -> dict[str, int]:
        apply, send = self.apply or ApplyResult(), self.send or SendResult()
        counts = {
            "fetched": self.fetch.fetched,
            "new": self.fetch.new,
            "synced": apply.synced + send.synced,
            "marked": apply.marked,
            "already": apply.already,
            "unmatched": self.resolve.unmatched,
            "skipped": self.resolve.skipped,
            "failed": self.failed,
            "removed": self.fetch.removed,
            "recovered": self.recovered,
            "sent": send.sent,
            "rated": apply.rated,
            "watchlisted": apply.watchlisted,
            "bad_data": self.fetch.bad_data + self.resolve.bad_data + apply.bad_data,
        }
        return {name: counts[name] for name in COUNT_NAMES}

    @property
    def plans(self) -> tuple[tuple[SubjectPlan, str], ...]:
        return self.apply.plans if self.apply is not None else ()

    @property
    def failed_subjects(self) -> Mapping[int, str]:
        return self.apply.failed_subjects if self.apply is not None else {}

    @property
    def sink_items(self) -> tuple[tuple[int, dict[str, Any]], ...] | None:
        """With a sink: what was sent (or is to be); None when the run writes to Bangumi."""
        return self.send.items if self.send is not None else None
