"""In-memory doubles for the matcher's readers and cache, fed from real bangumi-data.

(A module with a unique name rather than conftest.py, so tests can import it.)

Real data: ``bangumi-data-sample.json`` (bangumi-data items) and
``bangumi-episodes-excerpt.json`` (real Bangumi episode lists), read from
``trakt_sync/fakes/data`` (or this folder's ``data/``). Everything else is synthetic:
weekly episode lists starting on the bangumi-data begin date, and Trakt seasons whose
``first_aired`` instants are those broadcast days at a late-night JST slot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from trakt_sync.errors import NotFound
from trakt_sync.fakes.world import excerpt_episode_lists
from trakt_sync.matching.airdate import JST
from trakt_sync.matching.bangumi_data import BangumiDataIndex, build_index
from trakt_sync.matching.matcher import Matcher
from trakt_sync.matching.overrides import Override
from trakt_sync.models import TraktEpisode, TraktIds, TraktShow

ROOT = Path(__file__).resolve().parents[2]
DATA_DIRS = (ROOT / "trakt_sync" / "fakes" / "data", Path(__file__).parent / "data")


def data_file(name: str) -> Path:
    for folder in DATA_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} not found in {[str(d) for d in DATA_DIRS]}")


@cache
def sample_bytes() -> bytes:
    return data_file("bangumi-data-sample.json").read_bytes()


@cache
def sample_index() -> BangumiDataIndex:
    return build_index(sample_bytes())


@cache
def real_episodes() -> dict[int, list[dict[str, Any]]]:
    return excerpt_episode_lists()


PLATFORMS = {"tv": "TV", "movie": "剧场版", "ova": "OVA", "web": "WEB"}


def subject_from_sample(subject_id: int) -> dict[str, Any] | None:
    """A v0 Subject for a bangumi-data item of the sample (what api.bgm.tv would say)."""
    item = sample_index().subject(subject_id)
    if item is None:
        return None
    return {
        "id": subject_id,
        "type": 2,
        "name": item.title,
        "name_cn": item.zh_hans[0] if item.zh_hans else "",
        "date": item.begin.isoformat() if item.begin else None,
        "platform": PLATFORMS.get(item.kind, "TV"),
        "infobox": [{"key": "别名", "value": [{"v": t} for t in item.en]}],
    }


def begin_day(subject_id: int) -> date:
    subject = sample_index().subject(subject_id)
    assert subject is not None and subject.begin is not None, subject_id
    return subject.begin


def weekly(
    subject_id: int,
    count: int,
    *,
    start: date | None = None,
    sort_start: int = 1,
    every_days: int = 7,
) -> list[dict[str, Any]]:
    """A synthetic main-episode list: ids ``subject_id * 10000 + ep``."""
    first = start or begin_day(subject_id)
    return [
        {
            "id": subject_id * 10000 + k,
            "type": 0,
            "name": "",
            "name_cn": "",
            "sort": sort_start + k - 1,
            "ep": k,
            "airdate": (first + timedelta(days=every_days * (k - 1))).isoformat(),
            "subject_id": subject_id,
        }
        for k in range(1, count + 1)
    ]


def aired_at(day: str | date, slot: str = "24:30") -> str:
    """A JST schedule slot (``25:05`` = 01:05 next morning) as Trakt's UTC instant."""
    hours, minutes = (int(x) for x in slot.split(":"))
    base = datetime.combine(
        date.fromisoformat(day) if isinstance(day, str) else day, datetime.min.time(), JST
    )
    instant = (base + timedelta(hours=hours, minutes=minutes)).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def trakt_season(
    season: int,
    bangumi_lists: Iterable[list[dict[str, Any]]],
    *,
    start: int = 1,
    slot: str = "24:30",
    abs_start: int | None = None,
) -> list[dict[str, Any]]:
    """Trakt episodes numbered on from ``start`` across the main episodes of the lists."""
    rows = []
    n = start
    for listed in bangumi_lists:
        for e in listed:
            if e["type"] != 0:
                continue
            rows.append(
                {
                    "season": season,
                    "number": n,
                    "title": f"Episode {n}",
                    "first_aired": aired_at(e["airdate"], slot),
                    "number_abs": None if abs_start is None else abs_start + n - start,
                    "ids": {"trakt": 900000 + season * 1000 + n},
                }
            )
            n += 1
    return rows


def played(
    rows: list[dict[str, Any]], *numbers: int, with_dates: bool = False
) -> list[TraktEpisode]:
    """History-style episodes (no first_aired unless asked) for the given numbers."""
    by_number = {r["number"]: r for r in rows}
    out = []
    for n in numbers:
        row = by_number[n]
        out.append(
            TraktEpisode(
                season=row["season"],
                number=n,
                ids=TraktIds(trakt=row["ids"]["trakt"]),
                title=row["title"],
                number_abs=row.get("number_abs"),
                first_aired=datetime.fromisoformat(row["first_aired"])
                if with_dates and row.get("first_aired")
                else None,
            )
        )
    return out


class FakeBangumi:
    """Answers like api.bgm.tv v0 would, from dicts; records every call.

    ``search_subjects`` deliberately ignores its filters (it records them instead), so
    tests show the matcher rejects unwanted hits itself.
    """

    def __init__(
        self,
        *,
        subjects: dict[int, dict[str, Any]] | None = None,
        episodes: dict[int, list[dict[str, Any]]] | None = None,
        relations: dict[int, list[dict[str, Any]]] | None = None,
        search: dict[str, list[dict[str, Any]]] | None = None,
        merged: dict[int, int] | None = None,
        known: Callable[[int], dict[str, Any] | None] | None = None,
    ) -> None:
        self.subjects = subjects or {}
        self.known = known or subject_from_sample
        self.episodes = episodes or {}
        self.relations = relations or {}
        self.search = search or {}
        self.merged = merged or {}
        self.calls: list[tuple[Any, ...]] = []

    def get_subject(self, subject_id: int) -> dict[str, Any]:
        self.calls.append(("subject", subject_id))
        target = self.merged.get(subject_id, subject_id)
        subject = self.subjects.get(target) or self.known(target)
        if subject is None:
            raise NotFound(f"subject {subject_id}", status=404)
        return dict(subject)

    def get_episodes(self, subject_id: int) -> list[dict[str, Any]]:
        self.calls.append(("episodes", subject_id))
        if subject_id not in self.episodes:
            raise NotFound(f"episodes of {subject_id}", status=404)
        return [dict(e) for e in self.episodes[subject_id]]

    def get_related_subjects(self, subject_id: int) -> list[dict[str, Any]]:
        self.calls.append(("relations", subject_id))
        return list(self.relations.get(subject_id, []))

    def search_subjects(
        self,
        keyword: str,
        *,
        subject_types: list[int] | None = None,
        air_date: list[str] | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        self.calls.append(("search", keyword, tuple(subject_types or ()), tuple(air_date or ())))
        return [dict(s) for s in self.search.get(keyword, [])][:limit]


class FakeTrakt:
    def __init__(
        self,
        *,
        seasons: dict[tuple[int | str, int], list[dict[str, Any]]] | None = None,
        aliases: dict[int | str, list[dict[str, Any]]] | None = None,
        translations: dict[tuple[int | str, str], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.seasons = seasons or {}
        self.aliases = aliases or {}
        self.translations = translations or {}
        self.calls: list[tuple[Any, ...]] = []

    def get_season_episodes(self, show_id: int | str, season: int) -> list[dict[str, Any]]:
        self.calls.append(("season", show_id, season))
        if (show_id, season) not in self.seasons:
            raise NotFound(f"season {season} of {show_id}", status=404)
        return [dict(e) for e in self.seasons[(show_id, season)]]

    def get_show_aliases(self, show_id: int | str) -> list[dict[str, Any]]:
        self.calls.append(("aliases", show_id))
        return list(self.aliases.get(show_id, []))

    def get_show_translations(self, show_id: int | str, language: str) -> list[dict[str, Any]]:
        self.calls.append(("translations", show_id, language))
        return list(self.translations.get((show_id, language), []))


class DictCache:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Any] = {}

    def get(self, namespace: str, key: str) -> Any | None:
        value = self.data.get((namespace, key))
        # Stored as JSON by the real store: prove the values survive the round trip.
        return None if value is None else json.loads(value)

    def put(self, namespace: str, key: str, value: Any) -> None:
        self.data[(namespace, key)] = json.dumps(value)


@dataclass
class World:
    bangumi: FakeBangumi = field(default_factory=FakeBangumi)
    trakt: FakeTrakt = field(default_factory=FakeTrakt)
    cache: DictCache = field(default_factory=DictCache)
    index: Callable[[], BangumiDataIndex] = sample_index
    index_loads: int = 0

    def matcher(self, overrides: Iterable[Override] = (), **kw: Any) -> Matcher:
        def load() -> BangumiDataIndex:
            self.index_loads += 1
            return self.index()

        return Matcher(
            index=load,
            bangumi=self.bangumi,
            trakt=self.trakt,
            cache=self.cache,
            overrides=list(overrides),
            **kw,
        )

    def reset_calls(self) -> None:
        self.bangumi.calls.clear()
        self.trakt.calls.clear()


def show(trakt: int, tmdb: int | None, title: str, *genres: str, **kw: Any) -> TraktShow:
    return TraktShow(
        ids=TraktIds(trakt=trakt, slug=title.lower().replace(" ", "-"), tmdb=tmdb),
        title=title,
        genres=genres or ("anime", "animation"),
        **kw,
    )
