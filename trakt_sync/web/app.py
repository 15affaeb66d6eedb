"""The Starlette application's parts: the shared state, the guard every request passes, the
form routes and the error page; ``server.create_app`` puts them together with the routes of
the pages (``pages``) and of the JSON API (``api``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from trakt_sync import i18n
from trakt_sync.errors import TraktSyncError
from trakt_sync.reason_text import shown_reason
from trakt_sync.redact import SecretRegistry
from trakt_sync.timeutil import parse_instant, relative, utcnow, weekday_clock
from trakt_sync.web.jobs import SyncJobs, SyncState, TraktLogins
from trakt_sync.web.options import WebOptions
from trakt_sync.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    Session,
    Sessions,
    SignInThrottle,
    host_name,
)
from trakt_sync.words import OUTCOME_WORDS, PLAY_WORDS

if TYPE_CHECKING:
    from trakt_sync.runtime import Runtime

HERE = Path(__file__).parent
# Reachable before signing in: the sign-in form and what it needs.
OPEN_PATHS = ("/signin", "/static/")

FormHandler = Callable[[Request, dict[str, str]], Response]


class Web:
    """What every request shares: the options, sessions, running jobs and templates."""

    def __init__(self, options: WebOptions, secrets: SecretRegistry | None = None) -> None:
        self.options = options
        # The log's redaction reads this registry too (``trakt-sync web`` passes the CLI's).
        self.secrets = secrets if secrets is not None else SecretRegistry()
        self.secrets.add(options.password)
        self.sessions = Sessions(options.session_idle)
        self.throttle = SignInThrottle()
        self.jobs = SyncJobs(self.runtime, self.secrets)
        self.logins = TraktLogins(self.runtime, self.secrets)
        self.flashes: dict[str, list[tuple[str, str]]] = {}
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.filters["ago"] = _ago
        self.templates.env.filters["seconds"] = _seconds
        self.templates.env.filters["duration"] = _duration
        self.templates.env.filters["local"] = _local
        self.templates.env.filters["reason"] = shown_reason
        # The page speaks the CLI's language (ui.language, else LANG/LC_MESSAGES).
        self.templates.env.globals.update(
            _=i18n._,
            html_lang="zh-Hans" if i18n.is_chinese() else "en",
            outcome_words=OUTCOME_WORDS,
            play_words=PLAY_WORDS,
        )

    @contextmanager
    def runtime(self, profile: str) -> Iterator[Runtime]:
        from trakt_sync.profile_runtime import open_runtime

        with open_runtime(
            self.options.config_path,
            profile,
            must_exist=self.options.config_must_exist,
            registry=self.secrets,
        ) as rt:
            yield rt

    def start_sync(self, profile: str, dry_run: bool) -> SyncState:
        """Start a sync of ``profile`` in the background (the page's button and the API);
        LockHeld when one runs, here or in another process holding its lock."""
        from trakt_sync.syncjob import sync_running

        with self.runtime(profile) as rt:
            lock = rt.paths.lock(profile)
        return self.jobs.start(profile, dry_run, lambda: sync_running(lock))

    def profiles(self) -> list[str]:
        """Read again on every request: a profile added to the file shows at once."""
        from trakt_sync.config import profile_names, read_toml
        from trakt_sync.errors import ConfigError

        try:
            data = read_toml(self.options.config_path, must_exist=self.options.config_must_exist)
        except ConfigError:
            return ["default"]  # the page that opens it shows why (Settings: the whole error)
        return profile_names(data)

    def profile_of(self, request: Request, form: dict[str, str] | None = None) -> str:
        """The profile a request names (``?profile=``), if the config has it."""
        name = (form or {}).get("profile") or request.query_params.get("profile") or "default"
        return name if name in self.profiles() else "default"

    def flash(self, request: Request, text: str, kind: str = "info") -> None:
        self.flashes.setdefault(session_of(request).sid, []).append((kind, text))

    def render(
        self, request: Request, page: str, status_code: int = 200, **context: Any
    ) -> Response:
        session = session_of(request)
        context.update(
            request=request,
            page=page,
            csrf=self.sessions.csrf_token(session),
            flashes=self.flashes.pop(session.sid, []),
            signed_in=session.signed_in,
            password=bool(self.options.password),
        )
        if not (self.options.password and not session.signed_in):
            context.setdefault("profiles", self.profiles())
        return self.templates.TemplateResponse(
            request, f"{page}.html", context, status_code=status_code
        )


def session_of(request: Request) -> Session:
    session: Session = request.state.session
    return session


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


async def read_form(request: Request) -> dict[str, str]:
    """A urlencoded form or a JSON object (what the page's script sends), as text values."""
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in data.items()}
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def post(path: str, handler: FormHandler) -> Route:
    """A state-changing route: refused (403) without the session's CSRF token."""

    async def endpoint(request: Request) -> Response:
        web = web_of(request)
        form = await read_form(request)
        token = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
        if not web.sessions.csrf_ok(session_of(request), token):
            return PlainTextResponse("403: the CSRF token is missing or wrong", status_code=403)
        return await run_in_threadpool(handler, request, form)

    return Route(path, endpoint, methods=["POST"])


class Guard(BaseHTTPMiddleware):
    """The Host check, the session, the password gate and the security headers."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        web = web_of(request)
        response: Response
        if host_name(request.headers.get("host")) not in web.options.allowed_hosts():
            response = PlainTextResponse("400: unknown Host", status_code=400)
        else:
            session = web.sessions.load(request.cookies.get(SESSION_COOKIE))
            request.state.session = session
            path = request.url.path
            if web.options.password and not session.signed_in and not path.startswith(OPEN_PATHS):
                response = (
                    JSONResponse({"error": {"message": "sign in first"}}, status_code=401)
                    if path.startswith("/api/")
                    else RedirectResponse("/signin", status_code=303)
                )
            else:
                response = await call_next(request)
            response.set_cookie(
                SESSION_COOKIE,
                web.sessions.dump(session_of(request)),
                httponly=True,
                samesite="strict",
                path="/",
            )
        response.headers.update(SECURITY_HEADERS)
        return response


def _ago(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return relative(parse_instant(value) - utcnow())
    except ValueError:
        return str(value)


async def failed_page(request: Request, exc: Exception) -> Response:
    """What the CLI would print for the error (a broken config, a lock, no login), redacted."""
    web = web_of(request)
    message = web.secrets.redact(str(exc))
    if request.url.path.startswith("/api/"):
        code = exc.exit_code if isinstance(exc, TraktSyncError) else 1
        return JSONResponse({"error": {"message": message, "exit_code": code}}, status_code=500)
    if isinstance(exc, TraktSyncError):  # the page in its language, the API in English
        message = web.secrets.redact(exc.translated())
    return web.render(request, "error", profile="default", message=message, status_code=500)


def _local(value: str) -> str:
    """An instant in the server's time zone: ``Sun 2026-12-06 18:00 CST``."""
    try:
        return weekday_clock(parse_instant(value).astimezone())
    except ValueError:
        return value


def _duration(started: str | None, finished: str | None) -> str:
    try:
        seconds = (parse_instant(finished or "") - parse_instant(started or "")).total_seconds()
    except ValueError:
        return "—"
    return _seconds(seconds)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"
