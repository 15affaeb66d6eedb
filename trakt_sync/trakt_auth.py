"""Trakt OAuth on the auth host: device-code login, refresh and revoke (api_contracts.md A.3).

Refresh tokens are single-use, so a refreshed pair is persisted before the new
access token is ever used (a crash between the two would otherwise lock the
user out).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import httpx

from trakt_sync.errors import (
    AccessDenied,
    ApiError,
    AuthFlowError,
    NeedsAuth,
    RateLimited,
    ServiceUnavailable,
    TraktSyncError,
)
from trakt_sync.httpclient import ApiClient, error_text
from trakt_sync.tokens import TraktToken

log = logging.getLogger(__name__)

REFRESH_REJECTED = "Trakt rejected the refresh token; run `trakt-sync auth`"
OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"
SLOW_DOWN_STEP = 5.0  # RFC 8628 §3.5: add 5 s to the interval on slow_down


def trakt_headers(client_id: str, user_agent: str) -> dict[str, str]:
    """What every request to Trakt's API and auth hosts carries (A.2)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": user_agent,
        "trakt-api-key": client_id,
        "trakt-api-version": "2",
    }


_POLL_ERRORS = {
    404: "Trakt does not know this device code (404); run `trakt-sync auth` again",
    409: "this device code was already used (409); run `trakt-sync auth` again",
    410: "the code expired before it was approved (410); run `trakt-sync auth` again",
    418: "the login was denied on trakt.tv (418)",
}


@dataclass(frozen=True)
class DeviceCode:
    device_code: str
    user_code: str
    verification_url: str
    expires_in: int
    interval: int


class TokenSink(Protocol):
    def load_trakt(self) -> TraktToken | None: ...
    def save_trakt(self, token: TraktToken) -> None: ...


def token_from_response(data: dict[str, Any], now: float, username: str | None) -> TraktToken:
    # A.3.5: expiry is created_at + expires_in; use the receive time if created_at is missing.
    created_at = int(data.get("created_at") or now)
    return TraktToken(
        access_token=str(data["access_token"]),
        refresh_token=str(data["refresh_token"]),
        expires_at=created_at + int(data["expires_in"]),
        created_at=created_at,
        username=username,
    )


class TraktOAuth(ApiClient):
    service = "trakt"

    def __init__(
        self, base_url: str, *, client_id: str, client_secret: str, user_agent: str, **kw: Any
    ) -> None:
        super().__init__(base_url, headers=trakt_headers(client_id, user_agent), **kw)
        self.client_id, self.client_secret = client_id, client_secret

    def error_for(self, response: httpx.Response) -> TraktSyncError:
        status = response.status_code
        if status == 429:
            return RateLimited("Trakt: rate limited (429)", _retry_after(response))
        if status >= 500:
            return ServiceUnavailable(f"Trakt auth host answered {status}; try again later")
        if status == 403:
            return AccessDenied(
                "Trakt rejected the app (403): check trakt.client_id and trakt.client_secret"
            )
        return ApiError(f"Trakt auth host: {status} {error_text(response)}", status)

    def device_code(self) -> DeviceCode:
        response = self.request("POST", "/oauth/device/code", json={"client_id": self.client_id})
        data = response.json()
        return DeviceCode(
            device_code=data["device_code"],
            user_code=data["user_code"],
            verification_url=data["verification_url"],
            expires_in=int(data["expires_in"]),
            interval=int(data["interval"]),
        )

    def poll_device_token(
        self,
        code: DeviceCode,
        *,
        clock: Callable[[], float] = time.time,
    ) -> dict[str, Any]:
        """Poll until the user approves; return the token object (A.3.2)."""
        sleep = self._sleep
        deadline = clock() + code.expires_in
        interval = float(code.interval)
        body = {
            "code": code.device_code,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        while True:
            sleep(interval)
            if clock() > deadline:
                raise AuthFlowError("the code expired before it was approved; run auth again")
            response = self.send_raw("POST", "/oauth/device/token", json=body)
            status = response.status_code
            if status == 200:
                return dict(response.json())
            if status == 400:  # pending: the user has not acted yet (body is not JSON)
                continue
            if status == 429:
                retry_after = _retry_after(response)
                interval = max(interval + SLOW_DOWN_STEP, retry_after or 0.0)
                log.info("Trakt asked to slow down; polling every %.0fs", interval)
                continue
            if status in _POLL_ERRORS:
                raise AuthFlowError(_POLL_ERRORS[status])
            raise self.error_for(response)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        response = self.send_raw(
            "POST",
            "/oauth/token",
            json={
                "refresh_token": refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "redirect_uri": OOB_REDIRECT,
                "grant_type": "refresh_token",
            },
        )
        if response.status_code in (400, 401):
            raise NeedsAuth(REFRESH_REJECTED)
        if not response.is_success:
            raise self.error_for(response)
        return dict(response.json())

    def revoke(self, access_token: str) -> None:
        self.request(
            "POST",
            "/oauth/revoke",
            json={
                "token": access_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )


class TraktSession:
    """Hands out a valid access token, refreshing near expiry and once after a 401."""

    def __init__(
        self, oauth: TraktOAuth, tokens: TokenSink, clock: Callable[[], float] = time.time
    ) -> None:
        self.oauth, self.tokens, self.clock = oauth, tokens, clock

    def current(self) -> TraktToken:
        token = self.tokens.load_trakt()
        if token is None:
            raise NeedsAuth("not logged in to Trakt; run `trakt-sync auth`")
        if token.rejected:
            raise NeedsAuth(REFRESH_REJECTED)
        return token

    def access_token(self) -> str:
        token = self.current()
        if token.expires_soon(self.clock()):
            token = self.refresh(token)
        return token.access_token

    def refresh(self, token: TraktToken | None = None) -> TraktToken:
        token = token or self.current()
        log.info("refreshing the Trakt access token")
        try:
            data = self.oauth.refresh(token.refresh_token)
        except NeedsAuth:
            # Remembered so that `auth status` stops saying "logged in"; unless another
            # process refreshed meanwhile and its new pair is the one stored now.
            stored = self.tokens.load_trakt()
            if stored is not None and stored.refresh_token == token.refresh_token:
                self.tokens.save_trakt(replace(stored, rejected=True))
            raise
        fresh = token_from_response(data, self.clock(), token.username)
        self.tokens.save_trakt(fresh)
        return fresh


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
