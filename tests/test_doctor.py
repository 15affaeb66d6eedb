"""`trakt-sync doctor`: one line per check, exit 1 when any fails, and the services asked
through the same clients (and proxy) a sync uses."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import Sandbox
from tests.test_network import Proxy
from trakt_sync.paths import state_paths


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def checks(cli, *args: str) -> tuple[int, dict[str, dict[str, str]]]:
    result = cli(*args, "doctor", "--json")
    document = json.loads(result.out)
    return result.code, {check["name"]: check for check in document["checks"]}


def test_all_well_after_logging_in(logged_in: Sandbox, cli) -> None:
    result = cli("doctor")
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    names = [re.split(r"\s{2,}", line)[1] for line in lines]
    assert names == [
        "config",
        "state directory",
        "keyring",
        "Trakt",
        "Trakt token",
        "Bangumi",
        "Bangumi token",
        "bangumi-data",
        "id table",
        "daemon",
    ]
    assert all(line.startswith(("ok  ", "warn")) for line in lines), result.out
    assert "accepted, logged in as demo-user (tokens in file)" in result.out
    assert "accepted, user demo (token stored in the file)" in result.out
    assert "not used: secrets.backend = file" in result.out
    assert "not running" in result.out
    # Each token was checked with the service, not only read from the store.
    assert logged_in.trakt.count("/users/settings") == 1
    assert logged_in.bangumi.count("/v0/me") == 1


def test_not_logged_in_fails_with_what_to_run(sandbox: Sandbox, cli) -> None:
    code, found = checks(cli)
    assert code == 1
    assert found["Trakt token"] == {
        "name": "Trakt token",
        "status": "fail",
        "detail": "not logged in: run `trakt-sync auth`",
    }
    assert found["Bangumi token"]["status"] == "fail"
    assert found["Trakt"]["status"] == "ok" and found["Bangumi"]["status"] == "ok"


def test_a_rejected_env_token_names_the_variable(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__TOKEN", "not-a-token")
    code, found = checks(cli)
    assert code == 1
    detail = found["Bangumi token"]["detail"]
    assert "rejected by Bangumi" in detail and "change TRAKT_SYNC_BANGUMI__TOKEN" in detail
    assert "not-a-token" not in json.dumps(found)


def test_an_unreachable_service_is_named_with_the_error(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__API_URL", f"http://127.0.0.1:{port}")
    code, found = checks(cli)
    assert code == 1
    assert found["Trakt"]["status"] == "fail"
    assert found["Trakt"]["detail"] == (
        f"cannot reach it: connection refused by 127.0.0.1:{port}"
    ), found["Trakt"]
    assert found["Trakt token"] == {
        "name": "Trakt token",
        "status": "skip",
        "detail": "not checked: Trakt did not answer",
    }
    assert found["Bangumi"]["status"] == "ok" and found["Bangumi token"]["status"] == "ok"


def test_the_services_are_asked_through_the_proxy(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy that does not answer fails every service check: the clients use it."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    code, found = checks(cli)
    assert code == 1
    for name in ("Trakt", "Bangumi", "bangumi-data"):
        assert found[name]["status"] == "fail", found[name]
        assert "proxy" in found[name]["detail"], found[name]


@pytest.fixture
def forwarding_proxy() -> Iterator[Proxy]:
    server = Proxy()
    yield server
    server.shutdown()
    server.server_close()


def test_network_proxy_carries_the_checks_and_is_named(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch, forwarding_proxy: Proxy
) -> None:
    proxy = forwarding_proxy
    monkeypatch.setenv("TRAKT_SYNC_NETWORK__PROXY", proxy.url)
    code, found = checks(cli)
    assert code == 0, found
    for name in ("Trakt", "Bangumi", "bangumi-data"):
        assert found[name]["detail"].endswith(f"through the proxy {proxy.url}"), found[name]
    served = set(proxy.hosts)
    for fake in (logged_in.trakt, logged_in.bangumi):
        assert urlsplit(fake.url).netloc in served
    assert logged_in.trakt.count("/users/settings") == 1  # the token too, through it


def test_state_directory_permissions(logged_in: Sandbox, cli) -> None:
    paths = state_paths()
    paths.state_dir.chmod(0o755)
    code, found = checks(cli)
    assert code == 0 and found["state directory"]["status"] == "warn"
    assert "mode 0755" in found["state directory"]["detail"]
    paths.token_file.chmod(0o644)
    code, found = checks(cli)
    assert code == 1 and found["state directory"]["status"] == "fail"
    assert "tokens.json is mode 0644, not 0600" in found["state directory"]["detail"]


def test_a_bad_config_fails_first_and_skips_the_rest(sandbox: Sandbox, cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[sync]\nschedule = 'never'\n")
    result = cli("--config", str(bad), "doctor")
    assert result.code == 78
    first, *rest = result.out.splitlines()
    assert first.startswith("FAIL  config") and "sync.schedule" in first
    assert rest and all(line.startswith("skip") for line in rest)


def test_the_daemon_line_judges_the_heartbeat_as_status_does(logged_in: Sandbox, cli) -> None:
    from trakt_sync import heartbeat
    from trakt_sync.timeutil import utcnow

    beat = state_paths().heartbeat_file
    heartbeat.write(beat, utcnow(), heartbeat.RUNNING, ["default"])  # this process: alive
    code, found = checks(cli)
    assert found["daemon"]["status"] == "ok" and found["daemon"]["detail"].startswith("running")
    heartbeat.write(beat, utcnow(), heartbeat.STOPPED, ["default"])
    code, found = checks(cli)
    assert found["daemon"]["detail"].startswith("not running: stopped")
    beat.write_text("2020-01-01T00:00:00Z\n")  # an old beat of an earlier version
    code, found = checks(cli)
    assert found["daemon"]["status"] == "warn" and "stale" in found["daemon"]["detail"]
    assert code == 0  # a warning does not fail
