"""The SQLite record: migrations on open, refusal of foreign files, idempotent saves."""

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import all_plays, plays_to_apply, plays_to_send, save_plays
from trakt_sync.errors import StateError
from trakt_sync.models import Play, PlayState, Resolution, ResolutionStatus
from trakt_sync.store import SCHEMA_VERSION, Store
from trakt_sync.trakt_items import play_from_history

ITEM = {
    "id": 9001,
    "watched_at": "2024-05-01T12:00:00.000Z",
    "action": "scrobble",
    "type": "episode",
    "show": {
        "title": "SPY×FAMILY",
        "year": 2022,
        "ids": {"trakt": 1, "slug": "spy-x-family", "tmdb": 120089, "tvdb": 1, "imdb": "tt1"},
    },
    "episode": {
        "season": 1,
        "number": 13,
        "title": "x",
        "ids": {"trakt": 5, "tmdb": 6},
        "first_aired": "2022-10-01T14:00:00.000Z",
    },
}


def test_new_database_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_saving_the_same_play_twice_keeps_one_row(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    play = play_from_history(ITEM)
    assert save_plays(store, [(play, ITEM)]) == 1
    assert save_plays(store, [(play, ITEM)]) == 0
    [stored] = all_plays(store)
    assert stored.state is PlayState.PENDING
    assert stored.play.episode is not None and stored.play.episode.number == 13


def test_resolution_then_sync_is_recorded(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    save_plays(store, [(play_from_history(ITEM), ITEM)])
    store.record_resolutions(
        [
            (
                9001,
                Resolution(
                    ResolutionStatus.MATCHED, subject_id=373267, episode_id=77, subject_type=2
                ),
            )
        ],
        "v1",
    )
    [ready] = plays_to_apply(store)
    assert (ready.subject_id, ready.episode_id) == (373267, 77)
    run = store.start_run(dry_run=False)
    store.mark_synced([9001], run)
    assert store.state_counts()["synced"] == 1
    assert plays_to_apply(store) == []


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StateError, match="newer trakt-sync"):
        Store(path)


def test_schema_3_plays_move_to_a_table_with_a_rowid_of_its_own(tmp_path: Path) -> None:
    from trakt_sync.store import MIGRATIONS

    path = tmp_path / "s.sqlite3"
    db = sqlite3.connect(path)
    for number, migration in enumerate(MIGRATIONS[:3], start=1):
        db.executescript(migration)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute("INSERT INTO runs(id, started_at) VALUES (4, '2024-05-03T00:00:00.000Z')")
    columns = (
        "history_id, watched_at, kind, media_trakt, media_title, season, number, item, state, "
        "reason, attempts, subject_id, episode_id, subject_type, resolution, resolved_with, "
        "fetched_at, updated_at, synced_run"
    )
    held = [
        (9001, "2024-05-01T12:00:00.000Z", "episode", 1, "SPY×FAMILY", 1, 13, json.dumps(ITEM),
         "synced", None, 0, 373267, 77, 2, '{"source": "x"}', "v1", "t0", "t1", 4),
        (42, "2024-05-02T12:00:00.000Z", "episode", 1, "SPY×FAMILY", 1, 14, json.dumps(ITEM),
         "failed", "503", 2, None, None, None, None, None, "t0", "t2", None),
    ]  # fmt: skip
    db.executemany(f"INSERT INTO plays ({columns}) VALUES ({','.join('?' * 19)})", held)
    db.commit()
    db.close()

    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rows = store.db.execute(f"SELECT {columns} FROM plays ORDER BY history_id").fetchall()
    assert [tuple(row) for row in rows] == sorted(held)
    # The history id is a unique key, no longer the rowid: a play saved again is still one.
    assert store.db.execute("SELECT rowid FROM plays WHERE history_id = 9001").fetchone()[0] != 9001
    assert save_plays(store, [(play_from_history(ITEM), ITEM)]) == 0
    assert store.state_counts()["synced"] == 1
    assert {row[1] for row in store.db.execute("PRAGMA index_list(plays)")} >= {
        "plays_state",
        "plays_show",
    }


def test_corrupt_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    before = path.read_bytes()
    with pytest.raises(StateError, match="not a usable trakt-sync database"):
        Store(path)
    assert path.read_bytes() == before


def test_corrupt_database_exits_1_with_one_line(cli, isolated_env: Path) -> None:
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "default.sqlite3").write_bytes(b"garbage" * 200)
    result = cli("status")
    assert result.code == 1
    assert "not a usable trakt-sync database" in result.err
    assert "Traceback" not in result.err


def _matched(history_id: int) -> tuple[int, Resolution]:
    return (
        history_id,
        Resolution(ResolutionStatus.MATCHED, subject_id=373267, episode_id=77, subject_type=2),
    )


def test_a_resolution_with_nothing_to_explain_stores_no_detail(tmp_path: Path) -> None:
    from trakt_sync.reports import unmatched_groups

    store = Store(tmp_path / "s.sqlite3")
    other = {**ITEM, "id": 9002}
    save_plays(store, [(play_from_history(i), i) for i in (ITEM, other)])
    candidate = {"subject_id": 1, "name": "x", "why": "air dates disagree"}
    store.record_resolutions(
        [
            (9001, Resolution.skipped("not anime")),
            (9002, Resolution.unmatched("no fit", candidates=[candidate])),
        ],
        "v1",
    )
    details = dict(store.db.execute("SELECT history_id, resolution FROM plays").fetchall())
    assert details[9001] is None
    assert json.loads(details[9002])["candidates"] == [candidate]
    [skipped] = unmatched_groups(store, PlayState.SKIPPED)
    assert (skipped["reason"], skipped["candidates"]) == ("not anime", [])


def test_override_resets_only_the_plays_it_names(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    season2 = {**ITEM, "id": 9002, "episode": {**ITEM["episode"], "season": 2}}  # type: ignore[dict-item]
    movie = {
        "id": 9003,
        "watched_at": "2024-05-02T12:00:00.000Z",
        "type": "movie",
        "movie": {"title": "Film", "year": 2020, "ids": {"trakt": 7, "tmdb": 70}},
    }
    save_plays(store, [(play_from_history(i), i) for i in (ITEM, season2, movie)])
    store.record_resolutions([_matched(9001), _matched(9002), _matched(9003)], "v1")
    assert store.reset_show_plays("slug", "other-show", None) == 0
    assert store.reset_show_plays("tmdb", 120089, 2) == 1
    assert store.reset_movie_plays("tmdb", 120089) == 0  # a show's id never names a film
    assert store.reset_movie_plays("trakt", 7) == 1
    assert [p.play.history_id for p in plays_to_apply(store)] == [9001]
    assert store.reset_show_plays("slug", "spy-x-family", None) == 2


def _episode_item(history_id: int, show: int, season: int, number: int, day: int) -> dict[str, Any]:
    return {
        **ITEM,
        "id": history_id,
        "watched_at": f"2024-05-{day:02d}T12:00:00.000Z",
        "show": {"title": f"show {show}", "ids": {"trakt": show}},
        "episode": {"season": season, "number": number, "title": f"e{number}", "ids": {}},
    }


def test_plays_are_resolved_group_by_group_each_show_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trakt_sync.store.play_queue as store_module

    items = [
        _episode_item(1, show=10, season=1, number=2, day=3),
        _episode_item(2, show=20, season=1, number=1, day=1),
        _episode_item(3, show=10, season=1, number=1, day=2),
        _episode_item(4, show=10, season=2, number=1, day=4),
        {
            **ITEM,
            "id": 5,
            "watched_at": "2024-05-09T12:00:00.000Z",
            "type": "movie",
            "movie": {"title": "F", "ids": {"trakt": 7}},
        },
    ]
    store = Store(tmp_path / "s.sqlite3")
    save_plays(store, [(play_from_history(item), item) for item in items])
    store.record_resolutions([_matched(4)], "v1")  # resolved already: not asked again
    shows: list[str] = []

    def counting(data: dict[str, Any]) -> Any:
        shows.append(data["title"])
        return play_from_history(ITEM).show

    monkeypatch.setattr(store_module, "show_from_api", counting)
    selection = ("v1", False, 3)
    keys = store.groups_to_resolve(*selection)
    # in the order of each group's first play; one group per show season or film
    assert [(k.kind, k.media_trakt, k.season, k.size) for k in keys] == [
        ("episode", 20, 1, 1),
        ("episode", 10, 1, 2),
        ("movie", 7, None, 1),
    ]
    groups = [store.group_to_resolve(key, *selection) for key in keys]
    assert [g.history_ids for g in groups] == [[2], [3, 1], [5]]
    assert [e.number for e in groups[1].episodes] == [1, 2]
    assert groups[2].movie is not None and groups[2].movie.title == "F"
    assert shows == ["show 20", "show 10"]  # once per group, however many plays


def test_a_group_s_episodes_read_from_the_columns_are_the_items_episodes(tmp_path: Path) -> None:
    from trakt_sync.trakt_items import episode_from_api

    episode: dict[str, Any] = {
        **ITEM["episode"],  # type: ignore[dict-item]
        "number_abs": 40,
        "ids": {"trakt": 5, "tmdb": 6, "tvdb": 7, "imdb": "tt8"},
    }
    full = {**ITEM, "episode": episode}
    bare = {**ITEM, "id": 9002, "episode": {"season": 1, "number": 14}}
    again = {**full, "id": 9003, "watched_at": "2024-06-01T12:00:00.000Z"}
    store = Store(tmp_path / "s.sqlite3")
    save_plays(store, [(play_from_history(i), i) for i in (full, bare, again)])
    selection = ("v1", False, 3)
    [key] = store.groups_to_resolve(*selection)
    group = store.group_to_resolve(key, *selection)
    assert group.history_ids == [9001, 9002, 9003]
    items: list[dict[str, Any]] = [full, bare, again]
    assert group.episodes == [episode_from_api(i["episode"]) for i in items]


def test_plays_to_apply_are_read_per_subject_without_parsing_the_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trakt_sync.store.play_queue as store_module

    items = [_episode_item(n, show=10, season=1, number=n, day=n) for n in range(1, 6)]
    store = Store(tmp_path / "s.sqlite3")
    save_plays(store, [(play_from_history(item), item) for item in items])
    store.record_resolutions(
        [
            (n, Resolution(ResolutionStatus.MATCHED, subject_id=sid, episode_id=n, subject_type=2))
            for n, sid in ((1, 300), (2, 100), (3, 300), (4, 200), (5, 100))
        ],
        "v1",
    )

    def refuse(item: dict[str, Any]) -> Play:
        raise AssertionError("a stored item was parsed")

    monkeypatch.setattr(store_module, "play_from_history", refuse)
    assert store.subjects_to_apply() == {100: 2, 200: 2, 300: 2}
    batch = store.apply_batch([300, 100])
    assert [(sid, [p.play.history_id for p in plays]) for sid, plays in batch] == [
        (100, [2, 5]),
        (300, [1, 3]),
    ]
    play = batch[0][1][0].play
    assert play.show is not None and play.show.title == "show 10"
    assert play.episode is not None and (play.episode.season, play.episode.number) == (1, 2)
    assert [p.play.history_id for p in plays_to_apply(store)] == [2, 5, 4, 1, 3]


def test_a_batch_s_plays_equal_the_items_and_share_their_show_and_episodes(
    tmp_path: Path,
) -> None:
    """A long show played thousands of times is held once per show and per episode
    (issue 19's 10 k first sync peaked there), and each play is still the item's."""
    movie = {**ITEM, "id": 7, "type": "movie", "movie": {"title": "F", "ids": {"trakt": 70}}}
    items = [
        _episode_item(1, show=10, season=1, number=1, day=1),
        _episode_item(2, show=10, season=1, number=2, day=2),
        _episode_item(3, show=10, season=1, number=1, day=3),  # watched again
        _episode_item(4, show=20, season=1, number=1, day=4),
        movie,
        {**movie, "id": 8, "watched_at": "2024-06-01T12:00:00.000Z"},
    ]
    store = Store(tmp_path / "s.sqlite3")
    save_plays(store, [(play_from_history(item), item) for item in items])
    store.record_resolutions(
        [
            (n, Resolution(ResolutionStatus.MATCHED, subject_id=100, episode_id=n))
            for n in range(1, 9)
        ],
        "v1",
    )
    [(_, stored)] = store.apply_batch([100])
    plays = {p.play.history_id: p.play for p in stored}
    assert plays == {int(item["id"]): play_from_history(item) for item in items}
    assert plays[1].show is plays[2].show is plays[3].show
    assert plays[1].show is not plays[4].show
    assert plays[1].episode is plays[3].episode
    assert plays[1].episode is not plays[2].episode
    assert plays[7].movie is plays[8].movie


def test_a_history_row_gives_the_columns_of_the_parsed_play(tmp_path: Path) -> None:
    from trakt_sync.trakt_items import history_row

    odd = {**ITEM, "id": 9002, "watched_at": "2024-05-01T14:00:00+02:00"}
    movie = {**ITEM, "id": 9003, "type": "movie", "movie": {"title": "F", "ids": {"trakt": 7}}}
    by_rows, by_plays = Store(tmp_path / "a.sqlite3"), Store(tmp_path / "b.sqlite3")
    assert by_rows.save_rows((history_row(item), item) for item in (ITEM, odd, movie)) == 3
    save_plays(by_plays, [(play_from_history(item), item) for item in (ITEM, odd, movie)])

    def columns(store: Store) -> list[dict[str, Any]]:
        rows = store.db.execute("SELECT * FROM plays ORDER BY history_id")
        return [
            {k: v for k, v in dict(row).items() if k not in ("fetched_at", "updated_at")}
            for row in rows
        ]

    assert columns(by_rows) == columns(by_plays)
    assert [row[0] for row in by_rows.db.execute("SELECT watched_at FROM plays")] == [
        "2024-05-01T12:00:00.000Z"
    ] * 3
    for bad in ({**ITEM, "type": "show"}, {**ITEM, "episode": {"season": 1}}, {"id": 1}):
        with pytest.raises(ValueError):
            history_row(bad)


def test_a_season_comes_from_the_history_only_when_it_holds_the_whole_ended_show(
    tmp_path: Path,
) -> None:
    def item(history_id: int, season: int, number: int, status: str = "ended") -> dict[str, Any]:
        return {
            **ITEM,
            "id": history_id,
            "show": {
                "title": "S",
                "ids": {"trakt": 1, "slug": "s"},
                "status": status,
                "aired_episodes": 3,
            },
            "episode": {
                "season": season,
                "number": number,
                "number_abs": number + 10,
                "first_aired": f"2022-10-0{number}T14:00:00.000Z",
                "ids": {},
            },
        }

    store = Store(tmp_path / "s.sqlite3")

    def save(items: list[tuple[Play, dict[str, Any]]]) -> int:
        return save_plays(store, items)

    save([(play_from_history(i), i) for i in (item(1, 1, 1), item(2, 1, 2), item(3, 1, 2))])
    assert store.history_season(1, 1) is None  # two of the three aired episodes played
    save([(play_from_history(i), i) for i in (item(4, 2, 1), item(5, 0, 1))])
    season = store.history_season(1, 1)
    assert season is not None and [(e["number"], e["number_abs"]) for e in season] == [
        (1, 11),
        (2, 12),
    ]
    assert store.history_season("s", 1) == season  # by slug as well
    assert store.history_season(1, 0) is None  # specials are not counted by Trakt
    assert store.history_season(1, 3) is None  # nothing played there
    airing = Store(tmp_path / "t.sqlite3")
    rows = [item(n, 1, n, status="returning series") for n in (1, 2, 3)]
    save_plays(airing, [(play_from_history(i), i) for i in rows])
    assert airing.history_season(1, 1) is None  # more may come


def test_plays_to_send_come_in_bounded_batches_that_together_hold_every_play(
    tmp_path: Path,
) -> None:
    items = [_episode_item(n, show=10, season=1, number=n, day=(n % 3) + 1) for n in range(1, 8)]
    store = Store(tmp_path / "s.sqlite3")
    save_plays(store, [(play_from_history(item), item) for item in items])
    store.record_resolutions(
        [(n, Resolution(ResolutionStatus.UNMATCHED, reason="r")) for n in range(1, 8)], "v1"
    )
    expected = [p.play.history_id for p in plays_to_send(store)]
    run = store.start_run(dry_run=False)
    seen = []
    for batch in store.batches_to_send(size=2):
        assert 1 <= len(batch) <= 2
        seen += [p.play.history_id for p in batch]
        store.mark_synced([batch[0].play.history_id], run)  # handled plays leave the selection
    assert seen == expected and sorted(seen) == list(range(1, 8))
    assert store.count_to_send() == 7 - 4


def test_few_commits_commits_only_whole_transactions_even_when_an_error_ends_the_block(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    with pytest.raises(RuntimeError), store.few_commits(every=60) as commit:
        store.put("ns", "a", 1)
        commit()  # too soon: nothing committed yet
        store.put("ns", "b", 2)
        with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
            db.execute("INSERT INTO cache(namespace, key, value, updated_at) VALUES ('ns','c',3,0)")
            db.execute("INSERT INTO cache(namespace, key, value, updated_at) VALUES ('ns','c',3,0)")
        # The half-done transaction took the whole ones since the last commit with it.
        assert store.cached_items("ns") == []
        store.put("ns", "d", 4)
        raise RuntimeError("stop")
    other = Store(tmp_path / "s.sqlite3")  # another connection sees what was committed
    assert sorted(other.cached_items("ns")) == [("d", 4)]


def test_few_commits_keeps_what_was_committed_before_a_failed_transaction(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    with pytest.raises(KeyboardInterrupt), store.few_commits(every=0) as commit:
        store.put("ns", "a", 1)
        commit()
        with store.transaction() as db:
            db.execute("INSERT INTO cache(namespace, key, value, updated_at) VALUES ('ns','b',2,0)")
            raise KeyboardInterrupt
    other = Store(tmp_path / "s.sqlite3")
    assert sorted(other.cached_items("ns")) == [("a", 1)]


def test_partly_damaged_database_names_the_file_and_what_to_do(logged_in, cli) -> None:
    """Bug 7: a file that opens but whose pages are damaged ("database disk image is
    malformed") is a StateError naming the file and the way out, not "unexpected error"."""
    assert cli("sync").code == 0
    path = logged_in.home / "default.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    roots = [
        row[0] for row in db.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'plays'")
    ]
    db.close()
    with path.open("r+b") as file:
        for root in roots:  # the table and its indexes
            file.seek((root - 1) * page_size)
            file.write(b"\xff" * page_size)

    result = cli("status")
    assert result.code == 1
    assert "unexpected error" not in result.err and "Traceback" not in result.err
    assert str(path) in result.err and "malformed" in result.err
    assert "move the file aside" in result.err and ".recover" in result.err


FULL_ITEM: dict[str, Any] = {
    **ITEM,
    "show": {
        "title": "S",
        "year": 2020,
        "ids": {"trakt": 1, "slug": "s", "tmdb": 2, "tvdb": 3, "imdb": "tt4"},
        "genres": ["anime", "comedy"],
        "original_title": "エス",
        "country": "jp",
        "language": "ja",
        "status": "ended",
        "aired_episodes": 1,
        "overview": "a long overview " * 50,
        "available_translations": ["en", "ja"],
        "runtime": 24,
    },
    "episode": {
        "season": 1,
        "number": 1,
        "title": "One",
        "original_title": "イチ",
        "ids": {"trakt": 5, "tvdb": 6, "tmdb": 7, "imdb": None},
        "number_abs": 1,
        "first_aired": "2020-01-01T15:00:00.000Z",
        "overview": "an episode overview " * 20,
        "runtime": 24,
        "episode_type": "series_premiere",
    },
}
FULL_MOVIE: dict[str, Any] = {
    **{k: v for k, v in ITEM.items() if k != "show" and k != "episode"},
    "id": 9010,
    "type": "movie",
    "movie": {
        "title": "F",
        "year": 2021,
        "ids": {"trakt": 7, "slug": "f", "tmdb": 8},
        "genres": ["anime"],
        "released": "2021-05-01",
        "original_title": "エフ",
        "overview": "a film overview " * 50,
        "tagline": "t",
    },
}


def _read_back(store: Store) -> tuple[Any, ...]:
    keys = store.groups_to_resolve("v", False, 3)
    return (
        [p.play for p in all_plays(store)],
        [store.group_to_resolve(key, "v", False, 3) for key in keys],
        store.history_season(1, 1),
    )


def test_a_stored_play_keeps_only_what_is_read_back_and_reads_the_same(tmp_path: Path) -> None:
    from trakt_sync.trakt_items import history_row

    items = (FULL_ITEM, FULL_MOVIE)
    store = Store(tmp_path / "slim.sqlite3")
    store.save_rows((history_row(item), item) for item in items)
    plays, groups, season = _read_back(store)
    assert plays == [play_from_history(item) for item in items]
    assert groups[0].show == play_from_history(FULL_ITEM).show
    assert groups[0].episodes == [play_from_history(FULL_ITEM).episode]
    assert groups[1].movie == play_from_history(FULL_MOVIE).movie
    assert season == [{k: v for k, v in FULL_ITEM["episode"].items() if k in _EPISODE_KEPT}]
    stored = [json.loads(row[0]) for row in store.db.execute("SELECT item FROM plays")]
    assert all("overview" not in json.dumps(item) for item in stored)
    # Rows saved whole by earlier versions read the same.
    old = Store(tmp_path / "old.sqlite3")
    old.save_rows((history_row(item), item) for item in items)
    old.db.executemany(
        "UPDATE plays SET item = ? WHERE history_id = ?",
        [(json.dumps(item), item["id"]) for item in items],
    )
    old_plays, old_groups, old_season = _read_back(old)
    assert (old_plays, old_groups) == (plays, groups)
    assert old_season == [FULL_ITEM["episode"]]  # what the season readers take from it is kept


_EPISODE_KEPT = ("season", "number", "title", "original_title", "ids", "number_abs", "first_aired")
