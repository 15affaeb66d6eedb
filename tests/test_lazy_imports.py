"""``--help`` and ``--version`` load only Typer and the command table (issue 13).

Each command imports what it needs when it runs; a top-level import added to a command
module would put the libraries below back on every start. Checked in a fresh interpreter,
since this one has long imported them all.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import Sandbox

# Loaded by commands that do work, never for the command table.
HEAVY = (
    "httpx",
    "pydantic",
    "pydantic_settings",
    "rich",
    "croniter",
    "keyring",
    "tenacity",
    "sqlite3",
    "trakt_sync.config",
    "trakt_sync.runtime",
    "trakt_sync.engine",
    "trakt_sync.store",
    "trakt_sync.matching",
)

PROBE = """
import json, sys
from trakt_sync.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
loaded = sorted(name for name, module in sys.modules.items() if module is not None)
print(json.dumps({"code": code, "modules": loaded}), file=sys.stderr)
"""


def loaded_after(*args: str) -> tuple[int, str, set[str]]:
    """Exit code, stdout and the modules loaded by ``trakt-sync ARGS`` in a new process."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], done.stdout, set(report["modules"])


def heavy(modules: set[str]) -> list[str]:
    return sorted(
        name for name in modules if any(name == h or name.startswith(h + ".") for h in HEAVY)
    )


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_load_no_library_of_the_commands(args: list[str]) -> None:
    code, out, modules = loaded_after(*args)
    assert code == 0
    assert out.startswith(("Usage: trakt-sync", "trakt-sync "))
    assert heavy(modules) == []


def test_the_probe_sees_what_a_command_loads() -> None:
    # `config check` validates settings: pydantic and the config module are loaded.
    code, _, modules = loaded_after("config", "check")
    assert code == 78  # no trakt.client_id here: valid, but not ready for `auth`
    assert {"pydantic", "trakt_sync.config"} <= set(heavy(modules))


def test_a_command_help_still_shows_its_options() -> None:
    code, out, _ = loaded_after("sync", "--help")
    assert code == 0
    for option in ("--dry-run", "--full", "--since", "--retry-unmatched", "--json"):
        assert option in out, option


def test_a_sync_without_a_terminal_loads_no_rich(logged_in: Sandbox) -> None:
    # Rich styles only a terminal's output; httpx would load it for its own command line.
    code, _, modules = loaded_after("sync")
    assert code == 0
    assert "httpx" in modules
    assert not any(name.split(".")[0] in ("rich", "click", "pygments") for name in modules)


def test_a_sync_with_nothing_new_loads_no_matcher_schedule_or_sink(logged_in: Sandbox, cli) -> None:
    assert cli("sync").code == 0
    code, _, modules = loaded_after("sync")  # nothing new on Trakt since
    assert code == 0
    unneeded = (
        "croniter",
        "trakt_sync.scheduler",
        "trakt_sync.daemon",
        "trakt_sync.reports",
        "trakt_sync.sink",
        "trakt_sync.matching.matcher",
        "trakt_sync.matching.placement",
    )
    assert [name for name in unneeded if name in modules] == []
