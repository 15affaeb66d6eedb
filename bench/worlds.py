"""Labelled matching worlds for ``bench/matching.py``.

Real data, from ``trakt_sync/fakes/data``: the bangumi-data sample (items, titles, begin/end
days, TMDB keys) and four real Bangumi episode lists. Synthetic, from one seed: the other
episode lists (weekly from the bangumi-data begin day, ``sort`` continuing along a
franchise), Trakt seasons whose ``first_aired`` instants sit at late-night JST slots (some a
day off, some episodes undated), title-only variants, homonyms, compilations, streaming
schedules and non-anime shows. Every play carries the Bangumi subject and episode it
should be marked as, or ``NO_MARK``.

The doubles answer like api.bgm.tv / api.trakt.tv would and count every call.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from trakt_sync.fakes.memory import (
    Catalogue,
    MemoryBangumi,
    MemoryCache,
    MemoryTrakt,
    Search,
    aired_at,
    episode_rows,
    sample_bytes,
    sample_index,
    weekly_days,
)
from trakt_sync.fakes.world import excerpt_episode_lists
from trakt_sync.matching.airdate import parse_day
from trakt_sync.matching.bangumi_data import BangumiDataIndex, DataSubject, TmdbKey
from trakt_sync.matching.context import subject_titles
from trakt_sync.matching.id_table import IdTable, TableRow
from trakt_sync.matching.matcher import Matcher
from trakt_sync.matching.titles import normalize
from trakt_sync.models import (
    SUBJECT_ANIME,
    SUBJECT_BOOK,
    SUBJECT_REAL,
    TraktEpisode,
    TraktIds,
    TraktMovie,
    TraktShow,
)

DEFAULT_SEED = 20260524


# == labels, requests, classes ===========================================================


@dataclass(frozen=True)
class Label:
    """What a play should become on Bangumi; ``NO_MARK`` when nothing may be marked."""

    subject: int | None = None
    episode: int | None = None

    @property
    def marks(self) -> bool:
        return self.subject is not None

    def __str__(self) -> str:
        if self.subject is None:
            return "no mark"
        return f"{self.subject}" + (f"/ep {self.episode}" if self.episode is not None else "")


NO_MARK = Label()


@dataclass(frozen=True)
class CaseClass:
    name: str
    gate: str | None  # "id" | "title" | "non-anime": which pass/fail rule applies
    about: str


CLASSES = (
    CaseClass("id/plain", "id", "plain tv/N key, one subject per season"),
    CaseClass("id/season", "id", "tv/N/season/S key"),
    CaseClass("id/episode-start", "id", "multi-cour TMDB season, /episode/E start keys"),
    CaseClass("id/film", "id", "movie/N key (films, TV specials, OVAs)"),
    CaseClass("title/tv", "title", "TMDB id unknown to bangumi-data: search + air dates"),
    CaseClass("title/film", "title", "film unknown to bangumi-data: search + release"),
    CaseClass("non-anime", "non-anime", "dramas, western animation, live-action films"),
    CaseClass("hard/npm-plain-cours", "id", "later cours with plain tv/N keys only (npm)"),
    CaseClass("hard/sort-continuing", "id", "sequels whose sort continues the franchise"),
    CaseClass("hard/long-running", "id", "absolute numbering; seasons reached by 续集 walk"),
    CaseClass("hard/specials", None, "TMDB season 0: OVAs, TV specials, recaps"),
    CaseClass("hard/compilations", None, "re-edits in search hits and in 续集 relations"),
    CaseClass("hard/live-action", None, "live-action homonyms (Bangumi type 6)"),
    CaseClass("hard/tmdb-extras", None, "episodes TMDB lists and Bangumi does not"),
    CaseClass(
        "hard/streaming-shift",
        None,
        "web-first schedules a week or more off: abstain; one day for all: a batch release",
    ),
    CaseClass("hard/wrong-keys", None, "stale season keys; keys naming the wrong subject"),
    CaseClass("hard/id-table", None, "only the id table links it (TMDB/TVDB/IMDb); some wrong"),
)
CLASS_NAMES = tuple(c.name for c in CLASSES)


@dataclass
class ShowRequest:
    """One ``resolve_season`` call: the plays of one (show, season), as a sync groups them."""

    klass: str
    show: TraktShow
    season: int
    plays: list[TraktEpisode]
    labels: list[Label]

    def __post_init__(self) -> None:
        assert self.klass in CLASS_NAMES, self.klass
        assert len(self.plays) == len(self.labels)


@dataclass
class MovieRequest:
    klass: str
    movie: TraktMovie
    label: Label

    def __post_init__(self) -> None:
        assert self.klass in CLASS_NAMES, self.klass


Request = ShowRequest | MovieRequest


# == doubles =============================================================================


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def fuzzy_search(catalogue: Catalogue, *, honour_filters: bool = True) -> Search:
    """Search over a catalogue, fuzzy like Meilisearch; with ``honour_filters=False`` it also
    ignores the type and date filters (a worst case the matcher must survive by checking
    every hit itself)."""

    def search(
        keyword: str, subject_types: list[int] | None, air_date: list[str] | None
    ) -> list[dict[str, Any]]:
        key = normalize(keyword)
        if not key:
            return []
        scored = []
        for subject in catalogue.subjects.values():
            if honour_filters and not _passes(subject, subject_types, air_date):
                continue
            best = 0.0
            for title in subject_titles(subject):
                name = normalize(title)
                if not name:
                    continue
                if name == key:
                    best = max(best, 3.0)
                elif key in name or name in key:
                    best = max(best, 2.0 + min(len(key), len(name)) / max(len(key), len(name)))
                else:
                    a, b = _bigrams(key), _bigrams(name)
                    dice = 2 * len(a & b) / (len(a) + len(b))
                    if dice >= 0.5:
                        best = max(best, dice)
            if best:
                scored.append((-best, subject["id"], subject))
        scored.sort(key=lambda row: row[:2])
        return [s for _, _, s in scored]

    return search


def _passes(subject: dict[str, Any], types: list[int] | None, air_date: list[str] | None) -> bool:
    if types and subject.get("type") not in types:
        return False
    day = parse_day(subject.get("date"))
    for bound in air_date or []:
        limit = date.fromisoformat(bound.lstrip("<>="))
        if day is None:
            return False
        if bound.startswith(">=") and day < limit:
            return False
        if bound.startswith("<=") and day > limit:
            return False
    return True


@dataclass
class World:
    """One user's view: an index, Bangumi and Trakt as they answer, and the plays to resolve."""

    name: str
    index: BangumiDataIndex
    bangumi: MemoryBangumi
    trakt: MemoryTrakt = field(default_factory=MemoryTrakt)
    requests: list[Request] = field(default_factory=list)
    include_live_action: bool = False
    id_table: IdTable | None = None

    def matcher(self) -> Matcher:
        return Matcher(
            index=lambda: self.index,
            id_table=lambda: self.id_table,
            bangumi=self.bangumi,
            trakt=self.trakt,
            cache=MemoryCache(),
            include_live_action=self.include_live_action,
            clock=lambda: 1_800_000_000.0,
        )

    def calls(self) -> Counter[str]:
        return self.bangumi.tally() + self.trakt.tally()


# == vendored data =======================================================================


@cache
def real_episode_lists() -> dict[int, list[dict[str, Any]]]:
    return excerpt_episode_lists()


@cache
def sample_items() -> tuple[tuple[DataSubject, tuple[TmdbKey, ...]], ...]:
    index = sample_index()
    items = []
    for raw in json.loads(sample_bytes())["items"]:
        ids = [s["id"] for s in raw.get("sites", []) if s.get("site") == "bangumi"]
        if not ids:
            continue
        subject = index.subject(int(ids[0]))
        if subject is not None:
            items.append((subject, tuple(index.tmdb_keys(subject.id))))
    return tuple(items)


def reindex(
    index: BangumiDataIndex,
    tag: str,
    *,
    unlink: Iterable[int] = (),
    drop: Iterable[int] = (),
    add: Sequence[tuple[DataSubject, TmdbKey]] = (),
    rekey: dict[int, TmdbKey] | None = None,
    plain_starts: bool = False,
) -> BangumiDataIndex:
    """A variant of the index: some subjects' TMDB keys (``unlink``) or whole items
    (``drop``) taken out, items added, or (``plain_starts``) start keys of later cours
    turned into plain ``tv/N`` keys as the published npm release has them."""
    unlinked, dropped = set(unlink) | set(drop), set(drop)
    data = index.to_json()
    data["version"] = f"{data['version']}-{tag}"
    data["subjects"] = [row for row in data["subjects"] if row[0] not in dropped]
    links = []
    for text, sid in data["tmdb"]:
        key = TmdbKey.parse(text)
        if sid in unlinked or key is None:
            continue
        if plain_starts and key.episode is not None and key.season not in (None, 0):
            key = TmdbKey(key.kind, key.id)
        key = (rekey or {}).get(sid, key)
        links.append([str(key), sid])
    for subject, key in add:
        day = subject.begin.isoformat() if subject.begin else ""
        data["subjects"].append([subject.id, subject.kind, day, "", subject.title, [], [], []])
        links.append([str(key), subject.id])
    data["tmdb"] = links
    return BangumiDataIndex.from_json(data)


# == time ================================================================================

# Late-night JST slots ("25:05" = 01:05 the next morning, still the earlier broadcast day).
SLOTS: tuple[str, ...]
SLOTS = ("21:54", "22:30", "23:00", "23:30", "24:00", "24:30", "25:05", "25:28", "25:58")
SLOTS += ("26:25", "27:00", "28:30")


def mains(episodes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((e for e in episodes if e["type"] == 0), key=lambda e: e["ep"])


PLATFORMS = {"tv": "TV", "movie": "剧场版", "ova": "OVA", "web": "WEB"}
SEQUEL = re.compile(r"第2期|2nd|シーズン2|Season ?2|[^0-9.]2$", re.IGNORECASE)


def subject_dict(
    sid: int,
    name: str,
    day: date | None,
    *,
    platform: str = "TV",
    stype: int = SUBJECT_ANIME,
    name_cn: str = "",
    aliases: Sequence[str] = (),
    eps: int = 0,
) -> dict[str, Any]:
    return {
        "id": sid,
        "type": stype,
        "name": name,
        "name_cn": name_cn,
        "date": day.isoformat() if day else None,
        "platform": platform,
        "eps": eps,
        "infobox": [
            {"key": "中文名", "value": name_cn},
            {"key": "别名", "value": [{"v": a} for a in aliases]},
        ],
    }


# == the builder =========================================================================

# Bangumi restarts ``sort`` for these later seasons (SPY×FAMILY Season 2 and 3).
SORT_RESTARTS = frozenset({411427, 498378})
ONE_PIECE, ONE_PIECE_TMDB, ONE_PIECE_EPS = 975, 37854, 1150


class Builder:
    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.rng = random.Random(seed)
        self.index = sample_index()
        self.items = sample_items()
        self.by_sid = {s.id: (s, keys) for s, keys in self.items}
        self._trakt_ids = itertools.count(100_001)
        self._episode_ids = itertools.count(50_000_001)
        self._tmdb_ids = itertools.count(8_000_001)  # TMDB ids no bangumi-data item has
        self._sids = itertools.count(9_100_001)  # synthetic Bangumi subjects
        self.layouts = self._layouts()
        self.base = self._catalogue()
        self.worlds: list[World] = []

    # -- the sample as franchises ----------------------------------------------------------

    def _layouts(self) -> dict[int, dict[int, list[tuple[int, int]]]]:
        """TMDB tv id → season → [(first Trakt episode, subject)] from the keys."""
        layouts: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for subject, keys in self.items:
            for key in keys:
                if key.kind == "tv" and key.season is not None:
                    layouts[key.id][key.season].append((key.episode or 1, subject.id))
        for subject, keys in self.items:
            for key in keys:
                if key.kind != "tv" or key.season is not None:
                    continue
                season = 2 if SEQUEL.search(subject.title) else 1
                if not any(start == 1 for start, _ in layouts[key.id][season]):
                    layouts[key.id][season].append((1, subject.id))
        for seasons in layouts.values():
            for rows in seasons.values():
                rows.sort()
        return layouts

    def _natural_count(self, subject: DataSubject) -> int:
        if subject.id == ONE_PIECE:
            return ONE_PIECE_EPS
        if subject.kind == "movie" or subject.begin is None:
            return 1
        if subject.end is None:
            return 12
        weeks = (subject.end - subject.begin).days // 7
        if subject.kind == "ova":
            return 1 if weeks < 6 else 3
        return max(1, min(weeks + 1, 26))

    def _days(self, subject: DataSubject, count: int) -> list[date]:
        assert subject.begin is not None
        if subject.kind == "ova" and count > 1 and subject.end is not None:
            step = (subject.end - subject.begin).days // (count - 1)
            return [subject.begin + timedelta(days=step * k) for k in range(count)]
        return weekly_days(subject.begin, count)

    def _catalogue(self) -> Catalogue:
        real = real_episode_lists()
        counts: dict[int, int] = {}
        chains: dict[int, list[int]] = {}
        for tmdb, seasons in self.layouts.items():
            chain = []
            for season in sorted(s for s in seasons if s != 0):
                rows = seasons[season]
                for (start, sid), nxt in zip(rows, rows[1:] + [(None, None)], strict=True):
                    if nxt[0] is not None:
                        counts[sid] = nxt[0] - start
                    chain.append(sid)
            chains[tmdb] = chain
        sort_start: dict[int, int] = {}
        for chain in chains.values():
            running = 1
            for sid in chain:
                subject = self.by_sid[sid][0]
                n = len(mains(real[sid])) if sid in real else counts.get(sid)
                n = n or self._natural_count(subject)
                counts[sid] = n
                sort_start[sid] = 1 if sid in SORT_RESTARTS else running
                running = sort_start[sid] + n

        catalogue = Catalogue()
        for subject, _ in self.items:
            if subject.begin is None:
                continue
            sid = subject.id
            count = counts.get(sid) or self._natural_count(subject)
            if sid in real:
                episodes = [dict(e) for e in real[sid]]
                if sid == 55770:  # the excerpt stops at ep 15 of 25
                    last = date.fromisoformat(mains(episodes)[-1]["airdate"])
                    more = episode_rows(sid, weekly_days(last + timedelta(days=7), 10))
                    episodes += [{**e, "ep": e["ep"] + 15, "sort": e["sort"] + 15} for e in more]
            else:
                names = [f"{subject.title} 第{k}話「{sid % 997}-{k}」" for k in range(1, count + 1)]
                episodes = episode_rows(
                    sid, self._days(subject, count), sort_start=sort_start.get(sid, 1), names=names
                )
            catalogue.add(self._subject(subject, len(mains(episodes))), episodes)
        for chain in chains.values():
            for a, b in itertools.pairwise(chain):
                catalogue.relate(a, b, "续集", "前传")
        return catalogue

    def _subject(self, subject: DataSubject, eps: int) -> dict[str, Any]:
        return subject_dict(
            subject.id,
            subject.title,
            subject.begin,
            platform=PLATFORMS.get(subject.kind, "TV"),
            name_cn=subject.zh_hans[0] if subject.zh_hans else "",
            aliases=[*subject.en, *subject.zh_hant],
            eps=eps,
        )

    # -- small helpers ---------------------------------------------------------------------

    def world(self, name: str, index: BangumiDataIndex | None = None, **kw: Any) -> World:
        honour = kw.pop("honour_filters", self.rng.random() < 0.5)
        catalogue = kw.pop("catalogue", None) or self.base.fork()
        world = World(
            name,
            index or self.index,
            MemoryBangumi(catalogue, search=fuzzy_search(catalogue, honour_filters=honour)),
            **kw,
        )
        self.worlds.append(world)
        return world

    def new_sid(self) -> int:
        return next(self._sids)

    def show(
        self,
        world: World,
        title: str,
        tmdb: int | None,
        *,
        original_title: str | None = None,
        genres: Sequence[str] = ("anime", "animation"),
        aliases: Sequence[tuple[str, str]] = (),
        translations: Sequence[tuple[str, str]] = (),
        year: int | None = None,
    ) -> TraktShow:
        trakt = next(self._trakt_ids)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or f"show-{trakt}"
        world.trakt.aliases[trakt] = [{"title": t, "country": c} for t, c in aliases]
        for text, language in translations:
            world.trakt.translations.setdefault((trakt, language), []).append(
                {"title": text, "language": language}
            )
        return TraktShow(
            ids=TraktIds(trakt=trakt, slug=f"{slug}-{trakt}", tmdb=tmdb),
            title=title,
            year=year,
            genres=tuple(genres),
            original_title=original_title,
        )

    def season(
        self,
        world: World,
        klass: str,
        show: TraktShow,
        season: int,
        entries: Sequence[tuple[date | None, Label]],
        *,
        slot: str | None = None,
        shift: int | None = None,
        abs_start: int | None = None,
        titles: dict[int, str] | None = None,
        numbers: Sequence[int] | None = None,
        played: Iterable[int] | None = None,
    ) -> ShowRequest:
        """A Trakt season (rows on the double) and the request playing it.

        ``entries`` are the season's episodes in order: their Japanese broadcast day and
        label. Trakt's instants sit at ``slot`` JST, the whole season ``shift`` days off
        and single episodes a day off now and then; some plays carry no air date.
        """
        rng = self.rng
        slot = slot or rng.choice(SLOTS)
        if shift is None:
            shift = rng.choices((0, 1, -1), (0.7, 0.15, 0.15))[0]
        numbers = list(numbers or range(1, len(entries) + 1))
        rows: list[dict[str, Any]] = []
        for n, (day, _) in zip(numbers, entries, strict=True):
            # single episodes a day off, in seasons not already a day off as a whole
            jitter = rng.choice((1, -1)) if shift == 0 and rng.random() < 0.1 else 0
            rows.append(
                {
                    "season": season,
                    "number": n,
                    "title": f"Episode {n}",
                    "original_title": (titles or {}).get(n),
                    "first_aired": None
                    if day is None or rng.random() < 0.03
                    else aired_at(day, slot, shift + jitter),
                    "number_abs": None if abs_start is None else abs_start + n - numbers[0],
                    "ids": {"trakt": next(self._episode_ids)},
                }
            )
        assert show.ids.trakt is not None
        world.trakt.seasons[(show.ids.trakt, season)] = rows
        wanted = set(played) if played is not None else set(numbers)
        plays, labels = [], []
        for row, (_, label) in zip(rows, entries, strict=True):
            if row["number"] not in wanted:
                continue
            dated = row["first_aired"] and rng.random() < 0.8
            plays.append(
                TraktEpisode(
                    season=season,
                    number=row["number"],
                    ids=TraktIds(trakt=row["ids"]["trakt"]),
                    title=row["title"],
                    number_abs=row["number_abs"],
                    first_aired=datetime.fromisoformat(row["first_aired"]) if dated else None,
                )
            )
            labels.append(label)
        request = ShowRequest(klass, show, season, plays, labels)
        world.requests.append(request)
        return request

    def entries(
        self, catalogue: Catalogue, sid: int, count: int | None = None
    ) -> list[tuple[date | None, Label]]:
        """A subject's main episodes as (broadcast day, label) rows."""
        listed = mains(catalogue.episodes[sid])[:count]
        return [(parse_day(e["airdate"]), Label(sid, e["id"])) for e in listed]

    def franchise_show(self, world: World, tmdb: int) -> TraktShow:
        first = min(
            (self.by_sid[sid][0] for rows in self.layouts[tmdb].values() for _, sid in rows),
            key=lambda s: s.begin or date.max,
        )
        title = first.en[0] if first.en else first.title
        return self.show(
            world,
            title,
            tmdb,
            original_title=first.title,
            genres=("anime", "animation", self.rng.choice(("action", "comedy", "drama"))),
        )

    def layout_entries(
        self, catalogue: Catalogue, tmdb: int, season: int
    ) -> list[tuple[date | None, Label]]:
        rows: list[tuple[date | None, Label]] = []
        for _, sid in self.layouts[tmdb][season]:
            rows += self.entries(catalogue, sid)
        return rows

    # == case classes ======================================================================

    def single_subject_items(self) -> list[tuple[DataSubject, TmdbKey]]:
        """tv/web items that are the only subject of their TMDB show, with that key."""
        out = []
        for subject, keys in self.items:
            if subject.kind not in ("tv", "web") or len(keys) != 1 or subject.begin is None:
                continue
            key = keys[0]
            if key.kind != "tv" or key.season == 0 or key.episode is not None:
                continue
            listed = mains(self.base.episodes.get(subject.id, []))
            if len(self.index.tv(key.id)) == 1 and len(listed) >= 2:
                out.append((subject, key))
        return out

    def build_id_single(self) -> None:
        for subject, key in self.single_subject_items():
            world = self.world(f"id {subject.title}")
            show = self.show(
                world,
                subject.en[0] if subject.en else subject.title,
                key.id,
                original_title=subject.title,
            )
            season = key.season if key.season is not None else self._plain_season(subject)
            klass = "id/plain" if key.season is None else "id/season"
            rows = self.entries(world.bangumi.catalogue, subject.id)
            self.season(world, klass, show, season, rows)

    def _plain_season(self, subject: DataSubject) -> int:
        return 2 if SEQUEL.search(subject.title) else 1

    def build_franchises(self) -> None:
        """The sample's franchises, every season of each on one Trakt show."""
        roles = {
            1429: {
                1: "id/plain",
                2: "hard/sort-continuing",
                3: "id/episode-start",
                4: "id/episode-start",
            },
            65942: {1: "id/episode-start"},
            120089: {1: "id/episode-start", 2: "id/season", 3: "id/season"},
            203737: {1: "id/episode-start"},
        }
        for tmdb, by_season in roles.items():
            world = self.world(f"franchise tv/{tmdb}")
            show = self.franchise_show(world, tmdb)
            absolute = 1
            for season in sorted(by_season):
                rows = self.layout_entries(world.bangumi.catalogue, tmdb, season)
                with_abs = tmdb in (1429, 65942)
                self.season(
                    world,
                    by_season[season],
                    show,
                    season,
                    rows,
                    abs_start=absolute if with_abs else None,
                )
                absolute += len(rows)
            self.specials(world, show, tmdb)
        self.build_sort_continuing()

    def build_sort_continuing(self) -> None:
        """SNK S2-S4 and Re:Zero cours on their own: keyed seasons whose sort continues,
        with a film listed as 续集 on the way (Bangumi relations are not always clean)."""
        world = self.world("sort-continuing SNK")
        catalogue = world.bangumi.catalogue
        film = self.new_sid()
        catalogue.add(
            subject_dict(film, "進撃の巨人 劇場版", date(2018, 1, 13), platform="剧场版"),
            episode_rows(film, [date(2018, 1, 13)]),
        )
        catalogue.relations[118335].insert(0, {**_rel(catalogue, film), "relation": "续集"})
        show = self.franchise_show(world, 1429)
        for season in (2, 3, 4):
            rows = self.layout_entries(catalogue, 1429, season)
            self.season(world, "hard/sort-continuing", show, season, rows)

    def specials(self, world: World, show: TraktShow, tmdb: int) -> None:
        """TMDB season 0: keyed OVAs/specials, continuation episodes placed by air date and
        title, a recap Bangumi keeps as an SP, and extras Bangumi does not list."""
        catalogue = world.bangumi.catalogue
        layout = self.layouts[tmdb].get(0, [])
        entries: dict[int, tuple[date | None, Label]] = {}
        titles: dict[int, str] = {}
        seasonal = [sid for start, sid in layout if start == 1 and self._season_keyed(sid, tmdb)]
        keyed = [(start, sid) for start, sid in layout if sid not in seasonal]
        n = 1
        for sid in sorted(seasonal, key=lambda s: self.by_sid[s][0].begin or date.min):
            for e in mains(catalogue.episodes[sid]):
                entries[n] = (parse_day(e["airdate"]), Label(sid, e["id"]))
                if self.rng.random() < 0.5:
                    titles[n] = e["name"]
                n += 1
        for start, sid in keyed:
            for k, e in enumerate(mains(catalogue.episodes[sid])):
                entries[start + k] = (parse_day(e["airdate"]), Label(sid, e["id"]))
                if k and self.rng.random() < 0.5:
                    titles[start + k] = e["name"]
        if tmdb == 1429:  # the recap Bangumi lists as SP sort 13.5 of season 1
            recap = next(e for e in catalogue.episodes[55770] if e["type"] == 1)
            entries[5] = (parse_day(recap["airdate"]), Label(55770, recap["id"]))
            titles[5] = recap["name"]
        for extra in range(1, 4):  # TMDB extras (trailers, web shorts) Bangumi does not list
            number = max(entries, default=0) + extra
            entries[number] = (date(2012 + extra, 2, 11), NO_MARK)
        numbers = sorted(entries)
        self.season(
            world,
            "hard/specials",
            show,
            0,
            [entries[k] for k in numbers],
            numbers=numbers,
            titles=titles,
        )

    def _season_keyed(self, sid: int, tmdb: int) -> bool:
        return any(
            k.id == tmdb and k.season == 0 and k.episode is None for k in self.by_sid[sid][1]
        )

    def build_lone_specials(self) -> None:
        """OVAs whose only key is ``tv/N/season/0``: Trakt S0 of a show Bangumi splits."""
        for subject, keys in self.items:
            if len(keys) == 1 and keys[0].season == 0 and len(self.index.tv(keys[0].id)) == 1:
                world = self.world(f"special {subject.title}")
                show = self.show(world, subject.en[0] if subject.en else subject.title, keys[0].id)
                self.specials(world, show, keys[0].id)

    def build_one_piece(self) -> None:
        world = self.world("One Piece")
        catalogue = world.bangumi.catalogue
        show = self.franchise_show(world, ONE_PIECE_TMDB)
        episodes = mains(catalogue.episodes[ONE_PIECE])
        # TMDB splits the one Bangumi subject into 22 arc-sized seasons.
        weights = [self.rng.uniform(0.5, 1.5) for _ in range(22)]
        sizes = [int(w / sum(weights) * len(episodes)) for w in weights]
        sizes[-1] += len(episodes) - sum(sizes)
        start = 0
        for season, size in enumerate(sizes, start=1):
            chunk = episodes[start : start + size]
            rows = [(parse_day(e["airdate"]), Label(ONE_PIECE, e["id"])) for e in chunk]
            if season in (1, 2, len(sizes) // 2, len(sizes) - 1, len(sizes)):
                self.season(world, "hard/long-running", show, season, rows, abs_start=start + 1)
            start += size
        elbaf = self.layouts[ONE_PIECE_TMDB][23]
        self.season(
            world,
            "id/season",
            show,
            23,
            self.entries(catalogue, elbaf[0][1]),
            abs_start=start + 1,
        )
        self.specials(world, show, ONE_PIECE_TMDB)

    def build_donghua(self) -> None:
        """A donghua Bangumi splits per season (sort continuing) while TMDB keeps one
        absolute season; bangumi-data only knows the first: the rest come by the walk."""
        for variant in range(3):
            tmdb = next(self._tmdb_ids)
            sids = [self.new_sid() for _ in range(3)]
            catalogue = self.base.fork()
            first = date(2018 + variant, 1 + 3 * variant, 6 + variant)
            sort = 1
            for part, sid in enumerate(sids):
                count = (26, 24, 20)[part]
                catalogue.add(
                    subject_dict(
                        sid,
                        f"斗罗天下{variant} 第{part + 1}季",
                        first,
                        platform="WEB",
                        name_cn=f"斗罗天下{variant} 第{part + 1}季",
                    ),
                    episode_rows(sid, weekly_days(first, count), sort_start=sort),
                )
                sort += count
                first += timedelta(days=7 * count + 7 * self.rng.randint(8, 40))
            for a, b in itertools.pairwise(sids):
                catalogue.relate(a, b, "续集", "前传")
            data = DataSubject(
                sids[0],
                "web",
                parse_day(catalogue.subjects[sids[0]]["date"]),
                None,
                catalogue.subjects[sids[0]]["name"],
            )
            index = reindex(self.index, f"donghua{variant}", add=[(data, TmdbKey("tv", tmdb))])
            world = self.world(f"donghua {variant}", index, catalogue=catalogue)
            show = self.show(
                world, f"Douluo Tianxia {variant}", tmdb, genres=("donghua", "animation")
            )
            rows = []
            for sid in sids:
                rows += self.entries(catalogue, sid)
            self.season(world, "hard/long-running", show, 1, rows, abs_start=1, shift=0)

    def build_films(self) -> None:
        for subject, keys in self.items:
            movie_keys = [k for k in keys if k.kind == "movie"]
            if not movie_keys or subject.begin is None:
                continue
            for variant in range(2):
                world = self.world(f"film {subject.title} {variant}")
                released = subject.begin + timedelta(days=self.rng.choice((0, 0, 1, 30, 200, -40)))
                movie = TraktMovie(
                    ids=TraktIds(trakt=next(self._trakt_ids), tmdb=movie_keys[0].id),
                    title=subject.en[0] if subject.en else subject.title,
                    year=released.year,
                    genres=("anime", "animation"),
                    released=released.isoformat(),
                    original_title=subject.title,
                )
                world.requests.append(MovieRequest("id/film", movie, Label(subject.id)))

    # -- title-only ------------------------------------------------------------------------

    def build_title_only(self) -> None:
        single = [s for s, _ in self.single_subject_items()]
        unkeyed = [
            s
            for s, keys in self.items
            if not keys
            and s.kind in ("tv", "web")
            and s.begin is not None
            and s.id != 296195
            and len(mains(self.base.episodes.get(s.id, []))) >= 2
        ]
        for subject in single + unkeyed:
            for variant in range(2):
                self._title_only_tv(subject, variant)
        for subject, keys in self.items:
            if any(k.kind == "movie" for k in keys) and subject.begin is not None:
                self._title_only_film(subject)

    def _title_titles(
        self, subject: DataSubject
    ) -> tuple[str, str | None, list[tuple[str, str]], list[tuple[str, str]]]:
        """(Trakt title, original title, aliases, translations) as Trakt might list them."""
        rng = self.rng
        title = subject.en[0] if subject.en else f"Romaji Title {subject.id}"
        original = subject.title if rng.random() < 0.6 else None
        aliases: list[tuple[str, str]] = []
        if original is None or rng.random() < 0.5:
            if rng.random() < 0.8:
                aliases.append((subject.title, "jp"))
            if subject.zh_hans:
                aliases.append((subject.zh_hans[0], "cn"))
        aliases.append((title, "us"))
        translations = (
            [(subject.zh_hans[0], "zh")] if subject.zh_hans and rng.random() < 0.5 else []
        )
        return title, original, aliases, translations

    def _title_only_tv(self, subject: DataSubject, variant: int) -> None:
        rng = self.rng
        # bangumi-data lacks the item, or has it without a TMDB key
        if rng.random() < 0.5:
            index = reindex(self.index, f"t{subject.id}", drop=[subject.id])
        else:
            index = reindex(self.index, f"t{subject.id}", unlink=[subject.id])
        world = self.world(f"title {subject.title} {variant}", index)
        catalogue = world.bangumi.catalogue
        self._noise(catalogue, subject)
        title, original, aliases, translations = self._title_titles(subject)
        tmdb = next(self._tmdb_ids) if rng.random() < 0.8 else None
        show = self.show(
            world,
            title,
            tmdb,
            original_title=original,
            aliases=aliases,
            translations=translations,
        )
        self.season(
            world,
            "title/tv",
            show,
            self._plain_season(subject),
            self.entries(catalogue, subject.id),
        )

    def _noise(self, catalogue: Catalogue, subject: DataSubject) -> None:
        """Same-name subjects search also finds: the manga, a later season, a film, a
        live-action drama of another year — each must be rejected by type, date or kind."""
        assert subject.begin is not None
        rng = self.rng
        if rng.random() < 0.5:
            sid = self.new_sid()
            catalogue.add(
                subject_dict(
                    sid,
                    subject.title,
                    subject.begin - timedelta(days=900),
                    stype=SUBJECT_BOOK,
                    platform="漫画",
                ),
                [],
            )
        if rng.random() < 0.5:
            sid = self.new_sid()
            day = subject.begin + timedelta(days=rng.randint(500, 900))
            catalogue.add(
                subject_dict(sid, f"{subject.title} 第2期", day, eps=12),
                episode_rows(sid, weekly_days(day, 12), sort_start=13),
            )
            catalogue.relate(subject.id, sid, "续集", "前传")
        if rng.random() < 0.3:
            sid = self.new_sid()
            day = subject.begin + timedelta(days=rng.choice((14, 60, 400)))
            catalogue.add(
                subject_dict(sid, f"劇場版 {subject.title}", day, platform="剧场版"),
                episode_rows(sid, [day]),
            )
        if rng.random() < 0.3:
            sid = self.new_sid()
            day = subject.begin + timedelta(days=rng.choice((-1200, 1500)))
            catalogue.add(
                subject_dict(sid, subject.title, day, stype=SUBJECT_REAL, platform="日剧"),
                episode_rows(sid, weekly_days(day, 10)),
            )

    def _title_only_film(self, subject: DataSubject) -> None:
        assert subject.begin is not None
        rng = self.rng
        index = reindex(self.index, f"f{subject.id}", unlink=[subject.id])
        world = self.world(f"title film {subject.title}", index)
        catalogue = world.bangumi.catalogue
        if rng.random() < 0.5:  # the TV series of the same name, years earlier
            sid = self.new_sid()
            day = subject.begin - timedelta(days=rng.randint(400, 1500))
            catalogue.add(
                subject_dict(sid, subject.title, day), episode_rows(sid, weekly_days(day, 12))
            )
        released = subject.begin + timedelta(days=rng.choice((0, 0, 1, 45, 180)))
        movie = TraktMovie(
            ids=TraktIds(trakt=next(self._trakt_ids), tmdb=next(self._tmdb_ids)),
            title=subject.en[0] if subject.en else subject.title,
            year=released.year,
            genres=("anime", "animation"),
            released=released.isoformat(),
            original_title=subject.title,
        )
        world.requests.append(MovieRequest("title/film", movie, Label(subject.id)))

    # -- hard cases ------------------------------------------------------------------------

    def build_npm_cours(self) -> None:
        """The franchises again, on an index whose start keys are plain ``tv/N`` keys."""
        index = reindex(self.index, "npm", plain_starts=True)
        for tmdb, seasons in ((120089, (1,)), (65942, (1,)), (203737, (1,)), (1429, (3, 4))):
            world = self.world(f"npm tv/{tmdb}", index)
            show = self.franchise_show(world, tmdb)
            for season in seasons:
                rows = self.layout_entries(world.bangumi.catalogue, tmdb, season)
                self.season(world, "hard/npm-plain-cours", show, season, rows)

    def build_compilations(self) -> None:
        # Re:Zero before bangumi-data listed its later cours: reached by walking 续集 from
        # season 1, past the 新編集版 re-edit that a dirty relation lists as a 续集 too.
        later = [278826, 316247, 425998, 510728, 547888]
        index = reindex(self.index, "rezero-s1-only", unlink=later)
        world = self.world("compilation walk Re:Zero", index)
        catalogue = world.bangumi.catalogue
        catalogue.relations[140001].insert(0, {**_rel(catalogue, 296195), "relation": "续集"})
        show = self.franchise_show(world, 65942)
        rows: list[tuple[date | None, Label]] = []
        for sid in (140001, 278826, 316247, 425998):
            rows += self.entries(catalogue, sid)
        self.season(world, "hard/compilations", show, 1, rows)
        # Title-only shows whose search also finds a re-edit broadcast in the same weeks.
        for subject, _ in self.single_subject_items()[::4]:
            assert subject.begin is not None
            index = reindex(self.index, f"x{subject.id}", unlink=[subject.id])
            world = self.world(f"compilation title {subject.title}", index)
            catalogue = world.bangumi.catalogue
            cut = self.new_sid()
            listed = mains(catalogue.episodes[subject.id])
            days = [date.fromisoformat(e["airdate"]) for e in listed]
            catalogue.add(
                subject_dict(cut, f"{subject.title} 総集編", subject.begin),
                episode_rows(cut, days),
            )
            catalogue.relate(subject.id, cut, "总集篇")
            title, original, aliases, translations = self._title_titles(subject)
            show = self.show(
                world,
                title,
                next(self._tmdb_ids),
                original_title=subject.title,
                aliases=aliases,
                translations=translations,
            )
            self.season(world, "hard/compilations", show, 1, self.entries(catalogue, subject.id))

    def build_live_action(self) -> None:
        single = self.single_subject_items()
        for k, (subject, _) in enumerate(single[1::4]):
            assert subject.begin is not None
            index = reindex(self.index, f"x{subject.id}", unlink=[subject.id])
            drama = self.new_sid()
            catalogue = self.base.fork()
            days = [date.fromisoformat(e["airdate"]) for e in mains(catalogue.episodes[subject.id])]
            # The drama shares the name and, worst case, the very broadcast days.
            catalogue.add(
                subject_dict(
                    drama, subject.title, subject.begin, stype=SUBJECT_REAL, platform="日剧"
                ),
                episode_rows(drama, days),
            )
            anime_on_bangumi = k % 2 == 0
            if not anime_on_bangumi:
                del catalogue.subjects[subject.id]
            world = self.world(f"live-action {subject.title}", index, catalogue=catalogue)
            show = self.show(
                world,
                subject.en[0] if subject.en else subject.title,
                next(self._tmdb_ids),
                original_title=subject.title,
            )
            rows = self.entries(catalogue, subject.id)
            if not anime_on_bangumi:
                rows = [(day, NO_MARK) for day, _ in rows]
            self.season(world, "hard/live-action", show, 1, rows)
            # The drama itself on Trakt: out of scope unless live action is enabled.
            for enabled in (False, True) if not anime_on_bangumi else (False,):
                world = self.world(
                    f"drama {subject.title} {enabled}",
                    index,
                    catalogue=catalogue,
                    include_live_action=enabled,
                )
                show = self.show(
                    world,
                    f"{subject.title} (drama)",
                    next(self._tmdb_ids),
                    original_title=subject.title,
                    genres=("drama", "comedy"),
                )
                rows = self.entries(catalogue, drama)
                if not enabled:
                    rows = [(day, NO_MARK) for day, _ in rows]
                self.season(world, "hard/live-action", show, 1, rows)

    def build_tmdb_extras(self) -> None:
        """TMDB lists a bonus episode months after the finale, or a recap mid-season."""
        for k, (subject, key) in enumerate(self.single_subject_items()[2::5]):
            world = self.world(f"extras {subject.title}", self.index)
            show = self.show(
                world,
                subject.en[0] if subject.en else subject.title,
                key.id,
                original_title=subject.title,
            )
            rows = self.entries(world.bangumi.catalogue, subject.id)
            last = rows[-1][0]
            assert last is not None
            if k % 2 == 0 or len(rows) < 6:
                rows.append((last + timedelta(days=120), NO_MARK))
            else:
                # Bangumi kept the recap week out of its main episodes.
                mid = len(rows) // 2
                recap = rows[mid][0]
                assert recap is not None
                later = [
                    (day + timedelta(days=7) if day else None, label) for day, label in rows[mid:]
                ]
                catalogue = world.bangumi.catalogue
                shifted = [
                    {
                        **e,
                        "airdate": (
                            date.fromisoformat(e["airdate"]) + timedelta(days=7)
                        ).isoformat(),
                    }
                    if e["ep"] > mid
                    else e
                    for e in mains(catalogue.episodes[subject.id])
                ]
                catalogue.episodes[subject.id] = shifted
                rows = rows[:mid] + [(recap, NO_MARK)] + later
            season = key.season if key.season is not None else self._plain_season(subject)
            self.season(world, "hard/tmdb-extras", show, season, rows)

    def build_streaming_shift(self) -> None:
        """Trakt has the streaming dates: a week or two off (numbers and dates disagree: no
        mark), or every episode on one day, a batch release an id key places by numbering."""
        kinds = ("+7", "-7", "binge", "+14")
        for k, (subject, key) in enumerate(self.single_subject_items()[1::3]):
            kind = kinds[k % len(kinds)]
            world = self.world(f"streaming {subject.title} {kind}")
            show = self.show(
                world,
                subject.en[0] if subject.en else subject.title,
                key.id,
                original_title=subject.title,
            )
            rows = self.entries(world.bangumi.catalogue, subject.id)
            first = rows[0][0]
            assert first is not None
            shifted: list[tuple[date | None, Label]] = []
            for day, label in rows:
                assert day is not None
                if kind == "binge":
                    shifted.append((first + timedelta(days=3), label))
                else:
                    shifted.append((day + timedelta(days=int(kind)), NO_MARK))
            season = key.season if key.season is not None else self._plain_season(subject)
            self.season(world, "hard/streaming-shift", show, season, shifted, shift=0)
        # A multi-cour season released a week later everywhere.
        world = self.world("streaming SPY +7")
        show = self.franchise_show(world, 120089)
        rows = self.layout_entries(world.bangumi.catalogue, 120089, 1)
        late = [(day + timedelta(days=7) if day else None, NO_MARK) for day, _ in rows]
        self.season(world, "hard/streaming-shift", show, 1, late, shift=0)

    def build_wrong_keys(self) -> None:
        # TMDB once had SPY×FAMILY's second cour as season 2; bangumi-data still says so.
        stale = {
            373267: TmdbKey("tv", 120089, 2),
            411427: TmdbKey("tv", 120089, 3),
            498378: TmdbKey("tv", 120089, 4),
        }
        world = self.world("stale keys SPY", reindex(self.index, "stale", rekey=stale))
        show = self.franchise_show(world, 120089)
        for season in (1, 2, 3):
            rows = self.layout_entries(world.bangumi.catalogue, 120089, season)
            self.season(world, "hard/wrong-keys", show, season, rows)
        # The show's key names another show's subject, airing days or a week apart (or a
        # year later on the same weekday): the right subject is unreachable, so abstain.
        offsets = (3, -3, 7, -7, 364, -4)  # ≥ 3 days: Trakt itself may be a day off
        for k, (subject, key) in enumerate(self.single_subject_items()[::5]):
            catalogue = self.base.fork()
            decoy = self.new_sid()
            listed = mains(catalogue.episodes[subject.id])
            days = [
                date.fromisoformat(e["airdate"]) + timedelta(days=offsets[k % 6]) for e in listed
            ]
            catalogue.add(
                subject_dict(decoy, f"別の作品 {decoy}", days[0]), episode_rows(decoy, days)
            )
            data = DataSubject(decoy, "tv", days[0], days[-1], f"別の作品 {decoy}")
            index = reindex(self.index, f"w{decoy}", unlink=[subject.id], add=[(data, key)])
            world = self.world(f"wrong key {subject.title}", index, catalogue=catalogue)
            show = self.show(
                world,
                subject.en[0] if subject.en else subject.title,
                key.id,
                original_title=subject.title,
            )
            season = key.season if key.season is not None else self._plain_season(subject)
            self.season(world, "hard/wrong-keys", show, season, self.entries(catalogue, subject.id))

    def build_non_anime(self) -> None:
        rng = self.rng
        dramas = (
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
        )
        for k, title in enumerate(dramas):
            world = self.world(f"drama {title}")
            show = self.show(
                world, title, next(self._tmdb_ids), genres=("drama", "crime"), year=2008 + k
            )
            first = date(2008 + k, 1 + k % 12, 6 + k)
            self.season(
                world, "non-anime", show, 1 + k % 3, [(d, NO_MARK) for d in weekly_days(first, 8)]
            )
        # Western animation named like an anime (the English alias), in another year.
        for subject, _ in self.single_subject_items()[::3]:
            if not subject.en or subject.begin is None:
                continue
            world = self.world(f"cartoon {subject.en[0]}")
            show = self.show(
                world,
                subject.en[0],
                next(self._tmdb_ids),
                genres=("animation", "comedy", "family"),
                original_title=subject.en[0],
            )
            first = subject.begin + timedelta(days=rng.choice((-730, 420, 1100)))
            self.season(world, "non-anime", show, 1, [(d, NO_MARK) for d in weekly_days(first, 10)])
        # Japanese live-action adaptations with the anime's own title.
        for subject, _ in self.single_subject_items()[1::3]:
            assert subject.begin is not None
            world = self.world(f"j-drama {subject.title}")
            show = self.show(
                world,
                subject.title,
                next(self._tmdb_ids),
                original_title=subject.title,
                genres=("drama", "romance"),
                aliases=[(subject.title, "jp")],
            )
            first = subject.begin + timedelta(days=rng.randint(200, 900))
            self.season(world, "non-anime", show, 1, [(d, NO_MARK) for d in weekly_days(first, 9)])
        films = [s for s, keys in self.items if any(k.kind == "movie" for k in keys)]
        for k, subject in enumerate(films):
            assert subject.begin is not None
            world = self.world(f"non-anime film {subject.title}")
            animated = k % 2 == 0
            released = subject.begin + timedelta(days=rng.choice((500, -800, 1200)))
            movie = TraktMovie(
                ids=TraktIds(trakt=next(self._trakt_ids), tmdb=next(self._tmdb_ids)),
                title=subject.en[0] if subject.en else subject.title,
                year=released.year,
                genres=("animation", "family") if animated else ("drama",),
                released=released.isoformat(),
                original_title=subject.title if not animated else None,
            )
            world.requests.append(MovieRequest("non-anime", movie, NO_MARK))

    def build(self) -> list[World]:
        self.build_id_single()
        self.build_franchises()
        self.build_lone_specials()
        self.build_one_piece()
        self.build_donghua()
        self.build_films()
        self.build_title_only()
        self.build_npm_cours()
        self.build_compilations()
        self.build_live_action()
        self.build_tmdb_extras()
        self.build_streaming_shift()
        self.build_wrong_keys()
        self.build_non_anime()
        self.build_id_table()
        return self.worlds

    def build_id_table(self) -> None:
        """Shows bangumi-data has no key for, linked only by the further id table: by a
        season-level TMDB key, a TVDB id, an (episode-level) IMDb id, or a TMDB key that
        names another show's subject airing days or a week apart (must not be marked)."""
        offsets = (3, -7, 364)
        for k, (subject, key) in enumerate(self.single_subject_items()[1::3]):
            assert subject.begin is not None
            variant = k % 4
            catalogue = self.base.fork()
            index = reindex(self.index, f"x{subject.id}", unlink=[subject.id])
            season = key.season if key.season is not None else self._plain_season(subject)
            target, day = subject.id, subject.begin
            if variant == 3:
                target = self.new_sid()
                listed = mains(catalogue.episodes[subject.id])
                days = [
                    date.fromisoformat(e["airdate"]) + timedelta(days=offsets[k % 3])
                    for e in listed
                ]
                catalogue.add(
                    subject_dict(target, f"別の作品 {target}", days[0]),
                    episode_rows(target, days),
                )
                day = days[0]
            row = TableRow(target, subject.title, f"{day.year:04d}-{day.month:02d}")
            ids: dict[str, Any] = {}
            if variant in (0, 3):
                row = replace(row, tmdb=TmdbKey("tv", key.id, season))
            elif variant == 1:
                row = replace(row, tvdb=900000 + subject.id)
                ids = {"tmdb": None, "tvdb": 900000 + subject.id}
            else:
                row = replace(row, imdb=f"tt9{subject.id:07d}")
                ids = {"tmdb": None, "imdb": f"tt9{subject.id:07d}"}
            table = IdTable(f"bench-{subject.id}", [row])
            world = self.world(
                f"id table {subject.title}", index, catalogue=catalogue, id_table=table
            )
            show = self.show(
                world,
                subject.en[0] if subject.en else subject.title,
                key.id,
                original_title=subject.title,
            )
            show = replace(show, ids=replace(show.ids, **ids))
            self.season(world, "hard/id-table", show, season, self.entries(catalogue, subject.id))


def _rel(catalogue: Catalogue, sid: int) -> dict[str, Any]:
    subject = catalogue.subjects[sid]
    return {"id": sid, "type": subject["type"], "name": subject["name"], "name_cn": ""}


def build_worlds(seed: int = DEFAULT_SEED) -> list[World]:
    return Builder(seed).build()
