"""One sync run of one profile, under that profile's lock, recorded in the store."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from filelock import FileLock, Timeout

from trakt_sync.engine import ProgressFn, RunReport, SyncOptions
from trakt_sync.errors import EXIT_FAILED, EXIT_OK, LockHeld
from trakt_sync.notify import Notifier
from trakt_sync.runtime import Runtime


@dataclass
class SyncResult:
    report: RunReport
    dry_run: bool
    duration_s: float
    requests: dict[str, int]

    @property
    def exit_code(self) -> int:
        if self.report.error is not None:
            return self.report.error.exit_code
        return EXIT_FAILED if self.report.counts["failed"] else EXIT_OK

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.report.counts)
        data.update(
            dry_run=self.dry_run,
            requests={
                "trakt": self.requests.get("trakt", 0),
                "bangumi": self.requests.get("bangumi", 0),
            },
            duration_s=round(self.duration_s, 3),
            outcome=self.report.outcome,
            exit_code=self.exit_code,
            message=self.report.message,
            plan=[
                {
                    "subject_id": plan.subject_id,
                    "title": title,
                    "is_movie": plan.is_movie,
                    "collection_before": plan.collect_before,
                    "episodes_to_mark": plan.episodes_to_mark,
                    "already_marked": plan.already_marked,
                    "collection_after": plan.collect_after,
                    "plays": plan.play_ids,
                }
                for plan, title in self.report.plans
            ],
        )
        return data


def profile_lock(rt: Runtime) -> FileLock:
    rt.paths.ensure()
    # fcntl-based: the kernel releases it when the process dies, so no stale lock.
    return FileLock(str(rt.paths.lock(rt.profile)), timeout=0)


def run_sync(
    rt: Runtime,
    options: SyncOptions,
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SyncResult:
    """Run one sync; raise LockHeld when another sync of the profile is running."""
    lock = profile_lock(rt)
    try:
        lock.acquire()
    except Timeout:
        raise LockHeld(f"another sync of profile {rt.profile!r} is running") from None
    try:
        started = time.monotonic()
        store = rt.store
        run_id = store.start_run(options.dry_run)
        try:
            report = rt.engine(progress, should_stop).run(options, run_id)
        except BaseException as exc:
            store.finish_run(run_id, "error", {}, rt.counter.counts, type(exc).__name__)
            raise
        store.finish_run(run_id, report.outcome, report.counts, rt.counter.counts, report.message)
        if rt.settings.notify.webhook_url and not options.dry_run:
            Notifier(
                rt.settings.notify.webhook_url,
                rt.profile,
                store,
                rt.secrets.redact,
                transport=rt.transport,
                user_agent=rt.user_agent,
            ).after_run(report)
        return SyncResult(
            report, options.dry_run, time.monotonic() - started, dict(rt.counter.counts)
        )
    finally:
        lock.release()
