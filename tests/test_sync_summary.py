"""The text summary says what --json counts, and lists only subjects that change (issue 20.14)."""

from __future__ import annotations

import json

from tests.conftest import Sandbox


def test_removed_plays_are_in_the_text_and_unchanged_subjects_are_not_listed(
    logged_in: Sandbox, cli
) -> None:
    assert cli("sync").code == 0
    gone = logged_in.trakt.history[0]["id"]
    logged_in.trakt.remove_play(gone)
    logged_in.trakt.add_play(show=185614, season=1, number=13)  # a rewatch: already marked
    dry = cli("sync", "--dry-run", "--json")
    assert json.loads(dry.out)["removed"] == 1
    plan = json.loads(dry.out)["plan"]
    assert plan and all(not entry["changes"] for entry in plan)  # the JSON keeps the subject
    text = cli("sync")
    assert text.code == 0
    assert "1 removed on Trakt" in text.err
    assert "Changed on Bangumi" not in text.out and "SPY" not in text.out
