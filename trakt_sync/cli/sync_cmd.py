"""``trakt-sync sync``: one run of fetch → resolve → plan → apply."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from trakt_sync.cli.output import JsonOption, err_console
from trakt_sync.cli.state import CliState


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
    from_export: Annotated[
        Path | None,
        typer.Option(
            "--from-export",
            help="Take the plays from Trakt's data export (its ZIP or unzipped folder) "
            "instead of Trakt's API; no Trakt login needed.",
            metavar="PATH",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Sync Trakt history to Bangumi once."""
    from trakt_sync.engine import SyncOptions
    from trakt_sync.sync_lines import next_steps, subject_lines
    from trakt_sync.syncjob import error_result, run_sync

    state: CliState = ctx.obj
    if as_json:
        state.expect_json(
            lambda message, code, error: {
                **error_result(error, message, dry_run).as_dict(),
                "exit_code": code,
            }
        )
    if from_export is not None and (full or since is not None):
        raise typer.BadParameter(
            "an export is always read whole: leave out --full and --since",
            param_hint="--from-export",
        )
    options = SyncOptions(
        full=full, since=_parse_since(since), dry_run=dry_run, retry_unmatched=retry_unmatched
    )
    if from_export is not None:
        from trakt_sync.trakt_export import read_export

        # Read and checked whole before anything is saved: bad input exits 65 untouched.
        options.export = read_export(from_export)
    exported = from_export is not None
    with state.runtime() as rt:
        if sys.stderr.isatty() and not as_json and not state.quiet:
            with err_console().status("syncing…") as status:
                job = rt.sync_job(
                    lambda stage, done, total: status.update(f"{stage}: {done}/{total}"),
                    from_export=exported,
                )
                result = run_sync(job, options)
        else:
            result = run_sync(rt.sync_job(from_export=exported), options)
    if as_json:
        state.emit_json(result.as_dict())
        raise typer.Exit(result.exit_code)
    if not (state.quiet and result.exit_code == 0):
        for line in subject_lines(result):
            print(line)
    if result.report.message:
        print(f"trakt-sync: {result.report.message}", file=sys.stderr)
    if not (state.quiet and result.exit_code == 0):
        print(result.summary(), file=sys.stderr)
        for line in next_steps(result):
            print(line, file=sys.stderr)
    raise typer.Exit(result.exit_code)
