"""A further id table: Rhilip/BangumiExtLinker ``data/anime_map.json`` (CC BY 4.0).

It links Bangumi subjects to TMDB (often season level), TVDB and IMDb ids for ~23k
subjects, more than bangumi-data knows. Some links are wrong and sequel IMDb ids are often
episode level, so the matcher treats its links as weaker evidence: candidates that air
dates must confirm (matching.md). Kept as a compact index like bangumi-data's: a sync
streams it into a SQLite file (:mod:`trakt_sync.matching.stored_index`); :class:`IdTable`
holds the same in memory, for tests and benches.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as Day
from typing import Any, Protocol

from trakt_sync.matching.bangumi_data import TmdbKey
from trakt_sync.matching.datacache import source_version

INDEX_FORMAT = 1  # of to_json


@dataclass(frozen=True)
class TableRow:
    bgm_id: int
    name: str
    date: str  # as published: "2008-04" or "2008-04-05" (or "")
    tmdb: TmdbKey | None = None
    tvdb: int | None = None
    imdb: str | None = None

    @property
    def begin(self) -> Day | None:
        """The first day of the published month (or the day, when it is given)."""
        parts = self.date.split("-")
        try:
            if len(parts) >= 3:
                return Day(int(parts[0]), int(parts[1]), int(parts[2][:2]))
            if len(parts) == 2:
                return Day(int(parts[0]), int(parts[1]), 1)
        except ValueError:
            return None
        return None


class IdLookups(Protocol):
    """What the matcher asks of the id table (in memory or stored)."""

    @property
    def version(self) -> str: ...

    def subject(self, bgm_id: int) -> TableRow | None: ...

    def tv(self, tmdb_id: int) -> list[tuple[TmdbKey, int]]: ...

    def movie(self, tmdb_id: int) -> list[int]: ...

    def tvdb(self, tvdb_id: int) -> list[int]: ...

    def imdb(self, imdb_id: str) -> list[int]: ...


class IdTable:
    def __init__(self, version: str, rows: Iterable[TableRow]) -> None:
        self.version = version
        self._rows = sorted(rows, key=lambda r: r.bgm_id)
        self._subjects = {r.bgm_id: r for r in self._rows}
        self._tv: dict[int, list[tuple[TmdbKey, int]]] = defaultdict(list)
        self._movie: dict[int, list[int]] = defaultdict(list)
        self._tvdb: dict[int, list[int]] = defaultdict(list)
        self._imdb: dict[str, list[int]] = defaultdict(list)
        for r in self._rows:
            if r.tmdb is not None:
                if r.tmdb.kind == "movie":
                    self._movie[r.tmdb.id].append(r.bgm_id)
                else:
                    self._tv[r.tmdb.id].append((r.tmdb, r.bgm_id))
            if r.tvdb is not None:
                self._tvdb[r.tvdb].append(r.bgm_id)
            if r.imdb:
                self._imdb[r.imdb].append(r.bgm_id)

    def __len__(self) -> int:
        return len(self._rows)

    def subject(self, bgm_id: int) -> TableRow | None:
        return self._subjects.get(bgm_id)

    def tv(self, tmdb_id: int) -> list[tuple[TmdbKey, int]]:
        return list(self._tv.get(tmdb_id, ()))

    def movie(self, tmdb_id: int) -> list[int]:
        return list(self._movie.get(tmdb_id, ()))

    def tvdb(self, tvdb_id: int) -> list[int]:
        return list(self._tvdb.get(tvdb_id, ()))

    def imdb(self, imdb_id: str) -> list[int]:
        return list(self._imdb.get(imdb_id.strip().lower(), ()))

    # -- compact JSON -----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": INDEX_FORMAT,
            "version": self.version,
            "rows": [
                [r.bgm_id, r.name, r.date, str(r.tmdb) if r.tmdb else "", r.tvdb, r.imdb or ""]
                for r in self._rows
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IdTable:
        if data.get("format") != INDEX_FORMAT:
            raise ValueError(f"unsupported id table index format {data.get('format')!r}")
        rows = [
            TableRow(
                bgm_id=int(row[0]),
                name=str(row[1]),
                date=str(row[2]),
                tmdb=TmdbKey.parse(row[3]) if row[3] else None,
                tvdb=row[4],
                imdb=row[5] or None,
            )
            for row in data["rows"]
        ]
        return cls(str(data["version"]), rows)


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def build_table(raw: bytes) -> IdTable:
    """Index an ``anime_map.json`` document; raises ValueError if it is not one."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"not an anime_map.json document: {exc}") from None
    if not isinstance(data, list):
        raise ValueError("not an anime_map.json document: expected a JSON array")
    rows = [row for item in data if (row := row_of_item(item)) is not None]
    return IdTable(source_version(raw), rows)


def row_of_item(item: Any) -> TableRow | None:
    """What matching keeps of one ``anime_map.json`` entry (None: no Bangumi id or no link);
    the same for the table built in memory and the one streamed into SQLite. A field of
    the wrong type reads as absent: one row's odd field never costs the others (issue 24)."""
    if not isinstance(item, dict):
        return None
    bgm_id = _int(item.get("bgm_id"))
    if bgm_id is None:
        return None
    tmdb_id = item.get("tmdb_id")
    tmdb = TmdbKey.parse(tmdb_id) if isinstance(tmdb_id, str) and tmdb_id else None
    imdb = item.get("imdb_id")
    imdb = imdb.strip().lower() if isinstance(imdb, str) else ""
    name, month = item.get("name"), item.get("date")
    row = TableRow(
        bgm_id=bgm_id,
        name=name if isinstance(name, str) else "",
        date=month if isinstance(month, str) else "",
        tmdb=tmdb,
        tvdb=_int(item.get("tvdb_id")),
        imdb=imdb if imdb.startswith("tt") else None,
    )
    return row if row.tmdb or row.tvdb or row.imdb else None
