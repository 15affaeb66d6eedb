"""How a sync run ended, and the one mapping from that to a process exit code.

The values are what the ``runs`` table, ``sync --json``, ``status`` and the
webhook show, so they never change once released; new ways for a run to end
(a run cancelled with Ctrl-C, a run whose process died) are new members.
"""

from __future__ import annotations

from enum import StrEnum

from trakt_sync.errors import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_NOPERM,
    EXIT_OK,
    EXIT_TEMPFAIL,
    Interrupted,
    NeedsAuth,
    TraktSyncError,
    TryLater,
)


class RunOutcome(StrEnum):
    RUNNING = "running"  # a started run not finished (yet)
    OK = "ok"
    FAILED = "failed"  # the run went through but some plays failed
    INTERRUPTED = "interrupted"  # stopped on request; the work left stays pending
    TEMPFAIL = "tempfail"  # a service was down or rate limited
    NEEDS_AUTH = "needs_auth"  # a token is missing or was rejected
    ERROR = "error"  # anything else that ended the run early
    CANCELLED = "cancelled"  # stopped with Ctrl-C; the work left stays pending
    DIED = "died"  # its process ended mid-run (killed, crashed, power cut); never finished

    @property
    def is_problem(self) -> bool:
        """Whether a healthcheck should fail when the last run ended so.

        A run stopped by the user or whose process was killed lost nothing (every step
        is committed as it lands) and the next run carries on, so only the age of the
        last success tells whether syncing works."""
        return self not in (
            RunOutcome.OK,
            RunOutcome.RUNNING,
            RunOutcome.INTERRUPTED,
            RunOutcome.CANCELLED,
            RunOutcome.DIED,
        )

    @classmethod
    def of_error(cls, error: BaseException) -> RunOutcome:
        """The outcome of a run that ended with ``error``."""
        if isinstance(error, KeyboardInterrupt):
            return cls.CANCELLED
        if isinstance(error, Interrupted):
            return cls.INTERRUPTED
        if isinstance(error, TryLater):
            return cls.TEMPFAIL
        if isinstance(error, NeedsAuth):
            return cls.NEEDS_AUTH
        return cls.ERROR


_EXIT_CODES = {
    RunOutcome.OK: EXIT_OK,
    RunOutcome.FAILED: EXIT_FAILED,
    RunOutcome.INTERRUPTED: EXIT_TEMPFAIL,
    RunOutcome.TEMPFAIL: EXIT_TEMPFAIL,
    RunOutcome.NEEDS_AUTH: EXIT_NOPERM,
    RunOutcome.ERROR: EXIT_FAILED,
    RunOutcome.CANCELLED: EXIT_CANCELLED,
    RunOutcome.DIED: EXIT_FAILED,  # recorded for a process that is gone; listed for completeness
    RunOutcome.RUNNING: EXIT_FAILED,  # never a finished run's; listed so every member has a code
}


def exit_code(outcome: RunOutcome, error: BaseException | None = None) -> int:
    """The process exit code for a run that ended with ``outcome``.

    An ``error`` outcome keeps the code its exception carries, so a configuration
    problem found mid-run (a 403 for a bad API key) still exits 78.
    """
    if outcome is RunOutcome.ERROR and isinstance(error, TraktSyncError):
        return error.exit_code
    return _EXIT_CODES[outcome]
