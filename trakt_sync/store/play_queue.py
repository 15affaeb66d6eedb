"""The ``plays`` table as the sync works through it: groups to resolve, subjects to
apply, plays to send, and the state each reaches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from trakt_sync.models import (
    PlayState,
    Resolution,
    ResolutionStatus,
)
from trakt_sync.store.db import Database, _now
from trakt_sync.store.play_columns import (
    PLAY_COLUMNS,
    RESOLUTION_COLUMNS,
    GroupKey,
    PlayGroup,
    SharedParts,
    StoredPlay,
    episodes_of_columns,
    stored_of_columns,
    stored_play,
)
from trakt_sync.timeutil import iso_z
from trakt_sync.trakt_items import (
    movie_from_api,
    play_from_history,
    show_from_api,
)

# Plays to resolve: pending ones not yet resolved, failed ones with attempts left, unmatched
# ones resolved with other data or overrides. Parameters: max attempts, retry, version.
_TO_RESOLVE = (
    "(state = 'pending' AND subject_id IS NULL)"
    " OR (state = 'failed' AND attempts < ?)"
    " OR (state = 'unmatched' AND (? OR resolved_with IS NOT ?))"
)


_TO_SEND = "(state = 'pending' AND subject_id IS NOT NULL) OR state = 'unmatched'"


_APPLY_COLUMNS = ", ".join((*PLAY_COLUMNS, *RESOLUTION_COLUMNS))


class PlayQueue(Database):
    """The ``plays`` table as the sync works through it (the ``state`` column's queue)."""

    def _select(
        self, where: str, params: tuple[Any, ...] = (), limit: int = -1
    ) -> list[StoredPlay]:
        rows = self.db.execute(
            f"SELECT * FROM plays WHERE {where} ORDER BY watched_at, history_id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [
            stored_play(play_from_history(json.loads(row["item"])), row, PlayState(row["state"]))
            for row in rows
        ]

    def groups_to_resolve(
        self, version: str, retry_unmatched: bool, max_attempts: int
    ) -> list[GroupKey]:
        """The (kind, Trakt id, season) of every group holding a play to resolve, in the
        order of each group's first play, with its number of plays."""
        rows = self.db.execute(
            "SELECT kind, media_trakt, season, min(watched_at) AS first, history_id, "
            f"count(*) AS n FROM plays WHERE {_TO_RESOLVE} "
            "GROUP BY kind, media_trakt, season ORDER BY first, history_id",
            (max_attempts, int(retry_unmatched), version),
        ).fetchall()
        return [GroupKey(row["kind"], row["media_trakt"], row["season"], row["n"]) for row in rows]

    def group_to_resolve(
        self, key: GroupKey, version: str, retry_unmatched: bool, max_attempts: int
    ) -> PlayGroup:
        """One show season's (or film's) plays to resolve: the show or film parsed once,
        each play's episode read from its columns (only ``number_abs`` has none)."""
        rows = self.db.execute(
            "SELECT history_id, season, number, episode_trakt, episode_tmdb, episode_tvdb, "
            "episode_imdb, episode_title, first_aired, "
            "json_extract(item, '$.episode.number_abs') AS number_abs FROM plays "
            f"WHERE kind = ? AND media_trakt IS ? AND season IS ? AND ({_TO_RESOLVE}) "
            "ORDER BY watched_at, history_id",
            (key.kind, key.media_trakt, key.season, max_attempts, int(retry_unmatched), version),
        ).fetchall()
        ids = [row["history_id"] for row in rows]
        if not ids:
            return PlayGroup(key, ids)  # resolved meanwhile (another process)
        part = "show" if key.kind == "episode" else "movie"
        media = self.db.execute(
            f"SELECT json_extract(item, '$.{part}') FROM plays WHERE history_id = ?", (ids[0],)
        ).fetchone()[0]
        if key.kind != "episode":
            return PlayGroup(key, ids, movie=movie_from_api(json.loads(media)))
        return PlayGroup(
            key,
            ids,
            show=show_from_api(json.loads(media)),
            episodes=episodes_of_columns(rows),
        )

    def needs_resolve(self, max_attempts: int) -> bool:
        """True when a pending play has no resolution yet or a failed one has attempts left."""
        row = self.db.execute(
            "SELECT 1 FROM plays WHERE (state = 'pending' AND subject_id IS NULL) "
            "OR (state = 'failed' AND attempts < ?) LIMIT 1",
            (max_attempts,),
        ).fetchone()
        return row is not None

    def subjects_to_apply(self) -> dict[int, int | None]:
        """Subject id → its subject type, of every subject with a matched play not synced."""
        rows = self.db.execute(
            "SELECT subject_id, subject_type FROM plays "
            "WHERE state = 'pending' AND subject_id IS NOT NULL "
            "GROUP BY subject_id ORDER BY subject_id"
        ).fetchall()
        return {row["subject_id"]: row["subject_type"] for row in rows}

    def apply_batch(self, subject_ids: Iterable[int]) -> list[tuple[int, list[StoredPlay]]]:
        """The matched plays not yet synced of these subjects, per subject in id order, each
        play in watch order and read from its columns alone: ids, titles and numbers (the
        Trakt item itself is not parsed; writing to Bangumi needs no more)."""
        wanted = sorted(set(subject_ids))
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        # Read row by row, the plays sharing their shows and episodes: a batch may hold a long
        # show's thousands of plays, the apply stage's memory peak (issue 19's 10 k sync).
        rows = self.db.execute(
            f"SELECT {_APPLY_COLUMNS} FROM plays "
            f"WHERE state = 'pending' AND subject_id IN ({marks}) "
            "ORDER BY subject_id, watched_at, history_id",
            wanted,
        )
        shared = SharedParts()
        out: list[tuple[int, list[StoredPlay]]] = []
        for row in rows:
            if not out or out[-1][0] != row["subject_id"]:
                out.append((row["subject_id"], []))
            out[-1][1].append(stored_of_columns(row, PlayState.PENDING, shared))
        return out

    def count_to_send(self) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM plays WHERE {_TO_SEND}").fetchone()[0])

    def batches_to_send(self, size: int = 500) -> Iterator[list[StoredPlay]]:
        """``plays_to_send`` a bounded batch at a time, each read after the one before was
        handled (plays marked meanwhile are simply not seen again)."""
        after: tuple[str, int] = ("", 0)
        while batch := self._select(
            f"({_TO_SEND}) AND (watched_at, history_id) > (?, ?)", after, size
        ):
            yield batch
            last = batch[-1].play
            after = (iso_z(last.watched_at), last.history_id)

    def record_resolutions(self, results: Iterable[tuple[int, Resolution]], version: str) -> None:
        """Store what the matcher said, in one transaction."""
        now = _now()
        rows = []
        # Plays told the same (a film's) share their detail, encoded once.
        details: dict[tuple[str, float, tuple[str, ...]], str] = {}
        for history_id, res in results:
            if res.status is ResolutionStatus.MATCHED:
                state, reason = PlayState.PENDING, None
            elif res.status is ResolutionStatus.UNMATCHED:
                state, reason = PlayState.UNMATCHED, res.reason
            else:
                state, reason = PlayState.SKIPPED, res.reason
            detail: str | None = None
            # Nothing to explain (a show that is not anime): no detail at all, as each row a
            # resolution lengthens may no longer fit its table page, which is then split.
            if res.source or res.confidence or res.evidence or res.candidates:
                key = (res.source, res.confidence, tuple(res.evidence))
                detail = details.get(key) if not res.candidates else None
                if detail is None:
                    detail = orjson.dumps(
                        {
                            "source": res.source,
                            "confidence": res.confidence,
                            "evidence": res.evidence,
                            "candidates": res.candidates,
                        }
                    ).decode()
                    if not res.candidates:
                        details[key] = detail
            row = (
                state.value,
                reason,
                res.subject_id,
                res.episode_id,
                res.subject_type,
                int(res.is_movie),
                detail,
                version,
                now,
                history_id,
            )
            rows.append(row)
        columns = (
            "reason = ?2, subject_id = ?3, episode_id = ?4, subject_type = ?5, is_movie = ?6, "
            "resolution = ?7, resolved_with = ?8, updated_at = ?9"
        )
        with self.transaction() as db:
            # Written without the state where it stays, the state index is left alone; the
            # current states read at once cost less than a second pass over every play.
            held = dict(
                db.execute(
                    "SELECT history_id, state FROM plays "
                    "WHERE history_id IN (SELECT value FROM json_each(?))",
                    (json.dumps([row[-1] for row in rows]),),
                ).fetchall()
            )
            db.executemany(
                f"UPDATE plays SET {columns} WHERE history_id = ?10",
                [row for row in rows if held.get(row[-1]) == row[0]],
            )
            db.executemany(
                f"UPDATE plays SET state = ?1, {columns} WHERE history_id = ?10",
                [row for row in rows if row[-1] in held and held[row[-1]] != row[0]],
            )

    def mark_synced(self, history_ids: Iterable[int], run_id: int) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE plays SET state = 'synced', reason = NULL, synced_run = ?, "
                "updated_at = ? WHERE history_id = ?",
                [(run_id, _now(), hid) for hid in history_ids],
            )

    def mark_failed(self, history_ids: Iterable[int], reason: str) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE plays SET state = 'failed', reason = ?, attempts = attempts + 1, "
                "subject_id = NULL, episode_id = NULL, updated_at = ? WHERE history_id = ?",
                [(self.redact(reason), _now(), hid) for hid in history_ids],
            )
