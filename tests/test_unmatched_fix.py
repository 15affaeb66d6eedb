"""`trakt-sync unmatched --fix`: the interactive picker writes what `map add` writes, then
resolves the plays again; without a terminal it refuses."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.world import UNFINDABLE_SHOW, UNFINDABLE_SUBJECT, World, demo_scenario


@pytest.fixture
def demo_world() -> World:
    """The demo with its show that no id source knows (`Mystery Anime Nobody Indexed`)."""
    return demo_scenario()


class TerminalInput(io.StringIO):
    def isatty(self) -> bool:
        return True


def typed(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    monkeypatch.setattr("sys.stdin", TerminalInput("".join(f"{line}\n" for line in lines)))


@pytest.fixture
def unmatched_once(logged_in: Sandbox, cli) -> Sandbox:
    assert cli("sync").code == 0
    assert len(json.loads(cli("unmatched", "--json").out)) == 1
    return logged_in


def test_search_pick_confirm_adds_the_map_add_override_and_resolves_again(
    unmatched_once: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed(monkeypatch, "/謎のアニメ", "1", "y")
    result = cli("unmatched", "--fix")
    assert result.code == 0, result.err
    out = result.out
    assert "[1/1] Mystery Anime Nobody Indexed season 1: E1 (1 play(s))" in out
    assert "no candidates" in out  # the matcher found none; the search then does
    assert f"1) {UNFINDABLE_SUBJECT}  謎のアニメ  (anime · TV · 2024-01-06 · 12 eps)" in out
    assert "air dates agree (±1 day) for every episode played: ep 1" in out
    assert "12 episodes for E1 played: enough" in out
    assert f"the same as: trakt-sync map add trakt:{UNFINDABLE_SHOW} S1 {UNFINDABLE_SUBJECT}" in out
    assert "resolved: every play matched" in out

    # Exactly the override `map add` writes, and the play is matched before any sync.
    assert json.loads(cli("map", "list", "--json").out) == [
        {"show": f"trakt:{UNFINDABLE_SHOW}", "episodes": "S1", "subject_id": UNFINDABLE_SUBJECT}
    ]
    assert json.loads(cli("unmatched", "--json").out) == []
    assert unmatched_once.bangumi.count(rf"/collections/{UNFINDABLE_SUBJECT}", method="POST") == 0
    assert cli("sync").code == 0
    assert unmatched_once.bangumi.count(rf"/collections/{UNFINDABLE_SUBJECT}", method="POST") == 1


def test_a_subject_id_typed_in_is_read_and_declining_adds_nothing(
    unmatched_once: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed(monkeypatch, "123456789", str(UNFINDABLE_SUBJECT), "n", "q")
    result = cli("unmatched", "--fix")
    assert result.code == 0, result.err
    assert "Bangumi has no subject 123456789" in result.out
    assert f"{UNFINDABLE_SUBJECT}  謎のアニメ" in result.out
    assert "not added" in result.out and "0 mapping(s) added" in result.out
    assert json.loads(cli("map", "list", "--json").out) == []


def test_ignore_writes_an_ignore_override(
    unmatched_once: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed(monkeypatch, "i", "yes")
    assert cli("unmatched", "--fix").code == 0
    assert json.loads(cli("map", "list", "--json").out) == [
        {"show": f"trakt:{UNFINDABLE_SHOW}", "episodes": "S1", "ignore": True}
    ]
    assert json.loads(cli("unmatched", "--json").out) == []


def test_without_a_terminal_it_refuses_and_says_what_to_use(
    unmatched_once: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("1\ny\n"))
    result = cli("unmatched", "--fix")
    assert result.code == 2
    assert "needs a terminal" in result.err and "trakt-sync search" in result.err
    assert cli("unmatched", "--fix", "--json").code == 2
    assert json.loads(cli("map", "list", "--json").out) == []


def test_in_a_real_terminal(unmatched_once: Sandbox) -> None:
    """Through a pseudo-terminal, as a person runs it."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", "unmatched", "--fix"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(follower)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 60
        while marker not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(leader, 4096)
                except OSError:
                    break
        assert marker in seen, seen.decode(errors="replace")

    try:
        read_until(b"> ")
        os.write(leader, f"{UNFINDABLE_SUBJECT}\n".encode())
        read_until(b"[y/N] ")
        os.write(leader, b"y\n")
        read_until(b"mapping(s) added")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert b"resolved: every play matched" in seen


class TestWithTheMatchersCandidates:
    """A show that the title search finds but whose air dates disagree: the picker offers
    the candidate the matcher turned down, with why, and the dates to judge by."""

    @pytest.fixture
    def demo_world(self) -> World:
        from trakt_sync.fakes.world import (
            add_episode_play,
            add_season,
            add_show,
            add_subject,
            trakt_weekly_episodes,
            weekly_episodes,
        )

        world = demo_scenario()
        show = add_show(world, trakt_id=777002, title="Lantern Harbor Tales", year=2023)
        add_season(show, 1, trakt_weekly_episodes(8810001, "2023-04-08T15:00:00.000Z", 12))
        add_episode_play(world, 9870000201, "2025-04-01T12:00:00.000Z", 777002, 1, 1)
        add_subject(
            world,
            subject_id=900778,
            name="Lantern Harbor Tales",
            date="2023-04-22",  # two weeks later than Trakt says: not confirmed
            episodes=weekly_episodes(9907880, "2023-04-22", 12),
        )
        return world

    def test_the_turned_down_candidate_is_offered_with_its_evidence(
        self, logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert cli("sync").code == 0
        typed(monkeypatch, "1", "y", "q")  # (in title order, before the Mystery Anime)
        result = cli("unmatched", "--fix")
        assert result.code == 0, result.err
        section = result.out.split("Lantern Harbor Tales season 1")[1]
        assert "1) 900778  Lantern Harbor Tales  (anime · TV · 2023-04-22 · 12 eps)" in section
        assert "air dates: 0 of 1 agree; S1E1 2023-04-08 vs its ep 1 2023-04-22" in section
        assert "the matcher turned it down:" in section, result.out
        assert "resolved: every play matched" in section
        assert json.loads(cli("map", "list", "--json").out) == [
            {"show": "trakt:777002", "episodes": "S1", "subject_id": 900778}
        ]


def test_evidence_without_an_episode_list_compares_start_dates() -> None:
    from datetime import date

    from trakt_sync.unmatched_fix import FixGroup, evidence

    row = {"id": 1, "date": "2024-01-06", "eps": 12}
    first = FixGroup("trakt:1", "X", 1, [1, 2], 2, "", first_aired={1: date(2024, 1, 6)})
    assert evidence(first, row)[0] == "starts the day S1E1 aired in Japan (2024-01-06)"
    later = FixGroup("trakt:1", "X", 1, [2, 13], 2, "", first_aired={2: date(2024, 1, 13)})
    facts = evidence(later, row)
    assert facts == [
        "starts 2024-01-06; S1E2 aired in Japan 2024-01-13",
        "12 episodes for E13 played: too few",
    ]


def test_a_film_gets_the_override_map_add_would_write() -> None:
    from trakt_sync.mapping_ops import parse_override
    from trakt_sync.unmatched_fix import FixGroup, override_for

    film = FixGroup("movie:trakt:120", "Some Film", None, [], 1, "")
    assert override_for(film, 160209) == parse_override("movie:trakt:120", ["160209"], 1)
    assert override_for(film, None).ignore
    season = FixGroup("trakt:777001", "Show", 2, [1, 2], 2, "")
    assert override_for(season, 5).to_dict() == {
        "show": "trakt:777001",
        "episodes": "S2",
        "subject_id": 5,
    }


def test_the_dialogue_speaks_chinese_when_asked(
    unmatched_once: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trakt_sync import i18n

    monkeypatch.delenv("LANGUAGE", raising=False)  # use() sets it; undone after the test
    typed(monkeypatch, "/謎のアニメ", "1", "y")
    try:
        i18n.use(i18n.CHINESE)  # as LANG=zh_CN.UTF-8 makes it when the module is imported
        result = cli("unmatched", "--fix")
    finally:
        i18n.use(i18n.ENGLISH)
    assert result.code == 0, result.err
    out = result.out
    assert "[1/1] Mystery Anime Nobody Indexed 第 1 季：E1（1 条播放记录）" in out
    assert "原因：没有为 'Mystery Anime Nobody Indexed' 第 1 季确认的 Bangumi 条目" in out
    assert "没有候选：用 /关键词 搜索" in out and "q：退出" in out
    assert f"1) {UNFINDABLE_SUBJECT}  謎のアニメ（动画 · TV · 2024-01-06 · 12 集）" in out
    assert "每一集已看剧集的播出日期都一致（±1 天）：第 1 集" in out
    assert "共 12 集，已看到第 1 集：足够" in out
    assert f"等同于：trakt-sync map add trakt:{UNFINDABLE_SHOW} S1 {UNFINDABLE_SUBJECT}" in out
    assert "添加吗？[y/N] " in out and "已重新匹配：所有播放记录都已匹配" in out
    assert "已添加 1 条映射" in out
    # The override is written as in English.
    assert json.loads(cli("map", "list", "--json").out) == [
        {"show": f"trakt:{UNFINDABLE_SHOW}", "episodes": "S1", "subject_id": UNFINDABLE_SUBJECT}
    ]
