"""The web page over HTTP (no browser): the guard every request passes, and the JSON API
answering with the CLI's ``--json`` documents. The browser tests are test_web_browser.py."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Sandbox
from tests.helpers import wait_until
from tests.test_json_schemas import assert_valid
from trakt_sync.web.options import WebOptions
from trakt_sync.web.server import create_app

with warnings.catch_warnings():  # Starlette would rather have httpx2 drive its TestClient
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE = "http://127.0.0.1:8765"
POSTS = ["/sync", "/unmatched/map", "/login/trakt", "/login/bangumi", "/signout", "/api/sync"]


def options(home: Path, **kw: object) -> WebOptions:
    return WebOptions(config_path=home / "config.toml", config_must_exist=False, **kw)  # type: ignore[arg-type]


@pytest.fixture
def client(logged_in: Sandbox) -> Iterator[TestClient]:
    with TestClient(create_app(options(logged_in.home)), base_url=BASE) as c:
        yield c


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def secrets_of(sandbox: Sandbox) -> list[str]:
    """Every secret the fakes know: the app's secret, Bangumi tokens, issued Trakt tokens."""
    found = [sandbox.trakt.client_secret, sandbox.bangumi_token]
    found += [u["token"] for u in sandbox.bangumi.world["bangumi"]["users"]]
    for token in sandbox.trakt._tokens.values():
        found += [token.access_token, token.refresh_token]
    return [s for s in found if s]


def test_every_post_without_the_csrf_token_is_403(client: TestClient) -> None:
    client.get("/")  # a session, so only the token is missing
    for path in POSTS:
        assert client.post(path, data={"profile": "default"}).status_code == 403, path
        assert client.post(path, data={"csrf_token": "forged"}).status_code == 403, path
    assert client.post("/api/sync", json={"dry_run": True}).status_code == 403


def test_a_post_with_the_token_goes_through(client: TestClient) -> None:
    token = csrf_of(client.get("/sync").text)
    answer = client.post("/api/sync", json={"dry_run": True}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 202
    assert answer.json()["dry_run"] is True
    wait_until(lambda: not client.get("/api/sync").json()["running"], what="the dry run")
    done = client.get("/api/sync").json()
    assert done["result"]["dry_run"] is True and done["lines"][0] == "Would change on Bangumi:"
    assert_valid("web-sync", done)
    assert_valid("sync", done["result"])


def test_a_foreign_host_header_is_refused(client: TestClient) -> None:
    assert client.get("/", headers={"Host": "evil.example:8765"}).status_code == 400
    assert client.get("/api/status", headers={"Host": "rebind.attacker.test"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200


def test_security_headers_and_the_session_cookie(client: TestClient) -> None:
    answer = client.get("/")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "<script>" not in answer.text and " on" + "click=" not in answer.text


def test_the_api_answers_with_the_cli_documents(client: TestClient, cli) -> None:
    assert cli("sync").code in (0, 1)
    for path, schema in [
        ("/api/status?profile=default", "status"),
        ("/api/unmatched", "unmatched"),
        ("/api/unmatched?skipped=1", "unmatched"),
        ("/api/auth", "auth-status"),
        ("/api/map", "map-list"),
        ("/api/config", "config-check"),
    ]:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert_valid(schema, answer.json())
    assert client.get("/api/unmatched").json() == json.loads(cli("unmatched", "--json").out)
    assert client.get("/api/auth").json() == json.loads(cli("auth", "status", "--json").out)
    page = client.get("/api/status?profile=default").json()
    command = json.loads(cli("status", "--json").out)
    assert page["items"] == command["items"] and page["last_run"] == command["last_run"]
    every = client.get("/api/status").json()
    assert [p["profile"] for p in every["profiles"]] == ["default"]
    runs = client.get("/api/runs").json()["runs"]
    assert_valid("runs", {"profile": "default", "runs": runs})
    assert runs[0]["outcome"] == command["last_run"]["outcome"]
    assert {c["headline"] for c in runs[0]["changes"]} >= {"S1 E1–E12 → 看过"}


def test_no_secret_in_any_page_or_api_answer(client: TestClient, logged_in: Sandbox, cli) -> None:
    cli("sync")
    pages = ["/", "/unmatched", "/unmatched?tab=skipped", "/runs", "/sync", "/login", "/settings"]
    apis = ["/api/status", "/api/unmatched", "/api/auth", "/api/map", "/api/runs", "/api/config"]
    apis += ["/api/sync", "/api/login/trakt"]
    bodies = [client.get(path).text for path in pages + apis]
    assert all(bodies)
    for secret in secrets_of(logged_in):
        for path, body in zip(pages + apis, bodies, strict=True):
            assert secret not in body, f"a secret in {path}"


def test_the_bangumi_token_form_checks_the_token(client: TestClient, logged_in: Sandbox) -> None:
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login/bangumi", data={"csrf_token": token, "token": "not-a-token"})
    assert "Bangumi refused this token" in answer.text
    answer = client.post(
        "/login/bangumi", data={"csrf_token": token, "token": logged_in.bangumi_token}
    )
    assert "Logged in to Bangumi as demo" in answer.text
    assert logged_in.bangumi_token not in answer.text


def test_with_a_password_the_page_asks_for_it_first(logged_in: Sandbox) -> None:
    app = create_app(options(logged_in.home, password="open sesame", session_idle=60.0))
    with TestClient(app, base_url=BASE) as client:
        assert client.get("/", follow_redirects=False).headers["location"] == "/signin"
        assert client.get("/api/status").status_code == 401
        token = csrf_of(client.get("/signin").text)
        wrong = client.post("/signin", data={"csrf_token": token, "password": "guess"})
        assert "Wrong password." in wrong.text
        throttle = app.state.web.throttle
        assert throttle.delay("testclient") == 1.0  # the next try waits a second
        right = client.post("/signin", data={"csrf_token": token, "password": "open sesame"})
        assert right.status_code == 200 and "Overview" in right.text
        assert throttle.delay("testclient") == 0.0
        assert "open sesame" not in right.text
        assert client.get("/api/status").status_code == 200
        sessions = app.state.web.sessions
        later = sessions.clock() + 61
        sessions.clock = lambda: later  # idle longer than session_idle: signed out
        assert client.get("/api/status").status_code == 401


def test_a_non_loopback_address_without_a_password_refuses_to_start(cli, isolated_env) -> None:
    result = cli("web", "--listen", "0.0.0.0:8765")
    assert result.code == 78
    assert "refusing to listen on 0.0.0.0" in result.err and "web.password" in result.err
    result = cli("web", "--listen", "192.168.1.20:8765")
    assert result.code == 78
    assert cli("web", "--listen", "nonsense").code == 78


def test_confirm_maps_the_episodes_where_the_matcher_placed_them(
    client: TestClient, logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPY x FAMILY's S1E13-E15 are episodes 1-3 of the second cour's subject: Confirm
    writes the override the unmatched reason's hint names, and the next sync marks them."""
    monkeypatch.setenv("TRAKT_SYNC_MATCHING__MIN_CONFIDENCE", "1.0")
    cli("sync")
    page = client.get("/unmatched").text
    assert 'name="episodes" value="S1E13-E15"' in page
    token = csrf_of(page)
    form = {"csrf_token": token, "show": "trakt:185614", "target": "373267"}
    answer = client.post("/unmatched/map", data={**form, "episodes": "S1E13-E15", "start_ep": "1"})
    assert "Added: override trakt:185614 S1E13-E15 → subject 373267" in answer.text
    assert "S1E13 → subject 373267 (override)" in answer.text
    overrides = json.loads(cli("map", "list", "--json").out)
    assert overrides == [{"show": "trakt:185614", "episodes": "S1E13-E15", "subject_id": 373267}]
    cli("sync")
    marked = logged_in.bangumi.collection("demo")[373267]["episodes"]
    assert list(marked.values()).count(2) == 3
    ignored = client.post("/unmatched/map", data={**form, "episodes": "S1", "target": "ignore"})
    assert "Added: override trakt:185614 S1 → ignore" in ignored.text
    typo = client.post("/unmatched/map", data={**form, "episodes": "S1", "target": "999999"})
    assert "Bangumi has no subject 999999" in typo.text


def test_the_daemon_serves_the_page_when_web_listen_is_set(
    logged_in: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process does both: the daemon's first (due) sync shows on the page's API."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TRAKT_SYNC_WEB__LISTEN", f"127.0.0.1:{port}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", "daemon"],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/api/sync?profile=default"

    def synced() -> bool:
        try:
            state = httpx.get(url, timeout=2).json()
        except httpx.HTTPError:
            return False
        return state.get("result") is not None

    try:
        wait_until(synced, timeout=60, what="the daemon's sync on the page")
        state = httpx.get(url).json()
        status = httpx.get(f"http://127.0.0.1:{port}/api/status?profile=default").json()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert f"web page at http://127.0.0.1:{port}/" in err
    assert state["result"]["outcome"] == "ok" and state["summary"].startswith("synced:")
    assert_valid("web-sync", state)
    assert status["last_run"]["outcome"] == "ok"
    for secret in secrets_of(logged_in):
        assert secret not in err


def test_a_broken_config_file_is_shown_not_a_stack_trace(
    client: TestClient, logged_in: Sandbox
) -> None:
    (logged_in.home / "config.toml").write_text("[sync]\nschedule = 'every day'\n")
    page = client.get("/unmatched")
    assert page.status_code == 500 and "sync.schedule" in page.text
    assert "Something needs fixing" in page.text and "Traceback" not in page.text
    assert client.get("/api/unmatched").json()["error"]["exit_code"] == 78
    settings = client.get("/settings")
    assert settings.status_code == 200 and "sync.schedule" in settings.text
    (logged_in.home / "config.toml").write_text("[sync\n")
    assert "invalid TOML" in client.get("/settings").text
    assert "invalid TOML" in client.get("/").text  # the profile's card says it


def test_every_profile_has_its_card_and_the_api_lists_them(
    client: TestClient, logged_in: Sandbox
) -> None:
    (logged_in.home / "config.toml").write_text(
        '[profiles.partner.sync]\nschedule = "0 3 * * *"\n', encoding="utf-8"
    )
    page = client.get("/").text
    assert "Profile default" in page and "Profile partner" in page
    assert 'id="count-synced-partner"' in page
    every = client.get("/api/status").json()
    assert [p["profile"] for p in every["profiles"]] == ["default", "partner"]
    assert client.get("/api/auth?profile=partner").json()["profile"] == "partner"
    assert client.get("/api/auth?profile=nobody").json()["profile"] == "default"
    assert '<option value="partner"' in client.get("/runs?profile=partner").text


def test_the_pages_answers_speak_chinese_when_asked(
    client: TestClient, logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form's answer (flash) is in the page's language: the mapping added and what it
    resolved, a mistyped subject, the Bangumi token form."""
    from trakt_sync import i18n

    monkeypatch.setenv("TRAKT_SYNC_MATCHING__MIN_CONFIDENCE", "1.0")
    cli("sync")
    before = i18n.language()
    monkeypatch.delenv("LANGUAGE", raising=False)
    try:
        i18n.use(i18n.CHINESE)
        token = csrf_of(client.get("/unmatched").text)
        form = {"csrf_token": token, "show": "trakt:185614", "target": "373267"}
        added = client.post("/unmatched/map", data={**form, "episodes": "S1E13-E15"}).text
        typo = client.post("/unmatched/map", data={**form, "episodes": "S1", "target": "999999"})
        empty = client.post("/login/bangumi", data={"csrf_token": token, "token": " "}).text
        wrong = client.post("/login/bangumi", data={"csrf_token": token, "token": "x"}).text
    finally:
        i18n.use(before)
    assert "已添加：手动映射 trakt:185614 S1E13-E15 → 条目 373267" in added
    assert "S1E13 → 条目 373267（手动映射）" in added
    assert "Bangumi 上没有条目 999999" in typo.text
    assert "令牌为空。" in empty and "Bangumi 拒绝了这个令牌" in wrong
