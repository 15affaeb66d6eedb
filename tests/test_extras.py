"""The pure rules for ratings, the watchlist and private collections, and how the store
holds Trakt's lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from trakt_sync.extras import (
    LIST_RATINGS,
    LIST_WATCHLIST,
    ListEntry,
    ListKey,
    SubjectExtras,
    Target,
    parse_item,
    plan_extras,
    wanted,
)
from trakt_sync.models import COLLECTION_DOING, COLLECTION_DONE, COLLECTION_WISH
from trakt_sync.store import Store


def rating(kind: str, trakt_id: int, value: int, season: int | None = None) -> dict:
    raw: dict = {"rating": value, "rated_at": "2026-01-01T00:00:00.000Z", "type": kind}
    if kind == "movie":
        raw["movie"] = {"title": "Film", "ids": {"trakt": trakt_id}}
    else:
        raw["show"] = {"title": "Show", "ids": {"trakt": trakt_id}}
    if season is not None:
        raw["season"] = {"number": season, "ids": {}}
    return raw


def entry(raw: dict, list_name: str, kind: str, targets: dict[int, str]) -> ListEntry:
    item = parse_item(list_name, kind, raw)
    return ListEntry(
        item, {sid: Target(sid, 2, kind == "movie", st) for sid, st in targets.items()}
    )


def test_a_season_rating_outranks_the_show_rating_on_every_subject() -> None:
    show = entry(rating("show", 7, 4), LIST_RATINGS, "show", {100: "pending"})
    season = entry(rating("season", 7, 9, season=1), LIST_RATINGS, "season", {100: "pending"})
    got = wanted([show, season], set())
    assert got[100].rating == 9
    # Only the show rated: it goes to the first season's subject.
    assert wanted([show], set())[100].rating == 4


def test_a_waiting_rating_joins_only_a_run_that_touches_its_subject() -> None:
    waiting = entry(rating("movie", 3, 8), LIST_RATINGS, "movie", {200: "waiting"})
    assert wanted([waiting], set()) == {}
    assert wanted([waiting], {200})[200].rating == 8
    done = entry(rating("movie", 3, 8), LIST_RATINGS, "movie", {200: "done"})
    assert wanted([done], {200}) == {}


def test_a_failed_target_is_retried_until_its_attempts_run_out() -> None:
    failed = entry(rating("movie", 3, 8), LIST_RATINGS, "movie", {200: "failed"})
    assert 200 in wanted([failed], set())
    failed.targets[200].attempts = 3
    assert wanted([failed], set()) == {}


@pytest.mark.parametrize(
    ("mode", "current_rate", "expected"),
    [
        ("fill", 0, 7),
        ("fill", 5, None),
        ("overwrite", 5, 7),
        ("overwrite", 7, None),
        ("off", 0, None),
    ],
)
def test_fill_and_overwrite(mode: str, current_rate: int, expected: int | None) -> None:
    change = plan_extras(
        current_type=COLLECTION_DOING,
        current_rate=current_rate,
        collect_before=None,
        extras=SubjectExtras(rating=7),
        ratings=mode,  # type: ignore[arg-type]
        private=False,
    )
    assert change.rate == expected and change.settled


def test_a_rating_alone_never_creates_a_collection() -> None:
    change = plan_extras(
        current_type=None,
        current_rate=0,
        collect_before=None,
        extras=SubjectExtras(rating=7),
        ratings="overwrite",
        private=True,
    )
    assert change.rate is None and not change.settled and not change.wish and not change.private


def test_the_watchlist_only_adds_wish_to_subjects_not_collected() -> None:
    def plan(current: int | None, collect_before: int | None = None):
        return plan_extras(
            current_type=current,
            current_rate=0,
            collect_before=collect_before,
            extras=SubjectExtras(wish=True, rating=6),
            ratings="fill",
            private=True,
        )

    fresh = plan(None)
    assert fresh.wish and fresh.private and fresh.rate == 6
    for current in (COLLECTION_WISH, COLLECTION_DOING, COLLECTION_DONE):
        kept = plan(current)
        assert not kept.wish and not kept.private and kept.rate == 6
    played = plan(None, collect_before=COLLECTION_DOING)  # a play wins over the watchlist
    assert not played.wish and played.private


def test_parse_item_rejects_what_cannot_be_sent() -> None:
    with pytest.raises(ValueError):
        parse_item(LIST_RATINGS, "movie", rating("movie", 1, 11))
    with pytest.raises(ValueError):
        parse_item(LIST_RATINGS, "movie", {"rating": 5, "movie": {"ids": {}}})
    item = parse_item(LIST_WATCHLIST, "show", {"listed_at": "x", "show": {"ids": {"trakt": 5}}})
    assert item.key == ListKey(LIST_WATCHLIST, "show", 5) and item.rating is None


def test_the_store_keeps_new_changed_and_removed_entries(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    film, show = rating("movie", 1, 8), rating("show", 2, 6)
    items = [parse_item(LIST_RATINGS, "movie", film)]
    assert store.save_list(LIST_RATINGS, "movie", items) == 1
    assert store.save_list(LIST_RATINGS, "movie", items) == 0  # nothing new
    assert store.save_list(LIST_RATINGS, "show", [parse_item(LIST_RATINGS, "show", show)]) == 1
    key = items[0].key
    store.record_list_resolution(key, "matched", {9: Target(9, 2, True, "done")}, None, "v1")
    changed = [parse_item(LIST_RATINGS, "movie", {**film, "rating": 3})]
    assert store.save_list(LIST_RATINGS, "movie", changed) == 1
    [held] = store.list_entries([LIST_RATINGS], ["matched"])
    assert held.item.rating == 3 and held.targets[9].state == "pending"  # sent again
    store.save_list(LIST_RATINGS, "movie", [])
    assert store.list_entries([LIST_RATINGS], ["matched"]) == []
    assert [e.item.key.kind for e in store.list_entries([LIST_RATINGS], ["removed"])] == ["movie"]
    assert store.list_needs_resolve([LIST_RATINGS])  # the show is not resolved yet
    assert not store.list_needs_resolve([LIST_WATCHLIST])
