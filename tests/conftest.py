"""Shared fixtures: every test gets its own state dir and config, and no ambient env."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from trakt_sync import i18n
from trakt_sync.cli.app import main
from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.sandbox import sandbox_env
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import BANGUMI_DATA_SAMPLE, World, load_world


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("TRAKT_SYNC_") or name.endswith("_PROXY") or name.endswith("_proxy"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()  # where a test writes the config file ($TRAKT_SYNC_HOME/config.toml)
    monkeypatch.setenv("TRAKT_SYNC_HOME", str(home))
    monkeypatch.setenv("TRAKT_SYNC_SECRETS__BACKEND", "file")
    # No test may reach the public id table; the sandbox points it at the fake CDN.
    monkeypatch.setenv("TRAKT_SYNC_MATCHING__ID_TABLE_URL", "")
    yield home


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process speaks Chinese for one test, as ``LANG=zh_CN.UTF-8`` makes it."""
    before = i18n.language()
    monkeypatch.delenv("LANGUAGE", raising=False)  # use() sets it; undone after the test
    i18n.use(i18n.CHINESE)
    try:
        yield
    finally:
        i18n.use(before)


@pytest.fixture
def demo_world() -> World:
    """A fresh copy of ``worlds/demo.json`` (safe to mutate before starting fakes)."""
    return load_world("demo")


@pytest.fixture
def fake_trakt(demo_world: World) -> Iterator[FakeTrakt]:
    with FakeTrakt(demo_world) as fake:
        yield fake


@pytest.fixture
def fake_bangumi(demo_world: World) -> Iterator[FakeBangumi]:
    with FakeBangumi(demo_world) as fake:
        yield fake


@pytest.fixture
def fake_cdn() -> Iterator[FakeDataCDN]:
    with FakeDataCDN(BANGUMI_DATA_SAMPLE) as fake:
        yield fake


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``trakt-sync ARGS`` in-process through the real entry point."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:
            code = 0
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@dataclass
class Sandbox:
    """Running fakes of Trakt, Bangumi and the bangumi-data CDN, with env pointing at them."""

    trakt: FakeTrakt
    bangumi: FakeBangumi
    cdn: FakeDataCDN
    home: Path
    bangumi_token: str = "bgm-demo-token"


@pytest.fixture
def sandbox(demo_world, isolated_env: Path, monkeypatch: pytest.MonkeyPatch):
    with (
        FakeTrakt(demo_world, device_interval=0) as trakt,
        FakeBangumi(demo_world) as bangumi,
        FakeDataCDN(BANGUMI_DATA_SAMPLE) as cdn,
    ):
        env = {
            **sandbox_env(trakt, bangumi, cdn),
            "TRAKT_SYNC_HTTP__BACKOFF_BASE": "0.01",
            "TRAKT_SYNC_HTTP__RETRY_BUDGET": "5",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield Sandbox(trakt, bangumi, cdn, isolated_env)


@pytest.fixture
def logged_in(sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """A sandbox where `auth` and `auth bangumi --with-token` have succeeded."""
    import io

    assert cli("auth").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(sandbox.bangumi_token + "\n"))
    assert cli("auth", "bangumi", "--with-token").code == 0
    sandbox.trakt.reset_log()
    sandbox.bangumi.reset_log()
    return sandbox
