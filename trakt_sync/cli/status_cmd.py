"""``trakt-sync status`` and ``trakt-sync unmatched``: what the local record says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any

import typer

from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.output import JsonOption, bangumi_line, local_time, out_console
from trakt_sync.cli.reasons import episode_ranges, group_plays, labelled, print_reason
from trakt_sync.cli.state import CliState
from trakt_sync.errors import EXIT_FAILED, StateError
from trakt_sync.i18n import N_, _
from trakt_sync.models import PlayState
from trakt_sync.paths import state_paths
from trakt_sync.reason_text import shown_reason
from trakt_sync.timeutil import parse_instant, utcnow
from trakt_sync.words import OUTCOME_WORDS, PLAY_WORDS


def status(
    ctx: typer.Context,
    as_json: JsonOption = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help=_(
                "Exit 1 when the last run failed or the last success is older than twice the "
                "schedule interval (for healthchecks)."
            ),
        ),
    ] = False,
    every_profile: Annotated[
        bool, typer.Option("--all", help=_("Every profile of the config file."))
    ] = False,
) -> None:
    """Show accounts, the last run, play counts and the next scheduled run."""
    from trakt_sync.config import profile_names, read_toml

    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    now = utcnow()
    names = profile_names(read_toml(state.config_path)) if every_profile else [state.profile]
    reports, problems = [], []
    for name in names:
        try:
            data, problem = _report(state, name, now, check, read_only=False, original=as_json)
        except StateError:
            if not state_paths().read_only(name):
                raise
            data, problem = _report(state, name, now, check, read_only=True, original=as_json)
        if check:
            data["check"] = {"ok": problem is None, "problem": problem}
        if problem:
            problems.append(f"{name}: {problem}")
        reports.append(data)
    if as_json:
        state.emit_json({"profiles": reports} if every_profile else reports[0])
    elif not state.quiet:
        for data in reports:
            _print_status(data, now, partial(state.hint, profile=data["profile"]))
    if not as_json:
        for problem in problems:
            typer.echo(_("check failed: {problem}").format(problem=problem), err=True)
    raise typer.Exit(EXIT_FAILED if problems else 0)


def _report(
    state: CliState, name: str, now: datetime, check: bool, *, read_only: bool, original: bool
) -> tuple[dict[str, Any], str | None]:
    from trakt_sync import profile_reports
    from trakt_sync.reports import health_problem

    with state.runtime(name, read_only=read_only) as rt:
        data = profile_reports.status_report(rt, now, original=original)

        sync = rt.settings.sync
        return data, health_problem(data, sync.schedule, sync.timezone, now) if check else None


def _print_status(data: dict[str, Any], now: datetime, hint: Callable[[str], str]) -> None:
    console = out_console()
    console.print(
        _("profile {profile} (tokens in {backend})").format(
            profile=data["profile"], backend=data["backend"]
        )
    )
    for problem in data.get("problems", []):
        console.print("  " + _("cannot read {what}").format(what=problem))
    trakt = data["trakt"]
    who = (
        _("logged in as {user}").format(user=trakt["username"])
        if trakt["authenticated"]
        else _("not logged in")
    )
    console.print("  " + _("Trakt:    {state}").format(state=who))
    console.print(hint("  " + _("Bangumi:  {state}").format(state=bangumi_line(data["bangumi"]))))
    last = data["last_run"]
    if last is None:
        console.print("  " + _("last run: never"))
    else:
        finished = last["finished_at"] or last["started_at"]
        outcome = _(OUTCOME_WORDS.get(last["outcome"], last["outcome"]))
        console.print(
            "  "
            + _("last run: {when} — {outcome}").format(
                when=local_time(parse_instant(finished), now), outcome=outcome
            )
            + (_(" ({detail})").format(detail=last["message"]) if last["message"] else "")
        )
        success = data["last_success"]
        if last["outcome"] != "ok" and success is not None and success["finished_at"]:
            console.print(
                "  "
                + _("last success: {when}").format(
                    when=local_time(parse_instant(success["finished_at"]), now)
                )
            )
    items = data["items"]
    counts = _(", ").join(
        _("{count} {state}").format(count=items[k], state=_(PLAY_WORDS.get(k, k))).strip()
        for k in items
        if items[k]
    )
    console.print("  " + _("plays:    {counts}").format(counts=counts or _("none yet")))
    next_run = datetime.fromisoformat(data["next_run"])
    console.print(
        "  "
        + _("next run: {when}  schedule {schedule}").format(
            when=local_time(next_run, now), schedule=data["schedule"]
        )
    )
    line = _daemon_line(data, now)
    if line:
        console.print(hint("  " + _("daemon:   {state}").format(state=line)))
    for label in ("unmatched", "failed"):
        rows = data[label]
        if rows:
            console.print(
                hint("  " + _("latest unmatched (all: `trakt-sync unmatched`):"))
                if label == "unmatched"
                else "  " + _("latest failed:")
            )
            for label_text, reason in group_plays(rows):
                print_reason(console, 4, labelled(label_text, hint(shown_reason(reason))))


_DAEMON_STATES = {
    "running": N_("running, last seen {seen}"),
    "stale": N_("stale, last seen {seen}; is `trakt-sync daemon` running?"),
    "stopped": N_("not running: stopped {seen}"),
    "once": N_("not running: `daemon --once` ran {seen}"),
    "dead": N_("not running: its process is gone; last seen {seen}"),
}


def _daemon_line(data: dict[str, Any], now: datetime) -> str | None:
    """None when no daemon ever served this profile here."""
    template = _DAEMON_STATES.get(data.get("daemon") or "")
    if template is None:
        return None
    return _(template).format(seen=local_time(parse_instant(data["daemon_heartbeat"]), now))


def unmatched(
    ctx: typer.Context,
    as_json: JsonOption = False,
    skipped: Annotated[
        bool, typer.Option("--skipped", help=_("The plays skipped on purpose instead, and why."))
    ] = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix", help=_("Pick the subject for each, interactively (needs a terminal).")
        ),
    ] = False,
) -> None:
    """List unmatched plays by show and season, with candidates and why each was rejected."""
    from trakt_sync.reports import unmatched_groups

    state: CliState = ctx.obj
    if fix:
        from trakt_sync.cli import fix_picker

        if as_json or skipped:
            raise BadValue.said(N_("--fix goes alone (not with --json or --skipped)"))

        fix_picker.run(state)
        return
    if as_json:
        state.expect_json()
    with state.runtime() as rt:
        wanted = PlayState.SKIPPED if skipped else PlayState.UNMATCHED
        result = unmatched_groups(rt.store, wanted, original=as_json)
    if as_json:
        state.emit_json(result)
        return
    console = out_console()
    if not result:
        console.print(_("No skipped plays.") if skipped else _("No unmatched plays."))
    for group in result:
        where = (
            _(" season {season}").format(season=group["season"])
            if group["season"] is not None
            else ""
        )
        episodes = f" {episode_ranges(group['episodes'])}" if group["episodes"] else ""
        reason = state.hint(shown_reason(group["reason"]))
        print_reason(console, 0, labelled(f"{group['title']}{where}{episodes}", reason))
        for cand in group["candidates"]:
            line = _("candidate {subject} {name} (score {score}): {why}").format(
                subject=cand.get("subject_id"),
                name=cand.get("name"),
                score=cand.get("score"),
                why=shown_reason(str(cand.get("why_rejected"))),
            )
            console.print("    " + line, markup=False)
