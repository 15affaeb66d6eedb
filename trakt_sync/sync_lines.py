"""The lines a sync prints per Bangumi subject (or per play sent to Bangumi-syncer), in
Bangumi's words: ``葬送のフリーレン  ep 1–12 → 看过``. The CLI prints them; the web page
shows the same lines."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unicodedata import east_asian_width

if TYPE_CHECKING:
    from trakt_sync.syncjob import SyncResult


def subject_lines(result: SyncResult) -> list[str]:
    """What ``sync`` (or ``sync --dry-run``) prints on stdout."""
    if result.report.sink_items is not None:
        return _sink_lines(result)
    # Only subjects a write goes (or went) to: "already marked" is no change on Bangumi.
    plans = [
        (plan, title)
        for plan, title in result.report.plans
        if plan.writes or plan.subject_id in result.report.failed_subjects
    ]
    lines = []
    if result.dry_run:
        lines.append("Would change on Bangumi:" if plans else "Nothing to send to Bangumi.")
    elif plans:
        lines.append("Changed on Bangumi:")
    width = max((width_of(plan.name or title) for plan, title in plans), default=0)
    for plan, title in plans:
        name = plan.name or title
        line = f"  {name}{' ' * (width - width_of(name))}  {plan.headline()}"
        failure = result.report.failed_subjects.get(plan.subject_id)
        if failure:
            line += f"  FAILED: {failure}"
        if result.dry_run or failure:
            line += f"  https://bgm.tv/subject/{plan.subject_id}"
        lines.append(line)
        if result.dry_run:
            lines += [f"      {detail}" for detail in plan.describe()]
    return lines


def _sink_lines(result: SyncResult) -> list[str]:
    from trakt_sync.sink import describe_item

    items = result.report.sink_items or ()
    lines = [] if items else ["Nothing to send to Bangumi-syncer."]
    verb = "Would send" if result.dry_run else "Sent"
    for history_id, item in items:
        lines.append(f"{verb} to Bangumi-syncer: {describe_item(item)} [play {history_id}]")
    return lines


def width_of(text: str) -> int:
    """Terminal columns: East Asian wide characters take two."""
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def next_steps(result: SyncResult) -> list[str]:
    """Where to look next, for the plays that did not go through."""
    counts = result.report.counts
    lines = []
    if counts["unmatched"]:
        lines.append(f"{counts['unmatched']} play(s) unmatched: see `trakt-sync unmatched`")
    if counts["skipped"]:
        lines.append(f"{counts['skipped']} play(s) skipped: see `trakt-sync unmatched --skipped`")
    if counts["failed"]:
        lines.append(f"{counts['failed']} play(s) failed: see `trakt-sync status`")
    return lines
