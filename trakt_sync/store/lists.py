"""The ``list_items`` table: Trakt ratings and watchlist entries, and what became of them
per Bangumi subject.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from trakt_sync.extras import ListEntry, ListItem, ListKey, Target, parse_item
from trakt_sync.store.db import Database, _now


def _targets_json(targets: dict[int, Target]) -> str:
    return json.dumps({str(sid): t.as_json() for sid, t in sorted(targets.items())})


def _reset_targets(stored: str) -> str:
    """Every subject of a changed entry is to be sent again."""
    data = json.loads(stored)
    for target in data.values():
        target.update(state="pending", attempts=0)
    return json.dumps(data)


class ListItemsTable(Database):
    def save_list(self, list_name: str, kind: str, items: Iterable[ListItem]) -> int:
        """Hold Trakt's complete list of one kind (one transaction): new entries and changed
        ratings become pending, entries Trakt no longer lists become removed (nothing is
        undone on Bangumi). Returns how many entries are new or changed."""
        now = _now()
        changed = 0
        with self.transaction() as db:
            held = {
                (row["trakt_id"], row["season"]): row
                for row in db.execute(
                    "SELECT trakt_id, season, rating, state, targets FROM list_items "
                    "WHERE list = ? AND kind = ?",
                    (list_name, kind),
                )
            }
            present = set()
            for item in items:
                key = item.key
                present.add((key.trakt_id, key.season))
                raw = json.dumps(item.raw, separators=(",", ":"))
                row = held.get((key.trakt_id, key.season))
                if row is None:
                    db.execute(
                        "INSERT INTO list_items (list, kind, trakt_id, season, rating, "
                        "listed_at, item, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                        (
                            list_name,
                            kind,
                            key.trakt_id,
                            key.season,
                            item.rating,
                            item.listed_at,
                            raw,
                            now,
                        ),
                    )
                    changed += 1
                elif row["rating"] != item.rating or row["state"] == "removed":
                    # The subjects are still the same: only their targets are sent again.
                    matched = row["targets"] is not None
                    targets = _reset_targets(row["targets"]) if matched else None
                    db.execute(
                        "UPDATE list_items SET rating = ?, listed_at = ?, item = ?, state = ?, "
                        "targets = ?, updated_at = ? WHERE list = ? AND kind = ? "
                        "AND trakt_id = ? AND season = ?",
                        (
                            item.rating,
                            item.listed_at,
                            raw,
                            "matched" if matched else "pending",
                            targets,
                            now,
                            list_name,
                            kind,
                            key.trakt_id,
                            key.season,
                        ),
                    )
                    changed += 1
            db.executemany(
                "UPDATE list_items SET state = 'removed', updated_at = ? WHERE list = ? "
                "AND kind = ? AND trakt_id = ? AND season = ?",
                [
                    (now, list_name, kind, trakt_id, season)
                    for (trakt_id, season), row in held.items()
                    if (trakt_id, season) not in present and row["state"] != "removed"
                ],
            )
        return changed

    def list_entries(self, lists: Iterable[str], states: Iterable[str]) -> list[ListEntry]:
        lists, states = list(lists), list(states)
        if not lists or not states:
            return []
        rows = self.db.execute(
            f"SELECT * FROM list_items WHERE list IN ({','.join('?' * len(lists))}) "
            f"AND state IN ({','.join('?' * len(states))}) ORDER BY list, kind, trakt_id, season",
            (*lists, *states),
        ).fetchall()
        out = []
        for row in rows:
            item = parse_item(row["list"], row["kind"], json.loads(row["item"]))
            targets = {
                int(sid): Target.from_json(int(sid), data)
                for sid, data in json.loads(row["targets"] or "{}").items()
            }
            media = item.raw.get("movie") or item.raw.get("show") or {}
            title = str(media.get("title") or "")
            if item.key.kind == "season":
                title += f" S{item.key.season}"
            out.append(ListEntry(item, targets, title))
        return out

    def lists_to_resolve(
        self, lists: Iterable[str], version: str, retry_unmatched: bool
    ) -> list[ListEntry]:
        """Entries not resolved yet, and unmatched ones resolved with other data."""
        lists = list(lists)
        if not lists:
            return []
        keys = self.db.execute(
            f"SELECT list, kind, trakt_id, season FROM list_items "
            f"WHERE list IN ({','.join('?' * len(lists))}) AND (state = 'pending' "
            "OR (state = 'unmatched' AND (? OR resolved_with IS NOT ?)))",
            (*lists, int(retry_unmatched), version),
        ).fetchall()
        wanted = {ListKey(r["list"], r["kind"], r["trakt_id"], r["season"]) for r in keys}
        return [
            e for e in self.list_entries(lists, ("pending", "unmatched")) if e.item.key in wanted
        ]

    def list_needs_resolve(self, lists: Iterable[str]) -> bool:
        lists = list(lists)
        if not lists:
            return False
        row = self.db.execute(
            f"SELECT 1 FROM list_items WHERE list IN ({','.join('?' * len(lists))}) "
            "AND state = 'pending' LIMIT 1",
            lists,
        ).fetchone()
        return row is not None

    def record_list_resolution(
        self,
        key: ListKey,
        state: str,
        targets: dict[int, Target] | None,
        reason: str | None,
        version: str,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE list_items SET state = ?, targets = ?, reason = ?, resolved_with = ?, "
                "updated_at = ? WHERE list = ? AND kind = ? AND trakt_id = ? AND season = ?",
                (
                    state,
                    _targets_json(targets) if targets is not None else None,
                    self.redact(reason) if reason else reason,
                    version,
                    _now(),
                    key.list,
                    key.kind,
                    key.trakt_id,
                    key.season,
                ),
            )

    def set_list_targets(self, updates: dict[ListKey, dict[int, Target]]) -> None:
        """Record how far each entry's subjects got (one transaction)."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE list_items SET targets = ?, updated_at = ? WHERE list = ? AND kind = ? "
                "AND trakt_id = ? AND season = ?",
                [
                    (_targets_json(targets), _now(), k.list, k.kind, k.trakt_id, k.season)
                    for k, targets in updates.items()
                ],
            )
