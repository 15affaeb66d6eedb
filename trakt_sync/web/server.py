"""Serving the page: in the foreground (``trakt-sync web``) or in a thread of the daemon."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from trakt_sync.config import Settings
from trakt_sync.config_web import split_listen
from trakt_sync.errors import ConfigError
from trakt_sync.i18n import N_
from trakt_sync.redact import SecretRegistry
from trakt_sync.web.options import DEFAULT_LISTEN, WebOptions, check_bind

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

    from trakt_sync.web.jobs import SyncJobs

log = logging.getLogger("trakt_sync.daemon")


def web_options(
    settings: Settings,
    config_path: Path,
    *,
    must_exist: bool,
    listen: str | None,
    profiles: list[str],
) -> WebOptions:
    """The options from ``--listen`` (else ``web.listen``, else 127.0.0.1:8765) and the
    ``[web]`` section; ConfigError for an address that may not be used without a password."""
    web = settings.web
    try:
        host, port = split_listen(listen or web.listen or DEFAULT_LISTEN)
    except ValueError as exc:
        raise ConfigError(f"--listen: {exc}") from None
    password = web.password.get_secret_value() if web.password else None
    check_bind(host, password, config_path)
    return WebOptions(
        config_path=config_path,
        config_must_exist=must_exist,
        host=host,
        port=port,
        password=password or None,
        hosts=tuple(web.hosts),
        session_idle=web.session_idle,
        profiles=tuple(profiles),
    )


def create_app(options: WebOptions, secrets: SecretRegistry | None = None) -> Starlette:
    """The page's routes (pages and API), its guard and error page over one ``Web`` state."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    from trakt_sync.errors import TraktSyncError
    from trakt_sync.web import api, pages
    from trakt_sync.web.app import HERE, Guard, Web, failed_page, post

    app = Starlette(
        routes=[
            *pages.routes(post),
            *api.routes(post),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        middleware=[Middleware(Guard)],
        exception_handlers={TraktSyncError: failed_page},
    )
    app.state.web = Web(options, secrets)
    return app


def _server(options: WebOptions, app: Starlette | None = None) -> uvicorn.Server:
    import uvicorn

    config = uvicorn.Config(
        app or create_app(options),
        host=options.host,
        port=options.port,
        log_level="warning",
        access_log=False,  # the log holds what the page did, not every poll
        # uvicorn's records go to the root logger, whose handler redacts secrets.
        log_config=None,
        lifespan="off",
    )
    return uvicorn.Server(config)


def serve(options: WebOptions, secrets: SecretRegistry | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM; ``secrets`` is the registry the log redacts."""
    _server(options, create_app(options, secrets)).run()


def serve_in_thread(
    options: WebOptions, app: Starlette | None = None, wait: float = 10.0
) -> uvicorn.Server:
    """Serve beside the daemon's loop (signals stay the daemon's: uvicorn only takes them
    in the main thread); returns once it listens. ``server.should_exit = True`` stops it."""
    server = _server(options, app)
    thread = threading.Thread(target=server.run, name="trakt-sync-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + wait
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise ConfigError.said(N_("web: cannot listen on {url}"), url=options.url)
    return server


def serve_beside_daemon(
    settings: Settings,
    config_path: Path,
    *,
    must_exist: bool,
    profiles: list[str],
    secrets: SecretRegistry | None = None,
) -> SyncJobs | None:
    """When ``web.listen`` is set, serve the page beside the daemon; returns the page's
    jobs, through which the daemon's syncs show their progress there (None: no page)."""
    if not settings.web.listen:
        return None
    options = web_options(
        settings, config_path, must_exist=must_exist, listen=None, profiles=profiles
    )
    app = create_app(options, secrets)
    serve_in_thread(options, app)
    log.warning("web page at %s", options.url)
    jobs: SyncJobs = app.state.web.jobs
    return jobs
