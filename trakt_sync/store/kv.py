"""Per-profile state (the ``state`` table) and the look-up caches (``cache``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from trakt_sync.store.db import Database, _now


class ProfileState(Database):
    """Small JSON values by key: cursors, baselines, flags."""

    def get_state(self, key: str) -> Any | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else None

    def set_state(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO state(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )


class LookupCache(Database):
    """The matcher's and the clients' look-up cache (the MatchCache protocol)."""

    def get(self, namespace: str, key: str) -> Any | None:
        row = self.db.execute(
            "SELECT value FROM cache WHERE namespace = ? AND key = ?", (namespace, key)
        ).fetchone()
        return json.loads(row["value"]) if row else None

    def put(self, namespace: str, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO cache(namespace, key, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(namespace, key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (namespace, key, json.dumps(value), _now()),
            )

    def cached_items(self, namespace: str) -> list[tuple[str, Any]]:
        rows = self.db.execute(
            "SELECT key, value FROM cache WHERE namespace = ?", (namespace,)
        ).fetchall()
        return [(row["key"], json.loads(row["value"])) for row in rows]

    def drop_cached(self, namespace: str, keys: Iterable[str]) -> int:
        with self.transaction() as db:
            cursor = db.executemany(
                "DELETE FROM cache WHERE namespace = ? AND key = ?",
                [(namespace, key) for key in keys],
            )
        return max(cursor.rowcount, 0)

    def cache_age(self, namespace: str, key: str) -> str | None:
        row = self.db.execute(
            "SELECT updated_at FROM cache WHERE namespace = ? AND key = ?", (namespace, key)
        ).fetchone()
        return row["updated_at"] if row else None
