"""The settings' sections, one pydantic model each, and ``Settings``, which puts them
together; ``config`` reads them from the file, the environment and the flags."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from trakt_sync import PROJECT_URL, __version__
from trakt_sync.config_web import WebSettings
from trakt_sync.redact import mask_url, url_secrets
from trakt_sync.timeutil import parse_duration

ENV_PREFIX = "TRAKT_SYNC_"
# The npm package's dist/data.json as published on a public CDN (bangumi-data, CC BY 4.0).
DEFAULT_BANGUMI_DATA_URL = "https://cdn.jsdelivr.net/npm/bangumi-data@0.3/dist/data.json"
# Rhilip/BangumiExtLinker's anime_map.json (CC BY 4.0): TMDB/TVDB/IMDb links, weaker evidence.
DEFAULT_ID_TABLE_URL = "https://rhilip.github.io/BangumiExtLinker/data/anime_map.json"
DEFAULT_USER_AGENT = f"trakt-sync/trakt-sync/{__version__} ({PROJECT_URL})"


def _check_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError(f"not an http(s) URL: {value!r}")
    if value.startswith("http://") and not _is_loopback(urlsplit(value).hostname or ""):
        raise ValueError(
            "http:// would send tokens and plays in cleartext: use https:// "
            "(plain http is accepted only for loopback hosts: localhost, 127.0.0.1, [::1])"
        )
    return value.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class TraktSettings(_Section):
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    api_url: str = "https://api.trakt.tv"
    auth_url: str = "https://auth.trakt.tv"

    _urls = field_validator("api_url", "auth_url")(_check_url)

    def app_client_id(self) -> str:
        """``client_id``, else the public client id this build carries ("" if neither);
        ``client_secret`` is optional (A.3.2)."""
        from trakt_sync.trakt_app import client_id

        return client_id(self.client_id)

    @property
    def offline(self) -> bool:
        """No Trakt client id (configured or built in): an export is all there is, and Trakt
        is never asked."""
        return not self.app_client_id()


class BangumiSettings(_Section):
    api_url: str = "https://api.bgm.tv"
    token: SecretStr | None = None
    user_agent: str = DEFAULT_USER_AGENT
    private: bool = False

    _urls = field_validator("api_url")(_check_url)

    @field_validator("user_agent")
    @classmethod
    def _ua_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty (Bangumi answers 403 without a User-Agent)")
        return value


class SecretsSettings(_Section):
    backend: Literal["auto", "keyring", "file"] = "auto"


DEFAULT_SCHEDULE = "0 */6 * * *"


class SyncSettings(_Section):
    schedule: str = DEFAULT_SCHEDULE
    timezone: str | None = None
    complete_subjects: bool = True
    include_live_action: bool = False
    history_overlap: float = 300.0
    page_limit: int = Field(default=250, ge=1, le=250)
    ratings: Literal["off", "fill", "overwrite"] = "off"
    watchlist: bool = False

    @field_validator("schedule")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if value == DEFAULT_SCHEDULE:
            return value  # valid; croniter is slow to import for a command that needs no schedule
        from croniter import CroniterBadDateError, croniter

        from trakt_sync.scheduler import expand

        fields = expand(value).split()
        if len(fields) not in (5, 6) or not croniter.is_valid(" ".join(fields)):
            raise ValueError(
                f"invalid cron expression {value!r} (5 fields, or 6 with seconds, or @daily, "
                "@hourly, @weekly, @monthly, @yearly)"
            )
        # croniter gives up after decades without a match; a day that never exists
        # (31 February) would otherwise surface at every `status` and in the daemon.
        try:
            croniter(" ".join(fields), datetime(2000, 1, 1)).get_next(datetime)
        except CroniterBadDateError:
            raise ValueError(
                f"never fires: no date matches {value!r} (a day the month does not have?)"
            ) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("history_overlap", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration(value)


class MatchingSettings(_Section):
    bangumi_data_url: str = DEFAULT_BANGUMI_DATA_URL
    bangumi_data_path: Path | None = None
    # A further id table (empty URL and no path: not used).
    id_table_url: str = DEFAULT_ID_TABLE_URL
    id_table_path: Path | None = None
    refresh_interval: float = 86400.0
    min_confidence: float = Field(default=0.8, ge=0.0, le=1.0)

    _urls = field_validator("bangumi_data_url")(_check_url)

    @field_validator("id_table_url")
    @classmethod
    def _optional_url(cls, value: str) -> str:
        return _check_url(value) if value.strip() else ""

    @field_validator("refresh_interval", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration(value)


class HttpSettings(_Section):
    timeout: float = Field(default=30.0, gt=0)
    retry_budget: float = 120.0
    max_retries: int = Field(default=5, ge=0)
    backoff_base: float = Field(default=1.0, ge=0)

    @field_validator("retry_budget", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration(value)


PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class NetworkSettings(_Section):
    # Every request (Trakt, Bangumi, the data files, webhooks) goes through it; it wins
    # over HTTPS_PROXY and the other proxy variables.
    proxy: str | None = None

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, value: str | None) -> str | None:
        if not value:
            return None
        match = re.match(r"^([a-z0-9]+)://[^/\s]+", value)
        if not match or match.group(1) not in PROXY_SCHEMES:
            raise ValueError(
                f"not a proxy URL like http://127.0.0.1:7890 or socks5://127.0.0.1:1080 "
                f"(schemes: {', '.join(PROXY_SCHEMES)}): {mask_url(value)!r}"
            )
        return value.rstrip("/")


class NotifySettings(_Section):
    # A secret: Discord and Slack webhook URLs carry their token in the path.
    webhook_url: SecretStr | None = None

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _url(cls, value: Any) -> Any:
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        return _check_url(value) if isinstance(value, str) and value else value or None


class SinkSettings(_Section):
    """Where plays go: Bangumi's API directly, or a Bangumi-syncer instance that matches and
    marks them itself (its ``/Custom`` webhook)."""

    kind: Literal["api", "bangumi-syncer"] = "api"
    url: str | None = None
    key: SecretStr | None = None
    # Bangumi-syncer maps this name to a Bangumi account; default: the Trakt username.
    user_name: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _check_url(value) if value else None

    @model_validator(mode="after")
    def _url_when_syncer(self) -> SinkSettings:
        if self.kind == "bangumi-syncer" and not self.url:
            raise ValueError("url must be set when kind is 'bangumi-syncer'")
        return self


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
