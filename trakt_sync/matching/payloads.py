"""The readers' answers made safe to read: every field the matcher uses has its type.

Bangumi and Trakt answer with whatever their data holds — a null name, a float id, a
string where a number belongs, a list that is an object (issue 24). The matcher reads
them only through :class:`CheckedBangumi` and :class:`CheckedTrakt`, which keep the
shape it relies on: a field that cannot be read becomes "unknown" (an empty name, no
type, no date) when that can only make a subject *less* likely to be chosen, and an
answer that is not what it should be at all raises BadData naming the source and the
subject or show, so the plays it belongs to are left unmatched and the others go on.
An episode list is checked where it is parsed (``fits.parse_episodes``): one unreadable
main episode there would shift every number after it.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from trakt_sync.errors import BadData
from trakt_sync.matching.lookups import BangumiReader, TraktReader

log = logging.getLogger(__name__)

Json = dict[str, Any]


def whole(value: Any) -> int | None:
    """An int, a whole float (``3.0``) or digits as an int; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any, source: str, item: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadData(source, item, f"{what} is {type(value).__name__}, not a list")
    return value


def _infobox(value: Any) -> list[Json]:
    entries = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            continue
        raw = entry.get("value")
        if isinstance(raw, list):
            raw = [v for v in raw if isinstance(v, dict) and isinstance(v.get("v"), str)]
        elif not isinstance(raw, str):
            continue
        entries.append({"key": entry["key"], "value": raw})
    return entries


def subject(data: Any, sid: int | None = None) -> Json:
    """A v0 Subject with the fields matching reads in their types; unreadable ones unknown."""
    if not isinstance(data, dict):
        raise BadData("Bangumi", f"subject {sid}", f"the subject is {type(data).__name__}")
    found = whole(data.get("id"))
    if found is None and sid is None:
        raise BadData("Bangumi", "a subject", f"its id {data.get('id')!r} is unreadable")
    out = dict(data)
    out.update(
        id=found if found is not None else sid,
        type=whole(data.get("type")),
        name=text(data.get("name")),
        name_cn=text(data.get("name_cn")),
        platform=data.get("platform") if isinstance(data.get("platform"), str) else None,
        date=data.get("date") if isinstance(data.get("date"), str) else None,
        eps=whole(data.get("eps")) or 0,
        infobox=_infobox(data.get("infobox")),
    )
    return out


def related(rows: Any, sid: int) -> list[Json]:
    """Related subjects (``/v0/subjects/{id}/subjects``); a row without a readable id,
    relation or type is left out (a relation not followed only leaves plays unmatched)."""
    out = []
    for row in _list(rows, "Bangumi", f"subject {sid}", "its related subjects"):
        if not isinstance(row, dict):
            continue
        rid, kind = whole(row.get("id")), whole(row.get("type"))
        if rid is None or kind is None or not isinstance(row.get("relation"), str):
            continue
        out.append({**row, "id": rid, "type": kind, "name": text(row.get("name"))})
    return out


def search_hits(rows: Any, keyword: str) -> list[Json]:
    out = []
    for row in _list(rows, "Bangumi", f"the search for {keyword!r}", "the hits"):
        try:
            out.append(subject(row))
        except BadData as exc:
            log.debug("leaving out a search hit for %r: %s", keyword, exc)
    return out


def season_episodes(rows: Any, show: int | str, season: int) -> list[Json]:
    """A Trakt season's episodes: a row without a readable number is left out (it only
    lacks its date then); ``number_abs`` and the texts in their types or None."""
    out = []
    for row in _list(rows, "Trakt", f"show {show} season {season}", "its episode list"):
        number = whole(row.get("number")) if isinstance(row, dict) else None
        if number is None:
            log.debug("show %s season %s: leaving out an unreadable episode %r", show, season, row)
            continue
        assert isinstance(row, dict)
        out.append(
            {
                **row,
                "number": number,
                "number_abs": whole(row.get("number_abs")),
                "first_aired": row.get("first_aired")
                if isinstance(row.get("first_aired"), str)
                else None,
                "title": text(row.get("title")) or None,
                "original_title": text(row.get("original_title")) or None,
            }
        )
    return out


def titled(rows: Any, show: int | str, what: str) -> list[Json]:
    """Aliases or translations: the rows with a title (others say nothing)."""
    if not isinstance(rows, list):
        log.debug("show %s: %s are %s, not a list; none used", show, what, type(rows).__name__)
        return []
    return [
        {**row, "title": row["title"]}
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("title"), str)
    ]


class CheckedBangumi:
    """A BangumiReader whose answers have the shape the matcher reads (module doc)."""

    def __init__(self, reader: BangumiReader) -> None:
        self.reader = reader

    def get_subject(self, subject_id: int) -> Json:
        return subject(self.reader.get_subject(subject_id), subject_id)

    def get_episodes(self, subject_id: int) -> list[Json]:
        episodes = self.reader.get_episodes(subject_id)
        return _list(episodes, "Bangumi", f"subject {subject_id}", "its episode list")

    def get_related_subjects(self, subject_id: int) -> list[Json]:
        return related(self.reader.get_related_subjects(subject_id), subject_id)

    def search_subjects(
        self,
        keyword: str,
        *,
        subject_types: list[int] | None = None,
        air_date: list[str] | None = None,
        limit: int = 20,
    ) -> list[Json]:
        hits = self.reader.search_subjects(
            keyword, subject_types=subject_types, air_date=air_date, limit=limit
        )
        return search_hits(hits, keyword)


class CheckedTrakt:
    """A TraktReader whose answers have the shape the matcher reads (module doc)."""

    def __init__(self, reader: TraktReader) -> None:
        self.reader = reader

    def get_season_episodes(self, show_id: int | str, season: int) -> list[Json]:
        return season_episodes(self.reader.get_season_episodes(show_id, season), show_id, season)

    def get_show_aliases(self, show_id: int | str) -> list[Json]:
        return titled(self.reader.get_show_aliases(show_id), show_id, "aliases")

    def get_show_translations(self, show_id: int | str, language: str) -> list[Json]:
        found = self.reader.get_show_translations(show_id, language)
        return titled(found, show_id, f"{language} translations")
