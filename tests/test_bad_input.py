"""Bad input and refused accounts: one line naming the cause and the fix, the documented
exit code, and no traceback unless -v."""

from pathlib import Path

import pytest

from tests.conftest import Sandbox


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.startswith("trakt-sync:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unwritable_state_dir(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TRAKT_SYNC_HOME", str(blocker / "state"))
    result = cli("status")
    assert result.code == 1
    line = one_line(result.err)
    assert "state directory" in line and "TRAKT_SYNC_HOME" in line


def test_trakt_account_locked_asks_to_contact_support(logged_in: Sandbox, cli) -> None:
    logged_in.trakt.inject(
        "GET",
        "^/sync/last_activities$",
        status=423,
        headers={"X-Account-Locked": "true", "X-Account-Deactivated": "false"},
    )
    result = cli("sync")
    assert result.code == 77
    assert "locked" in result.err and "Trakt support" in result.err
    assert "Traceback" not in result.err


def test_unapproved_trakt_app_is_a_config_problem(logged_in: Sandbox, cli) -> None:
    logged_in.trakt.inject("GET", "^/sync/last_activities$", status=403)
    result = cli("sync")
    assert result.code == 78
    assert "trakt.client_id" in result.err and "no longer knows the client id" in result.err


def test_wrong_client_id_is_reported_at_login(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", "not-the-app")
    result = cli("auth")
    assert result.code in (77, 78)
    assert "Traceback" not in result.err


def test_newer_database_is_refused_from_the_cli(cli, isolated_env: Path) -> None:
    import sqlite3

    from trakt_sync.store import SCHEMA_VERSION

    isolated_env.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(isolated_env / "default.sqlite3")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    result = cli("status")
    assert result.code == 1
    assert "newer trakt-sync" in one_line(result.err)


def test_verbose_shows_the_traceback(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("TRAKT_SYNC_HOME", str(blocker / "state"))
    result = cli("-v", "status")
    assert result.code == 1 and "Traceback" in result.err


def test_a_refused_user_agent_during_sync_stops_the_run_as_a_config_error(
    logged_in: Sandbox,
    cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3

    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__USER_AGENT", "python-requests/2.31")
    result = cli("sync")
    assert result.code == 78
    assert "bangumi.user_agent" in result.err
    db = sqlite3.connect(logged_in.home / "default.sqlite3")
    failed = db.execute("SELECT count(*) FROM plays WHERE state = 'failed'").fetchone()[0]
    db.close()
    assert failed == 0  # nothing is blamed on the plays; they wait for the fix
    monkeypatch.delenv("TRAKT_SYNC_BANGUMI__USER_AGENT")
    assert cli("sync").code == 0
