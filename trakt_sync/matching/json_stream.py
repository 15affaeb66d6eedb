"""The elements of one JSON array in a file, read as a stream (ijson's C backend).

A downloaded data file (bangumi-data is ~7 MB of JSON) is never held in memory as a whole:
each element is a small Python value while it is indexed, then dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

CHUNK = 64 * 1024


def array_items(path: Path, prefix: str) -> Iterator[Any]:
    """Each element of the array at ``prefix`` (ijson's notation: ``item`` for a top-level
    array, ``items.item`` for the array under the top-level ``items`` key).

    Raises ValueError when the file is not complete JSON (a truncated or corrupt download;
    then after the elements read so far) or has no array at that place.
    """
    container = prefix.rpartition(".")[0]
    with path.open("rb") as handle:
        try:
            seen = False
            for element in ijson.items(handle, prefix, use_float=True):
                seen = True
                yield element
            if not seen:  # an empty array, or none at all?
                handle.seek(0)
                if not any(
                    p == container and event == "start_array" for p, event, _ in ijson.parse(handle)
                ):
                    where = f"under {container!r}" if container else "at the top level"
                    raise ValueError(f"no JSON array {where}")
        except ijson.JSONError as exc:
            raise ValueError(f"not complete JSON ({' '.join(str(exc).split())})") from None


def file_version(path: Path) -> str:
    """The version of a data file: the start of its SHA-256 (as ``source_version``)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()[:16]
