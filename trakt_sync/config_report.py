"""``config check`` as data: the file, whether it is valid, and each profile's next fire
times and warnings. The CLI prints it; the web page's Settings shows it."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from trakt_sync.config import read_toml, secret_keys
from trakt_sync.config_sections import Settings
from trakt_sync.errors import EXIT_CONFIG, ConfigError
from trakt_sync.redact import SecretRegistry

FIRES_SHOWN = 5


def check_data(
    path: Path, *, must_exist: bool, registry: SecretRegistry, now: datetime
) -> dict[str, Any]:
    """The file, whether it is valid, and each profile's next fire times and warnings."""
    from trakt_sync.config import load_profiles
    from trakt_sync.scheduler import next_fires, schedule_warnings, zone

    data: dict[str, Any] = {
        "file": str(path),
        "file_exists": path.exists(),
        "valid": False,
        "ready": False,
        "error": None,
        "exit_code": EXIT_CONFIG,
        "profiles": [],
    }
    try:
        profiles = load_profiles(path, must_exist=must_exist)
    except ConfigError as exc:
        data["error"] = registry.redact(str(exc))
        return data
    for name, settings in profiles.items():
        schedule, tz = settings.sync.schedule, zone(settings.sync.timezone)
        data["profiles"].append(
            {
                "name": name,
                "schedule": schedule,
                "timezone": settings.sync.timezone,
                "next_fires": [f.isoformat() for f in next_fires(schedule, tz, now, FIRES_SHOWN)],
                "warnings": [f"sync.schedule: {w}" for w in schedule_warnings(schedule)],
                # What `auth` and `sync` need that a valid file can still lack (issue 20.5).
                "problems": readiness_problems(settings),
            }
        )
    problems = sum(len(profile["problems"]) for profile in data["profiles"])
    data.update(valid=True, ready=not problems, exit_code=EXIT_CONFIG if problems else 0)
    if problems:
        data["error"] = f"{path}: valid, but {problems} problem(s) would stop `auth` or `sync`"
    return data


def secrets_in(raw: dict[str, Any]) -> list[str]:
    """The secret settings the file's data holds, by full key path."""
    found = []
    scopes = [("", raw)] + [
        (f"profiles.{name}.", body)
        for name, body in (raw.get("profiles") or {}).items()
        if isinstance(body, dict)
    ]
    for prefix, data in scopes:
        for section, key in secret_keys():
            values = data.get(section)
            if isinstance(values, dict) and values.get(key):
                found.append(f"{prefix}{section}.{key}")
    return found


def exposed_secrets_warning(path: Path) -> str | None:
    """A warning when the file holds a secret and others (group or world) may read it."""
    if os.name != "posix":
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & (stat.S_IRGRP | stat.S_IROTH):
            return None
        secrets = secrets_in(read_toml(path))
    except (OSError, ConfigError):
        return None
    if not secrets:
        return None
    return (
        f"{path} holds {', '.join(secrets)} and others can read it (mode {mode:04o}); "
        f"run `chmod 600 {path}`"
    )


def readiness_problems(settings: Settings) -> list[str]:
    """What `auth` and `sync` need that the settings lack (a valid file can still miss it)."""
    from trakt_sync.trakt_app import NO_CLIENT_ID

    problems = []
    if not settings.trakt.app_client_id():  # the configured one, else this build's public one
        problems.append(f"{NO_CLIENT_ID}; `auth` and `sync` need it")
    return problems
