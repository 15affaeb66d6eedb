"""Issue 26.3: every service URL must be https://, except on a loopback host."""

from pathlib import Path

import pytest

from tests.conftest import Sandbox

SERVICE_URLS = [
    ("trakt", "api_url"),
    ("trakt", "auth_url"),
    ("bangumi", "api_url"),
    ("sink", "url"),
    ("notify", "webhook_url"),
    ("matching", "bangumi_data_url"),
    ("matching", "id_table_url"),
]


@pytest.mark.parametrize(("section", "key"), SERVICE_URLS)
def test_plain_http_to_another_host_is_refused_with_78(
    cli, isolated_env: Path, monkeypatch: pytest.MonkeyPatch, section: str, key: str
) -> None:
    monkeypatch.delenv("TRAKT_SYNC_MATCHING__ID_TABLE_URL")
    (isolated_env / "config.toml").write_text(
        f'[{section}]\n{key} = "http://api.example.org:8080/x"\n', encoding="utf-8"
    )
    result = cli("config", "check")
    assert result.code == 78
    assert f"{section}.{key}: http:// would send tokens and plays in cleartext" in result.err
    assert "use https://" in result.err


def test_plain_http_from_the_environment_is_refused_too(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__API_URL", "http://10.0.0.5")
    result = cli("sync")
    assert result.code == 78
    assert "TRAKT_SYNC_BANGUMI__API_URL" in result.err and "cleartext" in result.err


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "https://x.org"]
)
def test_loopback_and_https_are_accepted(cli, isolated_env: Path, url: str) -> None:
    (isolated_env / "config.toml").write_text(
        f'[trakt]\nclient_id = "cid"\n[sink]\nurl = "{url}"\n', encoding="utf-8"
    )
    assert cli("config", "check").code == 0


def test_the_sandbox_on_loopback_still_syncs(logged_in: Sandbox, cli) -> None:
    assert logged_in.trakt.url.startswith("http://127.0.0.1:")
    assert cli("sync").code == 0
