"""One name per Bangumi subject in every command: Bangumi's own ``name`` (``name_cn`` to a
person reading Chinese), as its answers gave it — the subject read through the look-up
cache, the user's collection entries, search hits (``known_names``).
bangumi-data's title, which the matcher works with and writes into its plans and reasons,
shows only for a subject Bangumi never named to us.

The matcher's records (season plans, resolutions kept with the plays) carry the name it
knew when it decided; ``relabel`` puts the name as shown in their place when they are
shown, so a record written before Bangumi's name was learnt reads like every other
command."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from trakt_sync.bad_data import UNREADABLE
from trakt_sync.errors import TraktSyncError, TryLater
from trakt_sync.i18n import subject_name

log = logging.getLogger(__name__)

SUBJECT_NS = "bgm:subject"  # the look-up cache's Bangumi subjects (matching.lookups), by id
NAMES_NS = "bgm:name"  # a subject's name and name_cn as Bangumi gave them elsewhere, by id

# The fields of a document that hold the name of the subject whose id is beside them.
NAME_FIELDS = ("name", "title", "subject_name")

Names = Callable[[int], str | None]  # a subject id → its name as shown; None: unknown


class NameCache(Protocol):
    """The look-up cache (store.LookupCache)."""

    def get(self, namespace: str, key: str) -> Any | None: ...
    def put(self, namespace: str, key: str, value: Any) -> None: ...


def remember_names(cache: NameCache, subjects: Any) -> None:
    """Keep Bangumi's ``name``/``name_cn`` of subjects an answer carried anyway (search
    hits, collection entries' ``subject``): what every command calls them. Anything
    unreadable is passed over (a name is only a label)."""
    for subject in subjects if isinstance(subjects, list) else []:
        sid = subject.get("id") if isinstance(subject, dict) else None
        if not isinstance(sid, int) or isinstance(sid, bool):
            continue
        value = {"name": _text(subject.get("name")), "name_cn": _text(subject.get("name_cn"))}
        if (value["name"] or value["name_cn"]) and cache.get(NAMES_NS, str(sid)) != value:
            cache.put(NAMES_NS, str(sid), value)


def known_names(cache: NameCache, subject_id: int) -> tuple[str, str] | None:
    """Bangumi's (name, name_cn) of a subject as last seen, never a request; None when
    Bangumi's answers so far never named it."""
    for namespace in (NAMES_NS, SUBJECT_NS):
        value = cache.get(namespace, str(subject_id))
        if isinstance(value, dict):
            name, name_cn = _text(value.get("name")), _text(value.get("name_cn"))
            if name or name_cn:
                return name, name_cn
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _pick(found: tuple[str, str], original: bool) -> str | None:
    """The name shown in the reader's language, or (``original``: for ``--json``, which
    never changes with the language) Bangumi's ``name``."""
    name, name_cn = found
    return (name or name_cn if original else subject_name(name, name_cn)) or None


def stored_names(cache: NameCache, *, original: bool = False) -> Names:
    """The names Bangumi gave us, for ``relabel``."""

    def name(subject_id: int) -> str | None:
        found = known_names(cache, subject_id)
        return _pick(found, original) if found else None

    return name


class SubjectReader(Protocol):
    def get_subject(self, subject_id: int) -> Any: ...


def reading_names(
    cache: NameCache, reader: SubjectReader, fallback: Names, *, original: bool = False
) -> Names:
    """The names Bangumi gave us; a subject it never named is read through the look-up
    cache (one request, then cached: for a person waiting on one show, as ``explain``),
    and when that fails too, ``fallback`` names it."""
    memo: dict[int, str | None] = {}
    unreachable: list[TryLater] = []  # after one wait for Bangumi, none more for labels

    def name(subject_id: int) -> str | None:
        if subject_id not in memo:
            if known_names(cache, subject_id) is None and not unreachable:
                try:
                    reader.get_subject(subject_id)
                except TryLater as exc:
                    unreachable.append(exc)
                    log.info("subject %s: its name was not read: %s", subject_id, exc)
                except (TraktSyncError, *UNREADABLE) as exc:  # a label: never fails a command
                    log.info("subject %s: its name was not read: %s", subject_id, exc)
            found = known_names(cache, subject_id)
            memo[subject_id] = _pick(found, original) if found else fallback(subject_id)
        return memo[subject_id]

    return name


def relabel(document: Any, names: Names) -> Any:
    """``document`` (JSON-ready data) with each subject's name as ``names`` gives it: the
    name fields beside a ``subject_id``, and the prose that names the subject the way the
    matcher writes it — ``NAME (ID)`` and ``ID NAME``."""
    renames: dict[int, dict[str, str]] = {}
    for sid, old in _named_subjects(document):
        new = names(sid)
        if new and new != old:
            renames.setdefault(sid, {})[old] = new
    if not renames:
        return document
    pairs = [
        (text, replacement)
        for sid, olds in renames.items()
        for old, new in olds.items()
        for text, replacement in (
            (f"{old} ({sid})", f"{new} ({sid})"),
            (f"{sid} {old}", f"{sid} {new}"),
        )
    ]
    return _rewrite(document, renames, pairs)


def _named_subjects(value: Any) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if isinstance(value, dict):
        sid = value.get("subject_id")
        if isinstance(sid, int) and not isinstance(sid, bool):
            found += [(sid, v) for k in NAME_FIELDS if isinstance(v := value.get(k), str) and v]
        for item in value.values():
            found += _named_subjects(item)
    elif isinstance(value, list):
        for item in value:
            found += _named_subjects(item)
    return found


def _rewrite(value: Any, renames: dict[int, dict[str, str]], pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, dict):
        sid = value.get("subject_id")
        olds = renames.get(sid, {}) if isinstance(sid, int) else {}
        return {
            k: olds.get(v, v)
            if k in NAME_FIELDS and isinstance(v, str) and v in olds
            else _rewrite(v, renames, pairs)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(item, renames, pairs) for item in value]
    if isinstance(value, str):
        for text, replacement in pairs:
            if text in value:
                value = value.replace(text, replacement)
        return value
    return value
