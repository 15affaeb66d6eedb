"""A downloaded public data file kept as a compact index on disk (bangumi-data, id tables).

The source is either a local file (re-indexed when its size or mtime changes) or a URL:
downloaded once, cached, revalidated with a conditional request (``If-None-Match`` /
``If-Modified-Since``) at most once per refresh interval, and used offline from the cache
when the refresh fails. The download is streamed to a file and indexed from there, so the
document is never in memory as a whole; an incomplete or corrupt one leaves the previous
index in place. Subclasses say how to build and open their index and what happens when
there is no copy at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import httpx

from trakt_sync.errors import ConfigError
from trakt_sync.i18n import N_
from trakt_sync.matching.json_stream import CHUNK, file_version


class CompactIndex(Protocol):
    @property
    def version(self) -> str: ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


IndexT = TypeVar("IndexT", bound=CompactIndex)


def source_version(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def _download(response: httpx.Response, path: Path) -> str:
    """Write a streamed response body to ``path``; its version (as ``source_version``)."""
    digest = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in response.iter_bytes(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()[:16]


def write_atomic(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CachedIndexSource(ABC, Generic[IndexT]):
    """Where an index comes from: a local file, or a cached, revalidated download.

    Cache files in ``cache_dir``: ``<stem>.json`` (the downloaded source, kept to rebuild
    the index after a format change), ``<stem>-index.sqlite3`` and ``<stem>-meta.json``.
    """

    label: str  # for messages: "bangumi-data"
    stem: str  # cache file names
    index_format: int
    path_setting: str  # the setting that names a local copy, for error messages

    def __init__(
        self,
        url: str,
        local_path: Path | str | None,
        cache_dir: Path | str,
        refresh_interval_s: float,
        http: httpx.Client,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.local_path = Path(local_path) if local_path else None
        self.cache_dir = Path(cache_dir)
        self.refresh_interval_s = refresh_interval_s
        self.http = http
        self.clock = clock
        self._index: IndexT | None = None
        self.log = logging.getLogger(type(self).__module__)

    # -- what subclasses provide ------------------------------------------------------

    @abstractmethod
    def build(self, source: Path, target: Path, version: str) -> IndexT:
        """Index the source file into ``target``; raises ValueError (and leaves ``target``
        as it was) if it is not a complete source document."""

    @abstractmethod
    def load(self, path: Path) -> IndexT:
        """Raises OSError / ValueError when missing, corrupt or of another format."""

    @abstractmethod
    def unavailable(self, why: str) -> IndexT:
        """No copy at all and the download failed: raise, or return a stand-in."""

    # -- cache file names -------------------------------------------------------------

    @property
    def index_file(self) -> Path:
        return self.cache_dir / f"{self.stem}-index.sqlite3"

    @property
    def source_file(self) -> Path:
        return self.cache_dir / f"{self.stem}.json"

    @property
    def meta_file(self) -> Path:
        return self.cache_dir / f"{self.stem}-meta.json"

    # -- the index --------------------------------------------------------------------

    def index(self) -> IndexT:
        if self._index is None:
            self._index = self._from_local() if self.local_path else self._from_url()
        return self._index

    def _from_local(self) -> IndexT:
        assert self.local_path is not None
        try:
            stat = self.local_path.stat()
        except OSError as exc:
            raise ConfigError.said(
                N_("cannot read {label} file {path}: {error}"),
                label=self.label,
                path=self.local_path,
                error=exc,
            ) from None
        stamp = {
            "path": str(self.local_path.resolve()),
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "format": self.index_format,
        }
        meta = self._read_meta()
        if all(meta.get(k) == v for k, v in stamp.items()):
            try:
                cached = self.load(self.index_file)
            except (OSError, ValueError):
                pass
            else:
                if cached.version == meta.get("version"):
                    return cached
        try:
            index = self.build(self.local_path, self.index_file, file_version(self.local_path))
        except (OSError, ValueError) as exc:
            raise ConfigError.said(
                N_("cannot use {label} file {path}: {error}"),
                label=self.label,
                path=self.local_path,
                error=exc,
            ) from None
        self._drop_legacy_index()
        self._write_meta({**stamp, "version": index.version})
        return index

    def _from_url(self) -> IndexT:
        meta = self._read_meta()
        if meta.get("url") != self.url:
            meta = {}
        cached = self._load_cached_index() if meta.get("version") else None
        if cached is not None and cached.version != meta.get("version"):
            cached = None
        now = self.clock()
        checked_at = float(meta.get("checked_at") or 0.0)
        if cached is not None and 0 <= now - checked_at < self.refresh_interval_s:
            return cached

        headers = {}
        if cached is not None:
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        partial = self.cache_dir / f".{self.source_file.name}.{os.getpid()}.download"
        try:
            with self.http.stream("GET", self.url, headers=headers, follow_redirects=True) as r:
                if r.status_code == 304 and cached is not None:
                    self._write_meta({**meta, "checked_at": now})
                    return cached
                if r.status_code != 200:
                    return self._refresh_failed(cached, f"HTTP {r.status_code}")
                version = _download(r, partial)
                validators = {
                    "url": self.url,
                    "etag": r.headers.get("ETag"),
                    "last_modified": r.headers.get("Last-Modified"),
                    "checked_at": now,
                    "format": self.index_format,
                }
        except (httpx.HTTPError, OSError) as exc:
            partial.unlink(missing_ok=True)
            return self._refresh_failed(cached, f"{type(exc).__name__}: {exc}")

        if cached is not None and cached.version == version:
            partial.unlink(missing_ok=True)
            self._write_meta({**validators, "version": version})
            return cached
        try:
            index = self.build(partial, self.index_file, version)
        except ValueError as exc:
            partial.unlink(missing_ok=True)
            return self._refresh_failed(cached, f"the download is not usable: {exc}")
        os.replace(partial, self.source_file)
        self._write_meta({**validators, "version": index.version})
        if cached is not None:
            cached.close()
        self.log.info("%s updated to %s (%d subjects)", self.label, index.version, len(index))
        return index

    def _refresh_failed(self, cached: IndexT | None, why: str) -> IndexT:
        if cached is not None:
            self.log.warning(
                "%s refresh from %s failed (%s); using the cached copy (version %s)",
                self.label,
                self.url,
                why,
                cached.version,
            )
            return cached
        return self.unavailable(why)

    def _load_cached_index(self) -> IndexT | None:
        try:
            return self.load(self.index_file)
        except (OSError, ValueError):
            pass
        # The compact format may have changed with an upgrade: rebuild from the kept source.
        try:
            index = self.build(self.source_file, self.index_file, file_version(self.source_file))
        except (OSError, ValueError):
            return None
        self._drop_legacy_index()
        return index

    def _drop_legacy_index(self) -> None:
        """The JSON index of earlier releases (read whole by each run) is not used now."""
        (self.cache_dir / f"{self.stem}-index.json").unlink(missing_ok=True)

    def _read_meta(self) -> dict[str, Any]:
        try:
            meta = json.loads(self.meta_file.read_text())
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def _write_meta(self, meta: dict[str, Any]) -> None:
        write_atomic(self.meta_file, json.dumps(meta, indent=1).encode())
