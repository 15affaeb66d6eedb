"""`trakt-sync export` / `import`: every profile's settings and overrides, never a secret."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from trakt_sync.backup import changes, without_secrets

CONFIG = """
[bangumi]
user_agent = "me/trakt-sync (https://example.org)"
[sync]
schedule = "0 3 * * *"
timezone = "Asia/Tokyo"
complete_subjects = false
[matching]
min_confidence = 0.9
[sink]
kind = "bangumi-syncer"
url = "https://syncer.local:8000"
user_name = "me"
[profiles.partner.sync]
schedule = "30 4 * * *"
[profiles.partner.bangumi]
user_agent = "partner/trakt-sync"
[profiles.partner.sink]
kind = "api"
"""
SECRETS = {
    "trakt": ("client_secret", "trakt-file-secret-0001"),
    "bangumi": ("token", "bangumi-file-token-0002"),
    "sink": ("key", "syncer-file-key-0003"),
}
PROFILES = ("default", "partner")


def move_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    """Point trakt-sync at a fresh home and config path; return the config path."""
    monkeypatch.setenv("TRAKT_SYNC_HOME", str(tmp_path / name))
    config = tmp_path / f"{name}.toml"
    monkeypatch.setenv("TRAKT_SYNC_CONFIG", str(config))
    return config


def snapshot(cli) -> dict[str, tuple[str, str, str]]:
    """`config show` (text without its file line, and JSON) and `map list` of each profile."""
    seen = {}
    for profile in PROFILES:
        text = cli("-p", profile, "config", "show")
        shown = cli("-p", profile, "config", "show", "--json")
        mapped = cli("-p", profile, "map", "list", "--json")
        assert text.code == shown.code == mapped.code == 0, text.err + shown.err + mapped.err
        seen[profile] = (text.out.split("\n", 1)[1], shown.out, mapped.out)
    return seen


def add_overrides(cli) -> None:
    assert cli("map", "add", "--offline", "trakt:185614", "S1E13-E25", "373267").code == 0
    assert cli("map", "add", "--offline", "slug:breaking-bad", "ignore").code == 0
    assert cli("-p", "partner", "map", "add", "--offline", "movie:tmdb:372058", "160209").code == 0


def test_export_then_import_into_a_fresh_home_reproduces_every_profile(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Secrets from the environment, as in a container: the same on both machines.
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__TOKEN", "env-token-value-0004")
    move_home(tmp_path, monkeypatch, "old").write_text(CONFIG)
    add_overrides(cli)
    before = snapshot(cli)
    backup = tmp_path / "backup.toml"
    exported = cli("export", str(backup))
    assert exported.code == 0, exported.err
    assert "2 profile(s)" in exported.out and "default 2, partner 1" in exported.out
    assert "env-token-value-0004" not in backup.read_text()

    new_config = move_home(tmp_path, monkeypatch, "new")
    assert not new_config.exists()
    imported = cli("import", "--yes", str(backup))
    assert imported.code == 0, imported.err
    assert '+ sync.schedule = "0 3 * * *"' in imported.out
    assert '+ profiles.partner.bangumi.user_agent = "partner/trakt-sync"' in imported.out
    assert "+ sync.complete_subjects = false" in imported.out  # TOML, not Python's False
    assert "Overrides of profile default: 2 added, 0 already present" in imported.out
    assert "Overrides of profile partner: 1 added" in imported.out
    assert snapshot(cli) == before

    again = cli("import", str(backup))
    assert again.code == 0
    assert "Settings: unchanged" in again.out and "0 new, 2 already present" in again.out
    assert snapshot(cli) == before


def test_no_secret_is_exported_and_an_import_keeps_the_secrets_already_configured(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_secrets = CONFIG
    for section, (key, value) in SECRETS.items():
        with_secrets = with_secrets.replace(f"[{section}]\n", f'[{section}]\n{key} = "{value}"\n')
    with_secrets += '[profiles.partner.trakt]\nclient_secret = "partner-secret-0005"\n'
    old = move_home(tmp_path, monkeypatch, "old")
    old.write_text(with_secrets)
    backup = tmp_path / "backup.toml"
    assert cli("export", str(backup)).code == 0
    text = backup.read_text()
    for _, value in SECRETS.values():
        assert value not in text
    assert "partner-secret-0005" not in text and "client_secret" not in text
    assert os.stat(backup).st_mode & 0o077 == 0

    # Restoring onto a machine that already has its secrets: they stay, the rest is replaced.
    new = move_home(tmp_path, monkeypatch, "new")
    new.write_text(
        '[trakt]\nclient_secret = "new-machine-secret-0006"\n[sync]\nschedule = "0 1 * * *"\n'
        '[notify]\nwebhook_url = "https://hooks.example.org/x"\n'
    )
    imported = cli("import", "--yes", str(backup))
    assert imported.code == 0, imported.err
    assert '  sync.schedule: "0 1 * * *" → "0 3 * * *"' in imported.out
    # The webhook URL is a secret (issue 26.5): kept like the client secret, never shown.
    assert "webhook" not in imported.out and "hooks.example.org" not in imported.out
    assert "new-machine-secret-0006" not in imported.out
    written = tomllib.loads(new.read_text())
    assert written["trakt"]["client_secret"] == "new-machine-secret-0006"
    assert written["notify"]["webhook_url"] == "https://hooks.example.org/x"
    assert written["sync"]["schedule"] == "0 3 * * *"
    assert os.stat(new).st_mode & 0o077 == 0


BAD_BACKUPS = [
    ('version = 1\n[settings.profiles.partner.sync]\nschedule = "never"\n', "schedule"),
    ('version = 1\n[settings.sink]\nkind = "bangumi-syncer"\n', "url must be set"),
    ("version = 2\n", "version: expected 1"),
    ("version = 1\n[[profiles.ghost.overrides]]\nshow = 'trakt:1'\nsubject_id = 2\n", "ghost"),
    ("version = 1\n[[profiles.default.overrides]]\nshow = 'trakt:1'\nsubjekt = 2\n", "subjekt"),
    ("version = 1\nsettings = [", "not a TOML backup"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_BACKUPS)
def test_an_invalid_backup_is_refused_before_anything_is_written(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    config = move_home(tmp_path, monkeypatch, "home")
    config.write_text('[sync]\nschedule = "0 1 * * *"\n')
    # Every bad backup also carries a good override: it must not be added either.
    backup = tmp_path / "bad.toml"
    backup.write_text(text + "\n[[profiles.default.overrides]]\nshow = 'trakt:9'\nsubject_id = 9\n")
    result = cli("import", "--yes", str(backup))
    assert result.code == 78, result.out
    assert expected in result.err
    assert config.read_text() == '[sync]\nschedule = "0 1 * * *"\n'
    assert json.loads(cli("map", "list", "--json").out) == []


def test_changes_name_each_setting_by_its_full_key() -> None:
    before = {"sync": {"schedule": "a", "page_limit": 100}, "profiles": {"p": {"http": {"x": 1}}}}
    after = {"sync": {"schedule": "b"}, "profiles": {"p": {"http": {"x": 1, "y": 2}}}}
    assert changes(before, after) == [
        "+ profiles.p.http.y = 2",
        "- sync.page_limit (was 100)",
        '  sync.schedule: "a" → "b"',
    ]
    assert without_secrets({"bangumi": {"token": "t", "api_url": "u"}}) == {
        "bangumi": {"api_url": "u"}
    }
