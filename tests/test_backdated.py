"""Plays added late with an old watch date (issue 11): found by the next plain sync and by the
daemon, in few Trakt requests; removals recorded, never un-marked; dry runs leave the state."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.test_sync import BOCCHI, SPY_COUR2, YOUR_NAME, marked, subject_episodes, sync_json

SPY, BOCCHI_SHOW, BREAKING_BAD = 185614, 190003, 1388
YOUR_NAME_MOVIE = 264063
BOCCHI_E11, BOCCHI_E12, YOUR_NAME_PLAY, SPY_E15 = 9861234515, 9861234516, 9861234504, 9861234519


def first_sync_without_some_plays(sandbox: Sandbox, cli) -> None:
    """The first sync, with two Bocchi episodes and the Your Name film not yet played."""
    for history_id in (BOCCHI_E11, BOCCHI_E12, YOUR_NAME_PLAY):
        sandbox.trakt.remove_play(history_id)
    code, report = sync_json(cli)
    assert code == 0, report
    assert YOUR_NAME not in sandbox.bangumi.collection("demo")


def add_backdated_plays(sandbox: Sandbox) -> dict[int, set[int]]:
    """Plays logged now with watch dates years ago, of two shows and a film; returns the
    episode marks each subject must end with."""
    trakt = sandbox.trakt
    trakt.add_play(show=BOCCHI_SHOW, season=1, number=11, watched_at="2015-03-01T20:00:00.000Z")
    trakt.add_play(show=BOCCHI_SHOW, season=1, number=12, watched_at="2016-07-09T21:30:00.000Z")
    trakt.add_play(show=SPY, season=1, number=16, watched_at="2019-11-02T10:00:00.000Z")
    trakt.add_play(show=SPY, season=1, number=17, watched_at="2024-01-20T18:45:00.000Z")
    trakt.add_play(movie=YOUR_NAME_MOVIE, watched_at="2017-05-05T19:00:00.000Z")
    spy = subject_episodes(sandbox, SPY_COUR2)
    bocchi = subject_episodes(sandbox, BOCCHI)
    return {
        SPY_COUR2: {spy[13], spy[14], spy[15], spy[16], spy[17]},
        BOCCHI: set(bocchi.values()),
    }


def assert_all_marked(sandbox: Sandbox, expected: dict[int, set[int]]) -> None:
    for subject_id, episodes in expected.items():
        assert marked(sandbox, subject_id) == episodes, subject_id
    assert sandbox.bangumi.collection("demo")[YOUR_NAME]["type"] == 2
    assert marked(sandbox, YOUR_NAME) == set(subject_episodes(sandbox, YOUR_NAME).values())


def trakt_paths(sandbox: Sandbox) -> list[str]:
    return [r.path for r in sandbox.trakt.requests]


def db_snapshot(home: Path) -> tuple[list[Any], list[Any]]:
    db = sqlite3.connect(home / "default.sqlite3")
    try:
        plays = db.execute("SELECT * FROM plays ORDER BY history_id").fetchall()
        state = db.execute("SELECT * FROM state ORDER BY key").fetchall()
    finally:
        db.close()
    return plays, state


def test_backdated_plays_of_several_shows_and_a_film_are_marked_by_the_next_sync(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SYNC__PAGE_LIMIT", "3")  # a history of 7 pages of episodes
    first_sync_without_some_plays(logged_in, cli)
    expected = add_backdated_plays(logged_in)
    logged_in.trakt.reset_log()

    code, report = sync_json(cli)
    assert code == 0, report
    assert report["new"] == 5
    assert_all_marked(logged_in, expected)
    paths = trakt_paths(logged_in)
    history = [p for p in paths if p.startswith("/sync/history/")]
    assert [p for p in paths if p not in history] == [
        "/sync/last_activities",
        "/sync/watched/shows",
        "/sync/watched/movies",
    ]
    # Only the changed shows' and film's histories, all of their pages: Bocchi 12 plays = 4
    # pages, SPY x FAMILY 5 plays = 2 pages, the film 1 page; never the whole history.
    assert sorted(set(history)) == [
        f"/sync/history/movies/{YOUR_NAME_MOVIE}",
        f"/sync/history/shows/{SPY}",
        f"/sync/history/shows/{BOCCHI_SHOW}",
    ]
    assert len(history) == 4 + 2 + 1
    assert len(paths) == 3 + len(history)

    logged_in.trakt.reset_log()
    code, report = sync_json(cli)
    assert code == 0 and report["fetched"] == 0
    assert trakt_paths(logged_in) == ["/sync/last_activities"]


def test_a_small_history_is_fetched_whole_where_that_is_fewer_requests(
    logged_in: Sandbox, cli
) -> None:
    first_sync_without_some_plays(logged_in, cli)
    expected = add_backdated_plays(logged_in)
    logged_in.trakt.reset_log()

    code, report = sync_json(cli)
    assert code == 0, report
    assert_all_marked(logged_in, expected)
    # Two changed shows would take two requests; all 19 episode plays fit in one page.
    assert trakt_paths(logged_in) == [
        "/sync/last_activities",
        "/sync/watched/shows",
        "/sync/history/episodes",
        "/sync/watched/movies",
        f"/sync/history/movies/{YOUR_NAME_MOVIE}",
    ]


def test_a_first_sync_fetches_the_whole_history_without_the_watched_summary(
    logged_in: Sandbox, cli
) -> None:
    logged_in.trakt.reset_log()

    code, report = sync_json(cli)
    assert code == 0, report
    paths = trakt_paths(logged_in)
    # Nothing is held yet: every item changed, so the summary could only be a baseline.
    assert not [p for p in paths if p.startswith("/sync/watched")]
    assert {"/sync/history/episodes", "/sync/history/movies"} <= set(paths)


def test_the_daemon_marks_backdated_plays_on_its_next_run(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_sync_without_some_plays(logged_in, cli)
    expected = add_backdated_plays(logged_in)
    monkeypatch.setenv("TRAKT_SYNC_SYNC__SCHEDULE", "* * * * * */1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", "daemon"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while marked(logged_in, SPY_COUR2) != expected[SPY_COUR2]:
            assert time.monotonic() < deadline, "the daemon never marked the backdated plays"
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert_all_marked(logged_in, expected)


def test_a_removed_play_is_recorded_and_nothing_is_unmarked(logged_in: Sandbox, cli) -> None:
    assert sync_json(cli)[0] == 0
    before = logged_in.bangumi.collection("demo")
    logged_in.trakt.remove_play(SPY_E15)
    logged_in.bangumi.reset_log()

    code, report = sync_json(cli)
    assert code == 0, report
    assert report["removed"] == 1 and report["new"] == 0
    assert logged_in.bangumi.writes == []
    assert logged_in.bangumi.collection("demo") == before
    status = json.loads(cli("status", "--json").out)
    assert status["items"]["removed"] == 1 and status["items"]["synced"] == 15


def test_a_play_removed_while_still_pending_is_never_sent(logged_in: Sandbox, cli) -> None:
    assert sync_json(cli)[0] == 0
    play = logged_in.trakt.add_play(show=SPY, season=1, number=16)
    # Bangumi is down for the episode write: the new play stays to be sent next time.
    logged_in.bangumi.inject("PATCH", "/episodes$", status=503, body="<html>down</html>", times=50)
    code, report = sync_json(cli)
    assert code != 0 and report["synced"] == 0
    logged_in.bangumi.clear_faults()
    logged_in.trakt.remove_play(play["id"])
    logged_in.bangumi.reset_log()

    code, report = sync_json(cli)
    assert code == 0, report
    assert report["removed"] == 1
    assert logged_in.bangumi.writes == []
    spy = subject_episodes(logged_in, SPY_COUR2)
    assert marked(logged_in, SPY_COUR2) == {spy[13], spy[14], spy[15]}


def test_a_dry_run_finds_the_same_plays_and_leaves_the_local_state(logged_in: Sandbox, cli) -> None:
    first_sync_without_some_plays(logged_in, cli)
    expected = add_backdated_plays(logged_in)
    before = db_snapshot(logged_in.home)
    logged_in.bangumi.reset_log()

    code, dry = sync_json(cli, "--dry-run")
    assert code == 0, dry
    assert dry["new"] == 5 and logged_in.bangumi.writes == []
    assert db_snapshot(logged_in.home) == before

    code, real = sync_json(cli)
    assert code == 0, real
    assert real["new"] == dry["new"] and real["fetched"] == dry["fetched"]
    # The same plan, planned by the dry run and done by the real one.
    assert {p["subject_id"]: {**p, "result": "done"} for p in dry["plan"]} == {
        p["subject_id"]: p for p in real["plan"]
    }
    assert_all_marked(logged_in, expected)


def test_the_first_run_after_upgrading_recovers_plays_earlier_versions_missed(
    logged_in: Sandbox, cli
) -> None:
    assert sync_json(cli)[0] == 0
    lost = logged_in.trakt.add_play(
        show=SPY, season=1, number=16, watched_at="2019-01-01T12:00:00Z"
    )
    # What an earlier version left: the activity seen (so it would never look again), a
    # watched_at cursor, no watched summary, schema 1.
    db = sqlite3.connect(logged_in.home / "default.sqlite3")
    activity = logged_in.trakt.last_activities["episodes"]["watched_at"]
    with db:
        db.execute("DELETE FROM state WHERE key LIKE 'watched:%' OR key = 'reconcile'")
        db.execute(
            "INSERT OR REPLACE INTO state(key, value) VALUES ('activity:episodes', ?), "
            "('cursor:episodes', ?)",
            (json.dumps(activity), json.dumps("2025-02-02T12:10:47.000Z")),
        )
    db.execute("PRAGMA user_version = 1")
    db.close()

    result = cli("sync", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["recovered"] == 1 and report["new"] == 1
    assert "recovered 1 play(s)" in result.err
    spy = subject_episodes(logged_in, SPY_COUR2)
    assert spy[16] in marked(logged_in, SPY_COUR2)
    db = sqlite3.connect(logged_in.home / "default.sqlite3")
    assert db.execute("SELECT state FROM plays WHERE history_id = ?", (lost["id"],)).fetchone() == (
        "synced",
    )
    db.close()

    logged_in.trakt.reset_log()
    code, report = sync_json(cli)
    assert code == 0 and report["recovered"] == 0
    assert trakt_paths(logged_in) == ["/sync/last_activities"]
