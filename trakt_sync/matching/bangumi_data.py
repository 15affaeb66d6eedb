"""bangumi-data (https://github.com/bangumi-data/bangumi-data, CC BY 4.0) as a compact index.

The published ``dist/data.json`` is ~7 MB; we keep only what matching needs (per Bangumi
subject: kind, broadcast days, titles; and its TMDB keys). A sync streams it into a SQLite
file that is rebuilt only when the source changes (:mod:`trakt_sync.matching.stored_index`);
:class:`BangumiDataIndex` holds the same in memory, for tests and benches.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from trakt_sync.matching.airdate import broadcast_day
from trakt_sync.matching.datacache import source_version

log = logging.getLogger(__name__)

INDEX_FORMAT = 2  # of to_json: 2: keys with a slug suffix are kept
# A TMDB id, perhaps in its URL form ``308934-mofusand`` (the digits are the id).
_TMDB_ID = re.compile(r"^(\d+)(?:-.*)?$")


@dataclass(frozen=True)
class TmdbKey:
    """A bangumi-data ``tmdb`` site id: ``movie/N``, ``tv/N``, ``tv/N/season/S[/episode/E]``.

    An ``/episode/E`` key says where the subject *starts* in TMDB numbering.
    """

    kind: str
    id: int
    season: int | None = None
    episode: int | None = None

    @classmethod
    def parse(cls, text: str) -> TmdbKey | None:
        """The key, or None; an id may carry TMDB's URL slug (``tv/308934-mofusand``)."""
        parts = text.strip().strip("/").split("/")
        found = _TMDB_ID.match(parts[1]) if len(parts) >= 2 else None
        if found is None:
            return None
        parts[1] = found[1]
        try:
            if len(parts) == 2 and parts[0] in ("movie", "tv"):
                return cls(parts[0], int(parts[1]))
            if len(parts) == 4 and parts[0] == "tv" and parts[2] == "season":
                return cls("tv", int(parts[1]), int(parts[3]))
            if len(parts) == 6 and parts[0] == "tv" and parts[2:5:2] == ["season", "episode"]:
                return cls("tv", int(parts[1]), int(parts[3]), int(parts[5]))
        except ValueError:
            return None
        return None

    def sort_key(self) -> tuple[str, int, int, int]:
        return (self.kind, self.id, -1 if self.season is None else self.season, self.episode or 0)

    def __str__(self) -> str:
        text = f"{self.kind}/{self.id}"
        if self.season is not None:
            text += f"/season/{self.season}"
        if self.episode is not None:
            text += f"/episode/{self.episode}"
        return text


@dataclass(frozen=True)
class DataSubject:
    id: int
    kind: str  # bangumi-data item type: tv | movie | ova | web
    begin: date | None  # Japanese broadcast day of the first airing
    end: date | None
    title: str
    zh_hans: tuple[str, ...] = ()
    zh_hant: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    @property
    def titles(self) -> tuple[str, ...]:
        return (self.title, *self.zh_hans, *self.zh_hant, *self.en)


class DataIndex(Protocol):
    """What the matcher asks of bangumi-data (in memory or stored)."""

    @property
    def version(self) -> str: ...

    def __len__(self) -> int: ...

    def subject(self, subject_id: int) -> DataSubject | None: ...

    def movie(self, tmdb_id: int) -> list[int]: ...

    def tv(self, tmdb_id: int) -> list[tuple[TmdbKey, int]]: ...


class BangumiDataIndex:
    def __init__(
        self,
        version: str,
        subjects: Iterable[DataSubject],
        links: Iterable[tuple[TmdbKey, int]],
    ) -> None:
        self.version = version
        self._subjects = {s.id: s for s in subjects}
        self._links = sorted(set(links), key=lambda link: (link[0].sort_key(), link[1]))
        self._movie: dict[int, list[int]] = defaultdict(list)
        self._tv: dict[int, list[tuple[TmdbKey, int]]] = defaultdict(list)
        for key, subject_id in self._links:
            if key.kind == "movie":
                self._movie[key.id].append(subject_id)
            else:
                self._tv[key.id].append((key, subject_id))

    def __len__(self) -> int:
        return len(self._subjects)

    def subject(self, subject_id: int) -> DataSubject | None:
        return self._subjects.get(subject_id)

    def movie(self, tmdb_id: int) -> list[int]:
        return list(self._movie.get(tmdb_id, ()))

    def tv(self, tmdb_id: int) -> list[tuple[TmdbKey, int]]:
        """Every key of one TMDB show (plain, season and episode keys)."""
        return list(self._tv.get(tmdb_id, ()))

    def tmdb_keys(self, subject_id: int) -> list[TmdbKey]:
        return [key for key, sid in self._links if sid == subject_id]

    def subject_ids(self) -> list[int]:
        return sorted(self._subjects)

    def tmdb_ids(self) -> list[int]:
        return sorted({key.id for key, _ in self._links})

    # -- compact JSON -----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        def day(value: date | None) -> str:
            return value.isoformat() if value else ""

        return {
            "format": INDEX_FORMAT,
            "version": self.version,
            "subjects": [
                [s.id, s.kind, day(s.begin), day(s.end), s.title, s.zh_hans, s.zh_hant, s.en]
                for s in sorted(self._subjects.values(), key=lambda s: s.id)
            ],
            "tmdb": [[str(key), sid] for key, sid in self._links],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BangumiDataIndex:
        if data.get("format") != INDEX_FORMAT:
            raise ValueError(f"unsupported bangumi-data index format {data.get('format')!r}")
        subjects = [
            DataSubject(
                id=row[0],
                kind=row[1],
                begin=date.fromisoformat(row[2]) if row[2] else None,
                end=date.fromisoformat(row[3]) if row[3] else None,
                title=row[4],
                zh_hans=tuple(row[5]),
                zh_hant=tuple(row[6]),
                en=tuple(row[7]),
            )
            for row in data["subjects"]
        ]
        links = []
        for text, sid in data["tmdb"]:
            key = TmdbKey.parse(text)
            if key is not None:
                links.append((key, sid))
        return cls(data["version"], subjects, links)


def build_index(raw: bytes) -> BangumiDataIndex:
    """Index a bangumi-data ``dist/data.json`` document held in memory (tests, benches);
    raises ValueError if it is not one. A sync streams the download instead
    (:mod:`trakt_sync.matching.stored_index`), through the same :func:`subject_of_item`."""
    try:
        data = json.loads(raw)
        items = data["items"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"not a bangumi-data document: {exc}") from None
    if not isinstance(items, list):
        raise ValueError("not a bangumi-data document: its items are not a list")
    subjects: list[DataSubject] = []
    links: list[tuple[TmdbKey, int]] = []
    unreadable = 0
    for item in items:
        try:
            found = subject_of_item(item)
        except (AttributeError, TypeError):
            unreadable += 1  # one item's odd field never costs the others (issue 24)
            continue
        if found is not None:
            subjects.append(found[0])
            links += found[1]
    if unreadable:
        log.warning("bangumi-data: left out %d unreadable item(s)", unreadable)
    return BangumiDataIndex(source_version(raw), subjects, links)


def _titles(value: Any) -> tuple[str, ...]:
    return tuple(t for t in value if isinstance(t, str)) if isinstance(value, list) else ()


def subject_of_item(item: Any) -> tuple[DataSubject, list[tuple[TmdbKey, int]]] | None:
    """What matching keeps of one bangumi-data item: its subject and TMDB keys (None
    without a Bangumi id, or when it is not an item at all); a field of the wrong type
    reads as absent (issue 24: one odd item costs only itself, an odd field only itself),
    the same for the index built in memory and the one streamed into SQLite."""
    if not isinstance(item, dict):
        return None
    sites = [s for s in item.get("sites") or [] if isinstance(s, dict)]
    bangumi_ids = [s.get("id") for s in sites if s.get("site") == "bangumi"]
    if not bangumi_ids or not str(bangumi_ids[0]).isdigit():
        return None
    subject_id = int(str(bangumi_ids[0]))
    translations = item.get("titleTranslate") or {}
    if not isinstance(translations, dict):
        translations = {}
    subject = DataSubject(
        id=subject_id,
        kind=str(item.get("type") or ""),
        begin=broadcast_day(item.get("begin") or None),
        end=broadcast_day(item.get("end") or None),
        title=str(item.get("title") or ""),
        zh_hans=_titles(translations.get("zh-Hans")),
        zh_hant=_titles(translations.get("zh-Hant")),
        en=_titles(translations.get("en")),
    )
    links = []
    for site in sites:
        if site.get("site") == "tmdb" and site.get("id"):
            key = TmdbKey.parse(str(site["id"]))
            if key is not None:
                links.append((key, subject_id))
    return subject, links
