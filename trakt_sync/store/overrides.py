"""The ``overrides`` table: manual mappings added with ``trakt-sync map add``."""

from __future__ import annotations

import json
from typing import Any

from trakt_sync.store.db import Database, _now


class OverridesTable(Database):
    def overrides(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT spec FROM overrides ORDER BY id").fetchall()
        return [json.loads(row["spec"]) for row in rows]

    def add_override(self, spec: dict[str, Any]) -> bool:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO overrides(spec, created_at) VALUES (?, ?)",
                (json.dumps(spec, sort_keys=True), _now()),
            )
        return cursor.rowcount > 0

    def remove_override(self, spec: dict[str, Any]) -> bool:
        with self.transaction() as db:
            cursor = db.execute(
                "DELETE FROM overrides WHERE spec = ?", (json.dumps(spec, sort_keys=True),)
            )
        return cursor.rowcount > 0
