"""Bangumi's data as it really is, end to end (issue 24): the CLI syncs against the fakes
while one subject carries a free-form air date, a half-sort main recap, or a field that
cannot be read at all. No run ends in "unexpected error"; the subject with unreadable
data is left alone with a reason that names the source and the subject, and every other
play of the history still syncs.

``test_an_unpadded_air_date_does_not_stop_the_sync`` is the crash of issue 24: before
the fix (78e8c33) it ended in ``ValueError: Invalid isoformat string`` with exit 1.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.test_sync import BOCCHI, SPY_COUR2, YOUR_NAME, marked, subject_episodes, sync_json


def _episodes(world: dict[str, Any], subject_id: int) -> list[dict[str, Any]]:
    subject = next(s for s in world["bangumi"]["subjects"] if s["id"] == subject_id)
    episodes: list[dict[str, Any]] = subject["episodes"]
    return episodes


def _plays(sandbox: Sandbox, show: int) -> list[sqlite3.Row]:
    db = sqlite3.connect(sandbox.home / "default.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        return db.execute(
            "SELECT * FROM plays WHERE media_trakt = ? ORDER BY number", (show,)
        ).fetchall()
    finally:
        db.close()


BOCCHI_SHOW = 190003


@pytest.fixture
def unpadded_date(demo_world: dict[str, Any]) -> dict[str, Any]:
    """SPY×FAMILY 第2クール's first episode dated as ONE PIECE dates some of its own."""
    first = next(e for e in _episodes(demo_world, SPY_COUR2) if e["sort"] == 13)
    first["airdate"] = "2022-10-1"
    return demo_world


def test_an_unpadded_air_date_does_not_stop_the_sync(
    unpadded_date: dict[str, Any], logged_in: Sandbox, cli
) -> None:
    code, report = sync_json(cli)
    assert (code, report["outcome"]) == (0, "ok"), report["message"]
    spy = subject_episodes(logged_in, SPY_COUR2)
    assert marked(logged_in, SPY_COUR2) == {spy[13], spy[14], spy[15]}
    assert marked(logged_in, BOCCHI) == set(subject_episodes(logged_in, BOCCHI).values())
    # and the next sync, which reads the cached episode list back, is as quiet
    code, again = sync_json(cli)
    assert code == 0 and again["outcome"] == "ok", again


@pytest.fixture
def chobits_like(demo_world: dict[str, Any]) -> dict[str, Any]:
    """ぼっち・ざ・ろっく！ as ちょびっツ (12) lists itself: DD.MM.YYYY air dates after the
    first episode and a recap as a main episode with sort 6.5 (the API's ``ep`` then
    counts in halves too); TMDB does not list the recap."""
    episodes = _episodes(demo_world, BOCCHI)
    for e in episodes:
        if e["type"] == 0 and e["sort"] > 1:
            y, m, d = e["airdate"].split("-")
            e["airdate"] = f"{d}.{m}.{y}"
        if e["type"] == 0 and e["sort"] > 6:
            e["ep"] = e["sort"]
    episodes.append(
        {
            **episodes[5],
            "id": 99_000_001,
            "sort": 6.5,
            "ep": 6.5,
            "name": "総集編",
            "airdate": "",
            "duration": "23:35m",
        }
    )
    episodes.reverse()  # and not sorted by sort either
    return demo_world


def test_dd_mm_yyyy_dates_and_a_half_sort_recap_mark_exactly_the_episodes_watched(
    chobits_like: dict[str, Any], logged_in: Sandbox, cli
) -> None:
    code, report = sync_json(cli)
    assert code == 0, report
    bocchi = subject_episodes(logged_in, BOCCHI)
    recap = bocchi.pop(6.5)
    assert marked(logged_in, BOCCHI) == set(bocchi.values())  # sort n for TMDB En, all 12
    assert recap not in marked(logged_in, BOCCHI)
    # the recap is neither required nor forbidden: twelve of twelve watched is 看过
    assert logged_in.bangumi.collection("demo")[BOCCHI]["type"] == 2


@pytest.fixture
def unreadable_subject(demo_world: dict[str, Any]) -> dict[str, Any]:
    """One main episode of ぼっち・ざ・ろっく！ with a sort no one can read."""
    fifth = next(e for e in _episodes(demo_world, BOCCHI) if e["sort"] == 5)
    fifth["sort"] = "第5話"
    return demo_world


def test_one_subjects_unreadable_data_leaves_it_alone_and_the_rest_syncs(
    unreadable_subject: dict[str, Any], logged_in: Sandbox, cli
) -> None:
    code, report = sync_json(cli)
    assert code == 0, report
    assert report["outcome"] == "ok"
    assert report["bad_data"] == 12 and report["unmatched"] >= 12
    # the rest of the history went through
    spy = subject_episodes(logged_in, SPY_COUR2)
    assert marked(logged_in, SPY_COUR2) == {spy[13], spy[14], spy[15]}
    assert marked(logged_in, YOUR_NAME) == set(subject_episodes(logged_in, YOUR_NAME).values())
    # nothing was written for the subject whose data could not be read (its 想看 stands)
    entry = logged_in.bangumi.collection("demo")[BOCCHI]
    assert entry["type"] == 1 and not any(entry["episodes"].values())
    plays = _plays(logged_in, BOCCHI_SHOW)
    assert len(plays) == 12 and {p["state"] for p in plays} == {"unmatched"}
    reason = plays[0]["reason"]
    assert "Bangumi" in reason and "subject 328609" in reason and "BOCCHI THE ROCK!" in reason


def test_the_summary_line_counts_the_plays_left_alone_over_unreadable_data(
    unreadable_subject: dict[str, Any], logged_in: Sandbox, cli
) -> None:
    result = cli("sync")
    assert result.code == 0, result.err
    assert "12 left alone over unreadable data" in result.out + result.err
    listed = cli("unmatched")
    assert "Bangumi sent unreadable data for subject 328609" in listed.out


def test_unreadable_episode_marks_fail_only_that_subject(logged_in: Sandbox, cli) -> None:
    """The user's marks of a collected subject come back unreadable: its plays fail with
    the reason (a guess could move it to 看过 wrongly), the other subjects are written."""
    logged_in.bangumi.inject(
        "GET",
        rf"^/v0/users/-/collections/{BOCCHI}/episodes$",
        status=200,
        body={"total": 1, "limit": 1000, "offset": 0, "data": [{"episode": None, "type": "x"}]},
        times=5,
    )
    code, report = sync_json(cli)
    assert code == 1 and report["outcome"] == "failed", report
    assert report["failed"] == 12 and report["bad_data"] == 12
    spy = subject_episodes(logged_in, SPY_COUR2)
    assert marked(logged_in, SPY_COUR2) == {spy[13], spy[14], spy[15]}
    assert not marked(logged_in, BOCCHI)
    reasons = {p["reason"] for p in _plays(logged_in, BOCCHI_SHOW)}
    assert len(reasons) == 1
    assert "Bangumi sent unreadable data for subject 328609" in reasons.pop()


def test_an_unreadable_trakt_history_item_is_bad_data_not_a_retry(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One history item Trakt sends without its episode is counted as bad data; it does not
    end every run in "try again later" (75), and the next run looks at that history again."""
    broken = next(p["id"] for p in logged_in.trakt.history if p["type"] == "episode")
    render = logged_in.trakt._render_play

    def render_one_broken(play: dict[str, Any], full: bool) -> dict[str, Any]:
        item = render(play, full)
        if play["id"] == broken:
            del item["episode"]
        return item

    monkeypatch.setattr(logged_in.trakt, "_render_play", render_one_broken)
    code, report = sync_json(cli)
    assert (code, report["outcome"]) == (0, "ok"), report["message"]
    assert report["bad_data"] == 1
    assert marked(logged_in, YOUR_NAME)  # the rest of the history went on
    logged_in.trakt.reset_log()
    code, again = sync_json(cli)
    assert (code, again["outcome"], again["bad_data"]) == (0, "ok", 1), again["message"]
    assert any(r.path.startswith("/sync/history") for r in logged_in.trakt.requests)
