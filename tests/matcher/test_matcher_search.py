"""Shows bangumi-data does not know: title search, verified by air dates — or nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from matcher_world import World, played, show, trakt_season, weekly

from trakt_sync.models import ResolutionStatus

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED
SKIPPED = ResolutionStatus.SKIPPED

# がんばれ！ルルロロ (Bangumi 49282) has no TMDB id in bangumi-data.
LULU = show(777, 45678, "Ganbare! Lulu Lolo", "animation", "kids", year=2013)
LULU_TV = {
    "id": 49282,
    "type": 2,
    "name": "がんばれ！ルルロロ",
    "name_cn": "加油！露露落落",
    "date": "2013-01-16",
    "platform": "TV",
    "infobox": [{"key": "别名", "value": [{"v": "Ganbare! Lulu Lolo"}]}],
}


def lulu_world(world: World, search: list[dict[str, Any]]) -> list[dict]:
    listed = weekly(49282, 6)
    world.catalogue.episodes[49282] = listed
    world.hits["がんばれ！ルルロロ"] = search
    world.trakt.aliases[777] = [
        {"title": "Ganbare! Lulu Lolo", "country": "us"},
        {"title": "がんばれ！ルルロロ", "country": "jp"},
    ]
    rows = trakt_season(1, [listed], slot="17:55")
    world.trakt.seasons[(777, 1)] = rows
    return rows


def test_unknown_tmdb_id_is_matched_by_title_search_verified_by_air_dates(world: World) -> None:
    noise = {**LULU_TV, "id": 1, "name": "ルルロロ ふたりのおはなし", "name_cn": "", "infobox": []}
    rows = lulu_world(world, [noise, LULU_TV])
    listed = world.catalogue.episodes[49282]

    results = world.matcher().resolve_season(LULU, 1, played(rows, 1, 6))

    assert [(r.status, r.subject_id) for r in results] == [(MATCHED, 49282), (MATCHED, 49282)]
    assert results[1].episode_id == 49282 * 10000 + 6
    assert results[0].source == "search"
    assert results[0].confidence >= 0.8  # a title and a run of agreeing dates
    (search,) = [c for c in world.bangumi.calls if c[0] == "search"]
    keyword, types, air_date = search[1:]
    assert (keyword, types) == ("がんばれ!ルルロロ", (2,))  # the Japanese alias first, width-folded
    first, last = (date.fromisoformat(e["airdate"]) for e in (listed[0], listed[-1]))
    assert air_date == (f">={first - timedelta(days=30)}", f"<={last + timedelta(days=7)}")


def test_two_subjects_that_both_fit_leave_the_episode_unmatched_with_candidates(
    world: World,
) -> None:
    web_version = {**LULU_TV, "id": 49283, "platform": "WEB"}
    rows = lulu_world(world, [LULU_TV, web_version])
    world.catalogue.episodes[49283] = weekly(49283, 6, start=date(2013, 1, 16))

    (result,) = world.matcher().resolve_season(LULU, 1, played(rows, 3))

    assert result.status is UNMATCHED
    assert {c["subject_id"] for c in result.candidates} == {49282, 49283}
    assert "trakt-sync map add trakt:777 S1E3" in result.reason


def test_title_match_without_air_dates_to_confirm_it_is_not_enough(world: World) -> None:
    rows = lulu_world(world, [LULU_TV])
    for row in rows:
        row["first_aired"] = None

    (result,) = world.matcher().resolve_season(LULU, 1, played(rows, 1))

    assert result.status is UNMATCHED
    assert result.candidates and result.candidates[0]["subject_id"] == 49282


def test_live_action_homonym_never_catches_an_anime(world: World) -> None:
    anime = show(
        888, 99001, "Nodame Cantabile", "anime", "comedy", original_title="のだめカンタービレ"
    )
    drama_eps = weekly(5555, 11, start=date(2007, 1, 11))
    drama = {
        "id": 5555,
        "type": 6,
        "name": "のだめカンタービレ",
        "name_cn": "交响情人梦",
        "date": "2007-01-11",
        "platform": "日剧",
    }
    world.hits["のだめカンタービレ"] = [drama]
    world.catalogue.episodes[5555] = drama_eps
    rows = trakt_season(1, [drama_eps], slot="25:15")  # even the dates line up
    world.trakt.seasons[(888, 1)] = rows

    (result,) = world.matcher().resolve_season(anime, 1, played(rows, 1))

    assert result.status is UNMATCHED
    assert result.candidates[0]["subject_id"] == 5555
    assert "live-action" in result.candidates[0]["why_rejected"]
    assert ("episodes", 5555) not in world.bangumi.calls

    world.cache.data.clear()
    (allowed,) = world.matcher(include_live_action=True).resolve_season(anime, 1, played(rows, 1))
    assert (allowed.status, allowed.subject_id, allowed.subject_type) == (MATCHED, 5555, 6)


def test_compilation_never_catches_tv_episodes_even_when_everything_else_fits(
    world: World,
) -> None:
    rezero_cut = show(999, 77777, "Re:Zero", "anime", original_title="Re:ゼロから始める異世界生活")
    listed = weekly(296195, 13)
    world.catalogue.episodes[296195] = listed
    world.hits["Re:ゼロから始める異世界生活"] = [
        {
            "id": 296195,
            "type": 2,
            "name": "Re:ゼロから始める異世界生活 新編集版",
            "name_cn": "Re：从零开始的异世界生活 新编集版",
            "date": listed[0]["airdate"],
            "platform": "TV",
        }
    ]
    rows = trakt_season(1, [listed], slot="23:30")
    world.trakt.seasons[(999, 1)] = rows

    (result,) = world.matcher().resolve_season(rezero_cut, 1, played(rows, 1))

    assert result.status is UNMATCHED
    assert result.candidates[0]["subject_id"] == 296195
    assert "compilation" in result.candidates[0]["why_rejected"]


def test_show_no_id_source_knows_and_not_anime_is_skipped_without_requests(world: World) -> None:
    drama = show(1388, 1396, "Breaking Bad", "drama", "crime")
    episodes = played(trakt_season(1, [weekly(1, 2, start=date(2008, 1, 20))]), 1, 2)

    results = world.matcher().resolve_season(drama, 1, episodes)

    assert [r.status for r in results] == [SKIPPED, SKIPPED]
    assert results[0].reason.startswith("not anime")
    assert world.bangumi.calls == [] and world.trakt.calls == []
