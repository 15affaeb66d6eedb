"""No single malformed field stops a sync (issue 24), property-based.

Real payloads — the contract page's examples (tests/data/payloads, see SOURCES.md), the
real Bangumi episode lists and bangumi-data items vendored for the fakes — are mutated at
random places (a key removed, a null, a wrong type, a float for an int, an odd date, an
empty list) and fed through each client parser and the matcher. Each may answer, or
refuse with the project's own error naming the source and the subject or show; none
may raise anything else. Where a mutation only makes a field unreadable (it does not
put a plausible other value in its place), nothing may be marked wrongly either.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trakt_sync.bangumi import BangumiClient
from trakt_sync.errors import BadData, TraktSyncError
from trakt_sync.extras import LIST_RATINGS, LIST_WATCHLIST, parse_item
from trakt_sync.fakes.memory import (
    Catalogue,
    MemoryBangumi,
    MemoryCache,
    MemoryTrakt,
    aired_at,
    sample_bytes,
)
from trakt_sync.fakes.world import ANIME_MAP_EXCERPT, excerpt_episode_lists
from trakt_sync.history_changes import parse_watched
from trakt_sync.httpclient import RequestCounter, RetryBudget
from trakt_sync.matching.bangumi_data import build_index
from trakt_sync.matching.fits import parse_episodes
from trakt_sync.matching.id_table import build_table
from trakt_sync.matching.lookups import CachedBangumi, CachedTrakt
from trakt_sync.matching.matcher import Matcher
from trakt_sync.matching.payloads import CheckedBangumi, CheckedTrakt
from trakt_sync.models import ResolutionStatus, TraktEpisode, TraktIds, TraktShow
from trakt_sync.trakt_items import history_row, play_from_history

PAYLOADS = Path(__file__).parent / "data" / "payloads"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


# == mutations ===========================================================================

# Values a field turns into: unreadable ones, and plausible ones of another meaning.
UNREADABLE = [None, "", "x", "2017-1-29", "10.04.2002", "TBA", [], {}, True, [None], {"v": 1}]
PLAUSIBLE = [0, -1, 3.5, 10**12, "12", 1.0]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))


def _apply(value: Any, path: tuple[Any, ...], how: str, new: Any) -> Any:
    if not path:
        return new
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "delete" and isinstance(parent, dict):
        del parent[last]
    elif how == "float" and isinstance(parent[last], int) and not isinstance(parent[last], bool):
        parent[last] = float(parent[last])  # a float where an int is expected, same value
    else:
        parent[last] = new
    return value


@st.composite
def mutated(draw: st.DrawFn, original: Any, plausible: bool = True, root: bool = True) -> Any:
    """``original`` with one to three fields removed, nulled, retyped or redated."""
    value = copy.deepcopy(original)
    values = UNREADABLE + (PLAUSIBLE if plausible else [])
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(value) if root or p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["delete", "replace", "float"]))
        value = _apply(value, path, how, copy.deepcopy(draw(st.sampled_from(values))))
    return value


def refuses_properly(exc: BaseException, source: str, item: str) -> None:
    """The only way a parser may refuse: BadData naming the source and the item."""
    assert isinstance(exc, BadData), f"{type(exc).__name__}: {exc}"
    assert exc.source == source and item in exc.item, str(exc)


# == the Bangumi client ==================================================================

SUBJECT = payload("bangumi_GET_v0_subjects_8_legacy_draft.json")
EPISODE = payload("bangumi_GET_v0_episodes_item_spec_example.json")
SPY_COUR2 = 373267
REAL_EPISODES = excerpt_episode_lists()[SPY_COUR2]


def bangumi_client(body: Any) -> BangumiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    return BangumiClient(
        "http://api.test",
        user_agent="test/1",
        token="t",
        timeout=5,
        counter=RequestCounter(),
        budget=RetryBudget(total=1, backoff_base=0.01),
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
    )


def _calls(client: BangumiClient) -> list[Any]:
    return [
        lambda: CheckedBangumi(client).get_subject(8),
        lambda: parse_episodes(CheckedBangumi(client).get_episodes(8), subject=8),
        lambda: CheckedBangumi(client).get_related_subjects(8),
        lambda: CheckedBangumi(client).search_subjects("x"),
        lambda: client.episode_marks(8),
        lambda: client.collections_page("me", subject_type=2, offset=0),
        lambda: client.user_collection("me", 8),
    ]


BANGUMI_BODIES = {
    "subject": SUBJECT,
    "episodes": {"data": [EPISODE, *REAL_EPISODES], "total": 1 + len(REAL_EPISODES)},
    "related": [{"id": 9, "type": 2, "name": "R2", "name_cn": "", "relation": "续集"}],
    "search": {"data": [SUBJECT], "total": 1},
    "marks": {"data": [{"episode": EPISODE, "type": 2}], "total": 1},
    "collections": {"data": [{"subject_id": 8, "type": 3, "subject": SUBJECT}], "total": 1},
}


@pytest.mark.parametrize("kind", sorted(BANGUMI_BODIES))
@SETTINGS
@given(data=st.data())
def test_every_bangumi_read_answers_or_refuses_with_bad_data(
    kind: str, data: st.DataObject
) -> None:
    body = data.draw(mutated(BANGUMI_BODIES[kind]))
    for call in _calls(bangumi_client(body)):
        try:
            call()
        except TraktSyncError as exc:
            assert str(exc)  # a sentence a user reads (BadData names source and item)
            if isinstance(exc, BadData):
                assert exc.source == "Bangumi"


# == the Trakt parsers ===================================================================

HISTORY = payload("trakt_GET_sync_history.json")
RATINGS = payload("trakt_GET_sync_ratings.json")
WATCHLIST = payload("trakt_GET_sync_watchlist.json")
ALIASES = payload("trakt_GET_shows_id_aliases.json")


@SETTINGS
@given(item=mutated(HISTORY[1]))
def test_a_history_item_is_a_play_or_a_value_error(item: Any) -> None:
    for parse in (history_row, play_from_history):
        with contextlib.suppress(ValueError):
            parse(item)


@SETTINGS
@given(data=st.data())
def test_a_ratings_or_watchlist_item_is_an_item_or_a_value_error(data: st.DataObject) -> None:
    for name, items in ((LIST_RATINGS, RATINGS), (LIST_WATCHLIST, WATCHLIST)):
        raw = data.draw(mutated(items[0]))
        with contextlib.suppress(ValueError):
            parse_item(name, "movie", raw)


@SETTINGS
@given(
    entries=mutated(
        [{"plays": 3, "last_updated_at": "2024-01-01T00:00:00.000Z", "show": HISTORY[1]["show"]}]
    )
)
def test_a_watched_summary_is_read_or_a_value_error(entries: Any) -> None:
    with contextlib.suppress(ValueError):
        parse_watched("show", entries)


@SETTINGS
@given(
    rows=mutated(ALIASES),
    season=mutated(
        [
            {
                "season": 1,
                "number": 1,
                "title": "Pilot",
                "first_aired": "2011-04-18T01:00:00.000Z",
                "number_abs": None,
            }
        ]
    ),
)
def test_trakt_seasons_and_aliases_are_read_or_refused_naming_the_show(
    rows: Any, season: Any
) -> None:
    trakt = MemoryTrakt(seasons={(1390, 1): season}, aliases={1390: rows})
    checked = CheckedTrakt(CachedTrakt(SeasonsOf(trakt), MemoryCacheWithAge()))
    assert all(isinstance(a["title"], str) for a in checked.get_show_aliases(1390))
    try:
        episodes = checked.get_season_episodes(1390, 1)
    except BadData as exc:
        refuses_properly(exc, "Trakt", "show 1390 season 1")
    else:
        assert all(type(e["number"]) is int for e in episodes)


class SeasonsOf:
    """A MemoryTrakt's seasons as Trakt's one read of every season per show (A.10): what
    CachedTrakt reads."""

    def __init__(self, trakt: MemoryTrakt) -> None:
        self.trakt = trakt

    def get_show_seasons(self, show_id: int | str) -> list[dict[str, Any]]:
        seasons = self.trakt.seasons.items()
        return [{"number": n, "episodes": rows} for (sid, n), rows in seasons if sid == show_id]

    def get_show_aliases(self, show_id: int | str) -> list[dict[str, Any]]:
        return self.trakt.get_show_aliases(show_id)

    def get_show_translations(
        self, show_id: int | str, language: str | None = None
    ) -> list[dict[str, Any]]:
        return []


class MemoryCacheWithAge(MemoryCache):
    """The store's cache with ``cache_age``: every value an hour old."""

    def cache_age(self, namespace: str, key: str) -> str | None:
        return "2020-01-01T00:00:00.000Z" if (namespace, key) in self.data else None


# == the data files ======================================================================

SAMPLE = json.loads(sample_bytes())
ANIME_MAP = json.loads(ANIME_MAP_EXCERPT.read_bytes())


@SETTINGS
@given(data=st.data())
def test_one_odd_bangumi_data_item_costs_only_itself(data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(SAMPLE["items"]) - 1))
    items = list(SAMPLE["items"])
    items[k] = data.draw(mutated(items[k]))
    index = build_index(json.dumps({**SAMPLE, "items": items}).encode())
    whole = build_index(sample_bytes())
    kept = {sid for sid in _sids(SAMPLE["items"][:k] + SAMPLE["items"][k + 1 :])}
    assert all(index.subject(sid) == whole.subject(sid) for sid in kept - _sids([items[k]]))


def _sids(items: list[Any]) -> set[int]:
    out = set()
    for item in items:
        for site in item.get("sites", []) if isinstance(item, dict) else []:
            if (
                isinstance(site, dict)
                and site.get("site") == "bangumi"
                and str(site.get("id")).isdigit()
            ):
                out.add(int(str(site["id"])))
    return out


@SETTINGS
@given(data=st.data())
def test_one_odd_id_table_row_costs_only_itself(data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(ANIME_MAP) - 1))
    rows = list(ANIME_MAP)
    rows[k] = data.draw(mutated(rows[k]))
    table = build_table(json.dumps(rows).encode())
    whole = build_table(json.dumps(ANIME_MAP).encode())
    others = [int(r["bgm_id"]) for i, r in enumerate(ANIME_MAP) if i != k]
    assert all(table.subject(sid) == whole.subject(sid) for sid in others)


# == the matcher =========================================================================

SPY_TMDB = 120089  # bangumi-data: tv/120089/season/1/episode/13 → 373267
SPY = TraktShow(
    TraktIds(trakt=185614, slug="spy-x-family", tmdb=SPY_TMDB), "SPY x FAMILY", genres=("anime",)
)
SPY_SUBJECT = {
    "id": SPY_COUR2,
    "type": 2,
    "name": "SPY×FAMILY 第2クール",
    "name_cn": "间谍过家家 第二季",
    "date": "2022-10-01",
    "platform": "TV",
    "eps": 13,
    "infobox": [{"key": "放送开始", "value": "2022年10月1日"}],
}


def spy_season() -> list[dict[str, Any]]:
    mains = [e for e in REAL_EPISODES if e["type"] == 0]
    return [
        {
            "season": 1,
            "number": int(e["sort"]),
            "title": f"Episode {int(e['sort'])}",
            "first_aired": aired_at(date.fromisoformat(e["airdate"]), "23:00"),
            "number_abs": None,
            "ids": {"trakt": 7000 + int(e["sort"])},
        }
        for e in mains
    ]


PLAYED = range(13, 26)


def resolve(episodes: Any, subject: Any, season: Any, aliases: Any) -> list[Any]:
    catalogue = Catalogue({SPY_COUR2: subject}, {SPY_COUR2: episodes})
    trakt = MemoryTrakt(seasons={(185614, 1): season}, aliases={185614: aliases})
    matcher = Matcher(
        index=lambda: build_index(sample_bytes()),
        bangumi=CachedBangumi(MemoryBangumi(catalogue), MemoryCacheWithAge()),
        trakt=CachedTrakt(SeasonsOf(trakt), MemoryCacheWithAge()),
        cache=MemoryCache(),
    )
    plays = [TraktEpisode(1, n, TraktIds(trakt=7000 + n)) for n in PLAYED]
    return matcher.resolve_season(SPY, 1, plays)


def test_the_unmutated_world_marks_every_play() -> None:
    """The baseline the properties below mutate: every play on its own episode."""
    results = resolve(REAL_EPISODES, SPY_SUBJECT, spy_season(), ALIASES)
    by_sort = {e["sort"]: e["id"] for e in REAL_EPISODES if e["type"] == 0}
    assert [(r.status, r.episode_id) for r in results] == [
        (ResolutionStatus.MATCHED, by_sort[n]) for n in PLAYED
    ]


@SETTINGS
@given(data=st.data())
def test_the_matcher_answers_or_refuses_naming_source_and_subject(data: st.DataObject) -> None:
    which = data.draw(st.sampled_from(["episodes", "subject", "season", "aliases"]))
    parts = {
        "episodes": REAL_EPISODES,
        "subject": SPY_SUBJECT,
        "season": spy_season(),
        "aliases": ALIASES,
    }
    parts[which] = data.draw(mutated(parts[which]))
    try:
        resolve(**parts)
    except BadData as exc:
        source = "Trakt" if which in ("season", "aliases") else "Bangumi"
        item = "show 185614" if source == "Trakt" else f"subject {SPY_COUR2}"
        refuses_properly(exc, source, item)


@SETTINGS
@given(data=st.data())
def test_unreadable_fields_never_make_a_wrong_mark(data: st.DataObject) -> None:
    """Fields of the episode list and the Trakt season made unreadable (never a plausible
    other value): every play marked is marked on its own episode (the one whose sort is
    its TMDB number, by the id the mutated list gives it)."""
    episodes = data.draw(mutated(REAL_EPISODES, plausible=False, root=False))
    season = data.draw(mutated(spy_season(), plausible=False, root=False))
    try:
        results = resolve(episodes, SPY_SUBJECT, season, ALIASES)
    except BadData:
        return
    right = {}
    for before, after in zip(REAL_EPISODES, episodes, strict=True):
        if before["type"] == 0 and isinstance(after, dict):
            right[int(before["sort"])] = after.get("id")
    for n, result in zip(PLAYED, results, strict=True):
        if result.status is ResolutionStatus.MATCHED:
            assert result.episode_id == right.get(n), (n, result.evidence)


@SETTINGS
@given(item=mutated(HISTORY[0]), subject=mutated(SUBJECT))
def test_a_film_with_odd_fields_is_matched_or_left_alone(item: Any, subject: Any) -> None:
    """A Trakt film play and its Bangumi subject, either with odd fields: the film
    resolves (or not) without an error other than BadData naming Bangumi."""
    try:
        play = play_from_history(item)
    except ValueError:
        return
    if play.movie is None:
        return
    catalogue = Catalogue({8: subject}, {8: [EPISODE]})
    matcher = Matcher(
        index=lambda: build_index(sample_bytes()),
        bangumi=MemoryBangumi(catalogue, search=lambda keyword, types, air: [subject]),
        trakt=MemoryTrakt(),
        cache=MemoryCache(),
    )
    try:
        matcher.resolve_movie(play.movie)
    except BadData as exc:  # Bangumi's subject, or a film Trakt gave no id at all
        assert (exc.source, exc.item) in (("Bangumi", "subject 8"), ("Trakt", "a film")), exc
