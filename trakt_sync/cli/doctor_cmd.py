"""``trakt-sync doctor``: is everything a sync needs in place? One line per check."""

from __future__ import annotations

import typer

from trakt_sync.cli.output import JsonOption, out_console
from trakt_sync.cli.state import CliState
from trakt_sync.errors import EXIT_CONFIG, EXIT_FAILED
from trakt_sync.paths import config_named_explicitly, state_paths

_MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}


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
    console = out_console()
    width = max(len(check["name"]) for check in checks)
    if not console.is_terminal:
        for check in checks:
            mark = _MARKS[check["status"]]
            console.print(f"{mark}  {check['name']:<{width}}  {check['detail']}", markup=False)
        return
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for check in checks:
        grid.add_row(_MARKS[check["status"]], check["name"], Text(check["detail"]))
    console.print(grid, soft_wrap=False)
