"""``trakt-sync sync``: one run of fetch → resolve → plan → apply."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from trakt_sync.cli.output import JsonOption, emit_json, err_console, out_console
from trakt_sync.cli.state import CliState
from trakt_sync.errors import TraktSyncError

if TYPE_CHECKING:
    from trakt_sync.syncjob import SyncResult


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not a date like 2024-01-31: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def sync(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Fetch and resolve, print the plan, write nothing.")
    ] = False,
    full: Annotated[bool, typer.Option("--full", help="Fetch the whole history again.")] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only fetch plays watched from DATE on.", metavar="DATE"),
    ] = None,
    retry_unmatched: Annotated[
        bool, typer.Option("--retry-unmatched", help="Resolve unmatched plays again.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Sync Trakt history to Bangumi once."""
    from trakt_sync.engine import SyncOptions
    from trakt_sync.syncjob import run_sync

    state: CliState = ctx.obj
    options = SyncOptions(
        full=full, since=_parse_since(since), dry_run=dry_run, retry_unmatched=retry_unmatched
    )
    try:
        with state.runtime() as rt:
            if sys.stderr.isatty() and not as_json and not state.quiet:
                with err_console().status("syncing…") as status:
                    job = rt.sync_job(
                        lambda stage, done, total: status.update(f"{stage}: {done}/{total}")
                    )
                    result = run_sync(job, options)
            else:
                result = run_sync(rt.sync_job(), options)
    except TraktSyncError as exc:
        if as_json:  # still exactly one JSON document, e.g. when another sync holds the lock
            emit_json(
                {
                    "error": state.registry.redact(str(exc)),
                    "exit_code": exc.exit_code,
                    "dry_run": dry_run,
                }
            )
        raise
    if as_json:
        emit_json(result.as_dict())
        raise typer.Exit(result.exit_code)
    if dry_run:
        _print_plan(result)
    if result.report.message:
        print(f"trakt-sync: {result.report.message}", file=sys.stderr)
    if not (state.quiet and result.exit_code == 0):
        print(result.summary(), file=sys.stderr)
    raise typer.Exit(result.exit_code)


def _print_plan(result: SyncResult) -> None:
    from trakt_sync.planner import COLLECTION_NAMES
    from trakt_sync.sink import describe_item

    console = out_console()
    if result.report.sink_items is not None:
        if not result.report.sink_items:
            console.print("Nothing to send to Bangumi-syncer.")
        for history_id, item in result.report.sink_items:
            console.print(
                f"send to Bangumi-syncer: {describe_item(item)} [play {history_id}]", markup=False
            )
        return
    if not result.report.plans:
        console.print("Nothing to send to Bangumi.")
    for plan, title in result.report.plans:
        console.print(
            f"[bold]{title}[/bold] → https://bgm.tv/subject/{plan.subject_id}"
            f" ({COLLECTION_NAMES[plan.current_type]})"
        )
        for line in plan.describe():
            console.print(f"  {line}")
