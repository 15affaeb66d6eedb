"""The Trakt fake's /sync/watched summary (contract A.9) and its admin route for plays."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.test_fakes import trakt_client
from trakt_sync.fakes import FakeTrakt, load_world
from trakt_sync.fakes.world import (
    add_episode_play,
    add_season,
    add_show,
    empty_world,
    trakt_weekly_episodes,
)

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

        assert "seasons" not in client.get("/sync/watched/shows").json()[0]  # A.9: no-op now
        with_seasons = client.get("/sync/watched/shows", params={"extended": "progress"}).json()
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


def test_the_watched_lists_are_paged_like_trakt_since_2026_06_30() -> None:
    """A.9: 100 a page without a limit, clamped at 250, the four headers; seasons only with
    ``extended=progress``, and then at most 100 a page."""
    world = empty_world()
    for n in range(1, 301):
        show = add_show(world, trakt_id=n, title=f"Show {n}", year=2020)
        add_season(show, 1, trakt_weekly_episodes(10_000 * n, "2020-01-01T00:00:00Z", 2))
        add_episode_play(world, n, f"2021-01-01T{n // 60:02d}:{n % 60:02d}:00.000Z", n, 1, 1)
    with FakeTrakt(world) as fake:
        client = trakt_client(fake, fake.issue_token()["access_token"])
        first = client.get("/sync/watched/shows")
        assert len(first.json()) == 100 and "seasons" not in first.json()[0]
        assert {k: first.headers[f"X-Pagination-{k}"] for k in ("Page", "Limit")} == {
            "Page": "1",
            "Limit": "100",
        }
        assert first.headers["X-Pagination-Page-Count"] == "3"
        assert first.headers["X-Pagination-Item-Count"] == "300"
        clamped = client.get("/sync/watched/shows", params={"limit": 1000, "page": 2})
        assert clamped.headers["X-Pagination-Limit"] == "250"
        assert clamped.headers["X-Pagination-Page-Count"] == "2"
        assert len(clamped.json()) == 50
        seen = {e["show"]["ids"]["trakt"] for e in first.json() + clamped.json()}
        page_two = client.get("/sync/watched/shows", params={"limit": 250}).json()
        assert len(seen | {e["show"]["ids"]["trakt"] for e in page_two}) == 300
        progress = client.get("/sync/watched/shows", params={"limit": 250, "extended": "progress"})
        assert progress.headers["X-Pagination-Limit"] == "100"
        assert len(progress.json()) == 100 and progress.json()[0]["seasons"]
        movies = client.get("/sync/watched/movies")
        assert movies.json() == [] and movies.headers["X-Pagination-Item-Count"] == "0"
