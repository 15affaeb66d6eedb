"""The declarative *world* the fakes serve: one plain dict, usually loaded from JSON.

Shape (keys marked ? are optional)::

    {"trakt": {"client_id", "client_secret", "user": {"username", "name", "timezone"?},
               "shows": [{"title", "year", "ids": {"trakt", "slug", "tvdb", "imdb", "tmdb"},
                          "genres", "country", "language", "original_title"?, "status"?,
                          "network"?, "runtime"?, "aliases": [{"title", "country"}],
                          "translations": [{"title", "language", "country"}],
                          "seasons": [{"number", "ids", "episodes": [{"number", "title", "ids",
                                       "first_aired": ISO | None, "number_abs": int | None,
                                       "runtime"?, "episode_type"?}]}]}],
               "movies": [{"title", "year", "ids", "genres", "released": "YYYY-MM-DD",
                           "country"?, "language"?, "runtime"?, "aliases"?, "translations"?}],
               "history": [{"id", "watched_at", "action", "type": "episode", "show": <trakt id>,
                            "season", "number"} |
                           {"id", "watched_at", "action", "type": "movie", "movie": <trakt id>}],
               "ratings"?: [{"type": "movie"|"show"|"season"|"episode", "movie"|"show": <trakt id>,
                             "season"?, "number"?, "rating": 1..10, "rated_at"?}],
               "watchlist"?: [{"type": "movie"|"show", "movie"|"show": <trakt id>, "listed_at"?}]},
     "bangumi": {"users": [{"id", "username", "nickname", "token", "scopes"?: [str] | None}],
                 "subjects": [{"id", "type", "name", "name_cn", "date", "platform", "eps",
                               "summary"?, "infobox"?, "meta_tags"?, "nsfw"?, "locked"?,
                               "episodes": [{"id", "type", "sort", "ep"?, "airdate", "name",
                                             "name_cn", "duration_seconds"?}],
                               "relations": [{"id", "relation"}]}],
                 "merged": {"<old id>": <new id>},
                 "collections": {"<username>": {"<subject id>": {"type": 1..5,
                                 "episodes": {"<episode id>": 0..3}, "rate"?, "comment"?,
                                 "tags"?, "private"?, "updated_at"?: unix}}}}}

:func:`load_world` returns a normalised deep copy (``ep`` filled in, defaults added).
The builder helpers below make small worlds in tests without writing the whole dict.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

World = dict[str, Any]

WORLDS_DIR = Path(__file__).parent / "worlds"
DATA_DIR = Path(__file__).parent / "data"
BANGUMI_DATA_SAMPLE = DATA_DIR / "bangumi-data-sample.json"
ANIME_MAP_EXCERPT = DATA_DIR / "anime-map-excerpt.json"
BANGUMI_EPISODES_EXCERPT = DATA_DIR / "bangumi-episodes-excerpt.json"


def excerpt_episode_lists() -> dict[int, list[dict[str, Any]]]:
    """The vendored real episode lists as v0 Episode dicts (``ep`` = the excerpt's
    ``ep_derived``), by subject id."""
    raw = json.loads(BANGUMI_EPISODES_EXCERPT.read_text(encoding="utf-8"))
    return {
        subject["bangumi_id"]: [
            {
                "id": e["ep_id"],
                "type": e["type"],
                "name": e["name"],
                "name_cn": "",
                "sort": e["sort"],
                "ep": e.get("ep_derived", 0),
                "airdate": e["airdate"],
                "subject_id": subject["bangumi_id"],
            }
            for e in subject["eps"]
        ]
        for subject in raw["subjects"]
    }


class WorldError(ValueError):
    """The world dict is malformed (a fixture bug, not a runtime condition)."""


# -- loading -------------------------------------------------------------------------------


def load_world(name_or_path: str | Path) -> World:
    """Load ``"demo"`` (a bundled world under ``fakes/worlds/``) or a JSON file path."""
    path = Path(name_or_path)
    if path.suffix != ".json" and len(path.parts) == 1:
        path = WORLDS_DIR / f"{name_or_path}.json"
    if not path.is_file():
        raise WorldError(f"no such world: {name_or_path}")
    return normalise_world(json.loads(path.read_text(encoding="utf-8")))


def normalise_world(world: Mapping[str, Any]) -> World:
    """Validate lightly and return a deep copy with defaults and derived fields filled in."""
    w: World = copy.deepcopy(dict(world))
    trakt = w.setdefault("trakt", {})
    trakt.setdefault("client_id", "test-client-id")
    trakt.setdefault("client_secret", "test-client-secret")
    trakt.setdefault("user", {"username": "test-user", "name": "Test User"})
    for key in ("shows", "movies", "history"):
        trakt.setdefault(key, [])
    bgm = w.setdefault("bangumi", {})
    for key, default in (("users", []), ("subjects", []), ("merged", {}), ("collections", {})):
        bgm.setdefault(key, default)
    for show in trakt["shows"]:
        _require(show, ("title", "year", "ids"), "trakt show")
        show.setdefault("seasons", [])
        for season in show["seasons"]:
            _require(season, ("number",), f"season of {show['title']}")
            season.setdefault("ids", {"trakt": None, "tvdb": None, "tmdb": None})
            season.setdefault("episodes", [])
    for subject in bgm["subjects"]:
        _require(subject, ("id", "name"), "bangumi subject")
        subject.setdefault("episodes", [])
        subject.setdefault("relations", [])
        _fill_ep(subject["episodes"])
    _check_references(w)
    return w


def _require(obj: Mapping[str, Any], keys: Iterable[str], what: str) -> None:
    missing = [k for k in keys if k not in obj]
    if missing:
        raise WorldError(f"{what} lacks {', '.join(missing)}: {obj!r:.120}")


def _fill_ep(episodes: list[dict[str, Any]]) -> None:
    """``ep`` = 1-based index among the subject's main (type 0) episodes, in ``sort`` order
    (contract B.6), computed as the server does: ``sort - first sort + 1``
    (bangumi/server ``convertDaoEpisode``), so a recap listed as a main episode with sort
    8.5 has ``ep`` 8.5 (issue 24); other types get 0, as ``ep`` means nothing for them.
    A sort that is not a number (a world with bad data on purpose) gets no ``ep``."""
    numeric = [
        e
        for e in episodes
        if e.get("type", 0) == 0
        and isinstance(e.get("sort"), int | float)
        and not isinstance(e.get("sort"), bool)
    ]
    first = min((e["sort"] for e in numeric), default=1)
    for episode in numeric:
        ep = episode["sort"] - first + 1
        episode.setdefault("ep", int(ep) if float(ep).is_integer() else ep)
    for episode in episodes:
        episode.setdefault("type", 0)
        episode.setdefault("ep", 0)
        episode.setdefault("name", "")
        episode.setdefault("name_cn", "")
        episode.setdefault("airdate", "")


def _check_references(w: World) -> None:
    trakt, bgm = w["trakt"], w["bangumi"]
    shows = {s["ids"]["trakt"]: s for s in trakt["shows"]}
    movies = {m["ids"]["trakt"] for m in trakt["movies"]}
    if len(shows) != len(trakt["shows"]) or len(movies) != len(trakt["movies"]):
        raise WorldError("duplicate trakt ids")
    seen_history: set[int] = set()
    for play in trakt["history"]:
        _require(play, ("id", "watched_at", "type"), "history entry")
        if play["id"] in seen_history:
            raise WorldError(f"duplicate history id {play['id']}")
        seen_history.add(play["id"])
        if play["type"] == "movie":
            if play.get("movie") not in movies:
                raise WorldError(f"history {play['id']}: unknown movie {play.get('movie')}")
        elif play["type"] == "episode":
            show = shows.get(play.get("show"))
            if show is None or find_trakt_episode(show, play["season"], play["number"]) is None:
                raise WorldError(f"history {play['id']}: unknown episode {play!r}")
        else:
            raise WorldError(f"history {play['id']}: bad type {play['type']!r}")
    subjects = {s["id"]: s for s in bgm["subjects"]}
    episode_ids = [e["id"] for s in bgm["subjects"] for e in s["episodes"]]
    if len(set(episode_ids)) != len(episode_ids) or len(subjects) != len(bgm["subjects"]):
        raise WorldError("duplicate bangumi subject or episode ids")
    for subject in bgm["subjects"]:
        for rel in subject["relations"]:
            if rel["id"] not in subjects and "name" not in rel:
                raise WorldError(f"subject {subject['id']}: relation to unknown {rel['id']}")
    for old, new in bgm["merged"].items():
        if int(new) not in subjects:
            raise WorldError(f"merged {old} -> unknown subject {new}")
    users = {u["username"] for u in bgm["users"]}
    for username, entries in bgm["collections"].items():
        if username not in users:
            raise WorldError(f"collection of unknown user {username}")
        for sid, entry in entries.items():
            subject = subjects.get(int(sid))
            if subject is None:
                raise WorldError(f"{username} collects unknown subject {sid}")
            own = {e["id"] for e in subject["episodes"]}
            stray = [e for e in entry.get("episodes", {}) if int(e) not in own]
            if stray:
                raise WorldError(f"{username}/{sid}: episodes {stray} not in subject")


def find_trakt_episode(show: Mapping[str, Any], season: int, number: int) -> dict[str, Any] | None:
    for s in show.get("seasons", []):
        if s["number"] == season:
            for episode in s["episodes"]:
                if episode["number"] == number:
                    return dict(episode)
    return None


# -- builders ------------------------------------------------------------------------------


def empty_world(
    *,
    client_id: str = "test-client-id",
    client_secret: str = "test-client-secret",
    trakt_username: str = "test-user",
    bangumi_username: str = "tester",
    bangumi_token: str = "bgm-test-token",
) -> World:
    """A world with one Trakt user, one Bangumi user and nothing else."""
    return {
        "trakt": {
            "client_id": client_id,
            "client_secret": client_secret,
            "user": {"username": trakt_username, "name": trakt_username.title()},
            "shows": [],
            "movies": [],
            "history": [],
        },
        "bangumi": {
            "users": [
                {
                    "id": 1,
                    "username": bangumi_username,
                    "nickname": bangumi_username,
                    "token": bangumi_token,
                }
            ],
            "subjects": [],
            "merged": {},
            "collections": {},
        },
    }


def _as_date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def weekly_episodes(
    first_id: int,
    start_date: str | date,
    count: int,
    sort_start: float = 1,
    *,
    ep_start: int = 1,
    duration_seconds: int = 1440,
) -> list[dict[str, Any]]:
    """Bangumi main episodes airing weekly: ids ``first_id..``, sort ``sort_start..``,
    ``ep`` 1-based (pass ``ep_start`` only to fake a broken subject)."""
    start = _as_date(start_date)
    return [
        {
            "id": first_id + i,
            "type": 0,
            "sort": sort_start + i,
            "ep": ep_start + i,
            "airdate": (start + timedelta(weeks=i)).isoformat(),
            "name": "",
            "name_cn": "",
            "duration_seconds": duration_seconds,
        }
        for i in range(count)
    ]


def trakt_weekly_episodes(
    first_trakt_id: int,
    first_aired: str | datetime,
    count: int,
    number_start: int = 1,
    *,
    first_tmdb_id: int | None = None,
    titles: list[str] | None = None,
    number_abs: bool = False,
) -> list[dict[str, Any]]:
    """Trakt episodes airing weekly from ``first_aired`` (a UTC ISO instant)."""
    start = (
        first_aired
        if isinstance(first_aired, datetime)
        else datetime.fromisoformat(first_aired.replace("Z", "+00:00"))
    )
    episodes = []
    for i in range(count):
        number = number_start + i
        aired = start + timedelta(weeks=i)
        episodes.append(
            {
                "number": number,
                "title": titles[i] if titles and i < len(titles) else f"Episode {number}",
                "ids": {
                    "trakt": first_trakt_id + i,
                    "tvdb": None,
                    "imdb": None,
                    "tmdb": None if first_tmdb_id is None else first_tmdb_id + i,
                },
                "first_aired": aired.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "number_abs": number if number_abs else None,
            }
        )
    return episodes


def add_show(
    world: World,
    *,
    trakt_id: int,
    title: str,
    year: int,
    tmdb: int | None = None,
    tvdb: int | None = None,
    imdb: str | None = None,
    slug: str | None = None,
    genres: Iterable[str] = ("anime", "animation"),
    country: str = "jp",
    language: str = "ja",
    original_title: str | None = None,
    aliases: Iterable[Mapping[str, str]] = (),
    translations: Iterable[Mapping[str, str]] = (),
    status: str = "ended",
) -> dict[str, Any]:
    show: dict[str, Any] = {
        "title": title,
        "year": year,
        "ids": {
            "trakt": trakt_id,
            "slug": slug or _slugify(title),
            "tvdb": tvdb,
            "imdb": imdb,
            "tmdb": tmdb,
        },
        "genres": list(genres),
        "country": country,
        "language": language,
        "status": status,
        "aliases": [dict(a) for a in aliases],
        "translations": [dict(t) for t in translations],
        "seasons": [],
    }
    if original_title is not None:
        show["original_title"] = original_title
    world["trakt"]["shows"].append(show)
    return show


def add_season(
    show: dict[str, Any],
    number: int,
    episodes: list[dict[str, Any]],
    *,
    trakt_id: int | None = None,
    tmdb: int | None = None,
    tvdb: int | None = None,
) -> dict[str, Any]:
    season = {
        "number": number,
        "ids": {"trakt": trakt_id, "tvdb": tvdb, "tmdb": tmdb},
        "episodes": episodes,
    }
    show["seasons"].append(season)
    return season


def add_movie(
    world: World,
    *,
    trakt_id: int,
    title: str,
    year: int,
    released: str,
    tmdb: int | None = None,
    imdb: str | None = None,
    slug: str | None = None,
    genres: Iterable[str] = ("anime", "animation"),
    country: str = "jp",
    language: str = "ja",
) -> dict[str, Any]:
    movie = {
        "title": title,
        "year": year,
        "ids": {
            "trakt": trakt_id,
            "slug": slug or _slugify(f"{title} {year}"),
            "imdb": imdb,
            "tmdb": tmdb,
        },
        "genres": list(genres),
        "released": released,
        "country": country,
        "language": language,
    }
    world["trakt"]["movies"].append(movie)
    return movie


def add_episode_play(
    world: World,
    history_id: int,
    watched_at: str,
    show: int,
    season: int,
    number: int,
    action: str = "scrobble",
) -> dict[str, Any]:
    play = {
        "id": history_id,
        "watched_at": watched_at,
        "action": action,
        "type": "episode",
        "show": show,
        "season": season,
        "number": number,
    }
    world["trakt"]["history"].append(play)
    return play


def add_movie_play(
    world: World, history_id: int, watched_at: str, movie: int, action: str = "scrobble"
) -> dict[str, Any]:
    play = {
        "id": history_id,
        "watched_at": watched_at,
        "action": action,
        "type": "movie",
        "movie": movie,
    }
    world["trakt"]["history"].append(play)
    return play


def add_subject(
    world: World,
    *,
    subject_id: int,
    name: str,
    name_cn: str = "",
    date: str | None = None,
    platform: str | None = "TV",
    subject_type: int = 2,
    episodes: list[dict[str, Any]] | None = None,
    eps: int | None = None,
    aliases: Iterable[str] = (),
    relations: Iterable[Mapping[str, Any]] = (),
    meta_tags: Iterable[str] = (),
) -> dict[str, Any]:
    episodes = list(episodes or [])
    infobox: list[dict[str, Any]] = [{"key": "中文名", "value": name_cn}]
    if aliases:
        infobox.append({"key": "别名", "value": [{"v": a} for a in aliases]})
    subject = {
        "id": subject_id,
        "type": subject_type,
        "name": name,
        "name_cn": name_cn,
        "date": date,
        "platform": platform,
        "eps": eps if eps is not None else sum(1 for e in episodes if e.get("type", 0) == 0),
        "infobox": infobox,
        "meta_tags": list(meta_tags),
        "episodes": episodes,
        "relations": [dict(r) for r in relations],
    }
    world["bangumi"]["subjects"].append(subject)
    return subject


def relate(world: World, prequel: int, sequel: int) -> None:
    """Chain two subjects as 前传/续集 (contract B.5), both directions."""
    subjects = {s["id"]: s for s in world["bangumi"]["subjects"]}
    subjects[prequel]["relations"].append({"id": sequel, "relation": "续集"})
    subjects[sequel]["relations"].append({"id": prequel, "relation": "前传"})


def add_collection(
    world: World,
    username: str,
    subject_id: int,
    collection_type: int,
    episodes: Mapping[int, int] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    entry = {
        "type": collection_type,
        "episodes": {str(k): v for k, v in (episodes or {}).items()},
        **fields,
    }
    world["bangumi"]["collections"].setdefault(username, {})[str(subject_id)] = entry
    return entry


def _slugify(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() and c.isascii() else "-" for c in text)
    return "-".join(part for part in out.split("-") if part) or "item"


UNFINDABLE_SHOW, UNFINDABLE_SUBJECT = 777001, 900777


def add_unfindable_anime(world: World, played: Iterable[int] = (1,)) -> None:
    """An anime no id source knows, on Bangumi under a title Trakt's does not resemble, with
    plays of the given season-1 episodes: it stays unmatched until a `map add`."""
    show = add_show(
        world,
        trakt_id=UNFINDABLE_SHOW,
        title="Mystery Anime Nobody Indexed",
        year=2024,
        tmdb=990001,
        slug="mystery-anime",
    )
    add_season(show, 1, trakt_weekly_episodes(8800001, "2024-01-06T15:00:00.000Z", 12))
    for n in played:
        add_episode_play(
            world, 9870000000 + n, f"2025-03-{n:02d}T12:00:00.000Z", UNFINDABLE_SHOW, 1, n
        )
    add_subject(
        world,
        subject_id=UNFINDABLE_SUBJECT,
        name="謎のアニメ",
        date="2024-01-06",
        episodes=weekly_episodes(9907770, "2024-01-06", 12),
    )


def demo_scenario() -> World:
    """The demo world with the show that stays unmatched until a `map add`: what `make demo`
    and `python -m trakt_sync.fakes serve --world demo` serve."""
    world = load_world("demo")
    add_unfindable_anime(world)
    return world
