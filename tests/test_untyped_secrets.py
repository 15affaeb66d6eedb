"""Issue 26.5: secrets that are not typed as secrets — the webhook URL, credentials inside
URLs, short sink keys and keys with ``/+=`` — stay out of `config show`, `export` and logs."""

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.bangumi_syncer import FakeBangumiSyncer
from trakt_sync.fakes.sandbox import sink_env

WEBHOOK_TOKEN = "AbCdEf-webhook-token-123456"
CONFIG = f"""
[trakt]
api_url = "https://reader:trakt-pass-word@api.trakt.tv"
[matching]
bangumi_data_url = "https://cdn.example.org/data.json?access_token=cdn-query-token-77&v=2"
[notify]
webhook_url = "https://discord.com/api/webhooks/123/{WEBHOOK_TOKEN}"
"""
HIDDEN = ("trakt-pass-word", "cdn-query-token-77", WEBHOOK_TOKEN, "reader:")


def test_config_show_masks_the_webhook_and_credentials_inside_urls(cli, isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text(CONFIG, encoding="utf-8")
    shown = cli("config", "show")
    as_json = cli("config", "show", "--json")
    assert shown.code == as_json.code == 0, shown.err
    for text in (shown.out, as_json.out):
        for secret in HIDDEN:
            assert secret not in text
    data = json.loads(as_json.out)
    assert data["notify"]["webhook_url"] == "https://discord.com/***"
    assert data["trakt"]["api_url"] == "https://***@api.trakt.tv"
    assert data["matching"]["bangumi_data_url"].endswith("?access_token=***&v=2")


def test_export_writes_neither_the_webhook_nor_credentials_inside_urls(
    cli, isolated_env: Path, tmp_path: Path
) -> None:
    (isolated_env / "config.toml").write_text(CONFIG, encoding="utf-8")
    result = cli("export", str(tmp_path / "backup.toml"))
    assert result.code == 0, result.err
    written = (tmp_path / "backup.toml").read_text()
    for secret in HIDDEN:
        assert secret not in written
    assert "left out" in result.out and "notify.webhook_url" in result.out


@pytest.mark.parametrize("key", ["Zq7", "Q/+=x", "LongerKey/With+Sign="])
def test_a_short_or_slashed_sink_key_is_absent_from_debug_logs(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    with FakeBangumiSyncer(key=key) as syncer:
        for name, value in sink_env(syncer).items():
            monkeypatch.setenv(name, value)
        assert cli("auth").code == 0
        result = cli("-vv", "sync")
        assert result.code == 0, result.err
        assert syncer.items  # the key was really used
    assert "HTTP Request: POST" in result.err  # the debug log really ran
    for form in (key, quote(key, safe=""), quote(key)):
        assert form not in result.out + result.err


def test_the_webhook_url_token_is_absent_from_debug_logs(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trakt_sync.fakes.webhook import FakeWebhook

    with FakeWebhook() as hook:
        url = f"{hook.url}/api/webhooks/123/{WEBHOOK_TOKEN}"
        monkeypatch.setenv("TRAKT_SYNC_NOTIFY__WEBHOOK_URL", url)
        logged_in.trakt.inject("GET", "^/sync/last_activities$", status=503, times=50)
        result = cli("-vv", "sync")
        assert result.code == 75
        assert [r.path for r in hook.requests] == [f"/api/webhooks/123/{WEBHOOK_TOKEN}"]
    assert "HTTP Request: POST" in result.err
    assert WEBHOOK_TOKEN not in result.out + result.err
