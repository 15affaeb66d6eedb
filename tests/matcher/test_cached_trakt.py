"""Trakt show metadata for matching: one read per show for its seasons and one for its
translations (A.10), cached per show, against the Trakt fake."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from trakt_sync.errors import NotFound
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import World, add_season, trakt_weekly_episodes
from trakt_sync.httpclient import RequestCounter, RetryBudget
from trakt_sync.matching.lookups import CachedTrakt
from trakt_sync.trakt import TraktClient

SPY, BOCCHI = 185614, "bocchi-the-rock"


class DictCache:
    """The store's cache protocol over a dict; every value written ``stored_at``."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Any] = {}
        self.stored_at = datetime.now(UTC)

    def get(self, namespace: str, key: str) -> Any | None:
        return self.values.get((namespace, key))

    def put(self, namespace: str, key: str, value: Any) -> None:
        self.values[(namespace, key)] = value

    def cache_age(self, namespace: str, key: str) -> str | None:
        return self.stored_at.isoformat() if (namespace, key) in self.values else None


@pytest.fixture
def trakt(demo_world: World) -> Any:
    spy = next(s for s in demo_world["trakt"]["shows"] if s["ids"]["trakt"] == SPY)
    add_season(spy, 0, trakt_weekly_episodes(77_000_001, "2023-01-01T15:00:00.000Z", 2))
    with FakeTrakt(demo_world) as fake:
        yield fake


def client(fake: FakeTrakt) -> TraktClient:
    return TraktClient(
        fake.url,
        client_id=fake.client_id,
        user_agent="test/1",
        session=None,
        timeout=5,
        counter=RequestCounter(),
        budget=RetryBudget(total=10, backoff_base=0.01),
    )


def reads(fake: FakeTrakt) -> list[str]:
    return [f"{r.path}?{r.query.get('extended', '')}" for r in fake.requests]


def test_every_season_of_a_show_is_one_request_cached_per_show(trakt: FakeTrakt) -> None:
    cache = DictCache()
    cached = CachedTrakt(client(trakt), cache)

    season1 = cached.get_season_episodes(SPY, 1)
    specials = cached.get_season_episodes(SPY, 0)
    with pytest.raises(NotFound):
        cached.get_season_episodes(SPY, 7)

    assert reads(trakt) == [f"/shows/{SPY}/seasons?episodes,full"]
    assert [e["number"] for e in season1] == list(range(1, 26)) and len(specials) == 2
    assert season1[0]["first_aired"] and season1[0]["ids"]["trakt"]
    # what matching reads is kept; overviews, ratings and the like are not
    assert "overview" not in season1[0] and "rating" not in season1[0]
    # a later run (same cache): no request at all
    assert CachedTrakt(client(trakt), cache).get_season_episodes(SPY, 1) == season1
    assert len(trakt.requests) == 1


def test_translations_of_every_language_are_one_request(trakt: FakeTrakt) -> None:
    cached = CachedTrakt(client(trakt), DictCache())

    ja = cached.get_show_translations(BOCCHI, "ja")
    zh = cached.get_show_translations(BOCCHI, "zh")

    assert reads(trakt) == [f"/shows/{BOCCHI}/translations?"]
    assert [t["language"] for t in ja] == ["ja"]
    assert len(zh) == 2 and {t["language"] for t in zh} == {"zh"}
    assert all(t["title"] for t in ja + zh)
    assert cached.get_show_translations(BOCCHI, "ko") == [] and len(trakt.requests) == 1


def test_a_show_still_airing_is_read_again_after_a_day(trakt: FakeTrakt) -> None:
    cache = DictCache()
    first = CachedTrakt(client(trakt), cache).get_season_episodes(SPY, 1)
    last_aired = max(date.fromisoformat(e["first_aired"][:10]) for e in first)
    cache.stored_at -= timedelta(days=2)

    # Seen from weeks after its last episode it may still grow: read again.
    airing = CachedTrakt(client(trakt), cache, today=lambda: last_aired + timedelta(days=7))
    airing.get_season_episodes(SPY, 1)
    assert len(trakt.requests) == 2
    # Long after: ended, the cached seasons do.
    cache.stored_at -= timedelta(days=2)
    ended = CachedTrakt(client(trakt), cache, today=lambda: last_aired + timedelta(days=400))
    ended.get_season_episodes(SPY, 1)
    assert len(trakt.requests) == 2


def test_an_unknown_show_is_not_found(trakt: FakeTrakt) -> None:
    with pytest.raises(NotFound):
        CachedTrakt(client(trakt), DictCache()).get_season_episodes(99999999, 1)
