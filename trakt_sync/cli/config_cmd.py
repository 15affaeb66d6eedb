"""``trakt-sync config``: write the example, show the effective settings, print the path."""

from __future__ import annotations

from importlib import resources
from typing import Annotated

import tomli_w
import typer

from trakt_sync.cli.output import JsonOption, emit_json
from trakt_sync.cli.state import CliState
from trakt_sync.errors import ConfigError

app = typer.Typer(help="Create, inspect and locate the configuration file.", no_args_is_help=True)


def example_text() -> str:
    return (resources.files("trakt_sync") / "data" / "config.example.toml").read_text("utf-8")


@app.command("init")
def init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the documented example configuration to the config path."""
    state: CliState = ctx.obj
    path = state.config_path
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists; use --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example_text(), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from None
    typer.echo(f"Wrote {path}")


@app.command("show")
def show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Print the effective configuration (file + env + defaults), secrets redacted."""
    state: CliState = ctx.obj
    data = state.settings().redacted()
    if as_json:
        emit_json(data)
        return
    clean = {
        section: {key: value for key, value in values.items() if value is not None}
        for section, values in data.items()
    }
    typer.echo(f"# profile: {state.profile}; file: {state.config_path}")
    typer.echo(tomli_w.dumps(clean), nl=False)


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the path of the configuration file in use."""
    state: CliState = ctx.obj
    typer.echo(str(state.config_path))
