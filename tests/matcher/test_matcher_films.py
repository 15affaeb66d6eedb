"""Films: TMDB movie ids with a release-date check, else a strict title search."""

from __future__ import annotations

import json
from typing import Any

from matcher_world import World

from trakt_sync.fakes.memory import sample_bytes
from trakt_sync.matching.bangumi_data import build_index
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


def film_subject(sid: int, name: str, day: str, platform: str = "剧场版") -> dict[str, Any]:
    return {"id": sid, "type": 2, "name": name, "date": day, "platform": platform, "eps": 1}


KITARO = film_subject(360256, "鬼太郎誕生 ゲゲゲの謎", "2023-11-17")
KITARO_RECUT = film_subject(509290, "鬼太郎誕生 ゲゲゲの謎 真生版", "2024-10-04")


def one_tmdb_movie_for_two_subjects(world: World, *subjects: dict[str, Any]) -> None:
    """bangumi-data links the film and its re-cut, released months later, to one TMDB movie."""
    data = json.loads(sample_bytes())
    for subject in subjects:
        world.catalogue.subjects[subject["id"]] = subject
        data["items"].append(
            {
                "title": subject["name"],
                "type": "movie",
                "begin": f"{subject['date']}T00:00:00.000Z",
                "sites": [
                    {"site": "bangumi", "id": str(subject["id"])},
                    {"site": "tmdb", "id": "movie/904759"},
                ],
            }
        )
    index = build_index(json.dumps(data).encode())
    world.index = lambda: index


def test_film_linked_with_its_recut_is_the_one_released_on_trakts_date(world: World) -> None:
    one_tmdb_movie_for_two_subjects(world, KITARO, KITARO_RECUT)
    original = film(260000, 904759, "Kitaro Tanjo: Gegege no Nazo", "2023-11-17")
    result = world.matcher().resolve_movie(original)
    assert (result.status, result.subject_id, result.source) == (MATCHED, 360256, "bangumi-data")
    assert any("also fits: 509290" in e for e in result.evidence)

    recut = film(260001, 904759, "Kitaro Tanjo: Gegege no Nazo", "2024-10-05")
    assert world.matcher().resolve_movie(recut).subject_id == 509290


def test_film_linked_twice_stays_unmatched_when_no_release_date_stands_out(
    world: World,
) -> None:
    one_tmdb_movie_for_two_subjects(world, KITARO, KITARO_RECUT)
    # Between the two (a US release, say): neither is the film by its date.
    between = film(260002, 904759, "Kitaro Tanjo: Gegege no Nazo", "2024-04-01")
    result = world.matcher().resolve_movie(between)
    assert result.status is UNMATCHED
    assert {c["subject_id"] for c in result.candidates} == {360256, 509290}
    # Close to one but not far from the other: still not told apart.
    near = film(260003, 904759, "Kitaro", "2023-11-20")
    world.catalogue.subjects[509290] = {**KITARO_RECUT, "date": "2024-01-05"}
    assert world.matcher().resolve_movie(near).status is UNMATCHED


def test_film_found_by_title_with_its_tv_version_is_the_one_released_on_trakts_date(
    world: World,
) -> None:
    title = "かぐや様は告らせたい-ファーストキッスは終わらない-"
    cinema = film_subject(389474, title, "2022-12-17")
    tv_version = film_subject(425211, title, "2023-04-06", platform="TV")
    world.hits[title] = [tv_version, cinema]
    kaguya = film(
        270000,
        997317,
        "Kaguya-sama: Love Is War - The First Kiss That Never Ends",
        "2022-12-17",
        original_title=title,
    )
    result = world.matcher().resolve_movie(kaguya)
    assert (result.status, result.subject_id, result.source) == (MATCHED, 389474, "search")

    # Only a year (taken as mid-year): neither stands out.
    year_only = film(270001, 997318, kaguya.title, "2022-12-17", original_title=title)
    year_only = TraktMovie(**{**year_only.__dict__, "released": None})
    assert world.matcher().resolve_movie(year_only).status is UNMATCHED


def test_two_part_film_sharing_its_english_title_is_the_part_its_original_title_names(
    world: World,
) -> None:
    first = film_subject(247182, "地球外少年少女 前編", "2022-01-28")
    second = film_subject(363309, "地球外少年少女 後編", "2022-02-11")
    for part in (first, second):
        part["infobox"] = [{"key": "别名", "value": [{"v": "The Orbital Children"}]}]
    world.hits["The Orbital Children"] = [first, second]
    world.hits["地球外少年少女 前編"] = [first, second]
    world.hits["地球外少年少女 後編"] = [second, first]

    # Two weeks apart: the release date alone tells neither part from the other.
    part_two = film(280000, 890580, "The Orbital Children", "2022-02-10", "地球外少年少女 後編")
    result = world.matcher().resolve_movie(part_two)
    assert (result.status, result.subject_id, result.source) == (MATCHED, 363309, "search")
    assert any("original title" in e and "also fits: 247182" in e for e in result.evidence)
    part_one = film(280001, 890579, "The Orbital Children", "2022-01-29", "地球外少年少女 前編")
    assert world.matcher().resolve_movie(part_one).subject_id == 247182

    # An original title both parts share (an alias, not either one's name): no part is told apart.
    either = film(280002, 890581, "The Orbital Children", "2022-02-01", "地球外少年少女")
    world.hits["地球外少年少女"] = [first, second]
    assert world.matcher().resolve_movie(either).status is UNMATCHED


def test_original_title_and_release_date_pointing_at_different_films_abstain(
    world: World,
) -> None:
    cinema = film_subject(
        389474, "かぐや様は告らせたい-ファーストキッスは終わらない-", "2022-12-17"
    )
    tv_version = film_subject(425211, "かぐや様は告らせたい 特別編", "2023-06-01", platform="TV")
    for subject in (cinema, tv_version):
        subject["infobox"] = [{"key": "别名", "value": [{"v": "Kaguya-sama: Love Is War"}]}]
        world.hits[subject["name"]] = [cinema, tv_version]
    world.hits["Kaguya-sama: Love Is War"] = [cinema, tv_version]
    # Released on the cinema film's day but titled like the other one: neither is trusted.
    kaguya = film(
        270002, 997319, "Kaguya-sama: Love Is War", "2022-12-17", "かぐや様は告らせたい 特別編"
    )
    result = world.matcher().resolve_movie(kaguya)
    assert result.status is UNMATCHED
    assert {c["subject_id"] for c in result.candidates} == {389474, 425211}


def test_compilation_film_trakt_gives_by_its_own_bangumi_name_is_matched(world: World) -> None:
    title = "少女☆歌劇 レヴュースタァライト ロンド・ロンド・ロンド"
    rondo = film_subject(294134, title, "2020-08-06")
    # Only Bangumi's alias says 総集編; TMDB/Trakt title the film by its own name.
    rondo["infobox"] = [{"key": "别名", "value": [{"v": "少女☆歌剧 Revue Starlight 再生产总集篇"}]}]
    world.hits[title] = [rondo]
    world.hits["少女☆歌剧 Revue Starlight 再生产总集篇"] = [rondo]
    movie = film(290000, 645439, title, "2020-08-06", original_title=title)
    result = world.matcher().resolve_movie(movie)
    assert (result.status, result.subject_id, result.source) == (MATCHED, 294134, "search")

    # Its alias is not its name: a film Trakt titles by the alias alone is not taken for it.
    by_alias = film(290001, 645440, "少女☆歌剧 Revue Starlight", "2020-08-06")
    world.hits["少女☆歌剧 Revue Starlight"] = [rondo]
    assert world.matcher().resolve_movie(by_alias).status is UNMATCHED
