"""`import FILE` (issues 26.4 and 20.3): shown first, confirmed, nothing written until every
check passed; a backup never brings secrets, and a credential URL change needs its own yes."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from tests.conftest import Sandbox

CURRENT = """# my settings
[trakt]
client_id = "abc"
client_secret = "current-secret-0001"
[sync]
schedule = "0 1 * * *"
timezone = "Europe/Paris"
[http]
timeout = 20
"""


@pytest.fixture
def config(isolated_env: Path) -> Path:
    path = isolated_env / "config.toml"
    path.write_text(CURRENT, encoding="utf-8")
    path.chmod(0o600)
    return path


def backup(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "backup.toml"
    path.write_text("version = 1\n" + text, encoding="utf-8")
    return path


def nothing_written(config: Path, home: Path) -> None:
    assert config.read_text() == CURRENT
    assert not (config.parent / "config.toml.bak").exists()
    assert not list(home.glob("*.sqlite3"))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


SIMPLE = (
    '[settings.sync]\nschedule = "0 3 * * *"\n'
    '[[profiles.default.overrides]]\nshow = "trakt:1"\nsubject_id = 2\n'
)


def test_off_a_terminal_without_yes_the_changes_are_shown_and_nothing_is_written(
    cli, config: Path, tmp_path: Path, isolated_env: Path
) -> None:
    result = cli("import", str(backup(tmp_path, SIMPLE)))
    assert result.code == 2
    assert '  sync.schedule: "0 1 * * *" → "0 3 * * *"' in result.out
    assert '- sync.timezone (was "Europe/Paris")' in result.out
    assert "Overrides of profile default: 1 new, 0 already present" in result.out
    assert "nothing written" in result.err and "--yes" in result.err
    nothing_written(config, isolated_env)


def test_with_yes_the_previous_file_is_kept_as_bak_0600(cli, config: Path, tmp_path: Path) -> None:
    result = cli("import", "--yes", str(backup(tmp_path, SIMPLE)))
    assert result.code == 0, result.err
    bak = config.parent / "config.toml.bak"
    assert bak.read_text() == CURRENT  # the user's own file, comments and all
    assert os.stat(bak).st_mode & 0o777 == 0o600
    assert f"the previous file is {bak}" in result.out
    assert '"0 3 * * *"' in config.read_text() and "Europe/Paris" not in config.read_text()
    assert "current-secret-0001" in config.read_text()  # its secrets are kept
    assert json.loads(cli("map", "list", "--json").out) != []


def test_merge_keeps_the_settings_the_backup_does_not_name(
    cli, config: Path, tmp_path: Path
) -> None:
    result = cli("import", "--merge", "--yes", str(backup(tmp_path, SIMPLE)))
    assert result.code == 0, result.err
    assert result.out.count("\n  ") == 1  # one change: the schedule
    shown = json.loads(cli("config", "show", "--json").out)
    assert shown["sync"]["schedule"] == "0 3 * * *"
    assert shown["sync"]["timezone"] == "Europe/Paris" and shown["http"]["timeout"] == 20


@pytest.mark.parametrize(("answer", "written"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_on_a_terminal_it_asks(
    cli, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, written: bool
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    result = cli("import", str(backup(tmp_path, SIMPLE)))
    assert "Apply these changes?" in result.out
    assert (config.read_text() != CURRENT) is written
    assert result.code == (0 if written else 2)


def test_a_state_directory_that_cannot_be_written_fails_before_the_config_is(
    cli, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("TRAKT_SYNC_CONFIG", str(config))
    monkeypatch.setenv("TRAKT_SYNC_HOME", str(blocker / "state"))
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    result = cli("import", str(backup(tmp_path, SIMPLE)))
    assert result.code == 1 and "cannot create the state directory" in result.err
    assert config.read_text() == CURRENT
    assert not (config.parent / "config.toml.bak").exists()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[settings.trakt]\nclient_secret = "attacker-secret"\n', "settings.trakt.client_secret"),
        ('[settings.profiles.p.bangumi]\ntoken = "someone-elses-token"\n', "bangumi.token"),
        ('[settings.notify]\nwebhook_url = "https://evil.example/hook"\n', "notify.webhook_url"),
        (
            '[settings.sink]\nkind = "bangumi-syncer"\nurl = "https://u:p@evil.example"\n',
            "sink.url",
        ),
    ],
)
def test_a_backup_carrying_a_secret_is_refused_and_nothing_written(
    cli, config: Path, tmp_path: Path, isolated_env: Path, text: str, key: str
) -> None:
    result = cli("import", "--yes", str(backup(tmp_path, text + SIMPLE)))
    assert result.code == 78
    assert key in result.err and "a backup never carries secrets" in result.err
    assert "attacker-secret" not in result.err + result.out
    nothing_written(config, isolated_env)


EVIL_TRAKT = '[settings.trakt]\nclient_id = "abc"\napi_url = "https://evil.example"\n'


def test_pointing_a_logged_in_service_elsewhere_needs_its_own_confirmation(
    logged_in: Sandbox, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sandbox's variable would win over any file; a Trakt login is stored.
    monkeypatch.delenv("TRAKT_SYNC_TRAKT__API_URL")
    config = logged_in.home / "config.toml"
    config.write_text('[sync]\nschedule = "0 1 * * *"\n')
    path = backup(tmp_path, EVIL_TRAKT)
    refused = cli("import", "--yes", str(path))
    assert refused.code == 2
    assert "Credentials would go to a new address:" in refused.out
    assert "trakt.api_url" in refused.out and "https://evil.example" in refused.out
    assert "--allow-url-change" in refused.err
    assert config.read_text() == '[sync]\nschedule = "0 1 * * *"\n'
    accepted = cli("import", "--yes", "--allow-url-change", str(path))
    assert accepted.code == 0, accepted.err
    assert "evil.example" in config.read_text()


def test_on_a_terminal_the_url_change_is_asked_apart(
    logged_in: Sandbox, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAKT_SYNC_TRAKT__API_URL")
    config = logged_in.home / "config.toml"
    config.write_text('[sync]\nschedule = "0 1 * * *"\n')
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    result = cli("import", str(backup(tmp_path, EVIL_TRAKT)))
    assert result.code == 2 and "Send those credentials" in result.out
    assert "evil.example" not in config.read_text()


def test_without_a_login_or_secret_a_new_url_needs_no_extra_confirmation(
    cli, config: Path, tmp_path: Path
) -> None:
    config.write_text('[sync]\nschedule = "0 1 * * *"\n')  # no secret, nobody logged in
    result = cli("import", "--yes", str(backup(tmp_path, EVIL_TRAKT)))
    assert result.code == 0 and "Credentials would go" not in result.out


def test_a_new_profile_inheriting_the_bangumi_token_is_a_url_change_too(
    cli, config: Path, tmp_path: Path, isolated_env: Path
) -> None:
    config.write_text(CURRENT + '[bangumi]\ntoken = "bangumi-token-00002"\n')
    text = '[settings.profiles.p.bangumi]\napi_url = "https://evil.example"\n'
    result = cli("import", "--yes", "--merge", str(backup(tmp_path, text)))
    assert result.code == 2
    assert "profile p: bangumi.api_url: https://api.bgm.tv → https://evil.example" in result.out
    assert "bangumi-token-00002" not in result.out
