"""``trakt-sync status`` and ``trakt-sync unmatched``: what the local record says."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from trakt_sync.cli.output import JsonOption, emit_json, out_console
from trakt_sync.cli.state import CliState
from trakt_sync.errors import EXIT_FAILED
from trakt_sync.timeutil import utcnow


def status(
    ctx: typer.Context,
    as_json: JsonOption = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Exit 1 when the last run failed or the last success is older than twice the "
            "schedule interval (for healthchecks).",
        ),
    ] = False,
    every_profile: Annotated[
        bool, typer.Option("--all", help="Every profile of the config file.")
    ] = False,
) -> None:
    """Show accounts, the last run, play counts and the next scheduled run."""
    from trakt_sync.config import profile_names, read_toml

    state: CliState = ctx.obj
    now = utcnow()
    names = profile_names(read_toml(state.config_path)) if every_profile else [state.profile]
    reports, problems = [], []
    for name in names:
        with state.runtime(name) as rt:
            data = rt.status_report(now)
            problem = rt.health_problem(data, now) if check else None
        if check:
            data["check"] = {"ok": problem is None, "problem": problem}
        if problem:
            problems.append(f"{name}: {problem}")
        reports.append(data)
    if as_json:
        emit_json({"profiles": reports} if every_profile else reports[0])
    else:
        for data in reports:
            _print_status(data)
        for problem in problems:
            typer.echo(f"check failed: {problem}", err=True)
    raise typer.Exit(EXIT_FAILED if problems else 0)


def _account(data: dict[str, Any]) -> str:
    return f"logged in as {data['username']}" if data["authenticated"] else "not logged in"


def _print_status(data: dict[str, Any]) -> None:
    console = out_console()
    console.print(f"profile {data['profile']} (tokens in {data['backend']})")
    console.print(f"  Trakt:   {_account(data['trakt'])}")
    console.print(f"  Bangumi: {_account(data['bangumi'])}")
    last = data["last_run"]
    if last is None:
        console.print("  last run: never")
    else:
        console.print(
            f"  last run: {last['finished_at']} — {last['outcome']}"
            + (f" ({last['message']})" if last["message"] else "")
        )
    items = data["items"]
    console.print("  plays: " + ", ".join(f"{items[k]} {k}" for k in items))
    console.print(f"  next run: {data['next_run']} ({data['schedule']})")
    if data["daemon_heartbeat"]:
        console.print(f"  daemon heartbeat: {data['daemon_heartbeat']}")
    for label in ("unmatched", "failed"):
        rows = data[label]
        if rows:
            console.print(f"  latest {label}:")
            for row in rows:
                console.print(f"    {_play_label(row)}: {row['reason']}")


def _play_label(row: dict[str, Any]) -> str:
    if row["kind"] == "episode":
        return f"{row['media_title']} S{row['season']:02d}E{row['number']:02d}"
    return str(row["media_title"])


def unmatched(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List unmatched plays by show and season, with candidates and why each was rejected."""
    from trakt_sync.reports import unmatched_groups

    state: CliState = ctx.obj
    with state.runtime() as rt:
        result = unmatched_groups(rt.store)
    if as_json:
        emit_json(result)
        return
    console = out_console()
    if not result:
        console.print("No unmatched plays.")
    for group in result:
        where = f" season {group['season']}" if group["season"] is not None else ""
        episodes = f" episodes {group['episodes']}" if group["episodes"] else ""
        console.print(f"[bold]{group['title']}[/bold]{where}{episodes}: {group['reason']}")
        for cand in group["candidates"]:
            console.print(f"    candidate {cand}")
