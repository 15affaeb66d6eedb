"""Trakt OAuth on the auth host: device-code login, refresh and revoke (api_contracts.md A.3).

Refresh tokens are single-use, so a refreshed pair is persisted before the new
access token is ever used (a crash between the two would otherwise lock the
user out), and every refresh happens under the token store's refresh lock with the
stored pair read again inside it: of two processes that find the pair expiring, the
second uses what the first stored. A client secret is sent only when one is configured
(A.3.2: a CLI is a public client).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
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
from trakt_sync.trakt_app import LOGIN_ENDED, NOT_LOGGED_IN, app_unknown

log = logging.getLogger(__name__)

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
    410: (
        "the code expired before it was approved on Trakt (410); run `trakt-sync auth` again "
        "and enter the new code within {minutes} min"
    ),
    418: (
        "the login was denied on Trakt (418): the code was refused on the activation page. "
        "Run `trakt-sync auth` again and approve it; on a free Trakt account, which keeps one "
        "connected community app, disconnect the other app first"
    ),
}


class LoginEnded(NeedsAuth):
    """Trakt refused the refresh token (``invalid_grant``): the login ended on its side."""

    def __init__(self, message: str = LOGIN_ENDED) -> None:
        super().__init__(message)


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
    def refresh_lock(self) -> AbstractContextManager[None]: ...


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
        self, base_url: str, *, client_id: str, client_secret: str = "", user_agent: str, **kw: Any
    ) -> None:
        super().__init__(base_url, headers=trakt_headers(client_id, user_agent), **kw)
        self.client_id, self.client_secret = client_id, client_secret

    def _client(self) -> dict[str, str]:
        """The client's part of an OAuth body: the secret only when one is configured."""
        if self.client_secret:
            return {"client_id": self.client_id, "client_secret": self.client_secret}
        return {"client_id": self.client_id}

    def error_for(self, response: httpx.Response) -> TraktSyncError:
        status = response.status_code
        if status == 429:
            return RateLimited("Trakt: rate limited (429)", _retry_after(response))
        if status >= 500:
            return ServiceUnavailable(f"Trakt auth host answered {status}; try again later")
        if status == 403 or _oauth_error(response) == "invalid_client":
            answer = "invalid_client" if status != 403 else "403 unapproved app"
            return AccessDenied(
                app_unknown(self.client_id, answer, secret_sent=bool(self.client_secret))
            )
        return ApiError(f"Trakt auth host: {status} {error_text(response)}", status)

    def device_code(self) -> DeviceCode:
        response = self.request("POST", "/oauth/device/code", json=self._client())
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
        body = {"code": code.device_code, **self._client()}
        minutes = max(1, code.expires_in // 60)
        while True:
            sleep(interval)
            if clock() > deadline:
                raise AuthFlowError(_POLL_ERRORS[410].format(minutes=minutes))
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
                raise AuthFlowError(_POLL_ERRORS[status].format(minutes=minutes))
            raise self.error_for(response)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        response = self.send_raw(
            "POST",
            "/oauth/token",
            json={
                "refresh_token": refresh_token,
                **self._client(),
                "redirect_uri": OOB_REDIRECT,
                "grant_type": "refresh_token",
            },
        )
        if response.status_code in (400, 401):
            if _oauth_error(response) == "invalid_client":
                raise self.error_for(response)
            # invalid_grant (A.3.3), or a 401 from older servers: the login is over.
            raise LoginEnded()
        if not response.is_success:
            raise self.error_for(response)
        return dict(response.json())

    def revoke(self, access_token: str) -> None:
        self.request("POST", "/oauth/revoke", json={"token": access_token, **self._client()})


class TraktSession:
    """Hands out a valid access token, refreshing near expiry and once after a 401."""

    def __init__(
        self, oauth: TraktOAuth, tokens: TokenSink, clock: Callable[[], float] = time.time
    ) -> None:
        self.oauth, self.tokens, self.clock = oauth, tokens, clock

    def current(self) -> TraktToken:
        token = self.tokens.load_trakt()
        if token is None:
            raise NeedsAuth(NOT_LOGGED_IN)
        if token.rejected:
            raise LoginEnded()
        return token

    def valid(self) -> TraktToken:
        """The stored pair, refreshed first when its access token is about to expire."""
        token = self.current()
        if token.expires_soon(self.clock()):
            token = self.refresh(token)
        return token

    def access_token(self) -> str:
        return self.valid().access_token

    def refresh(self, used: TraktToken | None = None) -> TraktToken:
        """A fresh pair in place of ``used`` (the stored one if None).

        Under the refresh lock, the stored pair is read again: if another process renewed
        it meanwhile, that pair is the answer and Trakt is not asked. When Trakt refuses the
        refresh token, the store is read once more (a process that refreshes without the
        lock, such as an older trakt-sync, may have spent it), and only a pair still
        unchanged is marked rejected."""
        with self.tokens.refresh_lock():
            stored = self.current()
            if used is not None and stored.refresh_token != used.refresh_token:
                log.info("another process renewed the Trakt token meanwhile; using that one")
                return stored
            log.info("refreshing the Trakt access token")
            try:
                data = self.oauth.refresh(stored.refresh_token)
            except LoginEnded:
                again = self.tokens.load_trakt()
                if again is not None and again.refresh_token != stored.refresh_token:
                    if not again.rejected:
                        log.info("the Trakt token was renewed elsewhere; using that one")
                        return again
                elif again is not None:
                    # Remembered so that `auth status` stops saying "logged in".
                    self.tokens.save_trakt(replace(again, rejected=True))
                raise
            fresh = token_from_response(data, self.clock(), stored.username)
            self.tokens.save_trakt(fresh)
            return fresh


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def _oauth_error(response: httpx.Response) -> str | None:
    """The ``error`` field of an OAuth error body (RFC 6749 §5.2), if it has one."""
    try:
        data = response.json()
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) else None
