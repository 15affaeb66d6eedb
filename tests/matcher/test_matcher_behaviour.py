"""Caching, overrides, laziness and thresholds of the Matcher."""

from __future__ import annotations

from matcher_world import World, played, real_episodes, show, trakt_season, weekly

from trakt_sync.matching.matcher import MATCHER_REVISION
from trakt_sync.matching.overrides import Override
from trakt_sync.models import ResolutionStatus

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED
SKIPPED = ResolutionStatus.SKIPPED
SPY = show(1501, 120089, "SPY x FAMILY")


def spy_world(world: World) -> list[dict]:
    cour1, cour2 = weekly(329906, 12), real_episodes()[373267]
    world.catalogue.episodes.update({329906: cour1, 373267: cour2})
    rows = trakt_season(1, [cour1, cour2], slot="23:00")
    world.trakt.seasons[(1501, 1)] = rows
    return rows


def test_second_resolve_of_a_season_costs_no_request(world: World) -> None:
    rows = spy_world(world)
    first = world.matcher().resolve_season(SPY, 1, played(rows, 13, 14))
    assert world.bangumi.calls and world.trakt.calls
    world.reset_calls()

    # A new run (new Matcher, same store) and a later episode of a known segment.
    again = world.matcher().resolve_season(SPY, 1, played(rows, 13, 14))
    later = world.matcher().resolve_season(SPY, 1, played(rows, 20, 2))

    assert world.bangumi.calls == [] and world.trakt.calls == []
    assert [(r.subject_id, r.episode_id) for r in again] == [
        (r.subject_id, r.episode_id) for r in first
    ]
    assert [(r.status, r.subject_id, r.episode_id) for r in later] == [
        (MATCHED, 373267, 1126231),
        (MATCHED, 329906, 329906 * 10000 + 2),
    ]
    assert later[0].confidence >= 0.9


def test_changed_overrides_change_the_version_and_rebuild_the_plan(world: World) -> None:
    rows = spy_world(world)
    plain = world.matcher()
    plain.resolve_season(SPY, 1, played(rows, 13))
    world.reset_calls()

    override = Override.parse("trakt:1501", "S1E13-E25", 373267)
    with_override = world.matcher([override])
    assert with_override.version != plain.version
    (result,) = with_override.resolve_season(SPY, 1, played(rows, 13))

    assert (result.source, result.confidence, result.episode_id) == ("override", 1.0, 1124319)
    assert world.bangumi.calls  # not served from the old plan


def test_override_maps_a_range_with_start_ep_and_beats_bangumi_data(world: World) -> None:
    rows = spy_world(world)
    # Deliberately unusual: S1E13-E14 → eps 3-4 of cour 2, as a user could insist.
    override = Override.parse("tmdb:120089", "S1E13-E14", 373267, start_ep=3)
    e13, e14, e15 = world.matcher([override]).resolve_season(SPY, 1, played(rows, 13, 14, 15))

    assert (e13.episode_id, e14.episode_id) == (1126226, 1126227)
    assert (e13.source, e13.confidence) == ("override", 1.0)
    assert any("override tmdb:120089 S1E13-E14" in line for line in e13.evidence)
    assert (e15.source, e15.episode_id) == ("bangumi-data", 1126226)  # auto path for the rest


def test_override_past_the_subjects_episodes_is_reported_not_guessed(world: World) -> None:
    rows = spy_world(world)
    override = Override.parse("trakt:1501", "S1E13-", 373267, start_ep=10)
    e16, e17 = world.matcher([override]).resolve_season(SPY, 1, played(rows, 16, 17))

    assert (e16.status, e16.episode_id) == (MATCHED, 1126236)  # ep 13, the last one
    assert e17.status is UNMATCHED
    assert "lists 13 episodes" in e17.reason


def test_ignore_override_skips_without_loading_anything(world: World) -> None:
    rows = spy_world(world)
    matcher = world.matcher([Override.parse("slug:spy-x-family", "S1", ignore=True)])

    results = matcher.resolve_season(SPY, 1, played(rows, 1, 13))

    assert [r.status for r in results] == [SKIPPED, SKIPPED]
    assert "ignored by override slug:spy-x-family S1" in results[0].reason
    assert world.bangumi.calls == [] and world.index_loads == 0


def test_nothing_to_resolve_does_not_load_the_index(world: World) -> None:
    matcher = world.matcher()
    assert matcher.resolve_season(SPY, 1, []) == []
    assert world.index_loads == 0
    assert matcher.version.startswith(f"{MATCHER_REVISION}.")
    assert world.index_loads == 1


def test_below_min_confidence_becomes_unmatched_with_the_candidate(world: World) -> None:
    rows = spy_world(world)
    (result,) = world.matcher(min_confidence=0.995).resolve_season(SPY, 1, played(rows, 13))

    assert result.status is UNMATCHED
    assert result.candidates == [
        {
            "subject_id": 373267,
            "name": "SPY×FAMILY(第2クール)",
            "score": 0.99,
            "why_rejected": "confidence 0.99 < 0.995",
            "offset": 12,  # S1E13 is the second cour's episode 1
        }
    ]
    assert "trakt-sync map add trakt:1501 S1E13 373267" in result.reason


def test_merged_subject_is_followed_to_its_target(world: World) -> None:
    rows = spy_world(world)
    moved = world.catalogue.episodes.pop(373267)
    world.catalogue.episodes[999001] = [{**e, "subject_id": 999001} for e in moved]
    world.catalogue.subjects[999001] = {"id": 999001, "type": 2, "name": "SPY×FAMILY 第2クール"}
    world.catalogue.merged[373267] = 999001

    (result,) = world.matcher().resolve_season(SPY, 1, played(rows, 13))

    assert (result.status, result.subject_id, result.episode_id) == (MATCHED, 999001, 1124319)
    assert any("merged into 999001" in line for line in result.evidence)


def test_trakt_dates_off_by_a_day_still_agree_but_a_week_does_not(world: World) -> None:
    rows = spy_world(world)
    rows[12]["first_aired"] = "2022-10-02T14:00:00.000Z"  # a day late
    rows[13]["first_aired"] = "2022-10-15T14:00:00.000Z"  # a week late
    e13, e14 = world.matcher().resolve_season(SPY, 1, played(rows, 13, 14))

    assert (e13.status, e13.episode_id) == (MATCHED, 1124319)
    assert e14.status is UNMATCHED
    assert "air date disagrees" in e14.reason
