"""Plays left alone over a service's unreadable data (issue 24): why, in the user's words.

The matcher and the clients raise BadData naming the source and the subject or show; where
a malformed answer trips something no parser named, the engine catches it all the same
(UNREADABLE). Either way the plays it belongs to are left unmatched (or failed, when it is
a subject being written) and the rest of the sync goes on.
"""

from __future__ import annotations

import logging

from trakt_sync.errors import BadData
from trakt_sync.models import Resolution
from trakt_sync.store import PlayGroup

log = logging.getLogger("trakt_sync.engine")

# What reading a malformed answer raises where no parser named it (issue 24): the plays it
# belongs to are left alone, never the run stopped.
UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def bad_data_reason(exc: Exception, source: str, item: str) -> str:
    if isinstance(exc, BadData):
        return str(exc)
    return f"{source} sent unreadable data for {item} ({type(exc).__name__}: {exc})"


def left_for_bad_data(group: PlayGroup, exc: Exception) -> list[tuple[int, Resolution]]:
    """Every play of a group left unmatched, the reason naming the source and the show."""
    if group.movie is not None:
        item = f"the film {group.movie.title!r}"
    else:
        title = group.show.title if group.show is not None else "?"
        item = f"the show {title!r} season {group.key.season}"
    why = bad_data_reason(exc, "a service (Trakt or Bangumi)", item)
    log.warning("%s; its plays are left unmatched", why, exc_info=log.isEnabledFor(logging.DEBUG))
    reason = f"{why} — {item} left unmatched; `trakt-sync sync --retry-unmatched` tries again"
    return [(history_id, Resolution.unmatched(reason)) for history_id in group.history_ids]
