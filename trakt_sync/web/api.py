"""The JSON API under ``/api/``: the documents of the CLI's ``--json`` (the same schemas in
trakt_sync/data/schemas), plus the run history and the state of a sync started here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trakt_sync.errors import LockHeld, TraktSyncError
from trakt_sync.timeutil import utcnow
from trakt_sync.web import views
from trakt_sync.web.app import FormHandler, Web, web_of


def _error(web: Web, exc: Exception, status: int) -> JSONResponse:
    from trakt_sync.errors import ConfigError, NeedsAuth, TryLater

    kinds = ((ConfigError, "config"), (NeedsAuth, "needs_auth"), (TryLater, "try_later"))
    kind = next((name for klass, name in kinds if isinstance(exc, klass)), "error")
    code = exc.exit_code if isinstance(exc, TraktSyncError) else 1
    message = web.secrets.redact(str(exc))
    return JSONResponse(
        {"error": {"message": message, "exit_code": code, "type": kind}}, status_code=status
    )


def _answer(request: Request, build: Callable[[Web, str], Any]) -> Response:
    web = web_of(request)
    try:
        return JSONResponse(build(web, web.profile_of(request)))
    except TraktSyncError as exc:
        return _error(web, exc, 500)


def status(request: Request) -> Response:
    """``status --json`` for ``?profile=``; without it ``status --all --json``."""

    def build(web: Web, profile: str) -> Any:
        now = utcnow()
        names = [profile] if "profile" in request.query_params else web.profiles()
        reports = []
        for name in names:
            with web.runtime(name) as rt:
                reports.append(views.status(rt, now))
        return reports[0] if "profile" in request.query_params else {"profiles": reports}

    return _answer(request, build)


def unmatched(request: Request) -> Response:
    skipped = request.query_params.get("skipped") in ("1", "true")

    def build(web: Web, profile: str) -> Any:
        with web.runtime(profile) as rt:
            return views.unmatched(rt, skipped)

    return _answer(request, build)


def auth(request: Request) -> Response:
    def build(web: Web, profile: str) -> Any:
        with web.runtime(profile) as rt:
            return views.auth(rt)

    return _answer(request, build)


def overrides(request: Request) -> Response:
    def build(web: Web, profile: str) -> Any:
        with web.runtime(profile) as rt:
            return views.overrides(rt)

    return _answer(request, build)


def runs(request: Request) -> Response:
    def build(web: Web, profile: str) -> Any:
        with web.runtime(profile) as rt:
            return {"profile": profile, "runs": views.runs(rt)}

    return _answer(request, build)


def config(request: Request) -> Response:
    from trakt_sync.config_report import check_data

    web = web_of(request)
    opts = web.options
    return JSONResponse(
        check_data(
            opts.config_path, must_exist=opts.config_must_exist, registry=web.secrets, now=utcnow()
        )
    )


def sync_state(request: Request) -> Response:
    """The sync started here (progress, then ``sync --json``'s document), or whether one
    started elsewhere holds the profile's lock."""
    from trakt_sync.syncjob import sync_running

    def build(web: Web, profile: str) -> Any:
        job = web.jobs.state(profile)
        if job is not None and not job.finished:
            return job.as_dict()
        with web.runtime(profile) as rt:
            elsewhere = sync_running(rt.paths.lock(profile))
        data = job.as_dict() if job is not None else _no_job(profile)
        data["running"] = elsewhere
        data["elsewhere"] = elsewhere
        return data

    return _answer(request, build)


def _no_job(profile: str) -> dict[str, Any]:
    return {
        "profile": profile,
        "running": False,
        "dry_run": False,
        "stage": None,
        "done": 0,
        "total": 0,
        "result": None,
        "lines": [],
        "summary": None,
        "error": None,
    }


def start_sync(request: Request, form: dict[str, str]) -> Response:
    web = web_of(request)
    profile = web.profile_of(request, form)
    try:
        job = web.start_sync(profile, form.get("dry_run") in ("1", "true"))
    except LockHeld as exc:
        return _error(web, exc, 409)
    except TraktSyncError as exc:
        return _error(web, exc, 500)
    return JSONResponse(job.as_dict(), status_code=202)


def trakt_login(request: Request) -> Response:
    def build(web: Web, profile: str) -> Any:
        login = web.logins.state(profile)
        return login.as_dict() if login else {"profile": profile, "waiting": False}

    return _answer(request, build)


def routes(post: Callable[[str, FormHandler], Route]) -> list[Route]:
    return [
        Route("/api/status", status),
        Route("/api/unmatched", unmatched),
        Route("/api/auth", auth),
        Route("/api/map", overrides),
        Route("/api/runs", runs),
        Route("/api/config", config),
        Route("/api/sync", sync_state),
        post("/api/sync", start_sync),
        Route("/api/login/trakt", trakt_login),
    ]
