"""The further id table in a real sync: fetched from the (fake) CDN only when something is
resolved, and a table that cannot be downloaded never fails the sync."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.cdn import ID_TABLE_PATH


def test_sync_downloads_the_table_from_the_configured_url_once(logged_in: Sandbox, cli) -> None:
    result = cli("sync", "--json")
    assert result.code == 0, result.out
    assert logged_in.cdn.count(ID_TABLE_PATH) == 1
    meta = json.loads((logged_in.home / "cache" / "id-table" / "id-table-meta.json").read_text())
    assert meta["url"] == logged_in.cdn.id_table_url


def test_unreachable_table_without_a_cache_only_warns(
    logged_in: Sandbox,
    cli,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_MATCHING__ID_TABLE_URL", logged_in.cdn.url + "/gone.json")
    with caplog.at_level(logging.WARNING):
        result = cli("sync", "--json")
    assert result.code == 0, result.out + result.err
    report = json.loads(result.out)
    assert report["marked"] == 16 and report["failed"] == 0
    assert "id table" in caplog.text + result.err
