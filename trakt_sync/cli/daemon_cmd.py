"""``trakt-sync daemon``: sync on the configured cron schedules until stopped."""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from trakt_sync import heartbeat
from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.state import CliState
from trakt_sync.i18n import N_, _
from trakt_sync.paths import config_named_explicitly, state_paths

if TYPE_CHECKING:
    from trakt_sync.progress import Progress
    from trakt_sync.syncjob import SyncResult

log = logging.getLogger("trakt_sync.daemon")


def daemon(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help=_("Run what is due, then exit."))] = False,
    now: Annotated[
        bool, typer.Option("--now", help=_("With --once: run every profile, due or not."))
    ] = False,
) -> None:
    """Sync every profile (or just --profile) whenever its sync.schedule fires."""
    from trakt_sync import profile_reports
    from trakt_sync.config import profile_names, read_toml
    from trakt_sync.daemon import Daemon
    from trakt_sync.engine import SyncOptions
    from trakt_sync.sync_report import summary_line
    from trakt_sync.syncjob import run_sync

    if now and not once:
        raise BadValue.said(
            N_("only with --once (a running daemon syncs each profile when its schedule fires)"),
            param_hint="'--now'",
        )
    state: CliState = ctx.obj
    if not state.quiet and not state.verbose:
        logging.getLogger().setLevel(logging.INFO)  # a daemon's log is its only output
    parent = ctx.parent
    source = parent.get_parameter_source("profile") if parent is not None else None
    explicit = source is not None and source.name != "DEFAULT"
    names = [state.profile] if explicit else profile_names(read_toml(state.config_path))
    schedules = []
    for name in names:
        with state.runtime(name) as rt:  # validates every profile before the loop starts
            schedules.append(profile_reports.schedule(rt))

    page = None  # the web page's jobs, when web.listen has the daemon serve it

    def sync_profile(name: str) -> int:
        with state.runtime(name) as rt:

            def run(progress: Progress | None = None) -> SyncResult:
                job = rt.sync_job(progress, should_stop=runner.stop.is_set)
                return run_sync(job, SyncOptions())

            result = run() if page is None else page.run_watched(name, run)
            log.info("profile %s: %s", name, summary_line(result))
        if result.report.message:
            log.warning("profile %s: %s", name, state.hint(result.report.message, name))
        return result.exit_code

    paths = state_paths().ensure()
    runner = Daemon(
        schedules,
        sync_profile,
        heartbeat=paths.heartbeat_file,
        describe=lambda message, name: state.hint(message, name),
    )
    if once:
        codes = runner.run_once(everything=now)
        raise typer.Exit(max(codes.values(), default=0))

    def on_signal(signum: int, frame: object) -> None:
        if runner.stop.is_set() and signum == signal.SIGINT:
            runner.beat(heartbeat.STOPPED)
            print("trakt-sync: " + _("stopping now"), file=sys.stderr)
            os._exit(130)
        log.info("signal %d: stopping after the current step", signum)
        runner.stop.set()

    from trakt_sync.web.server import serve_beside_daemon

    page = serve_beside_daemon(
        state.settings(),
        state.config_path,
        must_exist=config_named_explicitly(state.config),
        profiles=profile_names(read_toml(state.config_path)),
        secrets=state.registry,
    )
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("daemon started for %s", ", ".join(f"{s.name} ({s.schedule})" for s in schedules))
    runner.run_forever()
    log.info("daemon stopped")
