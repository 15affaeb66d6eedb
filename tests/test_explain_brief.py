"""`explain --brief` and films (issue 20.9)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.world import add_unfindable_anime


@pytest.fixture
def mystery_world(demo_world: dict[str, Any]) -> dict[str, Any]:
    add_unfindable_anime(demo_world)
    return demo_world


def test_brief_is_one_line_per_season_with_source_subject_and_confidence(
    logged_in: Sandbox, cli
) -> None:
    result = cli("explain", "spy-x-family", "--brief")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines == [
        "SPY x FAMILY (2022)",
        "  S1  25 ep  25 matched: 329906 SPY×FAMILY, 373267 SPY×FAMILY 第2クール "
        "(bangumi-data; confidence 0.99)",
    ]
    skipped = cli("explain", "breaking-bad", "--brief").out.splitlines()
    assert len(skipped) == 2 and skipped[1].startswith("  S1  7 ep  7 skipped: not anime")


def test_brief_lists_subjects_with_the_enumeration_comma_in_chinese(
    logged_in: Sandbox, cli, chinese: None
) -> None:
    assert cli("sync").code == 0  # Bangumi's names, learnt by the sync
    lines = cli("explain", "spy-x-family", "--brief").out.splitlines()
    assert lines[1].startswith("  S1  25 集  25 集已匹配：329906 间谍过家家、373267 "), lines


def test_the_path_says_nothing_was_confirmed_when_nothing_was(
    mystery_world: dict[str, Any], logged_in: Sandbox, cli
) -> None:
    result = cli("explain", "trakt:777001")
    assert result.code == 0, result.err
    assert "path: nothing confirmed: no candidate" in result.out
    assert "confirmed by air dates, then" not in result.out
    brief = cli("explain", "trakt:777001", "--brief").out.splitlines()
    assert brief[1].startswith("  S1  12 ep  12 unmatched: no Bangumi subject confirmed")


def test_films_are_explained(logged_in: Sandbox, cli) -> None:
    result = cli("explain", "movie:tmdb:372058")
    assert result.code == 0, result.err
    assert result.out.startswith("Your Name. (2016) — film; movie:trakt:264063, TMDB movie/372058")
    assert "path: → 160209" in result.out and "(bangumi-data key)" in result.out
    data = json.loads(cli("explain", "movie:your-name-2016", "--json").out)
    assert data["film"]["status"] == "matched" and data["film"]["subject_id"] == 160209
    assert cli("explain", "movie:trakt:264063", "--season", "1").code == 2
    missing = cli("explain", "movie:no-such-film")
    assert missing.code == 2 and "Trakt has no film 'no-such-film'" in missing.err
