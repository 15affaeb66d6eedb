"""Wiring for one profile: settings → token store → clients → store → matcher → engine.

Everything is built on first use and by explicit constructor injection, so a
command only pays for what it touches (``status`` opens no HTTP client; a sync
with nothing new never loads the matcher's data).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from trakt_sync import accounts
from trakt_sync.accounts import BangumiAccount, TraktLogin
from trakt_sync.bangumi import BangumiClient
from trakt_sync.config import Settings, read_toml
from trakt_sync.config_sections import ENV_PREFIX
from trakt_sync.engine import SyncEngine
from trakt_sync.engine_wiring import wire_engine
from trakt_sync.errors import ConfigError
from trakt_sync.httpclient import RequestCounter, RetryBudget
from trakt_sync.i18n import N_
from trakt_sync.matcher_wiring import MatcherFactory
from trakt_sync.matching.lookups import CachedBangumi, CachedTrakt
from trakt_sync.notify import Notifier
from trakt_sync.paths import StatePaths
from trakt_sync.progress import Progress
from trakt_sync.redact import SecretRegistry
from trakt_sync.store import Store
from trakt_sync.syncjob import SyncJob
from trakt_sync.tokens import TokenStore
from trakt_sync.trakt import TraktClient
from trakt_sync.trakt_auth import TraktOAuth, TraktSession

if TYPE_CHECKING:
    from trakt_sync.matching.matcher import Matcher
    from trakt_sync.sink import BangumiSyncerSink

log = logging.getLogger(__name__)
NO_SINK_USER = N_(
    "{path}: sink.user_name: not set and the Trakt username is unknown; "
    "set it to the user name Bangumi-syncer expects"
)
REVOKE_TIMEOUT = 5.0  # seconds `auth logout` waits for Trakt before deleting the token anyway


@dataclass
class Runtime:
    profile: str
    config_path: Path
    settings: Settings
    paths: StatePaths
    secrets: SecretRegistry = field(default_factory=SecretRegistry)
    counter: RequestCounter = field(default_factory=RequestCounter)
    transport: httpx.BaseTransport | None = None
    # Where a one-time notice for the person goes (the keyring fallback): the CLI prints it
    # as a sentence; a library user gets a log warning.
    notice: Callable[[str], None] = field(default=lambda message: log.warning("%s", message))
    # Only read the state directory (``status``): nothing is created or written there.
    read_only: bool = False

    def __post_init__(self) -> None:
        for secret in self.settings.secret_values():
            self.secrets.add(secret)
        http = self.settings.http
        self.budget = RetryBudget(
            total=http.retry_budget, backoff_base=http.backoff_base, max_retries=http.max_retries
        )

    # -- local state ----------------------------------------------------------------------

    @cached_property
    def tokens(self) -> TokenStore:
        if not self.read_only:
            self.paths.ensure()
        return TokenStore(
            self.paths,
            backend=self.settings.secrets.backend,
            profile=self.profile,
            warn=self.notice,
            registry=self.secrets,
        )

    @cached_property
    def store(self) -> Store:
        if self.read_only:
            return Store(self.paths.database(self.profile), self.secrets.redact, read_only=True)
        self.paths.ensure()
        return Store(self.paths.database(self.profile), redact=self.secrets.redact)

    # -- clients --------------------------------------------------------------------------

    def _client_kw(self) -> dict[str, Any]:
        return {
            "timeout": self.settings.http.timeout,
            "counter": self.counter,
            "budget": self.budget,
            "transport": self.transport,
            "proxy": self.settings.network.proxy,
        }

    @property
    def user_agent(self) -> str:
        return self.settings.bangumi.user_agent

    @cached_property
    def trakt_oauth(self) -> TraktOAuth:
        return self._oauth(self._client_kw())

    @cached_property
    def revoking_oauth(self) -> TraktOAuth:
        """For `auth logout`: one try within seconds, as the token goes locally anyway."""
        timeout = min(self.settings.http.timeout, REVOKE_TIMEOUT)
        budget = RetryBudget(total=0, max_retries=0)
        return self._oauth({**self._client_kw(), "timeout": timeout, "budget": budget})

    def _oauth(self, client_kw: dict[str, Any]) -> TraktOAuth:
        trakt = self.settings.trakt
        return TraktOAuth(
            trakt.auth_url,
            client_id=trakt.app_client_id(),
            client_secret=trakt.client_secret.get_secret_value(),
            user_agent=self.user_agent,
            **client_kw,
        )

    @cached_property
    def trakt(self) -> TraktClient:
        trakt = self.settings.trakt
        return TraktClient(
            trakt.api_url,
            client_id=trakt.app_client_id(),
            user_agent=self.user_agent,
            session=TraktSession(self.trakt_oauth, self.tokens),
            **self._client_kw(),
        )

    def bangumi_client(self, token: str | None, fix_token: str | None = None) -> BangumiClient:
        """A client sending ``token``; the caller closes it."""
        if fix_token is None:
            return BangumiClient(
                self.settings.bangumi.api_url,
                user_agent=self.user_agent,
                token=token,
                **self._client_kw(),
            )
        return BangumiClient(
            self.settings.bangumi.api_url,
            user_agent=self.user_agent,
            token=token,
            fix_token=fix_token,
            **self._client_kw(),
        )

    @cached_property
    def bangumi(self) -> BangumiClient:
        origin = self.bangumi_token_origin()
        fix = None
        if origin is not None:
            fix = f"change or remove {origin} (`auth bangumi` cannot help while it is set)"
        return self.bangumi_client(self.bangumi_account.token(), fix)

    def bangumi_token_origin(self) -> str | None:
        """Where ``bangumi.token`` comes from (``environment variable …`` or ``… in FILE``);
        None when the profile uses the token stored by ``auth bangumi``."""
        if self.settings.bangumi.token is None:
            return None
        env = f"{ENV_PREFIX}BANGUMI__TOKEN"
        if env in os.environ:
            return f"the environment variable {env}"
        raw = read_toml(self.config_path)
        profile = ((raw.get("profiles") or {}).get(self.profile) or {}).get("bangumi") or {}
        key = f"profiles.{self.profile}.bangumi.token" if "token" in profile else "bangumi.token"
        return f"{key} in {self.config_path}"

    @cached_property
    def cached_bangumi(self) -> CachedBangumi:
        return CachedBangumi(self.bangumi, self.store)

    @cached_property
    def cached_trakt(self) -> CachedTrakt:
        return CachedTrakt(self.trakt, self.store, history=self.store)

    @cached_property
    def sink(self) -> BangumiSyncerSink | None:
        """Where plays go instead of Bangumi's API; None: the API (``sink.kind = "api"``)."""
        sink = self.settings.sink
        if sink.kind != "bangumi-syncer":
            return None
        assert sink.url is not None  # the settings insist on it
        from trakt_sync.sink import syncer_sink

        return syncer_sink(
            sink.url,
            sink.key.get_secret_value() if sink.key else None,
            user_name=self._sink_user,
            bangumi=self.cached_bangumi,
            trakt=self.cached_trakt,
            add_secret=self.secrets.add,
            user_agent=self.user_agent,
            **self._client_kw(),
        )

    def _sink_user(self) -> str:
        """``sink.user_name``, else the Trakt username remembered at login."""
        if self.settings.sink.user_name:
            return self.settings.sink.user_name
        token = self.tokens.load_trakt()
        if token is not None and token.username:
            return token.username
        raise ConfigError.said(NO_SINK_USER, path=self.config_path)

    # -- accounts and reports -------------------------------------------------------------

    @cached_property
    def bangumi_account(self) -> BangumiAccount:
        token = self.settings.bangumi.token
        return BangumiAccount(
            config_token=token.get_secret_value() if token is not None else None,
            tokens=self.tokens,
        )

    def trakt_login(self) -> TraktLogin:
        """The device-code login; raises ConfigError when no Trakt client id is known."""
        accounts.require_trakt_app(self.settings.trakt.app_client_id(), self.config_path)
        return TraktLogin(self.trakt_oauth, self.trakt, self.tokens, self.secrets)

    # -- matching and the engine ----------------------------------------------------------

    @cached_property
    def matchers(self) -> MatcherFactory:
        return MatcherFactory(
            settings=self.settings,
            paths=self.paths,
            store=self.store,
            bangumi=self.cached_bangumi,
            trakt=self.cached_trakt,
            trakt_client=lambda: self.trakt,
            offline=self.settings.trakt.offline,
            transport=self.transport,
            user_agent=self.user_agent,
        )

    def resolver(self, recheck_unmatched: bool = False, from_export: bool = False) -> Matcher:
        """The matcher of a run (``from_export``: an export's plays, maybe without Trakt)."""
        return self.matchers.matcher(recheck_unmatched, from_export)

    def engine(
        self,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
        from_export: bool = False,
    ) -> SyncEngine:
        """The stages of one run, wired to this profile's clients, store and matcher."""
        return wire_engine(self, progress, should_stop, from_export)

    def sync_job(
        self,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
        from_export: bool = False,
    ) -> SyncJob:
        self.paths.ensure()
        webhook = self.settings.notify.webhook_url
        notifier = None
        if webhook:
            notifier = Notifier(
                webhook.get_secret_value(),
                self.profile,
                self.store,
                self.secrets.redact,
                transport=self.transport,
                user_agent=self.user_agent,
                proxy=self.settings.network.proxy,
            )
        return SyncJob(
            profile=self.profile,
            lock_path=self.paths.lock(self.profile),
            store=self.store,
            engine=self.engine(progress, should_stop, from_export),
            counter=self.counter,
            notifier=notifier,
        )

    def close(self) -> None:
        for name in ("trakt", "trakt_oauth", "revoking_oauth", "bangumi", "sink"):
            client = self.__dict__.get(name)
            if client is not None:
                client.close()
        if "store" in self.__dict__:
            self.store.close()
        if "matchers" in self.__dict__:
            self.matchers.close()  # the data indexes the matcher opened (SQLite files)
