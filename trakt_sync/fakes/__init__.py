"""Offline fakes of Trakt, Bangumi, the bangumi-data CDN and Bangumi-syncer for tests and
manual runs.

Real HTTP over loopback (stdlib ``ThreadingHTTPServer``), behaviour per
``api_contracts.md``. See :mod:`trakt_sync.fakes.world` for the world format.
:mod:`trakt_sync.fakes.memory` has in-memory doubles of the matcher's readers (no HTTP).
"""

from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.bangumi_syncer import FakeBangumiSyncer
from trakt_sync.fakes.cdn import DATA_PATH, ID_TABLE_PATH, FakeDataCDN
from trakt_sync.fakes.server import FakeServer, Request, Response
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import BANGUMI_DATA_SAMPLE, World, WorldError, load_world

__all__ = [
    "BANGUMI_DATA_SAMPLE",
    "DATA_PATH",
    "ID_TABLE_PATH",
    "FakeBangumi",
    "FakeBangumiSyncer",
    "FakeDataCDN",
    "FakeServer",
    "FakeTrakt",
    "Request",
    "Response",
    "World",
    "WorldError",
    "load_world",
]
