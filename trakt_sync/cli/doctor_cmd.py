"""``trakt-sync doctor``: is everything a sync needs in place? One line per check."""

from __future__ import annotations

import typer

from trakt_sync.cli.output import JsonOption, out_console
from trakt_sync.cli.state import CliState
from trakt_sync.errors import EXIT_CONFIG, EXIT_FAILED
from trakt_sync.i18n import N_, _
from trakt_sync.paths import config_named_explicitly, state_paths

_MARKS = {"ok": N_("ok  "), "warn": N_("warn"), "fail": N_("FAIL"), "skip": N_("skip")}
# The checks' names as shown (--json keeps the English names).
_NAMES = {
    "config": N_("config"),
    "state directory": N_("state directory"),
    "keyring": N_("keyring"),
    "Trakt token": N_("Trakt token"),
    "Bangumi token": N_("Bangumi token"),
    "id table": N_("id table"),
    "daemon": N_("daemon"),
}


def doctor(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Check the config, both tokens (asking the services), that each service answers
    through the configured proxy, the keyring, the state directory and the daemon.

    Exits 1 when any check fails (78 when it is the configuration); a warning alone exits 0.
    """
    from trakt_sync.doctor import diagnose

    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    report = diagnose(
        state.config_path,
        state.profile,
        state_paths(),
        must_exist=config_named_explicitly(state.config),
        registry=state.registry,
    )
    if as_json:
        state.emit_json(report)
    else:
        _print(report["checks"])
    if report["ok"]:
        raise typer.Exit(0)
    config_failed = report["checks"][0]["status"] == "fail"
    raise typer.Exit(EXIT_CONFIG if config_failed else EXIT_FAILED)


def _print(checks: list[dict[str, str]]) -> None:
    """One line per check; on a terminal a long detail wraps under its own column."""
    from trakt_sync.reason_text import shown_reason
    from trakt_sync.sync_lines import width_of

    console = out_console()
    rows = [
        (
            _(_MARKS[check["status"]]),
            _(_NAMES.get(check["name"], check["name"])),
            shown_reason(check["detail"]),
        )
        for check in checks
    ]
    width = max(width_of(name) for _mark, name, _detail in rows)
    if not console.is_terminal:
        for mark, name, detail in rows:
            pad = " " * (width - width_of(name))
            console.print(f"{mark}  {name}{pad}  {detail}", markup=False)
        return
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for mark, name, detail in rows:
        grid.add_row(mark, name, Text(detail))
    console.print(grid, soft_wrap=False)
