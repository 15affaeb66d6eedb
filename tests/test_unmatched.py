"""Unmatched plays: kept with a reason, not re-searched every run, retried on demand or
when an override is added; and `--since` bounds the first fetch."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.world import (
    UNFINDABLE_SHOW,
    UNFINDABLE_SUBJECT,
    add_unfindable_anime,
)

MYSTERY_TRAKT, MYSTERY_SUBJECT = UNFINDABLE_SHOW, UNFINDABLE_SUBJECT


@pytest.fixture
def mystery_world(demo_world: dict[str, Any]) -> dict[str, Any]:
    """An anime that no id source knows and whose title Bangumi search cannot find."""
    add_unfindable_anime(demo_world, played=(1, 2))
    return demo_world


def login(sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("auth").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(sandbox.bangumi_token + "\n"))
    assert cli("auth", "bangumi", "--with-token").code == 0


def test_unmatched_plays_have_a_reason_and_are_not_searched_again(
    mystery_world: dict[str, Any],
    sandbox: Sandbox,
    cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login(sandbox, cli, monkeypatch)
    first = cli("sync", "--json")
    assert first.code == 0  # unmatched is not a failure
    assert json.loads(first.out)["unmatched"] == 2
    listed = json.loads(cli("unmatched", "--json").out)
    [group] = listed
    assert group["title"] == "Mystery Anime Nobody Indexed" and group["episodes"] == [1, 2]
    assert "map add" in group["reason"]  # the reason says how to fix it
    assert MYSTERY_SUBJECT not in sandbox.bangumi.collection("demo")

    # A later run with a new play elsewhere must not search for the unmatched show again.
    sandbox.trakt.add_play(show=185614, season=1, number=16)
    sandbox.bangumi.reset_log()
    assert cli("sync").code == 0
    assert sandbox.bangumi.count("^/v0/search/subjects$") == 0

    # --retry-unmatched does look again.
    sandbox.bangumi.reset_log()
    assert cli("sync", "--retry-unmatched").code == 0
    assert sandbox.bangumi.count("^/v0/search/subjects$") >= 1


def test_map_add_makes_the_next_sync_resolve_the_play(
    mystery_world: dict[str, Any],
    sandbox: Sandbox,
    cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login(sandbox, cli, monkeypatch)
    assert cli("sync").code == 0
    added = cli("map", "add", f"trakt:{MYSTERY_TRAKT}", "S1", str(MYSTERY_SUBJECT))
    assert added.code == 0 and "2 play(s)" in added.out
    assert json.loads(cli("map", "list", "--json").out) == [
        {"show": f"trakt:{MYSTERY_TRAKT}", "episodes": "S1", "subject_id": MYSTERY_SUBJECT}
    ]
    code = cli("sync", "--json")
    assert code.code == 0, code.err
    entry = sandbox.bangumi.collection("demo")[MYSTERY_SUBJECT]
    assert {e for e, m in entry["episodes"].items() if m == 2} == {9907770, 9907771}
    assert json.loads(cli("unmatched", "--json").out) == []


def test_map_export_and_import_round_trip(sandbox: Sandbox, cli, tmp_path) -> None:
    assert cli("map", "add", "slug:spy-x-family", "S1E13-E25", "373267").code == 0
    assert cli("map", "add", "movie:tmdb:155", "ignore").code == 0
    for name in ("maps.toml", "maps.json"):
        path = tmp_path / name
        assert cli("map", "export", str(path)).code == 0
        assert cli("map", "remove", "slug:spy-x-family", "S1E13-E25", "373267").code == 0
        assert cli("map", "import", str(path)).code == 0
        listed = json.loads(cli("map", "list", "--json").out)
        assert {o["show"] for o in listed} == {"slug:spy-x-family", "movie:tmdb:155"}


def test_map_add_rejects_a_bad_spec(sandbox: Sandbox, cli) -> None:
    result = cli("map", "add", "trakt:1", "season one", "5")
    assert result.code == 2 and "S1E13" in result.err


def test_since_bounds_the_first_fetch(logged_in: Sandbox, cli) -> None:
    code, report = None, None
    result = cli("sync", "--json", "--since", "2025-02-01")
    code, report = result.code, json.loads(result.out)
    assert code == 0
    assert report["fetched"] == 3  # only the SPY×FAMILY plays of February
    history = [r for r in logged_in.trakt.requests if r.path.startswith("/sync/history/")]
    assert all(r.query.get("start_at", "").startswith("2025-02-01") for r in history)
    assert set(logged_in.bangumi.collection("demo")) == {373267, 328609}  # 328609: untouched 想看


@pytest.mark.parametrize(
    ("show", "subject", "message"),
    [
        (f"trakt:{MYSTERY_TRAKT}", "999999999", "Bangumi has no subject 999999999"),
        ("trakt:88888888", str(MYSTERY_SUBJECT), "Trakt has no show trakt:88888888"),
        ("slug:no-such-show", str(MYSTERY_SUBJECT), "Trakt has no show slug:no-such-show"),
    ],
)
def test_map_add_refuses_a_subject_or_show_that_does_not_exist(
    mystery_world: dict[str, Any], sandbox: Sandbox, cli, show: str, subject: str, message: str
) -> None:
    """Bug 14: checked when adding, not at the next sync."""
    result = cli("map", "add", show, "S1", subject)
    assert result.code == 2 and message in result.err
    assert json.loads(cli("map", "list", "--json").out) == []


def test_map_add_names_what_it_checked_or_says_it_did_not(
    mystery_world: dict[str, Any], sandbox: Sandbox, cli
) -> None:
    checked = cli("map", "add", f"trakt:{MYSTERY_TRAKT}", "S1", str(MYSTERY_SUBJECT))
    assert checked.code == 0 and "checked: Mystery Anime" in checked.err
    offline = cli("map", "add", "--offline", "trakt:88888888", "S1", "999999999")
    assert offline.code == 0 and "not checked" in offline.err
    assert sandbox.bangumi.count("^/v0/subjects/999999999$") == 0
