"""How times read on the terminal: local time, then the age or the wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trakt_sync.cli.output import local_time, relative


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=-20), "just now"),
        (timedelta(seconds=30), "in under a minute"),  # a run about to start
        (timedelta(minutes=-5), "5 min ago"),
        (timedelta(hours=-2, minutes=-3), "2 h 3 min ago"),
        (timedelta(hours=-26), "26 h ago"),
        (timedelta(days=-3), "3 d ago"),
        (timedelta(hours=1, minutes=28), "in 1 h 28 min"),
        (timedelta(hours=12), "in 12 h"),
    ],
)
def test_relative(delta: timedelta, text: str) -> None:
    assert relative(delta) == text


def test_local_time_shows_the_date_only_for_another_day(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 JST
        assert local_time(now - timedelta(hours=2), now) == "10:00 JST (2 h ago)"
        assert local_time(now - timedelta(days=2), now) == "2026-11-29 12:00 JST (2 d ago)"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
