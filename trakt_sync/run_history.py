"""The run history and what each run changed, from the local record (read-only, offline).

A run's changes are the plays it marked on Bangumi (``plays.synced_run``), one entry per
subject: ``Frieren ← Sousou no Frieren S1 E1–E12 (12 episodes → 看过)``."""

from __future__ import annotations

import json
from typing import Any

from trakt_sync.store import Store
from trakt_sync.subject_names import stored_names


def runs(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The latest runs, newest first, dry runs included (they say so)."""
    rows = store.db.execute(
        "SELECT r.*, (SELECT count(*) FROM plays p WHERE p.synced_run = r.id) AS marked "
        "FROM runs r ORDER BY r.id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        {
            "id": row["id"],
            "started_at": row["started_at"],
            "finished_at": row["finished_at"],
            "outcome": row["outcome"],
            "dry_run": bool(row["dry_run"]),
            "message": row["message"],
            "counts": json.loads(row["counts"]),
            "requests": {"trakt": row["requests_trakt"], "bangumi": row["requests_bangumi"]},
            "duration_s": _duration(row["started_at"], row["finished_at"]),
            "plays_marked": row["marked"],
        }
        for row in rows
    ]


def run_changes(store: Store, run_id: int, *, original: bool = False) -> list[dict[str, Any]]:
    """What one run marked on Bangumi, one entry per subject, named as Bangumi names it
    (``original``: its ``name`` whatever the language, for ``--json``)."""
    rows = store.db.execute(
        "SELECT subject_id, kind, media_title, season, number FROM plays "
        "WHERE synced_run = ? AND subject_id IS NOT NULL ORDER BY subject_id, season, number",
        (run_id,),
    ).fetchall()
    names = stored_names(store, original=original)
    by_subject: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = by_subject.setdefault(
            row["subject_id"],
            {
                "subject_id": row["subject_id"],
                "url": f"https://bgm.tv/subject/{row['subject_id']}",
                "name": names(row["subject_id"]),
                "title": row["media_title"],
                "kind": row["kind"],
                "episodes": [],
                "plays": 0,
            },
        )
        entry["plays"] += 1
        if row["kind"] == "episode" and row["number"] is not None:
            label = f"S{row['season']}E{row['number']}"
            if label not in entry["episodes"]:
                entry["episodes"].append(label)
    for entry in by_subject.values():
        entry["headline"] = headline(entry)
    return list(by_subject.values())


def headline(entry: dict[str, Any]) -> str:
    """``S1 E1–E12 → 看过`` (Bangumi's word for a watched episode), or ``film → 看过``."""
    if entry["kind"] == "movie":
        return "film → 看过"
    return f"{episode_ranges(entry['episodes'])} → 看过"


def episode_ranges(labels: list[str]) -> str:
    """``["S1E1", "S1E2", "S1E3", "S1E5"]`` → ``S1 E1–E3, E5``."""
    seasons: dict[int, list[int]] = {}
    for label in labels:
        season_text, _, number_text = label[1:].partition("E")
        seasons.setdefault(int(season_text), []).append(int(number_text))
    parts = []
    for season, numbers in sorted(seasons.items()):
        spans: list[list[int]] = []
        for number in sorted(set(numbers)):
            if spans and number == spans[-1][1] + 1:
                spans[-1][1] = number
            else:
                spans.append([number, number])
        text = ", ".join(f"E{a}" if a == b else f"E{a}–E{b}" for a, b in spans)
        parts.append(f"S{season} {text}")
    return "; ".join(parts)


def _duration(started: str | None, finished: str | None) -> float | None:
    from trakt_sync.timeutil import parse_instant

    if not started or not finished:
        return None
    try:
        return round((parse_instant(finished) - parse_instant(started)).total_seconds(), 1)
    except ValueError:
        return None
