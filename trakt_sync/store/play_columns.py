"""A play's columns, declared once: how a play becomes a row and a row a play again."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from trakt_sync.models import (
    Play,
    PlayState,
    TraktEpisode,
    TraktIds,
    TraktMovie,
    TraktShow,
)
from trakt_sync.timeutil import iso_z, parse_instant

# What a history item says about its play, in the order ``row_of_play`` and
# ``trakt_items.history_row`` give them (the item itself is kept beside, slimmed).
PLAY_COLUMNS = (
    "history_id",
    "watched_at",
    "kind",
    "media_trakt",
    "media_slug",
    "media_tmdb",
    "media_tvdb",
    "media_imdb",
    "media_title",
    "season",
    "number",
    "episode_trakt",
    "episode_tmdb",
    "episode_tvdb",
    "episode_imdb",
    "episode_title",
    "first_aired",
)
HISTORY_ID, WATCHED_AT = PLAY_COLUMNS.index("history_id"), PLAY_COLUMNS.index("watched_at")
# What the sync learnt about it: ``StoredPlay``'s fields beside the play.
RESOLUTION_COLUMNS = (
    "reason",
    "attempts",
    "subject_id",
    "episode_id",
    "subject_type",
    "is_movie",
)


@dataclass(frozen=True)
class StoredPlay:
    play: Play
    state: PlayState
    reason: str | None
    attempts: int
    subject_id: int | None
    episode_id: int | None
    subject_type: int | None
    is_movie: bool


@dataclass(frozen=True)
class GroupKey:
    """What the matcher resolves at once: one show's season, or one film."""

    kind: str  # "episode" | "movie"
    media_trakt: int | None
    season: int | None
    size: int


@dataclass(frozen=True)
class PlayGroup:
    key: GroupKey
    history_ids: list[int]
    show: TraktShow | None = None
    episodes: list[TraktEpisode] = field(default_factory=list)  # one per play, in order
    movie: TraktMovie | None = None


def row_of_play(play: Play) -> tuple[Any, ...]:
    """A play's ``PLAY_COLUMNS`` as ``trakt_items.history_row`` gives them."""
    media = play.show if play.kind == "episode" else play.movie
    assert media is not None
    episode = play.episode
    return (
        play.history_id,
        iso_z(play.watched_at),
        play.kind,
        media.ids.trakt,
        media.ids.slug,
        media.ids.tmdb,
        media.ids.tvdb,
        media.ids.imdb,
        media.title,
        episode.season if episode else None,
        episode.number if episode else None,
        episode.ids.trakt if episode else None,
        episode.ids.tmdb if episode else None,
        episode.ids.tvdb if episode else None,
        episode.ids.imdb if episode else None,
        episode.title if episode else None,
        iso_z(episode.first_aired) if episode and episode.first_aired else None,
    )


def play_of_columns(row: sqlite3.Row, shared: SharedParts | None = None) -> Play:
    """``shared``: a show, film or episode with the same columns as an earlier row's is that
    one (frozen values): a long show played thousands of times is built once, not per play."""
    watched_at = parse_instant(row["watched_at"])
    media = shared.media(row) if shared is not None else _media_of_columns(row)
    if isinstance(media, TraktMovie):
        return Play(row["history_id"], watched_at, "movie", movie=media)
    episode = shared.episode(row) if shared is not None else episode_of_columns(row)
    return Play(row["history_id"], watched_at, "episode", show=media, episode=episode)


def _media_of_columns(row: sqlite3.Row) -> TraktShow | TraktMovie:
    ids = TraktIds(
        row["media_trakt"],
        row["media_slug"],
        row["media_tmdb"],
        row["media_tvdb"],
        row["media_imdb"],
    )
    title = row["media_title"] or ""
    return TraktShow(ids, title) if row["kind"] == "episode" else TraktMovie(ids, title)


class SharedParts:
    """The shows, films and episodes built so far, by their columns (see ``play_of_columns``)."""

    _MEDIA = (
        "kind",
        *PLAY_COLUMNS[PLAY_COLUMNS.index("media_trakt") : PLAY_COLUMNS.index("season")],
    )
    _EPISODE = PLAY_COLUMNS[PLAY_COLUMNS.index("season") :]

    def __init__(self) -> None:
        self._media: dict[tuple[Any, ...], TraktShow | TraktMovie] = {}
        self._episodes: dict[tuple[Any, ...], TraktEpisode] = {}

    def media(self, row: sqlite3.Row) -> TraktShow | TraktMovie:
        key = tuple(row[name] for name in self._MEDIA)
        found = self._media.get(key)
        if found is None:
            found = self._media[key] = _media_of_columns(row)
        return found

    def episode(self, row: sqlite3.Row) -> TraktEpisode:
        key = tuple(row[name] for name in self._EPISODE)
        found = self._episodes.get(key)
        if found is None:
            found = self._episodes[key] = episode_of_columns(row)
        return found


def episode_of_columns(row: sqlite3.Row, number_abs: int | None = None) -> TraktEpisode:
    """A play's episode as ``episode_from_api`` reads it from the item, from its columns
    (``number_abs`` has none: read from the item where it is needed)."""
    aired = row["first_aired"]
    return TraktEpisode(
        season=row["season"],
        number=row["number"],
        ids=TraktIds(
            row["episode_trakt"],
            None,
            row["episode_tmdb"],
            row["episode_tvdb"],
            row["episode_imdb"],
        ),
        title=row["episode_title"],
        number_abs=number_abs,
        first_aired=parse_instant(aired) if aired else None,
    )


def episodes_of_columns(rows: list[sqlite3.Row]) -> list[TraktEpisode]:
    """Each play's episode from the columns ``group_to_resolve`` selects (an episode played
    again is built once)."""
    built: dict[tuple[Any, ...], TraktEpisode] = {}
    out = []
    for row in rows:
        columns = tuple(row)[1:]  # all but the history id
        episode = built.get(columns)
        if episode is None:
            episode = built[columns] = episode_of_columns(row, row["number_abs"])
        out.append(episode)
    return out


def stored_of_columns(
    row: sqlite3.Row, state: PlayState, shared: SharedParts | None = None
) -> StoredPlay:
    """A play and what the sync learnt of it, from ``PLAY_COLUMNS`` and ``RESOLUTION_COLUMNS``."""
    return stored_play(play_of_columns(row, shared), row, state)


def stored_play(play: Play, row: sqlite3.Row, state: PlayState) -> StoredPlay:
    """``play`` with what the sync learnt of it, from ``RESOLUTION_COLUMNS`` of its row."""
    return StoredPlay(
        play=play,
        state=state,
        reason=row["reason"],
        attempts=row["attempts"],
        subject_id=row["subject_id"],
        episode_id=row["episode_id"],
        subject_type=row["subject_type"],
        is_movie=bool(row["is_movie"]),
    )
