"""The two accounts of a profile: logging in and out, whose tokens they are, who is
logged in where. Never prints and never returns a token."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from trakt_sync.errors import ConfigError, NeedsAuth, TraktSyncError
from trakt_sync.redact import SecretRegistry
from trakt_sync.tokens import BangumiToken, TokenStore, TraktToken
from trakt_sync.trakt_app import NO_CLIENT_ID
from trakt_sync.trakt_auth import DeviceCode, TraktOAuth


class StateStore(Protocol):
    def get_state(self, key: str) -> Any | None: ...
    def set_state(self, key: str, value: Any) -> None: ...


class BangumiMe(Protocol):
    def me(self) -> dict[str, Any]: ...


class TraktUserReader(Protocol):
    def user_settings(self) -> dict[str, Any]: ...


# -- Trakt ------------------------------------------------------------------------------


def require_trakt_app(client_id: str, config_path: Path) -> None:
    """Raise ConfigError unless a Trakt client id is known (configured or built in)."""
    if not client_id:
        raise ConfigError(f"{config_path}: {NO_CLIENT_ID}")


@dataclass
class TraktLogin:
    """The device-code flow: :meth:`start` gives the code to show, :meth:`finish` waits
    for its approval and stores the token."""

    oauth: TraktOAuth
    api: TraktUserReader  # reads the username with the new token
    tokens: TokenStore
    secrets: SecretRegistry

    def start(self) -> DeviceCode:
        # Reading the store first: a keyring that cannot be used fails now, not after the
        # user approved the code and the issued tokens had nowhere to go.
        self.tokens.load_trakt()
        return self.oauth.device_code()

    def finish(self, code: DeviceCode) -> TraktToken:
        payload = self.oauth.poll_device_token(code)
        token = TraktToken.from_oauth(payload)
        self.secrets.add(token.access_token)
        self.secrets.add(token.refresh_token)
        self.tokens.save_trakt(token)  # persisted before first use
        username = self.api.user_settings().get("user", {}).get("username")
        # Reading the settings may have refreshed the pair: name the stored one, not ours,
        # under the refresh lock so that no pair another process stores meanwhile is undone.
        with self.tokens.refresh_lock():
            token = replace(self.tokens.load_trakt() or token, username=username)
            self.tokens.save_trakt(token)
        return token


@dataclass(frozen=True)
class Logout:
    was_logged_in: bool
    warning: str | None = None  # the token could not be revoked


def logout_trakt(oauth: TraktOAuth, tokens: TokenStore) -> Logout:
    """Revoke the Trakt token at Trakt and delete it."""
    token = tokens.load_trakt()
    if token is None:
        return Logout(was_logged_in=False)
    warning = None
    try:
        oauth.revoke(token.access_token)
    except TraktSyncError as exc:
        warning = f"could not revoke the token at Trakt ({exc}); deleted locally"
    tokens.delete_trakt()
    return Logout(was_logged_in=True, warning=warning)


# -- Bangumi ----------------------------------------------------------------------------


def logout_bangumi(tokens: TokenStore) -> bool:
    """Delete the stored Bangumi token; return whether there was one."""
    if tokens.load_bangumi() is None:
        return False
    tokens.delete_bangumi()
    return True


def login_bangumi(client: BangumiMe, tokens: TokenStore, token: str) -> BangumiToken:
    """Verify a Bangumi token with ``/v0/me`` (``client`` sends that token) and store it."""
    me = client.me()
    saved = BangumiToken(access_token=token, username=str(me["username"]), user_id=me.get("id"))
    tokens.save_bangumi(saved)
    return saved


def token_fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass
class BangumiAccount:
    """Which Bangumi token a profile uses and whose it is."""

    config_token: str | None  # ``bangumi.token`` (config or env) wins over the stored token
    tokens: TokenStore

    def token(self) -> str | None:
        if self.config_token is not None:
            return self.config_token
        stored = self.tokens.load_bangumi()
        return stored.access_token if stored else None

    def username(self, client: BangumiMe, state: StateStore, fresh: bool = False) -> str:
        """The account the token belongs to, asking ``/v0/me`` only once per token (and
        again with ``fresh``, to check the token)."""
        token = self.token()
        if token is None:
            raise NeedsAuth("not logged in to Bangumi; run `trakt-sync auth bangumi`")
        if self.config_token is None and not fresh:
            stored = self.tokens.load_bangumi()
            if stored and stored.username:
                return stored.username
        # Remember the user of an env/config token by a fingerprint, never the token.
        fingerprint = token_fingerprint(token)
        known = state.get_state("bangumi_user")
        if known and known.get("fingerprint") == fingerprint and not fresh:
            return str(known["username"])
        username = str(client.me()["username"])
        state.set_state("bangumi_user", {"fingerprint": fingerprint, "username": username})
        return username


# -- both -------------------------------------------------------------------------------


def auth_summary(
    profile: str,
    tokens: TokenStore,
    bangumi: BangumiAccount,
    state: StateStore | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Who is logged in where, without any network request and never a token.

    ``state`` is only read for a Bangumi token from the config (whose user a sync
    remembered); pass None otherwise."""
    trakt = tokens.load_trakt()
    now = now or datetime.now(UTC)
    if bangumi.config_token is not None:
        known = (state.get_state("bangumi_user") if state is not None else None) or {}
        if known.get("fingerprint") != token_fingerprint(bangumi.config_token):
            known = {}  # another token's user
        bangumi_data: dict[str, Any] = {
            "authenticated": True,
            "username": known.get("username"),
            "source": "config",
        }
    else:
        stored = tokens.load_bangumi()
        bangumi_data = {
            "authenticated": stored is not None,
            "username": stored.username if stored else None,
            "source": "stored" if stored else None,
        }
    return {
        "profile": profile,
        "backend": tokens.backend_name,
        "trakt": {
            # A token whose refresh Trakt rejected logs nobody in any more.
            "authenticated": trakt is not None and not trakt.rejected,
            "username": trakt.username if trakt else None,
            "expires_at": (
                datetime.fromtimestamp(trakt.expires_at, UTC).isoformat() if trakt else None
            ),
            "expired": trakt is not None and trakt.expires_at <= now.timestamp(),
            "rejected": trakt is not None and trakt.rejected,
        },
        "bangumi": bangumi_data,
    }
