"""The full published bangumi-data (npm ``bangumi-data``, CC BY 4.0), pinned, cached locally.

Fetched once from the npm registry, verified against the registry's SHA-1 and kept as
``dist/data.json`` in a cache directory (``$TRAKT_SYNC_BENCH_CACHE``, default
``~/.cache/trakt-sync/bench``); every later run is offline. Tests use the vendored sample
in ``trakt_sync/fakes/data`` instead (same document shape, a few dozen items).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import httpx

import trakt_sync.fakes

VERSION = "0.3.208"
TARBALL_URL = f"https://registry.npmjs.org/bangumi-data/-/bangumi-data-{VERSION}.tgz"
TARBALL_SHA1 = (
    "9fd68a02b39ef98fa4cfa8760d65254f73cad8c1"  # `npm view bangumi-data@0.3.208 dist.shasum`
)
MEMBER = "package/dist/data.json"
CACHE_ENV = "TRAKT_SYNC_BENCH_CACHE"
SAMPLE = Path(trakt_sync.fakes.__file__).parent / "data" / "bangumi-data-sample.json"


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "trakt-sync" / "bench"


def data_path() -> Path:
    return cache_dir() / f"bangumi-data-{VERSION}.json"


def fetch(path: Path | None = None) -> Path:
    """The pinned ``dist/data.json``, downloaded into the cache on first use."""
    target = path or data_path()
    if target.exists():
        return target
    headers = {"User-Agent": "trakt-sync-bench (https://github.com/; bangumi-data bench)"}
    response = httpx.get(TARBALL_URL, headers=headers, follow_redirects=True, timeout=120)
    response.raise_for_status()
    digest = hashlib.sha1(response.content).hexdigest()
    if digest != TARBALL_SHA1:
        raise RuntimeError(f"{TARBALL_URL}: SHA-1 {digest}, expected {TARBALL_SHA1}")
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise RuntimeError(f"{TARBALL_URL} has no {MEMBER}")
        raw = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(raw)
    partial.replace(target)
    return target


def load_items(path: Path | None = None) -> list[dict[str, Any]]:
    """bangumi-data items from ``path`` (a ``dist/data.json``), else the pinned release."""
    source = path if path is not None else fetch()
    items = json.loads(source.read_bytes())["items"]
    assert isinstance(items, list)
    return items


def sample_items() -> list[dict[str, Any]]:
    """The vendored sample: for tests, no network."""
    return load_items(SAMPLE)
