"""Worlds drawn by rule from the full bangumi-data: what a real user's history looks like.

A *franchise* is a TMDB show with its bangumi-data tv/web items. Each world draws about
30 franchises and 10 films at random (seeded) and builds:

- Bangumi: every bangumi-data item as a v0 subject (so title searches meet real
  competition), episode lists synthesised from the item's begin/end days, 续集/前传
  chains along each drawn franchise;
- Trakt/TMDB: the franchise's seasons, laid out from its keys (``tv/N/season/S``,
  ``/episode/E`` starts; plain ``tv/N`` items start a new season or, now and then,
  continue the previous one as a later cour), ``first_aired`` at a late-night JST slot;
- the patterns of ``bench/patterns.py`` per season, and per franchise the id path:
  ``id`` (bangumi-data keys as published), ``title-only`` (its TMDB keys removed, so only
  a title search can find it) or ``slug-key`` (``tv/N-slug`` keys as in the real data);
- films (TMDB movie ↔ a Bangumi film with one main episode) and non-anime shows.

Every play carries the Bangumi episode it should become, its pattern and its path.
The readers are the shared in-memory doubles (trakt_sync/fakes/memory.py), with a search
plugged in that behaves like Bangumi's.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from bench import patterns
from bench.patterns import NO_MARK, Target
from bench.worlds import SLOTS
from bench.worlds import subject_dict as _subject_dict
from trakt_sync.fakes.memory import (
    Catalogue,
    MemoryBangumi,
    MemoryCache,
    MemoryTrakt,
    aired_at,
)
from trakt_sync.matching.airdate import broadcast_day, parse_day
from trakt_sync.matching.bangumi_data import BangumiDataIndex, build_index
from trakt_sync.matching.lookups import CachedBangumi
from trakt_sync.matching.matcher import Matcher
from trakt_sync.models import TraktEpisode, TraktIds, TraktMovie, TraktShow

FRANCHISES_PER_WORLD = 30
FILMS_PER_WORLD = 10
SINCE = date(2000, 1, 1)  # Trakt histories hold this century's anime
P_MULTI = 0.4  # share of draws from franchises with several subjects (users watch sequels)
P_TITLE_ONLY = 0.3
P_SLUG = 0.08
P_CONTINUE_COUR = 0.3  # a plain-keyed sequel continues the previous TMDB season
P_SORT_CONTINUES = 0.4
PLATFORMS = {"tv": "TV", "web": "WEB", "ova": "OVA", "movie": "剧场版"}
DRAMAS = (
    "Breaking Bad",
    "The Wire",
    "Dark",
    "Succession",
    "Chernobyl",
    "Fargo",
    "Mindhunter",
    "The Bear",
    "Severance",
    "Slow Horses",
    "Shogun",
    "Midnight Diner",
)
KEY = re.compile(r"^(tv|movie)/(\d+)(-[^/]+)?(?:/season/(\d+)(?:/episode/(\d+))?)?$")


# == bangumi-data items ==================================================================


@dataclass(frozen=True)
class Key:
    kind: str
    id: int
    season: int | None = None
    episode: int | None = None
    slug: bool = False


def parse_key(text: str) -> Key | None:
    m = KEY.match(text.strip().strip("/"))
    if m is None:
        return None
    season = int(m[4]) if m[4] else None
    return Key(m[1], int(m[2]), season, int(m[5]) if m[5] else None, bool(m[3]))


@dataclass(frozen=True)
class Item:
    sid: int
    kind: str
    begin: date | None
    end: date | None
    title: str
    zh_hans: tuple[str, ...]
    en: tuple[str, ...]
    keys: tuple[Key, ...]


def parse_items(raw: Sequence[dict[str, Any]]) -> list[Item]:
    items = []
    for entry in raw:
        sites = entry.get("sites") or []
        ids = [s.get("id") for s in sites if s.get("site") == "bangumi"]
        if not ids or not str(ids[0]).isdigit():
            continue
        keys = [parse_key(str(s["id"])) for s in sites if s.get("site") == "tmdb" and s.get("id")]
        translations = entry.get("titleTranslate") or {}
        items.append(
            Item(
                sid=int(ids[0]),
                kind=str(entry.get("type") or ""),
                begin=broadcast_day(entry.get("begin") or None),
                end=broadcast_day(entry.get("end") or None),
                title=str(entry.get("title") or ""),
                zh_hans=tuple(translations.get("zh-Hans") or ()),
                en=tuple(translations.get("en") or ()),
                keys=tuple(k for k in keys if k is not None),
            )
        )
    return items


def cadence(item: Item) -> int:
    """Days between episodes: 7, or 1 for a run within one week, or 0 for a web series
    released in one day (Bangumi gives every episode of a Netflix-style drop that day)."""
    if item.begin is None or item.end is None or (item.end - item.begin).days >= 7:
        return 7
    return 0 if item.kind == "web" else 1


def natural_count(item: Item) -> int:
    if item.kind == "movie" or item.begin is None:
        return 1
    if item.end is None:
        return 12
    if item.kind in ("tv", "web") and cadence(item) != 7:
        return 12 if cadence(item) == 0 else (item.end - item.begin).days + 1
    return max(1, min((item.end - item.begin).days // 7 + 1, 26))


# == the layout of a franchise on TMDB ===================================================


@dataclass
class Placed:
    item: Item
    key: Key
    season: int
    start: int
    count: int
    explicit: bool  # the start comes from an /episode/E key
    fixed: bool = False  # the next subject's /episode/E key fixes this one's length


def layout(entries: Sequence[tuple[Item, Key]], rng: random.Random) -> list[Placed] | None:
    """The franchise's subjects on TMDB seasons, or None when its keys contradict."""
    explicit = {k.season for _, k in entries if k.season is not None}
    placed: list[Placed] = []
    by_season: dict[int, list[Placed]] = defaultdict(list)
    for item, key in entries:
        count = natural_count(item)
        if key.season is not None:
            season, start, fixed = key.season, key.episode or 1, key.episode is not None
        elif not placed:
            season, start, fixed = 1, 1, False
        else:
            last = placed[-1]
            season = last.season + 1
            # a later cour continues the season only once the previous one has ended
            ended, begins = last.item.end, item.begin
            after = ended is not None and begins is not None and ended < begins
            if (after and rng.random() < P_CONTINUE_COUR) or season in explicit:
                season = last.season
            start, fixed = 1, False
        if not fixed and by_season[season]:
            prev = by_season[season][-1]
            start = prev.start + prev.count
        part = Placed(item, key, season, start, count, fixed)
        placed.append(part)
        by_season[season].append(part)
    for parts in by_season.values():
        parts.sort(key=lambda p: p.start)
        if parts[0].start != 1:
            return None  # TMDB numbers before the first known subject: no labels for them
        for a, b in itertools.pairwise(parts):
            if b.explicit:
                a.count, a.fixed = b.start - a.start, True
                if a.count < 1:
                    return None
            else:
                b.start = a.start + a.count
    return placed


# == Bangumi's search ====================================================================


def _fold(text: str) -> str:
    """Bangumi's search tokenises on spaces and punctuation and ignores case; it does not
    fold width (full-width Latin is another word)."""
    return "".join(
        ch for ch in text.casefold() if not unicodedata.category(ch).startswith(("P", "Z", "S"))
    )


class BangumiLikeSearch:
    """A search like api.bgm.tv's (Meilisearch), for :class:`MemoryBangumi`: folded
    substring match on names, exact names first; when the whole phrase finds nothing,
    trailing words are dropped one by one; filters honoured; at most 20 results."""

    def __init__(self, catalogue: Catalogue, titles: dict[int, tuple[str, ...]]) -> None:
        self.catalogue = catalogue
        self.titles = titles

    def __call__(
        self, keyword: str, subject_types: list[int] | None, air_date: list[str] | None
    ) -> list[dict[str, Any]]:
        words = [w for w in re.split(r"\s+", keyword.strip()) if _fold(w)]
        lo = hi = None
        for bound in air_date or []:
            day = date.fromisoformat(bound.lstrip("<>="))
            lo, hi = (day, hi) if bound.startswith(">") else (lo, day)
        for size in range(len(words), 0, -1):
            key = _fold(" ".join(words[:size]))
            if len(key) < 2:
                break
            found = self._find(key, subject_types, lo, hi)
            if found:
                return [dict(self.catalogue.subjects[sid]) for sid in found[:20]]
        return []

    def _find(
        self, key: str, types: list[int] | None, lo: date | None, hi: date | None
    ) -> list[int]:
        ranked = []
        for sid, names in self.titles.items():
            rank = None
            for name in names:
                if name == key:
                    rank = 0
                    break
                if key in name:
                    rank = min(rank if rank is not None else 9, 1)
                elif len(name) >= 3 and name in key:
                    rank = min(rank if rank is not None else 9, 2)
            if rank is None:
                continue
            subject = self.catalogue.subjects[sid]
            if types and subject.get("type") not in types:
                continue
            day = parse_day(subject.get("date"))
            if (lo or hi) and (
                day is None or (lo is not None and day < lo) or (hi is not None and day > hi)
            ):
                continue
            ranked.append((rank, len(names[0]), sid))
        return [sid for _, _, sid in sorted(ranked)]


# == cases ===============================================================================


@dataclass
class SeasonCase:
    """One ``resolve_season`` call: a (show, season) and the plays of it."""

    franchise: str
    path: str  # id | title-only | slug-key | non-anime
    show: TraktShow
    season: int
    plays: list[TraktEpisode]
    targets: list[Target]
    touched: list[str]  # the pattern that changed each play's own episode, or "clean"
    pattern: str = "clean"  # the season's pattern


@dataclass
class FilmCase:
    path: str  # id | title-only | non-anime
    movie: TraktMovie
    target: Target


@dataclass
class RealWorld:
    name: str
    seed: int
    index: BangumiDataIndex
    bangumi: MemoryBangumi
    trakt: MemoryTrakt = field(default_factory=MemoryTrakt)
    seasons: list[SeasonCase] = field(default_factory=list)
    films: list[FilmCase] = field(default_factory=list)
    from_export: bool = False  # plays as Trakt's data export has them
    trakt_metadata: bool = True  # False: no Trakt client id, so nothing to ask Trakt
    # (show|movie, Trakt id) → genres, as Trakt answers them when an export's items lack them
    genre_table: dict[tuple[str, int], tuple[str, ...]] | None = None

    def matcher(self, cache: MemoryCache | None = None) -> Matcher:
        # Through the cached readers a sync uses, so reading a world's data as a sync reads
        # it is measured too (issue 24: one odd air date there ended every sync).
        cache = cache if cache is not None else MemoryCache()
        return Matcher(
            index=lambda: self.index,
            bangumi=CachedBangumi(self.bangumi, cache),
            trakt=self.trakt,
            cache=cache,
            clock=lambda: 1_800_000_000.0,
            trakt_metadata=self.trakt_metadata,
            from_export=self.from_export,
            genres=None if self.genre_table is None else self._genres,
        )

    def _genres(self, kind: str, trakt_id: int) -> tuple[str, ...]:
        assert self.genre_table is not None
        return self.genre_table.get((kind, trakt_id), ())

    def as_export(self, client_id: bool = False) -> RealWorld:
        """The same plays read from Trakt's data export (A.11): no air dates or genres on
        the items; without a ``client_id`` no Trakt metadata to ask either (an empty Trakt)."""
        seasons = [
            replace(
                case,
                show=replace(case.show, genres=()),
                plays=[replace(ep, first_aired=None) for ep in case.plays],
            )
            for case in self.seasons
        ]
        films = [
            replace(film, movie=replace(film.movie, genres=(), released=None))
            for film in self.films
        ]
        return replace(
            self,
            name=f"{self.name} (export{', client id' if client_id else ''})",
            trakt=self.trakt if client_id else MemoryTrakt(),
            seasons=seasons,
            films=films,
            from_export=True,
            trakt_metadata=client_id,
            genre_table=self._genre_table() if client_id else None,
        )

    def _genre_table(self) -> dict[tuple[str, int], tuple[str, ...]]:
        table = {
            ("show", case.show.ids.trakt): case.show.genres
            for case in self.seasons
            if case.show.ids.trakt is not None
        }
        table.update(
            {
                ("movie", film.movie.ids.trakt): film.movie.genres
                for film in self.films
                if film.movie.ids.trakt is not None
            }
        )
        return table


# == the generator =======================================================================


class Universe:
    """The parsed bangumi-data and what every world shares (built once)."""

    def __init__(self, raw: Sequence[dict[str, Any]]) -> None:
        self.raw = list(raw)
        self.items = parse_items(self.raw)
        self.by_sid = {i.sid: i for i in self.items}
        shows: dict[int, list[tuple[Item, Key]]] = defaultdict(list)
        movies: dict[int, list[Item]] = defaultdict(list)
        self.keyed: dict[int, set[int]] = defaultdict(set)  # TMDB tv id → every item keyed to it
        for item in self.items:
            for key in item.keys:
                if key.kind == "tv":
                    self.keyed[key.id].add(item.sid)
                if key.kind == "tv" and key.season != 0 and item.kind in ("tv", "web"):
                    if item.begin is not None:
                        shows[key.id].append((item, key))
                elif key.kind == "movie":
                    movies[key.id].append(item)
        for tmdb, entries in shows.items():
            # an item keyed twice to one show (tv/N and tv/N/season/1): its most specific key
            best: dict[int, tuple[Item, Key]] = {}
            for item, key in entries:
                rank = (key.season is not None, key.episode is not None)
                held = best.get(item.sid)
                if held is None or rank > (held[1].season is not None, held[1].episode is not None):
                    best[item.sid] = (item, key)
            shows[tmdb] = list(best.values())
        self.franchises = {
            tmdb: sorted(entries, key=lambda e: (e[0].begin or date.min, e[0].sid))
            for tmdb, entries in shows.items()
            if entries[0][0].begin is not None
            and min(e[0].begin or SINCE for e in entries) >= SINCE
        }
        self.multi = sorted(t for t, e in self.franchises.items() if len(e) > 1)
        self.single = sorted(t for t, e in self.franchises.items() if len(e) == 1)
        self.films = sorted(
            (tmdb, found[0])
            for tmdb, found in movies.items()
            if len(found) == 1
            and found[0].kind == "movie"
            and found[0].begin is not None
            and found[0].begin >= SINCE
        )

    @cached_property
    def subjects(self) -> dict[int, dict[str, Any]]:
        return {
            i.sid: _subject_dict(
                i.sid,
                i.title,
                i.begin,
                platform=PLATFORMS.get(i.kind, "TV"),
                name_cn=i.zh_hans[0] if i.zh_hans else "",
                aliases=[*i.en, *i.zh_hans[1:]],
                eps=natural_count(i),
            )
            for i in self.items
        }

    @cached_property
    def titles(self) -> dict[int, tuple[str, ...]]:
        return {
            i.sid: tuple(f for f in (_fold(t) for t in (i.title, *i.zh_hans, *i.en)) if f)
            for i in self.items
        }

    @cached_property
    def episodes(self) -> dict[int, list[dict[str, Any]]]:
        """Plain weekly lists for subjects no world draws (search hits, films)."""
        out = {}
        for i in self.items:
            if i.begin is None:
                continue
            out[i.sid] = [
                patterns.episode(
                    i.sid, i.sid * 1000 + k, 0, k, k, i.begin + timedelta(days=7 * (k - 1)), ""
                )
                for k in range(1, natural_count(i) + 1)
            ]
        return out


class WorldBuilder:
    def __init__(self, universe: Universe, seed: int) -> None:
        self.u = universe
        self.seed = seed
        self.rng = random.Random(seed)
        # Issue 24's quirks (Bangumi date forms, half-sort recaps) are drawn from their own
        # stream, so the worlds drawn before them stay the same worlds.
        self.quirks = random.Random(seed * 1009 + 24)
        self._trakt_ids = itertools.count(seed * 100_000 + 1)
        self._episode_ids = itertools.count(seed * 10_000_000 + 1)
        self._fake_tmdb = itertools.count(90_000_000 + seed * 1000)
        self.catalogue = Catalogue()
        self.catalogue.subjects = self.u.subjects  # read-only: shared by every world
        self.catalogue.episodes = dict(self.u.episodes)
        self.trakt = MemoryTrakt()
        self.seasons: list[SeasonCase] = []
        self.films: list[FilmCase] = []
        self.unlinked: set[int] = set()  # items whose TMDB keys this world removes
        self.slugged: set[int] = set()  # items whose plain keys get a slug suffix
        self.used: set[int] = set()  # subjects whose episodes this world has written

    def draw(self, count: int) -> list[int]:
        rng, chosen = self.rng, list[int]()
        while len(chosen) < count:
            pool = self.u.multi if rng.random() < P_MULTI else self.u.single
            tmdb = rng.choice(pool)
            if tmdb not in chosen:
                chosen.append(tmdb)
        return chosen

    def build(self, franchises: int, films: int) -> RealWorld:
        drawn: list[int] = []
        for tmdb in self.draw(franchises * 2):
            if len(drawn) == franchises:
                break
            if self.franchise(tmdb):
                drawn.append(tmdb)
        for tmdb, item in self.rng.sample(self.u.films, min(films, len(self.u.films))):
            self.film(tmdb, item)
        self.non_anime(drawn)
        return RealWorld(
            f"world {self.seed}",
            self.seed,
            self.index(),
            MemoryBangumi(self.catalogue, search=BangumiLikeSearch(self.catalogue, self.u.titles)),
            self.trakt,
            self.seasons,
            self.films,
        )

    def index(self) -> BangumiDataIndex:
        """The world's bangumi-data, through the project's own parser."""
        raw = []
        for entry in self.u.raw:
            ids = [s.get("id") for s in entry.get("sites") or [] if s.get("site") == "bangumi"]
            sid = int(ids[0]) if ids and str(ids[0]).isdigit() else None
            if sid in self.unlinked or sid in self.slugged:
                sites = []
                for site in entry["sites"]:
                    if site.get("site") == "tmdb":
                        if sid in self.unlinked:
                            continue
                        key = parse_key(str(site["id"]))
                        if key is not None and key.kind == "tv" and key.season is None:
                            site = {**site, "id": f"tv/{key.id}-{_slug(entry)}"}
                    sites.append(site)
                entry = {**entry, "sites": sites}
            raw.append(entry)
        return build_index(json.dumps({"items": raw}, ensure_ascii=False).encode())

    # -- franchises ----------------------------------------------------------------------

    def franchise(self, tmdb: int) -> bool:
        rng = self.rng
        placed = layout(self.u.franchises[tmdb], rng)
        if placed is None or any(p.item.sid in self.used for p in placed):
            return False  # contradicting keys, or a subject another drawn show also has
        self.used |= {p.item.sid for p in placed}
        path = "id"
        if rng.random() < P_TITLE_ONLY:
            path = "title-only"
            self.unlinked |= self.u.keyed[tmdb]
        elif rng.random() < P_SLUG and any(p.key.season is None for p in placed):
            path = "slug-key"
            self.slugged |= {p.item.sid for p in placed}
        first = placed[0].item
        show = self.show(first, tmdb, title_variant=path == "title-only" and rng.random() < 0.25)
        slot = rng.choice(SLOTS)
        continues = rng.random() < P_SORT_CONTINUES
        running = 1
        by_season: dict[int, list[Placed]] = defaultdict(list)
        for p in placed:
            by_season[p.season].append(p)
        chain: list[Placed] = []
        begins = sorted(p.item.begin for p in placed if p.item.begin is not None)
        for season in sorted(by_season):
            parts = sorted(by_season[season], key=lambda p: p.start)
            pattern = _pick(rng, patterns.SEASON_PATTERNS)
            last = parts[-1]
            structural = None
            if cadence(last.item) != 7:
                pattern = "clean"  # a run of days or one drop: no weekly pattern to break
            if pattern == "batch" and len(parts) == 1:
                structural = "batch"
            elif pattern == "recap" and last.count >= 6:
                structural = "recap"
                if self.quirks.random() < patterns.P_HALF_RECAP:
                    structural = "half-recap"
            elif pattern == "premiere" and last.count >= 3:
                structural = rng.choice(("premiere-tmdb", "premiere-bangumi"))
            dates = _pick(self.quirks, patterns.BANGUMI_DATE_RULES)
            rows: list[patterns.Row] = []
            for p in parts:
                assert p.item.begin is not None
                sort_start = running if continues else 1
                made = patterns.synth_part(
                    p.item.sid,
                    p.item.begin,
                    p.count,
                    sort_start,
                    structural if p is last else None,
                    rng,
                    latest=_latest(p.item, begins),
                    flexible=not p.fixed,
                    every=cadence(p.item),
                    quirks=self.quirks,
                )
                listed = patterns.bangumi_dates(made.episodes, dates)
                self.catalogue.episodes[p.item.sid] = listed
                rows += made.rows
                structural = made.structural if p is last else structural
                running += p.count
                chain.append(p)
            applied = structural or "clean"
            if any(cadence(p.item) == 0 for p in parts):
                applied = "web-drop"
            if structural is None and pattern in ("null-date", "day-off"):
                rows = patterns.shift_dates(rows, pattern, rng)
                applied = pattern
            rows, applied = _date_rule(rows, applied, dates)
            franchise = f"{first.title} (tv/{tmdb})"
            self.season(franchise, path, show, season, rows, slot, applied)
        chain.sort(key=lambda p: (p.item.begin or date.min, p.start))
        for a, b in itertools.pairwise(chain):
            self.catalogue.relate(a.item.sid, b.item.sid, "续集", "前传")
        return True

    def show(self, first: Item, tmdb: int, *, title_variant: bool = False) -> TraktShow:
        trakt = next(self._trakt_ids)
        original = _width_variant(first.title) if title_variant else first.title
        self.trakt.aliases[trakt] = [{"title": first.title, "country": "jp"}]
        if first.zh_hans:
            self.trakt.translations[(trakt, "zh")] = [{"title": first.zh_hans[0], "language": "zh"}]
        title = first.en[0] if first.en else first.title
        return TraktShow(
            ids=TraktIds(trakt=trakt, slug=f"show-{trakt}", tmdb=tmdb),
            title=title,
            year=first.begin.year if first.begin else None,
            genres=("anime", "animation"),
            original_title=original,
        )

    def season(
        self,
        franchise: str,
        path: str,
        show: TraktShow,
        season: int,
        rows: Sequence[patterns.Row],
        slot: str,
        pattern: str = "clean",
    ) -> None:
        listing: list[dict[str, Any]] = []
        for n, row in enumerate(rows, start=1):
            listing.append(
                {
                    "season": season,
                    "number": n,
                    "title": row.title or f"Episode {n}",
                    "original_title": row.original_title,
                    "first_aired": aired_at(row.day, slot) if row.day else None,
                    "number_abs": None,
                    "ids": {"trakt": next(self._episode_ids)},
                }
            )
        assert show.ids.trakt is not None
        self.trakt.seasons[(show.ids.trakt, season)] = listing
        watched = len(rows) if self.rng.random() < 0.85 else self.rng.randint(1, len(rows))
        plays = [
            TraktEpisode(
                season=season,
                number=r["number"],
                ids=TraktIds(trakt=r["ids"]["trakt"]),
                title=r["title"],
                first_aired=datetime.fromisoformat(r["first_aired"]) if r["first_aired"] else None,
            )
            for r in listing[:watched]
        ]
        self.seasons.append(
            SeasonCase(
                franchise,
                path,
                show,
                season,
                plays,
                [r.target for r in rows[:watched]],
                [r.pattern for r in rows[:watched]],
                pattern,
            )
        )

    # -- films and non-anime -------------------------------------------------------------

    def film(self, tmdb: int, item: Item) -> None:
        rng = self.rng
        assert item.begin is not None
        path = "title-only" if rng.random() < P_TITLE_ONLY else "id"
        if path == "title-only":
            self.unlinked.add(item.sid)
        main = self.catalogue.episodes[item.sid][0]
        released = item.begin + timedelta(days=rng.choice((0, 0, 0, 1, 2, 7, -1)))
        movie = TraktMovie(
            ids=TraktIds(trakt=next(self._trakt_ids), tmdb=tmdb),
            title=item.en[0] if item.en else item.title,
            year=released.year,
            genres=("anime", "animation"),
            released=released.isoformat(),
            original_title=item.title,
        )
        self.films.append(FilmCase(path, movie, patterns.main_target(main)))

    def non_anime(self, drawn: Sequence[int]) -> None:
        rng = self.rng
        slot = "21:00"
        for title in rng.sample(DRAMAS, 3):
            show = self._other_show(title, title, ("drama", "crime"))
            first = date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))
            rows = [patterns.Row(first + timedelta(days=7 * k), "", NO_MARK) for k in range(8)]
            self.season(title, "non-anime", show, 1, rows, slot)
        # A Japanese live-action adaptation named like one of the anime, airing later.
        item = self.u.franchises[rng.choice(list(drawn))][0][0]
        assert item.begin is not None
        show = self._other_show(item.title, item.title, ("drama", "romance"))
        first = item.begin + timedelta(days=rng.randint(200, 900))
        rows = [patterns.Row(first + timedelta(days=7 * k), "", NO_MARK) for k in range(9)]
        self.season(f"{item.title} (drama)", "non-anime", show, 1, rows, slot)
        movie = TraktMovie(
            ids=TraktIds(trakt=next(self._trakt_ids), tmdb=next(self._fake_tmdb)),
            title=item.en[0] if item.en else item.title,
            year=first.year,
            genres=("drama",),
            released=first.isoformat(),
            original_title=item.title,
        )
        self.films.append(FilmCase("non-anime", movie, NO_MARK))

    def _other_show(self, title: str, original: str, genres: tuple[str, ...]) -> TraktShow:
        trakt = next(self._trakt_ids)
        return TraktShow(
            ids=TraktIds(trakt=trakt, slug=f"show-{trakt}", tmdb=next(self._fake_tmdb)),
            title=title,
            genres=genres,
            original_title=original,
        )


def _date_rule(
    rows: list[patterns.Row], applied: str, dates: str
) -> tuple[list[patterns.Row], str]:
    """The season's pattern and its rows' own patterns once Bangumi's air dates are
    written per ``dates`` (patterns.bangumi_dates): an undated subject is its own pattern
    (then the plays past a half-sort recap are ``half-recap-undated``), and so is a dotted
    one, except that a half-sort recap whose dates are dotted stays ``half-recap``."""
    if dates == "undated":
        label = "half-recap-undated" if applied == "half-recap" else "bgm-undated"
        own = {"half-recap": "half-recap-undated"}
        return [replace(r, pattern=own.get(r.pattern, "bgm-undated")) for r in rows], label
    if dates == "dotted":
        label = applied if applied == "half-recap" else "bgm-dotted"
        rows = [replace(r, pattern="bgm-dotted") if r.pattern == "clean" else r for r in rows]
        return rows, label
    return rows, applied


def _latest(item: Item, begins: Sequence[date]) -> date | None:
    """The last day a subject's run may reach: its end, else the day before the next
    subject of the franchise begins."""
    assert item.begin is not None
    later = [b for b in begins if b > item.begin]
    bounds = [d for d in (item.end, min(later) - timedelta(days=1) if later else None) if d]
    return min(bounds) if bounds else None


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _slug(entry: dict[str, Any]) -> str:
    en = (entry.get("titleTranslate") or {}).get("en") or []
    text = re.sub(r"[^a-z0-9]+", "-", (en[0] if en else "").lower()).strip("-")
    return text or "anime"


_FULL_WIDTH = {
    c: chr(ord(c) + 0xFEE0)
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!?:"
}


def _width_variant(title: str) -> str:
    """How TMDB or Trakt may spell the same title: full-width Latin/digits, or a season word."""
    wide = "".join(_FULL_WIDTH.get(c, c) for c in title)
    return wide if wide != title else f"{title} 第1期"


def build_worlds(
    universe: Universe,
    seeds: Sequence[int],
    *,
    franchises: int = FRANCHISES_PER_WORLD,
    films: int = FILMS_PER_WORLD,
) -> list[RealWorld]:
    return [WorldBuilder(universe, seed).build(franchises, films) for seed in seeds]
