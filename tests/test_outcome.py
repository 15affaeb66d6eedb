"""Run outcomes: how an error ends a run, and the one outcome → exit code mapping."""

import pytest

from trakt_sync.errors import (
    AccessDenied,
    ConfigError,
    Interrupted,
    LockHeld,
    NeedsAuth,
    RateLimited,
    ServiceUnavailable,
    StateError,
)
from trakt_sync.outcome import RunOutcome, exit_code


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (RunOutcome.OK, 0),
        (RunOutcome.FAILED, 1),
        (RunOutcome.INTERRUPTED, 75),
        (RunOutcome.TEMPFAIL, 75),
        (RunOutcome.NEEDS_AUTH, 77),
        (RunOutcome.ERROR, 1),
        (RunOutcome.CANCELLED, 130),
    ],
)
def test_each_outcome_has_its_exit_code(outcome: RunOutcome, code: int) -> None:
    assert exit_code(outcome) == code


@pytest.mark.parametrize(
    ("error", "outcome", "code"),
    [
        (Interrupted("stop"), RunOutcome.INTERRUPTED, 75),
        (RateLimited("429"), RunOutcome.TEMPFAIL, 75),
        (ServiceUnavailable("503"), RunOutcome.TEMPFAIL, 75),
        (LockHeld("busy"), RunOutcome.TEMPFAIL, 75),
        (NeedsAuth("login"), RunOutcome.NEEDS_AUTH, 77),
        (AccessDenied("403"), RunOutcome.ERROR, 78),  # a configuration problem found mid-run
        (ConfigError("bad"), RunOutcome.ERROR, 78),
        (StateError("db"), RunOutcome.ERROR, 1),
        (ValueError("bug"), RunOutcome.ERROR, 1),
        (KeyboardInterrupt(), RunOutcome.CANCELLED, 130),
    ],
)
def test_an_error_ends_a_run_with_its_outcome_and_code(
    error: BaseException, outcome: RunOutcome, code: int
) -> None:
    assert RunOutcome.of_error(error) is outcome
    assert exit_code(RunOutcome.of_error(error), error) == code
