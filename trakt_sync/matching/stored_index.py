"""The compact indexes of the downloaded data files as SQLite files, read by key.

Built by streaming the download (:mod:`trakt_sync.matching.json_stream`) into a new file
that replaces the previous one only once it is complete; a run then reads the few rows it
asks for, never the whole data. They answer exactly as the in-memory indexes built from the
same document (``BangumiDataIndex``, ``IdTable``: tests and benches compare them).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from trakt_sync.matching.bangumi_data import DataSubject, TmdbKey, subject_of_item
from trakt_sync.matching.id_table import TableRow, row_of_item
from trakt_sync.matching.json_stream import array_items

BANGUMI_DATA_FORMAT = 3  # 3: SQLite (2 was a JSON file)
ID_TABLE_FORMAT = 2  # 2: SQLite
NONE = -1  # a key without season or episode: NULL cannot be part of a primary key
# SQLite's page cache per connection (negative: KiB). The files are ~2 MB and stay in the
# OS's cache; a run looks up a few hundred keys, so the default 2 MB would only add to the
# process's peak memory, which is what these files are for (issue 19).
CACHE_KIB = -256

BANGUMI_DATA_SCHEMA = """
CREATE TABLE subjects (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, begin TEXT, end TEXT, title TEXT NOT NULL,
    zh_hans TEXT NOT NULL, zh_hant TEXT NOT NULL, en TEXT NOT NULL
);
CREATE TABLE tmdb (
    kind TEXT NOT NULL, tmdb INTEGER NOT NULL, season INTEGER NOT NULL,
    episode INTEGER NOT NULL, subject INTEGER NOT NULL,
    PRIMARY KEY (kind, tmdb, season, episode, subject)
) WITHOUT ROWID;
"""
# The in-memory index's order: kind, id, season (none first), episode (none as 0), subject.
TMDB_ORDER = "ORDER BY kind, tmdb, season, max(episode, 0), subject, episode"

ID_TABLE_SCHEMA = """
CREATE TABLE rows (
    seq INTEGER PRIMARY KEY, bgm_id INTEGER NOT NULL, name TEXT NOT NULL, date TEXT NOT NULL,
    tmdb_kind TEXT, tmdb INTEGER, season INTEGER, episode INTEGER, tvdb INTEGER, imdb TEXT
);
"""
ID_TABLE_INDEXES = """
CREATE INDEX rows_bgm_id ON rows (bgm_id, seq);
CREATE INDEX rows_tmdb ON rows (tmdb);
CREATE INDEX rows_tvdb ON rows (tvdb);
CREATE INDEX rows_imdb ON rows (imdb);
"""


class _Stored:
    """An index file opened read-only; ValueError when it is not one of this kind."""

    kind: str
    format: int

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise OSError(f"no {self.kind} index at {self.path}")
        try:
            # Read from one thread at a time, but not always the one that opened it.
            self._db = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            self._db.execute(f"PRAGMA cache_size = {CACHE_KIB}")
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as exc:
            if hasattr(self, "_db"):
                self._db.close()
            raise ValueError(f"corrupt {self.kind} index {self.path}: {exc}") from None
        if meta.get("kind") != self.kind or meta.get("format") != str(self.format):
            self._db.close()
            raise ValueError(f"{self.path} is not a {self.kind} index of format {self.format}")
        self.version: str = meta["version"]
        self._count = int(meta["count"])

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self._db.close()

    def _rows(self, sql: str, *args: Any) -> list[Any]:
        return self._db.execute(sql, args).fetchall()


def _write(
    path: Path,
    kind: str,
    index_format: int,
    version: str,
    schema: str,
    fill: Callable[[sqlite3.Connection], int],
) -> None:
    """Build the index in a new file beside ``path`` and move it there once complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a new file: on failure it is deleted
        db.execute(f"PRAGMA cache_size = {CACHE_KIB}")
        db.executescript(schema + "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);")
        count = fill(db)
        meta = {"kind": kind, "format": str(index_format), "version": version, "count": count}
        db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
        db.commit()
        db.close()
        os.replace(partial, path)
    except BaseException:
        db.close()
        partial.unlink(missing_ok=True)
        raise


# == bangumi-data ==========================================================================


class StoredBangumiData(_Stored):
    """bangumi-data's subjects and TMDB keys (the matcher's ``DataIndex``)."""

    kind = "bangumi-data"
    format = BANGUMI_DATA_FORMAT

    def subject(self, subject_id: int) -> DataSubject | None:
        rows = self._rows("SELECT * FROM subjects WHERE id = ?", subject_id)
        if not rows:
            return None
        sid, kind, begin, end, title, zh_hans, zh_hant, en = rows[0]
        return DataSubject(
            id=sid,
            kind=kind,
            begin=date.fromisoformat(begin) if begin else None,
            end=date.fromisoformat(end) if end else None,
            title=title,
            zh_hans=tuple(json.loads(zh_hans)),
            zh_hant=tuple(json.loads(zh_hant)),
            en=tuple(json.loads(en)),
        )

    def movie(self, tmdb_id: int) -> list[int]:
        sql = f"SELECT subject FROM tmdb WHERE kind = 'movie' AND tmdb = ? {TMDB_ORDER}"
        return [sid for (sid,) in self._rows(sql, tmdb_id)]

    def tv(self, tmdb_id: int) -> list[tuple[TmdbKey, int]]:
        """Every key of one TMDB show (plain, season and episode keys)."""
        sql = f"SELECT * FROM tmdb WHERE kind = 'tv' AND tmdb = ? {TMDB_ORDER}"
        return [(_key(*row[:4]), row[4]) for row in self._rows(sql, tmdb_id)]

    def tmdb_keys(self, subject_id: int) -> list[TmdbKey]:
        """(Benches and checks only: the matcher never asks, so no index serves it.)"""
        sql = f"SELECT * FROM tmdb WHERE subject = ? {TMDB_ORDER}"
        return [_key(*row[:4]) for row in self._rows(sql, subject_id)]


def _key(kind: str, tmdb: int, season: int, episode: int) -> TmdbKey:
    return TmdbKey(
        kind, tmdb, None if season == NONE else season, None if episode == NONE else episode
    )


def _titles(values: tuple[str, ...]) -> str:
    return json.dumps(values, ensure_ascii=False)


def write_bangumi_data(source: Path, target: Path, version: str) -> StoredBangumiData:
    """Stream a bangumi-data ``dist/data.json`` file into the index file ``target``;
    raises ValueError (``target`` untouched) when the file is not a complete one."""

    def fill(db: sqlite3.Connection) -> int:
        for item in array_items(source, "items.item"):
            found = subject_of_item(item)
            if found is None:
                continue
            s, links = found
            db.execute(  # a later item of the same subject wins, as in the in-memory index
                "INSERT OR REPLACE INTO subjects VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    s.id,
                    s.kind,
                    s.begin.isoformat() if s.begin else None,
                    s.end.isoformat() if s.end else None,
                    s.title,
                    _titles(s.zh_hans),
                    _titles(s.zh_hant),
                    _titles(s.en),
                ),
            )
            db.executemany(
                "INSERT OR IGNORE INTO tmdb VALUES (?, ?, ?, ?, ?)",
                [(k.kind, k.id, _or_none(k.season), _or_none(k.episode), sid) for k, sid in links],
            )
        return int(db.execute("SELECT count(*) FROM subjects").fetchone()[0])

    _write(target, StoredBangumiData.kind, BANGUMI_DATA_FORMAT, version, BANGUMI_DATA_SCHEMA, fill)
    return StoredBangumiData(target)


def _or_none(value: int | None) -> int:
    return NONE if value is None else value


# == the further id table ==================================================================


class StoredIdTable(_Stored):
    """``anime_map.json``'s links (the matcher's ``IdLookups``), in the in-memory table's
    order: by Bangumi id, then as published."""

    kind = "id-table"
    format = ID_TABLE_FORMAT

    def subject(self, bgm_id: int) -> TableRow | None:
        rows = self._rows("SELECT * FROM rows WHERE bgm_id = ? ORDER BY seq DESC LIMIT 1", bgm_id)
        return _table_row(rows[0]) if rows else None

    def tv(self, tmdb_id: int) -> list[tuple[TmdbKey, int]]:
        sql = "SELECT * FROM rows WHERE tmdb = ? AND tmdb_kind = 'tv' ORDER BY bgm_id, seq"
        rows = [_table_row(r) for r in self._rows(sql, tmdb_id)]
        return [(r.tmdb, r.bgm_id) for r in rows if r.tmdb is not None]

    def movie(self, tmdb_id: int) -> list[int]:
        sql = "SELECT bgm_id FROM rows WHERE tmdb = ? AND tmdb_kind = 'movie' ORDER BY bgm_id, seq"
        return [sid for (sid,) in self._rows(sql, tmdb_id)]

    def tvdb(self, tvdb_id: int) -> list[int]:
        sql = "SELECT bgm_id FROM rows WHERE tvdb = ? ORDER BY bgm_id, seq"
        return [sid for (sid,) in self._rows(sql, tvdb_id)]

    def imdb(self, imdb_id: str) -> list[int]:
        sql = "SELECT bgm_id FROM rows WHERE imdb = ? ORDER BY bgm_id, seq"
        return [sid for (sid,) in self._rows(sql, imdb_id.strip().lower())]


def _table_row(row: tuple[Any, ...]) -> TableRow:
    _, bgm_id, name, day, kind, tmdb, season, episode, tvdb, imdb = row
    key = TmdbKey(kind, tmdb, season, episode) if kind is not None else None
    return TableRow(bgm_id=bgm_id, name=name, date=day, tmdb=key, tvdb=tvdb, imdb=imdb)


def _id_rows(source: Path) -> Iterator[tuple[Any, ...]]:
    for item in array_items(source, "item"):
        row = row_of_item(item)
        if row is None:
            continue
        key = row.tmdb
        yield (
            row.bgm_id,
            row.name,
            row.date,
            key.kind if key else None,
            key.id if key else None,
            key.season if key else None,
            key.episode if key else None,
            row.tvdb,
            row.imdb,
        )


def write_id_table(source: Path, target: Path, version: str) -> StoredIdTable:
    """Stream an ``anime_map.json`` file into the index file ``target``; raises ValueError
    (``target`` untouched) when the file is not a complete one."""

    def fill(db: sqlite3.Connection) -> int:
        db.executemany(
            "INSERT INTO rows (bgm_id, name, date, tmdb_kind, tmdb, season, episode, tvdb, imdb)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _id_rows(source),
        )
        db.executescript(ID_TABLE_INDEXES)
        return int(db.execute("SELECT count(*) FROM rows").fetchone()[0])

    _write(target, StoredIdTable.kind, ID_TABLE_FORMAT, version, ID_TABLE_SCHEMA, fill)
    return StoredIdTable(target)
