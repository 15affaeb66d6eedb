"""``trakt-sync log``: the past runs, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from trakt_sync.cli.output import JsonOption, local_time, out_console
from trakt_sync.cli.state import CliState
from trakt_sync.timeutil import parse_instant, utcnow


def log(
    ctx: typer.Context,
    as_json: JsonOption = False,
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=1, metavar="N", help="How many runs to show."),
    ] = 10,
) -> None:
    """Show the past sync runs: when, how each ended, its counts, duration and error."""
    from trakt_sync import profile_reports
    from trakt_sync.runlog import counts_text

    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    with state.runtime() as rt:
        runs = profile_reports.run_log(rt, limit)
    if as_json:
        state.emit_json({"profile": state.profile, "runs": runs})
        return
    console = out_console()
    if not runs:
        console.print(f"No runs yet for profile {state.profile}: `trakt-sync sync` starts one.")
        return
    now = utcnow()
    # On a terminal Rich wraps a long line between words; in a pipe each run stays one line.
    wrap = console.is_terminal
    for run in runs:
        console.print(
            _line(run, now, counts_text(run["counts"], run["ok"])), markup=False, soft_wrap=not wrap
        )
        if run["message"] and not run["ok"]:
            console.print(f"    {run['message']}", markup=False, soft_wrap=not wrap)


def _line(run: dict[str, Any], now: datetime, counts: str) -> str:
    started = local_time(parse_instant(run["started_at"]), now)
    took = "" if run["duration_s"] is None else f" in {_seconds(run['duration_s'])}"
    dry = " (dry run)" if run["dry_run"] else ""
    requests = run["requests"]
    asked = f"; requests: Trakt {requests['trakt']}, Bangumi {requests['bangumi']}"
    return f"#{run['id']} {started} {run['outcome']}{dry}{took}: {counts}{asked}"


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds} s"
