"""When the next sync is due: croniter in local wall-clock time, made aware afterwards.

Cron expressions speak wall-clock time, so the iteration runs on naive local
times and each candidate is attached to the zone only afterwards: a daily 03:00
stays 03:00 across DST changes, a time skipped by spring-forward fires at the
instant it maps to, and a time repeated by fall-back fires once (a schedule that
runs every hour fires in both passes, as cron does). Results are UTC instants,
always strictly later than ``now``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

# The nicknames cron implementations accept, as the five fields they stand for.
ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def expand(schedule: str) -> str:
    """``@daily`` → ``0 0 * * *``; any other schedule as written."""
    return ALIASES.get(schedule.strip().lower(), schedule)


def zone(name: str | None) -> tzinfo:
    """The configured IANA zone, else the system's local zone."""
    if name:
        return ZoneInfo(name)
    return system_zone()


def system_zone() -> tzinfo:
    """The system's zone with its DST rules: ``$TZ`` or /etc/localtime, when they name one.

    The offset in force now is only the fallback: it would put the fires after the
    next DST change an hour off.
    """
    names = [os.environ.get("TZ", "").removeprefix(":")]
    target = os.path.realpath("/etc/localtime")
    if "/zoneinfo/" in target:
        names.append(target.split("/zoneinfo/", 1)[1])
    for name in names:
        if name and not name.startswith("/"):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def next_fire(schedule: str, tz: tzinfo, now: datetime) -> datetime:
    """The first fire time of ``schedule`` strictly after ``now`` (an aware datetime)."""
    schedule = expand(schedule)
    now_utc = now.astimezone(UTC)
    local_now = now.astimezone(tz).replace(tzinfo=None)
    # A schedule that runs every hour also runs in both passes of a repeated
    # (fall-back) hour, as cron does; one with fixed hours runs once. Both passes
    # only matter when a transition is near, so the careful scan is kept for then.
    careful = schedule.split()[1].startswith("*") and _transition_near(tz, now_utc)
    folds = (0, 1) if careful else (0,)
    # Start an hour back so the second pass of a repeated hour is seen when now is in it.
    it = croniter(schedule, local_now - timedelta(hours=1) if careful else local_now)
    best: datetime | None = None
    while True:
        naive = it.get_next(datetime)
        if best is not None and (
            not careful or naive > best.replace(tzinfo=None) + timedelta(hours=1)
        ):
            # UTC: aware datetimes in one zone compare by wall clock and ignore fold.
            return best.astimezone(UTC)
        for fold in folds:
            candidate = naive.replace(tzinfo=tz, fold=fold)
            if candidate.astimezone(UTC) > now_utc and (
                best is None or candidate.astimezone(UTC) < best.astimezone(UTC)
            ):
                best = candidate


def _transition_near(tz: tzinfo, moment: datetime) -> bool:
    """True when the zone's UTC offset changes within three hours of ``moment``."""
    window = timedelta(hours=3)
    return (moment - window).astimezone(tz).utcoffset() != (moment + window).astimezone(
        tz
    ).utcoffset()


def interval(schedule: str, tz: tzinfo, now: datetime) -> timedelta:
    """The gap between the next two fires: what "twice the schedule interval" measures."""
    first = next_fire(schedule, tz, now)
    return next_fire(schedule, tz, first) - first


def next_fires(schedule: str, tz: tzinfo, now: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times after ``now``, in ``tz``."""
    fires: list[datetime] = []
    moment = now
    for _ in range(count):
        moment = next_fire(schedule, tz, moment)
        fires.append(moment.astimezone(tz))
    return fires


def schedule_warnings(schedule: str) -> list[str]:
    """Valid but probably not meant: croniter reads a sixth field as seconds, and last."""
    fields = expand(schedule).split()
    if len(fields) == 6 and croniter(" ".join(fields)).expanded[5] == ["*"]:
        return [
            f"{schedule!r} fires every second for a whole minute: croniter reads the sixth "
            "field as seconds, after the day of the week (most cron tools put seconds first); "
            f"to fire once in each such minute write {' '.join(fields[:5])!r} "
            "or make the sixth field 0"
        ]
    return []


def due(schedule: str, tz: tzinfo, last_fire: datetime, now: datetime) -> bool:
    """True when at least one fire time passed since ``last_fire`` (missed ones coalesce)."""
    return next_fire(schedule, tz, last_fire) <= now
