"""The schema, one migration per version: applied on open, each in one transaction
with its version bump (``PRAGMA user_version``). Never edit a shipped one: add the next.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from trakt_sync.errors import StateError
from trakt_sync.i18n import N_

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


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the database to ``SCHEMA_VERSION``, each migration in one transaction with its
    version bump; refuse a file a newer version wrote."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StateError.said(
            N_(
                "{path} was written by a newer trakt-sync (schema {version}, this version "
                "knows {known}); upgrade trakt-sync"
            ),
            path=path,
            version=version,
            known=SCHEMA_VERSION,
        )
    for number in range(version, SCHEMA_VERSION):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
