"""Matcher scenarios over the shared in-memory readers (:mod:`trakt_sync.fakes.memory`),
fed from real bangumi-data.

(A module with a unique name rather than conftest.py, so tests can import it.)

Real data: ``bangumi-data-sample.json`` (bangumi-data items) and
``bangumi-episodes-excerpt.json`` (real Bangumi episode lists), read from
``trakt_sync/fakes/data`` (or this folder's ``data/``). Everything else is synthetic:
weekly episode lists starting on the bangumi-data begin date, and Trakt seasons whose
``first_aired`` instants are those broadcast days at a late-night JST slot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from trakt_sync.fakes import memory
from trakt_sync.fakes.memory import (
    Catalogue,
    MemoryBangumi,
    MemoryCache,
    MemoryTrakt,
    episode_rows,
    sample_index,
    scripted,
    weekly_days,
)
from trakt_sync.fakes.world import excerpt_episode_lists
from trakt_sync.matching.bangumi_data import BangumiDataIndex
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
    days = weekly_days(start or begin_day(subject_id), count, every_days)
    return episode_rows(subject_id, days, sort_start=sort_start)


def aired_at(day: str | date, slot: str = "24:30") -> str:
    """A JST schedule slot (``25:05`` = 01:05 next morning) as Trakt's UTC instant."""
    return memory.aired_at(date.fromisoformat(day) if isinstance(day, str) else day, slot)


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


@dataclass
class World:
    """Bangumi's catalogue (subjects the sample knows answer without being added), scripted
    search ``hits`` per keyword (filters ignored), Trakt, the cache, and a counted index."""

    catalogue: Catalogue = field(default_factory=Catalogue)
    hits: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    trakt: MemoryTrakt = field(default_factory=MemoryTrakt)
    cache: MemoryCache = field(default_factory=MemoryCache)
    index: Callable[[], BangumiDataIndex] = sample_index
    index_loads: int = 0
    bangumi: MemoryBangumi = field(init=False)

    def __post_init__(self) -> None:
        self.bangumi = MemoryBangumi(
            self.catalogue, search=scripted(self.hits), fallback=subject_from_sample
        )

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
