"""UTC instants as Trakt and the store write them (ISO-8601, millis, ``Z``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

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
    """``in 3 h 10 min``, ``2 h ago``, ``just now``."""
    seconds = int(delta.total_seconds())
    size = abs(seconds)
    if size < 60:
        return "just now"
    minutes, hours, days = size // 60, size // 3600, size // 86400
    if days >= 2:
        amount = f"{days} d"
    elif hours >= 1:
        rest = minutes - hours * 60
        amount = f"{hours} h" + (f" {rest} min" if rest and hours < 10 else "")
    else:
        amount = f"{minutes} min"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


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
