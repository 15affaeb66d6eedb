"""Settings: defaults < TOML file < ``TRAKT_SYNC_<SECTION>__<KEY>`` env vars < CLI flags.

A profile (``[profiles.<name>]`` in the TOML file) overrides the top-level
sections for one Trakt↔Bangumi account pair. Every problem becomes one
:class:`~trakt_sync.errors.ConfigError` naming the file or variable, the key
and the reason (exit 78).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, get_args

from pydantic import (
    SecretStr,
    ValidationError,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from trakt_sync.config_sections import (
    SECTIONS,
    Settings,
)
from trakt_sync.errors import ConfigError
from trakt_sync.paths import DEFAULT_PROFILE


class _DictSource(PydanticBaseSettingsSource):
    """The TOML file's (profile-merged) data as the lowest-priority settings source."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def read_toml(path: Path, *, must_exist: bool = False) -> dict[str, Any]:
    """The file's data; ``{}`` when it does not exist, unless it was named explicitly."""
    try:
        # utf-8-sig: Windows editors start UTF-8 files with a byte-order mark.
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (FileNotFoundError, NotADirectoryError):
        if must_exist:
            raise ConfigError(
                f"{path}: does not exist (`trakt-sync config init` writes one)"
            ) from None
        return {}
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def profile_names(data: dict[str, Any]) -> list[str]:
    profiles = data.get("profiles") or {}
    return [DEFAULT_PROFILE, *(name for name in profiles if name != DEFAULT_PROFILE)]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _profile_data(data: dict[str, Any], profile: str) -> dict[str, Any]:
    base = {key: value for key, value in data.items() if key != "profiles"}
    return _merge(base, (data.get("profiles") or {}).get(profile, {}))


def _validate(
    data: dict[str, Any], overrides: dict[str, Any], profile: str, raw: dict[str, Any], path: Path
) -> Settings:
    # pydantic-settings fixes its sources per class, so the file's data is bound
    # through a one-off subclass rather than a global.
    class _Loaded(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return init_settings, env_settings, _DictSource(settings_cls, data)

    try:
        return _Loaded(**overrides)
    except ValidationError as exc:
        from trakt_sync.config_checks import ProfileProblems, describe_error

        problems = [describe_error(error, profile, raw) for error in exc.errors()]
        raise ProfileProblems(problems) from None


def load_profiles(
    path: Path, overrides: dict[str, Any] | None = None, *, must_exist: bool = False
) -> dict[str, Settings]:
    """Every profile of the file, validated: a typo in any profile is found at once.

    Raises ConfigError naming the file (or env var), the full key path and the reason.
    """
    return validate_profiles(read_toml(path, must_exist=must_exist), path, overrides)


def validate_profiles(
    raw: dict[str, Any], path: Path, overrides: dict[str, Any] | None = None
) -> dict[str, Settings]:
    """Every profile of the file's data ``raw`` (as if read from ``path``), validated.

    Every problem is reported at once, each once (a top-level mistake is every profile's)."""
    from trakt_sync.config_checks import (
        ProfileProblems,
        config_error,
        shape_problems,
        type_problems,
    )

    problems = shape_problems(raw, SECTIONS)
    if problems:
        raise config_error(path, problems)
    problems = type_problems(raw)
    profiles: dict[str, Settings] = {}
    for name in profile_names(raw):
        try:
            profiles[name] = _validate(_profile_data(raw, name), overrides or {}, name, raw, path)
        except ProfileProblems as exc:
            seen = {problem.split(": ", 1)[0] for problem in problems}
            problems += [p for p in exc.problems if p.split(": ", 1)[0] not in seen]
    if problems:
        raise config_error(path, problems)
    return profiles


def secret_keys() -> list[tuple[str, str]]:
    """(section, key) of every secret setting: those typed SecretStr."""
    return [
        (section, key)
        for section, field in Settings.model_fields.items()
        if field.annotation is not None and hasattr(field.annotation, "model_fields")
        for key, inner in field.annotation.model_fields.items()
        if SecretStr in (inner.annotation, *get_args(inner.annotation))
    ]


def load_settings(
    path: Path,
    profile: str = DEFAULT_PROFILE,
    overrides: dict[str, Any] | None = None,
    *,
    must_exist: bool = False,
) -> Settings:
    """One profile's settings, after validating the whole file."""
    profiles = load_profiles(path, overrides, must_exist=must_exist)
    if profile not in profiles:
        raise ConfigError(f"{path}: unknown profile {profile!r} (defined: {', '.join(profiles)})")
    return profiles[profile]
