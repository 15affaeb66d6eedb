"""``trakt-sync map``: manual overrides that beat every automatic match."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any

import tomli_w
import typer

from trakt_sync.cli.output import JsonOption, emit_json
from trakt_sync.cli.state import CliState
from trakt_sync.errors import ConfigError
from trakt_sync.matching.overrides import Override
from trakt_sync.store import Store

app = typer.Typer(
    help="Manual mappings: Trakt show/season/episodes or film → Bangumi subject, or ignore.",
    no_args_is_help=True,
)
_TRAKT_URL = re.compile(r"trakt\.tv/(shows|movies)/([a-z0-9-]+)")


def normalise_key(value: str) -> str:
    """Accept trakt:N, slug:x, tmdb:N, movie:trakt:N, movie:tmdb:N or a trakt.tv URL."""
    match = _TRAKT_URL.search(value)
    if match:
        kind, slug = match.groups()
        if kind == "movies":
            raise typer.BadParameter("for a film use movie:trakt:N or movie:tmdb:N")
        return f"slug:{slug}"
    return value.strip()


def _parse(show: str, args: list[str], start_ep: int) -> Override:
    if not 1 <= len(args) <= 2:
        raise typer.BadParameter("expected [EPISODES] SUBJECT_ID|ignore, e.g. S1E13-E25 373267")
    target = args[-1]
    spec = args[0] if len(args) == 2 else None
    ignore = target.lower() == "ignore"
    if not ignore and not target.isdigit():
        raise typer.BadParameter(f"not a Bangumi subject id or 'ignore': {target!r}")
    try:
        return Override.parse(
            normalise_key(show),
            spec,
            None if ignore else int(target),
            start_ep=start_ep,
            ignore=ignore,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _reset_affected(store: Store, override: Override) -> int:
    """Send the plays an override touches back to be resolved on the next sync."""
    kind, _, value = override.show.partition(":")
    if override.is_movie:
        id_kind, _, number = value.partition(":")
        column = "media_trakt" if id_kind == "trakt" else "media_tmdb"
        return store.reset_resolutions(f"kind = 'movie' AND {column} = ?", (int(number),))
    column = {"trakt": "media_trakt", "tmdb": "media_tmdb", "slug": "media_slug"}[kind]
    where = f"kind = 'episode' AND {column} = ?"
    params: tuple[Any, ...] = (value if kind == "slug" else int(value),)
    if override.season is not None:
        where += " AND season = ?"
        params += (override.season,)
    return store.reset_resolutions(where, params)


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
    override = _parse(show, args, start_ep)
    state: CliState = ctx.obj
    with state.runtime() as rt:
        added = rt.store.add_override(override.to_dict())
        retried = _reset_affected(rt.store, override)
    typer.echo(
        f"{'Added' if added else 'Already present'}: {override.describe()}"
        f" ({retried} play(s) will be resolved again on the next sync)"
    )


@app.command("list")
def list_overrides(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the overrides."""
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
    override = _parse(show, args, start_ep)
    state: CliState = ctx.obj
    with state.runtime() as rt:
        if not rt.store.remove_override(override.to_dict()):
            raise typer.BadParameter(f"no such override: {override.describe()}")
        retried = _reset_affected(rt.store, override)
    typer.echo(f"Removed: {override.describe()} ({retried} play(s) will be resolved again)")


@app.command("export")
def export(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .toml or .json file to write.")],
) -> None:
    """Write the overrides to a TOML or JSON file."""
    state: CliState = ctx.obj
    with state.runtime() as rt:
        specs = rt.store.overrides()
    if path.suffix == ".json":
        path.write_text(json.dumps({"overrides": specs}, indent=2, ensure_ascii=False) + "\n")
    else:
        path.write_text(tomli_w.dumps({"overrides": specs}))
    typer.echo(f"Wrote {len(specs)} override(s) to {path}")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .toml or .json file from `map export`.")],
) -> None:
    """Add the overrides from a TOML or JSON file."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode())
        overrides = [Override.from_dict(spec) for spec in data.get("overrides", [])]
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot import overrides: {exc}") from None
    state: CliState = ctx.obj
    with state.runtime() as rt:
        added = sum(rt.store.add_override(o.to_dict()) for o in overrides)
        for override in overrides:
            _reset_affected(rt.store, override)
    typer.echo(f"Imported {added} new override(s) from {path}")
