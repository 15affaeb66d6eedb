"""Trakt device login and Bangumi token, over loopback HTTP against the fakes."""

import io
import json
import os
import stat

import pytest

from tests.conftest import Sandbox


def test_device_flow_pending_then_success_stores_tokens_and_prints_username(
    sandbox: Sandbox, cli
) -> None:
    sandbox.trakt.device_script = ["pending", "pending", "approve"]
    result = cli("auth")
    assert result.code == 0, result.err
    assert "demo-user" in result.out
    assert "/activate" in result.err and "enter the code" in result.err
    polls = [r for r in sandbox.trakt.requests if r.path == "/oauth/device/token"]
    assert len(polls) == 3
    assert set(polls[0].json) == {"code", "client_id"}  # a public client: no secret
    token_file = sandbox.home / "tokens.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    stored = json.loads(token_file.read_text())["profiles"]["default"]["trakt"]
    assert stored["expires_at"] - stored["created_at"] == 86400
    assert stored["username"] == "demo-user"


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("denied", "denied"),
        ("expired", "expired"),
        ("invalid", "does not know this device code"),
        ("used", "already used"),
    ],
)
def test_device_flow_failures_exit_77_with_distinct_messages(
    sandbox: Sandbox, cli, outcome: str, message: str
) -> None:
    sandbox.trakt.device_script = ["pending", outcome]
    result = cli("auth")
    assert result.code == 77
    assert message in result.err
    assert not (sandbox.home / "tokens.json").exists()


def test_slow_down_makes_polling_slower(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr("trakt_sync.trakt_auth.time.sleep", waits.append)
    sandbox.trakt.device_script = ["slow_down", "approve"]
    assert cli("auth").code == 0
    assert waits[0] == 0 and waits[1] >= 5  # interval 0, then +5 s after the 429


def test_auth_without_client_id_is_a_config_error(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAKT_SYNC_TRAKT__CLIENT_ID")
    result = cli("auth")
    assert result.code == 78 and "trakt.client_id" in result.err


def test_bangumi_token_from_stdin_is_verified_and_status_shows_both(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("auth").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("bgm-demo-token\n"))
    result = cli("auth", "bangumi", "--with-token")
    assert result.code == 0, result.err
    assert "demo" in result.out
    assert sandbox.bangumi.count("^/v0/me$") == 1
    status = cli("status", "--json")
    data = json.loads(status.out)
    assert data["trakt"] == {
        "authenticated": True,
        "username": "demo-user",
        "expires_at": data["trakt"]["expires_at"],
    }
    assert data["bangumi"] == {"authenticated": True, "username": "demo", "origin": None}
    for output in (status.out, status.err, cli("auth", "status", "--json").out):
        assert "bgm-demo-token" not in output
        assert "trakt-at" not in output and "access_token" not in output


def test_bad_bangumi_token_is_reported_as_a_token_problem(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-token-value\n"))
    result = cli("auth", "bangumi", "--with-token")
    assert result.code == 77
    assert "rejected the access token" in result.err
    assert "wrong-token-value" not in result.err


def test_rejected_user_agent_is_not_reported_as_a_token_problem(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__USER_AGENT", "python-requests/2.31")
    monkeypatch.setattr("sys.stdin", io.StringIO("bgm-demo-token\n"))
    result = cli("auth", "bangumi", "--with-token")
    assert result.code == 78
    assert "User-Agent" in result.err and "bangumi.user_agent" in result.err
    assert "token" not in result.err.split("(403")[0]


def test_bangumi_prompt_refuses_a_non_terminal_stdin(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    result = cli("auth", "bangumi")
    assert result.code == 2 and "--with-token" in result.err


def test_env_bangumi_token_works_without_storing(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__TOKEN", "bgm-demo-token")
    data = json.loads(cli("auth", "status", "--json").out)
    assert data["bangumi"]["authenticated"] is True
    assert not (sandbox.home / "tokens.json").exists() or "bangumi" not in (
        json.loads((sandbox.home / "tokens.json").read_text())["profiles"].get("default", {})
    )


def test_env_bangumi_token_user_is_asked_once_and_remembered_without_the_token(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("auth").code == 0
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__TOKEN", sandbox.bangumi_token)
    # `status` never asks; `auth status` checks the token (issue 20.7) and remembers its user.
    assert json.loads(cli("status", "--json").out)["bangumi"]["username"] is None
    assert sandbox.bangumi.count("^/v0/me$") == 0
    before = json.loads(cli("auth", "status", "--json").out)["bangumi"]
    assert before["username"] == "demo" and before["check"]["ok"] is True
    assert before["origin"] == "the environment variable TRAKT_SYNC_BANGUMI__TOKEN"
    assert cli("sync").code == 0
    assert cli("sync", "--retry-unmatched").code == 0  # a run that reads the account again
    assert sandbox.bangumi.count("^/v0/me$") == 1
    after = json.loads(cli("status", "--json").out)["bangumi"]
    assert after["username"] == "demo"


def test_logout_revokes_at_trakt_and_deletes_locally(logged_in: Sandbox, cli) -> None:
    result = cli("auth", "logout")
    assert result.code == 0
    assert logged_in.trakt.count("^/oauth/revoke$") == 1
    data = json.loads(cli("auth", "status", "--json").out)
    assert not data["trakt"]["authenticated"] and not data["bangumi"]["authenticated"]


def test_token_file_with_loose_permissions_is_refused(logged_in: Sandbox, cli) -> None:
    token_file = logged_in.home / "tokens.json"
    os.chmod(token_file, 0o644)
    result = cli("status")
    assert result.code == 1
    assert "chmod 600" in result.err and "Traceback" not in result.err


def test_auth_keeps_the_pair_refreshed_while_reading_the_username(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bug 1: a short-lived token is refreshed by /users/settings during `auth`; the
    original pair (its refresh token now used up) must not be saved over the new one."""
    sandbox.trakt.token_lifetime = 600  # under the refresh margin: every use refreshes
    assert cli("auth").code == 0
    assert sandbox.trakt.count("^/oauth/token$") >= 1
    stored = json.loads((sandbox.home / "tokens.json").read_text())["profiles"]["default"]
    assert stored["trakt"]["username"] == "demo-user"
    monkeypatch.setattr("sys.stdin", io.StringIO(sandbox.bangumi_token + "\n"))
    assert cli("auth", "bangumi", "--with-token").code == 0
    synced = cli("sync")
    assert synced.code == 0, synced.err


def test_unusable_keyring_is_reported_before_the_device_code_is_asked_for(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bug 3: secrets.backend = "keyring" with no keyring fails before the flow starts."""
    monkeypatch.setenv("TRAKT_SYNC_SECRETS__BACKEND", "keyring")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    result = cli("auth")
    assert result.code == 1
    assert "keyring" in result.err and "Traceback" not in result.err
    assert sandbox.trakt.count("^/oauth/device/code$") == 0


def test_auth_status_after_trakt_rejected_the_refresh_token(logged_in: Sandbox, cli) -> None:
    """Bug 13: once Trakt refused the refresh token, nobody is logged in any more."""
    logged_in.trakt.expire_access_tokens()
    logged_in.trakt.revoke_refresh_tokens()
    assert cli("sync").code == 77
    data = json.loads(cli("auth", "status", "--json").out)["trakt"]
    assert data["authenticated"] is False and data["rejected"] is True
    text = cli("auth", "status").out
    assert "logged in as" not in text.split("Bangumi")[0]
    assert "ended on Trakt's side" in text and "trakt-sync auth" in text
    status = json.loads(cli("status", "--json").out)
    assert status["trakt"]["authenticated"] is False

    # The next sync says so without asking Trakt again; a new login clears it.
    logged_in.trakt.reset_log()
    assert cli("sync").code == 77
    assert logged_in.trakt.count("^/oauth/token$") == 0
    logged_in.trakt.device_script = ["approve"]
    assert cli("auth").code == 0
    assert json.loads(cli("auth", "status", "--json").out)["trakt"]["authenticated"] is True


def test_auth_status_marks_a_past_expiry(logged_in: Sandbox, cli) -> None:
    token_file = logged_in.home / "tokens.json"
    data = json.loads(token_file.read_text())
    data["profiles"]["default"]["trakt"]["expires_at"] = 1_600_000_000  # 2020
    token_file.write_text(json.dumps(data))
    text = cli("auth", "status").out
    assert "2020-09-13" in text and "(expired" in text
    assert json.loads(cli("auth", "status", "--json").out)["trakt"]["expired"] is True


def test_logout_twice_says_not_logged_in_the_second_time(logged_in: Sandbox, cli) -> None:
    """Bug 14: a second logout does not claim to log out again."""
    first = cli("auth", "logout")
    assert "Logged out of Trakt" in first.out and "Logged out of Bangumi" in first.out
    second = cli("auth", "logout")
    assert second.code == 0
    assert "Logged out" not in second.out
    assert "Not logged in to Trakt" in second.out and "Not logged in to Bangumi" in second.out
    assert logged_in.trakt.count("^/oauth/revoke$") == 1


def test_auth_help_lists_whole_sentences_and_an_example(cli) -> None:
    result = cli("auth", "--help")
    assert result.code == 0
    listing = result.out.split("Commands:")[1].split("Examples:")[0]
    assert "..." not in listing
    for name in ("bangumi", "status", "logout"):
        assert name in listing
    assert "Examples:" in result.out and "trakt-sync auth bangumi --with-token" in result.out
