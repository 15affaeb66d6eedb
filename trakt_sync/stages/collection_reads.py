"""What the apply stage reads of the user's Bangumi collection before it plans: each
subject's collection entry, in as few requests as the collection's size allows."""

from __future__ import annotations

from typing import Any

from trakt_sync.models import SUBJECT_ANIME
from trakt_sync.stages.ports import BangumiWriter


def collection_entries(
    bangumi: BangumiWriter, username: str, subjects: dict[int, int]
) -> dict[int, dict[str, Any] | None]:
    """The user's collection entry per subject (None = not collected), in few requests."""
    anime = {sid for sid, kind in subjects.items() if kind == SUBJECT_ANIME}
    found = _entries_from_list(bangumi, username, anime) if anime else {}
    for subject_id in sorted(subjects.keys() - found.keys()):
        found[subject_id] = bangumi.user_collection(username, subject_id)
    return found


def _entries_from_list(
    bangumi: BangumiWriter, username: str, wanted: set[int]
) -> dict[int, dict[str, Any] | None]:
    """Page the anime collection list while that is cheaper than one look-up per subject
    still unknown; a fresh account costs one request."""
    found: dict[int, dict[str, Any] | None] = {}
    offset, total, page_size = 0, None, 1
    while missing := wanted - found.keys():
        if total is not None:
            pages_left = -(-(total - offset) // page_size)
            if pages_left <= 0:
                found.update(dict.fromkeys(missing))  # the whole list was read
                break
            if len(missing) <= pages_left:
                break  # single look-ups are cheaper from here
        rows, total = bangumi.collections_page(username, subject_type=SUBJECT_ANIME, offset=offset)
        if not rows and offset < total:
            break  # a short list mid-way is not proof of absence: look the rest up singly
        page_size = max(page_size, len(rows))  # the client asks for full pages
        for row in rows:
            if int(row["subject_id"]) in wanted:
                found[int(row["subject_id"])] = row
        offset += len(rows)
    return found
