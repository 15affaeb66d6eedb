"""``trakt-sync export FILE`` and ``import FILE``: settings and overrides of every profile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trakt_sync.cli.state import CliState
from trakt_sync.paths import state_paths


def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The TOML file to write.")],
) -> None:
    """Back up every profile's settings and overrides to one TOML file (no token or secret)."""
    from trakt_sync.backup import export_backup

    state: CliState = ctx.obj
    result = export_backup(state.config_path, state_paths(), path)
    counts = ", ".join(f"{name} {n}" for name, n in result.overrides.items())
    typer.echo(f"Wrote {path}: settings of {len(result.profiles)} profile(s); overrides: {counts}")


def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A file from `trakt-sync export`.")],
) -> None:
    """Restore settings and overrides from `export`: checked first, then written."""
    from trakt_sync.backup import import_backup, read_backup

    state: CliState = ctx.obj
    backup = read_backup(path)
    result = import_backup(backup, state.config_path, state_paths())
    if result.settings_changes:
        typer.echo(f"Settings: {len(result.settings_changes)} change(s) in {state.config_path}")
        for line in result.settings_changes:
            typer.echo(f"  {line}")
    else:
        typer.echo(f"Settings: unchanged ({state.config_path})")
    for name, given in result.overrides_given.items():
        added = result.overrides_added.get(name, 0)
        typer.echo(f"Overrides of profile {name}: {added} added, {given - added} already present")
