"""Bangumi's episode lists as the wiki really has them (issue 24), through the matcher.

A survey of 41 real subjects found: recaps listed as main episodes with a half sort
(ちょびっツ, 12: sorts 8.5 and 16.5, the API's ``ep`` 8.5), air dates as ``DD.MM.YYYY``
or empty, OP/ED entries with the same sort as a main episode listed right after it (975,
899), SPs sharing a main episode's sort (265, 10380, 40310), lists not sorted by sort,
several main episodes on one air date (975 eps 6–8), future episodes pre-created with
projected dates, a Blu-ray-only episode typed main and dated months after the run (29648,
72942), a second cour whose sorts continue (373267 starts at 13), ``duration`` as
``"24m"``, ``"00:24:43"``, ``"23:35m"`` or ``""``, names with tabs, subjects without
episodes. Each gets a test here: the right episode or none, never a wrong one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from matcher_world import World, aired_at, played, real_episodes, show, trakt_season, weekly

from trakt_sync.matching.fits import parse_episodes
from trakt_sync.models import Resolution, ResolutionStatus

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED

BOCCHI_SID, BOCCHI_TMDB = 328609, 119100  # tv/119100 → 328609, its only key
SPY_COUR2, SPY_TMDB = 373267, 120089  # tv/120089/season/1/episode/13 → 373267
RECAP_ID = BOCCHI_SID * 10000 + 650


def dotted(day: str) -> str:
    """``2022-10-08`` as ちょびっツ's list writes it: ``08.10.2022``."""
    y, m, d = day.split("-")
    return f"{d}.{m}.{y}"


def with_half_sort_recap(after: int = 6, count: int = 12) -> list[dict[str, Any]]:
    """Bocchi's twelve episodes with a recap listed as main episode ``after + 0.5``: it
    airs the week after ep ``after`` and the later episodes a week later; the API says
    ``ep`` = sort - first sort + 1, so the recap's is a half too."""
    listed = weekly(BOCCHI_SID, count)
    for e in listed[after:]:
        e["airdate"] = (date.fromisoformat(e["airdate"]) + timedelta(days=7)).isoformat()
    recap_day = date.fromisoformat(listed[after - 1]["airdate"]) + timedelta(days=7)
    recap = {
        **listed[after - 1],
        "id": RECAP_ID,
        "sort": after + 0.5,
        "ep": after + 0.5,
        "name": "総集編",
        "airdate": recap_day.isoformat(),
    }
    return [*listed[:after], recap, *listed[after:]]


def marks(results: list[Resolution]) -> list[tuple[ResolutionStatus, int | None]]:
    return [(r.status, r.episode_id) for r in results]


def main_id(n: int) -> int:
    return BOCCHI_SID * 10000 + n


# -- half-sort main recaps -----------------------------------------------------------------


def test_a_half_sort_recap_is_kept_aside_and_never_shifts_the_numbers_after_it() -> None:
    episodes = parse_episodes(with_half_sort_recap(), subject=BOCCHI_SID)
    numbered = {e.ep: e.id for e in episodes if e.ep is not None}
    assert numbered == {n: main_id(n) for n in range(1, 13)}  # sort n is ep n
    [recap] = [e for e in episodes if e.is_recap]
    assert recap.id == RECAP_ID and recap.label == "recap sort 6.5"


def test_dotted_dates_confirm_every_episode_past_a_half_sort_recap(world: World) -> None:
    """TMDB does not list the recap: E7 is sort 7, as the air dates (DD.MM.YYYY) say."""
    listed = with_half_sort_recap()
    world.trakt.seasons[(3101, 1)] = trakt_season(1, [[e for e in listed if e["sort"] % 1 == 0]])
    for e in listed:
        e["airdate"] = dotted(e["airdate"])
    world.catalogue.episodes[BOCCHI_SID] = listed
    rows = world.trakt.seasons[(3101, 1)]
    results = world.matcher().resolve_season(
        show(3101, BOCCHI_TMDB, "Bocchi"), 1, played(rows, *range(1, 13))
    )
    assert marks(results) == [(MATCHED, main_id(n)) for n in range(1, 13)]


def test_a_recap_tmdb_counts_goes_to_the_half_sort_episode_only_when_its_title_says_so(
    world: World,
) -> None:
    listed = with_half_sort_recap()
    world.catalogue.episodes[BOCCHI_SID] = listed
    rows = trakt_season(1, [[{**e, "type": 0} for e in listed]])  # 13 rows: E7 the recap
    rows[6] = {**rows[6], "title": "Recap", "original_title": "総集編"}
    world.trakt.seasons[(3102, 1)] = rows
    results = world.matcher().resolve_season(
        show(3102, BOCCHI_TMDB, "Bocchi"), 1, played(rows, *range(1, 14))
    )
    want = [(MATCHED, main_id(n)) for n in range(1, 7)]
    want += [(MATCHED, RECAP_ID)]
    want += [(MATCHED, main_id(n)) for n in range(7, 13)]
    assert marks(results) == want

    # untitled, nothing says it is the recap: E7 left alone, E8 on still shifted by one
    world.cache.data.clear()
    rows[6] = {**rows[6], "title": "Episode 7", "original_title": None}
    results = world.matcher().resolve_season(
        show(3102, BOCCHI_TMDB, "Bocchi"), 1, played(rows, *range(1, 14))
    )
    assert marks(results)[:6] == want[:6] and marks(results)[7:] == want[7:]
    assert results[6].status is UNMATCHED and "TMDB counts" in results[6].reason


@pytest.mark.parametrize("tmdb_counts_the_recap", [False, True])
def test_without_bangumi_dates_nothing_past_a_half_sort_recap_is_marked(
    world: World, tmdb_counts_the_recap: bool
) -> None:
    """ちょびっツ before its dates could be read: no date can say whether TMDB counts the
    recap, so the episodes after it are left unmarked with the reason — whichever TMDB
    does (when it counts the recap it numbers one more episode than Bangumi lists, and
    then nothing can be placed by numbering at all). Those before it may be marked by
    numbering where the source is strong enough (a plain key alone is not)."""
    listed = with_half_sort_recap()
    mains = [e for e in listed if e["sort"] % 1 == 0]
    rows = trakt_season(1, [listed if tmdb_counts_the_recap else mains])
    world.trakt.seasons[(3103, 1)] = rows
    world.catalogue.episodes[BOCCHI_SID] = [{**e, "airdate": ""} for e in listed]
    results = world.matcher().resolve_season(
        show(3103, BOCCHI_TMDB, "Bocchi"), 1, played(rows, *range(1, len(rows) + 1))
    )
    right = {n: main_id(n) for n in range(1, 7)}
    for n, result in enumerate(results, start=1):
        if result.status is MATCHED:
            assert result.episode_id == right.get(n), (n, result.evidence)
        if n > 6 or tmdb_counts_the_recap:
            assert result.status is UNMATCHED
        if tmdb_counts_the_recap:
            why = result.candidates[0]["why_rejected"]
            assert "TMDB numbers 13 episode(s)" in why and "Bangumi lists 12" in why, why
        elif n > 6:
            assert "recap sort 6.5" in result.reason and "left unmarked" in result.reason


def test_dates_on_both_sides_of_an_undated_stretch_confirm_it(world: World) -> None:
    """Two recaps; the episodes between them have no Bangumi date, those around them do:
    one offset agreeing before and after leaves no room for TMDB counting a recap."""
    listed = with_half_sort_recap(after=4)
    listed.insert(9, {**listed[8], "id": RECAP_ID + 1, "sort": 8.5, "ep": 8.5, "airdate": ""})
    mains = [e for e in listed if e["sort"] % 1 == 0]
    rows = trakt_season(1, [mains])
    world.trakt.seasons[(3104, 1)] = rows
    for e in listed:
        if 5 <= e["sort"] <= 8:
            e["airdate"] = ""
    world.catalogue.episodes[BOCCHI_SID] = listed
    results = world.matcher().resolve_season(
        show(3104, BOCCHI_TMDB, "Bocchi"), 1, played(rows, *range(1, 13))
    )
    assert marks(results) == [(MATCHED, main_id(n)) for n in range(1, 13)]


# -- the other quirks ----------------------------------------------------------------------


def bocchi_season(world: World, listed: list[dict[str, Any]], trakt: int) -> list[Resolution]:
    mains = sorted((e for e in listed if e["type"] == 0), key=lambda e: e["sort"])
    rows = trakt_season(1, [mains])
    world.trakt.seasons[(trakt, 1)] = rows
    world.catalogue.episodes[BOCCHI_SID] = listed
    return world.matcher().resolve_season(
        show(trakt, BOCCHI_TMDB, "Bocchi"), 1, played(rows, *range(1, len(rows) + 1))
    )


def all_right(results: list[Resolution], count: int = 12) -> bool:
    return marks(results) == [(MATCHED, main_id(n)) for n in range(1, count + 1)]


def test_op_and_ed_with_a_main_episodes_sort_listed_right_after_it(world: World) -> None:
    listed: list[dict[str, Any]] = []
    for e in weekly(BOCCHI_SID, 12):
        listed.append(e)
        if e["sort"] in (1, 7):  # a new OP/ED with the episode that premiered it (975, 899)
            for kind in (2, 3):
                listed.append({**e, "id": e["id"] + 500 + kind, "type": kind, "ep": 0})
    assert all_right(bocchi_season(world, listed, 3201))


def test_sps_sharing_a_main_episodes_sort_and_day(world: World) -> None:
    listed = weekly(BOCCHI_SID, 12)
    listed += [{**listed[2], "id": main_id(803), "type": 1, "ep": 0, "name": "SP"}]
    listed += [{**listed[9], "id": main_id(810), "type": 1, "ep": 0, "name": "\tSP 2"}]
    assert all_right(bocchi_season(world, listed, 3202))


def test_a_list_not_sorted_by_sort(world: World) -> None:
    listed = weekly(BOCCHI_SID, 12)
    shuffled = listed[6:] + listed[:6][::-1]
    assert all_right(bocchi_season(world, shuffled, 3203))


def test_several_main_episodes_on_one_air_date(world: World) -> None:
    listed = weekly(BOCCHI_SID, 12)
    for e in listed[6:8]:  # eps 6–8 on one day, as ONE PIECE's 6–8 (975)
        e["airdate"] = listed[5]["airdate"]
    results = bocchi_season(world, listed, 3204)
    assert all_right(results)


def test_a_blu_ray_only_main_episode_dated_months_after_the_run(world: World) -> None:
    listed = weekly(BOCCHI_SID, 12)
    late = date.fromisoformat(listed[-1]["airdate"]) + timedelta(days=150)
    listed.append({**listed[-1], "id": main_id(13), "sort": 13, "ep": 13, "airdate": str(late)})
    rows = trakt_season(1, [listed[:12]])  # TMDB knows the twelve broadcast episodes
    world.trakt.seasons[(3205, 1)] = rows
    world.catalogue.episodes[BOCCHI_SID] = listed
    results = world.matcher().resolve_season(
        show(3205, BOCCHI_TMDB, "Bocchi"), 1, played(rows, *range(1, 13))
    )
    assert all_right(results)


def test_future_episodes_with_projected_dates_that_later_moved(world: World) -> None:
    """Bangumi pre-created eps 9–12 on a weekly projection; TMDB expects a week's pause,
    so its dates for them are a week later. While they are still to come, two
    projections that differ say nothing: the aired eps 1–8 are marked. Once TMDB's dates
    have passed and still differ, no episode is marked against them."""
    listed = weekly(BOCCHI_SID, 12)
    rows = trakt_season(1, [listed])
    for row in rows[8:]:
        moved = date.fromisoformat(row["first_aired"][:10]) + timedelta(days=7)
        row["first_aired"] = aired_at(moved)
    world.trakt.seasons[(3206, 1)] = rows
    world.catalogue.episodes[BOCCHI_SID] = listed
    bocchi = show(3206, BOCCHI_TMDB, "Bocchi")
    ninth = datetime.combine(date.fromisoformat(listed[8]["airdate"]), time(0), UTC)
    during = world.matcher(clock=lambda: ninth.timestamp() - 86400)
    results = during.resolve_season(bocchi, 1, played(rows, *range(1, 9)))
    assert marks(results) == [(MATCHED, main_id(n)) for n in range(1, 9)]

    world.cache.data.clear()
    results = world.matcher().resolve_season(bocchi, 1, played(rows, *range(1, 13)))
    for n, result in enumerate(results, start=1):
        assert result.status is not MATCHED or result.episode_id == main_id(n), n


def test_a_second_cour_with_continuing_sorts_and_every_duration_form(world: World) -> None:
    """SPY×FAMILY 第2クール's real list (sorts 13–25, its SP sort 0) with the ``duration``
    forms the survey found and names with tabs: placed from the /episode/13 key."""
    forms = ["24m", "00:24:43", "23:35m", "", "24m"]
    listed = [
        {**e, "duration": forms[k % len(forms)], "name": f"{e['name']}\t(TV)"}
        for k, e in enumerate(real_episodes()[SPY_COUR2])
    ]
    world.catalogue.episodes[SPY_COUR2] = listed
    rows = trakt_season(1, [[e for e in listed if e["type"] == 0]], start=13)
    world.trakt.seasons[(3207, 1)] = rows
    results = world.matcher().resolve_season(
        show(3207, SPY_TMDB, "SPY x FAMILY"), 1, played(rows, 13, 19, 25)
    )
    by_sort = {e["sort"]: e["id"] for e in listed if e["type"] == 0}
    assert marks(results) == [(MATCHED, by_sort[n]) for n in (13, 19, 25)]


def test_a_subject_without_episodes_or_an_eps_count(world: World) -> None:
    world.catalogue.subjects[BOCCHI_SID] = {
        "id": BOCCHI_SID,
        "type": 2,
        "name": "ぼっち・ざ・ろっく！",
        "date": "2022-10-08",
        "platform": "TV",
        "infobox": [],
    }  # no "eps" at all
    world.catalogue.episodes[BOCCHI_SID] = []
    rows = trakt_season(1, [weekly(BOCCHI_SID, 12)])
    world.trakt.seasons[(3208, 1)] = rows
    results = world.matcher().resolve_season(
        show(3208, BOCCHI_TMDB, "Bocchi"), 1, played(rows, 1, 2)
    )
    assert [r.status for r in results] == [UNMATCHED, UNMATCHED]
    assert "no main episodes" in results[0].candidates[0]["why_rejected"]


def test_an_undated_subject_is_placed_by_its_id_start_only_when_the_counts_agree(
    world: World,
) -> None:
    """SPY×FAMILY 第2クール without air dates: bangumi-data says it starts at E13, and
    TMDB numbers E13–E25 for its 13 main episodes, so numbering places it. When TMDB
    splits its first episode in two (E13–E26: one more), nothing can say where the numbers
    part: every play is left alone, with why (the bench found this: issue 24)."""
    listed = [{**e, "airdate": ""} for e in real_episodes()[SPY_COUR2]]
    world.catalogue.episodes[SPY_COUR2] = listed
    mains = [e for e in real_episodes()[SPY_COUR2] if e["type"] == 0]
    rows = trakt_season(1, [mains], start=13)
    world.trakt.seasons[(3209, 1)] = rows
    spy = show(3209, SPY_TMDB, "SPY x FAMILY")
    by_sort = {e["sort"]: e["id"] for e in mains}
    results = world.matcher().resolve_season(spy, 1, played(rows, 13, 14, 25))
    assert marks(results) == [(MATCHED, by_sort[n]) for n in (13, 14, 25)]

    world.cache.data.clear()
    split = trakt_season(1, [[mains[0], *mains]], start=13)  # E13 and E14 are ep 1
    world.trakt.seasons[(3209, 1)] = split
    results = world.matcher().resolve_season(spy, 1, played(split, 13, 14, 26))
    assert [r.status for r in results] == [UNMATCHED] * 3
    [why] = [c["why_rejected"] for c in results[1].candidates if c["subject_id"] == SPY_COUR2]
    assert "TMDB numbers 14 episode(s) E13-E26" in why and "Bangumi lists 13" in why


AOT_SID, AOT_TMDB = 55770, 1429  # 進撃の巨人: its recap 「あの日から」 sort 13.5 (real list)


@pytest.mark.parametrize("dated", [True, False])
def test_attack_on_titans_real_list_with_its_recap_as_a_half_sort_main_episode(
    world: World, dated: bool
) -> None:
    """The real episode list of 55770 (first 15 main episodes and the recap) as ちょびっツ
    lists itself: the recap typed main (sort 13.5, ``ep`` 13.5) and every date after the
    first written DD.MM.YYYY. TMDB has no episode for the recap, so S1E14 is sort 14: the
    dates say so. Without dates, E14 and E15 are left alone, never marked one off."""
    listed = [dict(e) for e in real_episodes()[AOT_SID]]
    mains = [e for e in listed if e["type"] == 0]
    rows = trakt_season(1, [mains])
    for e in listed:
        if e["sort"] == 13.5:
            e.update(type=0, ep=13.5)
        elif e["sort"] > 13:
            e["ep"] = e["sort"]
        if e["sort"] > 1:
            e["airdate"] = dotted(e["airdate"]) if dated else ""
    world.catalogue.episodes[AOT_SID] = listed
    world.trakt.seasons[(3210, 1)] = rows
    results = world.matcher().resolve_season(
        show(3210, AOT_TMDB, "Attack on Titan"), 1, played(rows, 1, 13, 14, 15)
    )
    by_sort = {e["sort"]: e["id"] for e in mains}
    if dated:
        assert marks(results) == [(MATCHED, by_sort[n]) for n in (1, 13, 14, 15)]
    else:
        for n, result in zip((1, 13, 14, 15), results, strict=True):
            assert result.status is not MATCHED or result.episode_id == by_sort[n], n
        assert [r.status for r in results[2:]] == [UNMATCHED, UNMATCHED]
