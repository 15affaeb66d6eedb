"""`config set KEY VALUE` (validated, comments kept) and `config show --origin`; `config
show` prints durations as the file writes them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from trakt_sync.errors import EXIT_CONFIG

COMMENTED = """\
# my trakt-sync settings
[sync]
# every night
schedule = "0 3 * * *"   # keep in step with cron
history_overlap = "10m"

[profiles.partner.sync]
ratings = "fill"
"""


@pytest.fixture
def config(isolated_env: Path) -> Path:
    path = isolated_env / "config.toml"
    path.write_text(COMMENTED)
    return path


def test_set_keeps_comments_and_types_the_value(config: Path, cli) -> None:
    result = cli("config", "set", "sync.page_limit", "100")
    assert result.code == 0, result.err
    assert "sync.page_limit: (not set) → 100" in result.out
    result = cli("config", "set", "sync.schedule", "0 4 * * *")
    assert 'sync.schedule: "0 3 * * *" → "0 4 * * *"' in result.out
    assert cli("config", "set", "bangumi.private", "true").code == 0
    assert cli("config", "set", "trakt.client_id", "12345").code == 0  # a string field
    text = config.read_text()
    assert text.startswith("# my trakt-sync settings\n[sync]\n# every night\n")
    assert 'schedule = "0 4 * * *"   # keep in step with cron' in text
    assert "page_limit = 100" in text and 'client_id = "12345"' in text
    assert "private = true" in text
    shown = json.loads(cli("config", "show", "--json").out)
    assert shown["sync"]["page_limit"] == 100 and shown["trakt"]["client_id"] == "12345"


def test_an_invalid_value_is_refused_and_nothing_is_written(config: Path, cli) -> None:
    for key, value, reason in (
        ("sync.schedule", "every day", "sync.schedule"),
        ("sync.page_limit", "999", "sync.page_limit"),
        ("sync.no_such_key", "1", "unknown key"),
        ("nosection.key", "1", "unknown section"),
        ("schedule", "x", "SECTION.KEY"),
    ):
        result = cli("config", "set", key, value)
        assert result.code == EXIT_CONFIG, (key, result.out)
        assert reason in result.err, (key, result.err)
    assert config.read_text() == COMMENTED


def test_a_profile_key_goes_under_the_profile(config: Path, cli) -> None:
    assert cli("-p", "partner", "config", "set", "sync.ratings", "overwrite").code == 0
    assert cli("config", "set", "profiles.work.sync.watchlist", "true").code == 0
    text = config.read_text()
    assert '[profiles.partner.sync]\nratings = "overwrite"' in text
    assert "[profiles.work.sync]\nwatchlist = true" in text
    assert json.loads(cli("-p", "work", "config", "show", "--json").out)["sync"]["watchlist"]


def test_a_secret_is_never_echoed_and_a_new_file_is_private(
    isolated_env: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = isolated_env / "config.toml"
    assert not path.exists()
    result = cli("config", "set", "trakt.client_secret", "s3cret-value")
    assert result.code == 0, result.err
    assert "s3cret-value" not in result.out + result.err and "→ ***" in result.out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv("TRAKT_SYNC_SYNC__SCHEDULE", "0 5 * * *")
    result = cli("config", "set", "sync.schedule", "0 6 * * *")
    assert "TRAKT_SYNC_SYNC__SCHEDULE overrides it" in result.err


def test_show_origin_names_the_file_section_variable_or_default(
    config: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_HTTP__TIMEOUT", "12")
    out = cli("-p", "partner", "config", "show", "--origin").out
    assert f'schedule = "0 3 * * *"  # {config} [sync]' in out
    assert f'ratings = "fill"  # {config} [profiles.partner.sync]' in out
    assert "timeout = 12.0  # env TRAKT_SYNC_HTTP__TIMEOUT" in out
    assert 'backend = "file"  # env TRAKT_SYNC_SECRETS__BACKEND' in out
    assert "watchlist = false  # default" in out
    document = json.loads(cli("config", "show", "--origin", "--json").out)
    assert document["origins"]["sync.schedule"] == f"{config} [sync]"
    assert document["origins"]["sync.ratings"] == "default"
    assert document["settings"]["sync"]["schedule"] == "0 3 * * *"


def test_show_prints_durations_as_written(
    config: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_HTTP__RETRY_BUDGET", "90s")
    out = cli("config", "show").out
    assert 'history_overlap = "10m"' in out  # the file's
    assert 'retry_budget = "90s"' in out  # the variable's
    assert 'refresh_interval = "24h"' in out  # the default, as a duration
    assert "300.0" not in out and "86400" not in out
    # --json keeps numbers (seconds) for scripts
    assert json.loads(cli("config", "show", "--json").out)["sync"]["history_overlap"] == 600.0
