"""The pure comparison of Trakt's watched summary with the plays held."""

from __future__ import annotations

import pytest

from trakt_sync.history_changes import WatchedItem, mismatches, parse_watched, plan_refetch

T0, T1 = "2025-01-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"


def test_only_items_whose_count_or_last_update_moved_are_fetched() -> None:
    watched = [WatchedItem(1, 10, T0), WatchedItem(2, 5, T1), WatchedItem(3, 4, T0)]
    seen = {"1": T0, "2": T0, "3": T0}
    plan = plan_refetch(watched, {1: 10, 2: 5, 3: 3, 4: 2}, seen, page_limit=2)
    # 2: a play added (last_updated_at moved) and one removed; 3: a count off; 4: gone.
    assert plan.items == (2, 3, 4) and not plan.full
    assert plan.snapshot == {"1": T0, "2": T1, "3": T0}


def test_without_a_snapshot_the_counts_alone_decide() -> None:
    plan = plan_refetch([WatchedItem(1, 10, T1), WatchedItem(2, 2, T1)], {1: 10, 2: 1}, None, 5)
    assert plan.items == (2,)


def test_the_whole_history_when_that_is_fewer_requests() -> None:
    watched = [WatchedItem(i, 1, T1) for i in range(1, 4)]
    plan = plan_refetch(watched, {}, None, page_limit=250)
    assert plan.full and plan.reason is not None and "3 changed" in plan.reason
    assert plan_refetch(watched, {1: 1, 2: 1, 3: 1}, None, 250).items == ()


def test_a_fetch_that_does_not_add_up_is_reported() -> None:
    plan = plan_refetch([WatchedItem(1, 3, T1)], {1: 2}, None, 250)
    assert mismatches(plan, {1: 3}) == []
    assert mismatches(plan, {1: 2}) == [(1, 3, 2)]


def test_a_malformed_summary_is_refused() -> None:
    good = [{"plays": 2, "last_updated_at": T1, "show": {"ids": {"trakt": 7}}}]
    assert parse_watched("show", good) == [WatchedItem(7, 2, T1)]
    for bad in ({"plays": 2}, [{"plays": 2, "show": {"ids": {"trakt": 7}}}], [{"plays": "x"}]):
        with pytest.raises(ValueError):
            parse_watched("show", bad)


def test_on_a_tie_a_first_fetch_reads_the_whole_history_a_later_one_the_items() -> None:
    watched = [WatchedItem(1, 3, T1), WatchedItem(2, 3, T1)]  # 6 plays: 2 pages of 3 either way
    assert plan_refetch(watched, {}, None, page_limit=3).full
    later = plan_refetch(watched, {1: 2, 2: 2}, None, page_limit=3)
    assert later.items == (1, 2) and not later.full
