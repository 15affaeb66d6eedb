"""The sync over real HTTP against the fakes: marks, incrementality, idempotence, dry runs."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Sandbox
from trakt_sync.timeutil import iso_z, utcnow

SPY_COUR2, BOCCHI, YOUR_NAME = 373267, 328609, 160209
YOUR_NAME_TRAKT = 264063


def marked_ids(plan: dict[str, Any]) -> list[int]:
    """The Bangumi episode ids a ``sync --json`` plan entry marks."""
    return [i for c in plan["changes"] if c["kind"] == "episodes" for i in c["episode_ids"]]


def collected_before_marks(plan: dict[str, Any]) -> int | None:
    """The collection type a plan entry sets before its episode marks, if any."""
    steps = [c for c in plan["changes"] if c["kind"] == "collection"]
    return next((c["to"] for c in steps if c["step"] == "before_episodes"), None)


def subject_episodes(sandbox: Sandbox, subject_id: int) -> dict[float, int]:
    """sort → episode id for the subject's main episodes in the fake's world."""
    subject = next(s for s in sandbox.bangumi.world["bangumi"]["subjects"] if s["id"] == subject_id)
    return {e["sort"]: e["id"] for e in subject["episodes"] if e["type"] == 0}


def marked(sandbox: Sandbox, subject_id: int) -> set[int]:
    entry = sandbox.bangumi.collection("demo").get(subject_id)
    return {eid for eid, mark in (entry or {}).get("episodes", {}).items() if mark == 2}


def sync_json(cli, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("sync", "--json", *args)
    return result.code, json.loads(result.out)


def test_first_sync_marks_exactly_the_expected_episodes_and_films(logged_in: Sandbox, cli) -> None:
    code, report = sync_json(cli)
    assert code == 0, report
    spy = subject_episodes(logged_in, SPY_COUR2)
    bocchi = subject_episodes(logged_in, BOCCHI)
    collection = logged_in.bangumi.collection("demo")
    assert set(collection) == {SPY_COUR2, BOCCHI, YOUR_NAME}
    assert marked(logged_in, SPY_COUR2) == {spy[13], spy[14], spy[15]}
    assert collection[SPY_COUR2]["type"] == 3  # 在看: not every episode watched
    assert marked(logged_in, BOCCHI) == set(bocchi.values())
    assert collection[BOCCHI]["type"] == 2  # 想看 → 看过: all twelve watched
    assert collection[YOUR_NAME]["type"] == 2  # a film → 看过
    # ... with its one episode marked, or Bangumi shows its progress as 0/1.
    assert marked(logged_in, YOUR_NAME) == set(subject_episodes(logged_in, YOUR_NAME).values())
    assert report["fetched"] == 19 and report["new"] == 19
    assert report["marked"] == 3 + 12 + 1
    assert report["skipped"] == 3  # Breaking Bad ×2 and The Dark Knight: not anime
    assert report["failed"] == 0 and report["dry_run"] is False
    assert report["requests"]["trakt"] >= 3 and report["requests"]["bangumi"] >= 5
    # One PATCH per subject for all of its new episodes, the film's included.
    patches = [w for w in logged_in.bangumi.writes if w.method == "PATCH"]
    assert sorted(len(w.json["episode_id"]) for w in patches) == [1, 3, 12]


def film_writes(sandbox: Sandbox) -> list[tuple[str, Any]]:
    return [
        (w.method, w.json)
        for w in sandbox.bangumi.writes
        if f"/collections/{YOUR_NAME}" in w.path and (w.status or 0) < 300
    ]


def test_a_film_is_collected_as_done_then_its_episode_marked_in_one_patch(
    logged_in: Sandbox, cli
) -> None:
    assert sync_json(cli)[0] == 0
    [episode] = subject_episodes(logged_in, YOUR_NAME).values()
    # The POST first: Bangumi refuses an episode PATCH on a subject not collected.
    assert film_writes(logged_in) == [
        ("POST", {"type": 2}),
        ("PATCH", {"episode_id": [episode], "type": 2}),
    ]


def test_a_film_watched_again_sends_nothing(logged_in: Sandbox, cli) -> None:
    assert sync_json(cli)[0] == 0
    logged_in.trakt.add_play(movie=YOUR_NAME_TRAKT)
    logged_in.bangumi.reset_log()
    code, report = sync_json(cli)
    assert code == 0 and report["new"] == 1
    assert logged_in.bangumi.writes == []
    [plan] = report["plan"]
    assert plan["subject_id"] == YOUR_NAME and marked_ids(plan) == []
    assert len(plan["already_marked"]) == len(subject_episodes(logged_in, YOUR_NAME)) == 1


def test_a_film_already_done_without_its_episode_gets_only_the_patch(
    logged_in: Sandbox, cli
) -> None:
    # As an earlier version left it: 看过, progress 0/1.
    logged_in.bangumi.set_collection("demo", YOUR_NAME, 2)
    assert sync_json(cli)[0] == 0
    [episode] = subject_episodes(logged_in, YOUR_NAME).values()
    assert film_writes(logged_in) == [("PATCH", {"episode_id": [episode], "type": 2})]
    assert logged_in.bangumi.collection("demo")[YOUR_NAME]["type"] == 2
    assert marked(logged_in, YOUR_NAME) == {episode}


def test_second_sync_with_nothing_new_costs_one_trakt_request_and_no_bangumi_request(
    logged_in: Sandbox, cli
) -> None:
    assert sync_json(cli)[0] == 0
    for fake in (logged_in.trakt, logged_in.bangumi, logged_in.cdn):
        fake.reset_log()
    code, report = sync_json(cli)
    assert code == 0
    assert [r.path for r in logged_in.trakt.requests] == ["/sync/last_activities"]
    assert logged_in.bangumi.requests == []
    assert logged_in.cdn.requests == []
    assert report["requests"] == {"trakt": 1, "bangumi": 0}
    assert report["fetched"] == 0 and report["marked"] == 0


def test_plays_added_later_are_the_only_ones_fetched_and_marked(logged_in: Sandbox, cli) -> None:
    assert sync_json(cli)[0] == 0
    logged_in.trakt.add_play(show=185614, season=1, number=16)
    logged_in.bangumi.reset_log()
    logged_in.trakt.reset_log()
    code, report = sync_json(cli)
    assert code == 0
    assert report["new"] == 1 and report["marked"] == 1
    # Only the changed show's history is read again (its four plays), nothing else.
    assert report["fetched"] == 4
    assert [r.path for r in logged_in.trakt.requests] == [
        "/sync/last_activities",
        "/sync/watched/shows",
        "/sync/history/shows/185614",
    ]
    spy = subject_episodes(logged_in, SPY_COUR2)
    assert marked(logged_in, SPY_COUR2) == {spy[13], spy[14], spy[15], spy[16]}
    patches = [w for w in logged_in.bangumi.writes if w.method == "PATCH"]
    assert [w.json["episode_id"] for w in patches] == [[spy[16]]]
    assert not [w for w in logged_in.bangumi.writes if w.method == "POST"]  # already 在看


def test_dry_run_writes_nothing_and_the_real_run_applies_exactly_its_plan(
    logged_in: Sandbox, cli
) -> None:
    code, dry = sync_json(cli, "--dry-run")
    assert code == 0 and dry["dry_run"] is True
    assert logged_in.bangumi.writes == []
    assert logged_in.bangumi.collection("demo")[BOCCHI]["type"] == 1
    planned = {p["subject_id"]: p for p in dry["plan"]}
    assert set(planned) == {SPY_COUR2, BOCCHI, YOUR_NAME}
    film = planned[YOUR_NAME]
    assert film["is_movie"] and collected_before_marks(film) == 2
    assert marked_ids(film) == list(subject_episodes(logged_in, YOUR_NAME).values())
    code, real = sync_json(cli)
    assert code == 0
    applied = {p["subject_id"]: p for p in real["plan"]}
    assert {p["result"] for p in planned.values()} == {"planned"}
    assert {p["result"] for p in applied.values()} == {"done"}
    for entry in (*planned.values(), *applied.values()):
        del entry["result"]  # names included: the preview reads those it lacks
    assert applied == planned
    for subject_id, plan in planned.items():
        episodes = [c for c in plan["changes"] if c["kind"] == "episodes"]
        assert marked(logged_in, subject_id) == {
            eid for change in episodes for eid in change["episode_ids"]
        }


def test_a_dry_run_counts_what_the_real_run_then_does(logged_in: Sandbox, cli) -> None:
    code, dry = sync_json(cli, "--dry-run")
    assert code == 0
    code, real = sync_json(cli)
    assert code == 0
    counted = ("fetched", "new", "synced", "marked", "already", "unmatched", "skipped", "failed")
    assert {k: dry[k] for k in counted} == {k: real[k] for k in counted}
    assert real["marked"] == 16  # 3 SPY×FAMILY + 12 BOCCHI episodes + the film


def test_the_plan_says_where_each_collection_goes_from_and_to(logged_in: Sandbox, cli) -> None:
    code, dry = sync_json(cli, "--dry-run")
    plans = {p["subject_id"]: p for p in dry["plan"]}
    bocchi = plans[BOCCHI]
    assert bocchi["collection"] == {"now": 1, "now_name": "想看", "after": 2, "after_name": "看过"}
    assert bocchi["changes"][0] == {
        "kind": "collection",
        "from": 1,
        "from_name": "想看",
        "to": 2,
        "to_name": "看过",
        "step": "before_episodes",
    }
    assert bocchi["changes"][1]["episodes"] == [str(n) for n in range(1, 13)]
    film = plans[YOUR_NAME]
    assert film["collection"]["now"] is None and film["collection"]["after"] == 2


def test_dry_run_prints_the_plan_per_subject_in_episode_numbers(logged_in: Sandbox, cli) -> None:
    result = cli("sync", "--dry-run")
    assert result.code == 0
    assert re.search(r"ぼっち・ざ・ろっく！ +ep 1–12 → 看过", result.out)
    # Named as Bangumi names it, as the run will (issue 20.21), not by bangumi-data's title.
    assert "SPY×FAMILY 第2クール  +3 (ep 13–15) 在看" in result.out
    assert f"subject/{BOCCHI}" in result.out
    episode_ids = subject_episodes(logged_in, BOCCHI).values()
    assert not any(str(eid) in result.out for eid in episode_ids)
    assert "planned:" in result.err and "to mark 16" in result.err
    assert "3 play(s) skipped: see `trakt-sync unmatched --skipped`" in result.err


def test_a_sync_says_what_it_did_per_subject_and_quiet_says_nothing(
    logged_in: Sandbox, cli
) -> None:
    result = cli("-q", "sync")
    assert result.code == 0 and result.out == "" and result.err == ""
    result = cli("sync", "--full")
    assert result.code == 0
    assert "synced:" in result.err


def test_episodes_already_marked_are_not_sent_and_done_is_never_moved_back(
    logged_in: Sandbox, cli
) -> None:
    spy = subject_episodes(logged_in, SPY_COUR2)
    logged_in.bangumi.set_collection("demo", SPY_COUR2, 2, episodes={spy[13]: 2})
    code, report = sync_json(cli)
    assert code == 0
    assert report["already"] == 1
    patches = [w for w in logged_in.bangumi.writes if w.method == "PATCH"]
    sent = [eid for w in patches for eid in w.json["episode_id"]]
    assert spy[13] not in sent and {spy[14], spy[15]} <= set(sent)
    assert logged_in.bangumi.collection("demo")[SPY_COUR2]["type"] == 2
    posts = [
        w
        for w in logged_in.bangumi.writes
        if w.method == "POST" and w.path.endswith(f"/{SPY_COUR2}")
    ]
    assert posts == []


def test_quiet_sync_prints_nothing_on_success(logged_in: Sandbox, cli) -> None:
    result = cli("-q", "sync")
    assert result.code == 0
    assert result.out == "" and result.err == ""


def test_status_reports_last_run_and_item_counts(logged_in: Sandbox, cli) -> None:
    assert cli("sync").code == 0
    data = json.loads(cli("status", "--json").out)
    assert data["profile"] == "default"
    assert data["last_run"]["outcome"] == "ok"
    assert data["items"]["synced"] == 16 and data["items"]["skipped"] == 3
    assert data["next_run"]
    assert cli("status", "--check").code == 0


def test_status_check_fails_when_no_sync_ran(logged_in: Sandbox, cli) -> None:
    result = cli("status", "--check")
    assert result.code == 1 and "no sync has run yet" in result.err


def test_sync_without_login_exits_77(sandbox: Sandbox, cli) -> None:
    result = cli("sync")
    assert result.code == 77 and "trakt-sync auth" in result.err


def test_json_output_is_one_document_even_when_the_lock_is_held(logged_in: Sandbox, cli) -> None:
    from filelock import FileLock

    with FileLock(str(logged_in.home / "default.lock")):
        result = cli("sync", "--json")
    assert result.code == 75
    assert json.loads(result.out)["exit_code"] == 75
    assert "another sync" in result.err


def test_expired_access_token_is_refreshed_once_and_rotated(logged_in: Sandbox, cli) -> None:
    before = json.loads((logged_in.home / "tokens.json").read_text())["profiles"]["default"]
    logged_in.trakt.expire_access_tokens()
    code, _ = sync_json(cli)
    assert code == 0
    assert logged_in.trakt.count("^/oauth/token$") == 1
    after = json.loads((logged_in.home / "tokens.json").read_text())["profiles"]["default"]
    assert after["trakt"]["refresh_token"] != before["trakt"]["refresh_token"]
    assert after["trakt"]["username"] == "demo-user"


def test_rejected_refresh_exits_77_asking_for_auth(logged_in: Sandbox, cli) -> None:
    logged_in.trakt.expire_access_tokens()
    logged_in.trakt.revoke_refresh_tokens()
    result = cli("sync")
    assert result.code == 77
    assert "run `trakt-sync auth`" in result.err


def test_first_sync_reads_no_trakt_season_the_history_holds_in_full(
    logged_in: Sandbox, cli
) -> None:
    code, report = sync_json(cli)
    assert code == 0, report
    seasons = [
        f"{r.path}?{r.query.get('extended')}"
        for r in logged_in.trakt.requests
        if "/seasons" in r.path
    ]
    # Bocchi (ended, all twelve episodes played) comes from the history items alone; SPY x
    # FAMILY (three of 25 episodes played, still airing) needs its seasons read: all of
    # them with their episodes, in one request (A.10).
    assert seasons == ["/shows/185614/seasons?episodes,full"]
    bocchi = subject_episodes(logged_in, BOCCHI)
    assert marked(logged_in, BOCCHI) == set(bocchi.values())


def test_status_reads_at_a_glance_in_local_time(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert cli("sync").code == 0
        out = cli("status").out
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert re.search(r"last run: \d\d:\d\d CST \(just now\) — ok", out), out
    assert re.search(r"next run: .*CST \(in ((\d+ h )?\d+ min|\d+ h|under a minute)\)", out), out
    assert "16 synced, 3 skipped" in out
    assert not re.search(r"\d{4}-\d\d-\d\dT", out)  # no raw ISO stamps


def test_a_gone_daemons_heartbeat_shows_as_stale(logged_in: Sandbox, cli) -> None:
    heartbeat = logged_in.home / "daemon.heartbeat"
    heartbeat.write_text(iso_z(utcnow()) + "\n")
    data = json.loads(cli("status", "--json").out)
    assert data["daemon_stale"] is False
    assert "daemon:   running, last seen" in cli("status").out
    heartbeat.write_text(iso_z(utcnow() - timedelta(days=2)) + "\n")  # missed eight fires
    data = json.loads(cli("status", "--json").out)
    assert data["daemon_stale"] is True
    out = cli("status").out
    assert "daemon:   stale, last seen" in out and "(2 d ago)" in out
