"""Bangumi's dates as the wiki really has them (issue 24): one parser, every form.

The values are the real ones a survey of 41 subjects found: ONE PIECE (975) has
``2017-1-29`` among its ISO dates, 名探偵コナン (899) ``1996-01-8``, ちょびっツ (12)
``2002-04-03`` for episode 1 and ``10.04.2002``, ``17.04.2002``, … for the rest, infoboxes
write ``2008年4月6日`` (and ``2008年4月`` where only the month is known), four of 41
subjects have empty air dates.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from trakt_sync.matching.airdate import BangumiDate, bangumi_date, bangumi_day, subject_day

DAY_CASES = [
    # ISO dates and datetimes
    ("2013-04-06", date(2013, 4, 6)),
    ("2013-04-06T00:00:00+09:00", date(2013, 4, 6)),
    ("2013-04-06 24:00", date(2013, 4, 6)),
    # unpadded YYYY-M-D (975, 899)
    ("2017-1-29", date(2017, 1, 29)),
    ("2000-5-3", date(2000, 5, 3)),
    ("1996-01-8", date(1996, 1, 8)),
    # DD.MM.YYYY (12: every episode after the first)
    ("10.04.2002", date(2002, 4, 10)),
    ("17.04.2002", date(2002, 4, 17)),
    ("2002-04-03", date(2002, 4, 3)),
    # YYYY/MM/DD
    ("2008/04/06", date(2008, 4, 6)),
    ("2008/4/6", date(2008, 4, 6)),
    # YYYY年M月D日 (infobox 放送开始)
    ("2008年4月6日", date(2008, 4, 6)),
    ("2019年10月12日", date(2019, 10, 12)),
    # full-width digits and stray whitespace (names with tabs: dates have them too)
    ("２０２２年１０月１日", date(2022, 10, 1)),
    ("\t2022-10-01 ", date(2022, 10, 1)),
]

MONTH_CASES = [
    ("2008年4月", date(2008, 4, 1)),
    ("2002-04", date(2002, 4, 1)),
]

UNKNOWN_CASES = ["", None, "   ", "TBA", "2017-02-30", "32.01.2002", "2002年13月", "Spring 2002"]
NOT_TEXT = [20020403, 2002.0, ["2002-04-03"], {"date": "2002-04-03"}, True]


@pytest.mark.parametrize(("value", "day"), DAY_CASES)
def test_every_day_form_bangumi_writes_is_read(value: str, day: date) -> None:
    assert bangumi_date(value) == BangumiDate(day, exact=True)
    assert bangumi_day(value) == day


@pytest.mark.parametrize(("value", "first"), MONTH_CASES)
def test_a_month_alone_is_a_month_and_never_a_day(value: str, first: date) -> None:
    assert bangumi_date(value) == BangumiDate(first, exact=False)
    assert bangumi_day(value) is None  # it can confirm no episode's air date


@pytest.mark.parametrize("value", UNKNOWN_CASES + NOT_TEXT)
def test_anything_else_is_unknown_and_never_raises(value: object) -> None:
    assert bangumi_date(value, subject=12) is None
    assert bangumi_day(value, subject=12) is None


def test_an_unreadable_date_is_logged_with_its_subject(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="trakt_sync.matching.airdate"):
        assert bangumi_day("Spring 2002", subject=12) is None
        assert bangumi_day(20020403, subject=899) is None
        assert bangumi_day("", subject=975) is None  # empty is plain unknown: no line
    lines = [r.getMessage() for r in caplog.records]
    assert any("subject 12" in line and "'Spring 2002'" in line for line in lines)
    assert any("subject 899" in line and "20020403" in line for line in lines)
    assert not any("subject 975" in line for line in lines)


def test_a_subject_without_a_date_falls_back_to_its_infobox() -> None:
    infobox = [
        {"key": "中文名", "value": "叽ぃ"},
        {"key": "放送开始", "value": "2002年4月2日"},
    ]
    assert subject_day({"id": 12, "date": "", "infobox": infobox}) == date(2002, 4, 2)
    assert subject_day({"id": 12, "date": "10.04.2002", "infobox": infobox}) == date(2002, 4, 10)
    # a month in the infobox names no day; an infobox of the wrong shape says nothing
    month = [{"key": "放送开始", "value": "2002年4月"}]
    assert subject_day({"id": 12, "date": None, "infobox": month}) is None
    assert subject_day({"id": 12, "date": None, "infobox": "2002-04-02"}) is None
    assert subject_day({"id": 12, "date": None, "infobox": [None, 3, {"key": 1}]}) is None
