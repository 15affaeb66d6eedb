"""``trakt-sync export FILE`` / ``import FILE``: every profile's settings and overrides in
one TOML file, never a token or other secret.

The file holds the configuration file's own data (what the user wrote, every profile
included) without its secret keys, and each profile's overrides in the format
``map export`` writes::

    version = 1
    [settings.sync]
    schedule = "0 3 * * *"
    [settings.profiles.partner.bangumi]
    user_agent = "partner/trakt-sync"
    [[profiles.default.overrides]]
    show = "trakt:185614"
    ...

Settings given by environment variables belong to the environment and are not in it.
An import checks the whole file first (its shape, every profile's settings as the config
loader would, every override), then replaces the configuration file's settings with the
file's — keeping the secrets the current file holds — and adds the overrides each
profile does not have yet.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from trakt_sync.config import profile_names, read_toml, secret_keys, validate_profiles
from trakt_sync.errors import ConfigError
from trakt_sync.mapping_ops import import_overrides
from trakt_sync.matching.overrides import Override
from trakt_sync.paths import StatePaths
from trakt_sync.store import Store

VERSION = 1
HEADER = (
    "# trakt-sync backup: every profile's settings and overrides; no token or secret.\n"
    "# Restore with `trakt-sync import FILE`.\n"
)


# -- settings without secrets -----------------------------------------------------------


def _sections_without_secrets(sections: dict[str, Any]) -> dict[str, Any]:
    secret = set(secret_keys())
    kept = {
        name: (
            {k: v for k, v in values.items() if (name, k) not in secret}
            if isinstance(values, dict)
            else values
        )
        for name, values in sections.items()
    }
    return {name: values for name, values in kept.items() if values != {}}


def without_secrets(raw: dict[str, Any]) -> dict[str, Any]:
    """The configuration file's data with every secret key taken out, profiles included."""
    data = _sections_without_secrets({k: v for k, v in raw.items() if k != "profiles"})
    profiles = raw.get("profiles")
    if isinstance(profiles, dict):
        data["profiles"] = {
            name: _sections_without_secrets(sections) if isinstance(sections, dict) else sections
            for name, sections in profiles.items()
        }
    return data


def _with_secrets_of(settings: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """``settings`` plus the secrets ``current`` holds where their section is still there
    (a profile's secrets only while the profile is)."""
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in settings.items()}

    def keep(target: dict[str, Any], source: dict[str, Any]) -> None:
        for section, key in secret_keys():
            values = source.get(section)
            if isinstance(values, dict) and key in values:
                target.setdefault(section, {})[key] = values[key]

    keep(merged, current)
    profiles = merged.get("profiles")
    if isinstance(profiles, dict):
        merged["profiles"] = profiles = {
            name: {s: dict(v) if isinstance(v, dict) else v for s, v in sections.items()}
            if isinstance(sections, dict)
            else sections
            for name, sections in profiles.items()
        }
        for name, sections in (current.get("profiles") or {}).items():
            if name in profiles and isinstance(sections, dict):
                keep(profiles[name], sections)
    return merged


# -- export -----------------------------------------------------------------------------


@dataclass
class ExportResult:
    profiles: list[str]
    overrides: dict[str, int]


def _stored_overrides(paths: StatePaths, profile: str) -> list[dict[str, Any]]:
    database = paths.database(profile)
    if not database.exists():
        return []  # a profile that never ran has none (and gets no database from a backup)
    store = Store(database)
    try:
        return store.overrides()
    finally:
        store.close()


def export_backup(config_path: Path, paths: StatePaths, out: Path) -> ExportResult:
    """Write the backup of every profile to ``out``; the configuration must be valid."""
    raw = read_toml(config_path)
    validate_profiles(raw, config_path)
    names = profile_names(raw)
    overrides = {name: _stored_overrides(paths, name) for name in names}
    document: dict[str, Any] = {"version": VERSION, "settings": without_secrets(raw)}
    document["profiles"] = {name: {"overrides": specs} for name, specs in overrides.items()}
    _write_private(out, HEADER + tomli_w.dumps(document))
    return ExportResult(names, {name: len(specs) for name, specs in overrides.items()})


def _write_private(path: Path, text: str) -> None:
    """Write through a 0600 temporary file and an atomic rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from None


# -- import -----------------------------------------------------------------------------


@dataclass
class Backup:
    """A backup file read and checked: nothing written yet."""

    path: Path
    settings: dict[str, Any]
    overrides: dict[str, list[Override]]


@dataclass
class ImportResult:
    settings_changes: list[str] = field(default_factory=list)
    overrides_added: dict[str, int] = field(default_factory=dict)
    overrides_given: dict[str, int] = field(default_factory=dict)


def read_backup(path: Path) -> Backup:
    """Read a backup file and check its shape and overrides; ConfigError naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a TOML backup: {exc}") from None
    if data.get("version") != VERSION:
        raise ConfigError(
            f"{path}: version: expected {VERSION} (a file from `trakt-sync export`), "
            f"got {data.get('version')!r}"
        )
    unknown = sorted(set(data) - {"version", "settings", "profiles"})
    if unknown:
        raise ConfigError(f"{path}: {unknown[0]}: unknown key (known: settings, profiles)")
    settings, profiles = data.get("settings") or {}, data.get("profiles") or {}
    if not isinstance(settings, dict) or not isinstance(profiles, dict):
        raise ConfigError(f"{path}: settings and profiles must be tables")
    overrides: dict[str, list[Override]] = {}
    for name, entry in profiles.items():
        specs = entry.get("overrides", []) if isinstance(entry, dict) else None
        if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
            raise ConfigError(f"{path}: profiles.{name}.overrides: must be a list of tables")
        try:
            overrides[name] = [Override.from_dict(spec) for spec in specs]
        except ValueError as exc:
            raise ConfigError(f"{path}: profiles.{name}.overrides: {exc}") from None
    return Backup(path, settings, overrides)


def import_backup(backup: Backup, config_path: Path, paths: StatePaths) -> ImportResult:
    """Check the backup against this configuration, then write it; say what changed."""
    current = read_toml(config_path)
    merged = _with_secrets_of(backup.settings, current)
    # Checked as the configuration loader will read it, errors naming the backup's keys.
    names = validate_profiles(merged, Path(f"{backup.path} [settings]"))
    strays = sorted(set(backup.overrides) - set(names))
    if strays:
        raise ConfigError(
            f"{backup.path}: profiles.{strays[0]}: overrides for a profile the settings "
            "do not define"
        )
    result = ImportResult(
        settings_changes=changes(without_secrets(current), without_secrets(backup.settings))
    )
    if merged != current:
        _write_private(config_path, tomli_w.dumps(merged))
    for name, overrides in backup.overrides.items():
        result.overrides_given[name] = len(overrides)
        if not overrides:
            result.overrides_added[name] = 0
            continue
        paths.ensure()
        store = Store(paths.database(name))
        try:
            result.overrides_added[name] = import_overrides(store, overrides)
        finally:
            store.close()
    return result


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per setting added, changed or removed, by its full key."""
    old, new = _flatten(before), _flatten(after)
    lines = []
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            lines.append(f"+ {key} = {_toml(new[key])}")
        elif key not in new:
            lines.append(f"- {key} (was {_toml(old[key])})")
        elif old[key] != new[key]:
            lines.append(f"  {key}: {_toml(old[key])} → {_toml(new[key])}")
    return lines


def _toml(value: Any) -> str:
    """A value as the config file writes it (``false``, ``"2m"``), not as Python would."""
    import tomlkit

    return tomlkit.item(value).as_string()
