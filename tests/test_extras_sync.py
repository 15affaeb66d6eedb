"""Trakt ratings, watchlist and private collections over real HTTP against the fakes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.test_sync import collected_before_marks, marked_ids

SPY, BOCCHI_SHOW, BREAKING_BAD, YOUR_NAME_FILM, DARK_KNIGHT = 185614, 190003, 1388, 264063, 120
SPY_COUR1, SPY_COUR2, BOCCHI, YOUR_NAME = 329906, 373267, 328609, 160209
RATING_PATHS = {"/sync/ratings/movies", "/sync/ratings/shows", "/sync/ratings/seasons"}
WATCHLIST_PATHS = {"/sync/watchlist/movies", "/sync/watchlist/shows"}


def sync_json(cli, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("sync", "--json", *args)
    return result.code, json.loads(result.out)


def configure(monkeypatch: pytest.MonkeyPatch, **settings: str) -> None:
    names = {
        "ratings": "TRAKT_SYNC_SYNC__RATINGS",
        "watchlist": "TRAKT_SYNC_SYNC__WATCHLIST",
        "private": "TRAKT_SYNC_BANGUMI__PRIVATE",
    }
    for key, value in settings.items():
        monkeypatch.setenv(names[key], value)


def rate_demo(sandbox: Sandbox) -> None:
    """SPY×FAMILY S1 (both cours) 8, the Bocchi show 9, Your Name 10, an episode 3."""
    trakt = sandbox.trakt
    trakt.rate(8, show=SPY, season=1)
    trakt.rate(9, show=BOCCHI_SHOW)
    trakt.rate(10, movie=YOUR_NAME_FILM)
    trakt.rate(3, show=SPY, season=1, number=13)  # episode ratings are ignored
    trakt.rate(7, movie=DARK_KNIGHT)  # not anime: never sent


def rates(sandbox: Sandbox) -> dict[int, int]:
    return {sid: e["rate"] for sid, e in sandbox.bangumi.collection("demo").items()}


def test_ratings_off_reads_no_ratings_and_sends_none(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    rate_demo(logged_in)
    code, report = sync_json(cli)
    assert code == 0, report
    assert not RATING_PATHS & {r.path for r in logged_in.trakt.requests}
    assert set(rates(logged_in).values()) == {0}
    assert all("rate" not in (w.json or {}) for w in logged_in.bangumi.writes)


def test_ratings_fill_sets_missing_ratings_and_keeps_existing_ones(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="fill")
    logged_in.bangumi.set_collection("demo", BOCCHI, 1, rate=6)
    rate_demo(logged_in)
    code, report = sync_json(cli)
    assert code == 0, report
    collection = logged_in.bangumi.collection("demo")
    # Cour 2 was watched: rated with the season; cour 1 never watched nor watchlisted: not
    # collected, its rating waits. Bocchi keeps the rating it had; the film gets its own.
    assert rates(logged_in) == {SPY_COUR2: 8, BOCCHI: 6, YOUR_NAME: 10}
    assert SPY_COUR1 not in collection
    assert report["rated"] == 2
    waiting = {p["subject_id"] for p in report["plan"] if p["rating_waits"]}
    assert waiting == {SPY_COUR1}
    # The rating rides on the POST that creates the collection: no extra request.
    posts = [w for w in logged_in.bangumi.writes if w.method == "POST"]
    assert {w.path.rsplit("/", 1)[1]: w.json for w in posts} == {
        str(SPY_COUR2): {"type": 3, "rate": 8},
        str(BOCCHI): {"type": 2},
        str(YOUR_NAME): {"type": 2, "rate": 10},
    }


def test_ratings_overwrite_replaces_an_existing_rating(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="overwrite")
    logged_in.bangumi.set_collection("demo", BOCCHI, 1, rate=6)
    rate_demo(logged_in)
    code, report = sync_json(cli)
    assert code == 0, report
    assert rates(logged_in) == {SPY_COUR2: 8, BOCCHI: 9, YOUR_NAME: 10}


def test_a_waiting_rating_is_sent_with_the_first_play_of_its_subject(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="fill")
    rate_demo(logged_in)
    assert sync_json(cli)[0] == 0
    assert SPY_COUR1 not in logged_in.bangumi.collection("demo")
    logged_in.trakt.add_play(show=SPY, season=1, number=1)
    logged_in.bangumi.reset_log()
    code, report = sync_json(cli)
    assert code == 0, report
    entry = logged_in.bangumi.collection("demo")[SPY_COUR1]
    assert (entry["type"], entry["rate"]) == (3, 8)
    posts = [w for w in logged_in.bangumi.writes if w.method == "POST"]
    assert [w.json for w in posts] == [{"type": 3, "rate": 8}]


def test_a_changed_rating_is_fetched_once_and_overwrites(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="overwrite")
    rate_demo(logged_in)
    assert sync_json(cli)[0] == 0
    logged_in.trakt.rate(5, movie=YOUR_NAME_FILM)
    logged_in.trakt.reset_log()
    logged_in.bangumi.reset_log()
    code, report = sync_json(cli)
    assert code == 0, report
    assert [r.path for r in logged_in.trakt.requests] == [
        "/sync/last_activities",
        "/sync/ratings/movies",
    ]
    assert rates(logged_in)[YOUR_NAME] == 5
    assert [w.json for w in logged_in.bangumi.writes] == [{"rate": 5}]


def test_a_show_rating_goes_to_its_first_season_subject_unless_the_season_is_rated(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="overwrite", watchlist="true")
    logged_in.trakt.rate(4, show=SPY)
    logged_in.trakt.set_watchlisted(True, show=SPY)
    assert sync_json(cli)[0] == 0
    entry = logged_in.bangumi.collection("demo")[SPY_COUR1]
    assert (entry["type"], entry["rate"]) == (1, 4)  # watchlisted, so collected: rated
    logged_in.trakt.rate(7, show=SPY, season=1)
    assert sync_json(cli)[0] == 0
    assert rates(logged_in)[SPY_COUR1] == 7
    assert rates(logged_in)[SPY_COUR2] == 7


def test_watchlist_adds_wish_only_for_subjects_not_yet_collected(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, watchlist="true")
    assert sync_json(cli)[0] == 0  # the plays: SPY cour 2 在看, Bocchi and Your Name 看过
    before = logged_in.bangumi.collection("demo")
    for show in (SPY, BOCCHI_SHOW, BREAKING_BAD):
        logged_in.trakt.set_watchlisted(True, show=show)
    logged_in.trakt.set_watchlisted(True, movie=YOUR_NAME_FILM)
    logged_in.bangumi.reset_log()
    code, report = sync_json(cli)
    assert code == 0, report
    after = logged_in.bangumi.collection("demo")
    assert after[SPY_COUR1]["type"] == 1  # 想看: the show's first season
    for subject in (SPY_COUR2, BOCCHI, YOUR_NAME):  # 在看 and 看过 untouched
        assert after[subject] == before[subject]
    assert [w.json for w in logged_in.bangumi.writes] == [{"type": 1}]
    assert report["watchlisted"] == 1
    # A later play moves 想看 to 在看 as always.
    logged_in.trakt.add_play(show=SPY, season=1, number=2)
    assert sync_json(cli)[0] == 0
    assert logged_in.bangumi.collection("demo")[SPY_COUR1]["type"] == 3


def test_private_creates_every_collection_private_and_leaves_existing_ones(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, private="true", watchlist="true")
    logged_in.trakt.set_watchlisted(True, show=SPY)
    code, report = sync_json(cli)
    assert code == 0, report
    collection = logged_in.bangumi.collection("demo")
    created = {SPY_COUR1, SPY_COUR2, YOUR_NAME}
    assert {sid for sid, e in collection.items() if e["private"]} == created
    assert collection[BOCCHI]["private"] is False  # it existed: its privacy is its own
    for write in logged_in.bangumi.writes:
        subject = int(write.path.rsplit("/", 1)[1]) if write.method == "POST" else None
        if subject is not None:
            assert ("private" in write.json) == (subject in created), write.json
    assert {p["subject_id"] for p in report["plan"] if p["private"]} == created


def test_dry_run_lists_ratings_watchlist_and_privacy_and_writes_nothing(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="fill", watchlist="true", private="true")
    rate_demo(logged_in)
    logged_in.trakt.set_watchlisted(True, show=SPY)
    code, dry = sync_json(cli, "--dry-run")
    assert code == 0, dry
    assert logged_in.bangumi.writes == []
    plan = {p["subject_id"]: p for p in dry["plan"]}
    assert plan[SPY_COUR1]["watchlist"] is True and collected_before_marks(plan[SPY_COUR1]) == 1
    assert plan[SPY_COUR1]["rate"] == 8 and plan[SPY_COUR1]["private"] is True
    assert plan[SPY_COUR2]["rate"] == 8 and marked_ids(plan[SPY_COUR2])
    assert plan[BOCCHI]["rate"] == 9 and plan[BOCCHI]["private"] is False
    text = cli("sync", "--dry-run").out
    assert "rating: none → 8" in text and "on the Trakt watchlist" in text
    assert "created private" in text
    # The real run does what the dry run said.
    code, real = sync_json(cli)
    assert code == 0
    assert {p["subject_id"]: {**p, "result": "planned"} for p in real["plan"]} == plan
    assert rates(logged_in) == {SPY_COUR1: 8, SPY_COUR2: 8, BOCCHI: 9, YOUR_NAME: 10}


def test_second_run_with_nothing_new_costs_one_trakt_request_and_no_bangumi_request(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="fill", watchlist="true", private="true")
    rate_demo(logged_in)  # cour 1's rating waits: it must not cost requests either
    logged_in.trakt.set_watchlisted(True, movie=YOUR_NAME_FILM)
    code, first = sync_json(cli)
    assert code == 0, first
    assert {r.path for r in logged_in.trakt.requests} >= RATING_PATHS | WATCHLIST_PATHS
    for fake in (logged_in.trakt, logged_in.bangumi, logged_in.cdn):
        fake.reset_log()
    code, report = sync_json(cli)
    assert code == 0
    assert [r.path for r in logged_in.trakt.requests] == ["/sync/last_activities"]
    assert logged_in.bangumi.requests == []
    assert report["requests"] == {"trakt": 1, "bangumi": 0}


def test_a_removed_rating_un_rates_nothing(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="overwrite")
    assert sync_json(cli)[0] == 0
    logged_in.trakt.rate(6, movie=YOUR_NAME_FILM)
    logged_in.trakt.rate(None, movie=YOUR_NAME_FILM)  # rated and unrated before a sync
    logged_in.trakt.rate(9, show=BOCCHI_SHOW)
    code, report = sync_json(cli)
    assert code == 0, report
    assert rates(logged_in)[YOUR_NAME] == 0 and rates(logged_in)[BOCCHI] == 9
    logged_in.trakt.rate(None, show=BOCCHI_SHOW)
    logged_in.bangumi.reset_log()
    assert sync_json(cli)[0] == 0
    assert logged_in.bangumi.writes == []  # a removed Trakt rating un-rates nothing
    assert rates(logged_in)[BOCCHI] == 9


def test_a_refused_rating_write_is_sent_again_next_run_and_only_then(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="overwrite")
    assert sync_json(cli)[0] == 0
    logged_in.trakt.rate(5, movie=YOUR_NAME_FILM)
    logged_in.bangumi.inject(
        "POST",
        rf"/collections/{YOUR_NAME}$",
        status=400,
        body={"title": "Bad Request", "description": "refused"},
    )
    code, report = sync_json(cli)
    assert code == 1 and report["failed"] == 1
    assert rates(logged_in)[YOUR_NAME] == 0
    logged_in.bangumi.reset_log()
    assert sync_json(cli)[0] == 0
    assert [w.json for w in logged_in.bangumi.writes] == [{"rate": 5}]
    assert rates(logged_in)[YOUR_NAME] == 5
    logged_in.bangumi.reset_log()
    assert sync_json(cli)[0] == 0
    assert logged_in.bangumi.requests == []


def test_an_unavailable_ratings_list_is_read_again_next_run(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, ratings="fill")
    rate_demo(logged_in)
    logged_in.trakt.inject("GET", r"/sync/ratings/movies$", status=503, body="down", times=10)
    code, report = sync_json(cli)
    assert code == 75, report
    assert rates(logged_in).get(YOUR_NAME, 0) == 0
    logged_in.trakt.clear_faults()
    code, report = sync_json(cli)
    assert code == 0, report
    assert rates(logged_in)[YOUR_NAME] == 10
