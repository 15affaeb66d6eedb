"""The daemon: schedules under controlled time, and real processes against the fakes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.helpers import wait_until
from trakt_sync.daemon import Daemon, ProfileSchedule
from trakt_sync.errors import NeedsAuth


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_missed_fires_coalesce_and_a_failing_profile_does_not_stop_the_others() -> None:
    clock = Clock(datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    calls: list[str] = []

    def sync(name: str) -> int:
        calls.append(name)
        if name == "broken":
            raise NeedsAuth("token rejected")
        return 0

    profiles = [
        ProfileSchedule("broken", "0 * * * *", "UTC", last_check=clock.now),
        ProfileSchedule("fine", "0 * * * *", "UTC", last_check=clock.now),
    ]
    daemon = Daemon(profiles, sync, clock=clock)
    assert daemon.run_due() == {}
    clock.now += timedelta(hours=5)  # a suspend: five hourly fires missed
    assert daemon.run_due() == {"broken": 77, "fine": 0}
    assert calls == ["broken", "fine"]
    assert daemon.run_due() == {}  # coalesced: nothing more until the next fire


def test_sleep_is_chunked_and_rechecks_the_wall_clock() -> None:
    clock = Clock(datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += timedelta(seconds=seconds)
        if len(slept) == 3:
            clock.now += timedelta(minutes=10)  # the clock stepped (resume from suspend)

    daemon = Daemon(
        [ProfileSchedule("p", "* * * * *", "UTC", last_check=clock.now)],
        lambda name: 0,
        clock=clock,
        sleep=sleep,
        chunk=1.0,
    )
    daemon._sleep_until(datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    assert all(s <= 1.0 for s in slept) and len(slept) == 3


def test_the_daemon_logs_when_it_runs_next(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock(datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    daemon = Daemon(
        [ProfileSchedule("p", "0 * * * *", "UTC", last_check=clock.now - timedelta(hours=1))],
        lambda name: 0,
        clock=clock,
        sleep=lambda seconds: daemon.stop.set(),
    )
    with caplog.at_level("INFO", logger="trakt_sync.daemon"):
        daemon.run_forever()
    expected = datetime(2026, 1, 1, 1, 0, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert any(r.getMessage().startswith(f"next run at {expected}") for r in caplog.records), (
        caplog.text
    )


def _db(home: Path, profile: str = "default") -> sqlite3.Connection:
    return sqlite3.connect(home / f"{profile}.sqlite3")


def _runs(home: Path, profile: str = "default") -> list[tuple[Any, ...]]:
    path = home / f"{profile}.sqlite3"
    if not path.exists():
        return []
    db = _db(home, profile)
    try:
        return db.execute("SELECT id, outcome, finished_at FROM runs ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


def _start_daemon(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", "daemon", *args],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_daemon_on_a_per_second_schedule_syncs_repeatedly_and_stops_on_sigterm(
    logged_in: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SYNC__SCHEDULE", "* * * * * */1")
    proc = _start_daemon()
    try:
        wait_until(lambda: len([r for r in _runs(logged_in.home) if r[2]]) >= 3, timeout=60)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert (logged_in.home / "daemon.heartbeat").exists()
    outcomes = [r[1] for r in _runs(logged_in.home)]
    assert outcomes[0] == "ok" and "running" not in outcomes
    # After the first run, each later one cost one Trakt request and nothing on Bangumi.
    collection = logged_in.bangumi.collection("demo")
    assert len(collection) == 3


def test_sigterm_mid_run_exits_0_with_a_consistent_database_and_a_held_lock_refuses_sync(
    logged_in: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SYNC__SCHEDULE", "* * * * * */1")
    # Long enough for a second process to start while the daemon holds the lock, even on a
    # busy machine.
    logged_in.bangumi.inject("PATCH", "/episodes$", delay=10)
    proc = _start_daemon()
    try:
        wait_until(lambda: logged_in.bangumi.count("/episodes$", method="PATCH") >= 1, timeout=60)
        manual = subprocess.run(
            [sys.executable, "-m", "trakt_sync", "sync"],
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert manual.returncode == 75
        assert "another sync" in manual.stderr
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    db = _db(logged_in.home)
    states = dict(db.execute("SELECT state, count(*) FROM plays GROUP BY state").fetchall())
    outcomes = [row[0] for row in db.execute("SELECT outcome FROM runs ORDER BY id")]
    db.close()
    assert sum(states.values()) == 19 and set(states) <= {"pending", "synced", "skipped"}
    assert outcomes[-1] in ("interrupted", "ok")
    clean = subprocess.run(
        [sys.executable, "-m", "trakt_sync", "sync"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert clean.returncode == 0, clean.stderr
    db = _db(logged_in.home)
    states = dict(db.execute("SELECT state, count(*) FROM plays GROUP BY state").fetchall())
    db.close()
    assert states == {"synced": 16, "skipped": 3}


@pytest.fixture
def two_users(demo_world: dict[str, Any]) -> dict[str, Any]:
    demo_world["bangumi"]["users"].append(
        {"id": 800002, "username": "partner", "nickname": "Partner", "token": "bgm-partner-token"}
    )
    return demo_world


def test_two_profiles_sync_independently_and_a_revoked_token_stops_only_its_profile(
    two_users: dict[str, Any],
    sandbox: Sandbox,
    cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    (tmp_path / "home" / "config.toml").write_text(
        '[profiles.partner.sync]\nschedule = "0 3 * * *"\n'
        '[profiles.broken.bangumi]\ntoken = "revoked-token"\n'
    )
    for profile, token in (
        ("default", "bgm-demo-token"),
        ("partner", "bgm-partner-token"),
        ("broken", None),
    ):
        sandbox.trakt.device_script = ["approve"]
        assert cli("-p", profile, "auth").code == 0
        if token:
            monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
            assert cli("-p", profile, "auth", "bangumi", "--with-token").code == 0

    result = cli("daemon", "--once", "--now")
    assert result.code == 77  # the broken profile's token; the others still ran
    demo = sandbox.bangumi.collection("demo")
    partner = sandbox.bangumi.collection("partner")
    assert set(partner) == {373267, 328609, 160209}
    assert demo.keys() == partner.keys()
    assert partner[328609]["type"] == 2 and demo[328609]["type"] == 2
    # The revoked token got nothing past Bangumi, and only the broken profile's run stopped.
    revoked = [
        r for r in sandbox.bangumi.requests if r.header("authorization") == "Bearer revoked-token"
    ]
    assert revoked and all(r.status == 401 for r in revoked)
    last_outcomes = {}
    for profile in ("default", "partner", "broken"):
        runs = _runs(sandbox.home, profile)
        assert runs, profile
        last_outcomes[profile] = runs[-1][1]
    assert last_outcomes == {"default": "ok", "partner": "ok", "broken": "needs_auth"}


def test_status_all_lists_every_profile_with_next_run_and_heartbeat(
    two_users: dict[str, Any],
    sandbox: Sandbox,
    cli,
    tmp_path: Path,
) -> None:
    import json

    (tmp_path / "home" / "config.toml").write_text(
        '[profiles.partner.sync]\nschedule = "0 3 * * *"\n'
    )
    sandbox.trakt.device_script = ["approve"]
    assert cli("auth").code == 0
    assert cli("daemon", "--once", "--now").code == 77  # partner has no Bangumi token yet
    data = json.loads(cli("status", "--all", "--json").out)
    profiles = {p["profile"]: p for p in data["profiles"]}
    assert set(profiles) == {"default", "partner"}
    assert profiles["partner"]["schedule"] == "0 3 * * *"
    assert profiles["default"]["next_run"] and profiles["default"]["daemon_heartbeat"]
    assert profiles["partner"]["last_run"]["outcome"] == "needs_auth"
    human = cli("status", "--all", "--check")
    assert human.code == 1 and "partner:" in human.err
    assert "profile default" in human.out and "profile partner" in human.out
