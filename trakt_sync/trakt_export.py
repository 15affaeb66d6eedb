"""Trakt's data export (trakt.tv/settings/data → Export; api_contracts.md A.11), read whole
and checked before anything is saved.

The format is undocumented and its file names vary, so every ``*.json`` is classified by
the shape of its entries: one with ``watched_at`` and a movie or show+episode is a play
(``watched-history-N.json``, the ``/sync/history`` item shape), one with ``rated_at`` and
``rating`` a rating, one with ``listed_at`` a list entry — a watchlist entry when its file
is named so (custom lists share that shape). Summaries, profile, comments and ``[]`` are
left alone. A ZIP is read in memory with its declared sizes and compression ratios checked
before a byte is inflated, and each member read no further than its declared size.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from trakt_sync.errors import BadInput
from trakt_sync.extras import (
    LIST_RATINGS,
    LIST_WATCHLIST,
    RATING_KINDS,
    WATCHLIST_KINDS,
    parse_item,
)
from trakt_sync.i18n import N_
from trakt_sync.trakt_items import history_row

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an export may hold: a 50 k-play history is ~50 MiB of JSON, 17 parts reported."""

    archive_bytes: int = 512 * MIB  # the ZIP file itself
    member_bytes: int = 256 * MIB  # one JSON file, inflated
    total_bytes: int = 1024 * MIB  # all JSON files, inflated
    members: int = 10_000
    ratio: float = 200.0  # inflated / compressed per member; JSON rarely passes ~30


@dataclass
class TraktExport:
    """What an export holds for a sync: its play history files (read and checked once, read
    again page by page when saved, so that memory holds one file rather than the whole
    history), how many distinct plays they hold, and the ratings and watchlist entries per
    list and kind (A.9 item shapes)."""

    source: Path
    limits: Limits = field(default_factory=Limits)
    history_files: list[str] = field(default_factory=list)
    plays: int = 0
    lists: dict[str, dict[str, list[dict[str, Any]]]] = field(
        default_factory=lambda: {LIST_RATINGS: {}, LIST_WATCHLIST: {}}
    )

    def history_pages(self, limit: int = 250) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """The plays as history pages (each with whether it is the last), like the API's;
        each play once, marked so that a sync with a Trakt login replaces it by Trakt's own."""
        seen: set[int] = set()
        page: list[dict[str, Any]] = []
        for _, raw in _files(self.source, self.limits, set(self.history_files)):
            for item in orjson.loads(raw):
                if item["id"] not in seen:
                    seen.add(item["id"])
                    page.append({**item, "export": True})
                    if len(page) == limit:
                        yield page, False
                        page = []
        yield page, True


def read_export(path: Path, limits: Limits | None = None) -> TraktExport:
    """The export at ``path`` (a ZIP or its unzipped folder); BadInput naming the file when
    it is not one, holds no play history, or a file or entry in it is unusable."""
    export = TraktExport(path, limits or Limits())
    seen: set[int] = set()
    for name, raw in _files(path, export.limits):
        _classify(export, path, name, raw, seen)
    if not export.history_files:
        raise BadInput.said(
            N_(
                "{path}: no play history in it (no file of watched-history entries, like "
                "watched-history-1.json); is this Trakt's data export?"
            ),
            path=path,
        )
    export.plays = len(seen)
    return export


# -- reading ------------------------------------------------------------------------------


def _files(path: Path, limits: Limits, only: set[str] | None = None) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each JSON file, one at a time; ``only``: just these names."""
    if path.is_dir():
        return _folder_files(path, limits, only)
    if path.is_file():
        return _zip_files(path, limits, only)
    raise BadInput.said(
        N_("{path}: no such file or folder (give the export's ZIP or its folder)"), path=path
    )


def _folder_files(root: Path, limits: Limits, only: set[str] | None) -> Iterator[tuple[str, bytes]]:
    total = 0
    found = sorted(p for p in root.rglob("*.json") if p.is_file())
    if len(found) > limits.members:
        raise BadInput.said(
            N_("{path}: {count} JSON files, more than an export holds"), path=root, count=len(found)
        )
    for file in found:
        size = file.stat().st_size
        total += size
        if size > limits.member_bytes or total > limits.total_bytes:
            raise BadInput.said(
                N_("{path}: too large for a Trakt export ({size} bytes)"), path=file, size=size
            )
        name = str(file.relative_to(root))
        if only is None or name in only:
            yield name, file.read_bytes()


def _zip_files(path: Path, limits: Limits, only: set[str] | None) -> Iterator[tuple[str, bytes]]:
    if path.stat().st_size > limits.archive_bytes:
        raise BadInput.said(
            N_("{path}: too large for a Trakt export ({size} bytes)"),
            path=path,
            size=path.stat().st_size,
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput.said(
            N_("{path}: neither a ZIP file nor a folder ({error})"), path=path, error=exc
        ) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and _is_json(m.filename)]
        if len(archive.infolist()) > limits.members:
            raise BadInput.said(
                N_("{path}: {count} members, more than an export holds"),
                path=path,
                count=len(archive.infolist()),
            )
        # Every declared size and ratio is checked before anything is inflated.
        total = 0
        for member in members:
            where = f"{path}: {member.filename}"
            total += member.file_size
            if member.file_size > limits.member_bytes or total > limits.total_bytes:
                raise BadInput.said(
                    N_("{path}: too large for a Trakt export ({size} bytes)"),
                    path=where,
                    size=member.file_size,
                )
            if member.file_size > MIB and member.file_size > limits.ratio * max(
                member.compress_size, 1
            ):
                raise BadInput.said(
                    N_("{path}: compressed {ratio}:1, not a Trakt export (a zip bomb?)"),
                    path=where,
                    ratio=member.file_size // max(member.compress_size, 1),
                )
        for member in members:
            if only is None or member.filename in only:
                yield member.filename, _read_member(archive, member, path)


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> bytes:
    """The member's bytes, never more than it declares (a forged header cannot inflate more)."""
    where = f"{path}: {member.filename}"
    try:
        with archive.open(member) as stream:
            data = stream.read(member.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise BadInput.said(N_("{path}: cannot be read ({error})"), path=where, error=exc) from None
    if len(data) > member.file_size:
        raise BadInput.said(
            N_("{path}: larger than its header says; not a Trakt export"), path=where
        )
    return data


def _is_json(name: str) -> bool:
    pure = PurePosixPath(name)
    # macOS adds __MACOSX/._name resource forks to ZIPs it makes: not the export's files.
    return pure.suffix.lower() == ".json" and not any(
        part == "__MACOSX" or part.startswith("._") for part in pure.parts
    )


# -- classifying --------------------------------------------------------------------------


def _classify(export: TraktExport, path: Path, name: str, raw: bytes, seen: set[int]) -> None:
    where = f"{path}: {name}" if path.is_file() else str(path / name)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput.said(N_("{path}: not valid JSON ({error})"), path=where, error=exc) from None
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return  # a profile, settings, an empty list: nothing a sync uses
    first = data[0]
    if "watched_at" in first and ("movie" in first or "episode" in first):
        export.history_files.append(name)
        for index, item in enumerate(data):
            _check_play(item, f"{where}: entry {index + 1}")
            seen.add(item["id"])
    elif "rated_at" in first and "rating" in first:
        _add_list(export, LIST_RATINGS, data, RATING_KINDS, where)
    elif "listed_at" in first and "watchlist" in PurePosixPath(name).name.lower():
        _add_list(export, LIST_WATCHLIST, data, WATCHLIST_KINDS, where)


def _check_play(item: Any, where: str) -> None:
    if not isinstance(item, dict):
        raise BadInput.said(N_("{path}: not a play entry"), path=where)
    media = item.get("movie") if item.get("type") == "movie" else item.get("show")
    ids = media.get("ids") if isinstance(media, dict) else None
    if not isinstance(ids, dict) or not isinstance(ids.get("trakt"), int):
        raise BadInput.said(
            N_("{path}: no Trakt ids for its {kind}"), path=where, kind=item.get("type") or "media"
        )
    if not isinstance(item.get("id"), int):
        raise BadInput.said(N_("{path}: no history id"), path=where)
    try:
        history_row(item)
    except ValueError as exc:
        raise BadInput(f"{where}: {exc}") from None


def _add_list(
    export: TraktExport,
    list_name: str,
    data: list[Any],
    kinds: dict[str, Any],
    where: str,
) -> None:
    for index, item in enumerate(data):
        kind = item.get("type") if isinstance(item, dict) else None
        if not isinstance(kind, str):
            raise BadInput.said(
                N_("{path}: entry {number} has no type"), path=where, number=index + 1
            )
        if kind not in kinds:
            continue  # episode ratings and the like are not synced
        try:
            parse_item(list_name, kind, item)
        except ValueError as exc:
            raise BadInput.said(
                N_("{path}: entry {number}: {error}"), path=where, number=index + 1, error=exc
            ) from None
        export.lists[list_name].setdefault(kind, []).append(item)
