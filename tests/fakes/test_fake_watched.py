"""The Trakt fake's /sync/watched summary (contract A.9) and its admin route for plays."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.test_fakes import trakt_client
from trakt_sync.fakes import FakeTrakt, load_world

SPY = 185614


def shows(client: httpx.Client) -> dict[int, dict[str, Any]]:
    response = client.get("/sync/watched/shows", params={"extended": "noseasons"})
    assert response.status_code == 200
    return {entry["show"]["ids"]["trakt"]: entry for entry in response.json()}


def test_last_updated_at_moves_when_a_backdated_play_is_added_not_when_one_is_removed() -> None:
    with FakeTrakt(load_world("demo")) as fake:
        client = trakt_client(fake, fake.issue_token()["access_token"])
        before = shows(client)[SPY]
        assert before["plays"] == 3 and "seasons" not in before
        activity = fake.last_activities["episodes"]["watched_at"]

        added = httpx.post(
            f"{fake.url}/_admin/plays",
            json={"show": SPY, "season": 1, "number": 2, "watched_at": "2016-01-01T00:00:00Z"},
        )
        assert added.status_code == 201
        after = shows(client)[SPY]
        assert after["plays"] == 4
        assert after["last_watched_at"] == before["last_watched_at"]  # an old watch date
        assert after["last_updated_at"] > before["last_updated_at"]
        assert fake.last_activities["episodes"]["watched_at"] > activity

        removed = httpx.delete(f"{fake.url}/_admin/plays/{added.json()['id']}")
        assert removed.status_code == 204
        final = shows(client)[SPY]
        assert final["plays"] == 3
        assert final["last_updated_at"] == after["last_updated_at"]

        with_seasons = client.get("/sync/watched/shows").json()
        spy = next(e for e in with_seasons if e["show"]["ids"]["trakt"] == SPY)
        assert [e["number"] for e in spy["seasons"][0]["episodes"]] == [13, 14, 15]
        movies = client.get("/sync/watched/movies").json()
        assert sorted(m["movie"]["ids"]["trakt"] for m in movies) == [120, 264063]
        assert client.get("/sync/watched/movies", headers={"Authorization": ""}).status_code == 401


def test_the_admin_route_refuses_unknown_plays() -> None:
    with FakeTrakt(load_world("demo")) as fake:
        bad = httpx.post(f"{fake.url}/_admin/plays", json={"show": SPY, "season": 9, "number": 1})
        assert bad.status_code == 422
        assert httpx.delete(f"{fake.url}/_admin/plays/1").status_code == 404
