"""The SQLite record: migrations on open, refusal of foreign files, idempotent saves."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest

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
    assert store.save_plays([(play, ITEM)]) == 1
    assert store.save_plays([(play, ITEM)]) == 0
    [stored] = store.plays()
    assert stored.state is PlayState.PENDING
    assert stored.play.episode is not None and stored.play.episode.number == 13


def test_resolution_then_sync_is_recorded(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.save_plays([(play_from_history(ITEM), ITEM)])
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
    [ready] = store.plays_to_apply()
    assert (ready.subject_id, ready.episode_id) == (373267, 77)
    run = store.start_run(dry_run=False)
    store.mark_synced([9001], run)
    assert store.state_counts()["synced"] == 1
    assert store.plays_to_apply() == []


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StateError, match="newer trakt-sync"):
        Store(path)


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


def test_override_resets_only_the_plays_it_names(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    season2 = {**ITEM, "id": 9002, "episode": {**ITEM["episode"], "season": 2}}  # type: ignore[dict-item]
    movie = {
        "id": 9003,
        "watched_at": "2024-05-02T12:00:00.000Z",
        "type": "movie",
        "movie": {"title": "Film", "year": 2020, "ids": {"trakt": 7, "tmdb": 70}},
    }
    store.save_plays([(play_from_history(i), i) for i in (ITEM, season2, movie)])
    store.record_resolutions([_matched(9001), _matched(9002), _matched(9003)], "v1")
    assert store.reset_show_plays("slug", "other-show", None) == 0
    assert store.reset_show_plays("tmdb", 120089, 2) == 1
    assert store.reset_movie_plays("tmdb", 120089) == 0  # a show's id never names a film
    assert store.reset_movie_plays("trakt", 7) == 1
    assert [p.play.history_id for p in store.plays_to_apply()] == [9001]
    assert store.reset_show_plays("slug", "spy-x-family", None) == 2


def test_each_play_is_parsed_once_however_often_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trakt_sync.store as store_module

    parsed: list[int] = []

    def counting(item: dict[str, Any]) -> Play:
        parsed.append(item["id"])
        return play_from_history(item)

    monkeypatch.setattr(store_module, "play_from_history", counting)
    store = Store(tmp_path / "s.sqlite3")
    store.save_plays([(play_from_history(ITEM), ITEM)])
    first = store.plays_to_resolve("v1", retry_unmatched=False, max_attempts=3)
    store.record_resolutions([_matched(9001)], "v1")
    again = store.plays_to_apply() + store.plays()
    assert parsed == [9001]
    assert all(p.play == first[0].play for p in again) and len(again) == 2


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
