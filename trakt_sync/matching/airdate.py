"""Air dates on Bangumi's terms: the Japanese broadcast day.

Bangumi's ``airdate`` is the day of the Japanese TV schedule, where a 25:58 slot still
belongs to the earlier day; Trakt's ``first_aired`` is a UTC instant (matching.md).
Japan has no DST, so a fixed UTC+9 offset is exact and needs no tz database.

Bangumi's dates are wiki text, not ISO dates: ``2017-1-29`` (ONE PIECE), ``1996-01-8``,
``10.04.2002`` (ちょびっツ), ``2008/04/06``, ``2008年4月6日``, ``2008年4月`` or ``""``.
:func:`bangumi_date` is the one parser for all of them — episodes' ``airdate``, a
subject's ``date`` and its infobox — so no other module reads a Bangumi date itself.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)

JST = timezone(timedelta(hours=9), "JST")
# Late-night anime slots run to ~29:00; before 05:00 a broadcast belongs to the previous day.
DAY_STARTS_AT = timedelta(hours=5)
TOLERANCE_DAYS = 1


class DateCheck(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    UNKNOWN = "unknown"


def parse_instant(value: str | datetime | None) -> datetime | None:
    """An ISO-8601 instant (``Z`` or offset); naive values are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        instant = value
    elif not isinstance(value, str):
        return None
    else:
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def parse_day(value: str | None) -> date | None:
    """``YYYY-MM-DD`` as this program writes it (cached plans, Trakt's ``released``);
    empty or malformed gives None. A date from Bangumi goes through :func:`bangumi_day`."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def broadcast_day(value: str | datetime | None) -> date | None:
    """The Japanese broadcast day of an instant (JST, days start at 05:00)."""
    instant = parse_instant(value)
    if instant is None:
        return None
    return (instant.astimezone(JST) - DAY_STARTS_AT).date()


def compare_days(trakt_day: date | None, bangumi_day: date | None) -> DateCheck:
    if trakt_day is None or bangumi_day is None:
        return DateCheck.UNKNOWN
    if abs((trakt_day - bangumi_day).days) <= TOLERANCE_DAYS:
        return DateCheck.AGREE
    return DateCheck.DISAGREE


@dataclass(frozen=True)
class BangumiDate:
    """A Bangumi date: the day, or only its month (``day`` is then the month's first)."""

    day: date
    exact: bool = True


# Bangumi's day forms, as (pattern, group order year-month-day); a time after an ISO date
# is allowed and ignored (the airdate is a broadcast day, not an instant).
_DAY_FORMS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.+\-Z]*)?"), (1, 2, 3)),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), (1, 2, 3)),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), (3, 2, 1)),  # DD.MM.YYYY (European wiki edits)
)
_MONTH_FORMS = (
    re.compile(r"(\d{4})年(\d{1,2})月"),
    re.compile(r"(\d{4})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})"),
)


def bangumi_date(value: Any, *, subject: Any = None) -> BangumiDate | None:
    """Any of Bangumi's date forms (see the module doc); None when empty or unknown.

    An unknown form is logged at debug level with the ``subject`` it belongs to, so a
    surprising value can be found; it never raises."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        log.debug("subject %s: Bangumi date %r is not text; taken as unknown", subject, value)
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    try:
        for pattern, (y, m, d) in _DAY_FORMS:
            found = pattern.fullmatch(text)
            if found:
                return BangumiDate(date(int(found[y]), int(found[m]), int(found[d])))
        for pattern in _MONTH_FORMS:
            found = pattern.fullmatch(text)
            if found:
                return BangumiDate(date(int(found[1]), int(found[2]), 1), exact=False)
    except ValueError:
        pass  # 2017-02-30, month 13: the form is known, the date does not exist
    log.debug("subject %s: unreadable Bangumi date %r; taken as unknown", subject, value)
    return None


def bangumi_day(value: Any, *, subject: Any = None) -> date | None:
    """The day a Bangumi date names; None when it names only a month, or nothing."""
    found = bangumi_date(value, subject=subject)
    return found.day if found is not None and found.exact else None


# Infobox keys that give a subject's first airing or release when ``date`` is empty.
_INFOBOX_DATES = ("放送开始", "上映年度", "发售日", "开始")


def subject_day(subject: Mapping[str, Any]) -> date | None:
    """A v0 subject's first day: its ``date``, else the infobox's 放送开始 and kin."""
    sid = subject.get("id")
    day = bangumi_day(subject.get("date"), subject=sid)
    if day is not None:
        return day
    infobox = subject.get("infobox")
    for entry in infobox if isinstance(infobox, list) else []:
        if isinstance(entry, Mapping) and entry.get("key") in _INFOBOX_DATES:
            value = entry.get("value")
            if isinstance(value, str) and (day := bangumi_day(value, subject=sid)) is not None:
                return day
    return None
