"""Trakt's data export of a fake world, as trakt.tv/settings/data hands it out (A.11).

The plays split over several ``watched-history-N.json`` parts, newest first, each an
A.8 item without ``extended`` fields and with ``plex`` ids; beside them files of other
shapes (watched summaries, ratings, the watchlist, profile, settings) and a few ``[]``,
as a ZIP or a folder, optionally under one top folder.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trakt_sync.fakes.trakt_media import DEFAULT_UPDATED_AT, TraktCatalog, iso, parse_instant
from trakt_sync.fakes.world import find_trakt_episode, normalise_world

Obj = dict[str, Any]
EMPTY_FILES = (
    "collection-movies.json",
    "collection-shows.json",
    "comments-shows.json",
    "comments-movies.json",
    "lists-lists.json",
    "ratings-episodes.json",
    "user-followers.json",
)


def export_files(world: Mapping[str, Any], *, parts: int = 3) -> dict[str, Any]:
    """File name → its JSON document, for the world's Trakt account."""
    w = normalise_world(world)
    trakt = w["trakt"]
    catalog = TraktCatalog(trakt)
    plays = sorted(
        trakt["history"], key=lambda p: (parse_instant(p["watched_at"]), p["id"]), reverse=True
    )
    items = [_play(catalog, play) for play in plays]
    size = max(1, -(-len(items) // max(parts, 1)))
    files: dict[str, Any] = {}
    for number, start in enumerate(range(0, max(len(items), 1), size), start=1):
        files[f"watched-history-{number}.json"] = items[start : start + size]
    files["watched-movies.json"] = _summaries(catalog, plays, "movie")
    files["watched-shows-1.json"] = _summaries(catalog, plays, "show")
    for kind in ("movie", "show", "season"):
        files[f"ratings-{kind}s.json"] = [
            {
                "rated_at": r.get("rated_at", DEFAULT_UPDATED_AT),
                "rating": r["rating"],
                **_listed(catalog, r),
            }
            for r in trakt.get("ratings", [])
            if r["type"] == kind
        ]
    files["lists-watchlist.json"] = [
        {
            "rank": rank,
            "id": 1000 + rank,
            "listed_at": w_.get("listed_at", DEFAULT_UPDATED_AT),
            "notes": None,
        }
        | _listed(catalog, w_)
        for rank, w_ in enumerate(trakt.get("watchlist", []), start=1)
    ]
    user = trakt["user"]
    files["user-profile.json"] = {"username": user["username"], "name": user.get("name")}
    files["user-settings.json"] = {"account": {"timezone": user.get("timezone", "UTC")}}
    for name in EMPTY_FILES:
        files[name] = []
    return files


def write_export(
    world: Mapping[str, Any],
    target: Path,
    *,
    folder: bool = False,
    top: str | None = "trakt-export",
    parts: int = 3,
) -> Path:
    """Write the export as a ZIP (or a folder) at ``target``; returns ``target``."""
    files = export_files(world, parts=parts)
    prefix = f"{top}/" if top else ""
    if folder:
        for name, data in files.items():
            path = target / prefix / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(prefix + name, json.dumps(data, ensure_ascii=False, indent=1))
    return target


def _with_plex(ids: Obj, slug: str | None) -> Obj:
    out = dict(ids)
    out["plex"] = {"guid": f"plex://{slug or 'item'}", "slug": slug}
    return out


def _play(catalog: TraktCatalog, play: Obj) -> Obj:
    out: Obj = {k: play[k] for k in ("id", "action", "type")}
    out["watched_at"] = iso(parse_instant(play["watched_at"]))
    now = datetime.now(UTC)
    if play["type"] == "movie":
        movie = catalog.movie_by_trakt(play["movie"])
        assert movie is not None
        rendered = catalog.render_movie(movie, False)
        rendered["ids"] = _with_plex(rendered["ids"], rendered["ids"].get("slug"))
        return out | {"movie": rendered}
    show = catalog.show_by_trakt(play["show"])
    assert show is not None
    season = catalog.season(show, play["season"])
    episode = find_trakt_episode(show, play["season"], play["number"])
    assert season is not None and episode is not None
    rendered_show = catalog.render_show(show, False, now)
    rendered_show["ids"] = _with_plex(rendered_show["ids"], rendered_show["ids"].get("slug"))
    return out | {
        "episode": catalog.render_episode(show, season, episode, False),
        "show": rendered_show,
    }


def _summaries(catalog: TraktCatalog, plays: list[Obj], kind: str) -> list[Obj]:
    """``watched-movies.json`` / ``watched-shows-N.json``: per item, no per-play rows."""
    grouped: dict[int, list[Obj]] = {}
    for play in plays:
        if play["type"] == ("movie" if kind == "movie" else "episode"):
            grouped.setdefault(play[kind], []).append(play)
    out = []
    for trakt_id, group in grouped.items():
        newest = iso(max(parse_instant(p["watched_at"]) for p in group))
        entry: Obj = {"plays": len(group), "last_watched_at": newest, "last_updated_at": newest}
        if kind == "movie":
            movie = catalog.movie_by_trakt(trakt_id)
            assert movie is not None
            entry["movie"] = catalog.render_movie(movie, False)
        else:
            show = catalog.show_by_trakt(trakt_id)
            assert show is not None
            entry["show"] = catalog.render_show(show, False, datetime.now(UTC))
        out.append(entry)
    return out


def _listed(catalog: TraktCatalog, entry: Obj) -> Obj:
    """``type`` and the media objects of a rated or watchlisted item (A.9 shapes)."""
    out: Obj = {"type": entry["type"]}
    if entry["type"] == "movie":
        movie = catalog.movie_by_trakt(entry["movie"])
        assert movie is not None
        return out | {"movie": catalog.render_movie(movie, False)}
    show = catalog.show_by_trakt(entry["show"])
    assert show is not None
    if entry["type"] == "season":
        season = catalog.season(show, entry["season"])
        assert season is not None
        out["season"] = {"number": season["number"], "ids": dict(season["ids"])}
    out["show"] = catalog.render_show(show, False, datetime.now(UTC))
    return out
