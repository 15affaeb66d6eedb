"""``trakt-sync log``: the past runs from the runs table, as plain data.

Read-only and offline; the web page shows the same rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from trakt_sync.i18n import N_, _
from trakt_sync.outcome import RunOutcome
from trakt_sync.store import RunRecord, Store
from trakt_sync.timeutil import parse_instant

# The counts a run's line shows, in this order, when not zero.
SHOWN_COUNTS = ("fetched", "marked", "unmatched", "skipped", "failed", "removed", "sent")


def run_entry(run: RunRecord) -> dict[str, Any]:
    """One run: when, how it ended, its counts, requests, duration and message."""
    duration = None
    if run.finished_at:
        elapsed = parse_instant(run.finished_at) - parse_instant(run.started_at)
        duration = round(elapsed.total_seconds(), 1)
    return {
        "id": run.id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_s": duration,
        "outcome": run.outcome.value,
        "ok": not run.outcome.is_problem,
        "dry_run": run.dry_run,
        "counts": run.counts,
        "requests": {"trakt": run.requests_trakt, "bangumi": run.requests_bangumi},
        "message": run.message,
    }


def run_log(
    store: Store,
    limit: int = 20,
    *,
    include_dry: bool = True,
    sync_running: Callable[[], bool] = lambda: False,
    died_message: str = "",
) -> list[dict[str, Any]]:
    """The ``limit`` runs started last, newest first. A run still marked running while no
    sync holds the profile's lock (``sync_running``) died: shown so, as ``status`` does."""
    runs = store.recent_runs(limit, include_dry=include_dry)
    for index, run in enumerate(runs):
        # Only the run started last can be the one holding the lock.
        if run.outcome is RunOutcome.RUNNING and (index > 0 or not sync_running()):
            runs[index] = replace(run, outcome=RunOutcome.DIED, message=died_message)
    return [run_entry(run) for run in runs]


# How a count reads, per count (``log`` shows them in the terminal's language).
COUNT_WORDS = {
    "fetched": N_("fetched {count}"),
    "marked": N_("marked {count}"),
    "unmatched": N_("unmatched {count}"),
    "skipped": N_("skipped {count}"),
    "failed": N_("failed {count}"),
    "removed": N_("removed {count}"),
    "sent": N_("sent {count}"),
}


def counts_text(counts: dict[str, Any], ok: bool = True) -> str:
    """``fetched 20, marked 16, unmatched 1``: the counts that are not zero."""
    shown = [
        _(COUNT_WORDS[name]).format(count=counts[name]) for name in SHOWN_COUNTS if counts.get(name)
    ]
    return _(", ").join(shown) or (_("nothing new") if ok else _("nothing done"))
