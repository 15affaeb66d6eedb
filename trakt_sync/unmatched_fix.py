"""What ``unmatched --fix`` offers and does, as plain data: the unmatched groups with the
override key each needs, candidates with their evidence, writing the choice the way
``map add`` does, and resolving the plays again. The terminal dialogue is in the CLI."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from trakt_sync import show_key as keys
from trakt_sync.errors import NotFound, TraktSyncError
from trakt_sync.i18n import _
from trakt_sync.mapping_ops import add_checked, parse_override
from trakt_sync.matching.airdate import DateCheck, broadcast_day, compare_days, parse_day
from trakt_sync.matching.overrides import Override
from trakt_sync.reason_text import shown_reason
from trakt_sync.store import Store
from trakt_sync.subject_names import relabel, stored_names
from trakt_sync.subject_search import search_subjects, subject_row

if TYPE_CHECKING:
    from trakt_sync.runtime import Runtime


@dataclass
class FixGroup:
    """One show season (or film) with unmatched plays."""

    key: str  # the override key: trakt:N, slug:x, tmdb:N or movie:trakt:N
    title: str
    season: int | None
    episodes: list[int]
    plays: int
    reason: str
    stored: list[dict[str, Any]] = field(default_factory=list)  # the matcher's candidates
    first_aired: dict[int, date] = field(default_factory=dict)  # episode → broadcast day

    @property
    def spec(self) -> str | None:
        """The episodes an override takes: the whole season."""
        return None if self.season is None else f"S{self.season}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "season": self.season,
            "episodes": self.episodes,
            "plays": self.plays,
            "reason": self.reason,
        }


def fix_groups(store: Store) -> list[FixGroup]:
    """The unmatched plays by show season (or film), in title order."""
    groups: dict[tuple[str, int | None], FixGroup] = {}
    members: dict[tuple[str, int | None], list[dict[str, Any]]] = defaultdict(list)
    for row in store.unmatched_episodes():
        key = _key(row)
        if key is None:
            continue
        season = row["season"] if row["kind"] == "episode" else None
        members[(key, season)].append(row)
    names = stored_names(store)
    for (key, season), rows in members.items():
        detail = json.loads(rows[0]["resolution"] or "{}")
        # its reason names each subject as every command does
        reason = relabel({"reason": rows[0]["reason"] or "", "detail": detail}, names)["reason"]
        aired = {
            row["number"]: day
            for row in rows
            if row["number"] is not None and (day := broadcast_day(row["first_aired"]))
        }
        groups[(key, season)] = FixGroup(
            key=key,
            title=rows[0]["media_title"] or key,
            season=season,
            episodes=sorted({row["number"] for row in rows if row["number"] is not None}),
            plays=len(rows),
            reason=reason,
            stored=list(detail.get("candidates") or []),
            first_aired=aired,
        )
    return sorted(groups.values(), key=lambda g: (g.title.casefold(), g.season or 0))


def _key(row: dict[str, Any]) -> str | None:
    """The key ``map add`` takes for the play's show or film, as ``unmatched --json`` has it."""
    ids = SimpleNamespace(trakt=row["media_trakt"], slug=row["media_slug"], tmdb=row["media_tmdb"])
    try:
        return str(keys.of_ids(ids, movie=row["kind"] == "movie"))
    except ValueError:
        return None


def evidence(
    group: FixGroup, row: dict[str, Any], episodes: list[dict[str, Any]] | None = None
) -> list[str]:
    """Why a subject may (or may not) be the group's: the played episodes' broadcast days
    against its episodes of the same number (``episodes``, its v0 episode list) — else its
    start date against the first played episode's —, its episode count against the
    episodes played, and what the matcher said of it."""
    facts = []
    label = "E" if group.season is None else f"S{group.season}E"
    if episodes is not None and group.first_aired:
        facts.append(_episode_days(group, episodes, label))
    elif group.first_aired and row.get("date"):
        first = min(group.first_aired)
        aired = group.first_aired[first]
        start = parse_day(row["date"])
        if start is not None and first == 1:
            days = (start - aired).days
            if not days:
                fact = _("starts the day {episode} aired in Japan ({aired})")
            elif days > 0:
                fact = _("starts {days} day(s) after {episode} aired in Japan ({aired})")
            else:
                fact = _("starts {days} day(s) before {episode} aired in Japan ({aired})")
            facts.append(fact.format(days=abs(days), episode=f"{label}1", aired=aired))
        elif start is not None:
            facts.append(
                _("starts {start}; {episode} aired in Japan {aired}").format(
                    start=start, episode=f"{label}{first}", aired=aired
                )
            )
    if row.get("eps") and group.episodes:
        most = max(group.episodes)
        fits = _("enough") if row["eps"] >= most else _("too few")
        facts.append(
            _("{count} episodes for E{most} played: {fits}").format(
                count=row["eps"], most=most, fits=fits
            )
        )
    said = next((c for c in group.stored if c.get("subject_id") == row["id"]), None)
    if said:
        why = shown_reason(str(said.get("why_rejected")))
        facts.append(_("the matcher turned it down: {why}").format(why=why))
    return facts


def _episode_days(group: FixGroup, episodes: list[dict[str, Any]], label: str) -> str:
    """``air dates: E1, E2 agree with its ep 1, 2 (±1 day)`` or which do not."""
    by_number = {
        int(e["ep"]): parse_day(e.get("airdate"))
        for e in episodes
        if e.get("type", 0) == 0 and e.get("ep")
    }
    agree, differ = [], []
    for number, aired in sorted(group.first_aired.items()):
        check = compare_days(aired, by_number.get(number))
        if check is DateCheck.AGREE:
            agree.append(number)
        else:
            theirs = by_number.get(number)
            differ.append(
                _("{episode} {aired} vs its ep {number} {theirs}").format(
                    episode=f"{label}{number}",
                    aired=aired,
                    number=number,
                    theirs=theirs or _("none"),
                )
            )
    if not differ:
        numbers = ", ".join(str(n) for n in agree)
        return _("air dates agree (±1 day) for every episode played: ep {numbers}").format(
            numbers=numbers
        )
    return _("air dates: {agree} of {total} agree; ").format(
        agree=len(agree), total=len(agree) + len(differ)
    ) + "; ".join(differ[:3])


def candidates(rt: Runtime, group: FixGroup, query: str | None = None) -> list[dict[str, Any]]:
    """Subjects to offer: the matcher's candidates (read again for their dates), else — or
    when ``query`` is given — a Bangumi search, each with its ``evidence``."""
    rows: list[dict[str, Any]] = []
    if query is None:
        for stored in group.stored[:5]:
            try:
                rows.append(subject_row(rt.cached_bangumi.get_subject(int(stored["subject_id"]))))
            except NotFound:
                continue
    if query is not None or not rows:
        client = rt.bangumi_client(None)  # a search needs no login
        try:
            rows = search_subjects(client, query or group.title, limit=8)
        finally:
            client.close()
    return [{**row, "evidence": evidence(group, row, _episodes(rt, row["id"]))} for row in rows]


def _episodes(rt: Runtime, subject_id: int) -> list[dict[str, Any]] | None:
    """The subject's episodes (through the look-up cache), None when they cannot be read."""
    try:
        return rt.cached_bangumi.get_episodes(subject_id)
    except TraktSyncError:
        return None


def subject(rt: Runtime, group: FixGroup, subject_id: int) -> dict[str, Any] | None:
    """One subject by id, with its evidence; None when Bangumi has no such subject."""
    try:
        row = subject_row(rt.cached_bangumi.get_subject(subject_id))
    except NotFound:
        return None
    return {**row, "evidence": evidence(group, row, _episodes(rt, subject_id))}


def override_for(group: FixGroup, subject_id: int | None) -> Override:
    """The override ``map add KEY SEASON SUBJECT`` (or ``ignore``) would write."""
    args = [group.spec] if group.spec else []
    return parse_override(
        group.key, [*args, "ignore" if subject_id is None else str(subject_id)], 1
    )


def apply_fix(rt: Runtime, override: Override, *, check: bool = True) -> int:
    """Write the override as ``map add`` does: refused (ValueError) when it could never
    apply beside the mappings there are, checked online first unless ``check`` is false;
    return how many plays will be resolved again."""
    # Through the look-up cache: the sync then names the subject as this check did.
    return add_checked(rt.store, override, rt.cached_bangumi, rt.trakt, check=check)[1]


def resolve_again(rt: Runtime, group: FixGroup) -> dict[str, Any]:
    """Resolve the plays waiting for it now (as a sync's resolve step does, without writing
    to Bangumi); return whether ``group`` is still unmatched and why."""
    from filelock import FileLock, Timeout

    from trakt_sync.engine import SyncOptions

    lock = FileLock(str(rt.paths.lock(rt.profile)), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return {
            "resolved": False,
            "unmatched": None,
            "reason": _("a sync is running; it resolves them"),
        }
    try:
        # The sync's resolve stage alone: nothing is fetched or written to Bangumi.
        error = rt.engine().stages.resolve.run(SyncOptions()).error
    except TraktSyncError as exc:
        error = exc
    finally:
        lock.release()
    if error is not None:
        return {"resolved": False, "unmatched": None, "reason": str(error)}
    left = [g for g in fix_groups(rt.store) if (g.key, g.season) == (group.key, group.season)]
    if left:
        return {"resolved": True, "unmatched": left[0].plays, "reason": left[0].reason}
    return {"resolved": True, "unmatched": 0, "reason": None}
