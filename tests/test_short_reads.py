"""A Trakt list read short never looks complete (issue 18, point 1): an empty page before the
last, fewer items than counted or a page without paging headers must not make plays look
removed."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import Sandbox
from tests.test_sync import sync_json

SPY = 185614


def removed_in_status(cli) -> int:
    return int(json.loads(cli("status", "--json").out)["items"]["removed"])


def test_a_watched_list_read_short_is_not_trusted(logged_in: Sandbox, cli) -> None:
    assert sync_json(cli)[0] == 0
    logged_in.trakt.add_play(show=SPY, season=1, number=16, watched_at="2019-11-02T10:00:00Z")
    logged_in.trakt.inject(
        "GET",
        "^/sync/watched/shows$",
        status=200,
        body=[],
        headers={"X-Pagination-Page-Count": "2", "X-Pagination-Item-Count": "3"},
    )
    logged_in.trakt.reset_log()

    code, report = sync_json(cli)
    assert code == 0, report
    assert report["new"] == 1 and report["removed"] == 0
    # The summary could not be used: the whole episode history was read instead.
    assert "/sync/history/episodes" in [r.path for r in logged_in.trakt.requests]
    assert removed_in_status(cli) == 0


def test_a_history_that_sends_fewer_items_than_it_counts_removes_nothing(
    logged_in: Sandbox, cli
) -> None:
    assert sync_json(cli)[0] == 0
    logged_in.trakt.add_play(show=SPY, season=1, number=16, watched_at="2019-11-02T10:00:00Z")
    # A last page that is empty though four plays are counted: before, all three held plays
    # of the show were counted removed.
    logged_in.trakt.inject(
        "GET",
        f"^/sync/history/shows/{SPY}$",
        status=200,
        body=[],
        headers={"X-Pagination-Page-Count": "1", "X-Pagination-Item-Count": "4"},
    )

    code, report = sync_json(cli)
    assert code == 75, report
    assert report["removed"] == 0
    assert "counted 4 items" in report["message"] or "read short" in report["message"]
    assert removed_in_status(cli) == 0

    code, report = sync_json(cli)  # read again on the next run
    assert code == 0, report
    assert report["new"] == 1 and report["removed"] == 0


def test_a_full_page_without_paging_headers_is_not_taken_for_the_last(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SYNC__PAGE_LIMIT", "4")
    assert sync_json(cli)[0] == 0
    token = logged_in.trakt.issue_token()["access_token"]
    first = httpx.get(
        f"{logged_in.trakt.url}/sync/history/episodes",
        params={"limit": 4, "page": 1, "extended": "full"},
        headers={
            "trakt-api-key": logged_in.trakt.client_id,
            "trakt-api-version": "2",
            "Authorization": f"Bearer {token}",
        },
    ).json()
    assert len(first) == 4
    logged_in.trakt.inject("GET", "^/sync/history/episodes$", status=200, body=first)
    logged_in.trakt.reset_log()

    code, report = sync_json(cli, "--full")
    assert code == 0, report
    assert report["removed"] == 0
    assert report["fetched"] == len(logged_in.trakt.history)
    assert removed_in_status(cli) == 0
