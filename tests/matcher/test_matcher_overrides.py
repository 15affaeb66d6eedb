"""Override specs, their dict form (TOML/JSON export) and fingerprint."""

from __future__ import annotations

import pytest

from trakt_sync.matching.overrides import (
    Override,
    best_override,
    fingerprint,
    map_add_command,
    parse_episode_spec,
)
from trakt_sync.models import TraktIds


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("S1", (1, None, None)),
        ("S1E13", (1, 13, 13)),
        ("S1E13-E25", (1, 13, 25)),
        ("s01e13-25", (1, 13, 25)),
        ("S3E13-", (3, 13, None)),
        ("S0E36", (0, 36, 36)),
    ],
)
def test_episode_specs(spec: str, parsed: tuple[int, int | None, int | None]) -> None:
    assert parse_episode_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["E13", "S1E25-E13", "S1E", "1-13", ""])
def test_bad_episode_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_episode_spec(spec)


def test_bad_overrides_are_refused() -> None:
    with pytest.raises(ValueError, match="bad override key"):
        Override("imdb:tt123", 1)
    with pytest.raises(ValueError, match="subject id or ignore"):
        Override("trakt:1")
    with pytest.raises(ValueError, match="no season or episodes"):
        Override("movie:tmdb:1", 5, season=1)
    with pytest.raises(ValueError, match="unknown keys"):
        Override.from_dict({"show": "trakt:1", "subject": 5})


def test_dict_round_trip_is_toml_friendly() -> None:
    overrides = [
        Override.parse("trakt:1420", "S3E13-E22", 263750),
        Override.parse("slug:spy-x-family", "S1E13-", 373267, start_ep=2),
        Override.parse("tmdb:65942", "S0", ignore=True),
        Override.parse("movie:tmdb:372058", subject_id=160209),
    ]
    dicts = [o.to_dict() for o in overrides]

    assert dicts[0] == {"show": "trakt:1420", "episodes": "S3E13-E22", "subject_id": 263750}
    assert dicts[1]["start_ep"] == 2 and dicts[1]["episodes"] == "S1E13-"
    assert dicts[2] == {"show": "tmdb:65942", "episodes": "S0", "ignore": True}
    assert all(None not in d.values() for d in dicts)
    assert [Override.from_dict(d) for d in dicts] == overrides
    explicit = {"show": "trakt:1420", "season": 3, "first": 13, "last": 22, "subject_id": 263750}
    assert Override.from_dict(explicit) == overrides[0]


def test_fingerprint_is_stable_and_sensitive() -> None:
    a = Override.parse("trakt:1", "S1E13-", 5)
    b = Override.parse("trakt:2", "S1", ignore=True)
    assert fingerprint([a, b]) == fingerprint([b, a])
    assert fingerprint([a, b]) != fingerprint([a])
    assert fingerprint([Override.parse("trakt:1", "S1E13-", 5, start_ep=2)]) != fingerprint([a])
    assert fingerprint([]) == "none"


def test_matching_and_mapping() -> None:
    ids = TraktIds(trakt=1420, slug="attack-on-titan", tmdb=1429)
    whole = Override.parse("tmdb:1429", None, 55770)
    season = Override.parse("slug:attack-on-titan", "S3", 217300)
    part = Override.parse("trakt:1420", "S3E13-E22", 263750)
    assert all(o.matches_show(ids) for o in (whole, season, part))
    assert not Override.parse("trakt:1421", None, 1).matches_show(ids)

    assert best_override([whole, season, part], 3, 14) is part
    assert best_override([whole, season, part], 3, 2) is season
    assert best_override([whole, season, part], 1, 2) is whole
    assert best_override([whole, season, part], 0, 2) is None  # specials need their own
    assert part.target_ep(14) == 2
    assert Override.parse("trakt:1", "S1E13-", 5, start_ep=7).target_ep(15) == 9


def test_map_add_command_matches_the_cli_syntax() -> None:
    assert map_add_command("trakt:1420", 3, 13, 22, 263750) == (
        "trakt-sync map add trakt:1420 S3E13-E22 263750"
    )
    assert map_add_command("trakt:1", 1, 5, 5, 9, start_ep=2) == (
        "trakt-sync map add trakt:1 S1E5 9 --start-ep 2"
    )
    command = map_add_command("movie:trakt:7")
    assert command == "trakt-sync map add movie:trakt:7 <bangumi subject id>"
