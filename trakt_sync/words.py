"""The words of a run's outcome, of a play's state and of where a match came from as a
person reads them (the CLI and the web page translate them where shown); ``--json`` and the
store keep the English values."""

from __future__ import annotations

from trakt_sync.i18n import N_, _

OUTCOME_WORDS = {
    "running": N_("running"),
    "ok": N_("ok"),
    "failed": N_("failed"),
    "interrupted": N_("interrupted"),
    "tempfail": N_("tempfail"),
    "needs_auth": N_("needs_auth"),
    "error": N_("error"),
    "cancelled": N_("cancelled"),
    "died": N_("died"),
}
PLAY_WORDS = {
    "pending": N_("pending"),
    "synced": N_("synced"),
    "unmatched": N_("unmatched"),
    "skipped": N_("skipped"),
    "failed": N_("failed"),
    "removed": N_("removed"),
}
# Where a placement came from (a resolution's ``source``).
SOURCE_WORDS = {
    "override": N_("override"),
    "bangumi-data": N_("bangumi-data"),
    "id-table": N_("id-table"),
    "franchise": N_("franchise"),
    "search": N_("search"),
}


def source_word(source: str) -> str:
    return _(SOURCE_WORDS[source]) if source in SOURCE_WORDS else source


# A Bangumi subject's type (``type_name`` of ``search``), in Bangumi's own words.
SUBJECT_TYPE_WORDS = {
    "book": N_("book"),
    "anime": N_("anime"),
    "music": N_("music"),
    "game": N_("game"),
    "real": N_("real"),
    "other": N_("other"),
}


def subject_type_word(type_name: str) -> str:
    return _(SUBJECT_TYPE_WORDS.get(type_name, type_name))
