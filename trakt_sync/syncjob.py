"""One sync run of one profile, under that profile's lock, recorded in the store."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from trakt_sync.engine import RunReport, SyncEngine, SyncOptions
from trakt_sync.errors import LockHeld, TraktSyncError
from trakt_sync.httpclient import RequestCounter
from trakt_sync.notify import Notifier
from trakt_sync.outcome import RunOutcome
from trakt_sync.planner import COLLECTION_WORDS, SubjectPlan
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

    def summary(self) -> str:
        """One line for the terminal or the daemon's log."""
        c = self.report.counts
        verb = _VERBS.get(self.report.outcome, "sync failed")
        if self.dry_run:
            verb = "planned" if self.report.outcome is RunOutcome.OK else "dry run failed"
        marked = "to mark" if self.dry_run else "marked"
        # Plays deleted on Trakt: counted in --json, so said here too (nothing is un-marked).
        removed = f", {c['removed']} removed on Trakt" if c.get("removed") else ""
        if self.report.sink_items is not None:
            sent = "to send" if self.dry_run else "sent"
            return (
                f"{verb}: fetched {c['fetched']} ({c['new']} new), "
                f"{len(self.report.sink_items) if self.dry_run else c['sent']} {sent} to "
                f"Bangumi-syncer, {c['unmatched']} unmatched, {c['skipped']} skipped, "
                f"{c['failed']} failed{removed}; requests: Trakt {self.requests.get('trakt', 0)}, "
                f"Bangumi {self.requests.get('bangumi', 0)}, "
                f"Bangumi-syncer {self.requests.get('bangumi-syncer', 0)}; "
                f"{self.duration_s:.1f}s"
            )
        bad = f", {c['bad_data']} left alone over unreadable data" if c.get("bad_data") else ""
        return (
            f"{verb}: fetched {c['fetched']} ({c['new']} new), {marked} {c['marked']}, "
            f"{c['already']} already marked, {c['unmatched']} unmatched, {c['skipped']} skipped, "
            f"{c['failed']} failed{removed}{bad}; requests: Trakt {self.requests.get('trakt', 0)}, "
            f"Bangumi {self.requests.get('bangumi', 0)}; {self.duration_s:.1f}s"
        )

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
            plan=[self._plan_dict(plan, title) for plan, title in self.report.plans],
        )
        if self.report.sink_items is not None:
            data["requests"]["bangumi-syncer"] = self.requests.get("bangumi-syncer", 0)
            data["sink"] = [{"play": hid, **item} for hid, item in self.report.sink_items]
        return data

    def _plan_dict(self, plan: SubjectPlan, title: str) -> dict[str, Any]:
        """One subject's entry: ``changes`` lists each write by ``kind``, so new kinds of
        change (a rating, the watchlist) are new entries rather than new shapes."""
        changes: list[dict[str, Any]] = []
        if plan.collect_before is not None:
            changes.append(
                _collection_change(plan.current_type, plan.collect_before, "before_episodes")
            )
        if plan.episodes_to_mark:
            changes.append(
                {
                    "kind": "episodes",
                    "mark": "watched",
                    "episodes": plan.episode_numbers(plan.episodes_to_mark),
                    "episode_ids": plan.episodes_to_mark,
                }
            )
        if plan.collect_after is not None:
            source = plan.current_type if plan.collect_before is None else plan.collect_before
            changes.append(_collection_change(source, plan.collect_after, "after_episodes"))
        if plan.rate is not None or plan.rating_waits:
            changes.append(
                {
                    "kind": "rating",
                    "from": plan.current_rate,
                    "to": plan.rate,
                    "waits": plan.rating_waits,  # until the subject is collected
                }
            )
        if plan.wish:
            changes.append({"kind": "watchlist", "to": COLLECTION_WORDS[plan.collection_after]})
        if plan.private:
            changes.append({"kind": "privacy", "private": True})
        failure = self.report.failed_subjects.get(plan.subject_id)
        return {
            "subject_id": plan.subject_id,
            "name": plan.name,
            "title": title,
            "url": f"https://bgm.tv/subject/{plan.subject_id}",
            "is_movie": plan.is_movie,
            "collection": {
                "now": plan.current_type,
                "now_name": COLLECTION_WORDS[plan.current_type],
                "after": plan.collection_after,
                "after_name": COLLECTION_WORDS[plan.collection_after],
            },
            "changes": changes,
            "already_marked": plan.episode_numbers(plan.already_marked),
            "plays": plan.play_ids,
            # From the Trakt ratings and watchlist (sync.ratings, sync.watchlist) and
            # bangumi.private: null/false when nothing changes.
            "rate_before": plan.current_rate,
            "rate": plan.rate,
            "rating_waits": plan.rating_waits,
            "watchlist": plan.wish,
            "private": plan.private,
            "headline": plan.headline(),
            "result": "planned" if self.dry_run else ("failed" if failure else "done"),
            "error": failure,
        }


def error_result(error: BaseException, message: str, dry_run: bool) -> SyncResult:
    """The result of a sync that ended before it could run (a config error, the lock
    held, no login): the same shape as any other, with nothing done."""
    report = RunReport(
        outcome=RunOutcome.of_error(error),
        message=message,
        error=error if isinstance(error, TraktSyncError) else None,
    )
    return SyncResult(report, dry_run, 0.0, {})


def _collection_change(source: int | None, target: int, step: str) -> dict[str, Any]:
    return {
        "kind": "collection",
        "from": source,
        "from_name": COLLECTION_WORDS[source],
        "to": target,
        "to_name": COLLECTION_WORDS[target],
        "step": step,
    }


# How a summary line starts, by outcome: a run that did not go through never says "synced".
_VERBS = {
    RunOutcome.OK: "synced",
    RunOutcome.FAILED: "synced with failures",
    RunOutcome.INTERRUPTED: "stopped",
    RunOutcome.CANCELLED: "cancelled",
}


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
