"""The small rules the matcher stands on: broadcast days, titles, ep numbering, scores."""

from __future__ import annotations

from datetime import UTC, date, datetime

from matcher_world import real_episodes

from trakt_sync.matching.airdate import DateCheck, broadcast_day, compare_days
from trakt_sync.matching.confidence import confidence
from trakt_sync.matching.fits import Candidate, TraktEp, parse_episodes
from trakt_sync.matching.placement import choose_fit
from trakt_sync.matching.titles import is_compilation, title_match


def test_late_night_slots_belong_to_the_previous_broadcast_day() -> None:
    # 進撃の巨人 #1: MBS Sat 25:58 = Sun 01:58 JST = Sat 16:58 UTC; Bangumi says Saturday.
    assert broadcast_day("2013-04-06T16:58:00.000Z") == date(2013, 4, 6)
    assert broadcast_day("2013-04-06T20:00:00Z") == date(2013, 4, 7)  # 05:00 JST starts a day
    assert broadcast_day("2013-04-06T19:59:00Z") == date(2013, 4, 6)
    assert broadcast_day(datetime(2022, 10, 1, 14, 0)) == date(2022, 10, 1)  # naive = UTC
    assert broadcast_day(datetime(2022, 10, 1, 23, 0, tzinfo=UTC)) == date(2022, 10, 2)
    assert broadcast_day(None) is None and broadcast_day("not a date") is None


def test_air_dates_agree_within_a_day() -> None:
    d = date(2022, 10, 1)
    assert compare_days(d, date(2022, 10, 2)) is DateCheck.AGREE
    assert compare_days(d, date(2022, 10, 3)) is DateCheck.DISAGREE
    assert compare_days(d, None) is DateCheck.UNKNOWN


def test_titles() -> None:
    assert title_match(["ＳＰＹ×ＦＡＭＩＬＹ"], ["spy×family"]) == "exact"
    assert title_match(["進撃の巨人"], ["進撃の巨人 Season3 Part.2"]) == "partial"
    assert title_match(["Re:Zero"], ["ぼっち・ざ・ろっく！"]) is None
    assert is_compilation("劇場総集編ぼっち・ざ・ろっく！ Re:")
    assert is_compilation("Re:ゼロから始める異世界生活 新編集版")
    assert not is_compilation("進撃の巨人 The Final Season 完結編 前編")


def test_ep_counts_main_episodes_only() -> None:
    raw = [{**e, "ep": None} for e in real_episodes()[373267]]  # the API left ep out
    episodes = parse_episodes(raw)
    sp = next(e for e in episodes if e.id == 1130480)
    first = next(e for e in episodes if e.id == 1124319)
    assert (sp.type, sp.ep) == (1, None)
    assert (first.ep, first.sort) == (1, 13.0)

    recap = next(e for e in parse_episodes(real_episodes()[55770]) if e.sort == 13.5)
    after = next(e for e in parse_episodes(real_episodes()[55770]) if e.sort == 14)
    assert recap.ep is None and after.ep == 14


def test_floating_subject_without_any_dates_is_not_placed_by_a_guess() -> None:
    cand = Candidate(1, "x", "bangumi-data", 0.75, parse_episodes(real_episodes()[263750]))
    undated = {n: TraktEp(n) for n in range(1, 23)}
    fit, _ = choose_fit(cand, undated)
    # sort 50-59 and ep 1-10 say nothing about S3E13-E22 without dates or an id start
    assert fit is not None and fit.numbering == "ep" and fit.offset == 0
    assert confidence(0.75, DateCheck.UNKNOWN, fit.agree, fit.disagree, fit.numbering) < 0.8


def test_scores() -> None:
    assert confidence(0.85, DateCheck.AGREE, 10, 0, None) == 0.99
    assert confidence(0.85, DateCheck.UNKNOWN, 10, 0, None) == 0.98
    assert confidence(0.65, DateCheck.AGREE, 1, 0, None) == 0.82  # title + its own date
    assert confidence(0.65, DateCheck.AGREE, 13, 0, None) == 0.98  # + a whole run of dates
    # issue 10: a later season found by a partial title, 13/13 air dates agreeing, was 0.75
    assert confidence(0.6, DateCheck.AGREE, 13, 0, "sort") >= 0.8
    assert confidence(0.6, DateCheck.AGREE, 13, 1, "sort") < confidence(
        0.6, DateCheck.AGREE, 13, 0, "sort"
    )
    assert confidence(0.65, DateCheck.UNKNOWN, 0, 0, "ep") == 0.65  # numbering alone: nothing
    assert confidence(0.75, DateCheck.UNKNOWN, 0, 0, None) == 0.75
    assert confidence(0.75, DateCheck.UNKNOWN, 0, 0, "ep", count_fits=True) == 0.92
    assert confidence(0.99, DateCheck.DISAGREE, 10, 0, "ep") == 0.2
    assert confidence(0.85, DateCheck.AGREE, 3, 7, None) <= 0.5  # the fit itself is doubtful
