"""``trakt-sync map``: manual overrides that beat every automatic match."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trakt_sync.cli.output import JsonOption, emit_json
from trakt_sync.cli.state import CliState

if TYPE_CHECKING:
    from trakt_sync.matching.overrides import Override

app = typer.Typer(
    help="Manual mappings: Trakt show/season/episodes or film → Bangumi subject, or ignore.",
    no_args_is_help=True,
)


def _parse(show: str, args: list[str], start_ep: int) -> Override:
    from trakt_sync.mapping_ops import parse_override

    try:
        return parse_override(show, args, start_ep)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("add")
def add(
    ctx: typer.Context,
    show: Annotated[
        str,
        typer.Argument(
            help="trakt:N, slug:x, tmdb:N, movie:trakt:N, movie:tmdb:N or a trakt.tv show URL"
        ),
    ],
    args: Annotated[
        list[str],
        typer.Argument(
            help="[EPISODES like S1E13-E25] SUBJECT_ID|ignore",
            metavar="[EPISODES] SUBJECT_ID|ignore",
        ),
    ],
    start_ep: Annotated[
        int,
        typer.Option(
            "--start-ep", help="The subject's episode that the first Trakt episode maps to."
        ),
    ] = 1,
) -> None:
    """Add an override; the affected plays are retried on the next sync."""
    from trakt_sync.mapping_ops import add_override

    override = _parse(show, args, start_ep)
    state: CliState = ctx.obj
    with state.runtime() as rt:
        added, retried = add_override(rt.store, override)
    typer.echo(
        f"{'Added' if added else 'Already present'}: {override.describe()}"
        f" ({retried} play(s) will be resolved again on the next sync)"
    )


@app.command("list")
def list_overrides(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the overrides."""
    from trakt_sync.matching.overrides import Override

    state: CliState = ctx.obj
    with state.runtime() as rt:
        specs = rt.store.overrides()
    if as_json:
        emit_json(specs)
        return
    if not specs:
        typer.echo("No overrides.")
    for spec in specs:
        typer.echo(Override.from_dict(spec).describe())


@app.command("remove")
def remove(
    ctx: typer.Context,
    show: Annotated[str, typer.Argument(help="The key the override was added with.")],
    args: Annotated[list[str], typer.Argument(metavar="[EPISODES] SUBJECT_ID|ignore")],
    start_ep: Annotated[int, typer.Option("--start-ep")] = 1,
) -> None:
    """Remove an override (give the same arguments as to add)."""
    from trakt_sync.mapping_ops import remove_override

    override = _parse(show, args, start_ep)
    state: CliState = ctx.obj
    with state.runtime() as rt:
        retried = remove_override(rt.store, override)
    if retried is None:
        raise typer.BadParameter(f"no such override: {override.describe()}")
    typer.echo(f"Removed: {override.describe()} ({retried} play(s) will be resolved again)")


@app.command("export")
def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .toml or .json file to write.")],
) -> None:
    """Write the overrides to a TOML or JSON file."""
    from trakt_sync.mapping_ops import export_overrides

    state: CliState = ctx.obj
    with state.runtime() as rt:
        written = export_overrides(rt.store, path)
    typer.echo(f"Wrote {written} override(s) to {path}")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .toml or .json file from `map export`.")],
) -> None:
    """Add the overrides from a TOML or JSON file."""
    from trakt_sync.mapping_ops import import_overrides, read_overrides

    overrides = read_overrides(path)
    state: CliState = ctx.obj
    with state.runtime() as rt:
        added = import_overrides(rt.store, overrides)
    typer.echo(f"Imported {added} new override(s) from {path}")
