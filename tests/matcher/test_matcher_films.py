"""Films: TMDB movie ids with a release-date check, else a strict title search."""

from __future__ import annotations

from matcher_world import World

from trakt_sync.matching.overrides import Override
from trakt_sync.models import ResolutionStatus, TraktIds, TraktMovie

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED
SKIPPED = ResolutionStatus.SKIPPED


def film(
    trakt: int, tmdb: int, title: str, released: str, original_title: str | None = None
) -> TraktMovie:
    return TraktMovie(
        ids=TraktIds(trakt=trakt, tmdb=tmdb),
        title=title,
        year=int(released[:4]),
        genres=("anime", "drama"),
        released=released,
        original_title=original_title,
    )


YOUR_NAME = film(230000, 372058, "Your Name.", "2016-08-26", original_title="君の名は。")


def test_film_by_tmdb_movie_id_with_release_date_check(world: World) -> None:
    result = world.matcher().resolve_movie(YOUR_NAME)

    assert (result.status, result.subject_id, result.episode_id) == (MATCHED, 160209, None)
    assert (result.is_movie, result.source, result.subject_type) == (True, "bangumi-data", 2)
    assert result.confidence >= 0.9
    assert world.bangumi.calls == [("subject", 160209)]

    world.reset_calls()
    again = world.matcher().resolve_movie(YOUR_NAME)
    assert (again.subject_id, again.is_movie) == (160209, True)
    assert world.bangumi.calls == []  # cached


def test_film_id_whose_release_date_is_years_off_is_not_matched(world: World) -> None:
    wrong = film(230001, 372058, "Your Name. (remake)", "2030-01-01")
    result = world.matcher().resolve_movie(wrong)

    assert result.status is UNMATCHED
    assert result.candidates[0]["subject_id"] == 160209
    assert "release dates too far apart" in result.candidates[0]["why_rejected"]


def test_festival_premiere_a_year_before_release_is_tolerated(world: World) -> None:
    festival = film(230002, 372058, "Your Name.", "2017-04-07")  # US release vs JP
    assert world.matcher().resolve_movie(festival).subject_id == 160209


def test_film_unknown_to_bangumi_data_is_found_by_exact_title_and_date(world: World) -> None:
    silent_voice = film(240000, 378064, "A Silent Voice", "2016-09-17", original_title="聲の形")
    world.hits["聲の形"] = [
        {"id": 424242, "type": 2, "name": "聲の形", "date": "2016-09-17", "platform": "剧场版"},
        {
            "id": 424243,
            "type": 2,
            "name": "聲の形 ドラマCD",
            "date": "2016-09-17",
            "platform": "其他",
        },
    ]

    result = world.matcher().resolve_movie(silent_voice)

    assert (result.status, result.subject_id, result.source) == (MATCHED, 424242, "search")
    search = next(c for c in world.bangumi.calls if c[0] == "search")
    assert search[3] == (">=2015-09-17", "<=2017-09-18")


def test_compilation_film_only_matches_a_film_that_is_itself_a_compilation(
    world: World,
) -> None:
    recap = {
        "id": 436738,
        "type": 2,
        "name": "劇場総集編ぼっち・ざ・ろっく！ Re:",
        "name_cn": "剧场总集篇孤独摇滚！ Re:",
        "date": "2024-06-07",
        "platform": "剧场版",
    }
    tv = {
        "id": 328609,
        "type": 2,
        "name": "ぼっち・ざ・ろっく！",
        "date": "2022-10-08",
        "platform": "TV",
    }
    world.hits["ぼっち・ざ・ろっく！"] = [recap, tv]
    world.hits["劇場総集編ぼっち・ざ・ろっく！ Re:"] = [recap]

    by_show_title = film(250000, 9990001, "Bocchi the Rock!", "2024-06-07")
    by_show_title = TraktMovie(
        **{**by_show_title.__dict__, "original_title": "ぼっち・ざ・ろっく！"}
    )
    rejected = world.matcher().resolve_movie(by_show_title)
    assert rejected.status is UNMATCHED
    whys = {c["subject_id"]: c["why_rejected"] for c in rejected.candidates}
    assert "compilation" in whys[436738] and "TV series" in whys[328609]

    itself = film(
        250001,
        9990002,
        "Bocchi the Rock! Recap Part 1",
        "2024-06-07",
        original_title="劇場総集編ぼっち・ざ・ろっく！ Re:",
    )
    assert world.matcher().resolve_movie(itself).subject_id == 436738


def test_non_anime_film_no_id_source_knows_is_skipped(world: World) -> None:
    heat = TraktMovie(ids=TraktIds(trakt=1, tmdb=949), title="Heat", year=1995, genres=("crime",))
    result = world.matcher().resolve_movie(heat)
    assert result.status is SKIPPED and result.reason.startswith("not anime")
    assert world.bangumi.calls == []


def test_film_overrides(world: World) -> None:
    ignore = Override.parse("movie:tmdb:372058", ignore=True)
    assert world.matcher([ignore]).resolve_movie(YOUR_NAME).status is SKIPPED

    elsewhere = Override.parse("movie:trakt:230000", subject_id=436738)
    result = world.matcher([elsewhere]).resolve_movie(YOUR_NAME)
    assert (result.subject_id, result.source, result.confidence) == (436738, "override", 1.0)
