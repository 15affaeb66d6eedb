"""Worlds of a given number of Trakt plays for ``bench/perf.py``, served by the fakes.

Real, from the bangumi-data the fake CDN serves (the full pinned release of ``bench/realdata.py``,
or the vendored sample in ``trakt_sync/fakes/data``): every TV
franchise's TMDB keys (``tv/N`` starts season 1, ``tv/N/season/S[/episode/E]`` where a
subject starts), Bangumi subject ids, titles and first broadcast instants, and its anime
films. Synthetic, from one seed: episode counts (up to the next key, else weekly from
``begin`` to ``end``), weekly air dates agreeing on both sides, ids of Trakt items and
Bangumi episodes, three anime only a title search finds, non-anime shows and films, a few
subjects already collected, and the watch times.

Composition: half the plays are anime episodes (whole franchises in a seeded order, the
last one part-watched; rewatches, at most three plays of an episode, once the catalogue is
used up), 3 % films, the rest non-anime series. :class:`Expected` says which subjects a
correct first sync touches, so the bench can state the request floor of issue 19.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from trakt_sync.fakes.world import (
    BANGUMI_DATA_SAMPLE,
    World,
    add_collection,
    add_episode_play,
    add_movie,
    add_movie_play,
    add_season,
    add_show,
    add_subject,
    empty_world,
    relate,
)

SEED = 20261201
BANGUMI_USER, BANGUMI_TOKEN = "tester", "bgm-perf-token"
ANIME_SHARE, FILM_SHARE, MAX_PLAYS_PER_EPISODE = 0.5, 0.03, 3
NOW = datetime(2026, 11, 30, tzinfo=UTC)
JST = timedelta(hours=9)
DAY_STARTS_AT = timedelta(hours=5)  # a 25:30 slot belongs to the earlier broadcast day
TV_KEY = re.compile(r"^tv/(\d+)(?:/season/(\d+)(?:/episode/(\d+))?)?$")
MOVIE_KEY = re.compile(r"^movie/(\d+)$")
MAX_EPISODES = 1200
EPISODE_LIST_PAGE = 1000  # /v0/episodes maximum limit (contract B.6)


@dataclass
class Expected:
    """What a correct first sync of the world does on Bangumi."""

    episode_plays: int = 0
    movie_plays: int = 0
    # subject id → its number of episodes (a film has one, marked like a series' episodes)
    subjects: dict[int, int] = field(default_factory=dict)
    title_only: int = 0  # franchises found only by a title search
    anime_shows: int = 0  # Trakt shows with anime plays
    # (show, season, number) of every anime episode played, for plays added later
    anime_episodes: list[tuple[int, int, int]] = field(default_factory=list)

    def floor(self) -> dict[str, int]:
        """Issue 19's request floor of a first sync, per service. Trakt: last_activities,
        the history pages, one metadata read per anime show, one title read per title-only
        show. Bangumi: 2, then 3 per subject (its episode list, the collection write, one
        episode PATCH) and one search per title-only show."""
        trakt = 1 + sum(-(-n // 250) for n in (self.episode_plays, self.movie_plays))
        trakt += self.anime_shows + self.title_only
        bangumi = 2 + self.title_only
        for episodes in self.subjects.values():
            bangumi += 2 + max(1, -(-episodes // EPISODE_LIST_PAGE))
        return {"trakt": trakt, "bangumi": bangumi, "cdn": 1}


@dataclass
class _Subject:
    sid: int
    name: str
    name_cn: str
    platform: str
    begin: datetime
    count: int = 0
    first_number: int = 1  # the Trakt episode number of its first episode


@dataclass
class _Franchise:
    tmdb: int
    title: str
    original: str
    seasons: dict[int, list[_Subject]]  # season → subjects in episode order

    @property
    def size(self) -> int:
        return sum(s.count for subjects in self.seasons.values() for s in subjects)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _day(instant: datetime) -> date:
    return (instant + JST - DAY_STARTS_AT).date()


def _z(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _site(item: dict[str, Any], name: str) -> str | None:
    return next((s["id"] for s in item["sites"] if s["site"] == name), None)


def _subject_of(item: dict[str, Any], platform: str) -> _Subject:
    zh = item.get("titleTranslate", {}).get("zh-Hans") or [""]
    return _Subject(int(_site(item, "bangumi") or 0), item["title"], zh[0], platform, _begin(item))


def _begin(item: dict[str, Any]) -> datetime:
    return _instant(item["begin"])


def _weeks(item: dict[str, Any]) -> int:
    """Weekly episodes from ``begin`` to ``end`` (12 without an end), none after ``NOW``."""
    end = min(_instant(item["end"]), NOW) if item.get("end") else _begin(item) + timedelta(weeks=11)
    return max(1, min(MAX_EPISODES, (min(end, NOW) - _begin(item)).days // 7 + 1))


def sample_franchises(
    data: Path = BANGUMI_DATA_SAMPLE,
) -> tuple[list[_Franchise], list[tuple[int, dict[str, Any]]]]:
    """The TV franchises of a bangumi-data file (seasons laid out from their TMDB keys) and
    its films."""
    items = json.loads(data.read_bytes())["items"]
    keyed: dict[int, list[tuple[int | None, int, dict[str, Any]]]] = defaultdict(list)
    films: list[tuple[int, dict[str, Any]]] = []
    for item in items:
        tmdb, bangumi = _site(item, "tmdb"), _site(item, "bangumi")
        if not tmdb or not bangumi or not item.get("begin"):
            continue
        if (movie := MOVIE_KEY.match(tmdb)) and item["type"] == "movie":
            films.append((int(movie[1]), item))
        elif (tv := TV_KEY.match(tmdb)) and item["type"] in ("tv", "web") and tv[2] != "0":
            season = int(tv[2]) if tv[2] else None
            keyed[int(tv[1])].append((season, int(tv[3] or 1), item))
    franchises = []
    for show_tmdb, keys in sorted(keyed.items()):
        anchors: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
        plain = [item for season, _, item in keys if season is None]
        for season, episode, item in keys:
            if season is not None:
                anchors[season].setdefault(episode, item)
        if len(plain) == 1:  # the matcher's rule: a lone plain key starts S1 unless one does
            anchors[1].setdefault(1, plain[0])
        seasons: dict[int, list[_Subject]] = {}
        for season, starts in sorted(anchors.items()):
            if 1 not in starts:
                continue  # a season whose start no key gives: leave it out
            numbers = sorted(starts)
            subjects = []
            for i, number in enumerate(numbers):
                item = starts[number]
                subject = _subject_of(item, "WEB" if item["type"] == "web" else "TV")
                subject.first_number = number
                subject.count = numbers[i + 1] - number if i + 1 < len(numbers) else _weeks(item)
                subjects.append(subject)
            seasons[season] = subjects
        if seasons:
            first = seasons[min(seasons)][0]
            item = next(i for _, _, i in keys if int(_site(i, "bangumi") or 0) == first.sid)
            english = item.get("titleTranslate", {}).get("en") or [item["title"]]
            franchises.append(_Franchise(show_tmdb, english[0].title(), item["title"], seasons))
    return franchises, films


# Synthetic anime no id source knows: Bangumi has them under their Japanese title, which is
# the Trakt show's original title, so one title search finds each.
TITLE_ONLY = (
    ("Stardust Melody", "星屑のメロディ", "2021-01-09T15:30:00.000Z"),
    ("Tea House on the Hill", "丘の上の喫茶店", "2022-07-05T14:00:00.000Z"),
    ("Clockwork Harbor", "からくり港の夜明け", "2024-04-11T16:00:00.000Z"),
)


class _Ids:
    """Monotonic synthetic ids, one counter per kind."""

    def __init__(self) -> None:
        self._next = {"show": 910_000, "movie": 960_000, "episode": 50_000_000, "tmdb": 890_000}

    def __call__(self, kind: str) -> int:
        self._next[kind] += 1
        return self._next[kind]


def build_world(
    plays: int, seed: int = SEED, data: Path = BANGUMI_DATA_SAMPLE
) -> tuple[World, Expected]:
    """A world with exactly ``plays`` Trakt plays from the bangumi-data file ``data`` (see
    the module docstring)."""
    rng = random.Random(seed)
    ids = _Ids()
    world = empty_world(bangumi_username=BANGUMI_USER, bangumi_token=BANGUMI_TOKEN)
    expected = Expected()
    franchises, films = sample_franchises(data)
    rng.shuffle(franchises)
    franchises.sort(key=lambda f: f.size > 200)  # the long runners only when needed
    for title, original, begin in TITLE_ONLY:
        subject = _Subject(ids("show") + 90_000, original, "", "TV", _instant(begin), 12)
        franchises.insert(0, _Franchise(ids("tmdb"), title, original, {1: [subject]}))

    film_target = max(2, round(plays * FILM_SHARE))
    anime_target = round(plays * ANIME_SHARE)
    # (history entry kwargs, air instant) per planned play
    planned: list[tuple[dict[str, Any], datetime]] = []

    episodes: list[tuple[dict[str, Any], datetime, int]] = []  # play, aired, subject
    for franchise in franchises:
        if len(episodes) >= anime_target:
            break
        episodes += _add_franchise(world, franchise, ids, expected)
    watched = episodes[:anime_target]
    while len(watched) < anime_target and len(watched) < MAX_PLAYS_PER_EPISODE * len(episodes):
        watched.append(rng.choice(episodes))
    sizes = {s["id"]: len(s["episodes"]) for s in world["bangumi"]["subjects"]}
    for play, aired, sid in watched:
        planned.append((play, aired))
        expected.subjects[sid] = sizes[sid]
        expected.anime_episodes.append((play["show"], play["season"], play["number"]))
    expected.anime_shows = len({show for show, _, _ in expected.anime_episodes})
    expected.title_only = sum(
        1
        for s in world["bangumi"]["subjects"]
        if s["id"] in expected.subjects and s["name"] in {o for _, o, _ in TITLE_ONLY}
    )

    film_plays: list[tuple[dict[str, Any], datetime]] = []
    for tmdb, item in films:
        if len(film_plays) >= film_target:
            break
        trakt_id = ids("movie")
        released = _begin(item)
        add_movie(
            world,
            trakt_id=trakt_id,
            title=item["title"],
            year=released.year,
            released=released.date().isoformat(),
            tmdb=tmdb,
        )
        subject = _subject_of(item, "剧场版")
        add_subject(
            world,
            subject_id=subject.sid,
            name=subject.name,
            name_cn=subject.name_cn,
            date=_day(released).isoformat(),
            platform=subject.platform,
            episodes=[_bangumi_episode(subject.sid, 0, 1, released)],
        )
        expected.subjects[subject.sid] = 1
        film_plays.append(({"movie": trakt_id}, released))
    while len(film_plays) < film_target:
        trakt_id = ids("movie")
        released = datetime(2000 + len(film_plays) % 25, 6, 1, tzinfo=UTC)
        add_movie(
            world,
            trakt_id=trakt_id,
            title=f"Action Film {trakt_id}",
            year=released.year,
            released=released.date().isoformat(),
            tmdb=ids("tmdb"),
            genres=("action", "thriller"),
            country="us",
            language="en",
        )
        film_plays.append(({"movie": trakt_id}, released))
    planned += film_plays

    while len(planned) < plays:
        planned += _add_series(world, ids, rng, plays - len(planned))

    _collect_some(world, expected, rng)
    rng.shuffle(planned)
    for history_id, (play, aired) in enumerate(planned, start=7_000_000_001):
        watched_at = min(NOW, aired + timedelta(days=rng.randint(1, 900)))
        stamp = _z(watched_at - timedelta(seconds=history_id % 86_400))
        if "movie" in play:
            add_movie_play(world, history_id, stamp, play["movie"])
            expected.movie_plays += 1
        else:
            add_episode_play(world, history_id, stamp, **play)
            expected.episode_plays += 1
    return world, expected


def _bangumi_episode(sid: int, index: int, sort: int, aired: datetime) -> dict[str, Any]:
    return {
        "id": sid * 2000 + index,
        "type": 0,
        "sort": sort,
        "ep": index + 1,
        "airdate": _day(aired).isoformat(),
        "name": "",
        "name_cn": "",
        "duration_seconds": 1440,
    }


def _add_franchise(
    world: World, franchise: _Franchise, ids: _Ids, expected: Expected
) -> list[tuple[dict[str, Any], datetime, int]]:
    """Trakt show + Bangumi subjects (chained 前传/续集) of one franchise; its episodes in
    watch order as (history entry kwargs, air instant, subject id)."""
    first = franchise.seasons[min(franchise.seasons)][0]
    trakt_id = ids("show")
    show = add_show(
        world,
        trakt_id=trakt_id,
        title=franchise.title,
        year=first.begin.year,
        tmdb=franchise.tmdb,
        original_title=franchise.original,
        aliases=[{"title": franchise.original, "country": "jp"}],
    )
    out = []
    chain = []
    for season, subjects in sorted(franchise.seasons.items()):
        trakt_episodes = []
        for subject in subjects:
            bangumi_episodes = []
            for k in range(subject.count):
                aired = subject.begin + timedelta(weeks=k)
                number = subject.first_number + k
                bangumi_episodes.append(_bangumi_episode(subject.sid, k, number, aired))
                trakt_episodes.append(
                    {
                        "number": number,
                        "title": f"Episode {number}",
                        "ids": {"trakt": ids("episode"), "tvdb": None, "imdb": None, "tmdb": None},
                        "first_aired": _z(aired),
                        "number_abs": None,
                        "runtime": 24,
                    }
                )
                out.append(
                    ({"show": trakt_id, "season": season, "number": number}, aired, subject.sid)
                )
            add_subject(
                world,
                subject_id=subject.sid,
                name=subject.name,
                name_cn=subject.name_cn,
                date=_day(subject.begin).isoformat(),
                platform=subject.platform,
                episodes=bangumi_episodes,
                meta_tags=("TV", "日本"),
            )
            chain.append((subject.begin, subject.sid))
        add_season(show, season, trakt_episodes, trakt_id=ids("episode"))
    chain.sort()
    for (_, prequel), (_, sequel) in zip(chain, chain[1:], strict=False):
        relate(world, prequel, sequel)
    return out


def _add_series(
    world: World, ids: _Ids, rng: random.Random, wanted: int
) -> list[tuple[dict[str, Any], datetime]]:
    """One non-anime series (2–6 seasons of 8–22 episodes), each episode played once, at
    most ``wanted`` plays."""
    trakt_id = ids("show")
    premiere = datetime(2005, 9, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 6500))
    show = add_show(
        world,
        trakt_id=trakt_id,
        title=f"Drama Series {trakt_id}",
        year=premiere.year,
        tmdb=ids("tmdb"),
        genres=("drama", "crime"),
        country="us",
        language="en",
    )
    plays: list[tuple[dict[str, Any], datetime]] = []
    for season in range(1, rng.randint(2, 6) + 1):
        start = premiere + timedelta(days=365 * (season - 1))
        count = rng.randint(8, 22)
        episodes = []
        for number in range(1, count + 1):
            aired = start + timedelta(weeks=number - 1)
            episodes.append(
                {
                    "number": number,
                    "title": f"Chapter {number}",
                    "ids": {"trakt": ids("episode"), "tvdb": None, "imdb": None, "tmdb": None},
                    "first_aired": _z(aired),
                    "number_abs": None,
                    "runtime": 45,
                }
            )
            if len(plays) < wanted:
                plays.append(({"show": trakt_id, "season": season, "number": number}, aired))
        add_season(show, season, episodes, trakt_id=ids("episode"))
    return plays


def _collect_some(world: World, expected: Expected, rng: random.Random) -> None:
    """A tenth of the anime TV subjects to be touched are already "doing", with their first
    episodes marked, as on an account that was used before."""
    tv = sorted(sid for sid, n in expected.subjects.items() if n)
    subjects = {s["id"]: s for s in world["bangumi"]["subjects"]}
    for sid in rng.sample(tv, len(tv) // 10):
        episodes = subjects[sid]["episodes"][: rng.randint(1, 3)]
        add_collection(world, BANGUMI_USER, sid, 3, {e["id"]: 2 for e in episodes})
