"""The compact bangumi-data index and where it comes from (local file, CDN + cache)."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.helpers import Cdn, Clock
from trakt_sync.errors import ConfigError, ServiceUnavailable
from trakt_sync.fakes.memory import sample_bytes
from trakt_sync.matching.bangumi_data import (
    BangumiDataSource,
    TmdbKey,
    build_index,
    load_index,
    save_index,
)

URL = "https://cdn.example/npm/bangumi-data@0.3/dist/data.json"


def test_index_keeps_tmdb_keys_structured() -> None:
    index = build_index(sample_bytes())

    assert index.movie(372058) == [160209]
    keys = {(str(k), sid) for k, sid in index.tv(1429)}
    assert ("tv/1429", 55770) in keys
    assert ("tv/1429/season/3", 217300) in keys
    assert ("tv/1429/season/3/episode/13", 263750) in keys
    assert ("tv/1429/season/0/episode/36", 376739) in keys
    assert TmdbKey.parse("tv/1429/season/3/episode/13") == TmdbKey("tv", 1429, 3, 13)
    assert TmdbKey.parse("tv/1429/episode/3") is None


def test_keys_with_a_tmdb_url_slug_are_kept() -> None:
    # bangumi-data writes some ids as TMDB's URL does: the digits before the dash are the id.
    assert TmdbKey.parse("tv/308934-mofusand") == TmdbKey("tv", 308934)
    assert TmdbKey.parse("movie/129-spirited-away") == TmdbKey("movie", 129)
    assert TmdbKey.parse("tv/308934-mofusand/season/2") == TmdbKey("tv", 308934, 2)
    assert TmdbKey.parse("tv/mofusand") is None
    assert TmdbKey.parse("tv/-308934") is None
    raw = json.loads(sample_bytes())
    mofusand = {
        "title": "mofusand",
        "type": "web",
        "begin": "2025-04-01T00:00:00.000Z",
        "sites": [
            {"site": "bangumi", "id": "520001"},
            {"site": "tmdb", "id": "tv/308934-mofusand"},
        ],
    }
    index = build_index(json.dumps({"items": [*raw["items"], mofusand]}).encode())
    assert [(str(k), sid) for k, sid in index.tv(308934)] == [("tv/308934", 520001)]
    # and through the compact file the cache keeps
    assert [(str(k), sid) for k, sid in type(index).from_json(index.to_json()).tv(308934)] == [
        ("tv/308934", 520001)
    ]


def test_index_keeps_kind_broadcast_day_and_titles() -> None:
    index = build_index(sample_bytes())
    snk = index.subject(55770)
    assert snk is not None
    # begin 2013-04-06T16:58Z is 01:58 JST on the 7th: the 25:58 slot of the 6th.
    assert (snk.kind, snk.begin) == ("tv", date(2013, 4, 6))
    assert snk.zh_hans[0] == "进击的巨人" and snk.en == ("attack on titan",)
    film = index.subject(160209)
    assert film is not None and film.kind == "movie"
    assert index.subject(987654321) is None


def test_compact_index_round_trips_and_is_much_smaller(tmp_path: Path) -> None:
    index = build_index(sample_bytes())
    path = tmp_path / "index.json"
    save_index(index, path)
    loaded = load_index(path)

    assert loaded.version == index.version == build_index(sample_bytes()).version
    assert loaded.tv(65942) == index.tv(65942)
    assert loaded.subject(547888) == index.subject(547888)
    assert path.stat().st_size * 4 < len(sample_bytes())


def test_version_changes_with_the_source() -> None:
    data = json.loads(sample_bytes())
    data["items"] = data["items"][:-1]
    assert build_index(json.dumps(data).encode()).version != build_index(sample_bytes()).version


def test_build_rejects_a_document_that_is_not_bangumi_data() -> None:
    with pytest.raises(ValueError):
        build_index(b'{"hello": 1}')


def source(cdn: Cdn, clock: Clock, cache_dir: Path, local: Path | None = None) -> BangumiDataSource:
    http = httpx.Client(transport=httpx.MockTransport(cdn))
    return BangumiDataSource(URL, local, cache_dir, 3600, http, clock=clock)


def test_download_then_revalidate_at_most_once_per_interval(tmp_path: Path) -> None:
    cdn, clock = Cdn(sample_bytes()), Clock(1_000_000.0)

    first = source(cdn, clock, tmp_path).index()
    assert len(cdn.requests) == 1 and "If-None-Match" not in cdn.requests[0].headers
    assert first.movie(372058) == [160209]

    clock.now += 600  # within the interval: the cached index, no request
    assert source(cdn, clock, tmp_path).index().version == first.version
    assert len(cdn.requests) == 1

    clock.now += 3600  # due: conditional request, 304 keeps the cache
    assert source(cdn, clock, tmp_path).index().version == first.version
    assert cdn.requests[-1].headers["If-None-Match"] == '"v1"'
    assert len(cdn.requests) == 2

    clock.now += 600  # the 304 counted as a check
    source(cdn, clock, tmp_path).index()
    assert len(cdn.requests) == 2


def test_changed_source_is_rebuilt(tmp_path: Path) -> None:
    cdn, clock = Cdn(sample_bytes()), Clock(1_000_000.0)
    old = source(cdn, clock, tmp_path).index()

    data = json.loads(sample_bytes())
    data["items"] = [i for i in data["items"] if i["title"] != "君の名は。"]
    cdn.body, cdn.etag = json.dumps(data).encode(), '"v2"'
    clock.now += 7200
    new = source(cdn, clock, tmp_path).index()

    assert new.version != old.version
    assert new.movie(372058) == []
    assert load_index(tmp_path / "bangumi-data-index.json").version == new.version


def test_offline_with_a_cache_warns_and_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cdn, clock = Cdn(sample_bytes()), Clock(1_000_000.0)
    cached = source(cdn, clock, tmp_path).index()
    cdn.down = True
    clock.now += 7200

    with caplog.at_level(logging.WARNING, logger="trakt_sync.matching.bangumi_data"):
        index = source(cdn, clock, tmp_path).index()

    assert index.version == cached.version
    assert "using the cached copy" in caplog.text


def test_offline_without_a_cache_is_a_try_later_error(tmp_path: Path) -> None:
    cdn = Cdn(sample_bytes())
    cdn.down = True
    with pytest.raises(ServiceUnavailable, match="bangumi_data_path"):
        source(cdn, Clock(1_000_000.0), tmp_path).index()


def test_local_file_is_used_without_http_and_reindexed_only_when_it_changes(
    tmp_path: Path,
) -> None:
    cdn, clock = Cdn(b"unused"), Clock(1_000_000.0)
    local = tmp_path / "data.json"
    local.write_bytes(sample_bytes())
    cache_dir = tmp_path / "cache"

    first = source(cdn, clock, cache_dir, local).index()
    index_file = cache_dir / "bangumi-data-index.json"
    built_at = index_file.stat().st_mtime_ns
    second = source(cdn, clock, cache_dir, local).index()

    assert cdn.requests == []
    assert second.version == first.version
    assert index_file.stat().st_mtime_ns == built_at  # loaded, not rebuilt

    data = json.loads(sample_bytes())
    data["items"] = data["items"][:10]
    local.write_bytes(json.dumps(data).encode())
    assert source(cdn, clock, cache_dir, local).index().version != first.version


def test_missing_local_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read bangumi-data"):
        source(Cdn(b""), Clock(1_000_000.0), tmp_path, tmp_path / "nope.json").index()
