"""Fake jsDelivr-style CDN serving the bangumi-data ``dist/data.json`` (and the id table,
BangumiExtLinker's ``anime_map.json``) with validators."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from trakt_sync.fakes.server import FakeServer, Request, Response, json_response
from trakt_sync.fakes.world import ANIME_MAP_EXCERPT

DATA_PATH = "/npm/bangumi-data@0.3/dist/data.json"
ID_TABLE_PATH = "/BangumiExtLinker/data/anime_map.json"
# Also answer pinned versions (``bangumi-data@0.3.208``) like the real CDN.
_DATA_ROUTE = re.compile(r"/npm/bangumi-data(@[\w.\-]+)?/dist/data\.json")


def _read(source: str | Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


class FakeDataCDN(FakeServer):
    """Serves ``content`` at :data:`DATA_PATH` (``url + DATA_PATH`` is the data URL) and
    ``id_table`` at :data:`ID_TABLE_PATH` (``id_table_url``), each with its own
    ``ETag``/``Last-Modified``; conditional requests get 304. ``replace()`` changes one."""

    name = "cdn"

    def __init__(
        self,
        source: str | Path | bytes,
        *,
        id_table: str | Path | bytes = ANIME_MAP_EXCERPT,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.clock: Callable[[], float] = clock or time.time
        # path -> (content, etag, last modified)
        self._files: dict[str, tuple[bytes, str, int]] = {}
        self.replace(_read(source))
        self.replace(_read(id_table), path=ID_TABLE_PATH)

    @property
    def data_url(self) -> str:
        return self.url + DATA_PATH

    @property
    def id_table_url(self) -> str:
        return self.url + ID_TABLE_PATH

    @property
    def etag(self) -> str:
        return self._files[DATA_PATH][1]

    def replace(self, content: bytes, *, path: str = DATA_PATH) -> None:
        """New content: new ETag and a Last-Modified at least one second later."""
        with self._lock:
            previous = self._files.get(path, (b"", "", 0))[2]
            etag = f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'
            self._files[path] = (content, etag, max(int(self.clock()), previous + 1))

    def handle(self, request: Request) -> Response:
        if _DATA_ROUTE.fullmatch(request.path):
            path = DATA_PATH
        elif request.path == ID_TABLE_PATH:
            path = ID_TABLE_PATH
        else:
            return json_response(
                404, {"status": 404, "message": "Couldn't find the requested file."}
            )
        if request.method not in ("GET", "HEAD"):
            return json_response(405, {"status": 405, "message": "Method not allowed."})
        content, etag, modified = self._files[path]
        headers = {
            "ETag": etag,
            "Last-Modified": formatdate(modified, usegmt=True),
            "Cache-Control": "public, max-age=604800",
        }
        if self._not_modified(request, etag, modified):
            return Response(304, b"", headers)
        headers["Content-Type"] = "application/json; charset=utf-8"
        return Response(200, content, headers)

    def _not_modified(self, request: Request, etag: str, modified: int) -> bool:
        # RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since when both are sent.
        if_none_match = request.header("if-none-match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or etag.removeprefix("W/") in tags
        since = request.header("if-modified-since")
        if since is None:
            return False
        try:
            return parsedate_to_datetime(since).timestamp() >= modified
        except (TypeError, ValueError):
            return False
