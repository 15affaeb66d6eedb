"""The matcher of one profile, wired to its data files, clients and look-up cache
(``Runtime.resolver``): built only when something needs resolving, as its data is slow to
load."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from trakt_sync.config import Settings
from trakt_sync.errors import NotFound
from trakt_sync.httpclient import new_http
from trakt_sync.matching.lookups import NO_TRAKT, CachedBangumi, CachedTrakt
from trakt_sync.paths import StatePaths
from trakt_sync.store import Store
from trakt_sync.trakt import TraktClient

if TYPE_CHECKING:
    from trakt_sync.matching.matcher import Matcher
    from trakt_sync.matching.stored_index import StoredBangumiData, StoredIdTable


def data_http(
    settings: Settings, transport: httpx.BaseTransport | None, user_agent: str
) -> httpx.Client:
    """A plain client for downloading public data files (not counted as API requests)."""
    return new_http(
        headers={"User-Agent": user_agent},
        timeout=settings.http.timeout,
        transport=transport,
        follow_redirects=True,
        proxy=settings.network.proxy,
    )


@dataclass
class MatcherFactory:
    settings: Settings
    paths: StatePaths
    store: Store
    bangumi: CachedBangumi
    trakt: CachedTrakt
    trakt_client: Callable[[], TraktClient]  # built only when a genre is asked for
    offline: bool  # no Trakt client id at all
    transport: httpx.BaseTransport | None
    user_agent: str
    # the data indexes the matcher opened, closed with the runtime
    opened: list[StoredBangumiData | StoredIdTable] = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Close the data indexes the matchers opened (SQLite files)."""
        for index in self.opened:
            index.close()
        self.opened.clear()

    def _bangumi_data_index(self) -> StoredBangumiData:
        from trakt_sync.matching.data_sources import BangumiDataSource

        matching = self.settings.matching
        with data_http(self.settings, self.transport, self.user_agent) as http:
            source = BangumiDataSource(
                matching.bangumi_data_url,
                matching.bangumi_data_path,
                self.paths.cache_dir / "bangumi-data",
                matching.refresh_interval,
                http,
            )
            index = source.index()
        self.opened.append(index)
        return index

    def _id_table(self) -> StoredIdTable | None:
        """The further id table, or None when it is turned off or cannot be had."""
        from trakt_sync.matching.data_sources import IdTableSource

        matching = self.settings.matching
        if not matching.id_table_url and not matching.id_table_path:
            return None
        with data_http(self.settings, self.transport, self.user_agent) as http:
            source = IdTableSource(
                matching.id_table_url,
                matching.id_table_path,
                self.paths.cache_dir / "id-table",
                matching.refresh_interval,
                http,
            )
            table = source.table()
        if table is not None:
            self.opened.append(table)
        return table

    def matcher(self, recheck_unmatched: bool = False, from_export: bool = False) -> Matcher:
        from trakt_sync.matching.matcher import Matcher
        from trakt_sync.matching.overrides import Override

        # One look-up cache per run; `--retry-unmatched` only changes how searches are answered.
        self.bangumi.fresh_search = recheck_unmatched
        offline = from_export and self.offline
        return Matcher(
            index=self._bangumi_data_index,
            id_table=self._id_table,
            bangumi=self.bangumi,
            trakt=NO_TRAKT if offline else self.trakt,
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
                data, _ = self.trakt_client().get_json(f"/{kind}s/{trakt_id}", {"extended": "full"})
            except NotFound:
                data = {}
            cached = [str(g) for g in (data.get("genres") or [])]
            self.store.put(namespace, str(trakt_id), cached)
        return tuple(cached)
