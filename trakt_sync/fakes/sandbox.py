"""The environment that points trakt-sync at running fakes (demo, tests, soak)."""

from __future__ import annotations

from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.bangumi_syncer import FakeBangumiSyncer
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.trakt import FakeTrakt


def sandbox_env(trakt: FakeTrakt, bangumi: FakeBangumi, cdn: FakeDataCDN) -> dict[str, str]:
    """``TRAKT_SYNC_*`` settings for the app and both data files served by the fakes."""
    return {
        # A public client: a client id and no secret (api_contracts.md A.3.2).
        "TRAKT_SYNC_TRAKT__CLIENT_ID": trakt.client_id,
        "TRAKT_SYNC_TRAKT__API_URL": trakt.url,
        # The Trakt fake answers the OAuth host's paths as well.
        "TRAKT_SYNC_TRAKT__AUTH_URL": trakt.url,
        "TRAKT_SYNC_BANGUMI__API_URL": bangumi.url,
        "TRAKT_SYNC_MATCHING__BANGUMI_DATA_URL": cdn.data_url,
        "TRAKT_SYNC_MATCHING__ID_TABLE_URL": cdn.id_table_url,
    }


def sink_env(syncer: FakeBangumiSyncer) -> dict[str, str]:
    """``TRAKT_SYNC_SINK__*`` settings that send plays to a running fake Bangumi-syncer."""
    env = {"TRAKT_SYNC_SINK__KIND": "bangumi-syncer", "TRAKT_SYNC_SINK__URL": syncer.url}
    if syncer.key:
        env["TRAKT_SYNC_SINK__KEY"] = syncer.key
    return env
