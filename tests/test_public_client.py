"""Trakt as a public client (issue 18, points 2 and 3): a client id is enough, a secret is sent
only when configured, and each way Trakt can refuse the app or the login is said in words."""

from __future__ import annotations

import io
import json

import httpx
import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.webhook import FakeWebhook
from trakt_sync.trakt_app import APPS_PAGE


def oauth_bodies(sandbox: Sandbox, path: str) -> list[dict[str, str]]:
    return [r.json for r in sandbox.trakt.requests if r.path == path]


def test_login_and_refresh_work_with_a_client_id_alone(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("auth")
    assert result.code == 0, result.err
    assert "Logged in to Trakt as demo-user" in result.out
    monkeypatch.setattr("sys.stdin", io.StringIO(sandbox.bangumi_token + "\n"))
    assert cli("auth", "bangumi", "--with-token").code == 0
    sandbox.trakt.expire_access_tokens()  # the next API call answers 401: a refresh

    assert cli("sync").code == 0
    [code] = oauth_bodies(sandbox, "/oauth/device/code")
    [refresh] = oauth_bodies(sandbox, "/oauth/token")
    assert code == {"client_id": sandbox.trakt.client_id}
    assert refresh["client_id"] == sandbox.trakt.client_id and "client_secret" not in refresh
    assert all("client_secret" not in b for b in oauth_bodies(sandbox, "/oauth/device/token"))


def test_a_configured_secret_is_sent_and_must_match(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_SECRET", sandbox.trakt.client_secret)
    assert cli("auth").code == 0
    polls = oauth_bodies(sandbox, "/oauth/device/token")
    assert polls and all(b["client_secret"] == sandbox.trakt.client_secret for b in polls)

    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_SECRET", "not-the-apps-secret")
    result = cli("auth")
    assert result.code == 78
    assert "trakt.client_secret does not belong to it" in result.err
    assert "not-the-apps-secret" not in result.err


def test_a_built_in_public_client_id_is_used_and_the_config_overrides_it(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAKT_SYNC_TRAKT__CLIENT_ID")
    monkeypatch.setattr("trakt_sync.trakt_app.PUBLIC_CLIENT_ID", sandbox.trakt.client_id)
    assert cli("auth").code == 0
    assert oauth_bodies(sandbox, "/oauth/device/code") == [{"client_id": sandbox.trakt.client_id}]

    monkeypatch.setattr("trakt_sync.trakt_app.PUBLIC_CLIENT_ID", "a-publishers-old-id")
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", sandbox.trakt.client_id)
    assert cli("auth").code == 0


def test_without_any_client_id_auth_and_config_check_say_what_is_missing(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAKT_SYNC_TRAKT__CLIENT_ID")
    result = cli("auth")
    assert result.code == 78
    message = " ".join(result.err.split())
    assert "trakt.client_id: not set" in message
    assert "carries no public client id" in message
    assert "a public client id published for trakt-sync" in message  # way one
    assert APPS_PAGE in message and "VIP" in message  # way two
    assert "trakt.client_secret" not in message
    assert sandbox.trakt.requests == []

    # Valid, but not ready for `auth`: a problem, and 78 (issue 20.5).
    check = cli("config", "check", "--json")
    assert check.code == 78, check.err
    [profile] = json.loads(check.out)["profiles"]
    assert any(p.startswith("trakt.client_id: not set") for p in profile["problems"])
    assert "carries no public client id" in cli("config", "check").out


def test_a_removed_app_exits_78_in_words_on_api_calls_and_at_oauth(logged_in: Sandbox, cli) -> None:
    ours = logged_in.trakt.client_id
    logged_in.trakt.client_id = "a-different-app"  # Trakt no longer knows ours
    result = cli("sync")
    assert result.code == 78, result.err
    message = " ".join(result.err.split())
    assert f"Trakt no longer knows the client id '{ours}' (403" in message
    assert "API apps need an active Trakt VIP membership" in message
    assert "2026-07-31" in message and APPS_PAGE in message

    result = cli("auth")
    assert result.code == 78
    message = " ".join(result.err.split())
    assert f"Trakt no longer knows the client id '{ours}' (invalid_client)" in message
    assert APPS_PAGE in message


def test_a_login_ended_on_trakts_side_exits_77_and_notifies(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeWebhook() as hook:
        monkeypatch.setenv("TRAKT_SYNC_NOTIFY__WEBHOOK_URL", hook.url)
        logged_in.trakt.expire_access_tokens()
        logged_in.trakt.revoke_refresh_tokens()
        result = cli("sync")
        assert result.code == 77
        message = " ".join(result.err.split())
        assert "the Trakt login was ended on Trakt's side" in message
        assert "connecting another community app can end this one" in message
        assert "run `trakt-sync auth` again" in message
        [payload] = hook.payloads
    assert payload["event"] == "needs_auth"
    assert "the Trakt login was ended on Trakt's side" in payload["message"]
    # Remembered: the next run says the same without asking Trakt again.
    logged_in.trakt.reset_log()
    assert "ended on Trakt's side" in cli("sync").err
    assert logged_in.trakt.count("^/oauth/token$") == 0
    assert json.loads(cli("auth", "status", "--json").out)["trakt"]["rejected"] is True


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        ("denied", ["login was denied on Trakt (418)", "run `trakt-sync auth` again", "free"]),
        ("expired", ["expired before it was approved on Trakt (410)", "`trakt-sync auth` again"]),
    ],
)
def test_a_denied_or_expired_device_code_says_so_and_how_to_retry(
    sandbox: Sandbox, cli, outcome: str, words: list[str]
) -> None:
    sandbox.trakt.device_script = ["pending", outcome]
    result = cli("auth")
    assert result.code == 77
    message = " ".join(result.err.split()).lower()
    for word in words:
        assert word.lower() in message


def test_the_sandbox_admin_routes_replay_trakts_refusals(logged_in: Sandbox, cli) -> None:
    """What the README's sandbox uses by hand: a scripted device outcome, ended logins."""
    url = logged_in.trakt.url
    bad = httpx.post(f"{url}/_admin/device-script", json={"outcomes": ["nonsense"]})
    assert bad.status_code == 422
    scripted = httpx.post(f"{url}/_admin/device-script", json={"outcomes": ["denied"]})
    assert scripted.status_code == 200
    assert "denied on Trakt (418)" in cli("auth").err

    assert httpx.post(f"{url}/_admin/end-logins", json={}).status_code == 204
    result = cli("sync")
    assert result.code == 77 and "ended on Trakt's side" in result.err
