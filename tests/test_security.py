"""Secrets never leak: not in logs (even -vv), --json, tracebacks, or the database."""

import json
import ssl
from pathlib import Path

import pytest

from tests.conftest import Sandbox


def secrets_of(sandbox: Sandbox) -> list[str]:
    stored = json.loads((sandbox.home / "tokens.json").read_text())["profiles"]["default"]
    return [
        stored["trakt"]["access_token"],
        stored["trakt"]["refresh_token"],
        stored["bangumi"]["access_token"],
        sandbox.trakt.client_secret,
    ]


def assert_clean(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text


def test_debug_logs_and_json_carry_no_token(logged_in: Sandbox, cli) -> None:
    secrets = secrets_of(logged_in)
    logged_in.trakt.expire_access_tokens()  # exercise the refresh path too
    result = cli("-vv", "sync", "--json")
    assert result.code == 0, result.err
    assert "HTTP Request" in result.err  # the debug log really ran
    assert_clean(result.out + result.err, secrets_of(logged_in) + secrets)
    for args in (("status", "--json"), ("auth", "status", "--json"), ("config", "show", "--json")):
        shown = cli(*args)
        assert_clean(shown.out + shown.err, secrets)


def test_a_traceback_is_shown_with_v_but_redacted(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = secrets_of(logged_in)
    bangumi_token = secrets[2]

    def explode(self, subject_id, collection_type):
        raise RuntimeError(f"boom with Authorization: Bearer {bangumi_token}")

    monkeypatch.setattr("trakt_sync.bangumi.BangumiClient.set_collection", explode)
    quiet = cli("sync")
    assert quiet.code == 1 and "Traceback" not in quiet.err and "-v" in quiet.err
    verbose = cli("-v", "sync")
    assert verbose.code == 1
    assert "Traceback" in verbose.err and "boom" in verbose.err
    assert_clean(quiet.err + verbose.err, secrets)


def test_the_database_holds_no_secret(logged_in: Sandbox, cli) -> None:
    assert cli("sync").code == 0
    secrets = secrets_of(logged_in)
    for path in Path(logged_in.home).glob("default.sqlite3*"):
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, path


def test_tls_verification_is_on_for_every_client(sandbox: Sandbox) -> None:
    from trakt_sync.cli.state import CliState

    with CliState().runtime() as rt:
        for client in (rt.trakt, rt.trakt_oauth, rt.bangumi):
            context = client.http._transport._pool._ssl_context  # type: ignore[attr-defined]
            assert context.verify_mode == ssl.CERT_REQUIRED
            assert context.check_hostname
