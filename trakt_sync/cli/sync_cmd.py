"""``trakt-sync sync``: one run of fetch → resolve → plan → apply."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.output import JsonOption, err_console
from trakt_sync.cli.reasons import error_text, for_stderr
from trakt_sync.cli.state import CliState
from trakt_sync.i18n import N_, _


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue.said(
            N_("not a date like 2024-01-31 or 2024-01-31T20:00: {value}"),
            value=repr(value),
            param_hint="'--since'",
        ) from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if parsed > datetime.now(UTC):
        raise BadValue.said(
            N_("{value} is in the future: nothing was watched since then"),
            value=value,
            param_hint="'--since'",
        )
    return parsed


def json_error(dry_run: bool) -> Callable[[str, int, BaseException], dict[str, Any]]:
    """The ``sync --json`` document of a run that could not start: the usual shape."""

    def document(message: str, code: int, error: BaseException) -> dict[str, Any]:
        from trakt_sync.sync_report import result_document
        from trakt_sync.syncjob import error_result

        return {**result_document(error_result(error, message, dry_run)), "exit_code": code}

    return document


def sync(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Fetch and resolve, print the plan, write nothing."))
    ] = False,
    full: Annotated[bool, typer.Option("--full", help=_("Fetch the whole history again."))] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help=_(
                "Only fetch plays watched from DATE on: YYYY-MM-DD (midnight UTC) or an "
                "ISO 8601 time such as 2024-01-31T18:00+08:00."
            ),
            metavar="DATE",
        ),
    ] = None,
    retry_unmatched: Annotated[
        bool, typer.Option("--retry-unmatched", help=_("Resolve unmatched plays again."))
    ] = False,
    from_export: Annotated[
        Path | None,
        typer.Option(
            "--from-export",
            help=_(
                "Take the plays from Trakt's data export (its ZIP or unzipped folder) "
                "instead of Trakt's API; no Trakt login needed."
            ),
            metavar="PATH",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Sync Trakt history to Bangumi once."""
    from trakt_sync.engine import SyncOptions
    from trakt_sync.sync_lines import next_steps, subject_lines
    from trakt_sync.sync_report import result_document, summary_line
    from trakt_sync.syncjob import run_sync

    state: CliState = ctx.obj
    if as_json:
        state.expect_json(json_error(dry_run))
    if full and since is not None:
        raise BadValue.said(
            N_("--full re-reads the whole history; --since reads from DATE on: give one"),
            param_hint="'--since'",
        )
    if from_export is not None and (full or since is not None):
        raise BadValue.said(
            N_("an export is always read whole: leave out --full and --since"),
            param_hint="--from-export",
        )
    export = None
    if from_export is not None:
        from trakt_sync.trakt_export import read_export

        # Read and checked whole before anything is saved: bad input exits 65 untouched.
        export = read_export(from_export)
    options = SyncOptions(
        full=full,
        since=_parse_since(since),
        dry_run=dry_run,
        retry_unmatched=retry_unmatched,
        export=export,
    )
    exported = from_export is not None
    with state.runtime() as rt:
        if sys.stderr.isatty() and not as_json and not state.quiet:
            with err_console().status(_("syncing…")) as status:
                job = rt.sync_job(
                    lambda stage, done, total: status.update(f"{stage}: {done}/{total}"),
                    from_export=exported,
                )
                result = run_sync(job, options)
        else:
            result = run_sync(rt.sync_job(from_export=exported), options)
    if as_json:
        document = result_document(result)
        document["message"] = document["message"] and state.hint(document["message"])
        state.emit_json(document)
        raise typer.Exit(result.exit_code)
    if not (state.quiet and result.exit_code == 0):
        for line in subject_lines(result):
            print(line)
    if result.report.message:
        from trakt_sync.reason_text import shown_reason

        print(error_text(state.hint(shown_reason(result.report.message))), file=sys.stderr)
    if not (state.quiet and result.exit_code == 0):
        print(for_stderr(summary_line(result, _)), file=sys.stderr)
        for line in next_steps(result):
            print(for_stderr(state.hint(line)), file=sys.stderr)
    raise typer.Exit(result.exit_code)
