"""The HTML pages. Each GET shows what a CLI command prints; each form POSTs to a handler
that does what a command does, then redirects back (so a reload never repeats it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from trakt_sync.errors import LockHeld, TraktSyncError
from trakt_sync.i18n import _
from trakt_sync.reason_text import shown_reason
from trakt_sync.timeutil import utcnow
from trakt_sync.web import actions, views
from trakt_sync.web.app import FormHandler, Web, session_of, web_of
from trakt_sync.web.security import Session, password_ok


def _back(path: str, profile: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'profile': profile, **query})}", status_code=303)


def _profile_error(web: Web, exc: Exception) -> str:
    return web.secrets.redact(exc.translated()) if isinstance(exc, TraktSyncError) else repr(exc)


def overview(request: Request) -> Response:
    web = web_of(request)
    now = utcnow()
    cards: list[dict[str, Any]] = []
    for name in web.profiles():
        try:
            with web.runtime(name) as rt:
                status = views.status(rt, now, original=False)
                cards.append({"name": name, "status": status, "error": None})
        except TraktSyncError as exc:
            cards.append({"name": name, "status": None, "error": _profile_error(web, exc)})
        job = web.jobs.state(name)
        cards[-1]["job"] = job.as_dict() if job else None
    return web.render(request, "overview", cards=cards, profile=web.profile_of(request))


def unmatched(request: Request) -> Response:
    web = web_of(request)
    profile = web.profile_of(request)
    skipped = request.query_params.get("tab") == "skipped"
    with web.runtime(profile) as rt:
        groups = views.unmatched(rt, skipped, original=False)
        for group in groups:
            group["spec"] = views.season_spec(group)
            for cand in group["candidates"]:
                if cand.get("subject_id") is not None:
                    cand["facts"] = views.subject_facts(rt, int(cand["subject_id"]))
                cand["confirm"] = views.confirm_spec(group, cand)
    return web.render(request, "unmatched", profile=profile, groups=groups, skipped=skipped)


def map_group(request: Request, form: dict[str, str]) -> Response:
    """Confirm (a candidate's id), Ignore ("ignore") or a typed Subject id: ``map add``."""
    web = web_of(request)
    profile = web.profile_of(request, form)
    start = form.get("start_ep", "1")
    try:
        with web.runtime(profile) as rt:
            result = actions.map_group(
                rt,
                form.get("show", ""),
                form.get("episodes") or None,
                form.get("target", ""),
                int(start) if start.lstrip("-").isdigit() else 1,
            )
    except TraktSyncError as exc:
        web.flash(request, _profile_error(web, exc), "error")
    else:
        web.flash(request, result.message, "ok" if result.ok else "error")
        for line in result.resolved:
            web.flash(request, line, "detail")
    return _back("/unmatched", profile)


def runs(request: Request) -> Response:
    web = web_of(request)
    profile = web.profile_of(request)
    with web.runtime(profile) as rt:
        history = views.runs(rt, original=False)
    return web.render(request, "runs", profile=profile, runs=history)


def sync_page(request: Request) -> Response:
    web = web_of(request)
    profile = web.profile_of(request)
    job = web.jobs.state(profile)
    return web.render(request, "sync", profile=profile, job=job.as_dict() if job else None)


def start_sync(request: Request, form: dict[str, str]) -> Response:
    web = web_of(request)
    profile = web.profile_of(request, form)
    try:
        web.start_sync(profile, form.get("dry_run") == "1")
    except LockHeld as exc:
        web.flash(request, _("Not started: {why}.").format(why=exc.translated()), "error")
    except TraktSyncError as exc:
        web.flash(request, _profile_error(web, exc), "error")
    return _back("/sync", profile)


def login_page(request: Request) -> Response:
    web = web_of(request)
    profile = web.profile_of(request)
    with web.runtime(profile) as rt:
        summary = views.auth(rt)
    login = web.logins.state(profile)
    qr = None
    if login is not None and login.verification_url and not login.finished:
        import segno

        qr = segno.make(login.verification_url, error="m").svg_data_uri(scale=4, border=2)
    return web.render(
        request,
        "login",
        profile=profile,
        auth=summary,
        login=login.as_dict() if login else None,
        qr=qr,
    )


def start_trakt_login(request: Request, form: dict[str, str]) -> Response:
    web = web_of(request)
    profile = web.profile_of(request, form)
    state = web.logins.start(profile)
    if state.error:
        why = shown_reason(state.error)
        web.flash(request, _("Trakt login failed: {why}").format(why=why), "error")
    return _back("/login", profile)


def bangumi_login(request: Request, form: dict[str, str]) -> Response:
    web = web_of(request)
    profile = web.profile_of(request, form)
    try:
        with web.runtime(profile) as rt:
            ok, message = actions.login_bangumi(rt, form.get("token", ""))
    except TraktSyncError as exc:
        ok, message = False, _profile_error(web, exc)
    web.flash(request, message, "ok" if ok else "error")
    return _back("/login", profile)


def settings(request: Request) -> Response:
    from trakt_sync.config_report import check_data

    web = web_of(request)
    data = check_data(
        web.options.config_path,
        must_exist=web.options.config_must_exist,
        registry=web.secrets,
        now=utcnow(),
    )
    return web.render(
        request, "settings", profile=web.profile_of(request), check=data, options=web.options
    )


def signin_page(request: Request) -> Response:
    return web_of(request).render(request, "signin", profile="default")


async def signin(request: Request) -> Response:
    """The password form: slower answers after each failure, a new session on success."""
    from trakt_sync.web.app import read_form

    web = web_of(request)
    form = await read_form(request)
    session = session_of(request)
    if not web.sessions.csrf_ok(session, form.get("csrf_token")):
        return Response("403: the CSRF token is missing or wrong", status_code=403)
    client = request.client.host if request.client else "?"
    await asyncio.sleep(web.throttle.delay(client))
    if web.options.password and password_ok(form.get("password", ""), web.options.password):
        web.throttle.succeeded(client)
        fresh = web.sessions.load(None)
        request.state.session = Session(fresh.sid, fresh.seen, signed_in=True)
        return RedirectResponse("/", status_code=303)
    web.throttle.failed(client)
    web.flash(request, _("Wrong password."), "error")
    return RedirectResponse("/signin", status_code=303)


def signout(request: Request, form: dict[str, str]) -> Response:
    request.state.session = web_of(request).sessions.load(None)
    return RedirectResponse("/signin" if web_of(request).options.password else "/", 303)


def routes(post: Callable[[str, FormHandler], Route]) -> list[Route]:
    return [
        Route("/", overview),
        Route("/unmatched", unmatched),
        post("/unmatched/map", map_group),
        Route("/runs", runs),
        Route("/sync", sync_page),
        post("/sync", start_sync),
        Route("/login", login_page),
        post("/login/trakt", start_trakt_login),
        post("/login/bangumi", bangumi_login),
        Route("/settings", settings),
        Route("/signin", signin_page),
        Route("/signin", signin, methods=["POST"]),
        post("/signout", signout),
    ]
