"""The SQLite record of truth: plays, runs, per-profile state and look-up caches.

Every connection runs with WAL, a busy timeout and foreign keys; writes happen in
``BEGIN IMMEDIATE`` transactions; the schema version lives in ``PRAGMA
user_version`` and migrations are applied on open, each in one transaction with
its version bump. No secret is ever written here.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from trakt_sync.errors import StateError
from trakt_sync.extras import ListEntry, ListItem, ListKey, Target, parse_item
from trakt_sync.models import (
    Play,
    PlayState,
    Resolution,
    ResolutionStatus,
    TraktEpisode,
    TraktIds,
    TraktMovie,
    TraktShow,
)
from trakt_sync.outcome import RunOutcome
from trakt_sync.redact import redact_text
from trakt_sync.timeutil import iso_z, parse_instant, utcnow
from trakt_sync.trakt_items import (
    movie_from_api,
    play_from_history,
    show_from_api,
    slim_history_item,
)

MIGRATIONS: tuple[str, ...] = (
    # 1: plays, runs, per-profile state, caches, overrides
    """
    CREATE TABLE plays (
        history_id     INTEGER PRIMARY KEY,
        watched_at     TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('episode', 'movie')),
        media_trakt    INTEGER,
        media_slug     TEXT,
        media_tmdb     INTEGER,
        media_tvdb     INTEGER,
        media_imdb     TEXT,
        media_title    TEXT,
        season         INTEGER,
        number         INTEGER,
        episode_trakt  INTEGER,
        episode_tmdb   INTEGER,
        episode_tvdb   INTEGER,
        episode_imdb   TEXT,
        episode_title  TEXT,
        first_aired    TEXT,
        item           TEXT NOT NULL,
        state          TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'synced', 'unmatched', 'skipped', 'failed')),
        reason         TEXT,
        attempts       INTEGER NOT NULL DEFAULT 0,
        subject_id     INTEGER,
        episode_id     INTEGER,
        subject_type   INTEGER,
        is_movie       INTEGER NOT NULL DEFAULT 0,
        resolution     TEXT,
        resolved_with  TEXT,
        fetched_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        synced_run     INTEGER REFERENCES runs(id)
    );
    CREATE INDEX plays_state ON plays(state);
    CREATE INDEX plays_show ON plays(media_trakt, season);
    CREATE TABLE runs (
        id               INTEGER PRIMARY KEY,
        started_at       TEXT NOT NULL,
        finished_at      TEXT,
        outcome          TEXT NOT NULL DEFAULT 'running',
        dry_run          INTEGER NOT NULL DEFAULT 0,
        message          TEXT,
        counts           TEXT NOT NULL DEFAULT '{}',
        requests_trakt   INTEGER NOT NULL DEFAULT 0,
        requests_bangumi INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE cache (
        namespace  TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
    );
    CREATE TABLE overrides (
        id         INTEGER PRIMARY KEY,
        spec       TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    """,
    # 2: a 'removed' play state (a play deleted on Trakt). Installs that already hold plays
    #    reconcile once against Trakt's counts: earlier versions lost backdated plays.
    """
    CREATE TABLE plays_v2 (
        history_id     INTEGER PRIMARY KEY,
        watched_at     TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('episode', 'movie')),
        media_trakt    INTEGER,
        media_slug     TEXT,
        media_tmdb     INTEGER,
        media_tvdb     INTEGER,
        media_imdb     TEXT,
        media_title    TEXT,
        season         INTEGER,
        number         INTEGER,
        episode_trakt  INTEGER,
        episode_tmdb   INTEGER,
        episode_tvdb   INTEGER,
        episode_imdb   TEXT,
        episode_title  TEXT,
        first_aired    TEXT,
        item           TEXT NOT NULL,
        state          TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'synced', 'unmatched', 'skipped', 'failed',
                                         'removed')),
        reason         TEXT,
        attempts       INTEGER NOT NULL DEFAULT 0,
        subject_id     INTEGER,
        episode_id     INTEGER,
        subject_type   INTEGER,
        is_movie       INTEGER NOT NULL DEFAULT 0,
        resolution     TEXT,
        resolved_with  TEXT,
        fetched_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        synced_run     INTEGER REFERENCES runs(id)
    );
    INSERT INTO plays_v2 SELECT * FROM plays;
    DROP TABLE plays;
    ALTER TABLE plays_v2 RENAME TO plays;
    CREATE INDEX plays_state ON plays(state);
    CREATE INDEX plays_show ON plays(media_trakt, season);
    INSERT OR REPLACE INTO state(key, value)
        SELECT 'reconcile', 'true' WHERE EXISTS (SELECT 1 FROM plays);
    """,
    # 3: Trakt ratings and watchlist entries, and what became of them per Bangumi subject
    """
    CREATE TABLE IF NOT EXISTS list_items (
        list          TEXT NOT NULL CHECK (list IN ('rating', 'watchlist')),
        kind          TEXT NOT NULL CHECK (kind IN ('movie', 'show', 'season')),
        trakt_id      INTEGER NOT NULL,
        season        INTEGER NOT NULL,
        rating        INTEGER,
        listed_at     TEXT,
        item          TEXT NOT NULL,
        state         TEXT NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'matched', 'unmatched', 'skipped', 'removed')),
        reason        TEXT,
        targets       TEXT,
        resolved_with TEXT,
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (list, kind, trakt_id, season)
    );
    """,
    # 4: plays keep a rowid of their own, in the order they are saved, with the history id a
    #    unique key beside it. As the rowid, a long history's ids (in no order by watch
    #    time) put each saved page's plays on as many table pages, every one of them
    #    rewritten at the next commit; appended, a page's plays fill a few table pages.
    """
    CREATE TABLE plays_v4 (
        history_id     INTEGER NOT NULL UNIQUE,
        watched_at     TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('episode', 'movie')),
        media_trakt    INTEGER,
        media_slug     TEXT,
        media_tmdb     INTEGER,
        media_tvdb     INTEGER,
        media_imdb     TEXT,
        media_title    TEXT,
        season         INTEGER,
        number         INTEGER,
        episode_trakt  INTEGER,
        episode_tmdb   INTEGER,
        episode_tvdb   INTEGER,
        episode_imdb   TEXT,
        episode_title  TEXT,
        first_aired    TEXT,
        item           TEXT NOT NULL,
        state          TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'synced', 'unmatched', 'skipped', 'failed',
                                         'removed')),
        reason         TEXT,
        attempts       INTEGER NOT NULL DEFAULT 0,
        subject_id     INTEGER,
        episode_id     INTEGER,
        subject_type   INTEGER,
        is_movie       INTEGER NOT NULL DEFAULT 0,
        resolution     TEXT,
        resolved_with  TEXT,
        fetched_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        synced_run     INTEGER REFERENCES runs(id)
    );
    INSERT INTO plays_v4 SELECT * FROM plays ORDER BY history_id;
    DROP TABLE plays;
    ALTER TABLE plays_v4 RENAME TO plays;
    CREATE INDEX plays_state ON plays(state);
    CREATE INDEX plays_show ON plays(media_trakt, season);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

ShowIdKind = Literal["trakt", "tmdb", "slug"]
MovieIdKind = Literal["trakt", "tmdb", "slug"]
_ID_COLUMNS = {"trakt": "media_trakt", "tmdb": "media_tmdb", "slug": "media_slug"}


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


# Plays to resolve: pending ones not yet resolved, failed ones with attempts left, unmatched
# ones resolved with other data or overrides. Parameters: max attempts, retry, version.
_TO_RESOLVE = (
    "(state = 'pending' AND subject_id IS NULL)"
    " OR (state = 'failed' AND attempts < ?)"
    " OR (state = 'unmatched' AND (? OR resolved_with IS NOT ?))"
)


_FINISHED = ("ended", "canceled")  # show statuses whose aired episodes are all there will be


_TO_SEND = "(state = 'pending' AND subject_id IS NOT NULL) OR state = 'unmatched'"


def _row_of_play(play: Play) -> tuple[Any, ...]:
    """A play's columns as ``trakt_items.history_row`` gives them."""
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


def _play_of_columns(row: sqlite3.Row) -> Play:
    ids = TraktIds(
        row["media_trakt"],
        row["media_slug"],
        row["media_tmdb"],
        row["media_tvdb"],
        row["media_imdb"],
    )
    watched_at = parse_instant(row["watched_at"])
    title = row["media_title"] or ""
    if row["kind"] != "episode":
        return Play(row["history_id"], watched_at, "movie", movie=TraktMovie(ids, title))
    return Play(
        row["history_id"],
        watched_at,
        "episode",
        show=TraktShow(ids, title),
        episode=_episode_of_columns(row),
    )


def _episode_of_columns(row: sqlite3.Row, number_abs: int | None = None) -> TraktEpisode:
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


def _episodes_of_columns(rows: list[sqlite3.Row]) -> list[TraktEpisode]:
    """Each play's episode from the columns ``group_to_resolve`` selects (an episode played
    again is built once)."""
    built: dict[tuple[Any, ...], TraktEpisode] = {}
    out = []
    for row in rows:
        columns = tuple(row)[1:]  # all but the history id
        episode = built.get(columns)
        if episode is None:
            episode = built[columns] = _episode_of_columns(row, row["number_abs"])
        out.append(episode)
    return out


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: str
    finished_at: str | None
    outcome: RunOutcome
    dry_run: bool
    message: str | None
    counts: dict[str, Any]
    requests_trakt: int
    requests_bangumi: int


def _now() -> str:
    return iso_z(utcnow())


def _targets_json(targets: dict[int, Target]) -> str:
    return json.dumps({str(sid): t.as_json() for sid, t in sorted(targets.items())})


def _reset_targets(stored: str) -> str:
    """Every subject of a changed entry is to be sent again."""
    data = json.loads(stored)
    for target in data.values():
        target.update(state="pending", attempts=0)
    return json.dumps(data)


# SQLite's primary result codes for a damaged file (the extended codes keep them in the low byte).
_DAMAGE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_READ_ONLY_CODES = {8, 14}  # SQLITE_READONLY, SQLITE_CANTOPEN (no room for its -wal/-shm)


def _read_only(path: Path, exc: sqlite3.DatabaseError) -> StateError | None:
    """A StateError naming what to fix when SQLite cannot write ``path``; None otherwise."""
    if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _READ_ONLY_CODES:
        return None
    return StateError(
        f"{path}: the database cannot be written ({exc}); give the user running trakt-sync "
        f"write access to it and to {path.parent}, or set TRAKT_SYNC_HOME to a writable "
        "directory"
    )


@contextmanager
def reporting_damage(path: Path) -> Iterator[None]:
    """Turn SQLite finding ``path`` damaged, in whatever query, into a StateError that
    names the file and what to do (a lock timeout or full disk passes through)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        read_only = _read_only(path, exc)
        if read_only is not None:
            raise read_only from None
        if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _DAMAGE_CODES:
            raise
        raise StateError(
            f"{path}: the database is damaged ({exc}); stop trakt-sync, then either recover it "
            f"(sqlite3 {path} .recover | sqlite3 {path}.recovered, and move that in its place) "
            "or move the file aside to start afresh: the next sync reads the Trakt history "
            "again and finds what Bangumi already has (export manual mappings first with "
            "`trakt-sync map export`, if that still works)"
        ) from None


class Store:
    def __init__(
        self, path: Path, redact: Callable[[str], str] = redact_text, *, read_only: bool = False
    ) -> None:
        """``read_only``: never write, not even to create the file (``status`` in a state
        directory it may not write); a database not there yet reads as an empty one."""
        self.path = path
        # Every message and reason stored may hold a server's words, which may echo a
        # credential back: they pass through the log redaction first (issue 26).
        self.redact = redact
        self._batched = False  # inside few_commits()
        if read_only:
            self._open_read_only(path)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                # Private from the start; SQLite gives its -wal/-shm files the same mode.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 30000")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            # With WAL this still never corrupts and a crash of the process loses nothing; only a
            # power cut may undo the last commits, and a re-run repeats no write that landed
            # (plans start from Bangumi's own state). Without it every commit waits for the disk.
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise _read_only(path, exc) or StateError(
                f"{path}: not a usable trakt-sync database ({exc}); move it aside to start "
                "afresh (it was left untouched)"
            ) from None
        except OSError as exc:
            raise StateError(f"{path.parent}: cannot create the state directory: {exc}") from None

    def _open_read_only(self, path: Path) -> None:
        try:
            if not path.exists():
                self.db = sqlite3.connect(":memory:", isolation_level=None)
                self.db.row_factory = sqlite3.Row
                self._migrate()
                return
            self.db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            try:
                self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                # A WAL database whose -shm cannot be created here: read the file as it is.
                self.db.close()
                self.db = sqlite3.connect(
                    f"{path.as_uri()}?immutable=1", uri=True, isolation_level=None
                )
                self.db.row_factory = sqlite3.Row
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{path}: cannot read the database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if self._batched:
            # Inside few_commits(): no savepoint. SQLite copies every page a savepoint is
            # the first to change into a temporary file (~390 k reads and writes of it in a
            # 50 k-play first sync); a failure instead rolls back all since the last commit,
            # which is only local work that the next run does again.
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                self.db.execute("BEGIN IMMEDIATE")
                raise
            return
        if self.db.in_transaction:  # inside discarding(): nest, to be rolled back with it
            self.db.execute("SAVEPOINT nested")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK TO nested")
                self.db.execute("RELEASE nested")
                raise
            self.db.execute("RELEASE nested")
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def few_commits(self, every: float = 1.0) -> Iterator[Callable[[], None]]:
        """Many small transactions in few commits: what was written is committed when the
        returned function is called ``every`` seconds or more after the last commit, and at
        the end, also when an error ends the block. Each transaction inside stays whole: one
        that fails takes the others since the last commit with it (see ``transaction``), so
        whatever is committed was complete. For work the next run can redo, not for marks
        of what was sent."""
        if self.db.in_transaction:  # inside discarding(): all of it is rolled back anyway
            yield lambda: None
            return
        last = time.monotonic()

        def tick() -> None:
            nonlocal last
            if time.monotonic() - last >= every:
                self.db.execute("COMMIT")
                self.db.execute("BEGIN IMMEDIATE")
                last = time.monotonic()

        self.db.execute("BEGIN IMMEDIATE")
        self._batched = True
        try:
            yield tick
        finally:
            self._batched = False
            if self.db.in_transaction:  # not if a rollback's BEGIN after it failed
                self.db.execute("COMMIT")

    @contextmanager
    def discarding(self) -> Iterator[None]:
        """Everything written inside is rolled back at the end (a dry run leaves the local
        state as it was while running the very same steps)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            self.db.execute("ROLLBACK")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path} was written by a newer trakt-sync (schema {version}, this "
                f"version knows {SCHEMA_VERSION}); upgrade trakt-sync"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as db:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    # -- per-profile state ----------------------------------------------------------------

    def get_state(self, key: str) -> Any | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else None

    def set_state(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO state(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    # -- caches (MatchCache protocol) -----------------------------------------------------

    def get(self, namespace: str, key: str) -> Any | None:
        row = self.db.execute(
            "SELECT value FROM cache WHERE namespace = ? AND key = ?", (namespace, key)
        ).fetchone()
        return json.loads(row["value"]) if row else None

    def put(self, namespace: str, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO cache(namespace, key, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(namespace, key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (namespace, key, json.dumps(value), _now()),
            )

    def cached_items(self, namespace: str) -> list[tuple[str, Any]]:
        rows = self.db.execute(
            "SELECT key, value FROM cache WHERE namespace = ?", (namespace,)
        ).fetchall()
        return [(row["key"], json.loads(row["value"])) for row in rows]

    def drop_cached(self, namespace: str, keys: Iterable[str]) -> int:
        with self.transaction() as db:
            cursor = db.executemany(
                "DELETE FROM cache WHERE namespace = ? AND key = ?",
                [(namespace, key) for key in keys],
            )
        return max(cursor.rowcount, 0)

    def cache_age(self, namespace: str, key: str) -> str | None:
        row = self.db.execute(
            "SELECT updated_at FROM cache WHERE namespace = ? AND key = ?", (namespace, key)
        ).fetchone()
        return row["updated_at"] if row else None

    # -- plays ----------------------------------------------------------------------------

    def save_plays(self, items: Iterable[tuple[Play, dict[str, Any]]]) -> int:
        """Insert new plays (one transaction); plays already known are left as they are."""
        return self.save_rows((_row_of_play(play), raw) for play, raw in items)

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
                """INSERT OR IGNORE INTO plays (
                    history_id, watched_at, kind, media_trakt, media_slug, media_tmdb,
                    media_tvdb, media_imdb, media_title, season, number, episode_trakt,
                    episode_tmdb, episode_tvdb, episode_imdb, episode_title, first_aired,
                    item, fetched_at, updated_at
                ) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
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
            db.executemany(
                """UPDATE plays SET watched_at = ?, kind = ?, media_trakt = ?, media_slug = ?,
                    media_tmdb = ?, media_tvdb = ?, media_imdb = ?, media_title = ?, season = ?,
                    number = ?, episode_trakt = ?, episode_tmdb = ?, episode_tvdb = ?,
                    episode_imdb = ?, episode_title = ?, first_aired = ?, item = ?,
                    updated_at = ?,
                    subject_id = CASE WHEN state = 'unmatched' THEN NULL ELSE subject_id END,
                    reason = CASE WHEN state = 'unmatched' THEN NULL ELSE reason END,
                    state = CASE WHEN state = 'unmatched' THEN 'pending' ELSE state END
                WHERE history_id = ? AND json_extract(item, '$.export') = 1""",
                values,
            )
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
            row[0]
            for row in self.db.execute(f"SELECT history_id FROM plays WHERE {where}", params)
            if row[0] not in present
        ]
        with self.transaction() as db:
            db.executemany(
                "UPDATE plays SET state = 'removed', reason = 'removed on Trakt', "
                "updated_at = ? WHERE history_id = ?",
                [(_now(), hid) for hid in gone],
            )
        return len(gone)

    def plays(self) -> list[StoredPlay]:
        return self._select("1")

    def _select(
        self, where: str, params: tuple[Any, ...] = (), limit: int = -1
    ) -> list[StoredPlay]:
        rows = self.db.execute(
            f"SELECT * FROM plays WHERE {where} ORDER BY watched_at, history_id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [
            StoredPlay(
                play=play_from_history(json.loads(row["item"])),
                state=PlayState(row["state"]),
                reason=row["reason"],
                attempts=row["attempts"],
                subject_id=row["subject_id"],
                episode_id=row["episode_id"],
                subject_type=row["subject_type"],
                is_movie=bool(row["is_movie"]),
            )
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
        ids = [row[0] for row in rows]
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
            episodes=_episodes_of_columns(rows),
        )

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

    def needs_resolve(self, max_attempts: int) -> bool:
        """True when a pending play has no resolution yet or a failed one has attempts left."""
        row = self.db.execute(
            "SELECT 1 FROM plays WHERE (state = 'pending' AND subject_id IS NULL) "
            "OR (state = 'failed' AND attempts < ?) LIMIT 1",
            (max_attempts,),
        ).fetchone()
        return row is not None

    def plays_to_apply(self) -> list[StoredPlay]:
        return [p for _, plays in self.apply_batch(self.subjects_to_apply()) for p in plays]

    def subjects_to_apply(self) -> dict[int, int | None]:
        """Subject id → its subject type, of every subject with a matched play not synced."""
        rows = self.db.execute(
            "SELECT subject_id, subject_type FROM plays "
            "WHERE state = 'pending' AND subject_id IS NOT NULL "
            "GROUP BY subject_id ORDER BY subject_id"
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def apply_batch(self, subject_ids: Iterable[int]) -> list[tuple[int, list[StoredPlay]]]:
        """The matched plays not yet synced of these subjects, per subject in id order, each
        play in watch order and read from its columns alone: ids, titles and numbers (the
        Trakt item itself is not parsed; writing to Bangumi needs no more)."""
        wanted = sorted(set(subject_ids))
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            "SELECT history_id, watched_at, kind, media_trakt, media_slug, media_tmdb, "
            "media_tvdb, media_imdb, media_title, season, number, episode_trakt, episode_tmdb, "
            "episode_tvdb, episode_imdb, episode_title, first_aired, reason, attempts, "
            "subject_id, episode_id, subject_type, is_movie FROM plays "
            f"WHERE state = 'pending' AND subject_id IN ({marks}) "
            "ORDER BY subject_id, watched_at, history_id",
            wanted,
        ).fetchall()
        out: list[tuple[int, list[StoredPlay]]] = []
        for row in rows:
            if not out or out[-1][0] != row["subject_id"]:
                out.append((row["subject_id"], []))
            out[-1][1].append(
                StoredPlay(
                    play=_play_of_columns(row),
                    state=PlayState.PENDING,
                    reason=row["reason"],
                    attempts=row["attempts"],
                    subject_id=row["subject_id"],
                    episode_id=row["episode_id"],
                    subject_type=row["subject_type"],
                    is_movie=bool(row["is_movie"]),
                )
            )
        return out

    def plays_to_send(self) -> list[StoredPlay]:
        """What a sink receives: matched plays not yet synced and unmatched ones (the sink
        matches on its own); skipped (not anime) and removed plays never."""
        return [p for batch in self.batches_to_send() for p in batch]

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

    def latest_with_state(self, state: PlayState, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT history_id, watched_at, kind, media_title, media_trakt, media_slug, "
            "media_tmdb, season, number, reason, resolution FROM plays WHERE state = ? "
            "ORDER BY watched_at DESC LIMIT ?",
            (state.value, limit),
        ).fetchall()
        return [dict(row) for row in rows]

    # -- ratings and watchlist --------------------------------------------------------------

    def save_list(self, list_name: str, kind: str, items: Iterable[ListItem]) -> int:
        """Hold Trakt's complete list of one kind (one transaction): new entries and changed
        ratings become pending, entries Trakt no longer lists become removed (nothing is
        undone on Bangumi). Returns how many entries are new or changed."""
        now = _now()
        changed = 0
        with self.transaction() as db:
            held = {
                (row["trakt_id"], row["season"]): row
                for row in db.execute(
                    "SELECT trakt_id, season, rating, state, targets FROM list_items "
                    "WHERE list = ? AND kind = ?",
                    (list_name, kind),
                )
            }
            present = set()
            for item in items:
                key = item.key
                present.add((key.trakt_id, key.season))
                raw = json.dumps(item.raw, separators=(",", ":"))
                row = held.get((key.trakt_id, key.season))
                if row is None:
                    db.execute(
                        "INSERT INTO list_items (list, kind, trakt_id, season, rating, "
                        "listed_at, item, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                        (
                            list_name,
                            kind,
                            key.trakt_id,
                            key.season,
                            item.rating,
                            item.listed_at,
                            raw,
                            now,
                        ),
                    )
                    changed += 1
                elif row["rating"] != item.rating or row["state"] == "removed":
                    # The subjects are still the same: only their targets are sent again.
                    matched = row["targets"] is not None
                    targets = _reset_targets(row["targets"]) if matched else None
                    db.execute(
                        "UPDATE list_items SET rating = ?, listed_at = ?, item = ?, state = ?, "
                        "targets = ?, updated_at = ? WHERE list = ? AND kind = ? "
                        "AND trakt_id = ? AND season = ?",
                        (
                            item.rating,
                            item.listed_at,
                            raw,
                            "matched" if matched else "pending",
                            targets,
                            now,
                            list_name,
                            kind,
                            key.trakt_id,
                            key.season,
                        ),
                    )
                    changed += 1
            db.executemany(
                "UPDATE list_items SET state = 'removed', updated_at = ? WHERE list = ? "
                "AND kind = ? AND trakt_id = ? AND season = ?",
                [
                    (now, list_name, kind, trakt_id, season)
                    for (trakt_id, season), row in held.items()
                    if (trakt_id, season) not in present and row["state"] != "removed"
                ],
            )
        return changed

    def list_entries(self, lists: Iterable[str], states: Iterable[str]) -> list[ListEntry]:
        lists, states = list(lists), list(states)
        if not lists or not states:
            return []
        rows = self.db.execute(
            f"SELECT * FROM list_items WHERE list IN ({','.join('?' * len(lists))}) "
            f"AND state IN ({','.join('?' * len(states))}) ORDER BY list, kind, trakt_id, season",
            (*lists, *states),
        ).fetchall()
        out = []
        for row in rows:
            item = parse_item(row["list"], row["kind"], json.loads(row["item"]))
            targets = {
                int(sid): Target.from_json(int(sid), data)
                for sid, data in json.loads(row["targets"] or "{}").items()
            }
            media = item.raw.get("movie") or item.raw.get("show") or {}
            title = str(media.get("title") or "")
            if item.key.kind == "season":
                title += f" S{item.key.season}"
            out.append(ListEntry(item, targets, title))
        return out

    def lists_to_resolve(
        self, lists: Iterable[str], version: str, retry_unmatched: bool
    ) -> list[ListEntry]:
        """Entries not resolved yet, and unmatched ones resolved with other data."""
        lists = list(lists)
        if not lists:
            return []
        keys = self.db.execute(
            f"SELECT list, kind, trakt_id, season FROM list_items "
            f"WHERE list IN ({','.join('?' * len(lists))}) AND (state = 'pending' "
            "OR (state = 'unmatched' AND (? OR resolved_with IS NOT ?)))",
            (*lists, int(retry_unmatched), version),
        ).fetchall()
        wanted = {ListKey(r[0], r[1], r[2], r[3]) for r in keys}
        return [
            e for e in self.list_entries(lists, ("pending", "unmatched")) if e.item.key in wanted
        ]

    def list_needs_resolve(self, lists: Iterable[str]) -> bool:
        lists = list(lists)
        if not lists:
            return False
        row = self.db.execute(
            f"SELECT 1 FROM list_items WHERE list IN ({','.join('?' * len(lists))}) "
            "AND state = 'pending' LIMIT 1",
            lists,
        ).fetchone()
        return row is not None

    def record_list_resolution(
        self,
        key: ListKey,
        state: str,
        targets: dict[int, Target] | None,
        reason: str | None,
        version: str,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE list_items SET state = ?, targets = ?, reason = ?, resolved_with = ?, "
                "updated_at = ? WHERE list = ? AND kind = ? AND trakt_id = ? AND season = ?",
                (
                    state,
                    _targets_json(targets) if targets is not None else None,
                    self.redact(reason) if reason else reason,
                    version,
                    _now(),
                    key.list,
                    key.kind,
                    key.trakt_id,
                    key.season,
                ),
            )

    def set_list_targets(self, updates: dict[ListKey, dict[int, Target]]) -> None:
        """Record how far each entry's subjects got (one transaction)."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE list_items SET targets = ?, updated_at = ? WHERE list = ? AND kind = ? "
                "AND trakt_id = ? AND season = ?",
                [
                    (_targets_json(targets), _now(), k.list, k.kind, k.trakt_id, k.season)
                    for k, targets in updates.items()
                ],
            )

    # -- overrides ------------------------------------------------------------------------

    def overrides(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT spec FROM overrides ORDER BY id").fetchall()
        return [json.loads(row["spec"]) for row in rows]

    def add_override(self, spec: dict[str, Any]) -> bool:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO overrides(spec, created_at) VALUES (?, ?)",
                (json.dumps(spec, sort_keys=True), _now()),
            )
        return cursor.rowcount > 0

    def remove_override(self, spec: dict[str, Any]) -> bool:
        with self.transaction() as db:
            cursor = db.execute(
                "DELETE FROM overrides WHERE spec = ?", (json.dumps(spec, sort_keys=True),)
            )
        return cursor.rowcount > 0

    # -- runs -----------------------------------------------------------------------------

    def start_run(self, dry_run: bool) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs(started_at, dry_run) VALUES (?, ?)", (_now(), int(dry_run))
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(
        self,
        run_id: int,
        outcome: RunOutcome,
        counts: dict[str, Any],
        requests: dict[str, int],
        message: str | None = None,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, counts = ?, message = ?, "
                "requests_trakt = ?, requests_bangumi = ? WHERE id = ?",
                (
                    _now(),
                    outcome.value,
                    json.dumps(counts),
                    self.redact(message) if message else message,
                    requests.get("trakt", 0),
                    requests.get("bangumi", 0),
                    run_id,
                ),
            )

    def mark_dead_runs(self, message: str) -> int:
        """Record every run still marked running as died; only call this while holding the
        profile's lock, when no other run can be in progress. Returns how many."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE runs SET outcome = ?, message = ? WHERE outcome = ?",
                (RunOutcome.DIED.value, message, RunOutcome.RUNNING.value),
            )
        return cursor.rowcount

    def newest_run(self, *, include_dry: bool = False) -> RunRecord | None:
        """The run started last, finished or not."""
        row = self.db.execute(
            "SELECT * FROM runs WHERE (? OR dry_run = 0) ORDER BY id DESC LIMIT 1",
            (int(include_dry),),
        ).fetchone()
        return None if row is None else _run_record(row)

    def last_run(self, *, successful: bool = False, include_dry: bool = False) -> RunRecord | None:
        """The last run that ended (a died one too: it has no ``finished_at``)."""
        row = self.db.execute(
            "SELECT * FROM runs WHERE outcome != ? AND (? OR outcome = ?) "
            "AND (? OR dry_run = 0) ORDER BY id DESC LIMIT 1",
            (RunOutcome.RUNNING.value, int(not successful), RunOutcome.OK.value, int(include_dry)),
        ).fetchone()
        return None if row is None else _run_record(row)

    def recent_runs(self, limit: int, *, include_dry: bool = True) -> list[RunRecord]:
        """The runs started last, newest first, finished or not."""
        rows = self.db.execute(
            "SELECT * FROM runs WHERE (? OR dry_run = 0) ORDER BY id DESC LIMIT ?",
            (int(include_dry), limit),
        ).fetchall()
        return [_run_record(row) for row in rows]

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


def _run_record(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        outcome=RunOutcome(row["outcome"]),
        dry_run=bool(row["dry_run"]),
        message=row["message"],
        counts=json.loads(row["counts"]),
        requests_trakt=row["requests_trakt"],
        requests_bangumi=row["requests_bangumi"],
    )
