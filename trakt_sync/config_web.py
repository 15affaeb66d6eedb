"""The ``[web]`` section of the settings: where the local web page listens, and its guard."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator


class WebSettings(BaseModel):
    """The local web page: ``trakt-sync web``, and the daemon too when ``listen`` is set."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    listen: str | None = None  # HOST:PORT
    # Required to listen on anything but loopback: the page then asks for it first.
    password: SecretStr | None = None
    # Further names the page is reached by (the Host header; DNS rebinding is refused).
    hosts: list[str] = []
    session_idle: float = 1800.0  # a signed-in browser is signed out after this long idle

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        if value is not None:
            split_listen(value)
        return value

    @field_validator("session_idle", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        from trakt_sync.timeutil import parse_duration

        return parse_duration(value)


def split_listen(value: str) -> tuple[str, int]:
    """``127.0.0.1:8765`` or ``[::1]:8765`` → (host, port); ValueError otherwise."""
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not HOST:PORT like 127.0.0.1:8765: {value!r}")
    return host, int(port)
