"""`trakt-sync log` (the runs table) and `trakt-sync search` (Bangumi subjects, B.3)."""

from __future__ import annotations

import json

from tests.conftest import Sandbox
from trakt_sync.outcome import RunOutcome
from trakt_sync.paths import state_paths
from trakt_sync.store import Store


def test_log_lists_runs_newest_first_with_counts_and_errors(logged_in: Sandbox, cli) -> None:
    assert cli("sync", "--dry-run").code == 0
    assert cli("sync").code == 0
    logged_in.trakt.inject("*", "/sync/last_activities", status=503, times=100)
    failed = cli("sync")
    assert failed.code == 75, failed.err

    result = cli("log")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("#3 ") and " ok" not in lines[0]
    assert "Trakt" in lines[1]  # the error of the failed run, on its own line
    assert "#2 " in result.out and " ok in " in result.out and "marked 16" in result.out
    assert "(dry run)" in result.out

    document = json.loads(cli("log", "--json", "--limit", "2").out)
    assert [run["id"] for run in document["runs"]] == [3, 2]
    newest, ok = document["runs"]
    assert newest["ok"] is False and newest["message"]
    assert ok["outcome"] == "ok" and ok["counts"]["marked"] == 16 and ok["duration_s"] >= 0
    assert ok["requests"]["bangumi"] > 0


def test_log_shows_a_run_whose_process_died(logged_in: Sandbox, cli) -> None:
    assert "No runs yet" in cli("log").out
    store = Store(state_paths().database("default"))
    store.start_run(dry_run=False)  # left "running" by a process that is gone
    store.close()
    document = json.loads(cli("log", "--json").out)
    assert document["runs"][0]["outcome"] == RunOutcome.DIED.value


def test_search_prints_id_type_date_episodes_and_link(sandbox: Sandbox, cli) -> None:
    result = cli("search", "SPY×FAMILY")
    assert result.code == 0, result.err
    assert "329906  SPY×FAMILY / 间谍过家家" in result.out
    assert "anime · TV · 2022-04-09 · 12 eps  https://bgm.tv/subject/329906" in result.out
    assert "373267" in result.out

    document = json.loads(cli("search", "spy×family", "--year", "2022", "--json").out)
    first = document["results"][0]
    assert first == {
        "id": 329906,
        "type": 2,
        "type_name": "anime",
        "name": "SPY×FAMILY",
        "name_cn": "间谍过家家",
        "date": "2022-04-09",
        "platform": "TV",
        "eps": 12,
        "url": "https://bgm.tv/subject/329906",
    }
    requests = [r for r in sandbox.bangumi.requests if r.path == "/v0/search/subjects"]
    assert requests and "authorization" not in {h.lower() for h in requests[-1].headers}


def test_search_without_results_and_with_a_bad_type(sandbox: Sandbox, cli) -> None:
    assert "No Bangumi subject found" in cli("search", "nothing like this").out
    assert cli("search", "x", "--type", "book").code == 2
    assert json.loads(cli("search", "nothing", "--json").out)["results"] == []


def test_search_in_chinese_names_the_type_in_bangumi_s_words(
    sandbox: Sandbox, cli, chinese: None
) -> None:
    result = cli("search", "SPY×FAMILY")
    assert result.code == 0, result.err
    assert "329906  间谍过家家 / SPY×FAMILY" in result.out
    assert "动画 · TV · 2022-04-09 · 12 集  https://bgm.tv/subject/329906" in result.out
