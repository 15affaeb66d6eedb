"""One sync run of one profile, under that profile's lock, recorded in the store."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from trakt_sync.engine import RunReport, SyncEngine, SyncOptions
from trakt_sync.errors import LockHeld, TraktSyncError
from trakt_sync.httpclient import RequestCounter
from trakt_sync.notify import Notifier
from trakt_sync.outcome import RunOutcome
from trakt_sync.store import Store

DIED_MESSAGE = (
    "interrupted: its process ended before the run finished (killed or crashed); nothing is lost"
)
CANCELLED_MESSAGE = "cancelled with Ctrl-C; the work left stays pending"


@dataclass
class SyncResult:
    report: RunReport
    dry_run: bool
    duration_s: float
    requests: dict[str, int]

    @property
    def exit_code(self) -> int:
        return self.report.exit_code


def error_result(error: BaseException, message: str, dry_run: bool) -> SyncResult:
    """The result of a sync that ended before it could run (a config error, the lock
    held, no login): the same shape as any other, with nothing done."""
    report = RunReport(
        outcome=RunOutcome.of_error(error),
        message=message,
        error=error if isinstance(error, TraktSyncError) else None,
    )
    return SyncResult(report, dry_run, 0.0, {})


@dataclass
class SyncJob:
    """What one run of one profile needs; ``runtime.Runtime.sync_job`` builds it."""

    profile: str
    lock_path: Path
    store: Store
    engine: SyncEngine
    counter: RequestCounter
    notifier: Notifier | None = None  # None: no webhook configured


def run_sync(job: SyncJob, options: SyncOptions) -> SyncResult:
    """Run one sync; raise LockHeld when another sync of the profile is running."""
    # fcntl-based: the kernel releases it when the process dies, so no stale lock.
    lock = FileLock(str(job.lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockHeld(f"another sync of profile {job.profile!r} is running") from None
    try:
        started = time.monotonic()
        store = job.store
        # Holding the lock, no other run is in progress: a row still "running" is one whose
        # process died.
        store.mark_dead_runs(DIED_MESSAGE)
        run_id = store.start_run(options.dry_run)
        try:
            report = job.engine.run(options, run_id)
        except BaseException as exc:
            outcome = RunOutcome.of_error(exc)
            message = CANCELLED_MESSAGE if outcome is RunOutcome.CANCELLED else type(exc).__name__
            store.finish_run(run_id, outcome, {}, job.counter.counts, message)
            raise
        store.finish_run(run_id, report.outcome, report.counts, job.counter.counts, report.message)
        if job.notifier is not None and not options.dry_run:
            job.notifier.after_run(report)
        return SyncResult(
            report, options.dry_run, time.monotonic() - started, dict(job.counter.counts)
        )
    finally:
        lock.release()


def sync_running(lock_path: Path) -> bool:
    """Whether a sync of the profile holds its lock right now.

    A run recorded as running while nobody holds the lock is one whose process died:
    the kernel releases the lock with the process."""
    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return True  # a directory this user cannot write: it cannot tell, so no "died"
    lock.release()
    return False
