"""Trakt JSON objects (api_contracts.md A.6, A.8) as the project's plain data. No I/O."""

from __future__ import annotations

import re
from typing import Any

from trakt_sync.models import Play, TraktEpisode, TraktIds, TraktMovie, TraktShow
from trakt_sync.timeutil import iso_z, parse_instant

# The form Trakt sends and the store keeps: taken as it is, without a round trip.
_CANONICAL_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def show_from_api(data: dict[str, Any]) -> TraktShow:
    return TraktShow(
        ids=TraktIds.from_api(data.get("ids")),
        title=str(data.get("title") or ""),
        year=data.get("year"),
        genres=tuple(data.get("genres") or ()),
        original_title=data.get("original_title"),
        country=data.get("country"),
        language=data.get("language"),
    )


def episode_from_api(data: dict[str, Any]) -> TraktEpisode:
    first_aired = data.get("first_aired")
    return TraktEpisode(
        season=int(data["season"]),
        number=int(data["number"]),
        ids=TraktIds.from_api(data.get("ids")),
        title=data.get("title"),
        number_abs=data.get("number_abs"),
        first_aired=parse_instant(first_aired) if first_aired else None,
    )


def movie_from_api(data: dict[str, Any]) -> TraktMovie:
    return TraktMovie(
        ids=TraktIds.from_api(data.get("ids")),
        title=str(data.get("title") or ""),
        year=data.get("year"),
        genres=tuple(data.get("genres") or ()),
        released=data.get("released"),
        original_title=data.get("original_title"),
    )


def play_from_history(item: dict[str, Any]) -> Play:
    """A history item (A.8) as a Play; raises ValueError on a malformed item."""
    try:
        return _play(item)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed history item: {type(exc).__name__} {exc}") from None


def _play(item: dict[str, Any]) -> Play:
    kind = item["type"]
    watched_at = parse_instant(item["watched_at"])
    history_id = int(item["id"])
    if kind == "episode":
        return Play(
            history_id=history_id,
            watched_at=watched_at,
            kind="episode",
            show=show_from_api(item["show"]),
            episode=episode_from_api(item["episode"]),
        )
    if kind == "movie":
        return Play(history_id, watched_at, "movie", movie=movie_from_api(item["movie"]))
    raise ValueError(f"unknown history item type {kind!r}")


def history_row(item: dict[str, Any]) -> tuple[Any, ...]:
    """A history item (A.8) as the store's play columns, from ``history_id`` to
    ``first_aired`` (see ``Store.save_rows``), without building the models: the fetch
    of a long history does this per item. Raises ValueError where ``play_from_history``
    would."""
    try:
        return _row(item)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed history item: {type(exc).__name__} {exc}") from None


def _instant(value: str) -> str:
    if _CANONICAL_INSTANT.fullmatch(value):
        return value
    return iso_z(parse_instant(value))


def _row(item: dict[str, Any]) -> tuple[Any, ...]:
    kind = item["type"]
    watched_at = _instant(item["watched_at"])
    history_id = int(item["id"])
    episode: tuple[Any, ...]
    if kind == "episode":
        media, data = item["show"], item["episode"]
        ids = data.get("ids") or {}
        aired = data.get("first_aired")
        episode = (
            int(data["season"]),
            int(data["number"]),
            ids.get("trakt"),
            ids.get("tmdb"),
            ids.get("tvdb"),
            ids.get("imdb"),
            data.get("title"),
            _instant(aired) if aired else None,
        )
    elif kind == "movie":
        media = item["movie"]
        episode = (None,) * 8
    else:
        raise ValueError(f"unknown history item type {kind!r}")
    tuple(media.get("genres") or ())  # as play_from_history: unusable genres make it malformed
    ids = media.get("ids") or {}
    return (
        history_id,
        watched_at,
        kind,
        ids.get("trakt"),
        ids.get("slug"),
        ids.get("tmdb"),
        ids.get("tvdb"),
        ids.get("imdb"),
        str(media.get("title") or ""),
        *episode,
    )


# What the store keeps of a history item: every field read back from it (the models above,
# ``Store.history_season`` and the season readers it stands in for). With ``extended=full``
# each play repeats its whole show (overview, translations…): about 1 KB a play otherwise.
_KEPT_TOP = ("id", "watched_at", "type", "export")  # export: read from Trakt's data export
_KEPT = {
    "show": (
        "title",
        "year",
        "ids",
        "genres",
        "original_title",
        "country",
        "language",
        "aired_episodes",
        "status",
    ),
    "episode": ("season", "number", "title", "original_title", "ids", "number_abs", "first_aired"),
    "movie": ("title", "year", "ids", "genres", "released", "original_title"),
}


def slim_history_item(item: dict[str, Any]) -> dict[str, Any]:
    """A history item with only the fields read back from it (absent ones stay absent)."""
    out = {key: item[key] for key in _KEPT_TOP if key in item}
    for part, keys in _KEPT.items():
        data = item.get(part)
        if isinstance(data, dict):
            out[part] = {key: data[key] for key in keys if key in data}
        elif part in item:
            out[part] = data
    return out
