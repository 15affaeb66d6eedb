"""Apply: plan each subject's writes from Bangumi's own current state (collection and
episode marks) and make them, so a re-run after a crash repeats no write that already
landed; each subject's outcome is recorded together with its plays' state change."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from trakt_sync.bad_data import UNREADABLE, bad_data_reason
from trakt_sync.errors import (
    AccessDenied,
    ApiError,
    BadData,
    EpisodesNotOfSubject,
    TraktSyncError,
)
from trakt_sync.extras import SubjectExtras, plan_extras
from trakt_sync.models import EP_MAIN, SUBJECT_ANIME
from trakt_sync.planner import SubjectPlan, plan_subject
from trakt_sync.stages.ports import Account, BangumiWriter, EpisodeSource, Lists, ResolverHandle
from trakt_sync.stages.types import ApplyResult, Progress, SyncOptions
from trakt_sync.store import Store, StoredPlay
from trakt_sync.subject_names import known_names, reading_names, remember_names

log = logging.getLogger(__name__)
APPLY_BATCH = 25  # subjects whose plays are read at once (100 peaked ~4 MiB higher at 10 k plays)


@dataclass
class _Tally:
    synced: int = 0
    marked: int = 0
    already: int = 0
    failed: int = 0
    rated: int = 0
    watchlisted: int = 0
    plans: list[tuple[SubjectPlan, str]] = field(default_factory=list)
    failed_subjects: dict[int, str] = field(default_factory=dict)
    bad_data: int = 0

    def result(self, error: TraktSyncError | None = None) -> ApplyResult:
        return ApplyResult(
            self.synced,
            self.marked,
            self.already,
            self.failed,
            self.rated,
            self.watchlisted,
            tuple(self.plans),
            dict(self.failed_subjects),
            self.bad_data,
            error,
        )


class ApplyStage:
    def __init__(
        self,
        store: Store,
        bangumi: BangumiWriter,
        *,
        episodes: EpisodeSource,
        account: Account,
        lists: Lists,
        resolver: ResolverHandle,
        complete_subjects: bool,
        progress: Progress,
        check: Callable[[], None],
    ) -> None:
        self.store, self.bangumi, self.episodes = store, bangumi, episodes
        self.account, self.lists, self.resolver = account, lists, resolver
        self.complete_subjects = complete_subjects
        self.progress, self.check = progress, check

    def run(self, options: SyncOptions, run_id: int) -> ApplyResult:
        tally = _Tally()
        try:
            self._apply(options, run_id, tally)
        except TraktSyncError as exc:
            return tally.result(exc)
        return tally.result()

    def _apply(self, options: SyncOptions, run_id: int, tally: _Tally) -> None:
        subjects = self.store.subjects_to_apply()
        extras = self.lists.wanted(set(subjects))
        if not subjects and not extras:
            return
        username = self.account.username(self.bangumi, self.store)
        kinds = {sid: x.subject_type or SUBJECT_ANIME for sid, x in extras.items()}
        kinds.update({sid: kind or SUBJECT_ANIME for sid, kind in subjects.items()})
        collections = collection_entries(self.bangumi, username, kinds)
        self._remember([e.get("subject") for e in collections.values() if e])
        for done, (subject_id, members) in enumerate(self._apply_batches(kinds), start=1):
            self.check()
            extra = extras.get(subject_id)
            try:
                plan = self._plan_with_extras(
                    subject_id, members, collections.get(subject_id), extra
                )
            except (BadData, *UNREADABLE) as exc:
                # Its collection, marks or episodes cannot be read: nothing is written for
                # it (a guess could complete a subject wrongly); the other subjects go on.
                why = bad_data_reason(exc, "Bangumi", f"subject {subject_id}")
                log.warning("%s", why)
                ids = [m.play.history_id for m in members]
                self.store.mark_failed(ids, why)
                tally.failed += len(ids) + bool(extra and not members)
                tally.bad_data += len(ids)
                tally.failed_subjects[subject_id] = why
                continue
            tally.plans.append((plan, _title(members) if members else extra.title if extra else ""))
            tally.already += len(plan.already_marked)
            if not options.dry_run:
                try:
                    self._execute(plan)
                except AccessDenied:
                    raise
                except ApiError as exc:
                    log.warning("subject %s: %s", subject_id, exc)
                    if isinstance(exc, EpisodesNotOfSubject):
                        self._forget_episodes(subject_id)
                    self.store.mark_failed(plan.play_ids, str(exc))
                    tally.failed += len(plan.play_ids) + bool(extra and not members)
                    tally.failed_subjects[subject_id] = self.store.redact(str(exc))
                    if extra is not None:
                        self.lists.settle(subject_id, extra, plan.rating_waits, str(exc))
                    continue
                self.store.mark_synced(plan.play_ids, run_id)
                if extra is not None:
                    self.lists.settle(subject_id, extra, plan.rating_waits, None)
            # A dry run counts what the real run will do (its writes are the plan's).
            tally.synced += len(plan.play_ids)
            # A film counts once, whether Bangumi lists an episode for it or not.
            tally.marked += len(plan.episodes_to_mark) or int(
                plan.is_movie and bool(members) and plan.collect_before is not None
            )
            tally.rated += plan.rate is not None
            tally.watchlisted += plan.wish
            self.progress("apply", done, len(kinds))
        unnamed = self._unnamed(kinds, tally)
        if unnamed and options.dry_run:
            self._read_names(unnamed, tally)
        elif unnamed:
            self._learn_names(username, unnamed, tally)

    def _plan_with_extras(
        self,
        subject_id: int,
        members: list[StoredPlay],
        entry: dict[str, Any] | None,
        extra: SubjectExtras | None,
    ) -> SubjectPlan:
        """The plays' plan, with what the Trakt ratings and watchlist add to it."""
        current = int(entry["type"]) if entry is not None else None
        if members:
            plan = self._plan(subject_id, members, current)
        else:  # only a list entry: no episode list is needed
            assert extra is not None
            plan = SubjectPlan(subject_id, extra.is_movie, current)
        plan.name, plan.name_cn = self._names(subject_id)
        current_rate = int(entry.get("rate") or 0) if entry is not None else 0
        settings = self.lists.settings
        change = plan_extras(
            current_type=current,
            current_rate=current_rate,
            collect_before=plan.collect_before,
            extras=extra,
            ratings=settings.ratings,
            private=settings.private,
        )
        return plan.with_extras(change, current_rate)

    def _apply_batches(self, subjects: Iterable[int]) -> Iterator[tuple[int, list[StoredPlay]]]:
        """Each subject with its plays (none for one only a Trakt list names), in id order,
        the plays read a bounded batch of subjects at a time."""
        ordered = sorted(subjects)
        for start in range(0, len(ordered), APPLY_BATCH):
            chunk = ordered[start : start + APPLY_BATCH]
            plays = dict(self.store.apply_batch(chunk))
            for subject_id in chunk:
                yield subject_id, plays.get(subject_id, [])

    def _plan(self, subject_id: int, members: list[StoredPlay], current: int | None) -> SubjectPlan:
        is_movie = members[0].is_movie
        marks: dict[int, int] = {}
        episodes: list[dict[str, Any]] = []
        # A film too: its main episode is marked along with the 看过.
        if current is not None:
            # Only a collected subject can carry marks; its list also names the episodes.
            for episode, mark in self.bangumi.episode_marks(subject_id):
                marks[int(episode["id"])] = mark
                episodes.append(episode)
        else:
            episodes = self.episodes.get_episodes(subject_id)
        # A main episode with a half sort is a recap Bangumi lists as one (issue 24): it is
        # neither required for 看过 nor ever marked unless a play names it.
        main_ids = [
            int(e["id"])
            for e in episodes
            if e.get("type") == EP_MAIN and float(e.get("sort") or 0).is_integer()
        ]
        plan = plan_subject(
            subject_id,
            is_movie=is_movie,
            watched=[(m.play.history_id, m.episode_id) for m in members],
            current_type=current,
            marks=marks,
            main_episode_ids=main_ids,
            complete_subjects=self.complete_subjects,
        )
        plan.labels = {
            int(e["id"]): f"{e.get('sort', '?'):g}"
            if isinstance(e.get("sort"), int | float)
            else str(e.get("sort"))
            for e in episodes
        }
        return plan

    def _names(self, subject_id: int) -> tuple[str, str]:
        """The subject's (name, name_cn) as Bangumi gives them, from what is already at hand
        (the subject as read before, the user's collection entry): it only labels the plan,
        so it is worth no request here. Else the matcher's bangumi-data titles; "" if none."""
        found = known_names(self.store, subject_id)
        if found is not None:
            return found
        resolver = self.resolver.get()  # its data only; no request
        return resolver.subject_name(subject_id), resolver.subject_name_cn(subject_id)

    def _remember(self, subjects: list[Any]) -> None:
        with self.store.few_commits():  # labels the next run may learn again: one commit
            remember_names(self.store, subjects)

    def _unnamed(self, kinds: dict[int, int], tally: _Tally) -> dict[int, int]:
        """The subjects this run collects anew that Bangumi never named to us (no entry was
        read for them before the writes), with their kinds."""
        return {
            plan.subject_id: kinds[plan.subject_id]
            for plan, _title in tally.plans
            if plan.collect_before is not None
            and plan.subject_id not in tally.failed_subjects
            and known_names(self.store, plan.subject_id) is None
        }

    def _learn_names(self, username: str, unnamed: dict[int, int], tally: _Tally) -> None:
        """Their names after the writes, from the collection list, read as cheaply as
        before the writes: one page names 50, newest first. A failed read leaves
        bangumi-data's title."""
        try:
            entries = collection_entries(self.bangumi, username, unnamed)
            self._remember([e.get("subject") for e in entries.values() if e])
        except (TraktSyncError, *UNREADABLE) as exc:  # a label only: never fails the sync
            log.info("the names of %d subject(s) were not read: %s", len(unnamed), exc)
            return
        self._rename(unnamed, tally)

    def _read_names(self, unnamed: dict[int, int], tally: _Tally) -> None:
        """A dry run writes nothing, so no list names them afterwards: each subject is
        read (one request each), so the preview names them as the run will."""
        read = reading_names(self.store, self.episodes, fallback=lambda subject_id: None)
        for subject_id in sorted(unnamed):
            read(subject_id)
        self._rename(unnamed, tally)

    def _rename(self, unnamed: dict[int, int], tally: _Tally) -> None:
        for plan, _title in tally.plans:
            if plan.subject_id in unnamed:
                plan.name, plan.name_cn = self._names(plan.subject_id)

    def _execute(self, plan: SubjectPlan) -> None:
        # The rating and the privacy of a created collection ride on the first POST.
        rate, private = plan.rate, (True if plan.private else None)
        if plan.collect_before is not None:
            self._post(plan.subject_id, plan.collect_before, rate, private)
            rate = private = None
        if plan.episodes_to_mark:
            self.bangumi.mark_episodes(plan.subject_id, plan.episodes_to_mark)
        if plan.collect_after is not None:
            self._post(plan.subject_id, plan.collect_after, rate, None)
            rate = None
        if rate is not None:
            self._post(plan.subject_id, None, rate, None)

    def _post(
        self, subject_id: int, collection_type: int | None, rate: int | None, private: bool | None
    ) -> None:
        if rate is None and private is None:
            self.bangumi.set_collection(subject_id, collection_type)
        else:
            self.bangumi.set_collection(subject_id, collection_type, rate=rate, private=private)

    def _forget_episodes(self, subject_id: int) -> None:
        """Bangumi re-created the subject's episodes: the matcher drops what it cached about
        them, so the retry of the failed plays reads them afresh instead of resolving to the
        same dead episode ids."""
        dropped = self.resolver.get().forget_subject(subject_id)
        log.info("subject %s: dropped %d cached look-up(s) to re-read them", subject_id, dropped)


def _title(members: list[StoredPlay]) -> str:
    play = members[0].play
    if play.show is not None and play.episode is not None:
        return f"{play.show.title} S{play.episode.season}"
    return play.movie.title if play.movie is not None else ""


# -- what is read of the user's collection before planning ---------------------------------


def collection_entries(
    bangumi: BangumiWriter, username: str, subjects: dict[int, int]
) -> dict[int, dict[str, Any] | None]:
    """The user's collection entry per subject (None = not collected), in few requests."""
    anime = {sid for sid, kind in subjects.items() if kind == SUBJECT_ANIME}
    found = _entries_from_list(bangumi, username, anime) if anime else {}
    for subject_id in sorted(subjects.keys() - found.keys()):
        found[subject_id] = bangumi.user_collection(username, subject_id)
    return found


def _entries_from_list(
    bangumi: BangumiWriter, username: str, wanted: set[int]
) -> dict[int, dict[str, Any] | None]:
    """Page the anime collection list while that is cheaper than one look-up per subject
    still unknown; a fresh account costs one request."""
    found: dict[int, dict[str, Any] | None] = {}
    offset, total, page_size = 0, None, 1
    while missing := wanted - found.keys():
        if total is not None:
            pages_left = -(-(total - offset) // page_size)
            if pages_left <= 0:
                found.update(dict.fromkeys(missing))  # the whole list was read
                break
            if len(missing) <= pages_left:
                break  # single look-ups are cheaper from here
        rows, total = bangumi.collections_page(username, subject_type=SUBJECT_ANIME, offset=offset)
        if not rows and offset < total:
            break  # a short list mid-way is not proof of absence: look the rest up singly
        page_size = max(page_size, len(rows))  # the client asks for full pages
        for row in rows:
            sid = row.get("subject_id") if isinstance(row, dict) else None
            if isinstance(sid, int) and sid in wanted:
                found[sid] = row  # an unreadable row: that subject is looked up singly
        offset += len(rows)
    return found
