"""Kill test: a sync killed with SIGKILL at several points, then re-run, ends in the same
Bangumi state as an uninterrupted run, with no play lost or duplicated and no write repeated."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.helpers import wait_until
from tests.test_sync import BOCCHI, SPY_COUR2, YOUR_NAME, subject_episodes

# (name, which fake, fault to inject, the request whose arrival triggers the kill)
KILL_POINTS: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "during fetch, page 2 of history",
        "trakt",
        {"method": "GET", "path_regex": "^/sync/history/episodes$", "delay": 30},
        "GET",
        "^/sync/history/episodes$",
    ),
    (
        "during resolve",
        "bangumi",
        {"method": "GET", "path_regex": "^/v0/episodes$", "delay": 30},
        "GET",
        "^/v0/episodes$",
    ),
    (
        "before the first collection write lands",
        "bangumi",
        {
            "method": "POST",
            "path_regex": "^/v0/users/-/collections/",
            "delay": 30,
            "reset_connection": True,
        },
        "POST",
        "^/v0/users/-/collections/",
    ),
    (
        "after an episode PATCH landed, before its answer",
        "bangumi",
        {"method": "PATCH", "path_regex": "/episodes$", "delay_after": 30},
        "PATCH",
        "/episodes$",
    ),
]


def _start_sync() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", "-q", "sync"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _trigger_seen(fake: Any, method: str, path: str, nth: int, *, landed: bool) -> bool:
    """The ``nth`` matching request has arrived (and, if ``landed``, has been handled: its
    write is done and only the answer is being held back)."""
    pattern = re.compile(path)
    seen = [r for r in fake.requests if r.method == method and pattern.search(r.path)]
    return len(seen) >= nth and (not landed or seen[nth - 1].status is not None)


def _landed_writes(sandbox: Sandbox) -> tuple[Counter[int], Counter[tuple[str, int]]]:
    episodes: Counter[int] = Counter()
    collections: Counter[tuple[str, int]] = Counter()
    for write in sandbox.bangumi.writes:
        if write.method == "PATCH" and write.status == 204:
            episodes.update(write.json["episode_id"])
        if write.method == "POST" and write.status == 202:
            collections[(write.path, write.json["type"])] += 1
    return episodes, collections


def _final_state(sandbox: Sandbox) -> dict[int, tuple[int, frozenset[int]]]:
    return {
        sid: (entry["type"], frozenset(e for e, m in entry["episodes"].items() if m == 2))
        for sid, entry in sandbox.bangumi.collection("demo").items()
    }


@pytest.mark.parametrize(
    ("name", "fake_name", "fault", "method", "path"), KILL_POINTS, ids=[k[0] for k in KILL_POINTS]
)
def test_sigkill_then_rerun_reaches_the_uninterrupted_state(
    logged_in: Sandbox, monkeypatch: pytest.MonkeyPatch, name, fake_name, fault, method, path
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_SYNC__PAGE_LIMIT", "4")  # several history pages
    fake = getattr(logged_in, fake_name)
    nth = 1
    if "page 2" in name:
        fake.inject(fault["method"], fault["path_regex"])  # page 1 answers normally
        nth = 2
    fake.inject(**fault)

    proc = _start_sync()
    try:
        landed = bool(fault.get("delay_after"))
        wait_until(
            lambda: _trigger_seen(fake, method, path, nth, landed=landed),
            timeout=60,
            what=f"{method} {path} #{nth}" + (" to land" if landed else ""),
        )
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    fake.clear_faults()
    landed_before, posts_before = _landed_writes(logged_in)
    if "PATCH landed" in name:
        assert landed_before, "the kill was meant to follow a landed episode write"
    if "before the first collection write" in name:
        assert not posts_before and not landed_before

    rerun = subprocess.run(
        [sys.executable, "-m", "trakt_sync", "sync"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr

    spy = subject_episodes(logged_in, SPY_COUR2)
    bocchi = subject_episodes(logged_in, BOCCHI)
    assert _final_state(logged_in) == {
        SPY_COUR2: (3, frozenset({spy[13], spy[14], spy[15]})),
        BOCCHI: (2, frozenset(bocchi.values())),
        YOUR_NAME: (2, frozenset(subject_episodes(logged_in, YOUR_NAME).values())),
    }
    episodes, collections = _landed_writes(logged_in)
    assert max(episodes.values()) == 1, f"an episode mark was sent twice: {episodes}"
    assert max(collections.values()) == 1, f"a collection write was repeated: {collections}"

    db = sqlite3.connect(logged_in.home / "default.sqlite3")
    states = dict(db.execute("SELECT state, count(*) FROM plays GROUP BY state").fetchall())
    assert states == {"synced": 16, "skipped": 3}
    assert db.execute("SELECT count(DISTINCT history_id) FROM plays").fetchone()[0] == 19


def test_sigkill_in_the_middle_of_finding_backdated_plays_then_rerun_loses_nothing(
    logged_in: Sandbox, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_backdated import add_backdated_plays, first_sync_without_some_plays

    monkeypatch.setenv("TRAKT_SYNC_SYNC__PAGE_LIMIT", "3")  # changed shows' histories, paged
    first_sync_without_some_plays(logged_in, cli)
    expected = add_backdated_plays(logged_in)
    landed_before = _landed_writes(logged_in)
    bocchi_history = "^/sync/history/shows/190003$"
    logged_in.trakt.inject("GET", bocchi_history)  # page 1 answers normally
    logged_in.trakt.inject("GET", bocchi_history, delay=30)

    proc = _start_sync()
    try:
        wait_until(
            lambda: _trigger_seen(logged_in.trakt, "GET", bocchi_history, 2, landed=False),
            timeout=30,
            what="the second page of the changed show's history",
        )
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    logged_in.trakt.clear_faults()
    assert _landed_writes(logged_in) == landed_before  # killed before any Bangumi write

    rerun = subprocess.run(
        [sys.executable, "-m", "trakt_sync", "sync"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    for subject_id, marked in expected.items():
        assert _final_state(logged_in)[subject_id][1] == marked
    film = frozenset(subject_episodes(logged_in, YOUR_NAME).values())
    assert _final_state(logged_in)[YOUR_NAME] == (2, film)
    episodes, collections = _landed_writes(logged_in)
    assert max(episodes.values()) == 1, f"an episode mark was sent twice: {episodes}"
    assert max(collections.values()) == 1, f"a collection write was repeated: {collections}"
    db = sqlite3.connect(logged_in.home / "default.sqlite3")
    states = dict(db.execute("SELECT state, count(*) FROM plays GROUP BY state").fetchall())
    assert states == {"synced": 13 + 5, "skipped": 3}  # the first sync held 13 synced
