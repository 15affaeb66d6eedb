"""Read an iterator one item ahead in a thread, so its waiting overlaps the caller's work.

The fetch reads Trakt history pages while saving the one before: the request and the
decoding of a page run beside the SQLite writes of the last (SQLite lets go of the GIL).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
_END = object()


@contextmanager
def read_ahead(source: Iterable[T]) -> Iterator[Iterator[T]]:
    """``source``'s items in order, each next one read by a thread while the caller handles
    the one before; an error ``source`` raises reaches the caller in its place.

    However the block is left (the items exhausted, an error or Ctrl-C in the caller) the
    thread reads nothing more: the read it is in finishes, ``source`` is closed in the
    thread that ran it, and the thread is joined before the block ends, so what ``source``
    uses (an HTTP client) is never touched after it, nor by two threads at once."""
    # The next read starts when the caller takes an item: two items live at most, the one
    # being handled and the one read meanwhile, however long the history.
    ready: queue.SimpleQueue[tuple[Any, BaseException | None]] = queue.SimpleQueue()
    wanted = threading.Semaphore(1)
    stop = threading.Event()

    def produce() -> None:
        items = iter(source)
        try:
            while True:
                wanted.acquire()
                if stop.is_set():
                    return
                try:
                    item = next(items)
                except StopIteration:
                    ready.put((_END, None))
                    return
                ready.put((item, None))
        except BaseException as exc:  # handed over: the caller decides what it means
            ready.put((_END, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def consume() -> Iterator[T]:
        while True:
            item, error = ready.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            wanted.release()
            yield item

    thread = threading.Thread(target=produce, name="trakt-sync-read-ahead")
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        wanted.release()  # wakes the thread if it waits for the caller
        thread.join()
