"""The performance bench's worlds and counting (its timings are never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx

from bench.perf import PreparedTrakt, bare_app_source, command_names, requests_by_route
from bench.perf_worlds import Expected, build_world
from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import normalise_world


def test_world_has_the_plays_asked_for_and_the_subjects_it_expects() -> None:
    world, expected = build_world(600)

    normalise_world(world)  # every play refers to a known show episode or film
    history = world["trakt"]["history"]
    shows = {s["ids"]["trakt"]: s["title"] for s in world["trakt"]["shows"]}
    kinds = Counter(p["type"] for p in history)
    assert len(history) == 600 == expected.episode_plays + expected.movie_plays
    assert (kinds["episode"], kinds["movie"]) == (expected.episode_plays, expected.movie_plays)
    subjects = {s["id"]: s for s in world["bangumi"]["subjects"]}
    assert expected.subjects and expected.title_only == 3
    assert expected.anime_shows == len({show for show, _, _ in expected.anime_episodes})
    assert len(expected.anime_episodes) == expected.episode_plays - sum(
        1 for p in history if p["type"] == "episode" and "Drama" in shows[p["show"]]
    )
    for sid, episodes in expected.subjects.items():
        assert len(subjects[sid]["episodes"]) == episodes
    assert build_world(600)[0] == world  # one seed, one world


def test_floor_counts_pages_and_per_subject_requests() -> None:
    expected = Expected(
        episode_plays=501,
        movie_plays=250,
        subjects={1: 12, 2: 1, 3: 1500},
        title_only=1,
        anime_shows=2,
    )

    # Trakt (issue 19): last activities + 3 episode pages + 1 movie page + one metadata read
    # per anime show + one title read for the title-only one; Bangumi: 2, one search, and
    # for each TV subject and the film alike: the episode list (two pages of 1,500
    # episodes), the write, a PATCH.
    assert expected.floor() == {"trakt": 8, "bangumi": 13, "cdn": 1}


def test_bare_app_lists_the_same_commands(tmp_path: Path) -> None:
    tree = {"sync": [], "auth": ["bangumi", "status"], "map": ["add"]}
    script = tmp_path / "bare.py"
    script.write_text(bare_app_source(tree), encoding="utf-8")
    argv = [sys.executable, str(script)]

    listed = command_names(argv, dict(os.environ))
    assert sorted(listed) == sorted(tree)
    assert command_names([*argv, "auth"], dict(os.environ)) == ["bangumi", "status"]
    done = subprocess.run([*argv, "map", "add"], capture_output=True, check=False)
    assert done.returncode == 0


def test_requests_are_counted_by_route() -> None:
    world, _ = build_world(60)
    with FakeTrakt(world) as trakt, FakeBangumi(world) as bangumi:
        headers = {"trakt-api-key": trakt.client_id, "trakt-api-version": "2"}
        for show in world["trakt"]["shows"][:2]:
            httpx.get(f"{trakt.url}/shows/{show['ids']['trakt']}/seasons/1", headers=headers)
        httpx.get(f"{bangumi.url}/v0/subjects/55770", headers={"User-Agent": "perf-test"})

        assert requests_by_route(trakt) == {"GET /shows/N/seasons/N": 2}
        assert requests_by_route(bangumi) == {"GET /v0/subjects/N": 1}


def test_prepared_trakt_answers_history_pages_like_the_fake() -> None:
    world, _ = build_world(600)
    with FakeTrakt(world) as plain, PreparedTrakt(world) as prepared:
        prepared.prepare()
        for kind, page in (("episodes", 1), ("episodes", 3), ("movies", 1), ("episodes", 9)):
            bodies = []
            for fake in (plain, prepared):
                token = fake.issue_token()["access_token"]
                response = httpx.get(
                    f"{fake.url}/sync/history/{kind}",
                    params={"limit": 100, "page": page, "extended": "full"},
                    headers={
                        "trakt-api-key": fake.client_id,
                        "trakt-api-version": "2",
                        "Authorization": f"Bearer {token}",
                    },
                )
                bodies.append((response.status_code, response.json(), response.headers))
            (status, items, headers), (status2, items2, headers2) = bodies
            assert (status, items) == (status2, items2) and status == 200
            for name in ("X-Pagination-Page-Count", "X-Pagination-Item-Count"):
                assert headers[name] == headers2[name]
