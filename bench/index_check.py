"""Does the index a sync streams into SQLite answer as the one built in memory? (issue 19)

Both are built from the same ``dist/data.json``; every subject and every TMDB id it names
(and one that is not there) is looked up in both; ``tmdb_keys`` (a scan in both, which the
matcher never asks) for every 40th subject. ``make bench`` runs this on the full
pinned release before its worlds; the tests on the vendored sample.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from trakt_sync.matching.bangumi_data import BangumiDataIndex, build_index
from trakt_sync.matching.stored_index import StoredBangumiData, write_bangumi_data

ABSENT = 987_654_321
SCAN_EVERY = 40


def differences(stored: StoredBangumiData, memory: BangumiDataIndex) -> list[str]:
    """Every look-up that answers differently (empty when they agree)."""
    found = []
    if (stored.version, len(stored)) != (memory.version, len(memory)):
        found.append(
            f"version/size {stored.version}/{len(stored)} ≠ {memory.version}/{len(memory)}"
        )
    subjects = [*memory.subject_ids(), ABSENT]
    for sid in subjects:
        if stored.subject(sid) != memory.subject(sid):
            found.append(f"subject({sid})")
    for sid in subjects[::SCAN_EVERY]:
        if stored.tmdb_keys(sid) != memory.tmdb_keys(sid):
            found.append(f"tmdb_keys({sid})")
    for tmdb in [*memory.tmdb_ids(), ABSENT]:
        if stored.tv(tmdb) != memory.tv(tmdb):
            found.append(f"tv({tmdb})")
        if stored.movie(tmdb) != memory.movie(tmdb):
            found.append(f"movie({tmdb})")
    return found


def check(data: Path) -> str:
    """One line: how many look-ups agree between the two indexes of ``data``."""
    memory = build_index(data.read_bytes())
    with tempfile.TemporaryDirectory(prefix="trakt-sync-index-") as tmp:
        stored = write_bangumi_data(data, Path(tmp) / "index.sqlite3", memory.version)
        try:
            diff = differences(stored, memory)
        finally:
            stored.close()
    subjects = len(memory.subject_ids()) + 1
    looked_up = subjects + -(-subjects // SCAN_EVERY) + 2 * (len(memory.tmdb_ids()) + 1)
    if diff:
        return f"stored index: {len(diff)} of {looked_up} look-ups differ: {', '.join(diff[:5])}"
    return (
        f"stored index: all {looked_up:,} look-ups ({len(memory):,} subjects, "
        f"{len(memory.tmdb_ids()):,} TMDB ids) answer as the in-memory index"
    )
