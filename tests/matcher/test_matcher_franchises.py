"""The hard cases of matching.md, one franchise at a time, on real bangumi-data keys."""

from __future__ import annotations

import json
from datetime import timedelta

from matcher_world import (
    World,
    aired_at,
    begin_day,
    played,
    real_episodes,
    show,
    trakt_season,
    weekly,
)

from trakt_sync.fakes.memory import sample_bytes
from trakt_sync.matching.bangumi_data import build_index
from trakt_sync.models import EP_SP, Resolution, ResolutionStatus

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED

SNK = show(1420, 1429, "Attack on Titan", "anime", "action")
SPY = show(1501, 120089, "SPY x FAMILY")
REZERO = show(1602, 65942, "Re:ZERO -Starting Life in Another World-")
OSHINOKO = show(1703, 203737, "Oshi no Ko")
ONE_PIECE = show(1804, 37854, "One Piece")


def ids(results: list[Resolution]) -> list[tuple[int | None, int | None]]:
    return [(r.subject_id, r.episode_id) for r in results]


# -- 進撃の巨人 ------------------------------------------------------------------------------


def snk_world(world: World) -> list[dict]:
    season3 = weekly(217300, 12, sort_start=38)
    part2 = real_episodes()[263750]
    world.catalogue.episodes.update({217300: season3, 263750: part2})
    rows = trakt_season(3, [season3, part2], slot="24:10")
    world.trakt.seasons[(1420, 3)] = rows
    return rows


def test_snk_season3_part2_starts_at_tmdb_e13_with_ep_not_sort(world: World) -> None:
    rows = snk_world(world)
    results = world.matcher().resolve_season(SNK, 3, played(rows, 1, 12, 13, 14, 22))

    assert [r.status for r in results] == [MATCHED] * 5
    assert ids(results) == [
        (217300, 217300 * 10000 + 1),
        (217300, 217300 * 10000 + 12),
        (263750, 792615),  # ep 1, sort 50 — not whatever has sort 13
        (263750, 792616),
        (263750, 792624),  # ep 10, sort 59
    ]
    e13 = results[2]
    assert e13.source == "bangumi-data"
    assert e13.confidence >= 0.9
    assert any("tv/1429/season/3/episode/13" in line for line in e13.evidence)
    assert any("2019-04-28" in line for line in e13.evidence)


def test_snk_id_start_contradicted_by_air_dates_is_placed_by_date(world: World) -> None:
    # As if TMDB had inserted a recap as S3E13: Part 2 really starts at E14 there.
    season3 = weekly(217300, 12, sort_start=38)
    part2 = real_episodes()[263750]
    recap = [{**season3[-1], "airdate": "2019-04-21"}]
    world.catalogue.episodes.update({217300: season3, 263750: part2})
    rows = trakt_season(3, [season3, recap, part2], slot="24:10")
    world.trakt.seasons[(1420, 3)] = rows

    e13, e14, e23 = world.matcher().resolve_season(SNK, 3, played(rows, 13, 14, 23))

    assert e13.status is UNMATCHED
    assert "trakt-sync map add trakt:1420 S3E13" in e13.reason
    assert (e14.status, e14.subject_id, e14.episode_id) == (MATCHED, 263750, 792615)
    assert (e23.subject_id, e23.episode_id) == (263750, 792624)
    assert any("overruled by air dates" in line for line in e14.evidence)
    # the id's start is set aside; the whole part's agreeing dates are what place it
    assert any("10/10 air dates agree" in line for line in e14.evidence)


def test_snk_final_chapters_are_tmdb_specials_with_bangumi_data_keys(world: World) -> None:
    zenpen = weekly(376739, 1, sort_start=88)
    kouhen = weekly(415779, 1, sort_start=89)
    world.catalogue.episodes.update({376739: zenpen, 415779: kouhen})
    rows = [
        {**trakt_season(0, [zenpen], start=36, slot="24:25")[0]},
        {**trakt_season(0, [kouhen], start=37, slot="24:00")[0]},
    ]
    world.trakt.seasons[(1420, 0)] = rows

    results = world.matcher().resolve_season(SNK, 0, played(rows, 36, 37))

    assert ids(results) == [(376739, 376739 * 10000 + 1), (415779, 415779 * 10000 + 1)]
    assert all(r.status is MATCHED for r in results)
    assert any("tv/1429/season/0/episode/36" in line for line in results[0].evidence)


def test_season0_special_needs_air_date_and_title_of_an_sp_episode(world: World) -> None:
    world.catalogue.episodes[55770] = real_episodes()[55770]
    recap = {
        "season": 0,
        "number": 5,
        "title": "Since That Day",
        "original_title": "あの日から",
        "first_aired": aired_at("2013-07-06", "25:58"),
        "ids": {"trakt": 42},
    }
    untitled = {**recap, "number": 6, "original_title": None, "title": "Recap"}
    world.trakt.seasons[(1420, 0)] = [recap, untitled]

    sp, other = world.matcher().resolve_season(SNK, 0, played(world.trakt.seasons[(1420, 0)], 5, 6))

    assert (sp.status, sp.subject_id, sp.episode_id) == (MATCHED, 55770, 290029)
    assert other.status is UNMATCHED  # same day, but nothing says it is that SP
    assert other.candidates[0]["subject_id"] == 55770
    assert "title differs" in other.candidates[0]["why_rejected"]
    # only the subject airing around then was fetched, not the whole franchise
    fetched = {c[1] for c in world.bangumi.calls if c[0] == "episodes"}
    assert fetched == {55770}


# -- SPY×FAMILY -------------------------------------------------------------------------------


def test_spy_family_cour2_is_s1e13_and_skips_the_sort0_special(world: World) -> None:
    cour1 = weekly(329906, 12)
    cour2 = real_episodes()[373267]
    assert cour2[0]["type"] == EP_SP and cour2[0]["sort"] == 0
    world.catalogue.episodes.update({329906: cour1, 373267: cour2})
    rows = trakt_season(1, [cour1, cour2], slot="23:00")
    world.trakt.seasons[(1501, 1)] = rows

    results = world.matcher().resolve_season(SPY, 1, played(rows, 1, 12, 13, 25))

    assert ids(results) == [
        (329906, 329906 * 10000 + 1),
        (329906, 329906 * 10000 + 12),
        (373267, 1124319),  # sort 13 main episode, not the SP 1130480
        (373267, 1126236),
    ]
    assert all(r.status is MATCHED for r in results)
    assert any("sort continues the TMDB numbering" in line for line in results[2].evidence)


def test_spy_family_special_on_the_same_day_with_another_title_is_not_matched(
    world: World,
) -> None:
    world.catalogue.episodes[373267] = real_episodes()[373267]
    world.catalogue.episodes[329906] = weekly(329906, 12)
    rows = [
        {
            "season": 0,
            "number": 1,
            "title": "Mission: Special Broadcast",
            "first_aired": aired_at("2022-09-27", "25:00"),
            "ids": {"trakt": 7},
        }
    ]
    world.trakt.seasons[(1501, 0)] = rows

    (result,) = world.matcher().resolve_season(SPY, 0, played(rows, 1))

    assert result.status is UNMATCHED
    assert [c["subject_id"] for c in result.candidates] == [373267]
    assert "trakt-sync map add trakt:1501 S0E1" in result.reason


# -- Re:Zero: one TMDB season, six subjects ---------------------------------------------------


def rezero_world(world: World) -> list[dict]:
    lists = {
        140001: weekly(140001, 25),
        278826: real_episodes()[278826],
        316247: weekly(316247, 12, sort_start=39),
        425998: weekly(425998, 8, sort_start=51),
        510728: weekly(510728, 8, sort_start=59),
        547888: weekly(547888, 11, sort_start=67),
    }
    world.catalogue.episodes.update(lists)
    rows = trakt_season(1, lists.values(), slot="25:05")
    world.trakt.seasons[(1602, 1)] = rows
    return rows


def test_rezero_one_tmdb_season_splits_into_six_subjects(world: World) -> None:
    rows = rezero_world(world)
    numbers = (1, 25, 26, 38, 39, 50, 51, 58, 59, 67, 77)
    results = world.matcher().resolve_season(REZERO, 1, played(rows, *numbers))

    assert all(r.status is MATCHED for r in results), [r.reason for r in results]
    assert ids(results) == [
        (140001, 140001 * 10000 + 1),
        (140001, 140001 * 10000 + 25),
        (278826, 957951),
        (278826, 967250),
        (316247, 316247 * 10000 + 1),
        (316247, 316247 * 10000 + 12),
        (425998, 425998 * 10000 + 1),
        (425998, 425998 * 10000 + 8),
        (510728, 510728 * 10000 + 1),
        (547888, 547888 * 10000 + 1),
        (547888, 547888 * 10000 + 11),
    ]


def test_rezero_next_cour_missing_from_bangumi_data_is_found_along_sequel_relation(
    world: World,
) -> None:
    rows = rezero_world(world)
    dakkan_start = begin_day(547888) + timedelta(weeks=18)
    dakkan = weekly(633836, 4, start=dakkan_start, sort_start=78)
    world.catalogue.episodes[633836] = dakkan
    world.catalogue.subjects[633836] = {
        "id": 633836,
        "type": 2,
        "name": "Re:ゼロから始める異世界生活 4th season 奪還編",
        "platform": "TV",
        "date": dakkan_start.isoformat(),
    }
    world.catalogue.subjects[700001] = {
        "id": 700001,
        "type": 2,
        "name": "Re:ゼロ 短編",
        "platform": "WEB",
    }
    world.catalogue.episodes[700001] = weekly(700001, 4, start=dakkan_start)  # same days
    world.catalogue.relations[547888] = [
        {"id": 700001, "type": 2, "name": "Re:ゼロ 短編", "relation": "番外篇"},
        {
            "id": 296195,
            "type": 2,
            "name": "Re:ゼロから始める異世界生活 新編集版",
            "relation": "总集篇",
        },
        {
            "id": 633836,
            "type": 2,
            "name": "Re:ゼロから始める異世界生活 4th season 奪還編",
            "relation": "续集",
        },
    ]
    rows += trakt_season(1, [dakkan], start=78, slot="25:05")

    e77, e78, e81 = world.matcher().resolve_season(REZERO, 1, played(rows, 77, 78, 81))

    assert (e77.subject_id, e78.subject_id, e81.subject_id) == (547888, 633836, 633836)
    assert (e78.status, e78.episode_id, e78.source) == (MATCHED, 633836 * 10000 + 1, "franchise")
    assert any("续集 of" in line for line in e78.evidence)
    # only 续集 is followed: not the side story airing alongside, not the 总集篇
    assert ("episodes", 296195) not in world.bangumi.calls
    assert ("episodes", 700001) not in world.bangumi.calls


# -- 【推しの子】: double-length premiere -----------------------------------------------------


def test_oshi_no_ko_cour2_starts_at_tmdb_e12(world: World) -> None:
    lists = {
        386809: weekly(386809, 11),
        443428: weekly(443428, 13, sort_start=12),
        517057: weekly(517057, 11, sort_start=25),
    }
    world.catalogue.episodes.update(lists)
    rows = trakt_season(1, lists.values(), slot="23:00")
    world.trakt.seasons[(1703, 1)] = rows

    results = world.matcher().resolve_season(OSHINOKO, 1, played(rows, 11, 12, 24, 25))

    assert ids(results) == [
        (386809, 386809 * 10000 + 11),
        (443428, 443428 * 10000 + 1),
        (443428, 443428 * 10000 + 13),
        (517057, 517057 * 10000 + 1),
    ]
    assert all(r.status is MATCHED for r in results)


# -- ONE PIECE: TMDB arcs vs one subject ------------------------------------------------------


def one_piece_world(world: World) -> list[dict]:
    long_run = weekly(975, 1155)
    world.catalogue.episodes[975] = long_run
    # TMDB season 22 = absolute 1089-1155 (anime-lists tmdbseason mapping)
    rows = trakt_season(22, [long_run[1088:]], slot="09:30", abs_start=1089)
    world.trakt.seasons[(1804, 22)] = rows
    return rows


def test_one_piece_tmdb_arc_season_maps_by_absolute_number_onto_one_subject(
    world: World,
) -> None:
    rows = one_piece_world(world)
    first, e12, last = world.matcher().resolve_season(ONE_PIECE, 22, played(rows, 1, 12, 67))

    assert ids([first, e12, last]) == [
        (975, 975 * 10000 + 1089),
        (975, 975 * 10000 + 1100),
        (975, 975 * 10000 + 1155),
    ]
    assert e12.status is MATCHED
    assert any("absolute number" in line for line in e12.evidence)


def test_one_piece_newest_arc_split_off_as_its_own_subject(world: World) -> None:
    world.catalogue.episodes[975] = weekly(975, 1155)
    elbaf = weekly(602059, 10, sort_start=1156)
    world.catalogue.episodes[602059] = elbaf
    rows = trakt_season(23, [elbaf], slot="23:15", abs_start=1156)
    world.trakt.seasons[(1804, 23)] = rows

    (result,) = world.matcher().resolve_season(ONE_PIECE, 23, played(rows, 1))

    assert (result.status, result.subject_id, result.episode_id) == (
        MATCHED,
        602059,
        602059 * 10000 + 1,
    )
    # 975 ended before this season aired: its 1155-episode list is not even fetched
    assert ("episodes", 975) not in world.bangumi.calls


def test_new_season_missing_from_bangumi_data_is_reached_from_the_previous_one(
    world: World,
) -> None:
    data = json.loads(sample_bytes())
    data["items"] = [
        item
        for item in data["items"]
        if {"site": "bangumi", "id": "498378"} not in item["sites"]  # SPY×FAMILY Season 3
    ]
    lagging = build_index(json.dumps(data).encode())
    world.index = lambda: lagging
    season3 = weekly(498378, 12)
    world.catalogue.episodes[498378] = season3
    world.catalogue.relations[411427] = [
        {"id": 329906, "type": 2, "name": "SPY×FAMILY", "relation": "前传"},
        {"id": 411428, "type": 2, "name": "劇場版 SPY×FAMILY CODE: White", "relation": "续集"},
        {"id": 498378, "type": 2, "name": "SPY×FAMILY Season 3", "relation": "续集"},
    ]
    rows = trakt_season(3, [season3], slot="23:00")
    world.trakt.seasons[(1501, 3)] = rows

    first, last = world.matcher().resolve_season(SPY, 3, played(rows, 1, 12))

    assert (first.status, first.subject_id, first.source) == (MATCHED, 498378, "franchise")
    assert (last.episode_id, first.episode_id) == (498378 * 10000 + 12, 498378 * 10000 + 1)
    assert any("续集 of SPY×FAMILY Season 2 (411427)" in line for line in first.evidence)
    assert ("episodes", 411428) not in world.bangumi.calls  # the film is not a TV season


def test_special_continuing_an_ova_key_is_only_suggested_on_its_air_date(world: World) -> None:
    oad = weekly(80993, 3, every_days=120)  # 進撃の巨人 OAD: key tv/1429/season/0/episode/7
    world.catalogue.episodes[80993] = oad
    rows = trakt_season(0, [oad[1:2]], start=12, slot="12:00")
    rows[0]["original_title"] = "OAD 2"
    world.trakt.seasons[(1420, 0)] = rows

    (suggested,) = world.matcher().resolve_season(SNK, 0, played(rows, 12))

    assert suggested.status is UNMATCHED
    assert suggested.candidates[0]["subject_id"] == 80993
    assert "trakt-sync map add trakt:1420 S0E12 80993 --start-ep 2" in suggested.reason

    world.cache.data.clear()
    oad[1]["name"] = "OAD 2"
    (titled,) = world.matcher().resolve_season(SNK, 0, played(rows, 12))
    assert (titled.status, titled.episode_id) == (MATCHED, 80993 * 10000 + 2)


def test_plain_tmdb_key_of_a_sequel_is_placed_by_air_date_never_assumed(world: World) -> None:
    # 古見さん (第2期) is the only bangumi-data item on tv/123876 in the sample.
    komi = show(1905, 123876, "Komi Can't Communicate")
    second = weekly(363242, 12)
    first_dates = weekly(1, 12, start=begin_day(363242) - timedelta(weeks=26))
    world.catalogue.episodes[363242] = second
    season1 = trakt_season(1, [first_dates], slot="22:30")
    season2 = trakt_season(2, [second], slot="22:30")
    world.trakt.seasons.update({(1905, 1): season1, (1905, 2): season2})

    (s1,) = world.matcher().resolve_season(komi, 1, played(season1, 1))
    (s2,) = world.matcher().resolve_season(komi, 2, played(season2, 1))
    assert s1.status is UNMATCHED  # its dates are the first season's
    assert (s2.status, s2.subject_id, s2.episode_id) == (MATCHED, 363242, 363242 * 10000 + 1)

    for row in season1:
        row["first_aired"] = None
    world.cache.data.clear()
    (undated,) = world.matcher().resolve_season(komi, 1, played(season1, 1))
    assert undated.status is UNMATCHED  # a plain key alone does not say "season 1"
    assert undated.candidates[0]["subject_id"] == 363242
