"""The compact bangumi-data index and where it comes from (local file, CDN + cache)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import pytest

from bench.index_check import differences
from tests.helpers import Cdn, Clock
from trakt_sync.errors import ConfigError, ServiceUnavailable
from trakt_sync.fakes.memory import sample_bytes
from trakt_sync.matching.bangumi_data import BangumiDataIndex, TmdbKey, build_index
from trakt_sync.matching.data_sources import BangumiDataSource
from trakt_sync.matching.stored_index import StoredBangumiData, write_bangumi_data

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


def assert_same_answers(stored: StoredBangumiData, memory: BangumiDataIndex) -> None:
    """Every look-up the matcher (and the benches) make answers the same from both."""
    assert differences(stored, memory) == []
    for sid in memory.subject_ids():  # the check samples these scans; the tests do all
        assert stored.tmdb_keys(sid) == memory.tmdb_keys(sid), sid


def test_streamed_index_answers_as_the_one_built_in_memory(tmp_path: Path) -> None:
    source = tmp_path / "data.json"
    source.write_bytes(sample_bytes())
    memory = build_index(sample_bytes())

    stored = write_bangumi_data(source, tmp_path / "index.sqlite3", memory.version)

    assert len(memory) > 50 and memory.tv(1429) and memory.movie(372058)  # not a vacuous match
    assert_same_answers(stored, memory)
    # reopened from the file: the same; and it keeps much less than the source
    assert_same_answers(StoredBangumiData(tmp_path / "index.sqlite3"), memory)
    assert (tmp_path / "index.sqlite3").stat().st_size * 2 < len(sample_bytes())


def test_the_comparison_sees_a_differing_answer(tmp_path: Path) -> None:
    data = json.loads(sample_bytes())
    data["items"] = [i for i in data["items"] if i["title"] != "君の名は。"]
    (tmp_path / "fewer.json").write_bytes(json.dumps(data).encode())
    memory = build_index(sample_bytes())

    stored = write_bangumi_data(tmp_path / "fewer.json", tmp_path / "i.sqlite3", memory.version)

    found = differences(stored, memory)
    assert "movie(372058)" in found and "subject(160209)" in found
    assert not any(d.startswith("tv(") for d in found)


def test_streamed_index_keeps_duplicates_as_the_in_memory_one(tmp_path: Path) -> None:
    # a subject listed twice (the later item wins), a key listed twice (kept once), keys
    # with and without season/episode, one without a Bangumi id
    items = [
        {"title": "A", "type": "tv", "sites": [{"site": "bangumi", "id": "7"}]},
        {
            "title": "A2",
            "type": "tv",
            "begin": "2020-01-01T15:00:00.000Z",
            "titleTranslate": {"zh-Hans": ["甲"], "en": ["a", "b"]},
            "sites": [
                {"site": "bangumi", "id": "7"},
                {"site": "tmdb", "id": "tv/5/season/1"},
                {"site": "tmdb", "id": "tv/5/season/1"},
                {"site": "tmdb", "id": "tv/5"},
            ],
        },
        {
            "title": "B",
            "type": "tv",
            "sites": [
                {"site": "bangumi", "id": "6"},
                {"site": "tmdb", "id": "tv/5/season/1/episode/13"},
            ],
        },
        {"title": "no id", "type": "tv", "sites": [{"site": "tmdb", "id": "tv/5/season/2"}]},
        {
            "title": "F",
            "type": "movie",
            "sites": [{"site": "bangumi", "id": "9"}, {"site": "tmdb", "id": "movie/5"}],
        },
    ]
    raw = json.dumps({"items": items}).encode()
    (tmp_path / "data.json").write_bytes(raw)
    memory = build_index(raw)

    stored = write_bangumi_data(tmp_path / "data.json", tmp_path / "i.sqlite3", memory.version)

    assert_same_answers(stored, memory)
    assert [str(k) for k, _ in stored.tv(5)] == [
        "tv/5",
        "tv/5/season/1",
        "tv/5/season/1/episode/13",
    ]
    assert stored.subject(7) == memory.subject(7) and memory.subject(7).title == "A2"  # type: ignore[union-attr]
    assert stored.movie(5) == [9] and len(stored) == 3


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(
            lambda raw: raw[: len(raw) // 2] + b"\x00" + raw[len(raw) // 2 :], id="corrupt"
        ),
        pytest.param(lambda raw: b'{"hello": [1]}', id="not bangumi-data"),
        pytest.param(lambda raw: b"<html>rate limited</html>", id="html"),
    ],
)
def test_a_broken_file_leaves_the_index_file_as_it_was(
    tmp_path: Path, broken: Callable[[bytes], bytes]
) -> None:
    d = tmp_path / "files"
    d.mkdir()
    good, bad, target = d / "good.json", d / "bad.json", d / "i.sqlite3"
    good.write_bytes(sample_bytes())
    bad.write_bytes(broken(sample_bytes()))
    write_bangumi_data(good, target, "v1")

    with pytest.raises(ValueError):
        write_bangumi_data(bad, target, "v2")

    assert StoredBangumiData(target).version == "v1"
    assert sorted(p.name for p in d.iterdir()) == ["bad.json", "good.json", "i.sqlite3"]


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
    assert StoredBangumiData(tmp_path / "bangumi-data-index.sqlite3").version == new.version


@pytest.mark.parametrize("cut", [0.5, 0.999], ids=["half", "last bytes"])
def test_a_truncated_or_corrupt_download_keeps_the_previous_index_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, cut: float
) -> None:
    cdn, clock = Cdn(sample_bytes()), Clock(1_000_000.0)
    cache = tmp_path / "cache"
    old = source(cdn, clock, cache).index()
    data = json.loads(sample_bytes())
    data["items"] = data["items"][:-1]  # a new version, cut short on the way
    new_raw = json.dumps(data).encode()
    cdn.body, cdn.etag = new_raw[: int(len(new_raw) * cut)], '"v2"'
    clock.now += 7200

    with caplog.at_level(logging.WARNING, logger="trakt_sync.matching.data_sources"):
        index = source(cdn, clock, cache).index()

    assert index.version == old.version and index.movie(372058) == [160209]
    assert "refresh from" in caplog.text and "not complete JSON" in caplog.text
    assert f"using the cached copy (version {old.version})" in caplog.text
    # the broken download is not kept, the source of the index is
    assert sorted(p.name for p in cache.iterdir()) == [
        "bangumi-data-index.sqlite3",
        "bangumi-data-meta.json",
        "bangumi-data.json",
    ]
    assert (cache / "bangumi-data.json").read_bytes() == sample_bytes()
    # fixed upstream: the next refresh takes it
    cdn.body, cdn.etag = new_raw, '"v3"'
    clock.now += 7200
    assert source(cdn, clock, cache).index().version == build_index(new_raw).version


def test_an_index_of_an_earlier_release_is_rebuilt_from_the_kept_source_offline(
    tmp_path: Path,
) -> None:
    cdn, clock = Cdn(sample_bytes()), Clock(1_000_000.0)
    first = source(cdn, clock, tmp_path).index()
    (tmp_path / "bangumi-data-index.sqlite3").unlink()
    (tmp_path / "bangumi-data-index.json").write_text("{}")  # the JSON index of 0.x
    cdn.down = True

    again = source(cdn, clock, tmp_path).index()

    assert again.version == first.version and again.movie(372058) == [160209]
    assert len(cdn.requests) == 1
    assert not (tmp_path / "bangumi-data-index.json").exists()


def test_offline_with_a_cache_warns_and_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cdn, clock = Cdn(sample_bytes()), Clock(1_000_000.0)
    cached = source(cdn, clock, tmp_path).index()
    cdn.down = True
    clock.now += 7200

    with caplog.at_level(logging.WARNING, logger="trakt_sync.matching.data_sources"):
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
    index_file = cache_dir / "bangumi-data-index.sqlite3"
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
