"""Fault suite over loopback: after each faulted run every play is in a terminal or
retryable state, nothing wrong was marked, the exit code is the documented one, and a
later clean run completes the work."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.test_sync import BOCCHI, SPY_COUR2, YOUR_NAME, subject_episodes

CLOUDFLARE_PAGE = "<html><head><title>520: Web server is returning an unknown error</title></html>"
TERMINAL_OR_RETRYABLE = {"pending", "synced", "unmatched", "skipped", "failed"}


@dataclass
class Fault:
    name: str
    fake: str  # "trakt" | "bangumi"
    inject: dict[str, Any]
    exit_code: int
    env: dict[str, str] = field(default_factory=dict)


FAULTS = [
    Fault(
        "trakt 429 with Retry-After",
        "trakt",
        {
            "method": "GET",
            "path_regex": "^/sync/history/episodes$",
            "status": 429,
            "headers": {"Retry-After": "1"},
        },
        0,
    ),
    Fault(
        "trakt 429 without X-Ratelimit or Retry-After, persistent",
        "trakt",
        {"method": "GET", "path_regex": "^/sync/last_activities$", "status": 429, "times": 20},
        75,
    ),
    Fault(
        "trakt 502 twice",
        "trakt",
        {
            "method": "GET",
            "path_regex": "^/sync/last_activities$",
            "status": 502,
            "body": "<html>bad gateway</html>",
            "times": 2,
        },
        0,
    ),
    Fault(
        "trakt Cloudflare 520 HTML",
        "trakt",
        {
            "method": "GET",
            "path_regex": "^/sync/history/movies$",
            "status": 520,
            "body": CLOUDFLARE_PAGE,
        },
        0,
    ),
    Fault(
        "trakt 503 past the retry budget",
        "trakt",
        {"method": "GET", "path_regex": "^/sync/history/episodes$", "status": 503, "times": 50},
        75,
    ),
    Fault(
        "trakt timeout",
        "trakt",
        {"method": "GET", "path_regex": "^/sync/history/episodes$", "delay": 2.5},
        0,
        {"TRAKT_SYNC_HTTP__TIMEOUT": "1"},
    ),
    Fault(
        "trakt connection reset",
        "trakt",
        {"method": "GET", "path_regex": "^/sync/history/movies$", "reset_connection": True},
        0,
    ),
    Fault(
        "trakt truncated JSON",
        "trakt",
        {"method": "GET", "path_regex": "^/sync/history/episodes$", "truncate": True},
        0,
    ),
    Fault(
        "trakt invalid JSON",
        "trakt",
        {
            "method": "GET",
            "path_regex": "^/sync/last_activities$",
            "status": 200,
            "body": "this is not json",
        },
        0,
    ),
    Fault(
        "trakt history item with missing and mistyped fields",
        "trakt",
        {
            "method": "GET",
            "path_regex": "^/sync/history/episodes$",
            "status": 200,
            "body": [{"id": 1, "type": "episode"}, {"id": "x", "watched_at": 5, "type": "movie"}],
            "headers": {"X-Pagination-Page-Count": "1"},
        },
        0,  # bad data, counted as such, not "try again later"; the next run reads it again
    ),
    Fault(
        "trakt empty page in the middle of paging",
        "trakt",
        {
            "method": "GET",
            "path_regex": "^/sync/history/episodes$",
            "status": 200,
            "body": [],
            "headers": {"X-Pagination-Page": "1", "X-Pagination-Page-Count": "5"},
        },
        75,
        {"TRAKT_SYNC_SYNC__PAGE_LIMIT": "4"},
    ),
    Fault(
        "bangumi 500 then fine",
        "bangumi",
        {
            "method": "GET",
            "path_regex": "^/v0/episodes$",
            "status": 500,
            "body": {"title": "Internal Server Error", "description": "oops"},
        },
        0,
    ),
    Fault(
        "bangumi connection reset on a write",
        "bangumi",
        {"method": "PATCH", "path_regex": "/episodes$", "reset_connection": True},
        0,
    ),
    Fault(
        "bangumi truncated episode list",
        "bangumi",
        {"method": "GET", "path_regex": "^/v0/episodes$", "truncate": True},
        0,
    ),
    Fault(
        "bangumi 429 during resolve",
        "bangumi",
        {
            "method": "GET",
            "path_regex": "^/v0/episodes$",
            "status": 429,
            "body": {
                "title": "Too Many Request",
                "description": "too many request, you have be rate limited",
            },
            "times": 99,
        },
        75,
    ),
    Fault(
        "bangumi 429 during apply",
        "bangumi",
        {
            "method": "*",
            "path_regex": "^/v0/users/",
            "status": 429,
            "body": {
                "title": "Too Many Request",
                "description": "too many request, you have be rate limited",
            },
            "times": 99,
        },
        75,
    ),
    Fault(
        "bangumi rejects an episode id as not of its subject",
        "bangumi",
        {
            "method": "PATCH",
            "path_regex": f"/{SPY_COUR2}/episodes$",
            "status": 400,
            "body": {
                "title": "Bad Request",
                "description": f"episode 1 is not episodes of subject {SPY_COUR2}",
            },
        },
        1,
    ),
]


def expected_state(sandbox: Sandbox) -> dict[int, tuple[int, frozenset[int]]]:
    spy = subject_episodes(sandbox, SPY_COUR2)
    bocchi = subject_episodes(sandbox, BOCCHI)
    return {
        SPY_COUR2: (3, frozenset({spy[13], spy[14], spy[15]})),
        BOCCHI: (2, frozenset(bocchi.values())),
        YOUR_NAME: (2, frozenset(subject_episodes(sandbox, YOUR_NAME).values())),
    }


def bangumi_state(sandbox: Sandbox) -> dict[int, tuple[int, frozenset[int]]]:
    return {
        sid: (entry["type"], frozenset(e for e, m in entry["episodes"].items() if m == 2))
        for sid, entry in sandbox.bangumi.collection("demo").items()
    }


def play_states(sandbox: Sandbox) -> dict[str, int]:
    db = sqlite3.connect(sandbox.home / "default.sqlite3")
    try:
        return dict(db.execute("SELECT state, count(*) FROM plays GROUP BY state").fetchall())
    finally:
        db.close()


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_then_clean_run(logged_in: Sandbox, cli, monkeypatch, fault: Fault) -> None:
    for name, value in fault.env.items():
        monkeypatch.setenv(name, value)
    getattr(logged_in, fault.fake).inject(**fault.inject)

    faulted = cli("sync", "--json")
    assert faulted.code == fault.exit_code, faulted.err
    report = json.loads(faulted.out)
    assert report["exit_code"] == fault.exit_code
    if fault.exit_code:
        assert report["message"] or report["failed"], report

    expected = expected_state(logged_in)
    for subject_id, (kind, episodes) in bangumi_state(logged_in).items():
        if subject_id == BOCCHI and kind == 1:
            continue  # still the user's untouched 想看
        assert subject_id in expected, f"wrong subject collected: {subject_id}"
        assert episodes <= expected[subject_id][1], "an episode was marked wrongly"
    assert set(play_states(logged_in)) <= TERMINAL_OR_RETRYABLE

    getattr(logged_in, fault.fake).clear_faults()
    clean = cli("sync", "--json")
    assert clean.code == 0, clean.err
    assert bangumi_state(logged_in) == expected
    assert play_states(logged_in) == {"synced": 16, "skipped": 3}
