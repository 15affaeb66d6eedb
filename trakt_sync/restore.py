"""``trakt-sync import FILE``: plan what a backup would change, then apply that plan.

:func:`plan_import` checks everything and writes nothing: the backup's settings as the
configuration loader will read them, its overrides, and which service URLs would change.
The CLI shows the plan and asks (or wants ``--yes``); :func:`apply_import` then keeps the
previous file as ``config.toml.bak`` (0600), writes the new one and adds the overrides.

Two ways to take the settings: *replace* (the default) makes the file's settings the
backup's, keeping the secrets the file holds; *merge* keeps every setting the backup does
not name. A URL change of a service that is sent credentials (Trakt, Bangumi, the sink) is
reported apart, as those credentials would go to the new address.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from trakt_sync.backup import (
    Backup,
    changes,
    secrets_in,
    stored_overrides,
    without_secrets,
    write_private,
)
from trakt_sync.config import Settings, read_toml, validate_profiles
from trakt_sync.errors import ConfigError, TraktSyncError
from trakt_sync.i18n import N_
from trakt_sync.mapping_ops import import_overrides
from trakt_sync.paths import DEFAULT_PROFILE, StatePaths
from trakt_sync.redact import mask_url
from trakt_sync.store import Store
from trakt_sync.tokens import TokenStore

# The URLs credentials are sent to, and which.
CREDENTIAL_URLS = {
    ("trakt", "api_url"): "the Trakt tokens",
    ("trakt", "auth_url"): "the Trakt tokens and client secret",
    ("bangumi", "api_url"): "the Bangumi token",
    ("sink", "url"): "the sink key",
}
# (profile, "trakt" | "bangumi") → whether a login is stored for it.
LoginCheck = Callable[[str, str], bool]


@dataclass
class ImportPlan:
    """What an import would do; nothing is written by making one."""

    backup: Backup
    config_path: Path
    current_bytes: bytes | None  # the file as it was read (None: no file yet)
    settings: dict[str, Any]  # the new configuration data, secrets included
    settings_changes: list[str]
    url_changes: list[str]
    overrides_new: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    overrides_given: dict[str, int] = field(default_factory=dict)

    @property
    def settings_change(self) -> bool:
        return bool(self.settings_changes)

    @property
    def changes_anything(self) -> bool:
        return self.settings_change or any(self.overrides_new.values())

    @property
    def backup_path(self) -> Path:
        return bak_path(self.config_path)


def bak_path(config_path: Path) -> Path:
    return config_path.with_name(config_path.name + ".bak")


def plan_import(
    backup: Backup,
    config_path: Path,
    paths: StatePaths,
    *,
    merge: bool = False,
    logged_in: LoginCheck | None = None,
) -> ImportPlan:
    """Check the backup against this configuration; ConfigError naming what is wrong.
    ``logged_in`` tells which services hold a stored token (default: each profile's
    token store says)."""
    try:
        current_bytes: bytes | None = config_path.read_bytes()
    except FileNotFoundError:
        current_bytes = None
    except OSError as exc:
        raise ConfigError.said(
            N_("{path}: cannot read: {reason}"), path=config_path, reason=exc.strerror
        ) from None
    current = read_toml(config_path)
    new = _merged(current, backup.settings) if merge else _with_secrets_of(backup.settings, current)
    # Checked as the configuration loader will read it, errors naming the backup's keys.
    after = validate_profiles(new, Path(f"{backup.path} [settings]"))
    strays = sorted(set(backup.overrides) - set(after))
    if strays:
        raise ConfigError.said(
            N_("{path}: profiles.{name}: overrides for a profile the settings do not define"),
            path=backup.path,
            name=strays[0],
        )
    plan = ImportPlan(
        backup,
        config_path,
        current_bytes,
        new,
        settings_changes=changes(without_secrets(current), without_secrets(new)),
        url_changes=_url_changes(
            _effective(current, config_path),
            after,
            logged_in or stored_logins(paths, {n: s.secrets.backend for n, s in after.items()}),
        ),
    )
    for name, overrides in backup.overrides.items():
        stored = {json.dumps(spec, sort_keys=True) for spec in stored_overrides(paths, name)}
        specs = [o.to_dict() for o in overrides]
        plan.overrides_given[name] = len(specs)
        plan.overrides_new[name] = [
            spec for spec in specs if json.dumps(spec, sort_keys=True) not in stored
        ]
    return plan


def apply_import(plan: ImportPlan, paths: StatePaths) -> dict[str, int]:
    """Write the plan: the previous file to ``.bak``, the new file, then the overrides.
    Returns how many overrides each profile gained."""
    try:
        now = plan.config_path.read_bytes()
    except FileNotFoundError:
        now = None
    except OSError as exc:
        raise ConfigError.said(
            N_("{path}: cannot read: {reason}"), path=plan.config_path, reason=exc.strerror
        ) from None
    if now != plan.current_bytes:
        raise ConfigError.said(
            N_("{path}: changed since the import was checked; try again"), path=plan.config_path
        )
    to_add = {name: specs for name, specs in plan.overrides_new.items() if specs}
    stores: dict[str, Store] = {}
    try:
        if to_add:
            paths.ensure()  # a state directory that cannot be written fails before any write
            stores = {name: Store(paths.database(name)) for name in to_add}
        if plan.settings_change:
            if plan.current_bytes is not None:
                write_private(plan.backup_path, plan.current_bytes)
            write_private(plan.config_path, tomli_w.dumps(plan.settings))
        added = dict.fromkeys(plan.overrides_given, 0)
        for name, store in stores.items():
            added[name] = import_overrides(store, plan.backup.overrides[name])
        return added
    finally:
        for store in stores.values():
            store.close()


# -- settings ---------------------------------------------------------------------------


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _with_secrets_of(settings: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """``settings`` plus the secrets ``current`` holds (a profile's only while the backup
    keeps the profile): a backup never carries any, so none is replaced."""
    kept: dict[str, Any] = {}
    for key in secrets_in(current):
        parts = key.split(".")
        if parts[0] == "profiles" and parts[1] not in (settings.get("profiles") or {}):
            continue
        value: Any = current
        for part in parts:
            value = value[part]
        target = kept
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return _merged(settings, kept)


def _effective(current: dict[str, Any], config_path: Path) -> dict[str, Settings]:
    """Each profile of the file as it is; the defaults when it does not validate."""
    try:
        return validate_profiles(current, config_path)
    except ConfigError:
        return validate_profiles({}, config_path)


def _url_changes(
    before: dict[str, Settings], after: dict[str, Settings], logged_in: LoginCheck
) -> list[str]:
    """One line per profile and URL that would change while credentials are sent to it,
    effective values compared (a new profile against the default one, whose secrets it
    inherits)."""
    lines = []
    for name, settings in after.items():
        old = before.get(name) or before[DEFAULT_PROFILE]
        for (section, key), what in CREDENTIAL_URLS.items():
            was = getattr(getattr(old, section), key)
            now = getattr(getattr(settings, section), key)
            if now and was != now and _holds_credential(settings, name, section, logged_in):
                lines.append(
                    f"profile {name}: {section}.{key}: {mask_url(was) if was else '(none)'} → "
                    f"{mask_url(now)} ({what} would be sent there)"
                )
    return lines


def _holds_credential(
    settings: Settings, profile: str, section: str, logged_in: LoginCheck
) -> bool:
    if section == "sink":
        return settings.sink.key is not None
    if section == "trakt" and settings.trakt.client_secret.get_secret_value():
        return True
    if section == "bangumi" and settings.bangumi.token is not None:
        return True
    return logged_in(profile, section)


def stored_logins(paths: StatePaths, backends: dict[str, str]) -> LoginCheck:
    """A :data:`LoginCheck` reading each profile's token store (``backends``: each
    profile's ``secrets.backend``); a store it cannot read counts as holding a login."""

    def check(profile: str, service: str) -> bool:
        store = TokenStore(paths, backend=backends.get(profile, "auto"), profile=profile)
        try:
            token = store.load_trakt() if service == "trakt" else store.load_bangumi()
        except TraktSyncError:
            return True
        return token is not None

    return check


__all__ = ["ImportPlan", "apply_import", "bak_path", "plan_import", "stored_logins"]
