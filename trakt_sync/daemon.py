"""The long-running loop: sync each profile when its cron schedule fires.

It sleeps in short chunks that re-read the wall clock, so suspend/resume and
clock steps are noticed; fires missed meanwhile coalesce into one run. Profiles
run in turn and one profile's failure never stops the others. A stop request
(SIGTERM/SIGINT) lets the current database transaction finish — the engine
checks it between pages, groups and subjects — and the loop then returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from trakt_sync import heartbeat as beats
from trakt_sync.errors import LockHeld, TraktSyncError
from trakt_sync.outcome import RunOutcome, exit_code
from trakt_sync.scheduler import next_fire, zone
from trakt_sync.store import RunRecord
from trakt_sync.timeutil import parse_instant, utcnow

log = logging.getLogger(__name__)
CHUNK_SECONDS = 1.0


@dataclass
class ProfileSchedule:
    name: str
    schedule: str
    timezone: str | None
    last_check: datetime = field(default_factory=utcnow)

    def next_fire(self) -> datetime:
        return next_fire(self.schedule, zone(self.timezone), self.last_check)


def last_check(last_run: RunRecord | None) -> datetime:
    """When the profile last synced; long ago if never, so its schedule is due: fires
    missed since then (or before a first start) coalesce into one run now."""
    if last_run is None or last_run.finished_at is None:
        return datetime(2000, 1, 1, tzinfo=UTC)
    return parse_instant(last_run.finished_at)


@dataclass
class Daemon:
    profiles: list[ProfileSchedule]
    sync_profile: Callable[[str], int]  # runs one sync, returns its exit code
    heartbeat: Path | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], datetime] = utcnow
    sleep: Callable[[float], None] = time.sleep
    chunk: float = CHUNK_SECONDS
    # (message, profile) → the message as that profile's user should read it (the CLI adds
    # `-p NAME` to the commands it suggests).
    describe: Callable[[str, str], str] = lambda message, profile: message

    def run_forever(self) -> None:
        announced: datetime | None = None
        try:
            while not self.stop.is_set():
                self.run_due()
                self.beat()
                upcoming = min(self.profiles, key=lambda p: p.next_fire())
                fire = upcoming.next_fire()
                # Said once, just before waiting for it; a fire already due (a sync that ran
                # past it) starts at once and is not announced.
                if fire > self.clock() and fire != announced:
                    log.info("%s", self.next_run())
                    announced = fire
                self._sleep_until(fire)
        finally:
            self.beat(beats.STOPPED)  # `status` must not call a stopped daemon running

    def run_once(self, everything: bool = False) -> dict[str, int]:
        """``daemon --once``: what is due (everything with ``--now``), then a record that no
        daemon runs; logs what it did and when the next run is."""
        codes = self.run_due(everything=everything)
        self.beat(beats.ONCE)
        if codes:
            log.info("ran %s", ", ".join(f"{name} (exit {code})" for name, code in codes.items()))
        else:
            log.info("nothing was due")
        log.info("%s", self.next_run())
        return codes

    def next_run(self) -> str:
        """``next run at 2026-01-01 06:00 CST (profile default)``."""
        upcoming = min(self.profiles, key=lambda p: p.next_fire())
        moment = upcoming.next_fire().astimezone()
        shape = "%Y-%m-%d %H:%M:%S %Z" if moment.second else "%Y-%m-%d %H:%M %Z"
        return f"next run at {moment.strftime(shape)} (profile {upcoming.name})"

    def run_due(self, everything: bool = False) -> dict[str, int]:
        """Sync every profile whose schedule fired since its last check; return their codes."""
        ran: dict[str, int] = {}
        for profile in self.profiles:
            if self.stop.is_set():
                break
            now = self.clock()
            if not everything and profile.next_fire() > now:
                continue
            profile.last_check = now  # every fire missed until now coalesces into this run
            ran[profile.name] = self._run_one(profile.name)
        return ran

    def _run_one(self, name: str) -> int:
        """One profile's sync; whatever goes wrong is logged and never stops the others."""
        log.info("profile %s: sync starting", name)
        try:
            code = self.sync_profile(name)
        except LockHeld as exc:
            log.warning("profile %s: skipped this tick: %s", name, exc)
            return exit_code(RunOutcome.of_error(exc), exc)
        except TraktSyncError as exc:
            log.error("profile %s: %s", name, self.describe(str(exc), name))
            return exit_code(RunOutcome.of_error(exc), exc)
        except Exception as exc:
            log.exception("profile %s: unexpected error during sync", name)
            return exit_code(RunOutcome.of_error(exc), exc)
        log.info("profile %s: sync finished with exit code %d", name, code)
        return code

    def beat(self, state: str = beats.RUNNING) -> None:
        if self.heartbeat is not None:
            names = [p.name for p in self.profiles]
            try:
                beats.write(self.heartbeat, self.clock(), state, names)
            except OSError as exc:
                log.warning("cannot write the heartbeat %s: %s", self.heartbeat, exc.strerror)

    def _sleep_until(self, moment: datetime) -> None:
        while not self.stop.is_set():
            remaining = (moment - self.clock()).total_seconds()
            if remaining <= 0:
                return
            self.sleep(min(self.chunk, remaining))
