"""Small doubles shared by test files (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from trakt_sync.models import Play
from trakt_sync.store import Store, StoredPlay
from trakt_sync.store.play_columns import row_of_play


class Cdn:
    """An ``httpx.MockTransport`` handler serving one body that honours If-None-Match;
    ``down`` makes every request fail as a connection error."""

    def __init__(self, body: bytes, etag: str = '"v1"') -> None:
        self.body, self.etag, self.down = body, etag, False
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("offline", request=request)
        if request.headers.get("If-None-Match") == self.etag:
            return httpx.Response(304)
        return httpx.Response(200, content=self.body, headers={"ETag": self.etag})


class Clock:
    """A monotonic/epoch clock the test moves by hand; ``sleep`` advances it and is recorded."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def wait_until(
    condition: Callable[[], object], *, timeout: float = 10.0, what: str = "condition"
) -> None:
    """Poll ``condition`` until it is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)


def reader_threads() -> list[threading.Thread]:
    """The fetch's read-ahead threads still alive (``trakt_sync.readahead``)."""
    return [t for t in threading.enumerate() if t.name == "trakt-sync-read-ahead"]


# -- the store, as only tests look at it ---------------------------------------------------


def save_plays(store: Store, items: Iterable[tuple[Play, dict[str, Any]]]) -> int:
    """Insert plays built as models (the sync saves columns straight from the items)."""
    return store.save_rows((row_of_play(play), raw) for play, raw in items)


def all_plays(store: Store) -> list[StoredPlay]:
    """Every play held, in watch order, parsed from its stored item."""
    return store._select("1")


def plays_to_apply(store: Store) -> list[StoredPlay]:
    """The matched plays not yet synced, as the apply stage reads them."""
    return [p for _, plays in store.apply_batch(store.subjects_to_apply()) for p in plays]


def plays_to_send(store: Store) -> list[StoredPlay]:
    """What a sink receives: matched plays not yet synced and unmatched ones."""
    return [p for batch in store.batches_to_send() for p in batch]
