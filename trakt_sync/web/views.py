"""What each page shows, as JSON-ready data: the core functions the CLI's commands call,
answered for the page (the ``/api/`` documents are exactly these)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trakt_sync.models import PlayState

if TYPE_CHECKING:
    from trakt_sync.runtime import Runtime


def plain(data: Any) -> Any:
    """As ``--json`` prints it (enums as their values, datetimes as ISO text)."""
    return json.loads(json.dumps(data, default=str))


def status(rt: Runtime, now: datetime, original: bool = True) -> dict[str, Any]:
    """``status --json`` of the profile (a page passes ``original=False``: subjects named
    in the reader's language)."""
    from trakt_sync import profile_reports

    return plain(profile_reports.status_report(rt, now, original=original))


def unmatched(rt: Runtime, skipped: bool = False, original: bool = True) -> list[dict[str, Any]]:
    """``unmatched --json`` (or ``--skipped``); ``original`` as for :func:`status`."""
    from trakt_sync.reports import unmatched_groups

    state = PlayState.SKIPPED if skipped else PlayState.UNMATCHED
    return plain(unmatched_groups(rt.store, state, original=original))


def subject_facts(rt: Runtime, subject_id: int) -> dict[str, Any]:
    """Name, air date, episode count and cover of a candidate, from the subjects the
    matcher already read (no request: an unknown subject just shows less)."""
    subject = rt.cached_bangumi.cached_subject(subject_id) or {}
    images = subject.get("images") or {}
    return {
        "name_cn": subject.get("name_cn") or None,
        "date": subject.get("date"),
        "eps": subject.get("eps") or subject.get("total_episodes"),
        "image": images.get("small") or images.get("grid"),
        "url": f"https://bgm.tv/subject/{subject_id}",
    }


def season_spec(group: dict[str, Any]) -> str | None:
    """The episodes ``map add`` takes for a whole group: ``S1`` (a film: none)."""
    return f"S{group['season']}" if group["season"] is not None else None


def confirm_spec(group: dict[str, Any], cand: dict[str, Any]) -> dict[str, Any]:
    """What Confirm maps: the group's episodes from the subject's episode the matcher
    placed them at (``S1E13-E15`` from ep 1), as the unmatched reason's ``map add`` hint
    says; the whole season when the candidate was not placed."""
    episodes = group["episodes"]
    if group["season"] is None or cand.get("offset") is None or not episodes:
        return {"episodes": season_spec(group), "start_ep": 1}
    first, last = min(episodes), max(episodes)
    return {
        "episodes": f"S{group['season']}E{first}-E{last}",
        "start_ep": first - int(cand["offset"]),
    }


def auth(rt: Runtime) -> dict[str, Any]:
    """``auth status --json``."""
    from trakt_sync import profile_reports

    return plain(profile_reports.auth_summary(rt))


def overrides(rt: Runtime) -> list[dict[str, Any]]:
    """``map list --json``."""
    return rt.store.overrides()


def runs(rt: Runtime, limit: int = 30, original: bool = True) -> list[dict[str, Any]]:
    """The run history, newest first, each with what it marked on Bangumi (``original`` as
    for :func:`status`)."""
    from trakt_sync.run_history import run_changes
    from trakt_sync.run_history import runs as run_rows

    history = run_rows(rt.store, limit)
    for run in history:
        marked = run["plays_marked"]
        run["changes"] = run_changes(rt.store, run["id"], original=original) if marked else []
    return history
