"""Settings: defaults < TOML file < ``TRAKT_SYNC_<SECTION>__<KEY>`` env vars < CLI flags.

A profile (``[profiles.<name>]`` in the TOML file) overrides the top-level
sections for one Trakt↔Bangumi account pair. Every problem becomes one
:class:`~trakt_sync.errors.ConfigError` naming the file or variable, the key
and the reason (exit 78).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlsplit

from pydantic import (
    SecretStr,
    ValidationError,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from trakt_sync.config_sections import (
    ENV_PREFIX,
    BangumiSettings,
    HttpSettings,
    MatchingSettings,
    NetworkSettings,
    NotifySettings,
    SecretsSettings,
    SinkSettings,
    SyncSettings,
    TraktSettings,
)
from trakt_sync.config_web import WebSettings
from trakt_sync.errors import ConfigError
from trakt_sync.paths import DEFAULT_PROFILE, check_profile_name
from trakt_sync.redact import mask_url, url_secrets


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    trakt: TraktSettings = TraktSettings()
    bangumi: BangumiSettings = BangumiSettings()
    secrets: SecretsSettings = SecretsSettings()
    sync: SyncSettings = SyncSettings()
    matching: MatchingSettings = MatchingSettings()
    http: HttpSettings = HttpSettings()
    network: NetworkSettings = NetworkSettings()
    notify: NotifySettings = NotifySettings()
    sink: SinkSettings = SinkSettings()
    web: WebSettings = WebSettings()

    def redacted(self) -> dict[str, Any]:
        """The effective settings as plain data with every secret replaced by a marker, and
        the credentials inside URLs (``user:pass@``, ``?access_token=``) masked."""
        data = self.model_dump(mode="json")
        data["trakt"]["client_secret"] = (
            "***" if self.trakt.client_secret.get_secret_value() else ""
        )
        data["bangumi"]["token"] = "***" if self.bangumi.token else None
        data["sink"]["key"] = "***" if self.sink.key else None
        data["web"]["password"] = "***" if self.web.password else None
        webhook = self.notify.webhook_url
        # Which service, never the path (where the token is).
        data["notify"]["webhook_url"] = (
            _origin_only(webhook.get_secret_value()) if webhook else None
        )
        for values in data.values():
            for key, value in values.items():
                if key.endswith("_url") or key == "url":
                    values[key] = mask_url(value) if isinstance(value, str) else value
        if self.network.proxy:
            data["network"]["proxy"] = mask_url(self.network.proxy)
        return data

    def secret_values(self) -> list[str]:
        """Every secret of these settings, for the log redaction to know."""
        values = [
            self.trakt.client_secret.get_secret_value(),
            *(
                s.get_secret_value()
                for s in (self.bangumi.token, self.sink.key, self.web.password)
                if s
            ),
        ]
        if self.notify.webhook_url:
            webhook = self.notify.webhook_url.get_secret_value()
            values += [webhook, urlsplit(webhook).path]
        for section in self.model_dump(mode="json").values():
            for key, value in section.items():
                if (key.endswith("_url") or key in ("url", "proxy")) and isinstance(value, str):
                    values += url_secrets(value)
        return [value for value in values if value]


def _origin_only(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}/***"


SECTIONS = tuple(Settings.model_fields)


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
        with path.open("rb") as handle:
            return tomllib.load(handle)
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


def _unknown_section(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{key}: unknown section ({hint}known: {', '.join(known)})"


def _check_shape(data: dict[str, Any], path: Path) -> None:
    """Sections and profiles that are not there to be validated by the settings model."""
    unknown = [key for key in data if key not in (*SECTIONS, "profiles")]
    if unknown:
        raise ConfigError(f"{path}: {_unknown_section(unknown[0], (*SECTIONS, 'profiles'))}")
    profiles = data.get("profiles") or {}
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: profiles: must be a table of [profiles.<name>] sections")
    for name, sections in profiles.items():
        check_profile_name(name, f"{path}: profiles")
        if not isinstance(sections, dict):
            raise ConfigError(f"{path}: profiles.{name}: must be a table of sections")
        unknown = [key for key in sections if key not in SECTIONS]
        if unknown:
            raise ConfigError(f"{path}: profiles.{name}.{_unknown_section(unknown[0], SECTIONS)}")


def _profile_data(data: dict[str, Any], profile: str) -> dict[str, Any]:
    base = {key: value for key, value in data.items() if key != "profiles"}
    return _merge(base, (data.get("profiles") or {}).get(profile, {}))


def _in_data(loc: tuple[Any, ...], data: Any) -> bool:
    for part in loc:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


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
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        key = ".".join(str(part) for part in loc)
        reason = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            reason = "unknown key"
        env_name = ENV_PREFIX + "__".join(str(part) for part in loc).upper()
        # The env var wins over the file, as in loading.
        if env_name in os.environ:
            raise ConfigError(f"environment variable {env_name}: {key}: {reason}") from None
        profile_raw = (raw.get("profiles") or {}).get(profile, {})
        if _in_data(loc, profile_raw):
            key = f"profiles.{profile}.{key}"
        raise ConfigError(f"{path}: {key}: {reason}") from None


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
    """Every profile of the file's data ``raw`` (as if read from ``path``), validated."""
    _check_shape(raw, path)
    return {
        name: _validate(_profile_data(raw, name), overrides or {}, name, raw, path)
        for name in profile_names(raw)
    }


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
