"""Fake jsDelivr-style CDN serving the bangumi-data ``dist/data.json`` with validators."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from trakt_sync.fakes.server import FakeServer, Request, Response, json_response

DATA_PATH = "/npm/bangumi-data@0.3/dist/data.json"
# Also answer pinned versions (``bangumi-data@0.3.208``) like the real CDN.
_DATA_ROUTE = re.compile(r"/npm/bangumi-data(@[\w.\-]+)?/dist/data\.json")


class FakeDataCDN(FakeServer):
    """Serves ``content`` at :data:`DATA_PATH` (``url + DATA_PATH`` is the data URL) with
    ``ETag``/``Last-Modified``; conditional requests get 304. ``replace()`` changes it."""

    name = "cdn"

    def __init__(
        self, source: str | Path | bytes, *, clock: Callable[[], float] | None = None
    ) -> None:
        super().__init__()
        self.clock: Callable[[], float] = clock or time.time
        self._content = b""
        self._etag = ""
        self._modified = 0
        self.replace(source if isinstance(source, bytes) else Path(source).read_bytes())

    @property
    def data_url(self) -> str:
        return self.url + DATA_PATH

    @property
    def etag(self) -> str:
        return self._etag

    def replace(self, content: bytes) -> None:
        """New content: new ETag and a Last-Modified at least one second later."""
        with self._lock:
            self._content = content
            self._etag = f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'
            self._modified = max(int(self.clock()), self._modified + 1)

    def handle(self, request: Request) -> Response:
        if not _DATA_ROUTE.fullmatch(request.path):
            return json_response(
                404, {"status": 404, "message": "Couldn't find the requested file."}
            )
        if request.method not in ("GET", "HEAD"):
            return json_response(405, {"status": 405, "message": "Method not allowed."})
        headers = {
            "ETag": self._etag,
            "Last-Modified": formatdate(self._modified, usegmt=True),
            "Cache-Control": "public, max-age=604800",
        }
        if self._not_modified(request):
            return Response(304, b"", headers)
        headers["Content-Type"] = "application/json; charset=utf-8"
        return Response(200, self._content, headers)

    def _not_modified(self, request: Request) -> bool:
        # RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since when both are sent.
        if_none_match = request.header("if-none-match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or self._etag.removeprefix("W/") in tags
        since = request.header("if-modified-since")
        if since is None:
            return False
        try:
            return parsedate_to_datetime(since).timestamp() >= self._modified
        except (TypeError, ValueError):
            return False
