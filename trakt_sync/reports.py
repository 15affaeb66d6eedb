"""What the local record says: ``status``, its health check, and ``unmatched``.

Read-only and offline: nothing here sends a request."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from trakt_sync import show_key as keys
from trakt_sync.heartbeat import judge as judge_daemon
from trakt_sync.heartbeat import read as read_beat
from trakt_sync.models import PlayState
from trakt_sync.outcome import RunOutcome
from trakt_sync.scheduler import interval, next_fire, zone
from trakt_sync.store import RunRecord, Store
from trakt_sync.subject_names import relabel, stored_names
from trakt_sync.timeutil import parse_instant


def run_dict(run: RunRecord | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "outcome": run.outcome,
        "counts": run.counts,
        "requests": {"trakt": run.requests_trakt, "bangumi": run.requests_bangumi},
        "message": run.message,
    }


def unknown_accounts(profile: str) -> dict[str, Any]:
    """What :func:`status_report` shows when the tokens cannot be read."""
    nobody = {"authenticated": False, "username": None, "expires_at": None}
    return {"profile": profile, "backend": "unknown", "trakt": nobody, "bangumi": nobody}


def status_report(
    *,
    accounts: dict[str, Any],
    problems: list[str] | None = None,
    store: Store,
    schedule: str,
    timezone: str | None,
    heartbeat: Path,
    now: datetime,
    sync_running: Callable[[], bool],
    died_message: str,
    original: bool = False,
) -> dict[str, Any]:
    """``accounts`` is :func:`trakt_sync.accounts.auth_summary`'s answer; ``sync_running``
    says whether a sync holds the profile's lock (checked only when a run says running);
    ``original``: subjects by Bangumi's ``name`` whatever the language (``--json``)."""
    beat = read_beat(heartbeat)
    stale = None if beat is None else daemon_stale(beat.at, schedule, timezone, now)
    return {
        "profile": accounts["profile"],
        "backend": accounts["backend"],
        "trakt": {k: accounts["trakt"][k] for k in ("authenticated", "username", "expires_at")},
        "bangumi": {
            "authenticated": accounts["bangumi"]["authenticated"],
            "username": accounts["bangumi"]["username"],
            "origin": accounts["bangumi"].get("origin"),
        },
        "last_run": run_dict(_last_run(store, sync_running, died_message)),
        "last_success": run_dict(store.last_run(successful=True)),
        "items": store.state_counts(),
        "schedule": schedule,
        "next_run": next_fire(schedule, zone(timezone), now).isoformat(),
        "daemon_heartbeat": beat.at if beat is not None else None,
        "daemon_stale": stale,
        "daemon": judge_daemon(beat, accounts["profile"], bool(stale)),
        "problems": problems or [],
        "unmatched": _named(store, store.latest_with_state(PlayState.UNMATCHED, 5), original),
        "failed": _named(store, store.latest_with_state(PlayState.FAILED, 5), original),
    }


def _named(store: Store, rows: list[dict[str, Any]], original: bool) -> list[dict[str, Any]]:
    """Keyed play rows whose reasons name each subject as every command does."""
    names = stored_names(store, original=original)
    out = []
    for row in rows:
        detail = json.loads(row["resolution"] or "{}")
        shown = relabel({"reason": row["reason"], "detail": detail}, names)
        if shown["detail"] is not detail:  # renamed: the record as shown, too
            row = {**row, "resolution": json.dumps(shown["detail"], ensure_ascii=False)}
        out.append(_keyed({**row, "reason": shown["reason"]}))
    return out


def _keyed(row: dict[str, Any]) -> dict[str, Any]:
    """A play row with its show's (or film's) structured key instead of the id columns."""
    ids = SimpleNamespace(
        trakt=row.pop("media_trakt"), slug=row.pop("media_slug"), tmdb=row.pop("media_tmdb")
    )
    try:
        key = keys.of_ids(ids, movie=row["kind"] == "movie")
    except ValueError:
        row["show"] = row["show_key"] = None
    else:
        row["show"], row["show_key"] = str(key), key.as_dict()
    return row


def _last_run(
    store: Store, sync_running: Callable[[], bool], died_message: str
) -> RunRecord | None:
    """The last run that ended, where a run left "running" by a dead process counts as
    one that died (the next sync records it so)."""
    newest = store.newest_run()
    if newest is not None and newest.outcome is RunOutcome.RUNNING and not sync_running():
        return replace(newest, outcome=RunOutcome.DIED, message=died_message)
    return store.last_run()


# How long after a scheduled fire the daemon may take to sync and beat again.
DAEMON_GRACE = timedelta(minutes=30)


def daemon_stale(beat: str, schedule: str, timezone: str | None, now: datetime) -> bool:
    """True when the daemon missed a beat: it beats after every scheduled run, so a live
    daemon's heartbeat is never older than the fire after it (plus time to sync)."""
    try:
        last = parse_instant(beat)
    except ValueError:
        return True
    return now > next_fire(schedule, zone(timezone), last) + DAEMON_GRACE


def health_problem(
    report: dict[str, Any], schedule: str, timezone: str | None, now: datetime
) -> str | None:
    """Why a healthcheck of a :func:`status_report` should fail, or None when healthy."""
    last = report["last_run"]
    if last is None:
        return "no sync has run yet"
    if last["outcome"].is_problem:
        return f"the last sync ended {last['outcome']}: {last['message'] or ''}".rstrip(": ")
    success = report["last_success"]
    limit = 2 * interval(schedule, zone(timezone), now)
    if success is None or now - parse_instant(success["finished_at"]) > limit:
        return f"no successful sync in the last {span(limit)} (twice the schedule's interval)"
    return None


def unmatched_groups(
    store: Store, state: PlayState = PlayState.UNMATCHED, *, original: bool = False
) -> list[dict[str, Any]]:
    """Unmatched (or skipped) plays by show and season, with the best candidates and why
    they lost (``original``: subjects by Bangumi's ``name`` whatever the language, for
    ``--json``)."""
    rows = [_keyed(row) for row in store.latest_with_state(state, limit=100_000)]
    groups: dict[tuple[str, Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        key = row["show"]
        groups[(row["media_title"], row["season"], key)].append(row)
    result = []
    names = stored_names(store, original=original)
    for (title, season, _), members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        detail = json.loads(members[0]["resolution"] or "{}")
        group = {
            "title": title,
            "show": members[0]["show"],
            "show_key": members[0]["show_key"],
            "season": season,
            "episodes": sorted(r["number"] for r in members if r["number"] is not None),
            "plays": len(members),
            "reason": members[0]["reason"],
            "candidates": detail.get("candidates", [])[:3],
            # What the matcher saw for the best guess (air dates, where it was placed).
            "evidence": detail.get("evidence", []),
        }
        # Each subject named as every command names it (the reason may name any candidate).
        result.append(relabel({"group": group, "detail": detail}, names)["group"])
    return result


def span(length: timedelta) -> str:
    """``12 h``, ``2 d 6 h``, ``30 min``: a length of time as a person reads it."""
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{minutes} min" if minutes else "",
    ]
    return " ".join(part for part in parts if part) or f"{int(length.total_seconds())} s"
