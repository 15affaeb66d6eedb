"""``config set KEY VALUE``: change one setting in the config file, validated by the same
settings model as every load, comments and layout kept (tomlkit)."""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import Table

from trakt_sync.config import SECTIONS, secret_keys, validate_profiles
from trakt_sync.config_origin import env_name, env_value
from trakt_sync.errors import ConfigError
from trakt_sync.i18n import N_
from trakt_sync.paths import DEFAULT_PROFILE


@dataclass(frozen=True)
class SetResult:
    key: str  # the full key written: sync.schedule or profiles.work.sync.schedule
    old: str | None  # as TOML, None when it was not set; secrets as "***"
    new: str
    overridden_by: str | None  # an environment variable that wins over the file


def split_key(key: str, profile: str) -> tuple[str | None, str, str]:
    """(profile or None, section, key) from ``section.key`` (under ``profile`` unless it is
    the default) or ``profiles.NAME.section.key``."""
    parts = key.split(".")
    if len(parts) == 4 and parts[0] == "profiles":
        return parts[1], parts[2], parts[3]
    if len(parts) != 2:
        raise ConfigError.said(N_("{key}: expected SECTION.KEY, e.g. sync.schedule"), key=key)
    if parts[0] not in SECTIONS:
        raise ConfigError.said(
            N_("{key}: unknown section {section} (known: {known})"),
            key=key,
            section=repr(parts[0]),
            known=", ".join(SECTIONS),
        )
    return (None if profile == DEFAULT_PROFILE else profile), parts[0], parts[1]


def _candidates(text: str) -> list[Any]:
    """What VALUE may mean: a TOML value (``true``, ``250``, ``"x"``), then the text itself."""
    try:
        parsed = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return [text]
    return [parsed, text] if parsed != text else [parsed]


def _table(doc: tomlkit.TOMLDocument, profile: str | None, section: str) -> Table:
    container: Any = doc
    if profile is not None:
        if "profiles" not in doc:
            doc["profiles"] = tomlkit.table(is_super_table=True)
        container = doc["profiles"]
        if profile not in container:
            container[profile] = tomlkit.table(is_super_table=True)
        container = container[profile]
    if section not in container:
        container[section] = tomlkit.table()
    table = container[section]
    if not isinstance(table, Table):
        raise ConfigError.said(N_("{section}: is not a table in the file"), section=section)
    return table


def set_value(path: Path, key: str, value: str, profile: str = DEFAULT_PROFILE) -> SetResult:
    """Set ``key`` to ``value`` in the file at ``path`` (created when missing); nothing is
    written unless the whole file still validates."""
    where, section, name = split_key(key, profile)
    try:
        text = path.read_text(encoding="utf-8-sig") if path.exists() else ""
        doc = tomlkit.parse(text)
    except ParseError as exc:
        raise ConfigError.said(N_("{path}: invalid TOML: {error}"), path=path, error=exc) from None
    except OSError as exc:
        raise ConfigError.said(
            N_("{path}: cannot read: {reason}"), path=path, reason=exc.strerror
        ) from None
    full = f"profiles.{where}.{section}.{name}" if where else f"{section}.{name}"
    secret = (section, name) in secret_keys()
    table = _table(doc, where, section)
    old = table[name].as_string().strip() if name in table else None
    error: ConfigError | None = None
    for candidate in _candidates(value):
        table[name] = candidate
        try:
            validate_profiles(tomllib.loads(doc.as_string()), path)
        except ConfigError as exc:
            error = error or exc  # the first reading's reason: VALUE as TOML
            continue
        _write(path, doc.as_string())
        new = "***" if secret else tomlkit.item(candidate).as_string()
        variable = env_name(section, name)
        return SetResult(
            key=full,
            old=("***" if secret and old is not None else old),
            new=new,
            overridden_by=variable if env_value(variable) is not None else None,
        )
    assert error is not None
    raise error


def _write(path: Path, text: str) -> None:
    """Replace the file atomically, keeping its mode (0600 for a new one: it may hold a
    secret)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
