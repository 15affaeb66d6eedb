"""HTTP clients are built on first use and share one TLS context (issue 13)."""

from __future__ import annotations

from tests.conftest import Sandbox
from trakt_sync.cli.state import CliState
from trakt_sync.engine import SyncOptions
from trakt_sync.httpclient import tls_context
from trakt_sync.syncjob import run_sync


def built(client: object) -> bool:
    return "http" in vars(client)


def test_a_no_op_sync_builds_only_the_trakt_client(logged_in: Sandbox, cli) -> None:
    assert cli("sync").code == 0  # the first sync; the next one finds nothing new
    logged_in.trakt.reset_log()
    with CliState().runtime() as rt:
        result = run_sync(rt.sync_job(), SyncOptions())
        assert result.exit_code == 0
        assert len(logged_in.trakt.requests) == 1
        assert built(rt.trakt)
        assert not built(rt.trakt_oauth) and not built(rt.bangumi)


def test_every_client_verifies_with_the_one_tls_context(sandbox: Sandbox) -> None:
    with CliState().runtime() as rt:
        clients = (rt.trakt, rt.trakt_oauth, rt.bangumi)
        contexts = {id(c.http._transport._pool._ssl_context) for c in clients}  # type: ignore[attr-defined]
        assert contexts == {id(tls_context())}
