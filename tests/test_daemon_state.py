"""What ``status`` says about the daemon: running only while one runs for the profile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Sandbox
from tests.helpers import wait_until


def _start_daemon(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", *args, "daemon"],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _daemon_line(out: str) -> str | None:
    return next((line.strip() for line in out.splitlines() if "daemon:" in line), None)


def _beat_written(home: Path) -> bool:
    beat = home / "daemon.heartbeat"
    return beat.exists() and '"running"' in beat.read_text()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_status_says_running_while_the_daemon_runs_and_stopped_after(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch, stop: signal.Signals
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SYNC__SCHEDULE", "0 3 1 1 *")  # syncs once, then sleeps
    proc = _start_daemon()
    try:
        wait_until(lambda: _beat_written(logged_in.home), timeout=60, what="a heartbeat")
        running = _daemon_line(cli("status").out)
        assert running is not None and running.startswith("daemon:   running"), running
        proc.send_signal(stop)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    after = _daemon_line(cli("status").out)
    assert after is not None and after.startswith("daemon:   not running: stopped"), after
    assert cli("status", "--json").out.count('"daemon": "stopped"') == 1


def test_a_killed_daemon_is_not_running_at_once(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SYNC__SCHEDULE", "0 3 1 1 *")
    proc = _start_daemon()
    try:
        wait_until(lambda: _beat_written(logged_in.home), timeout=60, what="a heartbeat")
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    line = _daemon_line(cli("status").out)
    assert line is not None and "not running: its process is gone" in line, line


def test_daemon_once_says_what_it_did_and_status_does_not_call_it_running(
    logged_in: Sandbox, cli
) -> None:
    first = cli("daemon", "--once")
    assert first.code == 0
    assert "ran default (exit 0)" in first.err and "next run at" in first.err
    second = cli("daemon", "--once")
    assert second.code == 0
    assert "nothing was due" in second.err and "next run at" in second.err
    line = _daemon_line(cli("status").out)
    assert line is not None and "not running: `daemon --once` ran" in line, line


def test_status_of_a_profile_the_daemon_does_not_serve_shows_no_daemon(
    logged_in: Sandbox, cli
) -> None:
    (logged_in.home / "config.toml").write_text('[profiles.partner.sync]\nschedule = "0 3 * * *"\n')
    cli("-p", "partner", "daemon", "--once")
    assert _daemon_line(cli("status").out) is None
    assert '"daemon": "other"' in cli("status", "--json").out


def test_now_without_once_is_a_usage_error(sandbox: Sandbox, cli) -> None:
    result = cli("daemon", "--now")
    assert result.code == 2
    assert "--now" in result.err and "--once" in result.err


def test_status_check_quiet_prints_nothing_unless_the_check_fails(logged_in: Sandbox, cli) -> None:
    failing = cli("status", "--check", "-q")
    assert failing.code == 1 and failing.out == ""
    assert "check failed: default: no sync has run yet" in failing.err
    assert cli("sync").code == 0
    healthy = cli("status", "--check", "-q")
    assert (healthy.code, healthy.out, healthy.err) == (0, "", "")
    assert cli("-q", "status").out == ""
