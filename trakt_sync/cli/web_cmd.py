"""``trakt-sync web``: serve the local web page until stopped."""

from __future__ import annotations

from typing import Annotated

import typer

from trakt_sync.cli.output import note
from trakt_sync.cli.state import CliState
from trakt_sync.paths import config_named_explicitly


def web(
    ctx: typer.Context,
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen",
            help="HOST:PORT to serve on (default: web.listen, else 127.0.0.1:8765). Any "
            "address but loopback needs web.password.",
            metavar="HOST:PORT",
        ),
    ] = None,
) -> None:
    """Serve the web page: status, the unmatched review queue, sync now, and login."""
    from trakt_sync.config import profile_names, read_toml
    from trakt_sync.web.server import serve, web_options

    state: CliState = ctx.obj
    options = web_options(
        state.settings(),
        state.config_path,
        must_exist=config_named_explicitly(state.config),
        listen=listen,
        profiles=profile_names(read_toml(state.config_path)),
    )
    note(f"Serving the trakt-sync page at {options.url} (Ctrl-C to stop)")
    serve(options, state.registry)
