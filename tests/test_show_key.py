"""One grammar for a show or film, for every command and the overrides file (issue 20.10)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.world import add_unfindable_anime
from trakt_sync.matching.overrides import Override
from trakt_sync.models import TraktIds
from trakt_sync.show_key import parse


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("trakt:185614", "trakt:185614"),
        ("185614", "trakt:185614"),
        ("spy-x-family", "slug:spy-x-family"),
        ("slug:spy-x-family", "slug:spy-x-family"),
        ("https://trakt.tv/shows/spy-x-family/seasons/1", "slug:spy-x-family"),
        ("https://trakt.tv/shows/185614", "trakt:185614"),
        ("tmdb:120089", "tmdb:120089"),
        ("movie:tmdb:372058", "movie:tmdb:372058"),
        ("movie:trakt:264063", "movie:trakt:264063"),
        ("movie:your-name-2016", "movie:slug:your-name-2016"),
        ("https://trakt.tv/movies/your-name-2016", "movie:slug:your-name-2016"),
        (" TRAKT:1 ", "trakt:1"),
    ],
)
def test_every_form_has_one_canonical_key(text: str, canonical: str) -> None:
    assert str(parse(text)) == canonical


@pytest.mark.parametrize("text", ["", "a show?", "imdb:tt123", "trakt:abc", "movie:"])
def test_what_is_not_a_key_names_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match="trakt:ID"):
        parse(text)


def test_the_overrides_file_takes_the_same_forms() -> None:
    ids = TraktIds(trakt=185614, slug="spy-x-family", tmdb=120089)
    for show in ("spy-x-family", "https://trakt.tv/shows/spy-x-family", "185614", "tmdb:120089"):
        override = Override.from_dict({"show": show, "episodes": "S1", "subject_id": 1})
        assert override.matches_show(ids), show
    film = Override.from_dict({"show": "movie:your-name-2016", "subject_id": 160209})
    assert film.show == "movie:slug:your-name-2016" and film.is_movie
    assert film.matches_movie(TraktIds(trakt=264063, slug="your-name-2016", tmdb=372058))


@pytest.fixture
def mystery_world(demo_world: dict[str, Any]) -> dict[str, Any]:
    add_unfindable_anime(demo_world)
    return demo_world


def test_unmatched_json_carries_the_structured_key(
    mystery_world: dict[str, Any], logged_in: Sandbox, cli
) -> None:
    assert cli("sync").code == 0
    (group,) = json.loads(cli("unmatched", "--json").out)
    assert group["show"] == "trakt:777001"
    assert group["show_key"] == {
        "key": "trakt:777001",
        "type": "show",
        "id_kind": "trakt",
        "id": 777001,
    }
    skipped = json.loads(cli("unmatched", "--skipped", "--json").out)
    films = [g for g in skipped if g["show_key"]["type"] == "movie"]
    assert films and films[0]["show"].startswith("movie:trakt:")
    status = json.loads(cli("status", "--json").out)
    assert status["unmatched"][0]["show_key"]["key"] == "trakt:777001"
    # The key it gives is one `map add` and `explain` take as they are.
    assert cli("explain", group["show"], "--brief").code == 0
    assert cli("map", "add", group["show"], "S1", "ignore").code == 0


def test_a_film_is_named_the_same_way_in_map_and_explain(logged_in: Sandbox, cli) -> None:
    added = cli("map", "add", "https://trakt.tv/movies/your-name-2016", "160209")
    assert added.code == 0, added.err
    assert "override movie:slug:your-name-2016 → subject 160209" in added.out
    brief = cli("explain", "movie:your-name-2016", "--brief")
    assert brief.code == 0, brief.err
    assert "matched → subject 160209" in brief.out and "override" in brief.out
