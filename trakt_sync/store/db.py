"""One SQLite connection and one transaction discipline for every table.

Every connection runs with WAL, a busy timeout and foreign keys; writes happen in
``BEGIN IMMEDIATE`` transactions (few_commits batches many of them, discarding rolls a
dry run back). No secret is ever written here.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from trakt_sync.errors import StateError
from trakt_sync.i18n import N_
from trakt_sync.redact import redact_text
from trakt_sync.store.migrations import migrate
from trakt_sync.timeutil import iso_z, utcnow


def _now() -> str:
    return iso_z(utcnow())


# SQLite's primary result codes for a damaged file (the extended codes keep them in the low byte).
_DAMAGE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_READ_ONLY_CODES = {8, 14}  # SQLITE_READONLY, SQLITE_CANTOPEN (no room for its -wal/-shm)


def _read_only(path: Path, exc: sqlite3.DatabaseError) -> StateError | None:
    """A StateError naming what to fix when SQLite cannot write ``path``; None otherwise."""
    if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _READ_ONLY_CODES:
        return None
    return StateError.said(
        N_(
            "{path}: the database cannot be written ({error}); give the user running "
            "trakt-sync write access to it and to {folder}, or set TRAKT_SYNC_HOME to a "
            "writable directory"
        ),
        path=path,
        error=exc,
        folder=path.parent,
    )


@contextmanager
def reporting_damage(path: Path) -> Iterator[None]:
    """Turn SQLite finding ``path`` damaged, in whatever query, into a StateError that
    names the file and what to do (a lock timeout or full disk passes through)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        read_only = _read_only(path, exc)
        if read_only is not None:
            raise read_only from None
        if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _DAMAGE_CODES:
            raise
        raise StateError.said(
            N_(
                "{path}: the database is damaged ({error}); stop trakt-sync, then either "
                "recover it (sqlite3 {path} .recover | sqlite3 {path}.recovered, and move that "
                "in its place) or move the file aside to start afresh: the next sync reads the "
                "Trakt history again and finds what Bangumi already has (export manual "
                "mappings first with `trakt-sync map export`, if that still works)"
            ),
            path=path,
            error=exc,
        ) from None


class Database:
    """One connection and its transaction discipline; the tables are mixed in (see ``Store``)."""

    def __init__(
        self, path: Path, redact: Callable[[str], str] = redact_text, *, read_only: bool = False
    ) -> None:
        """``read_only``: never write, not even to create the file (``status`` in a state
        directory it may not write); a database not there yet reads as an empty one."""
        self.path = path
        # Every message and reason stored may hold a server's words, which may echo a
        # credential back: they pass through the log redaction first (issue 26).
        self.redact = redact
        self._batched = False  # inside few_commits()
        if read_only:
            self._open_read_only(path)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                # Private from the start; SQLite gives its -wal/-shm files the same mode.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 30000")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            # With WAL this still never corrupts and a crash of the process loses nothing; only a
            # power cut may undo the last commits, and a re-run repeats no write that landed
            # (plans start from Bangumi's own state). Without it every commit waits for the disk.
            self.db.execute("PRAGMA synchronous = NORMAL")
            migrate(self.db, path)
        except sqlite3.DatabaseError as exc:
            raise _read_only(path, exc) or StateError.said(
                N_(
                    "{path}: not a usable trakt-sync database ({error}); move it aside to "
                    "start afresh (it was left untouched)"
                ),
                path=path,
                error=exc,
            ) from None
        except OSError as exc:
            raise StateError.said(
                N_("{path}: cannot create the state directory: {error}"),
                path=path.parent,
                error=exc,
            ) from None

    def _open_read_only(self, path: Path) -> None:
        try:
            if not path.exists():
                self.db = sqlite3.connect(":memory:", isolation_level=None)
                self.db.row_factory = sqlite3.Row
                migrate(self.db, path)
                return
            self.db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            try:
                self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                # A WAL database whose -shm cannot be created here: read the file as it is.
                self.db.close()
                self.db = sqlite3.connect(
                    f"{path.as_uri()}?immutable=1", uri=True, isolation_level=None
                )
                self.db.row_factory = sqlite3.Row
        except sqlite3.DatabaseError as exc:
            raise StateError.said(
                N_("{path}: cannot read the database ({error})"), path=path, error=exc
            ) from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if self._batched:
            # Inside few_commits(): no savepoint. SQLite copies every page a savepoint is
            # the first to change into a temporary file (~390 k reads and writes of it in a
            # 50 k-play first sync); a failure instead rolls back all since the last commit,
            # which is only local work that the next run does again.
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                self.db.execute("BEGIN IMMEDIATE")
                raise
            return
        if self.db.in_transaction:  # inside discarding(): nest, to be rolled back with it
            self.db.execute("SAVEPOINT nested")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK TO nested")
                self.db.execute("RELEASE nested")
                raise
            self.db.execute("RELEASE nested")
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def few_commits(self, every: float = 1.0) -> Iterator[Callable[[], None]]:
        """Many small transactions in few commits: what was written is committed when the
        returned function is called ``every`` seconds or more after the last commit, and at
        the end, also when an error ends the block. Each transaction inside stays whole: one
        that fails takes the others since the last commit with it (see ``transaction``), so
        whatever is committed was complete. For work the next run can redo, not for marks
        of what was sent."""
        if self.db.in_transaction:  # inside discarding(): all of it is rolled back anyway
            yield lambda: None
            return
        last = time.monotonic()

        def tick() -> None:
            nonlocal last
            if time.monotonic() - last >= every:
                self.db.execute("COMMIT")
                self.db.execute("BEGIN IMMEDIATE")
                last = time.monotonic()

        self.db.execute("BEGIN IMMEDIATE")
        self._batched = True
        try:
            yield tick
        finally:
            self._batched = False
            if self.db.in_transaction:  # not if a rollback's BEGIN after it failed
                self.db.execute("COMMIT")

    @contextmanager
    def discarding(self) -> Iterator[None]:
        """Everything written inside is rolled back at the end (a dry run leaves the local
        state as it was while running the very same steps)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            self.db.execute("ROLLBACK")
