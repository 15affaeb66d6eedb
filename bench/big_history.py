"""A history of 355 watched shows and 3,770 plays, and the Trakt requests a sync may spend on
it (issue 18, point 1): `/sync/watched` is paged, so reading only its first page made 255 shows
look changed and re-read the whole history.

The world is the demo world (two anime series matched on Bangumi, one drama, two films) with
352 synthetic drama series added, each episode played once. Two days happen on it after a
first sync: an ordinary one (new plays of three shows, one of them anime) and one with
backdated plays (two shows and a film logged now with old watch dates). :func:`bound` is the
issue's cost target for a day; ``tests/test_paged_lists.py`` asserts it from the fake's
request log and ``bench/perf.py`` prints it beside the count.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import (
    World,
    add_episode_play,
    add_season,
    add_show,
    load_world,
    trakt_weekly_episodes,
)

SHOWS, PLAYS = 355, 3770
PAGE = 250  # the page size a sync asks for (A.5: Trakt's maximum)
SPY, YOUR_NAME_MOVIE = 185614, 264063  # in the demo world
FIRST_SYNTHETIC = 700_000
_START = datetime(2016, 1, 4, 20, tzinfo=UTC)


def big_history_world() -> World:
    """The demo world grown to :data:`SHOWS` watched shows and :data:`PLAYS` plays."""
    world = load_world("demo")
    trakt = world["trakt"]
    have_shows = len({p["show"] for p in trakt["history"] if p["type"] == "episode"})
    extra_shows, extra_plays = SHOWS - have_shows, PLAYS - len(trakt["history"])
    base, longer = divmod(extra_plays, extra_shows)  # `longer` shows get one episode more
    history_id = 5_000_000_000
    for n in range(extra_shows):
        trakt_id = FIRST_SYNTHETIC + n
        premiere = _START + timedelta(days=3 * n)
        count = base + (n < longer)
        show = add_show(
            world,
            trakt_id=trakt_id,
            title=f"Drama Series {n + 1}",
            year=premiere.year,
            genres=("drama", "crime"),
            country="us",
            language="en",
        )
        add_season(show, 1, trakt_weekly_episodes(trakt_id * 100, premiere, count))
        for number in range(1, count + 1):
            watched = premiere + timedelta(weeks=number - 1, hours=2)
            history_id += 1
            add_episode_play(world, history_id, _iso(watched), trakt_id, 1, number)
    return world


@dataclass(frozen=True)
class Day:
    """What changed on Trakt since the last sync."""

    name: str
    new_plays: int
    changed: tuple[tuple[str, int], ...]  # ("show" | "movie", Trakt id) with plays added
    backdated: bool  # the plays have old watch dates: only the watched summary finds them


def ordinary_day(trakt: FakeTrakt) -> Day:
    """Two new SPY x FAMILY episodes and a rewatch each of two dramas, watched just now."""
    trakt.add_play(show=SPY, season=1, number=16)
    trakt.add_play(show=SPY, season=1, number=17)
    trakt.add_play(show=FIRST_SYNTHETIC + 1, season=1, number=1)
    trakt.add_play(show=FIRST_SYNTHETIC + 2, season=1, number=3)
    changed = (("show", SPY), ("show", FIRST_SYNTHETIC + 1), ("show", FIRST_SYNTHETIC + 2))
    return Day("an ordinary day", 4, changed, backdated=False)


def backdated_day(trakt: FakeTrakt) -> Day:
    """Plays of two shows and a film logged now with watch dates years ago."""
    trakt.add_play(show=SPY, season=1, number=18, watched_at="2019-11-02T10:00:00.000Z")
    trakt.add_play(show=FIRST_SYNTHETIC + 9, season=1, number=2, watched_at="2017-03-01T20:00:00Z")
    trakt.add_play(movie=YOUR_NAME_MOVIE, watched_at="2017-05-05T19:00:00.000Z")
    changed = (("show", SPY), ("show", FIRST_SYNTHETIC + 9), ("movie", YOUR_NAME_MOVIE))
    return Day("backdated plays of two shows and a film", 3, changed, backdated=True)


def pages(items: int, limit: int = PAGE) -> int:
    """Requests to read ``items`` (an empty list still costs one)."""
    return max(1, math.ceil(items / limit))


def bound(trakt: FakeTrakt, day: Day) -> int:
    """Issue 18's target: 1 + new history pages + the watched-list pages at 250 + one per
    show with new plays + 3; for backdated plays the changed items' history pages instead of
    the new ones."""
    plays = Counter(
        ("movie", p["movie"]) if p["type"] == "movie" else ("show", p["show"])
        for p in trakt.history
    )
    shows = sum(1 for kind, _ in plays if kind == "show")
    watched_pages = pages(shows) + pages(len(plays) - shows)
    if day.backdated:
        history = sum(pages(plays[item]) for item in day.changed)
    else:
        history = pages(day.new_plays)
    shows_with_new_plays = sum(1 for kind, _ in day.changed if kind == "show")
    return 1 + history + watched_pages + shows_with_new_plays + 3


def _iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.000Z")
