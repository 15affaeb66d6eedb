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


# -- a recap TMDB counts as an episode -----------------------------------------------------


def recap_world(
    world: World, trakt_id: int, recap_title: str, after: int = 5
) -> list[dict[str, Any]]:
    """Bocchi (12 episodes) with a recap after ep ``after`` (5: Bangumi lists it as SP
    5.5 and airs ep 6 a week later; TMDB numbers it E6, so its E7-E13 are ep 6-12)."""
    first = weekly(BOCCHI_SID, after)
    later = weekly(
        BOCCHI_SID,
        12 - after,
        start=date.fromisoformat(first[-1]["airdate"]) + timedelta(days=14),
    )
    later = [
        {**e, "id": BOCCHI_SID * 10000 + after + k, "ep": after + k, "sort": after + k}
        for k, e in enumerate(later, start=1)
    ]
    recap_day = date.fromisoformat(first[-1]["airdate"]) + timedelta(days=7)
    sp = {**first[-1], "id": BOCCHI_SID * 10000 + 99, "type": 1, "ep": 0, "sort": after + 0.5}
    world.catalogue.episodes[BOCCHI_SID] = [*first, {**sp, "airdate": str(recap_day)}, *later]
    rows = trakt_season(1, [first, [{**first[-1], "airdate": str(recap_day)}], later])
    rows[after] = {**rows[after], "title": recap_title}
    world.trakt.seasons[(trakt_id, 1)] = rows
    return rows


def test_recap_tmdb_counts_shifts_the_episodes_after_it_and_is_the_sp_when_titled(
    world: World,
) -> None:
    rows = recap_world(world, 3004, "Recap")
    streamed = show(3004, BOCCHI_TMDB, "Bocchi the Rock!")

    e5, e6, e7, e13 = world.matcher().resolve_season(streamed, 1, played(rows, 5, 6, 7, 13))

    assert (e5.status, e5.episode_id) == (MATCHED, BOCCHI_SID * 10000 + 5)
    assert (e6.status, e6.episode_id) == (MATCHED, BOCCHI_SID * 10000 + 99)  # the SP 5.5
    assert (e7.status, e7.episode_id) == (MATCHED, BOCCHI_SID * 10000 + 6)
    assert (e13.status, e13.episode_id) == (MATCHED, BOCCHI_SID * 10000 + 12)
    assert any("E7 on are shifted by one" in line for line in e13.evidence)
    assert any("recap" in line and "title agree" in line for line in e6.evidence)


def test_an_inserted_episode_without_a_recap_title_stays_unmatched(world: World) -> None:
    rows = recap_world(world, 3005, "Episode 6")
    streamed = show(3005, BOCCHI_TMDB, "Bocchi the Rock!")

    e6, e7 = world.matcher().resolve_season(streamed, 1, played(rows, 6, 7))

    assert e6.status is UNMATCHED
    assert "TMDB counts and" in e6.reason and "(a recap?)" in e6.reason
    assert "`trakt-sync map add trakt:3005 S1E6 ignore`" in e6.reason
    assert (e7.status, e7.episode_id) == (MATCHED, BOCCHI_SID * 10000 + 6)


def test_a_recap_after_the_first_or_before_the_last_episode_leaves_one_date_on_a_side(
    world: World,
) -> None:
    # One agreeing date is enough on the subject's first or last episode.
    for trakt_id, after in ((3008, 1), (3009, 11)):
        rows = recap_world(world, trakt_id, "Recap", after)
        streamed = show(trakt_id, BOCCHI_TMDB, "Bocchi the Rock!")

        results = world.matcher().resolve_season(streamed, 1, played(rows, *range(1, 14)))

        ids = [r.episode_id for r in results]
        mains = [BOCCHI_SID * 10000 + ep for ep in range(1, 13)]
        assert ids == [*mains[:after], BOCCHI_SID * 10000 + 99, *mains[after:]], after
        assert {r.status for r in results} == {MATCHED}


def test_two_different_steps_without_an_episode_between_them_place_nothing_by_pieces(
    world: World,
) -> None:
    # Dates that agree at offset 0 for E1-E4 and offset 2 from E5: no single inserted
    # episode explains a jump of two, and the id's start holds for too few dates.
    listed = weekly(BOCCHI_SID, 12)
    world.catalogue.episodes[BOCCHI_SID] = listed
    rows = trakt_season(1, [listed[:4], listed[6:]])
    world.trakt.seasons[(3006, 1)] = rows
    streamed = show(3006, BOCCHI_TMDB, "Bocchi the Rock!")

    results = world.matcher().resolve_season(streamed, 1, played(rows, *range(1, 11)))

    assert {r.status for r in results} == {UNMATCHED}
    assert "air dates disagree with its start E1" in results[0].candidates[0]["why_rejected"]


# -- double-length premieres -----------------------------------------------------------------


def test_premiere_split_in_two_on_tmdb_puts_both_halves_on_ep_1(world: World) -> None:
    listed = weekly(BOCCHI_SID, 12)
    world.catalogue.episodes[BOCCHI_SID] = listed
    rows = trakt_season(1, [[listed[0]], listed])
    world.trakt.seasons[(3007, 1)] = rows
    streamed = show(3007, BOCCHI_TMDB, "Bocchi the Rock!")

    e1, e2, e3, e13 = world.matcher().resolve_season(streamed, 1, played(rows, 1, 2, 3, 13))

    ep1 = BOCCHI_SID * 10000 + 1
    assert [(r.status, r.episode_id) for r in (e1, e2)] == [(MATCHED, ep1), (MATCHED, ep1)]
    assert (e3.episode_id, e13.episode_id) == (ep1 + 1, ep1 + 11)
    assert any("split in two on TMDB" in line for line in e13.evidence)


# -- missing and day-off dates ---------------------------------------------------------------


def test_undated_and_day_off_episodes_are_placed_by_numbering_among_agreeing_ones(
    world: World,
) -> None:
    listed = weekly(BOCCHI_SID, 12)
    world.catalogue.episodes[BOCCHI_SID] = listed
    rows = trakt_season(1, [listed])
    rows[2] = {**rows[2], "first_aired": None}
    for k, days in ((4, 1), (6, -1)):
        day = date.fromisoformat(listed[k]["airdate"]) + timedelta(days=days)
        rows[k] = {**rows[k], "first_aired": aired_at(day)}
    world.trakt.seasons[(3010, 1)] = rows
    streamed = show(3010, BOCCHI_TMDB, "Bocchi the Rock!")

    e3, e5, e7 = world.matcher().resolve_season(streamed, 1, played(rows, 3, 5, 7))

    assert [(r.status, r.episode_id) for r in (e3, e5, e7)] == [
        (MATCHED, BOCCHI_SID * 10000 + n) for n in (3, 5, 7)
    ]
    assert "no air date to compare" in e3.evidence[-1]
    assert e3.confidence >= 0.8  # its neighbours' dates carry it
