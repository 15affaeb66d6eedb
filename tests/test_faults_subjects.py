"""Subject-level faults on Bangumi: a subject merged into another, and episode ids that no
longer belong to their subject because Bangumi re-created the episodes.

In both cases the rule is the one of the whole fault suite: nothing is ever marked on a
subject or episode the play does not belong to, every play ends in a documented state with
a reason, and a later run finishes the work.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.test_sync import BOCCHI, SPY_COUR2, YOUR_NAME, marked, subject_episodes, sync_json

SPY_SHOW, SPY_COUR1 = 185614, 329906
BOCCHI_MERGED_INTO = 520001  # the id Bangumi moved ぼっち・ざ・ろっく！ to
RECREATED_FIRST_ID = 1_500_000  # first id of SPY×FAMILY 第2クール's re-created episodes


def _db(sandbox: Sandbox) -> sqlite3.Connection:
    db = sqlite3.connect(sandbox.home / "default.sqlite3")
    db.row_factory = sqlite3.Row
    return db


def play_states(sandbox: Sandbox) -> dict[str, int]:
    db = _db(sandbox)
    try:
        return dict(db.execute("SELECT state, count(*) FROM plays GROUP BY state").fetchall())
    finally:
        db.close()


def plays_of(sandbox: Sandbox, show: int, numbers: list[int] | None = None) -> list[sqlite3.Row]:
    db = _db(sandbox)
    try:
        rows = db.execute(
            "SELECT * FROM plays WHERE media_trakt = ? ORDER BY number", (show,)
        ).fetchall()
    finally:
        db.close()
    return [r for r in rows if numbers is None or r["number"] in numbers]


def wrong_marks(sandbox: Sandbox, allowed: dict[int, set[int]]) -> list[str]:
    """Every collected subject outside ``allowed`` and every marked episode outside its
    subject's allowed set (the demo user's untouched 想看 of Bocchi is fine)."""
    wrong = []
    for sid, entry in sandbox.bangumi.collection("demo").items():
        if sid not in allowed:
            if not (sid == BOCCHI and entry["type"] == 1 and not entry["episodes"]):
                wrong.append(f"subject {sid} collected")
            continue
        for eid, mark in entry["episodes"].items():
            if mark and eid not in allowed[sid]:
                wrong.append(f"episode {eid} of subject {sid} marked")
    return wrong


# -- a subject merged into another ---------------------------------------------------------


@pytest.fixture
def bocchi_merged(demo_world: dict[str, Any]) -> dict[str, Any]:
    """bangumi-data (the vendored sample the CDN fake serves) still names 328609 for
    BOCCHI THE ROCK!, but Bangumi merged that subject into 520001: /v0/subjects/328609
    answers 302 to the new id, and /v0/episodes?subject_id=328609 and writes to it 404."""
    bgm = demo_world["bangumi"]
    subject = next(s for s in bgm["subjects"] if s["id"] == BOCCHI)
    subject["id"] = BOCCHI_MERGED_INTO
    entries = bgm["collections"]["demo"]
    entries[str(BOCCHI_MERGED_INTO)] = entries.pop(str(BOCCHI))  # the user's 想看 moved along
    bgm["merged"][str(BOCCHI)] = BOCCHI_MERGED_INTO
    return demo_world


def test_a_merged_subject_is_followed_to_its_new_id_and_nothing_lands_on_the_old_one(
    bocchi_merged: dict[str, Any],
    logged_in: Sandbox,
    cli,
) -> None:
    """The matcher follows the merge: the episode list of 328609 is gone (404), so it looks
    the subject up, follows the 302 to 520001, places the twelve plays on 520001's episodes
    and says so in the evidence ("subject 328609 was merged into 520001"). The plays are
    marked on the new subject; the old id is never written to."""
    code, report = sync_json(cli)
    assert code == 0, report
    assert logged_in.bangumi.count(f"^/v0/subjects/{BOCCHI}$", method="GET") >= 1  # the 302

    new_ids = set(subject_episodes(logged_in, BOCCHI_MERGED_INTO).values())
    spy = subject_episodes(logged_in, SPY_COUR2)
    allowed = {
        SPY_COUR2: {spy[13], spy[14], spy[15]},
        BOCCHI_MERGED_INTO: new_ids,
        YOUR_NAME: set(subject_episodes(logged_in, YOUR_NAME).values()),
    }
    assert wrong_marks(logged_in, allowed) == []
    collection = logged_in.bangumi.collection("demo")
    assert set(collection) == set(allowed)
    assert marked(logged_in, BOCCHI_MERGED_INTO) == new_ids
    assert collection[BOCCHI_MERGED_INTO]["type"] == 2  # 想看 → 看过: all twelve watched
    assert not [w for w in logged_in.bangumi.writes if f"/{BOCCHI}" in w.path]

    bocchi_plays = plays_of(logged_in, 190003)
    assert len(bocchi_plays) == 12
    for row in bocchi_plays:
        assert row["state"] == "synced" and row["subject_id"] == BOCCHI_MERGED_INTO
        evidence = json.loads(row["resolution"])["evidence"]
        assert f"subject {BOCCHI} was merged into {BOCCHI_MERGED_INTO}" in evidence
    assert play_states(logged_in) == {"synced": 16, "skipped": 3}

    # Nothing new: the merge costs nothing on later runs.
    logged_in.bangumi.reset_log()
    code, report = sync_json(cli)
    assert code == 0 and report["marked"] == 0
    assert logged_in.bangumi.requests == []


# -- episode ids that no longer belong to their subject ------------------------------------


def recreate_episodes(sandbox: Sandbox, subject_id: int, first_id: int) -> dict[int, int]:
    """Bangumi re-created the subject's episodes under new ids (returns old → new). The
    user's marks move to the new ids, as if the site had carried them over, so a mark left
    on an old id afterwards could only be a wrong write."""
    fake = sandbox.bangumi
    with fake._lock:  # the fake has no public API for this; handle() runs under the lock
        subject = fake.subjects[subject_id]
        ordered = sorted(subject["episodes"], key=lambda e: (e["type"], e["sort"]))
        mapping = {e["id"]: first_id + i for i, e in enumerate(ordered)}
        for episode in ordered:
            del fake.episode_index[episode["id"]]
            episode["id"] = mapping[episode["id"]]
            fake.episode_index[episode["id"]] = (subject, episode)
        for entries in fake._collections.values():
            entry = entries.get(subject_id)
            if entry is not None:
                entry["episodes"] = {mapping.get(e, e): m for e, m in entry["episodes"].items()}
    return mapping


def cached_subjects(sandbox: Sandbox) -> dict[str, set[int]]:
    """Subjects with a cached episode list, and subjects the cached season plans place on."""
    db = _db(sandbox)
    try:
        episodes = {
            int(row["key"])
            for row in db.execute("SELECT key FROM cache WHERE namespace = 'bgm:episodes'")
        }
        plans = [
            json.loads(row["value"])
            for row in db.execute("SELECT value FROM cache WHERE namespace = 'matcher.season'")
        ]
    finally:
        db.close()
    placed = {seg["subject_id"] for plan in plans for seg in plan["segments"]}
    return {"bgm:episodes": episodes, "matcher.season": placed}


def test_episode_ids_rejected_as_not_of_their_subject_fail_the_play_then_a_later_run_recovers(
    logged_in: Sandbox,
    cli,
) -> None:
    """The store caches each subject's episode list (`bgm:episodes`) and the matcher its
    season plans (`matcher.season`, episode ids included), both for good once the subject
    has finished airing. When Bangumi re-creates a subject's episodes, a new play resolves
    from the cache to an old id and the PATCH gets 400 "episode X is not episodes of subject
    Y": the play fails with that reason and the run exits 1 (some plays failed). The engine
    then drops the subject's cached episode list and every season plan placing plays on
    it, so the retry of the failed play re-reads them and marks the new episode id."""
    assert sync_json(cli)[0] == 0
    old = subject_episodes(logged_in, SPY_COUR2)
    recreate_episodes(logged_in, SPY_COUR2, RECREATED_FIRST_ID)
    new = subject_episodes(logged_in, SPY_COUR2)
    assert set(new.values()).isdisjoint(old.values())
    logged_in.trakt.add_play(show=SPY_SHOW, season=1, number=16)
    logged_in.bangumi.reset_log()

    code, report = sync_json(cli)
    assert code == 1 and report["exit_code"] == 1, report
    assert report["outcome"] == "failed" and report["failed"] == 1 and report["synced"] == 0
    rejected = [w for w in logged_in.bangumi.writes if w.method == "PATCH"]
    assert [(w.status, w.json["episode_id"]) for w in rejected] == [(400, [old[16]])]
    [play] = plays_of(logged_in, SPY_SHOW, [16])
    assert play["state"] == "failed" and play["attempts"] == 1
    assert f"episode {old[16]} is not episodes of subject {SPY_COUR2}" in play["reason"]
    allowed = {
        SPY_COUR2: {new[13], new[14], new[15], new[16]},
        BOCCHI: set(subject_episodes(logged_in, BOCCHI).values()),
        YOUR_NAME: set(subject_episodes(logged_in, YOUR_NAME).values()),
    }
    assert wrong_marks(logged_in, allowed) == []
    assert marked(logged_in, SPY_COUR2) == {new[13], new[14], new[15]}
    # Only what was built on the re-created subject was dropped from the caches.
    assert cached_subjects(logged_in) == {
        "bgm:episodes": {SPY_COUR1, BOCCHI, YOUR_NAME},  # the film's, read to mark it
        "matcher.season": {BOCCHI},
    }

    logged_in.bangumi.reset_log()
    code, report = sync_json(cli)
    assert code == 0, report
    assert report["synced"] == 1 and report["marked"] == 1 and report["failed"] == 0
    patches = [w for w in logged_in.bangumi.writes if w.method == "PATCH"]
    assert [(w.status, w.json["episode_id"]) for w in patches] == [(204, [new[16]])]
    assert logged_in.bangumi.count("^/v0/episodes$", method="GET") >= 1  # the list re-read
    assert marked(logged_in, SPY_COUR2) == {new[13], new[14], new[15], new[16]}
    assert wrong_marks(logged_in, allowed) == []
    [play] = plays_of(logged_in, SPY_SHOW, [16])
    assert play["state"] == "synced" and play["episode_id"] == new[16]
    assert play_states(logged_in) == {"synced": 17, "skipped": 3}
