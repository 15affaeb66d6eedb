"""In-memory doubles of the matcher's readers and cache, shared by the tests and the bench.

Where the loopback fakes (:mod:`trakt_sync.fakes.server`) answer real HTTP, these answer
the reader protocols directly (``BangumiReader``, ``TraktReader``, the cache) from dicts,
so a matcher scenario costs no sockets. They answer like api.bgm.tv v0 / api.trakt.tv
would (copies of v0 dicts, ``NotFound`` for unknown ids) and record every call.

- :class:`Catalogue`: Bangumi's side of a world (subjects, episode lists, relations,
  merged ids); forked cheaply so one base serves many worlds.
- :class:`MemoryBangumi`: the v0 reads over a catalogue; search is pluggable
  (:func:`scripted` hits per keyword, or any :data:`Search`, such as the bench's fuzzy one).
- :class:`MemoryTrakt`: season episode lists, aliases and translations by show id.
- :class:`MemoryCache`: the store's cache, kept as JSON text so values must round-trip.
- Builders for synthetic data: :func:`episode_rows`, :func:`weekly_days`, :func:`aired_at`,
  and :func:`sample_index` / :func:`sample_bytes` for the vendored bangumi-data sample.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from typing import Any

from trakt_sync.errors import NotFound
from trakt_sync.fakes.world import BANGUMI_DATA_SAMPLE
from trakt_sync.matching.bangumi_data import BangumiDataIndex, build_index

Json = dict[str, Any]
# keyword, subject_types, air_date filters → hits (the reader applies ``limit``)
Search = Callable[[str, list[int] | None, list[str] | None], list[Json]]
Call = tuple[Any, ...]

JST = timezone(timedelta(hours=9), "JST")


# == Bangumi ===============================================================================


class Catalogue:
    """Bangumi's side of a world: v0 subjects, episode lists, relations, merged ids."""

    def __init__(
        self,
        subjects: Mapping[int, Json] | None = None,
        episodes: Mapping[int, list[Json]] | None = None,
        relations: Mapping[int, list[Json]] | None = None,
        merged: Mapping[int, int] | None = None,
    ) -> None:
        self.subjects: dict[int, Json] = dict(subjects or {})
        self.episodes: dict[int, list[Json]] = dict(episodes or {})
        self.relations: defaultdict[int, list[Json]] = defaultdict(
            list, {k: list(v) for k, v in (relations or {}).items()}
        )
        self.merged: dict[int, int] = dict(merged or {})

    def fork(self) -> Catalogue:
        """A copy whose dicts can be changed without touching this one (values shared)."""
        return Catalogue(self.subjects, self.episodes, self.relations, self.merged)

    def add(self, subject: Json, episodes: list[Json]) -> None:
        self.subjects[subject["id"]] = subject
        self.episodes[subject["id"]] = episodes

    def relate(self, a: int, b: int, relation: str, back: str | None = None) -> None:
        """``a`` → ``b`` as ``relation`` (and ``b`` → ``a`` as ``back``), both subjects known."""
        for src, dst, rel in ((a, b, relation), (b, a, back)):
            if rel is None:
                continue
            target = self.subjects[dst]
            self.relations[src].append(
                {
                    "id": dst,
                    "type": target["type"],
                    "name": target["name"],
                    "name_cn": target.get("name_cn", ""),
                    "relation": rel,
                }
            )


def no_hits(
    keyword: str, subject_types: list[int] | None, air_date: list[str] | None
) -> list[Json]:
    return []


def scripted(hits: Mapping[str, list[Json]]) -> Search:
    """Search answering ``hits[keyword]`` whatever the filters, so a caller must check every
    hit itself. ``hits`` is read at call time: tests may fill it after building the reader."""

    def search(
        keyword: str, subject_types: list[int] | None, air_date: list[str] | None
    ) -> list[Json]:
        # The matcher searches with width-folded (NFKC) titles: either spelling keys a hit.
        wanted = unicodedata.normalize("NFKC", keyword)
        return next((v for k, v in hits.items() if unicodedata.normalize("NFKC", k) == wanted), [])

    return search


class MemoryBangumi:
    """api.bgm.tv v0 reads over a :class:`Catalogue`; records every call in ``calls``.

    ``fallback`` answers ``get_subject`` for ids the catalogue lacks (e.g. subjects made up
    from the bangumi-data sample); without it they are ``NotFound``.
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        search: Search = no_hits,
        fallback: Callable[[int], Json | None] | None = None,
    ) -> None:
        self.catalogue = catalogue if catalogue is not None else Catalogue()
        self.search = search
        self.fallback = fallback
        self.calls: list[Call] = []

    def get_subject(self, subject_id: int) -> Json:
        self.calls.append(("subject", subject_id))
        target = self.catalogue.merged.get(subject_id, subject_id)
        subject = self.catalogue.subjects.get(target)
        if subject is None and self.fallback is not None:
            subject = self.fallback(target)
        if subject is None:
            raise NotFound(f"subject {subject_id}", status=404)
        return _copied(subject)

    def get_episodes(self, subject_id: int) -> list[Json]:
        self.calls.append(("episodes", subject_id))
        if subject_id not in self.catalogue.episodes:
            raise NotFound(f"episodes of {subject_id}", status=404)
        return _copied(self.catalogue.episodes[subject_id])

    def get_related_subjects(self, subject_id: int) -> list[Json]:
        self.calls.append(("related", subject_id))
        return _copied(self.catalogue.relations.get(subject_id, []))

    def search_subjects(
        self,
        keyword: str,
        *,
        subject_types: list[int] | None = None,
        air_date: list[str] | None = None,
        limit: int = 20,
    ) -> list[Json]:
        self.calls.append(("search", keyword, tuple(subject_types or ()), tuple(air_date or ())))
        hits = _copied(self.search(keyword, subject_types, air_date))
        return hits[:limit] if isinstance(hits, list) else hits

    def tally(self) -> Counter[str]:
        """Calls per endpoint: ``bangumi.subject``, ``bangumi.episodes``, ..."""
        return Counter(f"bangumi.{call[0]}" for call in self.calls)


def _copied(value: Any) -> Any:
    """A copy to hand out (a list of objects: each object copied), so a caller's changes
    never reach the catalogue; a value of another shape (a test's malformed answer on
    purpose) as it is."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return [dict(e) if isinstance(e, dict) else e for e in value]
    return value


# == Trakt =================================================================================


class MemoryTrakt:
    """Trakt's season episode lists, aliases and translations, keyed by show id (as the
    matcher passes it: the Trakt id, else the slug); records every call in ``calls``."""

    def __init__(
        self,
        *,
        seasons: Mapping[tuple[int | str, int], list[Json]] | None = None,
        aliases: Mapping[int | str, list[Json]] | None = None,
        translations: Mapping[tuple[int | str, str], list[Json]] | None = None,
    ) -> None:
        self.seasons: dict[tuple[int | str, int], list[Json]] = dict(seasons or {})
        self.aliases: dict[int | str, list[Json]] = dict(aliases or {})
        self.translations: dict[tuple[int | str, str], list[Json]] = dict(translations or {})
        self.calls: list[Call] = []

    def get_season_episodes(self, show_id: int | str, season: int) -> list[Json]:
        self.calls.append(("season", show_id, season))
        if (show_id, season) not in self.seasons:
            raise NotFound(f"season {season} of {show_id}", status=404)
        return _copied(self.seasons[(show_id, season)])

    def get_show_aliases(self, show_id: int | str) -> list[Json]:
        self.calls.append(("aliases", show_id))
        return _copied(self.aliases.get(show_id, []))

    def get_show_translations(self, show_id: int | str, language: str) -> list[Json]:
        self.calls.append(("translations", show_id, language))
        return _copied(self.translations.get((show_id, language), []))

    def tally(self) -> Counter[str]:
        """Calls per endpoint: ``trakt.season``, ``trakt.aliases``, ``trakt.translations``."""
        return Counter(f"trakt.{call[0]}" for call in self.calls)


# == cache =================================================================================


class MemoryCache:
    """The store's cache as JSON text, so cached values must survive the round trip."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}
        self.stored_at: dict[tuple[str, str], str] = {}

    def get(self, namespace: str, key: str) -> Any | None:
        value = self.data.get((namespace, key))
        return None if value is None else json.loads(value)

    def put(self, namespace: str, key: str, value: Any) -> None:
        self.data[(namespace, key)] = json.dumps(value)
        self.stored_at[(namespace, key)] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def cache_age(self, namespace: str, key: str) -> str | None:
        """When the value was stored (the store's ``cache_age``)."""
        return self.stored_at.get((namespace, key))

    def cached_items(self, namespace: str) -> list[tuple[str, Any]]:
        return [
            (key, json.loads(value)) for (ns, key), value in self.data.items() if ns == namespace
        ]

    def drop_cached(self, namespace: str, keys: list[str]) -> int:
        return sum(self.data.pop((namespace, key), None) is not None for key in keys)


# == synthetic data ========================================================================


@cache
def sample_bytes() -> bytes:
    """The vendored bangumi-data sample (real items) as the CDN serves it."""
    return BANGUMI_DATA_SAMPLE.read_bytes()


@cache
def sample_index() -> BangumiDataIndex:
    return build_index(sample_bytes())


def aired_at(day: date, slot: str = "24:30", shift_days: int = 0) -> str:
    """A JST schedule slot on a broadcast day (``25:05`` = 01:05 the next morning, still
    the earlier broadcast day) as Trakt's UTC ``first_aired`` instant."""
    hours, minutes = (int(x) for x in slot.split(":"))
    start = datetime.combine(day + timedelta(days=shift_days), time(0), JST)
    instant = (start + timedelta(hours=hours, minutes=minutes)).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def weekly_days(first: date, count: int, every: int = 7) -> list[date]:
    return [first + timedelta(days=every * k) for k in range(count)]


def episode_rows(
    sid: int,
    days: Sequence[date],
    *,
    sort_start: int = 1,
    names: Sequence[str] | None = None,
) -> list[Json]:
    """v0 main episodes airing on ``days``, with ids ``sid * 10000 + ep``."""
    return [
        {
            "id": sid * 10000 + k,
            "type": 0,
            "name": names[k - 1] if names else "",
            "name_cn": "",
            "sort": sort_start + k - 1,
            "ep": k,
            "airdate": day.isoformat(),
            "subject_id": sid,
        }
        for k, day in enumerate(days, start=1)
    ]
