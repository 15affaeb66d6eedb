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
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from trakt_sync import accounts, syncjob
from trakt_sync.accounts import BangumiAccount, TraktLogin
from trakt_sync.bangumi import BangumiClient
from trakt_sync.config import ENV_PREFIX, Settings, read_toml
from trakt_sync.engine import ProgressFn, SyncEngine
from trakt_sync.errors import ConfigError, NeedsAuth, NotFound, StateError
from trakt_sync.extras_sync import ExtrasSettings, ExtrasSync
from trakt_sync.httpclient import RequestCounter, RetryBudget, new_http
from trakt_sync.matching.lookups import NO_TRAKT, CachedBangumi, CachedTrakt
from trakt_sync.notify import Notifier
from trakt_sync.paths import StatePaths
from trakt_sync.redact import SecretRegistry
from trakt_sync.store import Store
from trakt_sync.syncjob import DIED_MESSAGE, SyncJob
from trakt_sync.tokens import TokenStore
from trakt_sync.trakt import TraktClient
from trakt_sync.trakt_auth import TraktOAuth, TraktSession

if TYPE_CHECKING:
    from trakt_sync.daemon import ProfileSchedule
    from trakt_sync.matching.matcher import Matcher
    from trakt_sync.matching.stored_index import StoredBangumiData, StoredIdTable
    from trakt_sync.sink import BangumiSyncerSink

log = logging.getLogger(__name__)
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
    # the data indexes the matcher opened (SQLite files), closed with the runtime
    _opened: list[StoredBangumiData | StoredIdTable] = field(default_factory=list, repr=False)

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
        trakt = self.settings.trakt
        return TraktOAuth(
            trakt.auth_url,
            client_id=trakt.app_client_id(),
            client_secret=trakt.client_secret.get_secret_value(),
            user_agent=self.user_agent,
            **self._client_kw(),
        )

    @cached_property
    def revoking_oauth(self) -> TraktOAuth:
        """For `auth logout`: one try within seconds, as the token goes locally anyway."""
        trakt = self.settings.trakt
        return TraktOAuth(
            trakt.auth_url,
            client_id=trakt.app_client_id(),
            client_secret=trakt.client_secret.get_secret_value(),
            user_agent=self.user_agent,
            **{
                **self._client_kw(),
                "timeout": min(self.settings.http.timeout, REVOKE_TIMEOUT),
                "budget": RetryBudget(total=0, max_retries=0),
            },
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
        from trakt_sync.sink import BangumiSyncerClient, BangumiSyncerSink

        client = BangumiSyncerClient(
            sink.url,
            key=sink.key.get_secret_value() if sink.key else None,
            user_agent=self.user_agent,
            **self._client_kw(),
        )
        if sink.key:  # in the webhook's path: masked there however short the key is
            self.secrets.add(f"/Custom/{sink.key.get_secret_value()}")
            self.secrets.add(client.path)
        return BangumiSyncerSink(
            client, bangumi=self.cached_bangumi, trakt=self.cached_trakt, user_name=self._sink_user
        )

    def _sink_user(self) -> str:
        """``sink.user_name``, else the Trakt username remembered at login."""
        if self.settings.sink.user_name:
            return self.settings.sink.user_name
        token = self.tokens.load_trakt()
        if token is not None and token.username:
            return token.username
        raise ConfigError(
            f"{self.config_path}: sink.user_name: not set and the Trakt username is unknown; "
            "set it to the user name Bangumi-syncer expects"
        )

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

    def auth_summary(self) -> dict[str, Any]:
        account = self.bangumi_account
        # Only a token from the config needs the database (for its remembered user).
        state = self.store if account.config_token is not None else None
        summary = accounts.auth_summary(self.profile, self.tokens, account, state)
        summary["bangumi"]["origin"] = self.bangumi_token_origin()
        return summary

    def check_bangumi_token(self) -> dict[str, Any]:
        """Ask Bangumi whose the profile's token is (``/v0/me``): ``{"ok", "username",
        "error"}``; the user is remembered as a sync would."""
        try:
            username = self.bangumi_account.username(self.bangumi, self.store, fresh=True)
        except NeedsAuth as exc:
            return {"ok": False, "username": None, "error": str(exc)}
        return {"ok": True, "username": username, "error": None}

    def status_report(self, now: datetime) -> dict[str, Any]:
        from trakt_sync import reports

        sync = self.settings.sync
        problems = []
        try:
            accounts = self.auth_summary()
        except (StateError, OSError) as exc:
            if not self.read_only:
                raise
            # A state directory this user may not write: say what cannot be read, show the rest.
            problems.append(f"tokens: {exc}")
            accounts = reports.unknown_accounts(self.profile)
        return reports.status_report(
            accounts=accounts,
            problems=problems,
            store=self.store,
            schedule=sync.schedule,
            timezone=sync.timezone,
            heartbeat=self.paths.heartbeat_file,
            now=now,
            sync_running=lambda: syncjob.sync_running(self.paths.lock(self.profile)),
            died_message=DIED_MESSAGE,
        )

    def run_log(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` runs started last (``trakt-sync log``)."""
        from trakt_sync.runlog import run_log

        return run_log(
            self.store,
            limit,
            sync_running=lambda: syncjob.sync_running(self.paths.lock(self.profile)),
            died_message=DIED_MESSAGE,
        )

    def schedule(self) -> ProfileSchedule:
        """The profile's schedule, as of its last finished run."""
        from trakt_sync.daemon import ProfileSchedule, last_check

        sync = self.settings.sync
        return ProfileSchedule(
            self.profile, sync.schedule, sync.timezone, last_check(self.store.last_run())
        )

    def health_problem(self, report: dict[str, Any], now: datetime) -> str | None:
        from trakt_sync import reports

        sync = self.settings.sync
        return reports.health_problem(report, sync.schedule, sync.timezone, now)

    # -- matching and the engine ----------------------------------------------------------

    def _data_http(self) -> httpx.Client:
        """A plain client for downloading public data files (not counted as API requests)."""
        return new_http(
            headers={"User-Agent": self.user_agent},
            timeout=self.settings.http.timeout,
            transport=self.transport,
            follow_redirects=True,
            proxy=self.settings.network.proxy,
        )

    def _bangumi_data_index(self) -> StoredBangumiData:
        from trakt_sync.matching.data_sources import BangumiDataSource

        matching = self.settings.matching
        with self._data_http() as http:
            source = BangumiDataSource(
                matching.bangumi_data_url,
                matching.bangumi_data_path,
                self.paths.cache_dir / "bangumi-data",
                matching.refresh_interval,
                http,
            )
            index = source.index()
        self._opened.append(index)
        return index

    def _id_table(self) -> StoredIdTable | None:
        """The further id table, or None when it is turned off or cannot be had."""
        from trakt_sync.matching.data_sources import IdTableSource

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
            table = source.table()
        if table is not None:
            self._opened.append(table)
        return table

    @property
    def trakt_offline(self) -> bool:
        """No Trakt client id (configured or built in): an export is all there is, and Trakt
        is never asked."""
        return not self.settings.trakt.app_client_id()

    def resolver(self, recheck_unmatched: bool = False, from_export: bool = False) -> Matcher:
        from trakt_sync.matching.matcher import Matcher
        from trakt_sync.matching.overrides import Override

        # One look-up cache per run; `--retry-unmatched` only changes how searches are answered.
        self.cached_bangumi.fresh_search = recheck_unmatched
        offline = from_export and self.trakt_offline
        return Matcher(
            index=self._bangumi_data_index,
            id_table=self._id_table,
            bangumi=self.cached_bangumi,
            trakt=NO_TRAKT if offline else self.cached_trakt,
            trakt_metadata=not offline,
            from_export=from_export,
            genres=None if offline else self._trakt_genres,
            cache=self.store,
            overrides=[Override.from_dict(spec) for spec in self.store.overrides()],
            min_confidence=self.settings.matching.min_confidence,
            include_live_action=self.settings.sync.include_live_action,
            recheck_unmatched=recheck_unmatched,
        )

    def _trakt_genres(self, kind: str, trakt_id: int) -> tuple[str, ...]:
        """Trakt's genres of a show or film (``kind``), one request each, cached: an export's
        items have none, and they decide whether a show no id source knows is an anime."""
        namespace = f"trakt:{kind}:genres"
        cached = self.store.get(namespace, str(trakt_id))
        if cached is None:
            try:
                data, _ = self.trakt.get_json(f"/{kind}s/{trakt_id}", {"extended": "full"})
            except NotFound:
                data = {}
            cached = [str(g) for g in (data.get("genres") or [])]
            self.store.put(namespace, str(trakt_id), cached)
        return tuple(cached)

    def engine(
        self,
        progress: ProgressFn | None = None,
        should_stop: Callable[[], bool] | None = None,
        from_export: bool = False,
    ) -> SyncEngine:
        sync = self.settings.sync
        return SyncEngine(
            self.store,
            self.trakt,
            self.bangumi,
            resolver=lambda recheck: self.resolver(recheck, from_export),
            episodes=self.cached_bangumi,
            account=self.bangumi_account,
            sink=self.sink,
            complete_subjects=sync.complete_subjects,
            history_overlap=sync.history_overlap,
            page_limit=sync.page_limit,
            progress=progress,
            should_stop=should_stop or (lambda: False),
            extras=self._extras(from_export and self.trakt_offline),
        )

    def _extras(self, offline: bool = False) -> ExtrasSync | None:
        sync = self.settings.sync
        settings = ExtrasSettings(sync.ratings, sync.watchlist, self.settings.bangumi.private)
        if settings == ExtrasSettings():
            return None
        return ExtrasSync(
            self.store,
            self.trakt,
            settings,
            NO_TRAKT.get_season_episodes if offline else self.cached_trakt.get_season_episodes,
            sync.page_limit,
        )

    def sync_job(
        self,
        progress: ProgressFn | None = None,
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
        for index in self._opened:
            index.close()
        self._opened.clear()
