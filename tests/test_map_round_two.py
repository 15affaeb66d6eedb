"""`map add` refuses mappings that can never apply; `map remove` by key or number; a missing
import file is a usage error (issue 20.11, 20.12, 20.15)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Sandbox

SPY, SPY_COUR1, SPY_COUR2, BOCCHI = "trakt:185614", 329906, 373267, 328609


def test_a_season_or_episodes_the_show_does_not_have_are_refused(logged_in: Sandbox, cli) -> None:
    result = cli("map", "add", SPY, "S3", str(SPY_COUR2))
    assert result.code == 2
    assert "can never apply: the show has no season 3 (Trakt lists S1)" in result.err
    result = cli("map", "add", SPY, "S1E30-E40", str(SPY_COUR2))
    assert result.code == 2 and "season 1 has 25 episode(s): no E30" in result.err
    result = cli("map", "add", SPY, "S1E13-E30", str(SPY_COUR2))
    assert result.code == 0 and "E26–E30 apply once Trakt lists them" in result.err
    assert cli("map", "list").out.count("override") == 1


def test_ignore_beside_a_mapping_of_the_same_season_is_refused_even_offline(
    logged_in: Sandbox, cli
) -> None:
    assert cli("map", "add", SPY, "S1", str(SPY_COUR1)).code == 0
    result = cli("map", "add", SPY, "S1", "ignore", "--offline")
    assert result.code == 2
    assert "already maps trakt:185614 S1; remove it first" in result.err
    offline = cli("map", "add", SPY, "S1E13-E25", str(SPY_COUR2), "--offline")
    assert offline.code == 0
    assert "not checked (--offline)" in offline.err and "mapped under another key" in offline.err


def test_one_show_under_two_keys_is_refused(logged_in: Sandbox, cli) -> None:
    assert cli("map", "add", SPY, "S1E1-E12", str(SPY_COUR1)).code == 0
    result = cli("map", "add", "spy-x-family", "S1E13-E25", str(SPY_COUR2))
    assert result.code == 2
    assert "already mapped as trakt:185614" in result.err


def test_map_remove_by_number_or_by_key(logged_in: Sandbox, cli) -> None:
    assert cli("map", "add", SPY, "S1E1-E12", str(SPY_COUR1)).code == 0
    assert cli("map", "add", SPY, "S1E13-E25", str(SPY_COUR2)).code == 0
    assert cli("map", "add", "movie:tmdb:372058", "ignore", "--offline").code == 0
    listing = cli("map", "list").out.splitlines()
    assert listing[0] == "  1  override trakt:185614 S1E1-E12 → subject 329906"
    assert listing[2] == "  3  override movie:tmdb:372058 → ignore"
    several = cli("map", "remove", "spy-x-family")
    assert several.code == 2 and "2 mappings match" in several.err
    removed = cli("map", "remove", "2")
    assert removed.code == 0 and "S1E13-E25" in removed.out
    by_key = cli("map", "remove", "https://trakt.tv/shows/spy-x-family")
    assert by_key.code == 0 and "S1E1-E12" in by_key.out
    assert cli("map", "remove", "movie:tmdb:372058").code == 0
    assert cli("map", "list").out == "No overrides.\n"
    assert cli("map", "remove", "1").code == 2


def test_map_import_of_a_missing_file_is_a_usage_error_with_a_sentence(
    sandbox: Sandbox, cli, tmp_path: Path
) -> None:
    result = cli("map", "import", str(tmp_path / "missing.toml"))
    assert result.code == 2
    assert result.err.strip() == (
        f"trakt-sync: {tmp_path / 'missing.toml'}: cannot read it (no such file or directory)"
    )
    assert "Errno" not in result.err
