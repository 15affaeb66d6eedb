"""Bug 17: the README's sandbox, tried by hand. `python -m trakt_sync.fakes serve` approves
every device login (not only its first), and `--world demo` has the demo's unmatched show,
so `unmatched → explain → map add` can be repeated."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trakt_sync.fakes.world import UNFINDABLE_SHOW, UNFINDABLE_SUBJECT


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The fakes as `serve --world demo` runs them, with the app's env pointing at them."""
    process = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync.fakes", "serve", "--world", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        urls = json.loads(process.stdout.readline())
        env = {
            "TRAKT_SYNC_TRAKT__CLIENT_ID": urls["trakt_client_id"],
            "TRAKT_SYNC_TRAKT__API_URL": urls["trakt"],
            "TRAKT_SYNC_TRAKT__AUTH_URL": urls["trakt"],
            "TRAKT_SYNC_BANGUMI__API_URL": urls["bangumi"],
            "TRAKT_SYNC_MATCHING__BANGUMI_DATA_URL": urls["bangumi_data"],
            "TRAKT_SYNC_MATCHING__ID_TABLE_URL": urls["id_table"],
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield urls
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_every_login_is_approved_and_the_unmatched_walkthrough_works(
    served: dict[str, Any], cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("auth").code == 0
    token = served["bangumi_tokens"]["demo"]
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    assert cli("auth", "bangumi", "--with-token").code == 0

    assert cli("sync").code == 0
    unmatched = json.loads(cli("unmatched", "--json").out)
    assert [group["title"] for group in unmatched] == ["Mystery Anime Nobody Indexed"]
    assert cli("explain", "mystery-anime", "--season", "1", "--episode", "1").code == 0
    added = cli("map", "add", f"trakt:{UNFINDABLE_SHOW}", "S1", str(UNFINDABLE_SUBJECT))
    assert added.code == 0, added.err
    assert cli("sync").code == 0
    assert json.loads(cli("unmatched", "--json").out) == []

    # Logging in again (as after `auth logout`) is approved too, not left pending until
    # the code expires.
    again = cli("auth")
    assert again.code == 0, again.err
