"""Reading `map add` arguments into overrides, without the CLI."""

import pytest

from trakt_sync.mapping_ops import normalise_key, parse_override


def test_a_trakt_show_url_becomes_its_slug_key() -> None:
    assert normalise_key("https://trakt.tv/shows/spy-x-family/seasons/1") == "slug:spy-x-family"
    assert normalise_key(" trakt:123 ") == "trakt:123"
    assert normalise_key("https://trakt.tv/movies/some-film") == "movie:slug:some-film"


def test_arguments_name_one_override() -> None:
    override = parse_override("trakt:1", ["S1E13-E25", "373267"], start_ep=1)
    assert (override.show, override.season, override.subject_id) == ("trakt:1", 1, 373267)
    assert parse_override("movie:tmdb:70", ["ignore"], start_ep=1).ignore


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "expected"), (["S1", "1", "2"], "expected"), (["abc"], "not a Bangumi subject id")],
)
def test_bad_arguments_say_why(args: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_override("trakt:1", args, start_ep=1)
