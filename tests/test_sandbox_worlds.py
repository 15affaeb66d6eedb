"""The sandbox's worlds: `serve --world NAME` names what exists instead of a traceback,
`worlds` lists them, `big` is a few hundred shows that all match, and `serve --env` prints
the lines to export."""

from __future__ import annotations

import io
import shlex
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.__main__ import main as fakes_main
from trakt_sync.fakes.big_world import BIG_SHOWS, big_world
from trakt_sync.fakes.world import World


def test_worlds_lists_the_built_in_worlds(capsys: pytest.CaptureFixture[str]) -> None:
    assert fakes_main(["worlds"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names[:2] == ["demo", "big"]


def test_an_unknown_world_is_a_message_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "trakt_sync.fakes", "serve", "--world", "huge"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no such world: huge (worlds: demo, big" in result.stderr


def test_serve_big_starts(tmp_path) -> None:
    port_file = tmp_path / "urls.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trakt_sync.fakes",
            "serve",
            "--world",
            "big",
            "--port-file",
            str(port_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert b'"trakt": "http://127.0.0.1:' in process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)


class TestBigWorld:
    @pytest.fixture
    def demo_world(self) -> World:
        return big_world()

    def test_a_few_hundred_shows_that_all_match(self, logged_in: Sandbox, cli) -> None:
        world = logged_in.trakt.world
        assert len(world["trakt"]["shows"]) >= BIG_SHOWS
        result = cli("sync", "--json")
        assert result.code == 0, result.err
        import json

        counts = json.loads(result.out)
        plays = len(world["trakt"]["history"])
        assert counts["fetched"] == plays > 2000
        # Only the demo's show that nobody indexed stays unmatched; nothing fails.
        assert counts["unmatched"] == 1 and counts["failed"] == 0


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync.fakes", "serve", "--world", "demo", "--env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("# Bangumi token"):
            lines.append(process.stdout.readline().rstrip("\n"))
        yield lines
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_env_prints_lines_that_point_trakt_sync_at_the_fakes(
    exported: list[str], cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for line in exported:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            assert name.startswith("TRAKT_SYNC_")
            monkeypatch.setenv(name, shlex.split(value)[0])
    assert cli("auth").code == 0
    token = shlex.split(exported[-1])[-6]  # "# Bangumi token of demo: echo TOKEN | …"
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    assert cli("auth", "bangumi", "--with-token").code == 0
    assert cli("sync").code == 0
