"""``trakt-sync status`` and ``trakt-sync unmatched``: what the local record says."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Annotated, Any

import typer

from trakt_sync.cli.auth_cmd import auth_summary
from trakt_sync.cli.output import JsonOption, emit_json, out_console
from trakt_sync.cli.state import CliState
from trakt_sync.config import profile_names, read_toml
from trakt_sync.errors import EXIT_FAILED
from trakt_sync.models import PlayState
from trakt_sync.runtime import Runtime
from trakt_sync.scheduler import interval, next_fire, zone
from trakt_sync.timeutil import parse_instant, utcnow


def _run_dict(run: Any) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "outcome": run.outcome,
        "counts": run.counts,
        "requests": {"trakt": run.requests_trakt, "bangumi": run.requests_bangumi},
        "message": run.message,
    }


def status_data(rt: Runtime, now: datetime) -> dict[str, Any]:
    auth = auth_summary(rt)
    store = rt.store
    tz = zone(rt.settings.sync.timezone)
    heartbeat = rt.paths.heartbeat_file
    return {
        "profile": rt.profile,
        "backend": auth["backend"],
        "trakt": {k: auth["trakt"][k] for k in ("authenticated", "username", "expires_at")},
        "bangumi": {k: auth["bangumi"][k] for k in ("authenticated", "username")},
        "last_run": _run_dict(store.last_run()),
        "last_success": _run_dict(store.last_run(successful=True)),
        "items": store.state_counts(),
        "schedule": rt.settings.sync.schedule,
        "next_run": next_fire(rt.settings.sync.schedule, tz, now).isoformat(),
        "daemon_heartbeat": heartbeat.read_text().strip() if heartbeat.exists() else None,
        "unmatched": store.latest_with_state(PlayState.UNMATCHED, 5),
        "failed": store.latest_with_state(PlayState.FAILED, 5),
    }


def check_problem(rt: Runtime, data: dict[str, Any], now: datetime) -> str | None:
    """Why a healthcheck should fail, or None when healthy."""
    last = data["last_run"]
    if last is None:
        return "no sync has run yet"
    if last["outcome"] != "ok":
        return f"the last sync ended {last['outcome']}: {last['message'] or ''}".rstrip(": ")
    success = data["last_success"]
    tz = zone(rt.settings.sync.timezone)
    limit = 2 * interval(rt.settings.sync.schedule, tz, now)
    if success is None or now - parse_instant(success["finished_at"]) > limit:
        return f"no successful sync in the last {limit}"
    return None


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
    state: CliState = ctx.obj
    now = utcnow()
    names = profile_names(read_toml(state.config_path)) if every_profile else [state.profile]
    reports, problems = [], []
    for name in names:
        with state.runtime(name) as rt:
            data = status_data(rt, now)
            problem = check_problem(rt, data, now) if check else None
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
    state: CliState = ctx.obj
    with state.runtime() as rt:
        rows = rt.store.latest_with_state(PlayState.UNMATCHED, limit=100_000)
    groups: dict[tuple[str, Any], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["media_title"], row["season"])].append(row)
    result = []
    for (title, season), members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        detail = json.loads(members[0]["resolution"] or "{}")
        result.append(
            {
                "title": title,
                "season": season,
                "episodes": sorted(r["number"] for r in members if r["number"] is not None),
                "plays": len(members),
                "reason": members[0]["reason"],
                "candidates": detail.get("candidates", [])[:3],
            }
        )
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
