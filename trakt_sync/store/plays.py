"""The ``plays`` table as the fetch, status and mapping commands see it: saving history,
counting what is held, marking removals and sending plays back to be resolved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

import orjson

from trakt_sync.models import (
    PlayState,
)
from trakt_sync.store.db import Database, _now
from trakt_sync.store.play_columns import PLAY_COLUMNS
from trakt_sync.trakt_items import (
    slim_history_item,
)

ShowIdKind = Literal["trakt", "tmdb", "slug"]
MovieIdKind = Literal["trakt", "tmdb", "slug"]
_ID_COLUMNS = {"trakt": "media_trakt", "tmdb": "media_tmdb", "slug": "media_slug"}


_INSERT_COLUMNS = (*PLAY_COLUMNS, "item", "fetched_at", "updated_at")
_INSERT = (
    f"INSERT OR IGNORE INTO plays ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({','.join('?' * len(_INSERT_COLUMNS))})"
)
# Every column but the history id, then the item: from an export's item to Trakt's own.
_REFRESH = (
    "UPDATE plays SET "
    + ", ".join(f"{column} = ?" for column in (*PLAY_COLUMNS[1:], "item", "updated_at"))
    + ", subject_id = CASE WHEN state = 'unmatched' THEN NULL ELSE subject_id END"
    ", reason = CASE WHEN state = 'unmatched' THEN NULL ELSE reason END"
    ", state = CASE WHEN state = 'unmatched' THEN 'pending' ELSE state END"
    " WHERE history_id = ? AND json_extract(item, '$.export') = 1"
)
_FINISHED = ("ended", "canceled")  # show statuses whose aired episodes are all there will be


class PlaysTable(Database):
    """The ``plays`` table: saving history, what is held, removals and resets."""

    def save_rows(self, rows: Iterable[tuple[tuple[Any, ...], dict[str, Any]]]) -> int:
        """Like ``save_plays``, from each item's columns (``trakt_items.history_row``). Of the
        item only what is read back is kept (``slim_history_item``); rows saved whole by
        earlier versions read the same."""
        now = _now()
        # orjson: encoding 50 k items with the standard json costs a third of a second more.
        values = [
            (*columns, orjson.dumps(slim_history_item(raw)).decode(), now, now)
            for columns, raw in rows
        ]
        with self.transaction() as db:
            before = db.total_changes
            db.executemany(
                _INSERT,
                values,
            )
            new = db.total_changes - before
            if new < len(values):
                # Trakt lists them again: they were not removed after all.
                db.executemany(
                    "UPDATE plays SET state = 'pending', subject_id = NULL, episode_id = NULL,"
                    " updated_at = ? WHERE history_id = ? AND state = 'removed'",
                    [(now, value[0]) for value in values],
                )
        return new

    def refresh_exported(self, rows: Iterable[tuple[tuple[Any, ...], dict[str, Any]]]) -> int:
        """Trakt's own items in place of the ones held from its data export (which carry no
        air dates or genres). A play left unmatched for want of them is resolved again; every
        other keeps its state and resolution. Returns how many."""
        now = _now()
        values = [
            (*columns[1:], orjson.dumps(slim_history_item(raw)).decode(), now, columns[0])
            for columns, raw in rows
        ]
        with self.transaction() as db:
            before = db.total_changes
            db.executemany(_REFRESH, values)
            return db.total_changes - before

    def held_counts(self, kind: str) -> dict[int, int]:
        """Plays held per show (``episode``) or film (``movie``) Trakt id, removed ones aside."""
        rows = self.db.execute(
            "SELECT media_trakt, count(*) AS n FROM plays WHERE kind = ? AND state != 'removed' "
            "GROUP BY media_trakt",
            (kind,),
        ).fetchall()
        return {row["media_trakt"]: row["n"] for row in rows}

    def count_plays(self, kind: str, watched_before: str) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM plays WHERE kind = ? AND watched_at < ? AND state != 'removed'",
            (kind, watched_before),
        ).fetchone()
        return int(row[0])

    def mark_removed(self, kind: str, media_trakt: int | None, present: set[int]) -> int:
        """Record as removed every held play of the kind (of one show/film when
        ``media_trakt`` is given) that Trakt's complete history no longer lists."""
        where = "kind = ? AND state != 'removed'"
        params: list[Any] = [kind]
        if media_trakt is not None:
            where += " AND media_trakt = ?"
            params.append(media_trakt)
        gone = [
            row["history_id"]
            for row in self.db.execute(f"SELECT history_id FROM plays WHERE {where}", params)
            if row["history_id"] not in present
        ]
        with self.transaction() as db:
            db.executemany(
                "UPDATE plays SET state = 'removed', reason = 'removed on Trakt', "
                "updated_at = ? WHERE history_id = ?",
                [(_now(), hid) for hid in gone],
            )
        return len(gone)

    def history_season(self, show_id: int | str, season: int) -> list[dict[str, Any]] | None:
        """A season's episodes as Trakt lists them, from the history items alone, when the
        history holds the whole show: it has ended and every episode it aired (Trakt's
        ``aired_episodes``, specials aside) was played. None when a season read is needed."""
        if season < 1:
            return None  # aired_episodes does not count specials
        column = "media_trakt" if isinstance(show_id, int) else "media_slug"
        row = self.db.execute(
            "SELECT json_extract(item, '$.show.aired_episodes') AS aired, "
            "json_extract(item, '$.show.status') AS status FROM plays "
            f"WHERE kind = 'episode' AND {column} = ? ORDER BY history_id DESC LIMIT 1",
            (show_id,),
        ).fetchone()
        if row is None or row["status"] not in _FINISHED or not isinstance(row["aired"], int):
            return None
        (held,) = self.db.execute(
            "SELECT count(*) FROM (SELECT DISTINCT season, number FROM plays "
            f"WHERE kind = 'episode' AND {column} = ? AND season > 0 "
            "AND first_aired IS NOT NULL AND first_aired <= ?)",
            (show_id, _now()),
        ).fetchone()
        if held != row["aired"]:
            return None
        rows = self.db.execute(
            "SELECT number, json_extract(item, '$.episode') FROM plays "
            f"WHERE kind = 'episode' AND {column} = ? AND season = ? "
            "GROUP BY number ORDER BY number",
            (show_id, season),
        ).fetchall()
        return [json.loads(row[1]) for row in rows] or None

    def reset_show_plays(self, id_kind: ShowIdKind, show_id: int | str, season: int | None) -> int:
        """Send a show's (or one season's) plays back to be resolved again; return how many."""
        where = f"kind = 'episode' AND {_ID_COLUMNS[id_kind]} = ?"
        params: tuple[Any, ...] = (show_id,)
        if season is not None:
            where += " AND season = ?"
            params += (season,)
        return self._reset_resolutions(where, params)

    def reset_movie_plays(self, id_kind: MovieIdKind, movie_id: int | str) -> int:
        """Send a film's plays back to be resolved again; return how many."""
        return self._reset_resolutions(
            f"kind = 'movie' AND {_ID_COLUMNS[id_kind]} = ?", (movie_id,)
        )

    def _reset_resolutions(self, where: str, params: tuple[Any, ...]) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE plays SET state = 'pending', subject_id = NULL, episode_id = NULL, "
                "resolved_with = NULL, updated_at = ? "
                f"WHERE state NOT IN ('synced', 'removed') AND ({where})",
                (_now(), *params),
            )
        return cursor.rowcount

    def state_counts(self) -> dict[str, int]:
        counts = {state.value: 0 for state in PlayState}
        for row in self.db.execute("SELECT state, count(*) AS n FROM plays GROUP BY state"):
            counts[row["state"]] = row["n"]
        return counts

    def unmatched_episodes(self) -> list[dict[str, Any]]:
        """Every unmatched play's show (or film) ids, season, episode and air date: what
        ``unmatched --fix`` groups and offers to map."""
        rows = self.db.execute(
            "SELECT history_id, kind, media_trakt, media_slug, media_tmdb, media_title, season, "
            "number, first_aired, reason, resolution FROM plays WHERE state = ? "
            "ORDER BY media_title, season, number",
            (PlayState.UNMATCHED.value,),
        ).fetchall()
        return [dict(row) for row in rows]

    def latest_with_state(self, state: PlayState, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT history_id, watched_at, kind, media_title, media_trakt, media_slug, "
            "media_tmdb, season, number, reason, resolution FROM plays WHERE state = ? "
            "ORDER BY watched_at DESC LIMIT ?",
            (state.value, limit),
        ).fetchall()
        return [dict(row) for row in rows]
