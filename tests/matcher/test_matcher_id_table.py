"""The further id table: consulted only where bangumi-data has no key, weaker evidence that
air dates must confirm, never a mark on its word alone."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import pytest
from matcher_world import (
    World,
    begin_day,
    data_file,
    played,
    sample_index,
    show,
    trakt_season,
    weekly,
)

from trakt_sync.matching.bangumi_data import BangumiDataIndex
from trakt_sync.matching.id_table import IdTable, build_table
from trakt_sync.models import ResolutionStatus, TraktIds, TraktMovie, TraktShow

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED
SPY_TMDB = 120089
SPY_FILM_TMDB = 1062807


@cache
def table() -> IdTable:
    return build_table(data_file("anime-map-excerpt.json").read_bytes())


@cache
def index_without_spy() -> BangumiDataIndex:
    """The bangumi-data sample as if it had no TMDB keys for SPY×FAMILY (show and film)."""
    data = sample_index().to_json()
    data["tmdb"] = [
        [key, sid]
        for key, sid in data["tmdb"]
        if not key.startswith((f"tv/{SPY_TMDB}", f"movie/{SPY_FILM_TMDB}"))
    ]
    return BangumiDataIndex.from_json(data)


@pytest.fixture
def spy_world() -> World:
    world = World(index=index_without_spy)
    world.catalogue.episodes[329906] = weekly(329906, 12)
    return world


def season_rows(world: World, trakt_id: int, *, shift_days: int = 0) -> list[dict]:
    start = begin_day(329906) + timedelta(days=shift_days)
    rows = trakt_season(1, [weekly(329906, 12, start=start)], slot="23:00")
    world.trakt.seasons[(trakt_id, 1)] = rows
    return rows


def test_table_tmdb_link_resolves_a_show_bangumi_data_does_not_key(spy_world: World) -> None:
    rows = season_rows(spy_world, 1601)
    spy = show(1601, SPY_TMDB, "SPY x FAMILY")

    results = spy_world.matcher(id_table=table).resolve_season(spy, 1, played(rows, 1, 5, 12))

    assert [(r.status, r.subject_id, r.source) for r in results] == [
        (MATCHED, 329906, "id-table")
    ] * 3
    assert [r.episode_id for r in results] == [3299060001, 3299060005, 3299060012]
    assert all(r.confidence >= 0.8 for r in results)
    assert any("id table tv/120089/season/1" in line for line in results[0].evidence)
    assert not any(c[0] == "search" for c in spy_world.bangumi.calls)


def test_without_the_table_the_same_show_falls_to_title_search(spy_world: World) -> None:
    rows = season_rows(spy_world, 1602)
    spy = show(1602, SPY_TMDB, "SPY x FAMILY")

    (result,) = spy_world.matcher().resolve_season(spy, 1, played(rows, 1))

    assert result.status is UNMATCHED
    assert any(c[0] == "search" for c in spy_world.bangumi.calls)


def test_table_link_contradicted_by_air_dates_is_not_used(spy_world: World) -> None:
    rows = season_rows(spy_world, 1603, shift_days=400)  # a season a year later
    spy = show(1603, SPY_TMDB, "SPY x FAMILY")

    results = spy_world.matcher(id_table=table).resolve_season(spy, 1, played(rows, 1, 2, 12))

    assert [r.status for r in results] == [UNMATCHED] * 3
    rejected = {c["subject_id"]: c["why_rejected"] for c in results[0].candidates}
    assert "air dates" in rejected[329906]
    assert any(c[0] == "search" for c in spy_world.bangumi.calls)  # then searched instead


def test_table_link_without_dates_is_never_marked_on_its_word_alone(spy_world: World) -> None:
    rows = season_rows(spy_world, 1604)
    for row in rows:
        row["first_aired"] = None
    spy = show(1604, SPY_TMDB, "SPY x FAMILY")

    results = spy_world.matcher(id_table=table).resolve_season(spy, 1, played(rows, 1, 2))

    assert all(r.status is not MATCHED for r in results)


@pytest.mark.parametrize(
    "ids",
    [TraktIds(trakt=1605, tvdb=405920), TraktIds(trakt=1605, imdb="tt13706018")],
    ids=["tvdb", "imdb"],
)
def test_tvdb_or_imdb_link_works_for_a_show_without_a_tmdb_id(
    spy_world: World, ids: TraktIds
) -> None:
    rows = season_rows(spy_world, 1605)
    spy = TraktShow(ids=ids, title="SPY x FAMILY", genres=("anime",))

    results = spy_world.matcher(id_table=table).resolve_season(spy, 1, played(rows, 1, 7, 12))

    assert [(r.status, r.subject_id, r.source) for r in results] == [
        (MATCHED, 329906, "id-table")
    ] * 3
    assert [r.episode_id for r in results] == [3299060001, 3299060007, 3299060012]


def test_bangumi_data_keys_win_and_the_table_is_not_consulted(world: World) -> None:
    world.catalogue.episodes[329906] = weekly(329906, 12)
    rows = season_rows(world, 1606)
    spy = show(1606, SPY_TMDB, "SPY x FAMILY")

    (result,) = world.matcher(id_table=table).resolve_season(spy, 1, played(rows, 3))

    assert (result.status, result.subject_id, result.source) == (MATCHED, 329906, "bangumi-data")


def test_table_version_is_part_of_the_matcher_version_and_loaded_lazily(world: World) -> None:
    loads = []

    def load() -> IdTable:
        loads.append(1)
        return table()

    with_table = world.matcher(id_table=load)
    assert loads == []  # nothing resolved yet: not loaded
    assert with_table.version != world.matcher().version
    assert table().version in with_table.version and loads == [1]
    assert world.matcher(id_table=lambda: None).version == world.matcher().version


def test_film_linked_only_by_the_table_is_confirmed_by_its_release_date(
    spy_world: World,
) -> None:
    movie = TraktMovie(
        ids=TraktIds(trakt=1607, tmdb=SPY_FILM_TMDB),
        title="SPY x FAMILY CODE: White",
        year=2023,
        genres=("anime",),
        released="2023-12-22",
    )
    result = spy_world.matcher(id_table=table).resolve_movie(movie)
    assert (result.status, result.subject_id, result.source) == (MATCHED, 411428, "id-table")

    years_off = TraktMovie(
        ids=TraktIds(trakt=1608, tmdb=SPY_FILM_TMDB),
        title="SPY x FAMILY CODE: White",
        year=2030,
        genres=("anime",),
        released="2030-12-22",
    )
    assert spy_world.matcher(id_table=table).resolve_movie(years_off).status is UNMATCHED
