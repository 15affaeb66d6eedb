"""The daemon's heartbeat file: when it last beat, who it is, which profiles it serves, and
whether it stopped — so ``status`` never calls a daemon that is gone "running".

One JSON line in ``daemon.heartbeat`` under the state directory; a plain timestamp (what
earlier versions wrote) still reads as a beat of unknown process.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from trakt_sync.timeutil import iso_z, parse_instant

RUNNING = "running"
STOPPED = "stopped"  # the daemon ended (SIGTERM, Ctrl-C, an error)
ONCE = "once"  # `daemon --once` ran what was due and exited


@dataclass(frozen=True)
class Beat:
    at: str
    state: str = RUNNING
    pid: int | None = None
    host: str | None = None
    profiles: tuple[str, ...] | None = None  # None: not recorded (every profile)


def write(path: Path, moment: datetime, state: str, profiles: list[str]) -> None:
    data = {
        "at": iso_z(moment),
        "state": state,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "profiles": profiles,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data) + "\n")
    os.replace(tmp, path)  # a reader never sees half a beat


def read(path: Path) -> Beat | None:
    """The last beat, or None when there is none (or it cannot be read)."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    if not text:
        return None
    if not text.startswith("{"):
        return Beat(at=text)
    try:
        data: dict[str, Any] = json.loads(text)
        profiles = data.get("profiles")
        return Beat(
            at=str(data["at"]),
            state=str(data.get("state", RUNNING)),
            pid=data.get("pid"),
            host=data.get("host"),
            profiles=tuple(profiles) if isinstance(profiles, list) else None,
        )
    except (ValueError, KeyError, TypeError):
        return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def judge(beat: Beat | None, profile: str, stale: bool) -> str | None:
    """The daemon's state for ``profile``: ``running``, ``stale``, ``stopped``, ``once``,
    ``dead`` (its process is gone), ``other`` (it serves other profiles only), or None when
    no daemon ever beat here. ``stale``: the beat is older than the schedule allows."""
    if beat is None:
        return None
    if beat.profiles is not None and profile not in beat.profiles:
        return "other"
    if beat.state in (STOPPED, ONCE):
        return beat.state
    # A pid is only meaningful on the host that wrote it (a shared volume, another container).
    if beat.pid is not None and beat.host == socket.gethostname() and not process_alive(beat.pid):
        return "dead"
    return "stale" if stale else RUNNING


def beat_time(beat: Beat) -> datetime | None:
    try:
        return parse_instant(beat.at)
    except ValueError:
        return None
