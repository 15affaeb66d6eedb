"""Where the matcher's data indexes come from: bangumi-data and the further id table, each a
local file or a cached, revalidated download (:mod:`trakt_sync.matching.datacache`),
streamed into a SQLite index (:mod:`trakt_sync.matching.stored_index`)."""

from __future__ import annotations

import logging
from pathlib import Path

from trakt_sync.errors import ServiceUnavailable
from trakt_sync.i18n import N_
from trakt_sync.matching.datacache import CachedIndexSource
from trakt_sync.matching.stored_index import (
    BANGUMI_DATA_FORMAT,
    ID_TABLE_FORMAT,
    StoredBangumiData,
    StoredIdTable,
    write_bangumi_data,
    write_id_table,
)

log = logging.getLogger(__name__)


class BangumiDataSource(CachedIndexSource[StoredBangumiData]):
    label = "bangumi-data"
    stem = "bangumi-data"
    index_format = BANGUMI_DATA_FORMAT

    def build(self, source: Path, target: Path, version: str) -> StoredBangumiData:
        return write_bangumi_data(source, target, version)

    def load(self, path: Path) -> StoredBangumiData:
        return StoredBangumiData(path)

    def unavailable(self, why: str) -> StoredBangumiData:
        raise ServiceUnavailable.said(
            N_(
                "cannot download bangumi-data from {url} ({why}); try again later "
                "or set matching.bangumi_data_path to a local copy of dist/data.json"
            ),
            url=self.url,
            why=why,
        )


class _Unavailable(Exception):
    pass


class IdTableSource(CachedIndexSource[StoredIdTable]):
    """The table from a local file or a cached download; ``table()`` never fails a sync
    over a download: with no copy at all it warns and answers None."""

    label = "id table"
    stem = "id-table"
    index_format = ID_TABLE_FORMAT

    def build(self, source: Path, target: Path, version: str) -> StoredIdTable:
        return write_id_table(source, target, version)

    def load(self, path: Path) -> StoredIdTable:
        return StoredIdTable(path)

    def unavailable(self, why: str) -> StoredIdTable:
        raise _Unavailable(why)

    def table(self) -> StoredIdTable | None:
        try:
            return self.index()
        except _Unavailable as exc:
            log.warning(
                "cannot download the id table from %s (%s); matching without it this time",
                self.url,
                exc,
            )
            return None
