"""A state directory or database this user may not write: `status` shows what it can read,
a sync says what to fix (issue 20.15, 20.17). Run as another user when the tests run as
root (root may write anything)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Sandbox

NOBODY = 65534


# The interpreter may live where another user cannot read (root's home): everything the
# commands load is imported first, then the process becomes that user.
AS_OTHER_USER = f"""
import os, sys
import trakt_sync.cli.app, trakt_sync.runtime, trakt_sync.reports, trakt_sync.syncjob
import trakt_sync.matching.matcher, trakt_sync.cli.status_cmd, trakt_sync.cli.sync_cmd
import trakt_sync.heartbeat, trakt_sync.config_checks, trakt_sync.show_key
import rich.console, rich.logging, keyring, encodings.idna, json, sqlite3, filelock
if os.geteuid() == 0:
    os.setgid({NOBODY})
    os.setuid({NOBODY})
trakt_sync.cli.app.main(sys.argv[1:])
"""


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRAKT_SYNC_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-c", AS_OTHER_USER, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd="/",
    )


@pytest.fixture
def shared_home(logged_in: Sandbox, cli) -> Iterator[Path]:
    """A copy of a synced state directory where the other user may read but not write."""
    assert cli("sync").code == 0
    root = Path(tempfile.mkdtemp(prefix="trakt-sync-ro-", dir="/tmp"))
    home = root / "home"
    shutil.copytree(logged_in.home, home, ignore=shutil.ignore_patterns("*.lock", "cache"))
    os.chmod(root, 0o755)
    yield home
    for path in (home, *home.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(root)


def test_status_in_a_read_only_state_directory_shows_what_it_can_read(
    shared_home: Path,
) -> None:
    (shared_home / "default.sqlite3").chmod(0o444)
    (shared_home / "tokens.json").chmod(0o600)  # the tokens stay private
    shared_home.chmod(0o555)
    result = _run(shared_home, "status")
    assert result.returncode == 0, result.stderr
    assert "cannot read tokens:" in result.stdout
    assert "plays:    16 synced, 3 skipped" in result.stdout
    assert "last run:" in result.stdout and "— ok" in result.stdout
    assert not (shared_home / "default.lock").exists()


def test_a_sync_with_a_read_only_database_says_what_to_fix(shared_home: Path) -> None:
    for path in shared_home.iterdir():
        path.chmod(0o644)
    tokens = shared_home / "tokens.json"
    tokens.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(tokens, NOBODY, NOBODY)  # the tokens are the other user's own
    (shared_home / "default.sqlite3").chmod(0o444)
    shared_home.chmod(0o777)
    result = _run(shared_home, "sync")
    assert result.returncode == 1
    assert "unexpected error" not in result.stderr
    assert "the database cannot be written" in result.stderr
    assert "write access" in result.stderr
