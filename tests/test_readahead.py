"""read_ahead: the items in order, errors in their place, and no thread left behind."""

import threading
from collections.abc import Iterator

import pytest

from tests.helpers import reader_threads
from trakt_sync.readahead import read_ahead


class Source:
    """Numbered items, recording what was read, where, and whether it was closed."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.read: list[int] = []
        self.closed_in: str | None = None

    def __iter__(self) -> Iterator[int]:
        try:
            for n in range(1, self.count + 1):
                if n == self.fail_at:
                    raise ConnectionError(f"item {n}")
                self.read.append(n)
                yield n
        finally:
            self.closed_in = threading.current_thread().name


def test_every_item_arrives_in_order_and_the_thread_is_gone_after() -> None:
    source = Source(5)
    with read_ahead(source) as items:
        assert list(items) == [1, 2, 3, 4, 5]
    assert reader_threads() == []
    assert source.closed_in == "trakt-sync-read-ahead"


def test_an_error_of_the_source_reaches_the_caller_in_its_place() -> None:
    source = Source(5, fail_at=3)
    taken = []
    with pytest.raises(ConnectionError, match="item 3"), read_ahead(source) as items:
        for item in items:
            taken.append(item)
    assert taken == [1, 2]
    assert reader_threads() == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_leaving_early_reads_at_most_one_item_ahead_and_closes_the_source(
    error: type[BaseException],
) -> None:
    source = Source(100)
    with pytest.raises(error), read_ahead(source) as items:
        for item in items:
            if item == 2:
                raise error()
    # Two taken, the third perhaps read meanwhile; the thread stopped and closed the source
    # before the block ended.
    assert source.read in ([1, 2], [1, 2, 3])
    assert source.closed_in == "trakt-sync-read-ahead"
    assert reader_threads() == []


def test_an_empty_source_ends_at_once() -> None:
    with read_ahead(Source(0)) as items:
        assert list(items) == []
    assert reader_threads() == []
