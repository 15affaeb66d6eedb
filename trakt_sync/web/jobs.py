"""Work the page starts and then watches: a sync (or its dry run) with live progress, and
a Trakt device login waiting for approval. Each runs in a thread of its own with its own
runtime; the page polls the state kept here."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trakt_sync.errors import LockHeld, TraktSyncError
from trakt_sync.redact import SecretRegistry

if TYPE_CHECKING:
    from trakt_sync.progress import Progress
    from trakt_sync.runtime import Runtime
    from trakt_sync.syncjob import SyncResult

OpenRuntime = Callable[[str], AbstractContextManager["Runtime"]]


@dataclass
class SyncState:
    """One profile's sync started from the page: what it is doing, then how it ended."""

    profile: str
    dry_run: bool
    started: float = field(default_factory=time.time)
    stage: str | None = None
    done: int = 0
    total: int = 0
    finished: bool = False
    result: dict[str, Any] | None = None  # ``sync --json``'s document
    lines: list[str] = field(default_factory=list)  # what ``sync`` prints
    summary: str | None = None
    error: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        """The progress protocol (trakt_sync.progress.Progress)."""
        self.stage, self.done, self.total = stage, done, total

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "running": not self.finished,
            "dry_run": self.dry_run,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "result": self.result,
            "lines": self.lines,
            "summary": self.summary,
            "error": self.error,
        }


class SyncJobs:
    """At most one sync per profile from this process; the profile's lock keeps out the
    CLI's and the daemon's syncs, and theirs keep out ours."""

    def __init__(self, open_runtime: OpenRuntime, secrets: SecretRegistry) -> None:
        self.open_runtime = open_runtime
        self.secrets = secrets
        self.states: dict[str, SyncState] = {}
        self._guard = threading.Lock()

    def state(self, profile: str) -> SyncState | None:
        return self.states.get(profile)

    def start(self, profile: str, dry_run: bool, lock_held: Callable[[], bool]) -> SyncState:
        """Start a sync; raise LockHeld when one of the profile runs (here or elsewhere)."""
        with self._guard:
            current = self.states.get(profile)
            if (current is not None and not current.finished) or lock_held():
                raise LockHeld(f"another sync of profile {profile!r} is running")
            state = SyncState(profile, dry_run)
            self.states[profile] = state
        threading.Thread(
            target=self._run, args=(state,), name=f"web-sync-{profile}", daemon=True
        ).start()
        return state

    def _run(self, state: SyncState) -> None:
        from trakt_sync.engine import SyncOptions
        from trakt_sync.syncjob import error_result, run_sync

        try:
            with self.open_runtime(state.profile) as rt:
                result = run_sync(rt.sync_job(state), SyncOptions(dry_run=state.dry_run))
        except TraktSyncError as exc:
            state.error = self.secrets.redact(str(exc))
            result = error_result(exc, state.error, state.dry_run)
        except Exception as exc:  # shown on the page, as the CLI would print it
            state.error = f"unexpected error: {type(exc).__name__}: {self.secrets.redact(str(exc))}"
            result = error_result(exc, state.error, state.dry_run)
        self._finish(state, result)

    def run_watched(self, profile: str, run: Callable[[Progress], SyncResult]) -> SyncResult:
        """Run a sync started elsewhere in this process (the daemon's) so that the page
        shows its progress and result; a sync the page started keeps its own state."""
        state = SyncState(profile, dry_run=False)
        with self._guard:
            current = self.states.get(profile)
            if current is not None and not current.finished:
                return run(state)  # the profile's lock refuses it
            self.states[profile] = state
        try:
            result = run(state)
        except BaseException as exc:
            state.error = self.secrets.redact(str(exc)) or type(exc).__name__
            state.finished = True
            raise
        self._finish(state, result)
        return result

    @staticmethod
    def _finish(state: SyncState, result: SyncResult) -> None:
        from trakt_sync.sync_lines import next_steps, subject_lines
        from trakt_sync.sync_report import result_document, summary_line

        if state.error is None:  # a sync that ran (its outcome may still be a failure)
            state.lines = subject_lines(result) + next_steps(result)
            state.summary = summary_line(result)
        state.result = json.loads(json.dumps(result_document(result), default=str))
        state.finished = True


@dataclass
class TraktLoginState:
    profile: str
    user_code: str | None = None
    verification_url: str | None = None
    expires_at: float | None = None
    finished: bool = False
    username: str | None = None
    error: str | None = None
    started: threading.Event = field(default_factory=threading.Event)

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "user_code": self.user_code,
            "verification_url": self.verification_url,
            "expires_at": self.expires_at,
            "waiting": not self.finished,
            "username": self.username,
            "error": self.error,
        }


class TraktLogins:
    """The device-code login of ``trakt-sync auth``, one per profile at a time."""

    def __init__(self, open_runtime: OpenRuntime, secrets: SecretRegistry) -> None:
        self.open_runtime = open_runtime
        self.secrets = secrets
        self.states: dict[str, TraktLoginState] = {}
        self._guard = threading.Lock()

    def state(self, profile: str) -> TraktLoginState | None:
        return self.states.get(profile)

    def start(self, profile: str, wait: float = 30.0) -> TraktLoginState:
        """Ask Trakt for a code (waiting until it came) and wait for its approval in a
        thread; a login already waiting is shown again rather than started twice."""
        with self._guard:
            current = self.states.get(profile)
            if current is not None and not current.finished:
                return current
            state = TraktLoginState(profile)
            self.states[profile] = state
        threading.Thread(
            target=self._run, args=(state,), name=f"web-login-{profile}", daemon=True
        ).start()
        state.started.wait(wait)
        return state

    def _run(self, state: TraktLoginState) -> None:
        try:
            with self.open_runtime(state.profile) as rt:
                login = rt.trakt_login()
                code = login.start()
                state.user_code, state.verification_url = code.user_code, code.verification_url
                state.expires_at = time.time() + code.expires_in
                state.started.set()
                token = login.finish(code)
                state.username = token.username
        except Exception as exc:
            state.error = self.secrets.redact(str(exc)) or type(exc).__name__
        finally:
            state.finished = True
            state.started.set()
