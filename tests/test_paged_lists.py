"""Paged Trakt lists (issue 18, point 1): a history of 355 watched shows is read page by page,
a day's new plays cost what the issue's bound allows (counted from the fake's request log, not
timed), and nothing is counted removed because a list came short."""

from __future__ import annotations

import json

import pytest

from bench.big_history import PLAYS, SHOWS, backdated_day, big_history_world, bound, ordinary_day
from tests.conftest import Sandbox
from tests.test_sync import sync_json
from trakt_sync.fakes.world import World


@pytest.fixture
def demo_world() -> World:
    return big_history_world()


def trakt_requests(sandbox: Sandbox) -> list[str]:
    return [
        f"{r.path}?{'&'.join(f'{k}={v}' for k, v in r.query_list)}" for r in sandbox.trakt.requests
    ]


def test_a_history_of_355_shows_costs_a_day_what_the_bound_allows(logged_in: Sandbox, cli) -> None:
    assert len(logged_in.trakt.history) == PLAYS
    code, report = sync_json(cli)
    assert code == 0, report
    assert report["fetched"] == PLAYS

    day = ordinary_day(logged_in.trakt)
    logged_in.trakt.reset_log()
    code, report = sync_json(cli)
    assert code == 0, report
    assert report["new"] == day.new_plays and report["removed"] == 0
    requests = trakt_requests(logged_in)
    # Every page of the watched shows, 250 at a time, without seasons (no film was played).
    watched = [r for r in requests if r.startswith("/sync/watched/")]
    assert watched == [
        "/sync/watched/shows?limit=250&page=1",
        "/sync/watched/shows?limit=250&page=2",
    ]
    # Only the histories of the three shows with new plays, never the whole history.
    history = sorted({r.split("?")[0] for r in requests if r.startswith("/sync/history")})
    assert history == sorted(f"/sync/history/shows/{trakt_id}" for _, trakt_id in day.changed)
    assert len(requests) <= bound(logged_in.trakt, day), requests

    day = backdated_day(logged_in.trakt)
    logged_in.trakt.reset_log()
    code, report = sync_json(cli)
    assert code == 0, report
    assert report["new"] == day.new_plays and report["removed"] == 0
    requests = trakt_requests(logged_in)
    history = sorted({r.split("?")[0] for r in requests if r.startswith("/sync/history")})
    assert history == sorted(f"/sync/history/{kind}s/{trakt_id}" for kind, trakt_id in day.changed)
    assert len(requests) <= bound(logged_in.trakt, day), requests

    logged_in.trakt.reset_log()
    code, report = sync_json(cli)
    assert code == 0 and report["fetched"] == 0
    assert trakt_requests(logged_in) == ["/sync/last_activities?"]
    status = json.loads(cli("status", "--json").out)
    assert status["items"]["removed"] == 0
    assert len({p["show"] for p in logged_in.trakt.history if p["type"] == "episode"}) == SHOWS
