"""Regressions for what ``make bench`` (bench/matching.py) found."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from matcher_world import World, aired_at, played, show, trakt_season, weekly

from trakt_sync.models import ResolutionStatus, TraktIds, TraktMovie

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED

BOCCHI = show(2001, 119100, "Bocchi the Rock!")  # tv/119100 → 328609, its only key
SPY = show(2002, 120089, "SPY x FAMILY")
SNK = show(2003, 1429, "Attack on Titan")


def shifted(rows: list[dict[str, Any]], days: int) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        instant = datetime.fromisoformat(row["first_aired"]) + timedelta(days=days)
        out.append({**row, "first_aired": instant.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    return out


# -- streaming schedules: every Trakt date a week or two off the TV dates --------------------


def test_a_week_late_streaming_schedule_marks_nothing_instead_of_every_episode_one_off(
    world: World,
) -> None:
    # Before: dates put S1E1 on ep 2, S1E2 on ep 3, ... and marked them all at 0.85.
    listed = weekly(328609, 12)
    world.catalogue.episodes[328609] = listed
    for days, trakt_id in ((7, 2001), (-7, 2004), (14, 2005)):
        rows = shifted(trakt_season(1, [listed], slot="24:00"), days)
        world.trakt.seasons[(trakt_id, 1)] = rows
        streamed = show(trakt_id, 119100, "Bocchi the Rock!")

        results = world.matcher().resolve_season(streamed, 1, played(rows, *range(1, 13)))

        assert {r.status for r in results} == {UNMATCHED}, days
        (cand,) = results[0].candidates
        assert cand["subject_id"] == 328609
        assert "streaming schedule" in cand["why_rejected"]
        assert f"{days:+d} days off" in cand["why_rejected"]


def test_a_streaming_schedule_on_a_multi_cour_season_marks_neither_cour(world: World) -> None:
    cour1, cour2 = weekly(329906, 12), weekly(373267, 13, sort_start=13)
    world.catalogue.episodes.update({329906: cour1, 373267: cour2})
    rows = shifted(trakt_season(1, [cour1, cour2], slot="23:00"), 7)
    world.trakt.seasons[(2002, 1)] = rows

    results = world.matcher().resolve_season(SPY, 1, played(rows, 1, 12, 13, 25))

    assert [r.status for r in results] == [UNMATCHED] * 4


def test_air_dates_still_overrule_an_id_start_when_no_uniform_shift_explains_them(
    world: World,
) -> None:
    # Bangumi lists a prologue as ep 1 a week before TMDB's E1: E1-E12 are ep 2-13.
    listed = weekly(328609, 13, start=date(2022, 10, 1))
    world.catalogue.episodes[328609] = listed
    rows = trakt_season(1, [listed[1:]], slot="24:00")
    world.trakt.seasons[(2001, 1)] = rows

    results = world.matcher().resolve_season(BOCCHI, 1, played(rows, 1, 12))

    assert [(r.status, r.episode_id) for r in results] == [
        (MATCHED, 328609 * 10000 + 2),
        (MATCHED, 328609 * 10000 + 13),
    ]
    assert any("overruled by air dates" in line for line in results[0].evidence)


# -- TV specials that TMDB lists as films ----------------------------------------------------

TSUZUMI = {
    "id": 349033,
    "type": 2,
    "name": "鬼滅の刃 鼓屋敷編",
    "name_cn": "鬼灭之刃 鼓屋敷篇",
    "date": "2020-09-18",
    "platform": "TV",
    "eps": 1,
}


def test_a_one_episode_tv_special_is_found_by_a_film_title_search(world: World) -> None:
    world.hits["鬼滅の刃 鼓屋敷編"] = [TSUZUMI]
    special = TraktMovie(
        ids=TraktIds(trakt=3001, tmdb=99999001),  # TMDB id unknown to bangumi-data
        title="Demon Slayer: Tsuzumi Mansion Arc",
        year=2020,
        genres=("anime",),
        released="2020-09-19",
        original_title="鬼滅の刃 鼓屋敷編",
    )

    result = world.matcher().resolve_movie(special)

    assert (result.status, result.subject_id, result.source) == (MATCHED, 349033, "search")


def test_a_tv_series_is_still_no_film(world: World) -> None:
    world.hits["鬼滅の刃 鼓屋敷編"] = [{**TSUZUMI, "eps": 26}]
    special = TraktMovie(
        ids=TraktIds(trakt=3002, tmdb=99999002),
        title="Demon Slayer",
        year=2020,
        genres=("anime",),
        released="2020-09-19",
        original_title="鬼滅の刃 鼓屋敷編",
    )

    result = world.matcher().resolve_movie(special)

    assert result.status is UNMATCHED
    assert result.candidates[0]["why_rejected"] == "a TV series, not a film"


# -- season 0: episodes continuing a keyed OVA -----------------------------------------------


def test_special_continuing_its_start_key_by_number_and_date_is_matched(world: World) -> None:
    # tv/1429/season/0/episode/7 → 80993 (the 3-part OAD): S0E8 and S0E9 are its ep 2 and 3.
    days = [date(2013, 12, 9), date(2014, 4, 9), date(2014, 8, 8)]
    world.catalogue.episodes[80993] = [
        {**e, "airdate": d.isoformat()} for e, d in zip(weekly(80993, 3), days, strict=True)
    ]
    rows = [
        {
            "season": 0,
            "number": n,
            "title": f"OAD {n}",
            "first_aired": aired_at(day, "25:00"),
            "ids": {"trakt": 4000 + n},
        }
        for n, day in ((7, days[0]), (8, days[1]), (9, days[2]), (10, days[2]))
    ]
    world.trakt.seasons[(2003, 0)] = rows

    e7, e8, e9, e10 = world.matcher().resolve_season(SNK, 0, played(rows, 7, 8, 9, 10))

    assert (e7.status, e7.episode_id) == (MATCHED, 80993 * 10000 + 1)  # by the key
    assert (e8.status, e8.episode_id, e8.confidence) == (MATCHED, 80993 * 10000 + 2, 0.85)
    assert any("continues the S0E7 key" in line for line in e8.evidence)
    assert (e9.status, e9.episode_id) == (MATCHED, 80993 * 10000 + 3)
    # S0E10 aired with ep 3 but its number does not continue the key: a date alone is not enough
    assert e10.status is UNMATCHED
