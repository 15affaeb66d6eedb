"""sink.kind = "bangumi-syncer": plays go to Bangumi-syncer's custom webhook instead of the
Bangumi API — the item built for each play (pure), then whole runs against the fakes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.helpers import all_plays
from trakt_sync.config import load_settings
from trakt_sync.errors import ConfigError
from trakt_sync.fakes.bangumi_syncer import FakeBangumiSyncer
from trakt_sync.fakes.sandbox import sink_env
from trakt_sync.fakes.world import add_unfindable_anime
from trakt_sync.models import Play, TraktEpisode, TraktIds, TraktMovie, TraktShow
from trakt_sync.sink import Placed, sink_item
from trakt_sync.store import Store

# -- the item (pure) --------------------------------------------------------------------

SHOW = TraktShow(TraktIds(trakt=185614), "SPY x FAMILY", original_title="SPY×FAMILY")
EPISODE = TraktEpisode(1, 14, first_aired=datetime(2022, 10, 8, 14, 30, tzinfo=UTC))
EPISODE_PLAY = Play(1, datetime(2025, 1, 1, tzinfo=UTC), "episode", show=SHOW, episode=EPISODE)
MOVIE = TraktMovie(TraktIds(trakt=264063), "Your Name.", released="2016-08-26")
MOVIE_PLAY = Play(2, datetime(2025, 1, 2, tzinfo=UTC), "movie", movie=MOVIE)
COUR2 = Placed(name="SPY×FAMILY 第2クール", name_cn="间谍过家家 第二部分", date="2022-10-01", ep=2)


def test_a_placed_episode_is_sent_as_its_subject_season_1_and_its_number_there() -> None:
    assert sink_item(EPISODE_PLAY, COUR2, "me", season_aired="2022-04-09") == {
        "media_type": "episode",
        "title": "间谍过家家 第二部分",
        "ori_title": "SPY×FAMILY 第2クール",
        "season": 1,
        "episode": 2,
        "release_date": "2022-10-01",
        "user_name": "me",
        "source": "trakt",
    }


def test_a_subject_without_a_chinese_name_is_sent_under_its_original_name() -> None:
    placed = Placed(name="ぼっち・ざ・ろっく！", date="2022-10-08", ep=3)
    item = sink_item(EPISODE_PLAY, placed, "me")
    assert item["title"] == item["ori_title"] == "ぼっち・ざ・ろっく！"


def test_an_unplaced_episode_is_sent_as_trakt_numbers_it_with_the_season_first_air_day() -> None:
    item = sink_item(EPISODE_PLAY, None, "me", season_aired="2022-04-09")
    assert (item["title"], item["ori_title"]) == ("SPY x FAMILY", "SPY×FAMILY")
    assert (item["season"], item["episode"], item["release_date"]) == (1, 14, "2022-04-09")


def test_a_special_placed_without_a_main_number_falls_back_to_trakt_numbering() -> None:
    special = Placed(name="SPY×FAMILY", date="2022-04-09", ep=None)
    item = sink_item(EPISODE_PLAY, special, "me", season_aired="2022-04-09")
    assert (item["title"], item["season"], item["episode"]) == ("SPY x FAMILY", 1, 14)


def test_without_the_season_day_the_episode_own_broadcast_day_is_sent() -> None:
    # 14:30 UTC is 23:30 in Japan: the same broadcast day.
    assert sink_item(EPISODE_PLAY, None, "me")["release_date"] == "2022-10-08"


def test_films_are_sent_as_films() -> None:
    placed = Placed(name="君の名は。", name_cn="你的名字。", date="2016-08-26")
    item = sink_item(MOVIE_PLAY, placed, "me")
    assert item["media_type"] == "movie" and (item["season"], item["episode"]) == (1, 1)
    assert (item["title"], item["ori_title"]) == ("你的名字。", "君の名は。")
    unplaced = sink_item(MOVIE_PLAY, None, "me")
    assert (unplaced["title"], unplaced["release_date"]) == ("Your Name.", "2016-08-26")


def test_the_syncer_sink_needs_a_url(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[sink]\nkind = "bangumi-syncer"\n')
    with pytest.raises(ConfigError, match="sink: url must be set"):
        load_settings(path)
    path.write_text('[sink]\nkind = "bangumi-syncer"\nurl = "http://localhost:8000/"\nkey = "k"\n')
    settings = load_settings(path)
    assert settings.sink.url == "http://localhost:8000"
    assert settings.redacted()["sink"]["key"] == "***"
    assert load_settings(tmp_path / "none.toml").sink.kind == "api"


# -- runs against the fakes -------------------------------------------------------------

KEY = "hook-key-0123456789"
SPY = ("间谍过家家 第二部分", "SPY×FAMILY 第2クール", "2022-10-01")
BOCCHI = ("孤独摇滚！", "ぼっち・ざ・ろっく！", "2022-10-08")
MYSTERY = ("Mystery Anime Nobody Indexed", "Mystery Anime Nobody Indexed", "2024-01-06")


def expected_items(user: str = "demo-user") -> list[dict[str, Any]]:
    def episode(names: tuple[str, str, str], season: int, number: int) -> dict[str, Any]:
        title, ori_title, day = names
        return {
            "media_type": "episode",
            "title": title,
            "ori_title": ori_title,
            "season": season,
            "episode": number,
            "release_date": day,
            "user_name": user,
            "source": "trakt",
        }

    film = {
        "media_type": "movie",
        "title": "你的名字。",
        "ori_title": "君の名は。",
        "season": 1,
        "episode": 1,
        "release_date": "2016-08-26",
        "user_name": user,
        "source": "trakt",
    }
    return (
        [episode(SPY, 1, n) for n in (1, 2, 3)]  # Trakt S1E13-E15: the second cour's 1-3
        + [episode(BOCCHI, 1, n) for n in range(1, 13)]
        + [film]
        + [episode(MYSTERY, 1, n) for n in (1, 2)]  # unmatched: sent as Trakt has it
    )


def key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


@pytest.fixture
def syncer(
    demo_world: dict[str, Any], sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeBangumiSyncer]:
    """A logged-in Trakt (no Bangumi login at all) whose plays go to a fake Bangumi-syncer."""
    with FakeBangumiSyncer(key=KEY) as fake:
        for name, value in sink_env(fake).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("TRAKT_SYNC_HTTP__MAX_RETRIES", "2")
        assert cli("auth").code == 0
        for other in (sandbox.trakt, sandbox.bangumi, sandbox.cdn):
            other.reset_log()
        yield fake


@pytest.fixture
def mystery_world(demo_world: dict[str, Any]) -> dict[str, Any]:
    add_unfindable_anime(demo_world, played=(1, 2))
    return demo_world


def states(sandbox: Sandbox) -> dict[int, tuple[str, str | None]]:
    store = Store(sandbox.home / "default.sqlite3")
    try:
        return {p.play.history_id: (p.state.value, p.reason) for p in all_plays(store)}
    finally:
        store.close()


def sync_json(cli, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("sync", "--json", *args)
    return result.code, json.loads(result.out)


def test_each_anime_play_goes_to_bangumi_syncer_and_nothing_to_bangumi(
    mystery_world: dict[str, Any], syncer: FakeBangumiSyncer, sandbox: Sandbox, cli
) -> None:
    code, report = sync_json(cli)
    assert code == 0, report
    assert sorted(map(key, syncer.items)) == sorted(map(key, expected_items()))
    assert all(r.path == f"/Custom/{KEY}" for r in syncer.requests)
    assert sandbox.bangumi.writes == []  # no collection POST, no episode PATCH
    assert not [r for r in sandbox.bangumi.requests if "/users/" in r.path or "/me" in r.path]
    assert report["sent"] == report["synced"] == 18 and report["skipped"] == 3
    assert report["requests"]["bangumi-syncer"] == 18
    assert sorted(s for s, _ in states(sandbox).values()) == ["skipped"] * 3 + ["synced"] * 18


def test_a_second_run_with_nothing_new_sends_nothing(
    syncer: FakeBangumiSyncer, sandbox: Sandbox, cli
) -> None:
    assert cli("sync").code == 0
    for fake in (sandbox.trakt, sandbox.bangumi, sandbox.cdn, syncer):
        fake.reset_log()
    code, report = sync_json(cli)
    assert code == 0
    assert [r.path for r in sandbox.trakt.requests] == ["/sync/last_activities"]
    assert sandbox.bangumi.requests == [] and syncer.requests == []
    assert report["requests"] == {"trakt": 1, "bangumi": 0, "bangumi-syncer": 0}


@pytest.mark.parametrize("fault", [{"status": 503}, {"reset_connection": True}])
def test_a_5xx_or_no_answer_leaves_the_plays_pending_and_the_next_run_sends_each_once(
    syncer: FakeBangumiSyncer, sandbox: Sandbox, cli, fault: dict[str, Any]
) -> None:
    syncer.inject("POST", "^/Custom", times=1000, **fault)
    code, report = sync_json(cli)
    assert code == 75, report
    assert syncer.items == [] and report["synced"] == 0
    assert "synced" not in {s for s, _ in states(sandbox).values()}
    syncer.clear_faults()
    syncer.reset_log()
    code, report = sync_json(cli)
    assert code == 0, report
    expected = [i for i in expected_items() if i["title"] != MYSTERY[0]]
    assert sorted(map(key, syncer.items)) == sorted(map(key, expected))
    assert len(syncer.requests) == len(expected)  # each play once


def test_a_4xx_marks_that_play_failed_with_the_server_message(
    syncer: FakeBangumiSyncer, sandbox: Sandbox, cli
) -> None:
    syncer.inject("POST", "^/Custom", status=400, body={"message": "no such anime here"})
    code, report = sync_json(cli)
    assert code == 1  # a failed play
    assert report["failed"] == 1 and report["sent"] == 15  # of the 16 anime plays
    failed = [reason for state, reason in states(sandbox).values() if state == "failed"]
    assert len(failed) == 1 and "no such anime here" in (failed[0] or "")


def test_a_wrong_key_stops_the_run_and_keeps_every_play_pending(
    syncer: FakeBangumiSyncer, sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SINK__KEY", "not-the-key-at-all")
    result = cli("sync")
    assert result.code == 78
    assert "认证失败" in result.err and "sink.key" in result.err
    assert "not-the-key-at-all" not in result.err + result.out
    assert {s for s, _ in states(sandbox).values()} == {"pending", "skipped"}


def test_dry_run_lists_what_would_be_sent_and_sends_nothing(
    syncer: FakeBangumiSyncer, sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SINK__USER_NAME", "syncer-user")
    printed = cli("sync", "--dry-run")
    assert printed.code == 0
    assert "send to Bangumi-syncer: 间谍过家家 第二部分 S1E1 (2022-10-01)" in printed.out
    assert "send to Bangumi-syncer: 你的名字。 film (2016-08-26)" in printed.out
    code, dry = sync_json(cli, "--dry-run")
    assert code == 0 and syncer.requests == []
    planned = [{k: v for k, v in item.items() if k != "play"} for item in dry["sink"]]
    assert sorted(map(key, planned)) == sorted(
        map(key, [i for i in expected_items("syncer-user") if i["title"] != MYSTERY[0]])
    )
    assert sync_json(cli)[0] == 0
    assert sorted(map(key, syncer.items)) == sorted(map(key, planned))


def test_the_client_reports_bangumi_syncer_validation_errors_by_field() -> None:
    from trakt_sync.errors import ApiError
    from trakt_sync.httpclient import RequestCounter, RetryBudget
    from trakt_sync.sink import BangumiSyncerClient

    with FakeBangumiSyncer() as fake:
        client = BangumiSyncerClient(
            fake.url,
            key=None,
            user_agent="trakt-sync-tests",
            timeout=5,
            counter=RequestCounter(),
            budget=RetryBudget(total=1),
        )
        item = sink_item(EPISODE_PLAY, COUR2, "me")
        client.send(item)
        with pytest.raises(ApiError, match=r"422: body\.season: Input should be int"):
            client.send({**item, "season": "one"})
        client.close()
        assert fake.items == [item] and fake.requests[0].path == "/Custom"
