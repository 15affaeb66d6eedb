"""Issue 26.1: text a server sends back is redacted before it is stored or shown."""

import json
import sqlite3

from tests.conftest import Sandbox
from tests.test_security import secrets_of


def test_an_error_body_echoing_the_token_is_stored_and_shown_redacted(
    logged_in: Sandbox, cli
) -> None:
    token = secrets_of(logged_in)[0]  # the Trakt access token the request carried
    # A broken gateway that echoes the request's credentials back, bare (no "Bearer" to spot).
    logged_in.trakt.inject(
        "GET",
        r"^/sync/last_activities",
        status=502,
        body={"error": f"upstream refused request with {token}"},
        times=50,
    )
    result = cli("sync", "--json")
    assert result.code == 75, result.err
    document = json.loads(result.out)
    assert "upstream refused request" in document["message"]  # the server's words are kept
    assert token not in result.out + result.err
    stderr = cli("sync")
    assert stderr.code == 75 and "upstream refused" in stderr.err
    assert token not in stderr.out + stderr.err
    status = cli("status")
    status_json = cli("status", "--json")
    assert "upstream refused" in status.out + status.err
    assert token not in status.out + status.err + status_json.out + status_json.err
    db = sqlite3.connect(logged_in.home / "default.sqlite3")
    db.execute("PRAGMA wal_checkpoint(FULL)")
    db.close()
    for path in logged_in.home.glob("default.sqlite3*"):
        assert token.encode() not in path.read_bytes(), path


def test_a_failed_write_echoing_the_token_leaves_no_token_in_plays_or_output(
    logged_in: Sandbox, cli
) -> None:
    token = logged_in.bangumi_token
    logged_in.bangumi.inject(
        "POST",
        r"^/v0/users/-/collections/",
        status=400,
        body={"title": "Bad Request", "description": f"cannot use {token} here"},
        times=100,
    )
    result = cli("sync", "--json")
    assert result.code == 1, result.err
    assert "cannot use" in result.out  # the failure is still explained
    assert token not in result.out + result.err
    reasons = sqlite3.connect(logged_in.home / "default.sqlite3").execute(
        "SELECT reason FROM plays WHERE state = 'failed'"
    )
    stored = [row[0] for row in reasons]
    assert stored and all("cannot use" in r and token not in r for r in stored)
    status = cli("status")
    assert token not in status.out + status.err
