"""``trakt-sync log``: the past runs, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from trakt_sync.cli.output import JsonOption, local_time, out_console
from trakt_sync.cli.state import CliState
from trakt_sync.i18n import _
from trakt_sync.reason_text import shown_reason
from trakt_sync.timeutil import parse_instant, utcnow
from trakt_sync.words import OUTCOME_WORDS


def log(
    ctx: typer.Context,
    as_json: JsonOption = False,
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=1, metavar="N", help=_("How many runs to show.")),
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
        console.print(
            _("No runs yet for profile {profile}: `trakt-sync sync` starts one.").format(
                profile=state.profile
            )
        )
        return
    now = utcnow()
    # On a terminal Rich wraps a long line between words; in a pipe each run stays one line.
    wrap = console.is_terminal
    for run in runs:
        console.print(
            _line(run, now, counts_text(run["counts"], run["ok"])), markup=False, soft_wrap=not wrap
        )
        if run["message"] and not run["ok"]:
            message = shown_reason(run["message"])
            console.print(f"    {message}", markup=False, soft_wrap=not wrap)


def _line(run: dict[str, Any], now: datetime, counts: str) -> str:
    started = local_time(parse_instant(run["started_at"]), now)
    took = (
        ""
        if run["duration_s"] is None
        else _(" in {duration}").format(duration=_seconds(run["duration_s"]))
    )
    dry = _(" (dry run)") if run["dry_run"] else ""
    requests = run["requests"]
    asked = _("; requests: Trakt {trakt}, Bangumi {bangumi}").format(
        trakt=requests["trakt"], bangumi=requests["bangumi"]
    )
    outcome = _(OUTCOME_WORDS.get(run["outcome"], run["outcome"]))
    return _("#{id} {started} {outcome}{dry}{took}: {counts}{requests}").format(
        id=run["id"],
        started=started,
        outcome=outcome,
        dry=dry,
        took=took,
        counts=counts,
        requests=asked,
    )


def _seconds(value: float) -> str:
    if value < 60:
        return _("{seconds} s").format(seconds=f"{value:.1f}")
    minutes, seconds = divmod(round(value), 60)
    return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=seconds)
