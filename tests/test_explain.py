"""`trakt-sync explain`: the full resolution trace of a show, over the loopback fakes."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer

from tests.conftest import Sandbox
from trakt_sync.cli.explain_cmd import explain_lines, parse_show_ref

SPY_COUR1, SPY_COUR2 = 329906, 373267
PROJECT_APPLE = 1124319  # Bangumi episode id of SPY×FAMILY ep 13 (cour 2, ep 1)


def explain_json(cli, *args: str) -> dict[str, Any]:
    result = cli("explain", *args, "--json")
    assert result.code == 0, result.err
    return dict(json.loads(result.out))


def add_spy_special(sandbox: Sandbox) -> None:
    """TMDB S0E1 of SPY×FAMILY: aired the day of Bangumi's SP (sort 0), another title."""
    spy = sandbox.trakt.catalog.show("spy-x-family")
    assert spy is not None
    spy["seasons"].append(
        {
            "number": 0,
            "ids": {"trakt": 271100, "tvdb": None, "tmdb": None},
            "episodes": [
                {
                    "number": 1,
                    "title": "Mission: Special Broadcast",
                    "ids": {"trakt": 5609001, "tvdb": None, "imdb": None, "tmdb": None},
                    "first_aired": "2022-09-27T16:00:00.000Z",
                }
            ],
        }
    )


def test_one_episode_shows_subject_sources_segments_and_evidence(logged_in: Sandbox, cli) -> None:
    result = cli("explain", "spy-x-family", "--season", "1", "--episode", "13")

    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("SPY x FAMILY (2022) — trakt:185614, slug spy-x-family, TMDB tv/120089")
    # sources tried: no override, the bangumi-data keys of TMDB tv/120089, the path taken
    assert "overrides: none" in out
    assert "tv/120089/season/1/episode/13 → 373267" in out
    # The path says what placed the episode, not the strategy (issue 20.9).
    assert "path: E13–E25 → 373267 SPY×FAMILY 第2クール (bangumi-data key)\n" in out
    # the season's segments, though only E13 was asked for
    assert "S1E1-E12 → 329906" in out
    assert "S1E13-E25 → 373267" in out
    assert "ep = E-12;" in out and "(ep = E; bangumi-data" in out
    # the episode: subject, ep/sort, episode id, source, confidence and evidence lines
    line = next(x for x in out.splitlines() if x.strip().startswith("S1E13:"))
    assert "matched → subject 373267 ep 1 (sort 13), episode id 1124319" in line
    assert "(bangumi-data, confidence 0.99)" in line
    assert "· air date agrees: Trakt 2022-10-01 / Bangumi 2022-10-01" in out
    assert "S1E14:" not in out
    assert result.err == ""
    assert "Season 1: " in out and "matcher 2." not in out  # no internal version hashes


def test_json_is_one_document_with_every_part_of_the_trace(logged_in: Sandbox, cli) -> None:
    data = explain_json(cli, "https://trakt.tv/shows/spy-x-family/seasons/1/episodes/13")

    assert data["show"]["ids"]["tmdb"] == 120089
    (season,) = data["seasons"]
    assert season["season"] == 1
    assert {k["subject_id"] for k in season["bangumi_data"]} >= {SPY_COUR1, SPY_COUR2}
    spans = [(s["subject_id"], s["first"], s["last"], s["offset"]) for s in season["segments"]]
    assert spans == [(SPY_COUR1, 1, 12, 0), (SPY_COUR2, 13, 25, 12)]
    (episode,) = season["episodes"]
    assert episode["number"] == 13
    assert (episode["status"], episode["subject_id"], episode["episode_id"]) == (
        "matched",
        SPY_COUR2,
        PROJECT_APPLE,
    )
    assert episode["episode_label"] == "ep 1 (sort 13)"
    assert episode["source"] == "bangumi-data" and episode["confidence"] >= 0.9
    assert any("2022-10-01" in line for line in episode["evidence"])


def test_unmatched_episode_lists_candidates_and_why_each_was_rejected(
    logged_in: Sandbox,
    cli,
) -> None:
    add_spy_special(logged_in)

    result = cli("explain", "185614", "--season", "0")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    at = next(i for i, x in enumerate(lines) if x.strip().startswith("S0E1:"))
    assert "unmatched — " in lines[at] and lines[at].endswith("add:")
    assert lines[at + 1].startswith("        trakt-sync map add trakt:185614 S0E1")
    assert "candidate 373267" in result.out
    assert "title differs" in result.out
    assert "path: nothing confirmed: 1 candidate(s), none confirmed by air dates" in result.out


def test_whole_show_explains_every_season_specials_last(logged_in: Sandbox, cli) -> None:
    add_spy_special(logged_in)

    data = explain_json(cli, "spy-x-family")

    assert [s["season"] for s in data["seasons"]] == [1, 0]
    season1 = data["seasons"][0]
    assert len(season1["episodes"]) == 25
    assert all(e["status"] == "matched" for e in season1["episodes"])


def test_a_show_out_of_scope_says_why_without_asking_bangumi(logged_in: Sandbox, cli) -> None:
    data = explain_json(cli, "breaking-bad", "--season", "1")

    (season,) = data["seasons"]
    assert season["path"] == "skipped: out of scope, nothing was looked up"
    assert season["skipped"].startswith("not anime")
    assert {e["status"] for e in season["episodes"]} == {"skipped"}
    assert logged_in.bangumi.requests == []


def test_explain_is_read_only(logged_in: Sandbox, cli) -> None:
    assert cli("explain", "spy-x-family").code == 0

    assert logged_in.bangumi.writes == []
    assert not any("/sync/history" in r.path for r in logged_in.trakt.requests)
    status = json.loads(cli("status", "--json").out)
    assert status["last_run"] is None and sum(status["items"].values()) == 0


def test_unknown_show_season_or_episode_is_a_one_line_error(logged_in: Sandbox, cli) -> None:
    # A show, season or episode that is not there is a usage error (issue 20.15).
    result = cli("explain", "no-such-show")
    assert result.code == 2
    assert result.out == ""
    assert result.err.strip().startswith("trakt-sync: Trakt has no show 'no-such-show' (")
    assert "trakt:ID" in result.err and "movie:" in result.err

    result = cli("explain", "spy-x-family", "--season", "7")
    assert result.code == 2
    assert result.err.strip() == "trakt-sync: Trakt has no season 7 of 'SPY x FAMILY'"

    result = cli("explain", "spy-x-family", "--season", "1", "--episode", "99")
    assert result.code == 2
    assert "no episode S1E99" in result.err

    assert cli("explain", "spy-x-family", "--episode", "3").code == 2  # needs --season


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("185614", ("185614", None, None)),
        ("spy-x-family", ("spy-x-family", None, None)),
        ("trakt:185614", ("185614", None, None)),
        ("slug:spy-x-family", ("spy-x-family", None, None)),
        ("https://trakt.tv/shows/spy-x-family", ("spy-x-family", None, None)),
        ("https://trakt.tv/shows/spy-x-family/seasons/1/episodes/13", ("spy-x-family", 1, 13)),
        ("trakt.tv/shows/spy-x-family/seasons/0", ("spy-x-family", 0, None)),
    ],
)
def test_show_references(text: str, expected: tuple[str, int | None, int | None]) -> None:
    key = parse_show_ref(text)
    assert (key.value, key.season, key.episode) == expected


@pytest.mark.parametrize("text", ["https://trakt.tv/movies/your-name/seasons/1", "a show?", ""])
def test_bad_show_references(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_show_ref(text)


def test_text_lists_every_candidate_with_its_score() -> None:
    trace = {
        "season": 1,
        "matcher_version": "1.x.none",
        "overrides": [],
        "bangumi_data": [],
        "path": "title search confirmed by air dates, then the franchise walk",
        "search_titles": ["がんばれ!ルルロロ"],
        "skipped": None,
        "segments": [],
        "episodes": [
            {
                "number": 3,
                "status": "unmatched",
                "reason": "S1E3 fits 2 Bangumi subjects equally",
                "evidence": [],
                "candidates": [
                    {"subject_id": 1, "name": "A", "score": 0.8, "why_rejected": "ambiguous"},
                    {"subject_id": 2, "name": "B", "score": 0, "why_rejected": "title differs"},
                ],
            }
        ],
    }
    data = {
        "show": {
            "title": "Lulu",
            "year": None,
            "genres": [],
            "ids": {"trakt": 7, "slug": None, "tmdb": None},
        },
        "seasons": [trace],
    }

    lines = explain_lines(data)

    assert lines[0] == "Lulu — trakt:7, no TMDB id; genres none"
    assert "    bangumi-data: no key for this show (no TMDB id)" in lines
    assert "    title search: 'がんばれ!ルルロロ'" in lines
    assert "  segments: none" in lines
    assert "        candidate 1 A (score 0.8): ambiguous" in lines
    assert "        candidate 2 B (score 0): title differs" in lines


def test_explain_names_the_source_the_sync_took(logged_in: Sandbox, cli) -> None:
    """The sync caches each season's plan with the source it chose; explain builds the same
    plan and shows that source, rather than guessing it again from the evidence."""
    from trakt_sync.matching.segments import SEASON_NS
    from trakt_sync.store import Store

    assert cli("sync").code == 0
    store = Store(logged_in.home / "default.sqlite3")
    # key: show key | season | matcher version
    cached = {
        "|".join(key.split("|")[:2]): plan["path"] for key, plan in store.cached_items(SEASON_NS)
    }
    store.close()
    assert cached["trakt:185614|S1"].startswith("bangumi-data TMDB keys")

    (season,) = explain_json(cli, "spy-x-family", "--season", "1")["seasons"]
    assert season["source"] == cached["trakt:185614|S1"]


def test_episodes_unmatched_for_one_reason_share_a_line_and_the_command_has_its_own() -> None:
    """Twelve episodes of a season nothing was found for are one line, not twelve; the
    ``map add`` that fixes it follows once, on a line of its own, whole."""
    season_reason = (
        "no Bangumi subject confirmed for 'X' season 1 (TMDB id not in bangumi-data; searched "
        "'X'); add one with `trakt-sync map add trakt:7 S1 <bangumi subject id>`"
    )
    outside = (
        "S1E4 lies outside the Bangumi subjects found for this season and no sequel or "
        "prequel fits it; add one with `trakt-sync map add trakt:7 S1E4 <bangumi subject id>`"
    )

    def episode(number: int, reason: str) -> dict[str, object]:
        return {
            "number": number,
            "status": "unmatched",
            "reason": reason,
            "evidence": [],
            "candidates": [],
        }

    trace = {
        "season": 1,
        "overrides": [],
        "bangumi_data": [],
        "path": "nothing confirmed: no candidate",
        "segments": [],
        "episodes": [
            *(episode(n, season_reason) for n in (1, 2, 3)),
            episode(4, outside),
            episode(5, season_reason),
        ],
    }
    data = {
        "show": {"title": "X", "year": None, "genres": [], "ids": {"trakt": 7, "slug": None}},
        "seasons": [trace],
    }
    data["show"]["ids"]["tmdb"] = None  # type: ignore[index]

    lines = explain_lines(data)

    at = lines.index("  episodes:")
    assert lines[at + 1 :] == [
        "    S1E1–E3, E5: unmatched — no Bangumi subject confirmed for 'X' season 1 (TMDB id "
        "not in bangumi-data; searched 'X'); add one with:",
        "        trakt-sync map add trakt:7 S1 <bangumi subject id>",
        "    S1E4: unmatched — S1E4 lies outside the Bangumi subjects found for this season and "
        "no sequel or prequel fits it; add one with:",
        "        trakt-sync map add trakt:7 S1E4 <bangumi subject id>",
    ]
