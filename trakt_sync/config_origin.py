"""Where each effective setting comes from (``config show --origin``), and settings shown
the way the file writes them (``5m``, not ``300.0``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from trakt_sync.config import Settings, read_toml
from trakt_sync.config_sections import ENV_PREFIX

# Settings given as durations (``"5m"``, ``"24h"``): shown the same way, not as seconds.
DURATION_KEYS = {
    ("sync", "history_overlap"),
    ("matching", "refresh_interval"),
    ("http", "retry_budget"),
}
_UNITS = (("d", 86400), ("h", 3600), ("m", 60))


def format_duration(seconds: float) -> str:
    """``300`` → ``"5m"``, ``86400`` → ``"24h"`` (hours up to two days), ``90`` → ``"90s"``."""
    whole = int(seconds)
    if whole != seconds or whole == 0:
        return f"{seconds:g}s"
    for unit, size in _UNITS:
        if whole % size == 0 and not (unit == "d" and whole <= 2 * 86400):
            return f"{whole // size}{unit}"
    return f"{whole}s"


def env_name(section: str, key: str) -> str:
    return f"{ENV_PREFIX}{section.upper()}__{key.upper()}"


def env_value(name: str) -> str | None:
    """The variable's value; pydantic-settings reads names without regard to case."""
    for candidate, value in os.environ.items():
        if candidate.upper() == name:
            return value
    return None


def origins(path: Path, profile: str, *, must_exist: bool = False) -> dict[str, str]:
    """``"section.key"`` → where its effective value comes from: ``env NAME``,
    ``PATH [profiles.P.section]``, ``PATH [section]`` or ``default``."""
    raw = read_toml(path, must_exist=must_exist)
    profile_raw = ((raw.get("profiles") or {}).get(profile) or {}) if profile else {}
    found: dict[str, str] = {}
    for section, field in Settings.model_fields.items():
        model = field.annotation
        for key in getattr(model, "model_fields", {}):
            name = env_name(section, key)
            if env_value(name) is not None:
                origin = f"env {name}"
            elif key in (profile_raw.get(section) or {}):
                origin = f"{path} [profiles.{profile}.{section}]"
            elif key in (raw.get(section) or {}):
                origin = f"{path} [{section}]"
            else:
                origin = "default"
            found[f"{section}.{key}"] = origin
    return found


def as_written(
    data: dict[str, dict[str, Any]], path: Path, profile: str, *, must_exist: bool = False
) -> dict[str, dict[str, Any]]:
    """``Settings.redacted()`` with each duration as the file or variable wrote it (else as
    a duration like ``5m``), for printing as TOML."""
    raw = read_toml(path, must_exist=must_exist)
    profile_raw = (raw.get("profiles") or {}).get(profile) or {}
    shown = {section: dict(values) for section, values in data.items()}
    for section, key in DURATION_KEYS:
        given = env_value(env_name(section, key))
        if given is None:
            given = (profile_raw.get(section) or {}).get(key, (raw.get(section) or {}).get(key))
        value = shown[section][key]
        shown[section][key] = given.strip() if isinstance(given, str) else format_duration(value)
    return shown
