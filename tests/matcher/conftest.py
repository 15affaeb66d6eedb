from __future__ import annotations

import pytest
from matcher_world import World


@pytest.fixture
def world() -> World:
    return World()
