"""Manual mappings (``trakt-sync map``): read them from arguments and files, add, remove,
export, and send the plays they touch back to be resolved on the next sync."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import tomli_w

from trakt_sync import show_key
from trakt_sync.errors import BadArgument, ConfigError, InvalidValue, NotFound, TryLater
from trakt_sync.i18n import N_, _
from trakt_sync.matching.overrides import Override
from trakt_sync.models import TraktIds
from trakt_sync.store import Store
from trakt_sync.subject_search import subject_name as display_subject_name


def normalise_key(value: str) -> str:
    """The canonical key of any form :mod:`trakt_sync.show_key` accepts; ValueError else."""
    return str(show_key.parse(value))


def parse_override(show: str, args: list[str], start_ep: int) -> Override:
    """The override ``map add SHOW [EPISODES] SUBJECT_ID|ignore`` names; ValueError if none."""
    if not 1 <= len(args) <= 2:
        raise InvalidValue.said(N_("expected [EPISODES] SUBJECT_ID|ignore, e.g. S1E13-E25 373267"))
    target = args[-1]
    spec = args[0] if len(args) == 2 else None
    ignore = target.lower() == "ignore"
    if not ignore and not target.isdigit():
        raise InvalidValue.said(
            N_("not a Bangumi subject id or 'ignore': {target}"), target=repr(target)
        )
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
    def get_json(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, Any]: ...


@dataclass(frozen=True)
class OverrideCheck:
    """What checking an override online found: the names of what it links, and what
    could not be checked."""

    show_title: str | None = None
    subject_name: str | None = None
    unchecked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def local_conflicts(override: Override, existing: list[Override]) -> list[str]:
    """Why ``override`` could never apply beside the mappings there are, as far as their
    keys tell (no request): ``ignore`` and a mapping of the same season."""
    problems = []
    for other in existing:
        if other.show != override.show or other == override:
            continue
        same_part = other.season == override.season and other.first == override.first
        if same_part and other.ignore != override.ignore:
            which = "ignores" if other.ignore else "maps"
            problems.append(
                f"{other.describe()} already {which} {override.show} {override.spec or ''}".rstrip()
                + "; remove it first (`trakt-sync map remove`)"
            )
    return problems


def show_conflicts(
    override: Override, ids: Any, seasons: dict[int, int], existing: list[Override]
) -> tuple[list[str], list[str]]:
    """(problems, notes) from what Trakt says of the show: seasons and episodes it does not
    have, and the same show mapped under another key."""
    problems, notes = [], []
    if override.season is not None and seasons:
        count = seasons.get(override.season)
        if count is None:
            have = ", ".join(f"S{n}" for n in sorted(seasons)) or "none"
            problems.append(f"the show has no season {override.season} (Trakt lists {have})")
        elif override.first is not None and override.first > count:
            problems.append(
                f"season {override.season} has {count} episode(s): no E{override.first}"
            )
        elif override.last is not None and override.last > count:
            notes.append(
                f"season {override.season} has {count} episode(s) so far; "
                f"E{count + 1}–E{override.last} apply once Trakt lists them"
            )
    for other in existing:
        if other.show != override.show and not other.is_movie and other.matches_show(ids):
            problems.append(
                f"this show is already mapped as {other.show} ({other.describe()}); "
                f"use one key per show: `trakt-sync map add {other.show} …`"
            )
            break
    return problems, notes


def check_override(
    override: Override,
    bangumi: SubjectReader,
    trakt: ShowReader,
    existing: list[Override] | None = None,
) -> OverrideCheck:
    """Read the override's Bangumi subject and Trakt show; ValueError when either does not
    exist or the mapping could never apply (so a typo is caught now, not at the next sync)."""
    unchecked: list[str] = []
    notes: list[str] = []
    subject_name = show_title = None
    try:
        if override.subject_id is not None:
            try:
                subject = bangumi.get_subject(override.subject_id)
            except NotFound:
                raise InvalidValue.said(
                    N_("Bangumi has no subject {id} (https://bgm.tv/subject/{id})"),
                    id=override.subject_id,
                ) from None
            subject_name = display_subject_name(subject)
        key = override.key
        if override.is_movie or key.trakt_ref is None:
            # Trakt reads a show by its own id or slug only; films are not read at all.
            unchecked.append(f"the Trakt {'film' if override.is_movie else 'show'}")
        else:
            try:
                show = trakt.get_show(key.trakt_ref)
                listed, _ = trakt.get_json(f"/shows/{key.trakt_ref}/seasons", {"extended": "full"})
            except NotFound:
                raise InvalidValue.said(
                    N_("Trakt has no show {show}"), show=override.show
                ) from None
            show_title = f"{show.get('title')} ({show.get('year')})"
            seasons = {
                int(s["number"]): int(s.get("episode_count") or 0)
                for s in listed
                if isinstance(s, dict) and "number" in s
            }
            ids = TraktIds.from_api(show.get("ids"))
            problems, notes = show_conflicts(override, ids, seasons, existing or [])
            if problems:
                raise InvalidValue.said(
                    N_("{override} can never apply: {why}"),
                    override=override.describe(),
                    why=problems[0],
                )
    except TryLater as exc:
        raise TryLater.said(
            N_("cannot check the mapping ({error}); add it with --offline"), error=str(exc)
        ) from None
    return OverrideCheck(show_title, subject_name, unchecked, notes)


def reset_affected(store: Store, override: Override) -> int:
    """Send the plays an override touches back to be resolved on the next sync."""
    key = override.key
    value: int | str = key.value if key.id_kind == "slug" else int(key.value)
    if key.movie:
        return store.reset_movie_plays(key.id_kind, value)
    return store.reset_show_plays(key.id_kind, value, override.season)


def add_override(store: Store, override: Override) -> tuple[bool, int]:
    """Add an override; return whether it was new and how many plays will be resolved again."""
    added = store.add_override(override.to_dict())
    return added, reset_affected(store, override)


class NeverApplies(InvalidValue):
    """An override that could never apply beside the mappings there are (``local_conflicts``)."""

    def __init__(self, override: Override, why: str) -> None:
        super().__init__(f"{override.describe()} can never apply: {why}")
        self.override, self.why = override, why

    def translated(self) -> str:
        from trakt_sync.reason_text import shown_reason

        return _("{override} can never apply: {why}").format(
            override=self.override.describe(_), why=shown_reason(self.why)
        )


def add_checked(
    store: Store,
    override: Override,
    bangumi: SubjectReader,
    trakt: ShowReader,
    *,
    check: bool = True,
) -> tuple[bool, int, OverrideCheck | None]:
    """Add an override as ``map add``, the web page and the picker do: refused
    (:class:`NeverApplies`) when it could never apply beside the mappings there are, read
    online first (``check_override``: a ValueError when it is wrong) unless ``check`` is
    false. Whether it was new, how many plays will be resolved again, what the check found."""
    existing = [Override.from_dict(spec) for spec in store.overrides()]
    conflicts = local_conflicts(override, existing)
    if conflicts:
        raise NeverApplies(override, conflicts[0])
    found = check_override(override, bangumi, trakt, existing) if check else None
    added, retried = add_override(store, override)
    return added, retried, found


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
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise BadArgument.said(
            N_("{path}: cannot read it ({reason})"), path=path, reason=reason
        ) from None
    try:
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode())
        specs = data.get("overrides", []) if isinstance(data, dict) else None
        if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
            raise InvalidValue.said(
                N_('expected {{"overrides": [...]}}, a list of tables (as `map export` writes)')
            )
        return [Override.from_dict(spec) for spec in specs]
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError.said(
            N_("{path}: cannot import overrides: {error}"), path=path, error=exc
        ) from None


def import_overrides(store: Store, overrides: list[Override]) -> int:
    """Add overrides; return how many were new. Every play they touch is resolved again."""
    added = sum(store.add_override(o.to_dict()) for o in overrides)
    for override in overrides:
        reset_affected(store, override)
    return added


def select_overrides(
    overrides: list[Override],
    target: str,
    args: list[str],
    start_ep: int | None = None,
    ids: TraktIds | None = None,
) -> list[int]:
    """The positions (0-based, as ``map list`` numbers them from 1) of the overrides that
    ``map remove TARGET [EPISODES] [SUBJECT|ignore]`` names. ``TARGET`` is a key or the
    number ``map list`` shows (``3`` or ``#3``; a Trakt id is written ``trakt:ID``); with
    the show's ``ids`` (from Trakt), a mapping under another key of the same show counts."""
    number = target.removeprefix("#")
    if number.isdigit() and not args:
        index = int(number) - 1
        if not 0 <= index < len(overrides):
            raise InvalidValue.said(
                N_("no mapping number {number}: `map list` shows {count}"),
                number=number,
                count=len(overrides),
            )
        return [index]
    key = normalise_key(target)
    if len(args) > 2:
        raise InvalidValue.said(N_("expected KEY [EPISODES] [SUBJECT_ID|ignore]"))
    spec = subject = None
    for arg in args:
        if arg.isdigit() or arg.lower() == "ignore":
            subject = arg.lower()
        else:
            spec = arg
    wanted_spec = Override.parse(key, spec, None, ignore=True).spec if spec else None
    chosen = []
    for index, override in enumerate(overrides):
        same = override.show == key or (
            ids is not None and not override.is_movie and override.matches_show(ids)
        )
        if not same or (wanted_spec is not None and override.spec != wanted_spec):
            continue
        if subject == "ignore" and not override.ignore:
            continue
        if subject not in (None, "ignore") and str(override.subject_id) != subject:
            continue
        if start_ep is not None and override.start_ep != start_ep:
            continue
        chosen.append(index)
    return chosen
