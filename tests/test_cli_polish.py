"""Issue 20, polish 19–21: what a person reads — help texts, wording, one name per subject,
reasons grouped and suggested commands whole on their own line."""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import pty
import re
import select
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Sandbox
from trakt_sync.daemon import Daemon, ProfileSchedule
from trakt_sync.fakes.world import UNFINDABLE_SHOW, World, demo_scenario
from trakt_sync.paths import state_paths

BOCCHI_SHOW, BOCCHI = 190003, 328609


def run_in_terminal(args: list[str], columns: int) -> str:
    """``trakt-sync ARGS`` on a pseudo-terminal ``columns`` wide; what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    process = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**env, "TERM": "xterm", "NO_COLOR": "1"},
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=30)
    os.close(leader)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode()).replace("\r\n", "\n")


# -- 19 ------------------------------------------------------------------------------------


def test_status_check_says_how_long_in_words(logged_in: Sandbox, cli) -> None:
    assert cli("sync").code == 0
    db = sqlite3.connect(state_paths().database("default"))
    old = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    db.execute("UPDATE runs SET started_at = ?, finished_at = ?", (old, old))
    db.commit()
    db.close()
    result = cli("status", "--check")
    assert result.code == 1
    assert "no successful sync in the last 12 h (twice the schedule's interval)" in result.err
    assert "12:00:00" not in result.err


def test_the_keyring_fallback_is_a_sentence_not_a_log_record(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SECRETS__BACKEND", "auto")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    result = cli("auth", "status")
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if "keyring" in line]
    assert len(lines) == 1 and lines[0].startswith("trakt-sync: OS keyring unavailable")
    assert "WARNING" not in result.err and "trakt_sync.runtime" not in result.err


def test_the_daemon_announces_each_next_run_once_and_only_before_waiting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sync slower than the schedule's interval starts the next one at once: that one
    is not announced (it would be a time already past), each later one once."""
    now = [datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)]
    runs: list[datetime] = []

    def slow_sync(name: str) -> int:
        runs.append(now[0])
        now[0] += timedelta(seconds=70 if len(runs) == 1 else 5)
        return 0

    def sleep(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)
        if len(runs) >= 3:
            daemon.stop.set()

    daemon = Daemon(
        [ProfileSchedule("p", "* * * * *", "UTC", last_check=now[0] - timedelta(minutes=5))],
        slow_sync,
        clock=lambda: now[0],
        sleep=sleep,
    )
    with caplog.at_level(logging.INFO, logger="trakt_sync.daemon"):
        daemon.run_forever()
    announced = [r.getMessage() for r in caplog.records if r.getMessage().startswith("next run")]
    assert len(runs) == 3
    assert len(announced) == len(set(announced)) == 2, announced


def test_daemon_start_and_stop_are_info(logged_in: Sandbox) -> None:
    env = {**os.environ, "TRAKT_SYNC_SYNC__SCHEDULE": "* * * * * */2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", "daemon"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(3)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "INFO trakt_sync.daemon: daemon started for default" in err
    assert "INFO trakt_sync.daemon: daemon stopped" in err
    assert "WARNING" not in err, err


# -- 20 ------------------------------------------------------------------------------------


def test_help_usage_lines_have_no_braces_and_map_add_examples_come_last(cli) -> None:
    for args in (["map", "add"], ["map", "remove"], ["explain"], ["search"], ["config", "set"]):
        out = cli(*args, "--help").out
        usage = out.split("\n\n")[0]
        assert "{" not in usage and "}" not in usage, usage
    out = cli("map", "add", "--help").out
    assert "Usage: trakt-sync map add [OPTIONS] SHOW [EPISODES] SUBJECT_ID|ignore" in out
    assert "Example" not in out.split("Options:")[0]  # only after the options


def test_since_format_and_map_remove_start_ep_are_documented(cli) -> None:
    assert "YYYY-MM-DD" in cli("sync", "--help").out
    remove = cli("map", "remove", "--help").out
    start_ep = remove[remove.index("--start-ep N") :].splitlines()[0]
    assert len(start_ep.split()) > 4, start_ep  # "--start-ep N" and what it means


def test_the_explain_example_in_help_works_in_the_sandbox(logged_in: Sandbox, cli) -> None:
    assert cli("sync").code == 0
    examples = [
        line.strip().split()[1:]
        for line in cli("--help").out.splitlines() + cli("explain", "--help").out.splitlines()
        if line.strip().startswith("trakt-sync explain")
    ]
    assert examples
    for example in examples:
        result = cli(*example)
        assert result.code == 0, (example, result.err)


def test_ctrl_c_at_the_token_prompt_prints_one_message(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def interrupted(*args: object, **kwargs: object) -> str:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise typer.Abort() from None  # what the prompt does on Ctrl-C

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr(typer, "prompt", interrupted)
    result = cli("auth", "bangumi")
    assert result.code == 130
    assert result.err.strip() == "trakt-sync: cancelled"


# -- 21 ------------------------------------------------------------------------------------


def test_map_add_names_the_subject_as_the_sync_does(logged_in: Sandbox, cli) -> None:
    added = cli("map", "add", f"trakt:{BOCCHI_SHOW}", "S1", str(BOCCHI))
    assert added.code == 0, added.err
    checked = added.err.split("checked: ")[1].splitlines()[0]
    name = checked.split(" → ")[1]
    assert name == "ぼっち・ざ・ろっく！"
    # A split cour whose bangumi-data title differs from its name on Bangumi.
    added = cli("map", "add", "trakt:185614", "S1E13-E25", "373267")
    assert "→ SPY×FAMILY 第2クール" in added.err, added.err
    synced = cli("sync")
    assert f"  {name}" in synced.out
    assert "  SPY×FAMILY 第2クール" in synced.out and "(第2クール)" not in synced.out
    assert "孤独摇滚" not in added.err + synced.out


class TestUnmatchedDisplay:
    @pytest.fixture
    def demo_world(self) -> World:
        world = demo_scenario()
        from trakt_sync.fakes.world import add_episode_play

        for n in (2, 3, 5):
            add_episode_play(
                world, 9870000100 + n, f"2025-03-{n:02d}T13:00:00.000Z", UNFINDABLE_SHOW, 1, n
            )
        return world

    def test_status_groups_plays_with_one_reason(self, logged_in: Sandbox, cli) -> None:
        assert cli("sync").code == 0
        out = cli("status").out
        section = out.split("latest unmatched")[1].splitlines()[1:]
        assert section[0].startswith(
            "    Mystery Anime Nobody Indexed S01E01–E03, E05: no Bangumi subject confirmed"
        )
        assert section[0].endswith("; add one with:")
        assert (
            section[1]
            == f"      trakt-sync map add trakt:{UNFINDABLE_SHOW} S1 <bangumi subject id>"
        )
        assert len(section) == 2

    @pytest.mark.parametrize("columns", [60, 120])
    def test_suggested_commands_stay_whole_on_a_terminal(
        self, logged_in: Sandbox, cli, columns: int
    ) -> None:
        assert cli("sync").code == 0
        command = f"trakt-sync map add trakt:{UNFINDABLE_SHOW} S1 <bangumi subject id>"
        for args in (["unmatched"], ["status"]):
            out = run_in_terminal(args, columns)
            lines = out.splitlines()
            assert any(line.strip() == command for line in lines), out
            assert all(len(line) <= columns for line in lines), out
            # prose wraps between words: no line starts inside a word of the reason
            assert "Indexed S01E01–E03" in out or "season 1 E1–E3, E5" in out

    def test_unmatched_prints_episodes_without_python_lists(self, logged_in: Sandbox, cli) -> None:
        assert cli("sync").code == 0
        out = cli("unmatched").out
        assert "season 1 E1–E3, E5: no Bangumi subject" in out and "[1" not in out
        assert out.splitlines()[1] == (
            f"  trakt-sync map add trakt:{UNFINDABLE_SHOW} S1 <bangumi subject id>"
        )
        assert json.loads(cli("unmatched", "--json").out)[0]["episodes"] == [1, 2, 3, 5]


@pytest.mark.parametrize("columns", [60, 120])
def test_error_and_summary_lines_wrap_between_words_on_a_terminal(
    sandbox: Sandbox, cli, columns: int
) -> None:
    plain = cli("sync")  # not logged in; stderr is no terminal here: one line per message
    assert plain.code == 77
    commands = re.findall(r"`(trakt-sync [^`]+)`", plain.err)
    assert commands, plain.err
    out = run_in_terminal(["sync"], columns)
    lines = out.splitlines()
    assert all(len(line) <= columns for line in lines), out
    joined = " ".join(line.strip() for line in lines)
    for command in commands:
        assert command in joined, (command, out)  # never cut inside a word
    last = commands[-1]
    if plain.err.splitlines()[0].rstrip(".)").endswith(f"`{last}`"):
        assert f"  {last}" in lines, out  # a closing command on a line of its own
