"""pytest fixtures for the fakes. Enable them from a root ``tests/conftest.py`` with
``pytest_plugins = ["trakt_sync.fakes.fixtures"]`` (or import the names into a conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import BANGUMI_DATA_SAMPLE, World, load_world


@pytest.fixture
def demo_world() -> World:
    """A fresh copy of ``worlds/demo.json`` (safe to mutate before starting fakes)."""
    return load_world("demo")


@pytest.fixture
def fake_trakt(demo_world: World) -> Iterator[FakeTrakt]:
    with FakeTrakt(demo_world) as fake:
        yield fake


@pytest.fixture
def fake_bangumi(demo_world: World) -> Iterator[FakeBangumi]:
    with FakeBangumi(demo_world) as fake:
        yield fake


@pytest.fixture
def fake_cdn() -> Iterator[FakeDataCDN]:
    with FakeDataCDN(BANGUMI_DATA_SAMPLE) as fake:
        yield fake
