"""Where and how the page listens, and the rule that keeps it off the network unguarded."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from trakt_sync.errors import ConfigError
from trakt_sync.i18n import N_

DEFAULT_LISTEN = "127.0.0.1:8765"


@dataclass(frozen=True)
class WebOptions:
    config_path: Path
    config_must_exist: bool  # the file was named explicitly (--config, $TRAKT_SYNC_CONFIG)
    host: str = "127.0.0.1"
    port: int = 8765
    password: str | None = None  # web.password: asked for first when set
    hosts: tuple[str, ...] = ()  # further names the page may be reached by
    session_idle: float = 1800.0
    profiles: tuple[str, ...] = field(default=("default",))

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def allowed_hosts(self) -> set[str]:
        """The Host header names accepted (without the port): anything else may be a DNS
        rebinding attack, where a foreign site's name resolves to this machine."""
        names = {"127.0.0.1", "localhost", "::1", self.host.lower(), *map(str.lower, self.hosts)}
        return {name for name in names if name not in ("0.0.0.0", "::")}


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, password: str | None, config_path: Path) -> None:
    """Refuse a non-loopback address unless ``web.password`` is set (the page holds the
    power to change the Bangumi profile and to log accounts in)."""
    if not is_loopback(host) and not password:
        raise ConfigError.said(
            N_(
                "{path}: web: refusing to listen on {host} (not a loopback address) without "
                "web.password; set it (or TRAKT_SYNC_WEB__PASSWORD), or listen on 127.0.0.1"
            ),
            path=config_path,
            host=host,
        )
