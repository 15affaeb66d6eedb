"""Suggested commands carry the profile and --config they were run with (issue 20.6); a
Bangumi token from the config or environment is checked and named (issue 20.7)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.world import add_unfindable_anime


@pytest.fixture
def mystery_world(demo_world: dict[str, Any]) -> dict[str, Any]:
    add_unfindable_anime(demo_world)
    return demo_world


def test_hints_name_the_profile_and_config_in_use(
    mystery_world: dict[str, Any],
    sandbox: Sandbox,
    cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "slow config.toml"
    config.write_text('[profiles.slow.sync]\nschedule = "0 3 * * *"\n')
    front = ("--config", str(config), "-p", "slow")
    prefix = f"`trakt-sync -p slow --config '{config}' "
    before_login = cli(*front, "sync")
    assert before_login.code == 77 and f"run {prefix}auth`" in before_login.err
    as_json = cli(*front, "sync", "--json")
    assert f"run {prefix}auth`" in json.loads(as_json.out)["message"]
    assert cli(*front, "auth").code == 0
    missing = cli(*front, "auth", "status")
    assert f"Bangumi: not logged in (run {prefix}auth bangumi`)" in missing.out
    monkeypatch.setattr("sys.stdin", io.StringIO(sandbox.bangumi_token + "\n"))
    assert cli(*front, "auth", "bangumi", "--with-token").code == 0
    synced = cli(*front, "sync")
    assert synced.code == 0
    assert f"see {prefix}unmatched`" in synced.err
    assert f"see {prefix}unmatched --skipped`" in synced.err
    assert "`trakt-sync unmatched`" not in synced.err
    status = cli(*front, "status").out
    assert f"(all: {prefix}unmatched`)" in status
    # The suggested command on a line of its own (issue 20.21), with the profile and config.
    command = f"{prefix[1:]}map add trakt:777001 S1 <bangumi subject id>"
    assert command in [line.strip() for line in status.splitlines()]
    assert f"\n  {prefix[1:]}map add trakt:777001" in cli(*front, "unmatched").out
    # The default profile without --config: hints as they were.
    assert "(run `trakt-sync auth bangumi`)" in cli("auth", "status").out


def test_a_token_from_the_environment_is_checked_and_named(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = "TRAKT_SYNC_BANGUMI__TOKEN"
    monkeypatch.setenv(env, logged_in.bangumi_token)
    status = cli("status").out
    assert "None" not in status
    assert f"token from the environment variable {env}, not checked yet" in status
    checked = cli("auth", "status")
    assert f"Bangumi: logged in as demo (token from the environment variable {env})" in (
        checked.out
    )
    assert f"logged in as demo (token from the environment variable {env})" in cli("status").out
    monkeypatch.setenv(env, "revoked")
    refused = cli("auth", "status")
    assert f"the token from the environment variable {env} was refused" in refused.out
    assert f"change or remove the environment variable {env}" in refused.out
    data = json.loads(cli("auth", "status", "--json").out)
    assert data["bangumi"]["check"]["ok"] is False and env in data["bangumi"]["origin"]
    logged_in.trakt.add_play(show=185614, season=1, number=16)
    failed = cli("sync")
    assert failed.code == 77
    assert f"change or remove the environment variable {env}" in failed.err
    assert "run `trakt-sync auth bangumi`" not in failed.err


def test_a_token_in_a_profile_of_the_file_names_that_key(
    logged_in: Sandbox, cli, tmp_path: Path
) -> None:
    config = tmp_path / "home" / "config.toml"
    config.write_text('[profiles.default.bangumi]\ntoken = "revoked"\n')
    config.chmod(0o600)
    result = cli("auth", "status")
    assert f"the token from profiles.default.bangumi.token in {config} was refused" in (result.out)


def test_the_daemon_log_names_the_profile_in_its_hints(
    logged_in: Sandbox, cli, tmp_path: Path
) -> None:
    (tmp_path / "home" / "config.toml").write_text(
        '[profiles.partner.sync]\nschedule = "0 3 * * *"\n'
    )
    result = cli("daemon", "--once", "--now")
    assert result.code == 77  # partner has no login at all
    assert "profile partner:" in result.err
    assert "run `trakt-sync -p partner auth`" in result.err
    assert "`trakt-sync auth`" not in result.err
