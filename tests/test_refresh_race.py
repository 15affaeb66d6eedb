"""One refresh token, two processes (issue 18 point 3, issue 26 point 7): every refresh runs
under the token store's refresh lock with the stored pair read again inside it, and a refusal
looks at the store once more before the login is given up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.conftest import Sandbox
from trakt_sync.paths import state_paths
from trakt_sync.tokens import TokenStore, TraktToken
from trakt_sync.trakt_auth import LoginEnded, TraktSession

# A process of its own that reads the Trakt user settings (an authenticated call) through the
# package's runtime, starting at the same instant as its twin.
TWIN = """
import sys, time
from trakt_sync.cli.state import CliState

start = float(sys.argv[1])
with CliState().runtime() as rt:
    while time.time() < start:
        time.sleep(0.005)
    print(rt.trakt.user_settings()["user"]["username"])
"""


def stored_pair(home: Path) -> dict[str, Any]:
    data = json.loads((home / "tokens.json").read_text())
    return dict(data["profiles"]["default"]["trakt"])


def test_two_processes_refreshing_one_pair_both_end_with_a_working_pair(
    logged_in: Sandbox, cli
) -> None:
    before = stored_pair(logged_in.home)
    logged_in.trakt.expire_access_tokens()  # both processes get a 401, then refresh
    # The refresh answer is slow, so the second process asks while the first one waits.
    logged_in.trakt.inject("POST", "^/oauth/token$", delay=1.0, times=2)
    start = time.time() + 2.0
    twins = [
        subprocess.Popen(
            [sys.executable, "-c", TWIN, str(start)],
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [twin.communicate(timeout=60) for twin in twins]
    for twin, (out, err) in zip(twins, results, strict=True):
        assert twin.returncode == 0, err
        assert out.strip() == "demo-user"
    # One of them refreshed; the other waited for the lock and used the pair it stored.
    assert logged_in.trakt.count("^/oauth/token$") == 1
    after = stored_pair(logged_in.home)
    assert after["refresh_token"] != before["refresh_token"]
    assert not after.get("rejected")
    assert cli("sync").code == 0  # the stored pair works: no new login needed
    assert json.loads(cli("auth", "status", "--json").out)["trakt"]["authenticated"] is True


class _Refuses:
    """Trakt refusing the refresh token; ``meanwhile`` runs first, as another process would
    that refreshed without the lock (an older trakt-sync)."""

    def __init__(self, meanwhile: Any = None) -> None:
        self.meanwhile = meanwhile
        self.asked = 0

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        self.asked += 1
        if self.meanwhile is not None:
            self.meanwhile()
        raise LoginEnded()


def _store(home: Path) -> TokenStore:
    return TokenStore(state_paths(), backend="file")


def _pair(name: str) -> TraktToken:
    now = int(time.time())
    return TraktToken(f"{name}-access", f"{name}-refresh", now + 86400, now, "demo-user")


def test_a_refused_refresh_uses_a_pair_stored_meanwhile_instead_of_failing(
    isolated_env: Path,
) -> None:
    tokens = _store(isolated_env)
    old, newer = _pair("old"), _pair("newer")
    tokens.save_trakt(old)
    oauth = _Refuses(meanwhile=lambda: tokens.save_trakt(newer))
    session = TraktSession(oauth, tokens)  # type: ignore[arg-type]

    assert session.refresh(old) == newer
    assert tokens.load_trakt() == newer  # not marked rejected


def test_a_refused_refresh_of_the_stored_pair_marks_it_rejected(isolated_env: Path) -> None:
    tokens = _store(isolated_env)
    old = _pair("old")
    tokens.save_trakt(old)
    session = TraktSession(_Refuses(), tokens)  # type: ignore[arg-type]

    try:
        session.refresh(old)
    except LoginEnded as exc:
        assert "ended on Trakt's side" in str(exc)
    else:
        raise AssertionError("a refused refresh must end the login")
    assert tokens.load_trakt() == replace(old, rejected=True)


def test_a_pair_renewed_by_another_process_is_used_without_asking_trakt(
    isolated_env: Path,
) -> None:
    tokens = _store(isolated_env)
    old, newer = _pair("old"), _pair("newer")
    tokens.save_trakt(newer)  # another process refreshed `old` before this one got the lock
    oauth = _Refuses()
    session = TraktSession(oauth, tokens)  # type: ignore[arg-type]

    assert session.refresh(old) == newer
    assert oauth.asked == 0
