"""Wiring for one profile: settings → token store → clients → store → matcher → engine.

Everything is built on first use and by explicit constructor injection, so a
command only pays for what it touches (``status`` opens no HTTP client; a sync
with nothing new never loads the matcher's data).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from trakt_sync.bangumi import BangumiClient, bangumi_headers
from trakt_sync.config import Settings
from trakt_sync.engine import ProgressFn, SyncEngine
from trakt_sync.errors import NeedsAuth
from trakt_sync.httpclient import Pacer, RequestCounter, RetryBudget
from trakt_sync.matching.lookups import CachedBangumi, CachedTrakt
from trakt_sync.paths import StatePaths
from trakt_sync.redact import SecretRegistry
from trakt_sync.store import Store
from trakt_sync.tokens import BangumiToken, TokenStore
from trakt_sync.trakt import TraktClient, trakt_headers
from trakt_sync.trakt_auth import TraktOAuth, TraktSession

if TYPE_CHECKING:
    from trakt_sync.matching.bangumi_data import BangumiDataIndex
    from trakt_sync.matching.id_table import IdTable
    from trakt_sync.matching.matcher import Matcher

log = logging.getLogger(__name__)

# Published limits (api_contracts.md A.4, B.1), kept with some headroom.
TRAKT_GET_LIMIT = (900, 300.0)
BANGUMI_LIMIT = (2700, 600.0)


@dataclass
class Runtime:
    profile: str
    config_path: Path
    settings: Settings
    paths: StatePaths
    secrets: SecretRegistry = field(default_factory=SecretRegistry)
    counter: RequestCounter = field(default_factory=RequestCounter)
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        self.secrets.add(self.settings.trakt.client_secret)
        self.secrets.add(self.settings.bangumi.token)
        http = self.settings.http
        self.budget = RetryBudget(
            total=http.retry_budget, backoff_base=http.backoff_base, max_retries=http.max_retries
        )

    # -- local state ----------------------------------------------------------------------

    @cached_property
    def tokens(self) -> TokenStore:
        self.paths.ensure()
        return TokenStore(
            self.paths,
            backend=self.settings.secrets.backend,
            profile=self.profile,
            warn=lambda message: log.warning("%s", message),
            registry=self.secrets,
        )

    @cached_property
    def store(self) -> Store:
        self.paths.ensure()
        return Store(self.paths.database(self.profile))

    # -- clients --------------------------------------------------------------------------

    def _client_kw(self) -> dict[str, Any]:
        return {
            "timeout": self.settings.http.timeout,
            "counter": self.counter,
            "budget": self.budget,
            "transport": self.transport,
        }

    @cached_property
    def trakt_oauth(self) -> TraktOAuth:
        trakt = self.settings.trakt
        return TraktOAuth(
            trakt.auth_url,
            client_id=trakt.client_id,
            client_secret=trakt.client_secret.get_secret_value(),
            headers=trakt_headers(trakt.client_id, self.user_agent),
            **self._client_kw(),
        )

    @cached_property
    def trakt(self) -> TraktClient:
        trakt = self.settings.trakt
        return TraktClient(
            trakt.api_url,
            session=TraktSession(self.trakt_oauth, self.tokens),
            headers=trakt_headers(trakt.client_id, self.user_agent),
            pacer=Pacer(*TRAKT_GET_LIMIT),
            **self._client_kw(),
        )

    @property
    def user_agent(self) -> str:
        return self.settings.bangumi.user_agent

    def bangumi_token(self) -> str | None:
        """``bangumi.token`` (config or env) wins over the stored token."""
        if self.settings.bangumi.token is not None:
            return self.settings.bangumi.token.get_secret_value()
        stored = self.tokens.load_bangumi()
        return stored.access_token if stored else None

    def bangumi_client(self, token: str | None) -> BangumiClient:
        return BangumiClient(
            self.settings.bangumi.api_url,
            headers=bangumi_headers(self.user_agent, token),
            pacer=Pacer(*BANGUMI_LIMIT),
            **self._client_kw(),
        )

    @cached_property
    def bangumi(self) -> BangumiClient:
        return self.bangumi_client(self.bangumi_token())

    def bangumi_username(self) -> str:
        """The Bangumi account the token belongs to, asking ``/v0/me`` only once per token."""
        token = self.bangumi_token()
        if token is None:
            raise NeedsAuth("not logged in to Bangumi; run `trakt-sync auth bangumi`")
        if self.settings.bangumi.token is None:
            stored = self.tokens.load_bangumi()
            if stored and stored.username:
                return stored.username
        # Remember the user of an env/config token by a fingerprint, never the token.
        fingerprint = hashlib.sha256(token.encode()).hexdigest()[:16]
        known = self.store.get_state("bangumi_user")
        if known and known.get("fingerprint") == fingerprint:
            return str(known["username"])
        username = str(self.bangumi.me()["username"])
        self.store.set_state("bangumi_user", {"fingerprint": fingerprint, "username": username})
        return username

    def save_bangumi_login(self, token: str) -> BangumiToken:
        """Verify a Bangumi token with ``/v0/me`` and store it."""
        self.secrets.add(token)
        client = self.bangumi_client(token)
        try:
            me = client.me()
        finally:
            client.close()
        saved = BangumiToken(access_token=token, username=str(me["username"]), user_id=me.get("id"))
        self.tokens.save_bangumi(saved)
        return saved

    # -- matching and the engine ----------------------------------------------------------

    def _data_http(self) -> httpx.Client:
        """A plain client for downloading public data files (not counted as API requests)."""
        return httpx.Client(
            headers={"User-Agent": self.user_agent},
            timeout=self.settings.http.timeout,
            transport=self.transport,
            follow_redirects=True,
        )

    def _bangumi_data_index(self) -> BangumiDataIndex:
        from trakt_sync.matching.bangumi_data import BangumiDataSource

        matching = self.settings.matching
        with self._data_http() as http:
            source = BangumiDataSource(
                matching.bangumi_data_url,
                matching.bangumi_data_path,
                self.paths.cache_dir / "bangumi-data",
                matching.refresh_interval,
                http,
            )
            return source.index()

    def _id_table(self) -> IdTable | None:
        """The further id table, or None when it is turned off or cannot be had."""
        from trakt_sync.matching.id_table import IdTableSource

        matching = self.settings.matching
        if not matching.id_table_url and not matching.id_table_path:
            return None
        with self._data_http() as http:
            source = IdTableSource(
                matching.id_table_url,
                matching.id_table_path,
                self.paths.cache_dir / "id-table",
                matching.refresh_interval,
                http,
            )
            return source.table()

    def resolver(self, recheck_unmatched: bool = False) -> Matcher:
        from trakt_sync.matching.matcher import Matcher
        from trakt_sync.matching.overrides import Override

        return Matcher(
            index=self._bangumi_data_index,
            id_table=self._id_table,
            bangumi=CachedBangumi(self.bangumi, self.store, fresh_search=recheck_unmatched),
            trakt=CachedTrakt(self.trakt, self.store),
            cache=self.store,
            overrides=[Override.from_dict(spec) for spec in self.store.overrides()],
            min_confidence=self.settings.matching.min_confidence,
            include_live_action=self.settings.sync.include_live_action,
            recheck_unmatched=recheck_unmatched,
        )

    def engine(
        self, progress: ProgressFn | None = None, should_stop: Callable[[], bool] | None = None
    ) -> SyncEngine:
        sync = self.settings.sync
        return SyncEngine(
            self.store,
            self.trakt,
            self.bangumi,
            resolver=self.resolver,
            episodes=CachedBangumi(self.bangumi, self.store).get_episodes,
            bangumi_username=self.bangumi_username,
            complete_subjects=sync.complete_subjects,
            history_overlap=sync.history_overlap,
            page_limit=sync.page_limit,
            progress=progress,
            should_stop=should_stop or (lambda: False),
        )

    def close(self) -> None:
        for name in ("trakt", "trakt_oauth", "bangumi"):
            client = self.__dict__.get(name)
            if client is not None:
                client.close()
        if "store" in self.__dict__:
            self.store.close()
