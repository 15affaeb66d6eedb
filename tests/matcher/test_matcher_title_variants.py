"""Title search across spellings and seasons (issue 10, items 1 and 5): width and
punctuation variants, season words, a partial title confirmed by the franchise chain.
A title never marks on its own: every case here is confirmed by air dates too."""

from __future__ import annotations

from datetime import date
from typing import Any

from matcher_world import World, played, show, trakt_season, weekly

from trakt_sync.matching.titles import (
    fold,
    is_compilation,
    named_season,
    season_named,
    split_season,
    title_match,
)
from trakt_sync.models import ResolutionStatus

MATCHED = ResolutionStatus.MATCHED
UNMATCHED = ResolutionStatus.UNMATCHED


def subject(sid: int, name: str, day: date, *, name_cn: str = "") -> dict[str, Any]:
    return {
        "id": sid,
        "type": 2,
        "name": name,
        "name_cn": name_cn,
        "date": day.isoformat(),
        "platform": "TV",
        "infobox": [],
    }


def add(world: World, sid: int, name: str, day: date, count: int = 12) -> dict[str, Any]:
    subj = subject(sid, name, day)
    world.catalogue.add(subj, weekly(sid, count, start=day))
    return subj


def searches(world: World) -> list[str]:
    return [call[1] for call in world.bangumi.calls if call[0] == "search"]


def test_season_words_are_split_off_in_every_usual_spelling() -> None:
    assert split_season("RWBY Volume 4") == ("RWBY", 4)
    assert split_season("プリパラ 2nd season") == ("プリパラ", 2)
    assert split_season("100万の命の上に俺は立っている(第2シーズン)")[1] == 2
    assert split_season("異世界かるてっと２") == ("異世界かるてっと", 2)
    assert split_season("Overlord II") == ("Overlord", 2)
    assert split_season("その時、カノジョは 第1期") == ("その時、カノジョは", 1)
    for title in ("86", "Steins;Gate 0", "ワンパンマン", "第2期"):
        assert split_season(title)[1] is None, title
    assert fold("舞-乙ＨｉＭＥ") == "舞-乙HiME"
    assert fold("ガールズ＆パンツァー･最終章") == "ガールズ&パンツァー・最終章"
    assert title_match(["ラブライブ！"], ["ラブライブ!"]) == "exact"
    assert title_match(["RWBY"], ["RWBY Volume 2"], season=2) == "season"
    assert title_match(["RWBY"], ["RWBY Volume 2"], season=3) == "partial"


def test_latin_compilation_words_count_only_as_whole_words() -> None:
    # "Rosario + Vampire CAPU2" runs together as "rosariovampirecapu2": not a recap.
    assert not is_compilation("Rosario + Vampire CAPU2", "ロザリオとバンパイア CAPU2")
    assert not is_compilation("Precapture")
    assert is_compilation("Bocchi the Rock! Recap Part 1")
    assert is_compilation("PSYCHO-PASS Director’s Cut")
    assert is_compilation("Re:ゼロから始める異世界生活 新編集版")


def test_full_width_title_with_a_season_word_is_searched_folded_then_without_it(
    world: World,
) -> None:
    day = date(2005, 10, 6)
    add(world, 900001, "舞-乙HiME", day, 12)
    world.hits["舞-乙HiME"] = [world.catalogue.subjects[900001]]
    rows = trakt_season(1, [world.catalogue.episodes[900001]], slot="25:00")
    world.trakt.seasons[(3001, 1)] = rows
    otome = show(3001, 99_000_001, "My-Otome", original_title="舞-乙ＨｉＭＥ 第1期")

    results = world.matcher().resolve_season(otome, 1, played(rows, 1, 12))

    assert [(r.status, r.subject_id) for r in results] == [(MATCHED, 900001)] * 2
    assert results[1].episode_id == 900001 * 10000 + 12
    assert searches(world) == ["舞-乙HiME 第1期", "舞-乙HiME"]  # stops at the first that verifies
    assert any("title search '舞-乙HiME' found" in line for line in results[0].evidence)


def test_a_later_season_named_with_its_season_word_is_marked_when_the_dates_agree(
    world: World,
) -> None:
    first, second = date(2015, 1, 8), date(2016, 4, 7)
    add(world, 900011, "テスト星人", first)
    add(world, 900012, "テスト星人 第2期", second)
    world.hits["テスト星人"] = [world.catalogue.subjects[900011], world.catalogue.subjects[900012]]
    rows = trakt_season(2, [world.catalogue.episodes[900012]])
    world.trakt.seasons[(3002, 2)] = rows
    world.trakt.seasons[(3003, 3)] = trakt_season(3, [world.catalogue.episodes[900012]])
    aliens = show(3002, 99_000_002, "Test Aliens", original_title="テスト星人")

    results = world.matcher().resolve_season(aliens, 2, played(rows, 1, 12))

    assert [(r.status, r.subject_id) for r in results] == [(MATCHED, 900012)] * 2
    assert results[0].confidence >= 0.8
    assert any("naming season 2" in line for line in results[0].evidence)
    # The same subject as TMDB season 3 (its season word names another): a partial title
    # only, placed on the whole season's agreeing air dates, not on the season word.
    other = show(3003, 99_000_003, "Test Aliens", original_title="テスト星人")
    (left,) = world.matcher().resolve_season(other, 3, played(world.trakt.seasons[(3003, 3)], 1))
    assert (left.status, left.subject_id) == (MATCHED, 900012)
    assert any("(partial title match)" in line for line in left.evidence)
    assert any("12/12 air dates agree" in line for line in left.evidence)
    assert not any("naming season" in line for line in left.evidence)


def test_an_exact_title_is_placed_before_a_partial_one_airing_alongside(world: World) -> None:
    # Before: every episode "fits 2 Bangumi subjects equally (DAYS, 91Days)".
    day = date(2016, 7, 2)
    add(world, 900021, "DAYS", day, 24)
    add(world, 900022, "91Days", day, 12)
    world.hits["DAYS"] = [world.catalogue.subjects[900022], world.catalogue.subjects[900021]]
    rows = trakt_season(1, [world.catalogue.episodes[900021]])
    world.trakt.seasons[(3004, 1)] = rows
    days = show(3004, 99_000_004, "DAYS", original_title="DAYS")

    results = world.matcher().resolve_season(days, 1, played(rows, 1, 12, 24))

    assert [(r.status, r.subject_id) for r in results] == [(MATCHED, 900021)] * 3


def test_a_partial_title_counts_once_its_prequel_chain_reaches_the_show(world: World) -> None:
    first, second = date(2013, 7, 12), date(2015, 7, 4)
    add(world, 900031, "ガッチャ星団", first)
    add(world, 900032, "ガッチャ星団 インサイト", second)
    world.hits["ガッチャ星団"] = [world.catalogue.subjects[900032]]
    rows = trakt_season(2, [world.catalogue.episodes[900032]])
    world.trakt.seasons[(3005, 2)] = rows
    gatcha = show(3005, 99_000_005, "Gatcha Cluster", original_title="ガッチャ星団")

    # A partial title alone is placed only on the whole season's agreeing dates (issue 10).
    (alone,) = world.matcher().resolve_season(gatcha, 2, played(rows, 1))
    assert (alone.status, alone.subject_id) == (MATCHED, 900032)
    assert any("12/12 air dates agree" in line for line in alone.evidence)
    assert not any("前传 chain" in line for line in alone.evidence)

    world.cache.data.clear()
    world.catalogue.relate(900031, 900032, "续集", "前传")
    results = world.matcher().resolve_season(gatcha, 2, played(rows, 1, 12))

    assert [(r.status, r.subject_id) for r in results] == [(MATCHED, 900032)] * 2
    assert any("前传 chain reaches 'ガッチャ星団' (900031)" in e for e in results[0].evidence)


def test_an_exact_title_placed_by_numbering_alone_does_not_outrank_a_partial_one(
    world: World,
) -> None:
    # Season 2 without dates to confirm anything: season 1's exact title must not win by
    # numbering over "…2さつめ", which fits as well (it stays a contest, unmarked).
    add(world, 900041, "ハチカメ日記", date(2018, 1, 5), 6)
    add(world, 900042, "ハチカメ日記 2さつめ", date(2019, 1, 4), 6)
    subjects = world.catalogue.subjects
    world.hits["ハチカメ日記"] = [subjects[900041], subjects[900042]]
    rows = trakt_season(2, [world.catalogue.episodes[900042]])
    for row in rows:
        row["first_aired"] = None
    world.trakt.seasons[(3006, 2)] = rows
    diary = show(3006, 99_000_006, "Hachikame Diary", original_title="ハチカメ日記")

    (result,) = world.matcher().resolve_season(diary, 2, played(rows, 1))

    assert result.status is UNMATCHED
    assert {c["subject_id"] for c in result.candidates} >= {900041, 900042}
    assert "fits 2 Bangumi subjects" in result.reason


def test_a_later_season_named_unlike_the_show_is_found_along_the_sequels_of_its_first(
    world: World,
) -> None:
    # 化物語 → 偽物語 (TMDB season 2): no subject in season 2's window has the show's
    # title; the first subject does, and 续集 leads on past one that does not fit.
    add(world, 900051, "化石語", date(2009, 7, 3), 15)
    add(world, 900052, "化石語 番外", date(2010, 10, 1), 3)
    add(world, 900053, "偽石語", date(2012, 1, 7), 11)
    world.catalogue.relate(900051, 900052, "续集", "前传")
    world.catalogue.relate(900052, 900053, "续集", "前传")
    world.hits["化石語"] = [world.catalogue.subjects[900051]]
    rows = trakt_season(2, [world.catalogue.episodes[900053]])
    world.trakt.seasons[(3007, 2)] = rows
    stones = show(3007, 99_000_007, "Bakeishi", original_title="化石語")

    results = world.matcher().resolve_season(stones, 2, played(rows, 1, 11))

    assert [(r.status, r.subject_id) for r in results] == [(MATCHED, 900053)] * 2
    assert results[1].episode_id == 900053 * 10000 + 11
    assert results[0].source == "franchise"
    assert any("续集 chain from '化石語' (900051)" in e for e in results[0].evidence)


def test_season_one_exact_title_outranks_a_spin_off_even_by_numbering_alone(
    world: World,
) -> None:
    # A web-first season: no date confirms either subject. Season 1's own title wins the
    # numbering over a spin-off named in part like it (it still needs dates to be marked).
    add(world, 900061, "ヨウカイ時計!", date(2019, 4, 5), 6)
    add(world, 900062, "ヨウカイ時計Jam", date(2019, 4, 5), 6)
    subjects = world.catalogue.subjects
    world.hits["ヨウカイ時計!"] = [subjects[900062], subjects[900061]]
    rows = trakt_season(1, [world.catalogue.episodes[900061]])
    for row in rows:
        row["first_aired"] = None
    world.trakt.seasons[(3008, 1)] = rows
    watch = show(3008, 99_000_008, "Youkai Clock!", original_title="ヨウカイ時計!")

    (result,) = world.matcher().resolve_season(watch, 1, played(rows, 2))

    assert "fits 2 Bangumi subjects" not in result.reason
    assert "of ヨウカイ時計! (900061)" in result.reason


def test_season_words_name_a_season_and_cours_name_none() -> None:
    assert named_season("T・Pぼん シーズン2") == 2
    assert named_season("てーきゅう(第7期)") == 7
    assert named_season("RWBY Volume 8") == 8
    assert named_season("SHIBUYA♡HACHI 第2クール") is None  # a cour: part of one season
    assert named_season("Fate/Zero 2") is None
    assert named_season("わしも-wasimo-(第5シリーズ)") == 5
    show = ["T・Pぼん シーズン1"]
    assert season_named(show, "T・Pぼん シーズン1", 1) == "show"
    assert season_named(show, "T・Pぼん シーズン1", 2) == "other"
    assert season_named(show, "T・Pぼん シーズン2", 2) == ""
    assert season_named(show, "T・Pぼん シーズン2", 3) == ""  # TMDB may count later ones apart
    assert season_named(["X 2nd Season"], "X 2nd Season", 1) == "show"  # its own TMDB show
    assert season_named(["BLACK LAGOON"], "BLACK LAGOON", 1) == "show"
    assert season_named(["BLACK LAGOON"], "BLACK LAGOON The Second Barrage", 1) == ""
