"""Config files as people write them: strict TOML types, every error at once, did-you-mean,
a byte-order mark, cron nicknames, a 0600 file, and what `auth` and `sync` need."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest


def _config(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_quoted_booleans_and_numbers_are_refused_and_every_error_is_shown(
    cli, tmp_path: Path
) -> None:
    path = _config(
        tmp_path / "home",
        '[sync]\ncomplete_subjects = "yes"\npage_limit = "100"\npage_limt = 10\n'
        '[profiles.slow.http]\ntimeout = "30"\n',
    )
    result = cli("config", "check")
    assert result.code == 78
    assert f"{path}: 4 problems:" in result.err
    assert 'sync.complete_subjects: must be true or false, not the string "yes"' in result.err
    assert 'sync.page_limit: must be a whole number, not the string "100"' in result.err
    assert "sync.page_limt: unknown key (did you mean page_limit?)" in result.err
    assert 'profiles.slow.http.timeout: must be a number, not the string "30"' in result.err
    # The environment is text by nature: a number there is still fine.
    _config(tmp_path / "home", "")
    os.environ["TRAKT_SYNC_SYNC__PAGE_LIMIT"] = "100"
    try:
        assert cli("config", "show", "--json").code == 0
    finally:
        del os.environ["TRAKT_SYNC_SYNC__PAGE_LIMIT"]


def test_durations_may_be_strings(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", "id")
    _config(tmp_path / "home", '[sync]\nhistory_overlap = "5m"\n[http]\nretry_budget = "2m"\n')
    assert cli("config", "check").code == 0


def test_cron_nicknames_and_a_byte_order_mark_are_accepted(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", "id")
    path = tmp_path / "home" / "config.toml"
    path.write_bytes('\ufeff[sync]\nschedule = "@daily"\ntimezone = "UTC"\n'.encode())
    result = cli("config", "check")
    assert result.code == 0, result.err
    assert "00:00 UTC" in result.out.splitlines()[2]
    status = cli("status", "--json")
    assert json.loads(status.out)["next_run"].endswith("T00:00:00+00:00")


def test_config_init_writes_0600_and_an_existing_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    path = tmp_path / "home" / "config.toml"
    assert cli("config", "init").code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = cli("config", "init")
    assert again.code == 2 and "already exists" in again.err and "--force" in again.err
    path.chmod(0o644)
    assert cli("config", "init", "--force").code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_secret_in_a_file_others_can_read_is_warned_about(cli, tmp_path: Path) -> None:
    path = _config(tmp_path / "home", '[bangumi]\ntoken = "abc"\n')
    path.chmod(0o644)
    result = cli("config", "show")
    assert "holds bangumi.token and others can read it (mode 0644)" in result.err
    assert "abc" not in result.err
    path.chmod(0o600)
    assert "others can read" not in cli("config", "show").err


def test_config_check_says_what_auth_and_sync_still_need(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path / "home", '[sync]\nschedule = "0 3 * * *"\n')
    result = cli("config", "check")
    assert result.code == 78
    assert "problem: trakt.client_id: not set, and this build" in result.out
    assert "`auth` and `sync` need it" in result.out
    assert "would stop `auth` or `sync`" in result.err
    data = json.loads(cli("config", "check", "--json").out)
    assert data["valid"] is True and data["ready"] is False and data["exit_code"] == 78
    assert data["profiles"][0]["problems"][0].startswith("trakt.client_id")
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", "id")
    ready = cli("config", "check")
    assert ready.code == 0 and "problem" not in ready.out
