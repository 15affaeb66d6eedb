"""The SQLite record of truth: plays, runs, per-profile state and look-up caches.

One connection and one transaction discipline (``db``), the schema and its migrations
(``migrations``), and one module per concern: a class per table that names the table it
touches. ``Store`` is all of them over that one connection.
"""

from __future__ import annotations

from trakt_sync.store.db import Database, reporting_damage
from trakt_sync.store.kv import LookupCache, ProfileState
from trakt_sync.store.lists import ListItemsTable
from trakt_sync.store.migrations import MIGRATIONS, SCHEMA_VERSION
from trakt_sync.store.overrides import OverridesTable
from trakt_sync.store.play_columns import GroupKey, PlayGroup, StoredPlay
from trakt_sync.store.play_queue import PlayQueue
from trakt_sync.store.plays import MovieIdKind, PlaysTable, ShowIdKind
from trakt_sync.store.runs import RunRecord, RunsTable

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Database",
    "GroupKey",
    "MovieIdKind",
    "PlayGroup",
    "RunRecord",
    "ShowIdKind",
    "Store",
    "StoredPlay",
    "reporting_damage",
]


class Store(
    ProfileState, LookupCache, PlaysTable, PlayQueue, ListItemsTable, OverridesTable, RunsTable
):
    """Every table over one connection (``Database``): what a profile's run reads and writes."""
