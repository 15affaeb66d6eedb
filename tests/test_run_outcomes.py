"""How runs that did not finish normally are recorded and reported: a process killed mid-run
(bug 8), Ctrl-C (bug 9), and the summary line of a failed run (bug 12)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import Sandbox
from tests.helpers import reader_threads, wait_until


def _kill_a_sync_mid_run(sandbox: Sandbox) -> None:
    """Start `sync` in a process, hold its first Trakt request, and SIGKILL it there."""
    sandbox.trakt.reset_log()
    sandbox.trakt.inject("GET", "^/sync/last_activities$", delay=30)
    proc = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", "-q", "sync"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: sandbox.trakt.count("^/sync/last_activities$") >= 1,
            timeout=60,
            what="the sync's first Trakt request",
        )
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    sandbox.trakt.clear_faults()
    sandbox.trakt.reset_log()


def _status(cli) -> dict:
    result = cli("status", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_killed_first_sync_shows_as_died_not_never(logged_in: Sandbox, cli) -> None:
    _kill_a_sync_mid_run(logged_in)

    last = _status(cli)["last_run"]
    assert last is not None and last["outcome"] == "died"
    text = cli("status")
    assert "never" not in text.out and "died (interrupted: its process ended" in text.out
    check = cli("status", "--check")
    assert check.code == 1
    assert "no sync has run yet" not in check.err and "no successful sync" in check.err

    # The next sync records the dead run as died, so no row stays "running" forever.
    assert cli("sync").code == 0
    db = sqlite3.connect(logged_in.home / "default.sqlite3")
    outcomes = [row[0] for row in db.execute("SELECT outcome FROM runs ORDER BY id")]
    assert outcomes == ["died", "ok"]


def test_a_killed_sync_after_a_success_keeps_the_check_green(logged_in: Sandbox, cli) -> None:
    assert cli("sync").code == 0
    _kill_a_sync_mid_run(logged_in)

    data = _status(cli)
    assert data["last_run"]["outcome"] == "died"
    assert data["last_success"]["outcome"] == "ok"
    check = cli("status", "--check")
    assert check.code == 0, check.err


def test_a_running_sync_is_not_taken_for_a_dead_one(logged_in: Sandbox, cli) -> None:
    """While a sync holds the profile lock, its row is a live run, not a died one."""
    from filelock import FileLock

    from trakt_sync.store import Store

    assert cli("sync").code == 0
    store = Store(logged_in.home / "default.sqlite3")
    store.start_run(dry_run=False)  # as a sync in progress would have
    store.close()
    with FileLock(str(logged_in.home / "default.lock")):
        data = _status(cli)
    assert data["last_run"]["outcome"] == "ok"
    assert _status(cli)["last_run"]["outcome"] == "died"  # the lock is free again


def test_ctrl_c_is_recorded_as_cancelled_exits_130_and_keeps_the_check_green(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("sync").code == 0

    def ctrl_c(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("trakt_sync.stages.fetch.FetchStage.run", ctrl_c)
        result = cli("sync")
    assert result.code == 130
    assert result.err.strip().splitlines() == ["trakt-sync: cancelled"]

    data = _status(cli)
    assert data["last_run"]["outcome"] == "cancelled"
    assert "KeyboardInterrupt" not in (data["last_run"]["message"] or "")
    check = cli("status", "--check")
    assert check.code == 0, check.err


def test_ctrl_c_while_a_history_page_is_saved_leaves_no_reader_behind(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ctrl_c(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("trakt_sync.store.Store.save_rows", ctrl_c)
        result = cli("sync")
    assert result.code == 130
    # The thread reading the next page was stopped and joined before the run ended.
    assert reader_threads() == []
    assert _status(cli)["last_run"]["outcome"] == "cancelled"
    # Nothing of the history was lost: the next run fetches and syncs it whole.
    code_and_report = cli("sync", "--json")
    assert code_and_report.code == 0, code_and_report.err
    assert json.loads(code_and_report.out)["new"] == len(logged_in.trakt.history)


def test_a_failed_run_does_not_say_synced(logged_in: Sandbox, cli) -> None:
    logged_in.trakt.expire_access_tokens()
    logged_in.trakt.revoke_refresh_tokens()
    result = cli("sync")
    assert result.code == 77
    summary = result.err.strip().splitlines()[-1]
    assert not summary.startswith("synced") and summary.startswith("sync failed")
