"""Air dates on Bangumi's terms: the Japanese broadcast day.

Bangumi's ``airdate`` is the day of the Japanese TV schedule, where a 25:58 slot still
belongs to the earlier day; Trakt's ``first_aired`` is a UTC instant (matching.md).
Japan has no DST, so a fixed UTC+9 offset is exact and needs no tz database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum

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
    else:
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def parse_day(value: str | None) -> date | None:
    """``YYYY-MM-DD`` (Bangumi airdate / subject date); empty or malformed gives None."""
    if not value:
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
