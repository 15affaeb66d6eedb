"""UTC instants as Trakt and the store write them (ISO-8601, millis, ``Z``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from trakt_sync import i18n
from trakt_sync.i18n import _

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_instant(value: str) -> datetime:
    """Parse ``2014-09-01T09:10:11.000Z`` (or a date) into an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    """``2014-09-01T09:10:11.000Z``: the form Trakt sends and accepts."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def relative(delta: timedelta) -> str:
    """``in 3 h 10 min``, ``2 h ago``, ``just now``; in Chinese Babel's ``3小时后``."""
    seconds = int(delta.total_seconds())
    size = abs(seconds)
    if size < 60:
        # A next run half a minute away has not happened "just now".
        return _("in under a minute") if seconds > 0 else _("just now")
    if i18n.is_chinese():
        from babel.dates import format_timedelta  # only in Chinese: ~70 ms of imports

        return format_timedelta(
            delta, locale="zh_Hans_CN", add_direction=True, granularity="minute", threshold=1.1
        )
    minutes, hours, days = size // 60, size // 3600, size // 86400
    if days >= 2:
        amount = f"{days} d"
    elif hours >= 1:
        rest = minutes - hours * 60
        amount = f"{hours} h" + (f" {rest} min" if rest and hours < 10 else "")
    else:
        amount = f"{minutes} min"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def clock(moment: datetime, today: bool) -> str:
    """A local time as a person reads it: ``14:02 CST`` (today) or ``2026-12-01 14:02 CST``;
    in Chinese Babel's ``2026年12月1日 14:02 CST``."""
    zone = moment.strftime("%Z")
    if i18n.is_chinese():
        from babel.dates import format_datetime, format_time

        if today:
            shown = format_time(moment, "HH:mm", locale="zh_Hans_CN")
        else:
            shown = format_datetime(moment, "y年M月d日 HH:mm", locale="zh_Hans_CN")
        return f"{shown} {zone}".rstrip()
    return moment.strftime("%H:%M %Z" if today else "%Y-%m-%d %H:%M %Z")


def weekday_clock(moment: datetime, *, seconds: bool = False) -> str:
    """``Mon 2026-12-07 06:00 CET``; in Chinese Babel's ``2026年12月7日 周一 06:00 CET``."""
    if i18n.is_chinese():
        from babel.dates import format_datetime

        pattern = "y年M月d日 EEE HH:mm:ss" if seconds else "y年M月d日 EEE HH:mm"
        shown = format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale="zh_Hans_CN")
        return f"{shown} {moment.strftime('%Z')}".rstrip()
    return moment.strftime("%a %Y-%m-%d %H:%M:%S %Z" if seconds else "%a %Y-%m-%d %H:%M %Z")


def parse_duration(value: int | float | str) -> float:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"24h"`` or ``"7d"``."""
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"not a duration like '30s', '15m', '24h': {value!r}")
        seconds = float(int(match.group(1)) * _UNITS[match.group(2)])
    if seconds < 0:
        raise ValueError("must not be negative")
    return seconds
