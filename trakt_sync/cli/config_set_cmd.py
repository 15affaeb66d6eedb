"""``trakt-sync config set KEY VALUE``: change one setting, validated, comments kept."""

from __future__ import annotations

from typing import Annotated

import typer

from trakt_sync.cli.output import note
from trakt_sync.cli.state import CliState


def set_(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(
            help="SECTION.KEY (e.g. sync.schedule); with -p NAME it goes under "
            "[profiles.NAME], or write profiles.NAME.SECTION.KEY.",
            metavar="KEY",
        ),
    ],
    value: Annotated[
        str,
        typer.Argument(
            help='A TOML value (true, 250, "text") or plain text: 5m, 0 3 * * *.',
            metavar="VALUE",
        ),
    ],
) -> None:
    """Set one key in the config file; the whole file is validated before it is written.

    The file's comments and layout stay as they are. A new file is created 0600.
    """
    from trakt_sync.config_set import set_value

    state: CliState = ctx.obj
    path = state.config_path
    result = set_value(path, key, value, state.profile)
    before = result.old if result.old is not None else "(not set)"
    typer.echo(f"{result.key}: {before} → {result.new}")
    typer.echo(f"written to {path}")
    if result.overridden_by:
        note(f"note: the environment variable {result.overridden_by} overrides it")
