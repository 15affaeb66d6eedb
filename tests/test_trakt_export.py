"""`sync --from-export`: Trakt's data export (A.11) as a source of plays, with no Trakt API.

A free account's path: the export's ZIP or folder, a Bangumi token, no Trakt client id —
not one request to Trakt; the same store, matcher and planner as an API sync, keyed by
history ids, so a second import writes nothing, a newer one adds only its new plays, and
a later login syncs nothing twice."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Sandbox
from tests.test_json_schemas import assert_valid
from trakt_sync.errors import BadInput
from trakt_sync.fakes.export import export_files, write_export
from trakt_sync.trakt_export import Limits, read_export

MOVIE_YOUR_NAME = 264063  # in bangumi-data by its TMDB id: placed without Trakt
WRITES = r"^/v0/users/-/collections"


@pytest.fixture
def free_account(sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox as a free account sees it: a Bangumi token, no Trakt client id or login."""
    monkeypatch.delenv("TRAKT_SYNC_TRAKT__CLIENT_ID")
    monkeypatch.delenv("TRAKT_SYNC_TRAKT__CLIENT_SECRET", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(sandbox.bangumi_token + "\n"))
    assert cli("auth", "bangumi", "--with-token").code == 0
    sandbox.trakt.reset_log()
    sandbox.bangumi.reset_log()
    return sandbox


def export_of(sandbox: Sandbox, tmp_path: Path, name: str = "export.zip", **kw: object) -> Path:
    return write_export(sandbox.trakt.world, tmp_path / name, **kw)  # type: ignore[arg-type]


def sync_json(cli, *args: str) -> dict:
    result = cli("sync", "--json", *args)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert_valid("sync", document)
    return document


def plays_in(home: Path) -> dict[int, tuple[str, str | None]]:
    db = sqlite3.connect(home / "default.sqlite3")
    rows = db.execute("SELECT history_id, state, reason FROM plays").fetchall()
    db.close()
    return {hid: (state, reason) for hid, state, reason in rows}


@pytest.mark.parametrize("folder", [False, True], ids=["zip", "folder"])
def test_an_export_syncs_with_no_trakt_request(
    free_account: Sandbox, cli, tmp_path: Path, folder: bool
) -> None:
    export = export_of(free_account, tmp_path, "export" if folder else "export.zip", folder=folder)
    doc = sync_json(cli, "--from-export", str(export))
    assert free_account.trakt.count() == 0
    history = free_account.trakt.world["trakt"]["history"]
    assert doc["fetched"] == doc["new"] == len(history)
    assert doc["removed"] == 0
    # The film bangumi-data knows by its TMDB id is marked; every TV play waits for dates.
    assert [p["name"] for p in doc["plan"]] == ["君の名は。"]
    assert free_account.bangumi.count(WRITES) > 0
    held = plays_in(free_account.home)
    assert len(held) == len(history)
    waiting = [reason for state, reason in held.values() if state == "unmatched"]
    assert waiting and all(
        "air dates" in reason or "no genres" in reason for reason in waiting if reason
    )
    assert sum("air dates" in (r or "") for r in waiting) >= 12


def test_importing_the_same_export_twice_writes_nothing(
    free_account: Sandbox, cli, tmp_path: Path
) -> None:
    export = export_of(free_account, tmp_path)
    sync_json(cli, "--from-export", str(export))
    before = plays_in(free_account.home)
    free_account.bangumi.reset_log()
    doc = sync_json(cli, "--from-export", str(export))
    assert doc["new"] == 0 and doc["marked"] == 0 and doc["plan"] == []
    assert free_account.bangumi.count(method="POST") == 0
    assert free_account.bangumi.count(method="PATCH") == 0
    assert plays_in(free_account.home) == before
    assert free_account.trakt.count() == 0


def test_a_newer_export_adds_only_its_new_plays_and_removes_nothing(
    free_account: Sandbox, cli, tmp_path: Path
) -> None:
    sync_json(cli, "--from-export", str(export_of(free_account, tmp_path, "old.zip")))
    history = free_account.trakt.world["trakt"]["history"]
    gone = history.pop(0)  # deleted on Trakt since: an export cannot say so
    free_account.trakt.add_play(movie=MOVIE_YOUR_NAME, watched_at="2026-11-30T20:00:00.000Z")
    doc = sync_json(cli, "--from-export", str(export_of(free_account, tmp_path, "new.zip")))
    assert doc["new"] == 1 and doc["removed"] == 0
    held = plays_in(free_account.home)
    assert held[gone["id"]][0] != "removed"
    assert len(held) == len(history) + 1


def test_a_later_login_syncs_nothing_twice(
    free_account: Sandbox, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = sync_json(cli, "--from-export", str(export_of(free_account, tmp_path)))
    film_subject = first["plan"][0]["subject_id"]
    # Now with an API app and a login: the history is read once whole, the export's items
    # replaced by Trakt's own, and what waited for air dates is placed.
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", free_account.trakt.client_id)
    assert cli("auth").code == 0
    free_account.bangumi.reset_log()
    doc = sync_json(cli)
    assert doc["new"] == 0 and doc["removed"] == 0
    assert doc["fetched"] == len(free_account.trakt.world["trakt"]["history"])
    assert film_subject not in [p["subject_id"] for p in doc["plan"]]
    assert free_account.bangumi.count(rf"/collections/{film_subject}") == 0
    names = {p["name"] for p in doc["plan"]}
    assert "ぼっち・ざ・ろっく！" in names
    states = [state for state, _ in plays_in(free_account.home).values()]
    # What an API sync alone ends with (README's sandbox walkthrough).
    assert (states.count("synced"), states.count("unmatched"), states.count("skipped")) == (
        16,
        0,
        3,
    )
    free_account.trakt.reset_log()
    again = sync_json(cli)
    assert again["fetched"] == 0 and again["plan"] == []
    assert free_account.trakt.count() == 1  # last_activities only


def test_with_a_client_id_the_export_reads_trakt_metadata(
    free_account: Sandbox, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No login, but a client id: Trakt's public metadata (seasons with air dates, aliases,
    the genres an export lacks) places the plays as an API sync would."""
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__CLIENT_ID", free_account.trakt.client_id)
    doc = sync_json(cli, "--from-export", str(export_of(free_account, tmp_path)))
    assert "ぼっち・ざ・ろっく！" in {p["name"] for p in doc["plan"]}
    paths = [r.path for r in free_account.trakt.requests]
    assert paths and all(p.startswith(("/shows/", "/movies/")) for p in paths), paths
    assert free_account.trakt.count("^/sync/") == 0
    assert free_account.trakt.count("^/shows/1388$") == 1  # Breaking Bad: genres, once
    states = [state for state, _ in plays_in(free_account.home).values()]
    assert (states.count("synced"), states.count("unmatched"), states.count("skipped")) == (
        16,
        0,
        3,
    )
    free_account.trakt.reset_log()
    again = sync_json(cli, "--from-export", str(export_of(free_account, tmp_path)))
    assert again["new"] == 0 and again["plan"] == [] and free_account.trakt.count() == 0


def test_files_are_recognised_by_their_shape(tmp_path: Path, demo_world: dict) -> None:
    files = export_files(demo_world, parts=4)
    history = [n for n in files if n.startswith("watched-history-")]
    assert len(history) == 4
    target = tmp_path / "renamed"
    target.mkdir()
    for number, name in enumerate(sorted(files)):
        data = files[name]
        # Names say nothing here, except that a watchlist's file is named so.
        new = name if "watchlist" in name else f"file-{number}.json"
        (target / new).write_text(json.dumps(data), encoding="utf-8")
    movie = {"title": "Your Name.", "year": 2016, "ids": {"trakt": MOVIE_YOUR_NAME}}
    listed = [
        {"rank": 1, "id": 9, "listed_at": "2024-01-01T00:00:00.000Z", "type": "movie"}
        | {"movie": movie}
    ]
    # A custom list has the watchlist's shape; only a watchlist's file says which it is.
    (target / "lists-favourites.json").write_text(json.dumps(listed), encoding="utf-8")
    (target / "lists-watchlist-2.json").write_text(json.dumps(listed), encoding="utf-8")
    export = read_export(target)
    assert len(export.history_files) == 4
    assert export.plays == len(demo_world["trakt"]["history"])
    pages = list(export.history_pages(limit=7))
    assert [len(page) for page, _ in pages] == [
        7,
        7,
        5,
    ] and pages[-1][1]
    assert all(item["export"] is True for page, _ in pages for item in page)
    assert export.lists["watchlist"] == {"movie": listed}


def test_ratings_and_watchlist_of_the_export_feed_the_lists_when_on(
    free_account: Sandbox, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    free_account.trakt.rate(9, movie=MOVIE_YOUR_NAME)
    monkeypatch.setenv("TRAKT_SYNC_SYNC__RATINGS", "fill")
    doc = sync_json(cli, "--from-export", str(export_of(free_account, tmp_path)))
    assert doc["rated"] == 1
    assert [p["rate"] for p in doc["plan"]] == [9]
    assert free_account.trakt.count() == 0


# -- bad input: exit 65 naming the file, nothing written, no traceback ----------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _good_members(demo_world: dict) -> dict[str, bytes]:
    return {f"x/{n}": json.dumps(d).encode() for n, d in export_files(demo_world).items()}


def _bad_exports(tmp_path: Path, demo_world: dict) -> dict[str, tuple[Path, str]]:
    """case → (the export, what the message must name)."""
    members = _good_members(demo_world)
    text = tmp_path / "notes.txt"
    text.write_text("not an export")
    no_history = {n: d for n, d in members.items() if "watched-history" not in n}
    broken = dict(members)
    broken["x/watched-history-2.json"] = b'[{"id": 1, "watched_at": '
    no_ids = json.loads(members["x/watched-history-1.json"])
    del no_ids[1]["show" if no_ids[1]["type"] == "episode" else "movie"]["ids"]
    without_ids = {**members, "x/watched-history-1.json": json.dumps(no_ids).encode()}
    bomb = {**members, "x/watched-history-9.json": b"[" + b" " * (40 * 1024 * 1024) + b"]"}
    folder = tmp_path / "broken-folder"
    folder.mkdir()
    (folder / "watched-history-1.json").write_text("{oops", encoding="utf-8")
    return {
        "not-a-zip": (text, "notes.txt"),
        "missing": (tmp_path / "nowhere.zip", "nowhere.zip"),
        "no-history": (_zip(tmp_path / "no-history.zip", no_history), "no play history"),
        "malformed-json": (_zip(tmp_path / "broken.zip", broken), "watched-history-2.json"),
        "entry-without-ids": (_zip(tmp_path / "ids.zip", without_ids), "entry 2"),
        "zip-bomb": (_zip(tmp_path / "bomb.zip", bomb), "watched-history-9.json"),
        "malformed-folder": (folder, "watched-history-1.json"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "not-a-zip",
        "missing",
        "no-history",
        "malformed-json",
        "entry-without-ids",
        "zip-bomb",
        "malformed-folder",
    ],
)
def test_a_bad_export_exits_65_and_writes_nothing(
    free_account: Sandbox, cli, tmp_path: Path, demo_world: dict, case: str
) -> None:
    path, named = _bad_exports(tmp_path, demo_world)[case]
    result = cli("sync", "--from-export", str(path))
    assert result.code == 65, result.err
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.startswith("trakt-sync:")]
    assert len(lines) == 1 and named in lines[0], result.err
    database = free_account.home / "default.sqlite3"
    assert not database.exists() or plays_in(free_account.home) == {}
    assert free_account.bangumi.count(method="POST") == 0
    assert free_account.trakt.count() == 0
    as_json = cli("sync", "--json", "--from-export", str(path))
    assert as_json.code == 65 and json.loads(as_json.out)["exit_code"] == 65
    assert_valid("sync", json.loads(as_json.out))


def test_an_oversize_export_is_refused_before_it_is_inflated(
    tmp_path: Path, demo_world: dict
) -> None:
    path = _zip(tmp_path / "big.zip", _good_members(demo_world))
    with pytest.raises(BadInput, match="too large"):
        read_export(path, Limits(member_bytes=1000))
    with pytest.raises(BadInput, match="too large"):
        read_export(path, Limits(total_bytes=5000))
    with pytest.raises(BadInput, match="too large"):
        read_export(path, Limits(archive_bytes=100))
    assert read_export(path).plays == len(demo_world["trakt"]["history"])


def test_full_and_since_do_not_go_with_an_export(free_account: Sandbox, cli, tmp_path) -> None:
    result = cli("sync", "--full", "--from-export", str(export_of(free_account, tmp_path)))
    assert result.code == 2 and "--from-export" in result.err


def test_an_import_stopped_half_way_leaves_nothing_saved(
    free_account: Sandbox, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trakt_sync.store import Store

    save_rows = Store.save_rows
    calls = []

    def stop_on_the_third_page(self: Store, rows: list) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return save_rows(self, rows)

    monkeypatch.setenv("TRAKT_SYNC_SYNC__PAGE_LIMIT", "5")
    monkeypatch.setattr(Store, "save_rows", stop_on_the_third_page)
    result = cli("sync", "--from-export", str(export_of(free_account, tmp_path)))
    assert result.code == 130 and len(calls) == 3
    assert plays_in(free_account.home) == {}
    monkeypatch.setattr(Store, "save_rows", save_rows)
    assert sync_json(cli, "--from-export", str(export_of(free_account, tmp_path)))["new"] == 19


def test_a_free_account_is_pointed_at_the_export(free_account: Sandbox, cli) -> None:
    for args in (("sync",), ("auth",)):
        result = cli(*args)
        assert result.code in (77, 78) and "sync --from-export PATH" in result.err, result.err
