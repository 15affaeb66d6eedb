"""``trakt-sync export FILE`` and ``import FILE``: settings and overrides of every profile."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trakt_sync.cli.state import CliState
from trakt_sync.errors import EXIT_USAGE
from trakt_sync.paths import state_paths

if TYPE_CHECKING:
    from trakt_sync.restore import ImportPlan


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
    if result.left_out:
        typer.echo(
            f"Secrets left out (set them again on another machine): {', '.join(result.left_out)}"
        )


def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A file from `trakt-sync export`.")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Apply without asking (needed off a terminal).")
    ] = False,
    merge: Annotated[
        bool,
        typer.Option("--merge", help="Keep the settings the backup does not name."),
    ] = False,
    allow_url_change: Annotated[
        bool,
        typer.Option(
            "--allow-url-change",
            help="With --yes: accept that a Trakt, Bangumi or sink URL changes "
            "(their credentials are then sent to the new address).",
        ),
    ] = False,
) -> None:
    """Restore settings and overrides from `export`: checked and shown first, then written
    when confirmed; the previous config file is kept as config.toml.bak."""
    from trakt_sync.backup import read_backup
    from trakt_sync.restore import apply_import, plan_import

    state: CliState = ctx.obj
    paths = state_paths()
    plan = plan_import(read_backup(path), state.config_path, paths, merge=merge)
    _show(plan, merge)
    if not plan.changes_anything:
        return
    if not _confirmed(plan, yes, allow_url_change):
        raise typer.Exit(EXIT_USAGE)
    added = apply_import(plan, paths)
    if plan.settings_change:
        kept = f"; the previous file is {plan.backup_path}" if plan.current_bytes else ""
        typer.echo(f"Wrote {state.config_path}{kept}")
    for name, given in plan.overrides_given.items():
        typer.echo(
            f"Overrides of profile {name}: {added.get(name, 0)} added, "
            f"{given - added.get(name, 0)} already present"
        )


def _show(plan: ImportPlan, merge: bool) -> None:
    where = plan.config_path
    if plan.settings_changes:
        how = "merged into" if merge else "replacing the settings of"
        typer.echo(f"Settings: {len(plan.settings_changes)} change(s), {how} {where}")
        for line in plan.settings_changes:
            typer.echo(f"  {line}")
    else:
        typer.echo(f"Settings: unchanged ({where})")
    for name, given in plan.overrides_given.items():
        new = len(plan.overrides_new.get(name, []))
        typer.echo(f"Overrides of profile {name}: {new} new, {given - new} already present")
    if plan.url_changes:
        typer.echo("Credentials would go to a new address:")
        for line in plan.url_changes:
            typer.echo(f"  {line}")


def _confirmed(plan: ImportPlan, yes: bool, allow_url_change: bool) -> bool:
    """Asked on a terminal; off one, --yes (and --allow-url-change for a URL change)."""
    if yes:
        if plan.url_changes and not allow_url_change:
            _nothing_written("a credential URL changes: add --allow-url-change to accept it")
            return False
        return True
    if not sys.stdin.isatty():
        _nothing_written("not asked, as stdin is not a terminal: add --yes to apply")
        return False
    if plan.url_changes and not typer.confirm(
        "Send those credentials to the new address(es)?", default=False
    ):
        _nothing_written("the URL change was declined")
        return False
    if not typer.confirm("Apply these changes?", default=False):
        _nothing_written("declined")
        return False
    return True


def _nothing_written(why: str) -> None:
    print(f"trakt-sync: nothing written: {why}", file=sys.stderr)
