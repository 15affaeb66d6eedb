"""Release patterns TMDB and Bangumi number differently (issue 10): batch releases, a recap
TMDB counts as an episode, split premieres. Each is placed by numbering inside evidence
that pins the subject down, or left unmatched with a reason."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from matcher_world import World, aired_at, played, show, trakt_season, weekly

from trakt_sync.models import ResolutionStatus

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED

BOCCHI_SID, BOCCHI_TMDB = 328609, 119100  # tv/119100 → 328609, its only key


def one_day(rows: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """Every row released on ``day`` (a web-first batch)."""
    return [{**row, "first_aired": aired_at(day, "17:00")} for row in rows]


# -- batch releases ----------------------------------------------------------------------------


def test_batch_release_with_an_id_key_is_placed_by_numbering_with_the_date_set_aside(
    world: World,
) -> None:
    listed = weekly(BOCCHI_SID, 12)
    world.catalogue.episodes[BOCCHI_SID] = listed
    batch_day = date.fromisoformat(listed[-1]["airdate"]) + timedelta(days=90)
    rows = one_day(trakt_season(1, [listed]), batch_day)
    world.trakt.seasons[(3001, 1)] = rows
    streamed = show(3001, BOCCHI_TMDB, "Bocchi the Rock!")

    results = world.matcher().resolve_season(streamed, 1, played(rows, 1, 7, 12))

    assert [(r.status, r.episode_id) for r in results] == [
        (MATCHED, BOCCHI_SID * 10000 + n) for n in (1, 7, 12)
    ]
    assert any("batch release" in line and str(batch_day) in line for line in results[0].evidence)
    assert any("set aside" in line for line in results[1].evidence)


def test_batch_release_found_by_title_needs_its_episode_count_and_a_date_near_the_run(
    world: World,
) -> None:
    subject = {
        "id": 49282,
        "type": 2,
        "name": "がんばれ！ルルロロ",
        "name_cn": "",
        "date": "2013-01-16",
        "platform": "TV",
        "infobox": [],
    }
    listed = weekly(49282, 6)
    world.catalogue.subjects[49282] = subject
    world.catalogue.episodes[49282] = listed
    world.hits["がんばれ！ルルロロ"] = [subject]
    world.trakt.aliases[3002] = [{"title": "がんばれ！ルルロロ", "country": "jp"}]
    lulu = show(3002, 45678, "Ganbare! Lulu Lolo", "animation")
    first = date.fromisoformat(listed[0]["airdate"])

    # weeks before the TV run, every episode on one day, six episodes for six: placed
    early = one_day(trakt_season(1, [listed]), first - timedelta(days=30))
    world.trakt.seasons[(3002, 1)] = early
    results = world.matcher().resolve_season(lulu, 1, played(early, 1, 6))
    assert [(r.status, r.episode_id) for r in results] == [
        (MATCHED, 492820001),
        (MATCHED, 492820006),
    ]

    # seven episodes for six: the count does not fit, the title alone places nothing
    world.cache.data.clear()
    extra = [*listed, {**listed[-1], "id": 492820007, "ep": 7, "sort": 7}]
    longer = one_day(trakt_season(1, [extra]), first - timedelta(days=30))
    world.trakt.seasons[(3002, 1)] = longer
    results = world.matcher().resolve_season(lulu, 1, played(longer, 1, 6))
    assert {r.status for r in results} == {UNMATCHED}

    # a batch years after the run is another season's release: a contradiction, not a batch
    world.cache.data.clear()
    later = one_day(trakt_season(1, [listed]), first + timedelta(days=3 * 365))
    world.trakt.seasons[(3002, 1)] = later
    results = world.matcher().resolve_season(lulu, 1, played(later, 1, 6))
    assert {r.status for r in results} == {UNMATCHED}


def test_a_daily_run_is_no_batch(world: World) -> None:
    # Six episodes one day apart: dates that disagree with a weekly run stay a contradiction.
    listed = weekly(BOCCHI_SID, 6)
    world.catalogue.episodes[BOCCHI_SID] = listed
    rows = trakt_season(1, [weekly(BOCCHI_SID, 6, start=date(2022, 12, 1), every_days=1)])
    world.trakt.seasons[(3003, 1)] = rows
    streamed = show(3003, BOCCHI_TMDB, "Bocchi the Rock!")

    results = world.matcher().resolve_season(streamed, 1, played(rows, 1, 6))

    assert {r.status for r in results} == {UNMATCHED}
