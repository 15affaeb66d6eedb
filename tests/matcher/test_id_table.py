"""The further id table (BangumiExtLinker anime_map.json): compact index, download, cache."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import httpx
import pytest
from matcher_world import data_file

from tests.helpers import Cdn, Clock
from trakt_sync.errors import ConfigError
from trakt_sync.matching.bangumi_data import TmdbKey
from trakt_sync.matching.data_sources import IdTableSource
from trakt_sync.matching.id_table import IdTable, build_table
from trakt_sync.matching.stored_index import StoredIdTable, write_id_table

URL = "https://tables.example/BangumiExtLinker/data/anime_map.json"


def table_bytes() -> bytes:
    return data_file("anime-map-excerpt.json").read_bytes()


def test_index_links_tmdb_tvdb_and_imdb_to_subjects() -> None:
    table = build_table(table_bytes())

    assert table.tv(120089) == [(TmdbKey("tv", 120089, 1), 329906)]
    assert table.movie(1062807) == [411428]
    assert table.tvdb(405920) == [329906, 373267, 411427]
    assert table.imdb("tt21211320") == [373267]
    assert table.imdb("TT21211320") == [373267]
    assert table.tv(987654) == [] and table.tvdb(1) == [] and table.imdb("tt0") == []
    row = table.subject(373267)
    assert row is not None and row.name == "SPY×FAMILY(第2クール)"
    assert (row.date, row.begin) == ("2022-10", date(2022, 10, 1))
    # rows without any TMDB/TVDB/IMDb id (only douban, mal, ...) are not kept
    assert table.subject(436738) is None


def test_build_accepts_every_tmdb_key_shape_and_skips_bad_rows() -> None:
    raw = json.dumps(
        [
            {"bgm_id": "1", "name": "a", "date": "2020-01", "tmdb_id": "tv/5"},
            {"bgm_id": "2", "name": "b", "date": "2020-04", "tmdb_id": "tv/5/season/2"},
            {"bgm_id": "3", "name": "c", "date": "", "tmdb_id": "tv/5/season/2/episode/13"},
            {"bgm_id": "4", "name": "d", "date": "2021-01-15", "tmdb_id": "movie/9"},
            {"bgm_id": "x", "tmdb_id": "tv/6"},
            {"name": "no id", "tmdb_id": "tv/7"},
            {"bgm_id": "5", "tmdb_id": "person/3", "tvdb_id": "n/a"},
            "not a row",
        ]
    ).encode()
    table = build_table(raw)

    assert [str(k) for k, _ in table.tv(5)] == ["tv/5", "tv/5/season/2", "tv/5/season/2/episode/13"]
    assert table.movie(9) == [4] and table.tv(6) == [] and table.tv(7) == []
    assert table.subject(5) is None and len(table) == 4
    d = table.subject(4)
    assert d is not None and d.begin == date(2021, 1, 15)
    c = table.subject(3)
    assert c is not None and c.begin is None


def test_build_rejects_a_document_that_is_not_an_anime_map() -> None:
    with pytest.raises(ValueError):
        build_table(b'{"items": []}')
    with pytest.raises(ValueError):
        build_table(b"<html>")


def assert_same_answers(stored: StoredIdTable, memory: IdTable) -> None:
    rows = memory._rows
    assert stored.version == memory.version and len(stored) == len(memory)
    for sid in [*(r.bgm_id for r in rows), 987654321]:
        assert stored.subject(sid) == memory.subject(sid), sid
    for tmdb in [*(r.tmdb.id for r in rows if r.tmdb), 987654321]:
        assert stored.tv(tmdb) == memory.tv(tmdb) and stored.movie(tmdb) == memory.movie(tmdb)
    for tvdb in [*(r.tvdb for r in rows if r.tvdb), 987654321]:
        assert stored.tvdb(tvdb) == memory.tvdb(tvdb), tvdb
    for imdb in [*(r.imdb for r in rows if r.imdb), "tt0"]:
        assert stored.imdb(imdb.upper()) == memory.imdb(imdb.upper()), imdb


def test_streamed_table_answers_as_the_one_built_in_memory(tmp_path: Path) -> None:
    memory = build_table(table_bytes())
    source = tmp_path / "anime_map.json"
    source.write_bytes(table_bytes())

    stored = write_id_table(source, tmp_path / "t.sqlite3", memory.version)

    assert memory.tvdb(405920) and memory.imdb("tt21211320")  # not a vacuous match
    assert_same_answers(stored, memory)
    rows = json.loads(table_bytes())
    assert build_table(json.dumps(rows[:-1]).encode()).version != memory.version


def test_streamed_table_keeps_duplicates_and_bad_rows_as_the_in_memory_one(
    tmp_path: Path,
) -> None:
    raw = json.dumps(
        [
            {"bgm_id": "3", "name": "c", "tmdb_id": "tv/5/season/2/episode/13", "tvdb_id": "8"},
            {"bgm_id": "1", "name": "a", "date": "2020-01", "tmdb_id": "tv/5", "tvdb_id": "8"},
            {"bgm_id": "3", "name": "c again", "imdb_id": "TT1"},
            {"bgm_id": "4", "name": "d", "date": "2021-01-15", "tmdb_id": "movie/9"},
            {"bgm_id": "x", "tmdb_id": "tv/6"},
            "not a row",
        ]
    ).encode()
    (tmp_path / "map.json").write_bytes(raw)
    memory = build_table(raw)

    stored = write_id_table(tmp_path / "map.json", tmp_path / "t.sqlite3", memory.version)

    assert_same_answers(stored, memory)
    assert stored.tvdb(8) == [1, 3] and stored.imdb("tt1") == [3]
    row = stored.subject(3)
    assert row is not None and row.name == "c again"


def test_a_truncated_download_keeps_the_previous_table_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cdn, clock = Cdn(table_bytes(), etag='"t1"'), Clock(2_000_000.0)
    old = source(cdn, clock, tmp_path).table()
    cdn.body, cdn.etag = table_bytes()[:-40], '"t2"'
    clock.now += 7200

    with caplog.at_level(logging.WARNING):
        table = source(cdn, clock, tmp_path).table()

    assert old is not None and table is not None and table.version == old.version
    assert table.tvdb(405920) == [329906, 373267, 411427]
    assert "not complete JSON" in caplog.text and "using the cached copy" in caplog.text


def source(cdn: Cdn, clock: Clock, cache_dir: Path, local: Path | None = None) -> IdTableSource:
    http = httpx.Client(transport=httpx.MockTransport(cdn))
    return IdTableSource(URL, local, cache_dir, 3600, http, clock=clock)


def test_download_then_revalidate_at_most_once_per_interval(tmp_path: Path) -> None:
    cdn, clock = Cdn(table_bytes(), etag='"t1"'), Clock(2_000_000.0)

    first = source(cdn, clock, tmp_path).table()
    assert first is not None and first.tvdb(405920) == [329906, 373267, 411427]
    assert len(cdn.requests) == 1 and "If-None-Match" not in cdn.requests[0].headers
    assert (tmp_path / "id-table-index.sqlite3").is_file()

    clock.now += 600
    again = source(cdn, clock, tmp_path).table()
    assert again is not None and again.version == first.version
    assert len(cdn.requests) == 1

    clock.now += 3600
    revalidated = source(cdn, clock, tmp_path).table()
    assert revalidated is not None and revalidated.version == first.version
    assert cdn.requests[-1].headers["If-None-Match"] == '"t1"'
    assert len(cdn.requests) == 2


def test_changed_table_is_rebuilt(tmp_path: Path) -> None:
    cdn, clock = Cdn(table_bytes(), etag='"t1"'), Clock(2_000_000.0)
    old = source(cdn, clock, tmp_path).table()

    rows = [r for r in json.loads(table_bytes()) if r["bgm_id"] != "373267"]
    cdn.body, cdn.etag = json.dumps(rows).encode(), '"t2"'
    clock.now += 7200
    new = source(cdn, clock, tmp_path).table()

    assert old is not None and new is not None and new.version != old.version
    assert new.tvdb(405920) == [329906, 411427]


def test_offline_with_a_cache_uses_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cdn, clock = Cdn(table_bytes(), etag='"t1"'), Clock(2_000_000.0)
    cached = source(cdn, clock, tmp_path).table()
    cdn.down = True
    clock.now += 7200

    with caplog.at_level(logging.WARNING):
        table = source(cdn, clock, tmp_path).table()

    assert cached is not None and table is not None and table.version == cached.version
    assert "using the cached copy" in caplog.text


def test_offline_without_a_cache_warns_and_answers_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cdn = Cdn(table_bytes(), etag='"t1"')
    cdn.down = True
    with caplog.at_level(logging.WARNING):
        assert source(cdn, Clock(2_000_000.0), tmp_path).table() is None
    assert "matching without it" in caplog.text


def test_a_broken_download_without_a_cache_answers_none(tmp_path: Path) -> None:
    cdn = Cdn(b"<html>rate limited</html>")
    assert source(cdn, Clock(2_000_000.0), tmp_path).table() is None
    cdn.body = table_bytes()
    assert source(cdn, Clock(2_000_000.0), tmp_path).table() is not None  # tried again next time


def test_local_file_is_used_without_http(tmp_path: Path) -> None:
    cdn = Cdn(b"unused")
    local = tmp_path / "anime_map.json"
    local.write_bytes(table_bytes())

    table = source(cdn, Clock(2_000_000.0), tmp_path / "cache", local).table()

    assert table is not None and table.imdb("tt13706018") == [329906]
    assert cdn.requests == []
    with pytest.raises(ConfigError, match="cannot read id table"):
        source(cdn, Clock(2_000_000.0), tmp_path / "cache", tmp_path / "nope.json").table()
