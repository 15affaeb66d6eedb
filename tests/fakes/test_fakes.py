"""The fakes answer like the contract says (real HTTP over loopback with httpx)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest

from trakt_sync.fakes import FakeBangumi, FakeDataCDN, FakeTrakt, WorldError, load_world
from trakt_sync.fakes.cdn import DATA_PATH
from trakt_sync.fakes.world import (
    BANGUMI_DATA_SAMPLE,
    World,
    add_collection,
    add_episode_play,
    add_show,
    add_subject,
    empty_world,
    normalise_world,
    trakt_weekly_episodes,
    weekly_episodes,
)

UA = "someone/trakt_sync/0.1.0 (https://example.invalid/trakt_sync)"
JSON = {"Content-Type": "application/json"}


def trakt_client(fake: FakeTrakt, token: str | None = None) -> httpx.Client:
    headers = {"trakt-api-key": fake.client_id, "trakt-api-version": "2", "User-Agent": UA}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=fake.url, headers=headers, timeout=5)


def bgm_client(fake: FakeBangumi, token: str | None = "bgm-demo-token") -> httpx.Client:
    headers = {"User-Agent": UA}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=fake.url, headers=headers, timeout=5)


@pytest.fixture
def trakt(fake_trakt: FakeTrakt) -> Iterator[httpx.Client]:
    with trakt_client(fake_trakt, fake_trakt.issue_token()["access_token"]) as client:
        yield client


@pytest.fixture
def bgm(fake_bangumi: FakeBangumi) -> Iterator[httpx.Client]:
    with bgm_client(fake_bangumi) as client:
        yield client


# -- world -----------------------------------------------------------------------------------


def test_demo_world_agrees_with_vendored_bangumi_data(demo_world: World) -> None:
    items = json.loads(BANGUMI_DATA_SAMPLE.read_text(encoding="utf-8"))["items"]
    tmdb_of = {
        int(site["id"]): next((s["id"] for s in item["sites"] if s["site"] == "tmdb"), None)
        for item in items
        for site in item["sites"]
        if site["site"] == "bangumi"
    }
    assert tmdb_of[329906] == "tv/120089"
    assert tmdb_of[373267] == "tv/120089/season/1/episode/13"
    assert tmdb_of[328609] == "tv/119100"
    assert tmdb_of[160209] == "movie/372058"
    subjects = {s["id"]: s for s in demo_world["bangumi"]["subjects"]}
    assert set(tmdb_of) >= set(subjects)
    shows = {s["ids"]["tmdb"]: s for s in demo_world["trakt"]["shows"]}
    assert len(shows[120089]["seasons"][0]["episodes"]) == 25
    cour2 = [e for e in subjects[373267]["episodes"] if e["type"] == 0]
    assert [e["sort"] for e in cour2] == list(range(13, 26))
    assert [e["ep"] for e in cour2] == list(range(1, 14))
    assert {m["ids"]["tmdb"] for m in demo_world["trakt"]["movies"]} == {372058, 155}


def test_world_validation_rejects_dangling_history() -> None:
    world = empty_world()
    add_episode_play(world, 1, "2025-01-01T00:00:00.000Z", show=99, season=1, number=1)
    with pytest.raises(WorldError):
        normalise_world(world)


# -- Trakt: OAuth (A.3) ----------------------------------------------------------------------


def _device_code(client: httpx.Client, fake: FakeTrakt) -> str:
    response = client.post("/oauth/device/code", json={"client_id": fake.client_id})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"device_code", "user_code", "verification_url", "expires_in", "interval"}
    assert body["verification_url"] == f"{fake.url}/activate"
    return str(body["device_code"])


def test_device_flow_follows_script(fake_trakt: FakeTrakt) -> None:
    fake_trakt.device_script = ["pending", "slow_down", "pending", "approve"]
    with httpx.Client(base_url=fake_trakt.url, timeout=5) as client:
        code = _device_code(client, fake_trakt)
        poll = {
            "code": code,
            "client_id": fake_trakt.client_id,
            "client_secret": fake_trakt.client_secret,
        }
        statuses = []
        for _ in range(4):
            response = client.post("/oauth/device/token", json=poll)
            statuses.append(response.status_code)
            if response.status_code == 400:
                assert response.content == b""  # A.3.2: pending has no JSON body
        assert statuses == [400, 429, 400, 200]
        token = response.json()
        assert token["token_type"] == "bearer" and token["scope"] == "public"
        assert token["expires_in"] == 86400 and isinstance(token["created_at"], int)
        assert client.post("/oauth/device/token", json=poll).status_code == 409
        unknown = {**poll, "code": "nope"}
        assert client.post("/oauth/device/token", json=unknown).status_code == 404


@pytest.mark.parametrize(
    ("outcome", "status"), [("denied", 418), ("expired", 410), ("invalid", 404), ("used", 409)]
)
def test_device_flow_terminal_outcomes(fake_trakt: FakeTrakt, outcome: str, status: int) -> None:
    fake_trakt.device_script = [outcome]
    with httpx.Client(base_url=fake_trakt.url, timeout=5) as client:
        code = _device_code(client, fake_trakt)
        poll = {
            "code": code,
            "client_id": fake_trakt.client_id,
            "client_secret": fake_trakt.client_secret,
        }
        assert client.post("/oauth/device/token", json=poll).status_code == status
        assert client.post("/oauth/device/token", json=poll).status_code == status


def test_device_code_expires_by_clock(fake_trakt: FakeTrakt) -> None:
    now = [1_700_000_000.0]
    fake_trakt.clock = lambda: now[0]
    with httpx.Client(base_url=fake_trakt.url, timeout=5) as client:
        code = _device_code(client, fake_trakt)
        now[0] += 601
        poll = {
            "code": code,
            "client_id": fake_trakt.client_id,
            "client_secret": fake_trakt.client_secret,
        }
        assert client.post("/oauth/device/token", json=poll).status_code == 410


def test_refresh_rotates_and_old_refresh_token_is_invalid_grant(fake_trakt: FakeTrakt) -> None:
    first = fake_trakt.issue_token()
    body = {
        "refresh_token": first["refresh_token"],
        "client_id": fake_trakt.client_id,
        "client_secret": fake_trakt.client_secret,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "grant_type": "refresh_token",
    }
    with httpx.Client(base_url=fake_trakt.url, timeout=5) as client:
        second = client.post("/oauth/token", json=body)
        assert second.status_code == 200
        new = second.json()
        assert new["refresh_token"] != first["refresh_token"]
        assert new["access_token"] != first["access_token"]
        reused = client.post("/oauth/token", json=body)
        assert reused.status_code == 400
        assert reused.json()["error"] == "invalid_grant"
        again = client.post("/oauth/token", json={**body, "refresh_token": new["refresh_token"]})
        assert again.status_code == 200
        fake_trakt.revoke_refresh_tokens()
        last = client.post(
            "/oauth/token", json={**body, "refresh_token": again.json()["refresh_token"]}
        )
        assert last.status_code == 400


def test_bearer_and_api_key_rules(fake_trakt: FakeTrakt) -> None:
    now = [1_700_000_000.0]
    fake_trakt.clock = lambda: now[0]
    token = fake_trakt.issue_token()["access_token"]
    with trakt_client(fake_trakt) as anonymous:
        assert anonymous.get("/sync/history").status_code == 401
        assert anonymous.get("/users/settings").status_code == 401
        assert anonymous.get("/shows/spy-x-family").status_code == 200  # public
        bad_key = anonymous.get("/shows/spy-x-family", headers={"trakt-api-key": "wrong"})
        assert bad_key.status_code == 403
    with trakt_client(fake_trakt, token) as client:
        settings = client.get("/users/settings").json()
        assert settings["user"]["username"] == "demo-user"
        assert settings["user"]["ids"]["slug"] == "demo-user"
        assert settings["account"]["timezone"] == "Asia/Shanghai"
        now[0] += 86400  # lifetime reached
        assert client.get("/sync/last_activities").status_code == 401
    fresh = fake_trakt.issue_token()["access_token"]
    with trakt_client(fake_trakt, fresh) as client:
        assert client.get("/sync/last_activities").status_code == 200
        fake_trakt.expire_access_tokens()
        response = client.get("/sync/last_activities")
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    with httpx.Client(base_url=fake_trakt.url, timeout=5) as client:
        revoke = {
            "token": fresh,
            "client_id": fake_trakt.client_id,
            "client_secret": fake_trakt.client_secret,
        }
        response = client.post("/oauth/revoke", json=revoke)
        assert response.status_code == 200 and response.content == b""


# -- Trakt: sync reads (A.5, A.7, A.8) ---------------------------------------------------------


def _busy_world(plays: int) -> World:
    world = empty_world()
    show = add_show(world, trakt_id=10, title="Long Show", year=2020, tmdb=1000)
    episodes = trakt_weekly_episodes(100, "2020-01-04T15:00:00.000Z", plays)
    show["seasons"].append(
        {"number": 1, "ids": {"trakt": 11, "tvdb": None, "tmdb": None}, "episodes": episodes}
    )
    for n in range(1, plays + 1):
        day, minute = divmod(n, 60)
        add_episode_play(
            world, 5_000_000_000 + n, f"2024-03-{1 + day:02d}T10:{minute:02d}:00.000Z", 10, 1, n
        )
    return world


def test_history_paging_headers_clamp_and_filter() -> None:
    with (
        FakeTrakt(_busy_world(300)) as fake,
        trakt_client(fake, fake.issue_token()["access_token"]) as client,
    ):
        default = client.get("/sync/history")
        assert len(default.json()) == 100
        assert default.headers["X-Pagination-Limit"] == "100"
        assert default.headers["X-Pagination-Page-Count"] == "3"
        assert default.headers["X-Pagination-Item-Count"] == "300"
        clamped = client.get("/sync/history/episodes", params={"limit": 1000, "page": 2})
        assert clamped.headers["X-Pagination-Limit"] == "250"
        assert clamped.headers["X-Pagination-Page"] == "2"
        assert clamped.headers["X-Pagination-Page-Count"] == "2"
        assert len(clamped.json()) == 50
        first = client.get("/sync/history/episodes", params={"limit": 250}).json()
        stamps = [item["watched_at"] for item in first]
        assert stamps == sorted(stamps, reverse=True)
        filtered = client.get(
            "/sync/history/episodes",
            params={"start_at": "2024-03-05T10:00:00.000Z", "limit": 250},
        )
        kept = filtered.json()
        assert kept and all(item["watched_at"] >= "2024-03-05T10:00:00.000Z" for item in kept)
        assert filtered.headers["X-Pagination-Item-Count"] == str(len(kept))
        by_date = client.get("/sync/history", params={"start_at": "2024-03-05", "limit": 250})
        assert by_date.headers["X-Pagination-Item-Count"] == str(len(kept))
        assert client.get("/sync/history/movies").json() == []


def test_history_items_minimal_and_full(trakt: httpx.Client) -> None:
    minimal = trakt.get("/sync/history/episodes", params={"limit": 1}).json()[0]
    assert set(minimal) == {"id", "watched_at", "action", "type", "episode", "show"}
    assert set(minimal["episode"]) == {"season", "number", "title", "ids"}
    assert set(minimal["show"]) == {"title", "year", "ids"}
    assert minimal["watched_at"].endswith(".000Z")
    full = trakt.get("/sync/history/episodes", params={"limit": 1, "extended": "full"}).json()[0]
    assert full["show"]["genres"] and full["show"]["country"] == "jp"
    assert full["episode"]["first_aired"] == "2022-10-15T14:00:00.000Z"  # SPY×FAMILY S1E15
    assert full["episode"]["episode_type"] == "standard"
    movies = trakt.get("/sync/history/movies", params={"extended": "full"}).json()
    assert {m["movie"]["ids"]["tmdb"] for m in movies} == {372058, 155}
    assert trakt.get("/sync/history/shows/1388").json()[0]["show"]["title"] == "Breaking Bad"


def test_last_activities_bump_when_a_play_is_added(
    fake_trakt: FakeTrakt, trakt: httpx.Client
) -> None:
    before = trakt.get("/sync/last_activities").json()
    assert before["episodes"]["watched_at"] == "2025-02-02T12:10:47.000Z"
    assert before["all"] >= before["movies"]["watched_at"]
    play = fake_trakt.add_play(show=185614, season=1, number=16)
    after = trakt.get("/sync/last_activities").json()
    assert after["episodes"]["watched_at"] > before["episodes"]["watched_at"]
    assert after["movies"] == before["movies"]
    newest = trakt.get("/sync/history", params={"limit": 1}).json()[0]
    assert newest["id"] == play["id"]


def test_metadata_routes(trakt: httpx.Client) -> None:
    seasons = trakt.get("/shows/spy-x-family/seasons", params={"extended": "episodes,full"})
    season = seasons.json()[0]
    assert season["episode_count"] == 25 and len(season["episodes"]) == 25
    assert season["episodes"][12]["first_aired"] == "2022-10-01T14:00:00.000Z"
    assert trakt.get("/shows/tt13706018").json()["ids"]["tmdb"] == 120089  # imdb id
    show = trakt.get("/shows/190003", params={"extended": "full"}).json()
    assert show["aired_episodes"] == 12 and show["airs"]["timezone"] == "Asia/Tokyo"
    assert len(trakt.get("/shows/bocchi-the-rock/seasons/1").json()) == 12
    zh = trakt.get("/shows/bocchi-the-rock/translations/zh").json()
    assert {t["country"] for t in zh} == {"cn", "tw"}
    every = trakt.get("/shows/bocchi-the-rock/translations").json()  # A.10: all languages
    assert sorted(t["language"] for t in every) == ["ja", "zh", "zh"]
    assert all(set(t) >= {"title", "language", "country"} for t in every)
    assert trakt.get("/shows/spy-x-family/aliases").json()
    hits = trakt.get("/search/tmdb/120089", params={"type": "show"}).json()
    assert [h["show"]["ids"]["trakt"] for h in hits] == [185614]
    episode_hit = trakt.get("/search/imdb/tt0959621").json()[0]
    assert episode_hit["type"] == "episode" and episode_hit["show"]["title"] == "Breaking Bad"
    assert trakt.get("/movies/your-name-2016").json()["ids"]["tmdb"] == 372058
    missing = trakt.get("/shows/nope")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"


# -- Bangumi (B.1–B.8) -----------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["", "python-requests/2.31.0", "Go-http-client/1.1", "undici"])
def test_bangumi_rejects_default_user_agents(fake_bangumi: FakeBangumi, agent: str) -> None:
    response = httpx.get(f"{fake_bangumi.url}/v0/subjects/328609", headers={"User-Agent": agent})
    assert response.status_code == 403
    assert response.json()["description"] == "Please set a 'User-Agent'"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer", "invalid http Authorization header, missing scope or missing token"),
        ("Token bgm-demo-token", "http Authorization header has wrong scope"),
        ("Bearer nope", "access token has been expired or doesn't exist"),
    ],
)
def test_bangumi_bad_tokens(fake_bangumi: FakeBangumi, header: str, message: str) -> None:
    response = httpx.get(
        f"{fake_bangumi.url}/v0/me", headers={"User-Agent": UA, "Authorization": header}
    )
    assert response.status_code == 401
    body = response.json()
    assert body["title"] == "Unauthorized" and body["description"] == message
    assert "details" in body


def test_bangumi_anonymous_reads_and_login_routes(fake_bangumi: FakeBangumi) -> None:
    with bgm_client(fake_bangumi, token=None) as anonymous:
        assert anonymous.get("/v0/subjects/373267").json()["eps"] == 13
        me = anonymous.get("/v0/me")
        assert me.status_code == 401 and me.json()["description"] == "this API need authorization"
        unknown = anonymous.get("/v0/nothing")
        assert unknown.status_code == 404
        assert unknown.json()["description"].startswith("This is default response")


def test_bangumi_me_subject_relations_and_merged(demo_world: World) -> None:
    demo_world["bangumi"]["merged"] = {"300000": 373267}
    with FakeBangumi(demo_world) as fake, bgm_client(fake) as bgm:
        assert bgm.get("/v0/me").json()["username"] == "demo"
        moved = bgm.get("/v0/subjects/300000")
        assert moved.status_code == 302
        assert moved.headers["Location"] == "/v0/subjects/373267"
        subject = bgm.get("/v0/subjects/373267").json()
        assert subject["platform"] == "TV" and subject["total_episodes"] == 14
        relations = bgm.get("/v0/subjects/373267/subjects").json()
        assert relations == [
            {
                "id": 329906,
                "type": 2,
                "name": "SPY×FAMILY",
                "name_cn": "间谍过家家",
                "images": relations[0]["images"],
                "relation": "前传",
            }
        ]
        assert bgm.get("/v0/subjects/999").status_code == 404


def test_bangumi_search(bgm: httpx.Client) -> None:
    found = bgm.post("/v0/search/subjects", json={"keyword": "孤独摇滚"}).json()
    assert [s["id"] for s in found["data"]] == [328609]
    assert found["limit"] == 10 and "image" in found["data"][0]
    spy = bgm.post(
        "/v0/search/subjects",
        params={"limit": 50},
        json={"keyword": "spy×family", "filter": {"type": [2], "air_date": [">=2022-07-01"]}},
    ).json()
    assert [s["id"] for s in spy["data"]] == [373267] and spy["limit"] == 20
    bad_sort = bgm.post("/v0/search/subjects", json={"keyword": "x", "sort": "new"})
    assert bad_sort.status_code == 400


def test_bangumi_episodes_paging_rules(bgm: httpx.Client) -> None:
    page = bgm.get("/v0/episodes", params={"subject_id": 373267}).json()
    assert page["total"] == 14 and page["limit"] == 100
    mains = bgm.get("/v0/episodes", params={"subject_id": 373267, "type": 0}).json()["data"]
    assert [(e["sort"], e["ep"]) for e in mains][:2] == [(13, 1), (14, 2)]
    for params in (
        {"subject_id": 373267, "limit": 1001},
        {"subject_id": 373267, "limit": 0},
        {"subject_id": 373267, "offset": 15},
        {},
    ):
        assert bgm.get("/v0/episodes", params=params).status_code == 400, params
    assert bgm.get("/v0/episodes", params={"subject_id": 1}).status_code == 404


def test_bangumi_write_rules(fake_bangumi: FakeBangumi, bgm: httpx.Client) -> None:
    marks = {"episode_id": [1124319, 1126225], "type": 2}
    wrong_type = bgm.post(
        "/v0/users/-/collections/373267",
        content=b'{"type": 3}',
        headers={"Content-Type": "text/plain"},
    )
    assert wrong_type.status_code == 415
    first = bgm.patch("/v0/users/-/collections/373267/episodes", json=marks)
    assert first.status_code == 400
    assert first.json()["description"] == "you need to add subject to your collection first"
    assert bgm.patch("/v0/users/-/collections/373267", json={"type": 3}).status_code == 404
    assert bgm.post("/v0/users/-/collections/373267", json={"type": 3}).status_code == 202
    foreign = bgm.patch(
        "/v0/users/-/collections/373267/episodes",
        json={"episode_id": [1124319, 1120001], "type": 2},
    )
    assert foreign.status_code == 400
    assert foreign.json()["description"] == "episode 1120001 is not episodes of subject 373267"
    empty = bgm.patch("/v0/users/-/collections/373267/episodes", json={"episode_id": [], "type": 2})
    assert empty.status_code == 400
    assert bgm.patch("/v0/users/-/collections/373267/episodes", json=marks).status_code == 204
    state = fake_bangumi.collection("demo")[373267]
    assert state["type"] == 3 and state["ep_status"] == 2
    assert state["episodes"] == {1124319: 2, 1126225: 2}
    listing = bgm.get("/v0/users/-/collections/373267/episodes", params={"episode_type": 0})
    assert [e["type"] for e in listing.json()["data"]][:3] == [2, 2, 0]
    rated = bgm.patch("/v0/users/-/collections/373267", json={"type": 2, "rate": 11})
    assert rated.status_code == 400 and rated.json()["description"] == "rate overflow"
    put = bgm.put(
        "/v0/users/-/collections/-/episodes/1126226",
        json={"type": 2},
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )
    assert put.status_code == 204
    assert bgm.get("/v0/users/demo/collections/373267").json()["ep_status"] == 3
    dash = bgm.get("/v0/users/-/collections/373267")
    assert dash.status_code == 404
    assert dash.json()["description"] == "user doesn't exist or has been removed"
    assert [w.status for w in fake_bangumi.writes] == [415, 400, 404, 202, 400, 400, 204, 400, 204]


def test_bangumi_collection_list_paging() -> None:
    world = empty_world(bangumi_username="many", bangumi_token="t")
    for sid in range(1, 61):
        add_subject(
            world,
            subject_id=sid,
            name=f"Show {sid}",
            date="2020-01-01",
            episodes=weekly_episodes(sid * 100, "2020-01-01", 2),
        )
        add_collection(world, "many", sid, 2 if sid % 2 else 3, updated_at=1_700_000_000 + sid)
    with FakeBangumi(world) as fake, bgm_client(fake, token=None) as bgm:
        page = bgm.get("/v0/users/many/collections", params={"subject_type": 2}).json()
        assert page["total"] == 60 and page["limit"] == 30 and len(page["data"]) == 30
        assert page["data"][0]["subject_id"] == 60  # newest first
        assert page["data"][0]["subject"]["name"] == "Show 60"
        last = bgm.get("/v0/users/many/collections", params={"limit": 50, "offset": 50}).json()
        assert len(last["data"]) == 10
        doing = bgm.get("/v0/users/many/collections", params={"type": 3}).json()
        assert doing["total"] == 30
        assert bgm.get("/v0/users/many/collections", params={"limit": 51}).status_code == 400
        assert bgm.get("/v0/users/ghost/collections").status_code == 404
        missing = bgm.get("/v0/users/many/collections/999")
        assert missing.json()["description"] == "subject is not collected by user"


def test_bangumi_rate_limit(demo_world: World) -> None:
    with FakeBangumi(demo_world, rate_limit=2) as fake, bgm_client(fake) as bgm:
        assert bgm.get("/v0/subjects/328609").status_code == 200
        assert bgm.get("/v0/subjects/328609").status_code == 200
        limited = bgm.get("/v0/subjects/328609")
        assert limited.status_code == 429 and "Retry-After" not in limited.headers
        assert limited.json()["title"] == "Too Many Request"


# -- fault injection & CDN ---------------------------------------------------------------------


def test_fault_is_consumed_once_and_logged(fake_trakt: FakeTrakt, trakt: httpx.Client) -> None:
    fake_trakt.inject(
        "GET",
        r"^/sync/last_activities$",
        status=503,
        body={"error": "busy"},
        headers={"Retry-After": "3"},
    )
    fake_trakt.inject("*", r"^/shows/", status=520, body="<html>cloudflare</html>")
    first = trakt.get("/sync/last_activities")
    assert first.status_code == 503 and first.headers["Retry-After"] == "3"
    assert trakt.get("/sync/last_activities").status_code == 200
    cloudflare = trakt.get("/shows/spy-x-family")
    assert cloudflare.status_code == 520 and cloudflare.headers["content-type"].startswith(
        "text/html"
    )
    assert trakt.get("/shows/spy-x-family").status_code == 200
    assert fake_trakt.count(r"last_activities") == 2
    assert [r.faulted for r in fake_trakt.requests] == [True, False, True, False]
    fake_trakt.reset_log()
    assert fake_trakt.count() == 0


def test_transport_faults(fake_bangumi: FakeBangumi) -> None:
    fake_bangumi.inject("GET", "/v0/subjects/", reset_connection=True)
    fake_bangumi.inject("GET", "/v0/subjects/", truncate=True)
    fake_bangumi.inject("GET", "/v0/subjects/", delay=1.0)
    with bgm_client(fake_bangumi) as bgm:
        with pytest.raises(httpx.TransportError):
            bgm.get("/v0/subjects/328609")
        with pytest.raises(httpx.RemoteProtocolError):
            bgm.get("/v0/subjects/328609")
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            bgm.get("/v0/subjects/328609", timeout=0.2)
        assert time.monotonic() - started < 0.9
        assert bgm.get("/v0/subjects/328609").status_code == 200
    assert fake_bangumi.count("/v0/subjects/") == 4


def test_cdn_conditional_requests(fake_cdn: FakeDataCDN) -> None:
    with httpx.Client(base_url=fake_cdn.url, timeout=5) as client:
        full = client.get(DATA_PATH)
        assert full.status_code == 200 and "items" in full.json()
        etag, modified = full.headers["ETag"], full.headers["Last-Modified"]
        assert client.get(DATA_PATH, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(DATA_PATH, headers={"If-Modified-Since": modified}).status_code == 304
        old = formatdate(0, usegmt=True)
        assert client.get(DATA_PATH, headers={"If-Modified-Since": old}).status_code == 200
        fake_cdn.replace(b'{"siteMeta": {}, "items": []}')
        changed = client.get(DATA_PATH, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert client.get("/npm/other/file.json").status_code == 404


def test_serve_command_prints_urls(tmp_path: Path) -> None:
    port_file = tmp_path / "urls.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trakt_sync.fakes",
            "serve",
            "--world",
            "demo",
            "--port-file",
            str(port_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        urls = json.loads(process.stdout.readline())
        assert json.loads(port_file.read_text()) == urls
        assert httpx.get(urls["bangumi_data"], timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_load_world_by_path(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps(load_world("demo")), encoding="utf-8")
    assert load_world(path)["trakt"]["client_id"] == "demo-client-id"
    with pytest.raises(WorldError):
        load_world("no-such-world")
