"""The Trakt and Bangumi tokens as values: what is stored, when a Trakt token is due
for a refresh. Nothing here ever puts a token in a message or a repr."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeGuard

_MIN_MARGIN: Final = 3600.0  # refresh at least an hour before expiry...
_MARGIN_FRACTION: Final = 0.1  # ...or when less than 10% of the lifetime is left

# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class TraktToken:
    """An OAuth token pair from Trakt. ``repr``/``str`` never show the tokens."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int  # unix seconds = created_at + expires_in
    created_at: int
    username: str | None = None
    rejected: bool = False  # Trakt refused its refresh token: the user must log in again

    @classmethod
    def from_oauth(cls, payload: Mapping[str, Any], *, username: str | None = None) -> TraktToken:
        """Build from Trakt's ``/oauth/token`` answer (``created_at`` + ``expires_in``).

        Raises :class:`ValueError` (without the token in the message) if a field
        is missing or has the wrong type.
        """
        access = payload.get("access_token")
        refresh = payload.get("refresh_token")
        created = payload.get("created_at")
        expires_in = payload.get("expires_in")
        if not _is_str(access) or not _is_str(refresh):
            raise ValueError("token answer lacks access_token/refresh_token")
        if not _is_int(created) or not _is_int(expires_in):
            raise ValueError("token answer lacks integer created_at/expires_in")
        return cls(
            access_token=access,
            refresh_token=refresh,
            expires_at=created + expires_in,
            created_at=created,
            username=username,
        )

    @property
    def lifetime(self) -> int:
        return self.expires_at - self.created_at

    def expires_soon(self, now: float, margin: float | None = None) -> bool:
        """True when expired, or when less than ``margin`` seconds remain.

        The default margin is 10% of the token's lifetime or one hour, whichever
        is larger (Trakt tokens live three months: refresh in the last ~9 days).
        """
        if margin is None:
            margin = max(_MARGIN_FRACTION * self.lifetime, _MIN_MARGIN)
        remaining = self.expires_at - now
        return remaining <= 0 or remaining < margin

    def to_dict(self) -> dict[str, Any]:
        data = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "created_at": self.created_at,
            "username": self.username,
        }
        if self.rejected:
            data["rejected"] = True
        return data

    @classmethod
    def from_dict(cls, data: Any) -> TraktToken:
        """Inverse of :meth:`to_dict`; :class:`ValueError` (naming no value) if malformed."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        access, refresh = data.get("access_token"), data.get("refresh_token")
        expires_at, created_at = data.get("expires_at"), data.get("created_at")
        username = data.get("username")
        if not _is_str(access) or not _is_str(refresh):
            raise ValueError("access_token/refresh_token missing or not strings")
        if not _is_int(expires_at) or not _is_int(created_at):
            raise ValueError("expires_at/created_at missing or not integers")
        if username is not None and not isinstance(username, str):
            raise ValueError("username is not a string")
        rejected = data.get("rejected", False)
        if not isinstance(rejected, bool):
            raise ValueError("rejected is not a boolean")
        return cls(access, refresh, expires_at, created_at, username, rejected)


@dataclass(frozen=True)
class BangumiToken:
    """A Bangumi personal access token. ``repr``/``str`` never show the token."""

    access_token: str = field(repr=False)
    username: str
    user_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "username": self.username,
            "user_id": self.user_id,
        }

    @classmethod
    def from_dict(cls, data: Any) -> BangumiToken:
        """Inverse of :meth:`to_dict`; :class:`ValueError` (naming no value) if malformed."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        access, username, user_id = (
            data.get("access_token"),
            data.get("username"),
            data.get("user_id"),
        )
        if not _is_str(access):
            raise ValueError("access_token missing or not a string")
        if not isinstance(username, str):
            raise ValueError("username missing or not a string")
        if user_id is not None and not _is_int(user_id):
            raise ValueError("user_id is not an integer")
        return cls(access, username, user_id)


def _is_str(value: object) -> TypeGuard[str]:
    """A non-empty string."""
    return isinstance(value, str) and bool(value)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


Token = TraktToken | BangumiToken
PARSERS: dict[str, Callable[[Any], Token]] = {
    "trakt": TraktToken.from_dict,
    "bangumi": BangumiToken.from_dict,
}
