"""What a sync run reports, out of the job that runs it: the one-line summary (terminal,
daemon log, web page) and the ``sync --json`` document (also the web page's result).
The per-subject lines are in ``sync_lines``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trakt_sync.outcome import RunOutcome
from trakt_sync.planner import COLLECTION_WORDS, SubjectPlan

if TYPE_CHECKING:
    from trakt_sync.syncjob import SyncResult


def summary_line(result: SyncResult) -> str:
    """One line for the terminal or the daemon's log."""
    c = result.report.counts
    verb = _VERBS.get(result.report.outcome, "sync failed")
    if result.dry_run:
        verb = "planned" if result.report.outcome is RunOutcome.OK else "dry run failed"
    marked = "to mark" if result.dry_run else "marked"
    # Plays deleted on Trakt: counted in --json, so said here too (nothing is un-marked).
    removed = f", {c['removed']} removed on Trakt" if c.get("removed") else ""
    if result.report.sink_items is not None:
        sent = "to send" if result.dry_run else "sent"
        return (
            f"{verb}: fetched {c['fetched']} ({c['new']} new), "
            f"{len(result.report.sink_items) if result.dry_run else c['sent']} {sent} to "
            f"Bangumi-syncer, {c['unmatched']} unmatched, {c['skipped']} skipped, "
            f"{c['failed']} failed{removed}; requests: Trakt {result.requests.get('trakt', 0)}, "
            f"Bangumi {result.requests.get('bangumi', 0)}, "
            f"Bangumi-syncer {result.requests.get('bangumi-syncer', 0)}; "
            f"{result.duration_s:.1f}s"
        )
    bad = f", {c['bad_data']} left alone over unreadable data" if c.get("bad_data") else ""
    return (
        f"{verb}: fetched {c['fetched']} ({c['new']} new), {marked} {c['marked']}, "
        f"{c['already']} already marked, {c['unmatched']} unmatched, {c['skipped']} skipped, "
        f"{c['failed']} failed{removed}{bad}; requests: Trakt {result.requests.get('trakt', 0)}, "
        f"Bangumi {result.requests.get('bangumi', 0)}; {result.duration_s:.1f}s"
    )


def result_document(result: SyncResult) -> dict[str, Any]:
    data: dict[str, Any] = dict(result.report.counts)
    data.update(
        dry_run=result.dry_run,
        requests={
            "trakt": result.requests.get("trakt", 0),
            "bangumi": result.requests.get("bangumi", 0),
        },
        duration_s=round(result.duration_s, 3),
        outcome=result.report.outcome,
        exit_code=result.exit_code,
        message=result.report.message,
        plan=[_plan_document(result, plan, title) for plan, title in result.report.plans],
    )
    if result.report.sink_items is not None:
        data["requests"]["bangumi-syncer"] = result.requests.get("bangumi-syncer", 0)
        data["sink"] = [{"play": hid, **item} for hid, item in result.report.sink_items]
    return data


def _plan_document(result: SyncResult, plan: SubjectPlan, title: str) -> dict[str, Any]:
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
    failure = result.report.failed_subjects.get(plan.subject_id)
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
        "result": "planned" if result.dry_run else ("failed" if failure else "done"),
        "error": failure,
    }


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
