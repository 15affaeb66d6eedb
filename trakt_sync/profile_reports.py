"""What one profile reports about itself: its logins, its status and its schedule (for
``auth``, ``status``, the daemon and the web page), read through its ``Runtime``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from trakt_sync import accounts, syncjob
from trakt_sync.errors import NeedsAuth, StateError
from trakt_sync.syncjob import DIED_MESSAGE

if TYPE_CHECKING:
    from trakt_sync.daemon import ProfileSchedule
    from trakt_sync.runtime import Runtime


def auth_summary(rt: Runtime) -> dict[str, Any]:
    """Who the profile is logged in as on Trakt and Bangumi, and where the Bangumi token is from."""
    account = rt.bangumi_account
    # Only a token from the config needs the database (for its remembered user).
    state = rt.store if account.config_token is not None else None
    summary = accounts.auth_summary(rt.profile, rt.tokens, account, state)
    summary["bangumi"]["origin"] = rt.bangumi_token_origin()
    return summary


def check_bangumi_token(rt: Runtime) -> dict[str, Any]:
    """Ask Bangumi whose the profile's token is (``/v0/me``): ``{"ok", "username",
    "error"}``; the user is remembered as a sync would."""
    try:
        username = rt.bangumi_account.username(rt.bangumi, rt.store, fresh=True)
    except NeedsAuth as exc:
        return {"ok": False, "username": None, "error": str(exc)}
    return {"ok": True, "username": username, "error": None}


def status_report(rt: Runtime, now: datetime, *, original: bool = False) -> dict[str, Any]:
    """``trakt-sync status`` of the profile (a read-only runtime shows what it can read;
    ``original``: subjects by Bangumi's ``name``, as ``--json`` has them)."""
    from trakt_sync import reports

    sync = rt.settings.sync
    problems = []
    try:
        found = auth_summary(rt)
    except (StateError, OSError) as exc:
        if not rt.read_only:
            raise
        # A state directory this user may not write: say what cannot be read, show the rest.
        problems.append(f"tokens: {exc}")
        found = reports.unknown_accounts(rt.profile)
    return reports.status_report(
        accounts=found,
        problems=problems,
        store=rt.store,
        schedule=sync.schedule,
        timezone=sync.timezone,
        heartbeat=rt.paths.heartbeat_file,
        now=now,
        sync_running=lambda: syncjob.sync_running(rt.paths.lock(rt.profile)),
        died_message=DIED_MESSAGE,
        original=original,
    )


def run_log(rt: Runtime, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` runs started last (``trakt-sync log``)."""
    from trakt_sync.runlog import run_log

    return run_log(
        rt.store,
        limit,
        sync_running=lambda: syncjob.sync_running(rt.paths.lock(rt.profile)),
        died_message=DIED_MESSAGE,
    )


def schedule(rt: Runtime) -> ProfileSchedule:
    """The profile's schedule, as of its last finished run."""
    from trakt_sync.daemon import ProfileSchedule, last_check

    sync = rt.settings.sync
    return ProfileSchedule(
        rt.profile, sync.schedule, sync.timezone, last_check(rt.store.last_run())
    )
