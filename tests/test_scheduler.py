"""Cron schedules in wall-clock time across DST, with seconds, always after now."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from trakt_sync.scheduler import due, interval, next_fire

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_daily_time_keeps_its_wall_clock_across_spring_forward() -> None:
    before = next_fire("0 3 * * *", BERLIN, utc(2026, 3, 27, 12))
    after = next_fire("0 3 * * *", BERLIN, before)
    assert before.astimezone(BERLIN).hour == 3 and after.astimezone(BERLIN).hour == 3
    assert after - before == timedelta(hours=23)  # the night of 03-29 lost an hour


def test_time_inside_the_spring_gap_fires_once_just_after_it() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29 (02:00 → 03:00).
    fire = next_fire("30 2 * * *", BERLIN, utc(2026, 3, 28, 12))
    assert fire.date().isoformat() == "2026-03-29"
    assert utc(2026, 3, 29, 0, 59) < fire.astimezone(UTC) <= utc(2026, 3, 29, 1, 30)
    nxt = next_fire("30 2 * * *", BERLIN, fire)
    assert nxt.astimezone(BERLIN).date().isoformat() == "2026-03-30"


def test_time_in_the_repeated_fall_back_hour_fires_once() -> None:
    fires = []
    now = utc(2026, 11, 1, 0)  # New York, 2026-11-01 01:00-02:00 happens twice
    for _ in range(3):
        now = next_fire("30 1 * * *", NEW_YORK, now)
        fires.append(now)
    days = [f.astimezone(NEW_YORK).date().isoformat() for f in fires]
    assert days == ["2026-11-01", "2026-11-02", "2026-11-03"]


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
@pytest.mark.parametrize("schedule", ["*/15 * * * *", "0 * * * *", "30 2 * * *", "0 */6 * * *"])
def test_next_fire_is_always_strictly_later_across_both_transitions(zone, schedule) -> None:
    for start in (
        utc(2026, 3, 8, 0),
        utc(2026, 3, 28, 20),
        utc(2026, 10, 24, 20),
        utc(2026, 10, 31, 23),
    ):
        now = start
        for _ in range(60):
            fire = next_fire(schedule, zone, now)
            assert fire > now
            assert fire - now <= timedelta(days=1, hours=1)
            now = fire


def test_now_in_the_second_pass_of_a_repeated_hour_still_gets_a_later_fire() -> None:
    second_pass = datetime(2026, 10, 25, 2, 10, tzinfo=BERLIN).replace(fold=1)
    fire = next_fire("*/20 * * * *", BERLIN, second_pass)
    assert fire.astimezone(UTC) == utc(2026, 10, 25, 1, 20)  # 02:20 CET, the second pass


def test_six_field_schedule_has_seconds() -> None:
    now = utc(2026, 1, 1, 0, 0, 1)
    fire = next_fire("* * * * * */4", BERLIN, now)
    assert fire.astimezone(UTC) == utc(2026, 1, 1, 0, 0, 4)
    assert interval("* * * * * */4", BERLIN, now) == timedelta(seconds=4)


def test_missed_fires_coalesce_into_one_due_run() -> None:
    last = utc(2026, 1, 1, 0)
    later = last + timedelta(hours=7)  # six hourly fires were missed (a suspend)
    assert due("0 * * * *", UTC, last, later)
    # After the one coalesced run, nothing is due until the next fire.
    assert not due("0 * * * *", UTC, later, later + timedelta(minutes=30))
