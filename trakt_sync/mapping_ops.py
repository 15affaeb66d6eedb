"""Manual mappings (``trakt-sync map``): read them from arguments and files, add, remove,
export, and send the plays they touch back to be resolved on the next sync."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import tomli_w

from trakt_sync.errors import ConfigError, NotFound, TryLater
from trakt_sync.matching.overrides import Override
from trakt_sync.store import Store

_TRAKT_URL = re.compile(r"trakt\.tv/(shows|movies)/([a-z0-9-]+)")


def normalise_key(value: str) -> str:
    """Accept trakt:N, slug:x, tmdb:N, movie:trakt:N, movie:tmdb:N or a trakt.tv URL.

    Raises ValueError for what cannot be a key."""
    match = _TRAKT_URL.search(value)
    if match:
        kind, slug = match.groups()
        if kind == "movies":
            raise ValueError("for a film use movie:trakt:N or movie:tmdb:N")
        return f"slug:{slug}"
    return value.strip()


def parse_override(show: str, args: list[str], start_ep: int) -> Override:
    """The override ``map add SHOW [EPISODES] SUBJECT_ID|ignore`` names; ValueError if none."""
    if not 1 <= len(args) <= 2:
        raise ValueError("expected [EPISODES] SUBJECT_ID|ignore, e.g. S1E13-E25 373267")
    target = args[-1]
    spec = args[0] if len(args) == 2 else None
    ignore = target.lower() == "ignore"
    if not ignore and not target.isdigit():
        raise ValueError(f"not a Bangumi subject id or 'ignore': {target!r}")
    return Override.parse(
        normalise_key(show),
        spec,
        None if ignore else int(target),
        start_ep=start_ep,
        ignore=ignore,
    )


class SubjectReader(Protocol):
    def get_subject(self, subject_id: int) -> dict[str, Any]: ...


class ShowReader(Protocol):
    def get_show(self, show_id: int | str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class OverrideCheck:
    """What checking an override online found: the names of what it links, and what
    could not be checked."""

    show_title: str | None = None
    subject_name: str | None = None
    unchecked: list[str] = field(default_factory=list)


def check_override(override: Override, bangumi: SubjectReader, trakt: ShowReader) -> OverrideCheck:
    """Read the override's Bangumi subject and Trakt show; ValueError when either does not
    exist (so a typo is caught now, not at the next sync)."""
    unchecked: list[str] = []
    subject_name = show_title = None
    try:
        if override.subject_id is not None:
            try:
                subject = bangumi.get_subject(override.subject_id)
            except NotFound:
                raise ValueError(
                    f"Bangumi has no subject {override.subject_id} "
                    f"(https://bgm.tv/subject/{override.subject_id})"
                ) from None
            subject_name = str(subject.get("name_cn") or subject.get("name") or "")
        kind, _, value = override.show.partition(":")
        if override.is_movie or kind == "tmdb":
            # Trakt reads a show by its own id or slug only; films are not read at all.
            unchecked.append(f"the Trakt {'film' if override.is_movie else 'show'}")
        else:
            try:
                show = trakt.get_show(value)
            except NotFound:
                raise ValueError(f"Trakt has no show {override.show}") from None
            show_title = f"{show.get('title')} ({show.get('year')})"
    except TryLater as exc:
        raise TryLater(f"cannot check the mapping ({exc}); add it with --offline") from None
    return OverrideCheck(show_title, subject_name, unchecked)


def reset_affected(store: Store, override: Override) -> int:
    """Send the plays an override touches back to be resolved on the next sync."""
    kind, _, value = override.show.partition(":")
    if override.is_movie:
        id_kind, _, number = value.partition(":")
        return store.reset_movie_plays("trakt" if id_kind == "trakt" else "tmdb", int(number))
    if kind == "slug":
        return store.reset_show_plays("slug", value, override.season)
    return store.reset_show_plays(
        "trakt" if kind == "trakt" else "tmdb", int(value), override.season
    )


def add_override(store: Store, override: Override) -> tuple[bool, int]:
    """Add an override; return whether it was new and how many plays will be resolved again."""
    added = store.add_override(override.to_dict())
    return added, reset_affected(store, override)


def remove_override(store: Store, override: Override) -> int | None:
    """Remove an override; return how many plays will be resolved again, None if absent."""
    if not store.remove_override(override.to_dict()):
        return None
    return reset_affected(store, override)


def export_overrides(store: Store, path: Path) -> int:
    """Write the overrides to a .json or (otherwise) TOML file; return how many."""
    specs = store.overrides()
    data: dict[str, Any] = {"overrides": specs}
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        path.write_text(tomli_w.dumps(data))
    return len(specs)


def read_overrides(path: Path) -> list[Override]:
    """The overrides of a file written by :func:`export_overrides`."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode())
        specs = data.get("overrides", []) if isinstance(data, dict) else None
        if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
            raise ValueError(
                'expected {"overrides": [...]}, a list of tables (as `map export` writes)'
            )
        return [Override.from_dict(spec) for spec in specs]
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot import overrides: {exc}") from None


def import_overrides(store: Store, overrides: list[Override]) -> int:
    """Add overrides; return how many were new. Every play they touch is resolved again."""
    added = sum(store.add_override(o.to_dict()) for o in overrides)
    for override in overrides:
        reset_affected(store, override)
    return added
