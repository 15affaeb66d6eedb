"""Batch releases in a franchise (issue 10): a season's one shared date is set aside only
for a subject it could be a web release of, and a placement by numbering stands only when
no other subject of the franchise could host those episodes as well. Each test is the
shape of a wrong mark the generalisation bench found on seeds nobody tuned on."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from matcher_world import World, aired_at, played, show, trakt_season, weekly

from trakt_sync.matching.bangumi_data import BangumiDataIndex, DataSubject, TmdbKey
from trakt_sync.models import Resolution, ResolutionStatus

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED


def subject(sid: int, name: str, day: date, platform: str = "TV") -> dict[str, Any]:
    return {
        "id": sid,
        "type": 2,
        "name": name,
        "name_cn": "",
        "date": day.isoformat(),
        "platform": platform,
        "infobox": [],
    }


def one_day(rows: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    return [{**row, "first_aired": aired_at(day, "17:00")} for row in rows]


def franchise(world: World, *parts: tuple[int, str, list[dict[str, Any]]]) -> None:
    """Subjects with their episode lists, each the 续集 of the one before."""
    for sid, name, listed in parts:
        first = date.fromisoformat(listed[0]["airdate"])
        world.catalogue.add(subject(sid, name, first), listed)
    for (a, _, _), (b, _, _) in zip(parts, parts[1:], strict=False):
        world.catalogue.relate(a, b, "续集", "前传")


def plain_keys(tmdb: int, *parts: tuple[int, str, list[dict[str, Any]]]) -> BangumiDataIndex:
    """bangumi-data with a plain ``tv/<tmdb>`` key on every subject (no season says which)."""
    subjects = [
        DataSubject(
            sid,
            "tv",
            date.fromisoformat(listed[0]["airdate"]),
            date.fromisoformat(listed[-1]["airdate"]),
            name,
        )
        for sid, name, listed in parts
    ]
    return BangumiDataIndex("test", subjects, [(TmdbKey("tv", tmdb), sid) for sid, _, _ in parts])


def marks(results: list[Resolution]) -> list[tuple[ResolutionStatus, int | None]]:
    return [(r.status, r.episode_id) for r in results]


# -- the shared date inside another subject's weekly run ---------------------------------------


def test_a_batch_date_inside_a_sequels_run_is_no_release_of_the_sequel() -> None:
    # S1 streamed all at once 155 days after its TV run, on the day the sequel's ep 8 aired
    # on TV. Before: the sequel took S1E8 at 0.97 (its ep 8 "agreed"), the rest were ambiguous.
    first = weekly(910001, 13, start=date(2021, 7, 3))
    second = weekly(910002, 13, start=date(2022, 1, 8), sort_start=14)
    parts = ((910001, "再建記", first), (910002, "再建記 第二部", second))
    index = plain_keys(99990001, *parts)
    world = World(index=lambda: index)
    franchise(world, *parts)
    rows = one_day(trakt_season(1, [first]), date(2022, 2, 26))
    world.trakt.seasons[(4001, 1)] = rows
    streamed = show(4001, 99990001, "Realist Hero")

    results = world.matcher().resolve_season(streamed, 1, played(rows, *range(1, 14)))

    assert marks(results) == [(MATCHED, 910001 * 10000 + n) for n in range(1, 14)]
    assert all(r.subject_id != 910002 for r in results)


def test_a_batch_date_meeting_one_day_of_the_first_seasons_run_does_not_place_s2_on_it(
    world: World,
) -> None:
    # TMDB S2 (24 episodes) streamed weeks before its TV run, on a day S1's ep 21 aired.
    # Before: S2E21 was marked on S1's ep 21 at 0.9 ("its date agrees").
    first = weekly(920001, 26, start=date(2016, 10, 4))
    second = weekly(920002, 24, start=date(2017, 4, 7))
    franchise(world, (920001, "忍び物語", first), (920002, "忍び物語～伊勢篇～", second))
    world.hits["忍び物語"] = [world.catalogue.subjects[920001], world.catalogue.subjects[920002]]
    rows = one_day(trakt_season(2, [second]), date(2017, 2, 20))
    world.trakt.seasons[(4002, 2)] = rows
    ninja = show(4002, None, "忍び物語")

    results = world.matcher().resolve_season(ninja, 2, played(rows, *range(1, 25)))

    assert all(r.subject_id != 920001 for r in results)
    assert marks(results) == [(MATCHED, 920002 * 10000 + n) for n in range(1, 25)]


# -- another subject of the franchise whose own date the shared one is -------------------------


@pytest.mark.parametrize(
    ("first_name", "second_name"),
    [("ぼん日記 シーズン1", "ぼん日記 シーズン2"), ("ぼん日記", "ぼん日記 新章")],
)
def test_a_web_drop_on_the_sequels_own_day_is_the_sequel_not_season_1_by_numbering(
    world: World, first_name: str, second_name: str
) -> None:
    # Both seasons are web drops (every episode one day). Search finds season 1 only; its
    # numbers fit S2 too and S2's day lies 76 days after it. Before: all of S2 on season 1.
    first = weekly(930001, 12, start=date(2024, 5, 1), every_days=0)
    second = weekly(930002, 12, start=date(2024, 7, 16), every_days=0)
    franchise(world, (930001, first_name, first), (930002, second_name, second))
    world.hits[first_name] = [world.catalogue.subjects[930001]]
    rows = trakt_season(2, [second])
    world.trakt.seasons[(4003, 2)] = rows
    bon = show(4003, None, "Bon Diary", original_title=first_name)

    results = world.matcher().resolve_season(bon, 2, played(rows, *range(1, 13)))

    assert marks(results) == [(MATCHED, 930002 * 10000 + n) for n in range(1, 13)]


def test_a_batch_the_day_before_a_sequels_premiere_stays_on_the_season_it_numbers(
    world: World,
) -> None:
    # 17 episodes streamed the day before the sequel's TV premiere: one day of a weekly
    # run is a coincidence, not the sequel's date. Before: S1E16 went to the sequel's ep 1.
    first = weekly(940001, 17, start=date(2018, 5, 3))
    second = weekly(940002, 17, start=date(2018, 11, 30))
    franchise(world, (940001, "おしり探偵団", first), (940002, "おしり探偵団(第2シリーズ)", second))
    world.hits["おしり探偵団"] = [world.catalogue.subjects[940001]]
    rows = one_day(trakt_season(1, [first]), date(2018, 11, 29))
    world.trakt.seasons[(4004, 1)] = rows
    detective = show(4004, None, "おしり探偵団")

    results = world.matcher().resolve_season(detective, 1, played(rows, *range(1, 18)))

    assert all(r.subject_id != 940002 for r in results)
    assert marks(results) == [(MATCHED, 940001 * 10000 + n) for n in range(1, 18)]


# -- two subjects that could both be the release -----------------------------------------------


def two_seasons(tmdb: int) -> tuple[World, list[dict[str, Any]]]:
    """Two 12-episode seasons under one plain key; TMDB S1 streamed between their runs."""
    first = weekly(950001, 12, start=date(2006, 4, 8))
    second = weekly(950002, 12, start=date(2006, 10, 3))
    parts = ((950001, "黒い環礁", first), (950002, "黒い環礁 第二幕", second))
    index = plain_keys(tmdb, *parts)
    world = World(index=lambda: index)
    franchise(world, *parts)
    day = date.fromisoformat(first[-1]["airdate"]) + timedelta(days=77)
    rows = one_day(trakt_season(1, [first]), day)
    world.trakt.seasons[(4005, 1)] = rows
    return world, rows


def test_a_batch_both_seasons_could_be_is_left_unmatched_with_both_named() -> None:
    world, rows = two_seasons(99990005)
    streamed = show(4005, 99990005, "Reef")

    results = world.matcher().resolve_season(streamed, 1, played(rows, 1, 12))

    assert {r.status for r in results} == {UNMATCHED}
    assert "fits 2 Bangumi subjects equally" in results[0].reason
    assert "黒い環礁 (950001)" in results[0].reason and "(950002)" in results[0].reason
    assert "`trakt-sync map add trakt:4005 S1E1 <bangumi subject id>`" in results[0].reason


def test_of_two_seasons_that_could_be_the_batch_the_one_titled_as_the_show_takes_s1() -> None:
    world, rows = two_seasons(99990006)
    streamed = show(4005, 99990006, "Reef", original_title="黒い環礁")

    results = world.matcher().resolve_season(streamed, 1, played(rows, 1, 12))

    assert marks(results) == [(MATCHED, 950001 * 10000 + 1), (MATCHED, 950001 * 10000 + 12)]


def test_of_two_seasons_that_could_be_the_batch_the_one_it_counts_one_for_one_takes_it() -> None:
    # The same, but the second season has 13 episodes: TMDB's 12 are the first one's.
    world, rows = two_seasons(99990007)
    second = weekly(950002, 13, start=date(2006, 10, 3))
    world.catalogue.episodes[950002] = second
    streamed = show(4005, 99990007, "Reef")

    results = world.matcher().resolve_season(streamed, 1, played(rows, 1, 12))

    assert marks(results) == [(MATCHED, 950001 * 10000 + 1), (MATCHED, 950001 * 10000 + 12)]


def test_a_season_word_naming_the_tmdb_season_does_not_pick_between_two_that_could_host() -> None:
    # TMDB S5 streamed between the runs of 第5シリーズ and 第6シリーズ (26 episodes each);
    # TMDB counts seasons its own way (here S5 is 第6シリーズ). Before: all on 第5シリーズ.
    fifth = weekly(960005, 26, start=date(2017, 4, 3))
    sixth = weekly(960006, 26, start=date(2018, 4, 2))
    parts = ((960005, "わしも(第5シリーズ)", fifth), (960006, "わしも(第6シリーズ)", sixth))
    index = plain_keys(99990008, *parts)
    world = World(index=lambda: index)
    franchise(world, *parts)
    rows = one_day(trakt_season(5, [sixth]), date(2018, 2, 7))
    world.trakt.seasons[(4008, 5)] = rows
    washimo = show(4008, 99990008, "Washimo", original_title="わしも")

    results = world.matcher().resolve_season(washimo, 5, played(rows, 1, 26))

    assert {r.status for r in results} == {UNMATCHED}
    assert "fits 2 Bangumi subjects equally" in results[0].reason


def test_a_web_drop_on_a_partly_titled_subjects_own_day_beats_the_exact_title_by_numbering(
    world: World,
) -> None:
    # Search finds both; the exact title fits S2's numbers with the date set aside, the
    # "PartⅡ" has every episode on S2's day. Before: both, "equally", unmatched.
    first = weekly(970001, 12, start=date(2018, 3, 23), every_days=0)
    second = weekly(970002, 12, start=date(2018, 7, 31), every_days=0)
    franchise(
        world,
        (970001, "剣の男 The Animation", first),
        (970002, "剣の男 The Animation PartⅡ", second),
    )
    hits = [world.catalogue.subjects[970001], world.catalogue.subjects[970002]]
    world.hits["剣の男 The Animation"] = hits
    rows = trakt_season(2, [second])
    world.trakt.seasons[(4009, 2)] = rows
    sword = show(4009, None, "Sword Man", original_title="剣の男 The Animation")

    results = world.matcher().resolve_season(sword, 2, played(rows, *range(1, 13)))

    assert marks(results) == [(MATCHED, 970002 * 10000 + n) for n in range(1, 13)]
