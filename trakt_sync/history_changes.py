"""Which shows and films to fetch again: Trakt's watched summary against the plays held.

``start_at`` filters on ``watched_at`` (contract A.8), so a play added today with an old
watch date never shows up in an incremental window. ``/sync/watched/{shows,movies}`` (A.9)
gives, in one request, each item's number of plays and ``last_updated_at`` (when a play of it
was last added, whatever its watch date). An item whose count differs from the plays held, or
whose ``last_updated_at`` moved since the last complete fetch, is fetched whole; everything
else cannot have changed. Pure: no I/O here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WatchedItem:
    trakt_id: int
    plays: int
    updated_at: str


@dataclass(frozen=True)
class Refetch:
    items: tuple[int, ...]  # Trakt ids whose whole history to fetch
    full: bool  # fetch the whole history of the kind instead (fewer requests)
    reason: str | None  # why the whole history, for the log
    expected: dict[int, int]  # plays Trakt counts per item, to check the fetch against
    snapshot: dict[str, str]  # Trakt id → last_updated_at, kept once the fetch completed


def parse_watched(media: str, entries: Any) -> list[WatchedItem]:
    """``media`` is ``show`` or ``movie``; raise ValueError on an answer that is not one."""
    if not isinstance(entries, list):
        raise ValueError("the watched summary is not a list")
    items = []
    for entry in entries:
        try:
            trakt_id = entry[media]["ids"]["trakt"]
            plays, updated_at = entry["plays"], entry["last_updated_at"]
        except (KeyError, TypeError):
            missing = f"a watched {media} entry lacks ids, plays or last_updated_at"
            raise ValueError(missing) from None
        if not isinstance(trakt_id, int) or not isinstance(plays, int) or plays < 0:
            raise ValueError(f"a watched {media} entry has a bad id or play count")
        items.append(WatchedItem(trakt_id, plays, str(updated_at)))
    return items


def pages(plays: int, page_limit: int) -> int:
    """Requests to read ``plays`` history items (an empty history still costs one)."""
    return max(1, math.ceil(plays / page_limit))


def plan_refetch(
    watched: Iterable[WatchedItem],
    held: Mapping[int, int],
    seen: Mapping[str, str] | None,
    page_limit: int,
) -> Refetch:
    """``held``: plays in the store per Trakt id (removed ones excluded); ``seen``: the
    snapshot kept after the last complete fetch, None when there is none yet (a new install
    or the first run after upgrading: then the counts alone decide)."""
    watched = list(watched)
    expected = {item.trakt_id: item.plays for item in watched}
    changed = {
        item.trakt_id
        for item in watched
        if held.get(item.trakt_id, 0) != item.plays
        or (seen is not None and seen.get(str(item.trakt_id)) != item.updated_at)
    }
    # Held plays of an item Trakt no longer lists: every play of it was removed.
    changed |= {trakt_id for trakt_id, count in held.items() if count and trakt_id not in expected}
    snapshot = {str(item.trakt_id): item.updated_at for item in watched}
    item_pages = sum(pages(expected.get(trakt_id, 0), page_limit) for trakt_id in changed)
    full_pages = pages(sum(expected.values()), page_limit)
    # On a tie the item histories read fewer plays, unless nothing is held yet (a first fetch).
    first_fetch = not any(held.values())
    if changed and (full_pages < item_pages or (full_pages == item_pages and first_fetch)):
        reason = (
            f"{len(changed)} changed item(s) would take {item_pages} history request(s), "
            f"the whole history {full_pages}"
        )
        return Refetch((), True, reason, expected, snapshot)
    return Refetch(tuple(sorted(changed)), False, None, expected, snapshot)


def mismatches(refetch: Refetch, held: Mapping[int, int]) -> list[tuple[int, int, int]]:
    """(Trakt id, plays Trakt counts, plays held) for each fetched item that does not add up."""
    return [
        (trakt_id, refetch.expected.get(trakt_id, 0), held.get(trakt_id, 0))
        for trakt_id in refetch.items
        if refetch.expected.get(trakt_id, 0) != held.get(trakt_id, 0)
    ]
