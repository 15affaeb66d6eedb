"""The ``runs`` table: one row per sync, its outcome, counts and requests."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from trakt_sync.outcome import RunOutcome
from trakt_sync.store.db import Database, _now


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: str
    finished_at: str | None
    outcome: RunOutcome
    dry_run: bool
    message: str | None
    counts: dict[str, Any]
    requests_trakt: int
    requests_bangumi: int


class RunsTable(Database):
    def start_run(self, dry_run: bool) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs(started_at, dry_run) VALUES (?, ?)", (_now(), int(dry_run))
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(
        self,
        run_id: int,
        outcome: RunOutcome,
        counts: dict[str, Any],
        requests: dict[str, int],
        message: str | None = None,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, counts = ?, message = ?, "
                "requests_trakt = ?, requests_bangumi = ? WHERE id = ?",
                (
                    _now(),
                    outcome.value,
                    json.dumps(counts),
                    self.redact(message) if message else message,
                    requests.get("trakt", 0),
                    requests.get("bangumi", 0),
                    run_id,
                ),
            )

    def mark_dead_runs(self, message: str) -> int:
        """Record every run still marked running as died; only call this while holding the
        profile's lock, when no other run can be in progress. Returns how many."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE runs SET outcome = ?, message = ? WHERE outcome = ?",
                (RunOutcome.DIED.value, message, RunOutcome.RUNNING.value),
            )
        return cursor.rowcount

    def newest_run(self, *, include_dry: bool = False) -> RunRecord | None:
        """The run started last, finished or not."""
        row = self.db.execute(
            "SELECT * FROM runs WHERE (? OR dry_run = 0) ORDER BY id DESC LIMIT 1",
            (int(include_dry),),
        ).fetchone()
        return None if row is None else _run_record(row)

    def last_run(self, *, successful: bool = False, include_dry: bool = False) -> RunRecord | None:
        """The last run that ended (a died one too: it has no ``finished_at``)."""
        row = self.db.execute(
            "SELECT * FROM runs WHERE outcome != ? AND (? OR outcome = ?) "
            "AND (? OR dry_run = 0) ORDER BY id DESC LIMIT 1",
            (RunOutcome.RUNNING.value, int(not successful), RunOutcome.OK.value, int(include_dry)),
        ).fetchone()
        return None if row is None else _run_record(row)

    def recent_runs(self, limit: int, *, include_dry: bool = True) -> list[RunRecord]:
        """The runs started last, newest first, finished or not."""
        rows = self.db.execute(
            "SELECT * FROM runs WHERE (? OR dry_run = 0) ORDER BY id DESC LIMIT ?",
            (int(include_dry), limit),
        ).fetchall()
        return [_run_record(row) for row in rows]


def _run_record(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        outcome=RunOutcome(row["outcome"]),
        dry_run=bool(row["dry_run"]),
        message=row["message"],
        counts=json.loads(row["counts"]),
        requests_trakt=row["requests_trakt"],
        requests_bangumi=row["requests_bangumi"],
    )
