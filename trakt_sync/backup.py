"""The backup file of ``trakt-sync export FILE`` / ``import FILE``: every profile's settings
and overrides in one TOML file, never a token or other secret.

The file holds the configuration file's own data (what the user wrote, every profile
included) without its secrets — the secret keys, and URLs with credentials in them — and
each profile's overrides in the format ``map export`` writes::

    version = 1
    [settings.sync]
    schedule = "0 3 * * *"
    [settings.profiles.partner.bangumi]
    user_agent = "partner/trakt-sync"
    [[profiles.default.overrides]]
    show = "trakt:185614"
    ...

Settings given by environment variables belong to the environment and are not in it.
:func:`read_backup` checks a file's shape, its profile names and overrides, and refuses one
that carries a secret; ``restore`` plans and applies an import.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from trakt_sync.config import profile_names, read_toml, secret_keys, validate_profiles
from trakt_sync.errors import ConfigError
from trakt_sync.i18n import N_
from trakt_sync.matching.overrides import Override
from trakt_sync.paths import StatePaths, check_profile_name
from trakt_sync.redact import url_secrets
from trakt_sync.store import Store

VERSION = 1
HEADER = (
    "# trakt-sync backup: every profile's settings and overrides; no token or secret.\n"
    "# Restore with `trakt-sync import FILE`.\n"
)


# -- settings without secrets -----------------------------------------------------------


def _is_secret(section: str, key: str, value: Any) -> bool:
    """A secret key, or a URL with credentials in it (``user:pass@``, ``?access_token=``)."""
    if (section, key) in set(secret_keys()):
        return True
    return (
        (key == "url" or key.endswith("_url"))
        and isinstance(value, str)
        and bool(url_secrets(value))
    )


def _sections_without_secrets(sections: dict[str, Any]) -> dict[str, Any]:
    kept = {
        name: (
            {k: v for k, v in values.items() if not _is_secret(name, k, v)}
            if isinstance(values, dict)
            else values
        )
        for name, values in sections.items()
    }
    return {name: values for name, values in kept.items() if values != {}}


def without_secrets(raw: dict[str, Any]) -> dict[str, Any]:
    """The configuration file's data with every secret taken out, profiles included."""
    data = _sections_without_secrets({k: v for k, v in raw.items() if k != "profiles"})
    profiles = raw.get("profiles")
    if isinstance(profiles, dict):
        data["profiles"] = {
            name: _sections_without_secrets(sections) if isinstance(sections, dict) else sections
            for name, sections in profiles.items()
        }
    return data


def secrets_in(raw: dict[str, Any], prefix: str = "") -> list[str]:
    """The full keys of the secrets in the configuration data ``raw``."""
    found = [
        f"{prefix}{section}.{key}"
        for section, values in raw.items()
        if section != "profiles" and isinstance(values, dict)
        for key, value in values.items()
        if _is_secret(section, key, value)
    ]
    profiles = raw.get("profiles")
    if isinstance(profiles, dict):
        for name, sections in profiles.items():
            if isinstance(sections, dict):
                found += secrets_in(sections, f"{prefix}profiles.{name}.")
    return found


# -- export -----------------------------------------------------------------------------


@dataclass
class ExportResult:
    profiles: list[str]
    overrides: dict[str, int]
    left_out: list[str]  # the secrets of the configuration file, by full key


def stored_overrides(paths: StatePaths, profile: str) -> list[dict[str, Any]]:
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
    overrides = {name: stored_overrides(paths, name) for name in names}
    document: dict[str, Any] = {"version": VERSION, "settings": without_secrets(raw)}
    document["profiles"] = {name: {"overrides": specs} for name, specs in overrides.items()}
    write_private(out, HEADER + tomli_w.dumps(document))
    return ExportResult(
        names, {name: len(specs) for name, specs in overrides.items()}, secrets_in(raw)
    )


def write_private(path: Path, text: str | bytes) -> None:
    """Write through a 0600 temporary file and an atomic rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode() if isinstance(text, str) else text)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError.said(
            N_("{path}: cannot write: {reason}"), path=path, reason=exc.strerror
        ) from None


# -- import -----------------------------------------------------------------------------


@dataclass
class Backup:
    """A backup file read and checked: nothing written yet."""

    path: Path
    settings: dict[str, Any]
    overrides: dict[str, list[Override]]


def read_backup(path: Path) -> Backup:
    """Read a backup file and check its shape and overrides; ConfigError naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError.said(
            N_("{path}: cannot read: {reason}"), path=path, reason=exc.strerror
        ) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError.said(
            N_("{path}: not a TOML backup: {error}"), path=path, error=exc
        ) from None
    if data.get("version") != VERSION:
        raise ConfigError.said(
            N_("{path}: version: expected {version} (a file from `trakt-sync export`), got {got}"),
            path=path,
            version=VERSION,
            got=repr(data.get("version")),
        )
    unknown = sorted(set(data) - {"version", "settings", "profiles"})
    if unknown:
        raise ConfigError.said(
            N_("{path}: {key}: unknown key (known: settings, profiles)"), path=path, key=unknown[0]
        )
    settings, profiles = data.get("settings") or {}, data.get("profiles") or {}
    if not isinstance(settings, dict) or not isinstance(profiles, dict):
        raise ConfigError.said(N_("{path}: settings and profiles must be tables"), path=path)
    secrets = secrets_in(settings, "settings.")
    if secrets:
        # An import keeps the secrets the configuration holds; a backup that brings its own
        # could swap in a token of someone else's, or point a URL's credentials elsewhere.
        raise ConfigError.said(
            N_(
                "{path}: {key}: a backup never carries secrets (`export` leaves them out); "
                "remove it and set it in the configuration file or the environment"
            ),
            path=path,
            key=secrets[0],
        )
    overrides: dict[str, list[Override]] = {}
    for name, entry in profiles.items():
        check_profile_name(name, f"{path}: profiles")
        specs = entry.get("overrides", []) if isinstance(entry, dict) else None
        if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
            raise ConfigError.said(
                N_("{path}: profiles.{name}.overrides: must be a list of tables"),
                path=path,
                name=name,
            )
        try:
            overrides[name] = [Override.from_dict(spec) for spec in specs]
        except ValueError as exc:
            raise ConfigError.said(
                N_("{path}: profiles.{name}.overrides: {error}"), path=path, name=name, error=exc
            ) from None
    return Backup(path, settings, overrides)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per setting added, changed or removed, by its full key, values as TOML."""
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
    """A value as the configuration file spells it (``"2m"``, ``false``)."""
    return tomli_w.dumps({"v": value}).removeprefix("v = ").strip()
