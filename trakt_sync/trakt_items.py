"""Trakt JSON objects (api_contracts.md A.6, A.8) as the project's plain data. No I/O."""

from __future__ import annotations

from typing import Any

from trakt_sync.models import Play, TraktEpisode, TraktIds, TraktMovie, TraktShow
from trakt_sync.timeutil import parse_instant


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
