"""Rarer errors (the token file, the state database, a Trakt export, the data cache, a
profile name, a show reference, Bangumi-syncer's answer) in the language spoken: English in
``str(error)`` (``--json``, logs), Chinese from ``translated()`` when the terminal speaks it.
Each is raised by the code that raises it for real."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from trakt_sync.errors import TraktSyncError

# What a Chinese message may keep in Latin letters: paths, file names, commands, quoted
# values, settings, the services' and the program's names, id forms.
LATIN = re.compile(r"`[^`]*`|'[^']*'|\S*/\S*|[\w.-]+\.(?:json|sqlite3|toml|zip)|\w+\.\w+")
KEPT = {"Trakt", "Bangumi", "Bangumi-syncer", "bangumi-data", "trakt-sync", "JSON", "ZIP"}
KEPT |= {"TMDB", "id", "profile", "schema", "trakt", "slug", "tmdb", "movie", "URL", "ID", "SLUG"}


def _raised(make: Callable[[], object]) -> TraktSyncError:
    with pytest.raises(TraktSyncError) as caught:
        make()
    return caught.value


def _bad_token_file(tmp: Path) -> None:
    from trakt_sync.token_backends import FileBackend

    path = tmp / "tokens.json"
    path.write_text("{not json", encoding="utf-8")
    path.chmod(0o600)
    FileBackend(path).get("default", "trakt")


def _open_token_file(tmp: Path) -> None:
    from trakt_sync.token_backends import read_private

    path = tmp / "tokens.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o644)
    read_private(path)


def _newer_database(tmp: Path) -> None:
    from trakt_sync.store.migrations import migrate

    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA user_version = 999")
    migrate(db, tmp / "default.sqlite3")


def _not_an_export(tmp: Path) -> None:
    from trakt_sync.trakt_export import read_export

    (tmp / "export" / "lists").mkdir(parents=True)
    read_export(tmp / "export")


def _bad_profile(tmp: Path) -> None:
    from trakt_sync.paths import check_profile_name

    check_profile_name("../x", "--profile")


def _bad_show(tmp: Path) -> None:
    from trakt_sync.show_key import parse

    parse("what/ever")


def _data_unavailable(tmp: Path) -> None:
    from trakt_sync.matching.data_sources import BangumiDataSource

    source = BangumiDataSource.__new__(BangumiDataSource)
    source.url = "https://cdn.example/data.json"
    source.unavailable("connection refused by cdn.example")


def _syncer_refused(tmp: Path) -> None:
    from trakt_sync.errors import AccessDenied
    from trakt_sync.i18n import N_

    # sink.py's words, raised as it raises them (a live Bangumi-syncer is test_sink's).
    raise AccessDenied.said(
        N_("Bangumi-syncer refused the play ({why}); check sink.key"), why="401"
    )


CASES = {
    "token file": (_bad_token_file, "is not valid JSON", "不是有效的 JSON"),
    "token file mode": (_open_token_file, "readable or writable by other", "其他用户可以读写"),
    "database": (_newer_database, "written by a newer trakt-sync", "由更新版本的 trakt-sync"),
    "export": (_not_an_export, "no play history in it", "其中没有播放记录"),
    "profile": (_bad_profile, "is not a valid profile name", "不是有效的 profile 名称"),
    "show": (_bad_show, "not a Trakt show or film", "不是 Trakt 上的剧集或电影"),
    "data cache": (_data_unavailable, "cannot download bangumi-data", "无法从 https"),
    "Bangumi-syncer": (_syncer_refused, "Bangumi-syncer refused the play", "拒绝了这条播放记录"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rarer_errors_in_chinese_and_english(name: str, tmp_path: Path, chinese: None) -> None:
    make, english, chinese_words = CASES[name]
    error = _raised(lambda: make(tmp_path))
    assert english in str(error)  # --json and logs keep the English
    shown = error.translated()
    assert chinese_words in shown, shown
    left = {w for w in re.findall(r"[A-Za-z][A-Za-z-]*", LATIN.sub("", shown)) if w not in KEPT}
    assert not left, shown


def test_a_token_error_names_the_command_in_chinese(tmp_path: Path, chinese: None) -> None:
    error = _raised(lambda: _bad_token_file(tmp_path))
    assert error.translated().endswith("请删除它（或恢复备份），然后请运行 `trakt-sync auth`")
