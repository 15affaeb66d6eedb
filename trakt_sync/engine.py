"""The sync: fetch Trakt history → save to SQLite → resolve → plan → apply to Bangumi.

The database is the record of truth. Each fetched page is saved in one
transaction and the baseline that says what changed on Trakt (last activities,
the watched summary) only moves once a fetch completed, so a crash loses
nothing. Bangumi writes are planned from Bangumi's own current state (collection
and episode marks), so a re-run after a crash repeats no write that already
landed; each subject's outcome is recorded together with its plays' state change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from trakt_sync.bad_data import UNREADABLE, bad_data_reason, left_for_bad_data
from trakt_sync.errors import (
    AccessDenied,
    ApiError,
    BadData,
    EpisodesNotOfSubject,
    Interrupted,
    ListReadShort,
    ServiceUnavailable,
    TraktSyncError,
)
from trakt_sync.extras import SubjectExtras, plan_extras
from trakt_sync.extras_sync import ExtrasSettings, ExtrasSync
from trakt_sync.history_changes import mismatches, parse_watched, plan_refetch
from trakt_sync.models import (
    EP_MAIN,
    SUBJECT_ANIME,
    Play,
    Resolution,
    TraktEpisode,
    TraktMovie,
    TraktShow,
)
from trakt_sync.outcome import RunOutcome, exit_code
from trakt_sync.planner import SubjectPlan, plan_subject
from trakt_sync.progress import Progress
from trakt_sync.readahead import read_ahead
from trakt_sync.store import PlayGroup, Store, StoredPlay
from trakt_sync.timeutil import iso_z, parse_instant
from trakt_sync.trakt_items import history_row

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
APPLY_BATCH = 25  # subjects whose plays are read at once (100 peaked ~4 MiB higher at 10 k plays)
HISTORY_KINDS = ("episodes", "movies")
# Set by an import of Trakt's data export: the next fetch with a Trakt login reads the whole
# history once, so the export's plain items (no air dates, no genres) become Trakt's own.
EXPORT_REFRESH = "export:refresh"
# history kind → (its /sync/watched summary and per-item history path, media key, play kind)
SUMMARIES = {"episodes": ("shows", "show", "episode"), "movies": ("movies", "movie", "movie")}


class Resolver(Protocol):
    """The matcher's face towards the engine (see matching.matcher.Matcher)."""

    @property
    def version(self) -> str: ...
    def resolve_season(
        self, show: TraktShow, season: int, episodes: Sequence[TraktEpisode]
    ) -> list[Resolution]: ...
    def resolve_movie(self, movie: TraktMovie) -> Resolution: ...
    def forget_subject(self, subject_id: int) -> int: ...
    def subject_name(self, subject_id: int) -> str: ...


class HistorySource(Protocol):
    def last_activities(self) -> dict[str, Any]: ...
    def watched(self, kind: str) -> Any: ...
    def history_pages(
        self,
        kind: str,
        *,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        limit: int = 250,
    ) -> Any: ...


class ExportedHistory(Protocol):
    """Trakt's data export (trakt_export.TraktExport): plays as history pages, and the
    ratings and watchlist entries by list and kind."""

    lists: dict[str, dict[str, list[dict[str, Any]]]]

    def history_pages(self, limit: int = 250) -> Iterator[tuple[list[dict[str, Any]], bool]]: ...


class BangumiWriter(Protocol):
    def collections_page(
        self, username: str, *, subject_type: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]: ...
    def user_collection(self, username: str, subject_id: int) -> dict[str, Any] | None: ...
    def episode_marks(self, subject_id: int) -> list[tuple[dict[str, Any], int]]: ...
    def set_collection(
        self,
        subject_id: int,
        collection_type: int | None,
        *,
        rate: int | None = None,
        private: bool | None = None,
    ) -> None: ...
    def mark_episodes(self, subject_id: int, episode_ids: list[int], mark: int = 2) -> None: ...
    def me(self) -> dict[str, Any]: ...


class PlaySink(Protocol):
    """Where plays go instead of Bangumi's API (sink.BangumiSyncerSink): one item per play."""

    def item(
        self, play: Play, subject_id: int | None, episode_id: int | None
    ) -> dict[str, Any]: ...
    def send(self, item: dict[str, Any]) -> None: ...


class EpisodeSource(Protocol):
    def get_episodes(self, subject_id: int) -> list[dict[str, Any]]: ...
    def cached_subject(self, subject_id: int) -> dict[str, Any] | None: ...


class Account(Protocol):
    """Whose Bangumi collection the run writes to (accounts.BangumiAccount)."""

    def username(self, client: BangumiWriter, state: Store) -> str: ...


@dataclass
class SyncOptions:
    full: bool = False
    since: datetime | None = None
    dry_run: bool = False
    retry_unmatched: bool = False
    # `sync --from-export`: the plays come from this export instead of Trakt's API.
    export: ExportedHistory | None = None


@dataclass
class RunReport:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "fetched",
                "new",
                "synced",
                "marked",
                "already",
                "unmatched",
                "skipped",
                "failed",
                "removed",
                "recovered",
                "sent",
                "rated",
                "watchlisted",
                "bad_data",  # plays left unmatched or failed over a service's unreadable data
            ),
            0,
        )
    )
    plans: list[tuple[SubjectPlan, str]] = field(default_factory=list)
    # With a sink: (history id, item) for each play sent or, in a dry run, to be sent.
    sink_items: list[tuple[int, dict[str, Any]]] | None = None
    # subject id → why its writes failed (the other planned subjects went through)
    failed_subjects: dict[int, str] = field(default_factory=dict)
    outcome: RunOutcome = RunOutcome.OK
    message: str | None = None
    error: TraktSyncError | None = None

    @property
    def exit_code(self) -> int:
        return exit_code(self.outcome, self.error)


ProgressFn = Progress  # the name the engine has always used


class SyncEngine:
    def __init__(
        self,
        store: Store,
        trakt: HistorySource,
        bangumi: BangumiWriter,
        *,
        # Built only when something needs resolving, as the matcher's data is slow to load;
        # the argument says whether to look at cached "unmatched" answers again.
        resolver: Callable[[bool], Resolver],
        episodes: EpisodeSource,
        account: Account,
        sink: PlaySink | None = None,
        complete_subjects: bool = True,
        history_overlap: float = 300.0,
        page_limit: int = 250,
        progress: ProgressFn | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        # Trakt ratings and watchlist (issue 14); None: neither is synced.
        extras: ExtrasSync | None = None,
    ) -> None:
        self.store, self.trakt, self.bangumi = store, trakt, bangumi
        self._make_resolver = resolver
        self._resolver: Resolver | None = None  # the one this run resolved with, if any
        self.episodes = episodes
        self.account = account
        self.sink = sink
        self.complete_subjects = complete_subjects
        self.overlap = timedelta(seconds=history_overlap)
        self.page_limit = page_limit
        self.progress = progress or (lambda stage, done, total: None)
        self.should_stop = should_stop
        self.extras = extras
        self.extras_settings = extras.settings if extras is not None else ExtrasSettings()

    def _checkpoint(self) -> None:
        """Between transactions: stop here when a shutdown was requested."""
        if self.should_stop():
            raise Interrupted("stopped on request; the remaining work stays pending")

    # -- the run --------------------------------------------------------------------------

    def run(self, options: SyncOptions, run_id: int) -> RunReport:
        report = RunReport()
        # A dry run takes every step of a real one, then rolls the local state back.
        discard = self.store.discarding() if options.dry_run else nullcontext()
        try:
            with discard:
                malformed = self.fetch(options, report)
                # An item Trakt sends unreadable would be just as unreadable on a retry: it is
                # bad data (counted, the rest syncs). Only a list read short is worth "try again
                # later". Either way the baseline stays, so the next run looks at it again.
                short = malformed - report.counts["bad_data"]
                self.resolve(options, report)
                self.apply(options, report, run_id)
            if short > 0:
                raise ServiceUnavailable(
                    f"Trakt sent {short} empty page(s) or list(s) read short; "
                    "that history will be fetched again on the next run"
                )
        except TraktSyncError as exc:
            report.error = exc
            report.message = self.store.redact(str(exc))
            report.outcome = RunOutcome.of_error(exc)
        if report.outcome is RunOutcome.OK and report.counts["failed"]:
            report.outcome = RunOutcome.FAILED
        return report

    # -- fetch ----------------------------------------------------------------------------

    def fetch(self, options: SyncOptions, report: RunReport) -> int:
        """Save new history; return how many items could not be read."""
        if options.export is not None:
            return self._fetch_export(options.export, report)
        answer = self.trakt.last_activities()
        # A section that is not an object says nothing: that kind is fetched (issue 24).
        activities = (
            {k: v for k, v in answer.items() if isinstance(v, dict)}
            if isinstance(answer, dict)
            else {}
        )
        reconcile = bool(self.store.get_state("reconcile"))  # set by the upgrade to schema 2
        before = self._older_than_cursors() if reconcile else {}
        exported = bool(self.store.get_state(EXPORT_REFRESH))
        malformed_total = 0
        for kind in HISTORY_KINDS:
            seen = (activities.get(kind) or {}).get("watched_at")
            if exported:
                malformed = self._fetch_whole(kind, report, refresh=True)
            elif options.full or options.since is not None:
                malformed = self._fetch_window(kind, options, report)
            elif reconcile or seen is None or seen != self.store.get_state(f"activity:{kind}"):
                malformed = self._fetch_changes(kind, report)
            else:
                continue
            malformed_total += malformed
            if not malformed and seen is not None:
                self.store.set_state(f"activity:{kind}", seen)
        if self.extras is not None:
            malformed_total += self.extras.fetch(activities, options.full)
        if exported and not malformed_total:
            self.store.set_state(EXPORT_REFRESH, False)
        if reconcile and not malformed_total:
            after = self._older_than_cursors()
            report.counts["recovered"] = sum(after[k] - before[k] for k in before)
            self.store.set_state("reconcile", False)
            log.warning(
                "checked the stored history against Trakt's counts once after the upgrade: "
                "recovered %d play(s) that earlier versions missed",
                report.counts["recovered"],
            )
        return malformed_total

    def _fetch_export(self, export: ExportedHistory, report: RunReport) -> int:
        """Plays and lists from Trakt's data export, saved like fetched pages but in one
        transaction, whatever ends it (it was read and checked whole before). Nothing counts
        as removed: an export says nothing of removals, and the activity baselines stay for
        the API to set."""
        with self.store.transaction():
            pages = export.history_pages(self.page_limit)
            _, malformed, _ = self._save_pages(pages, report)
            changed = self.extras.save_export(export.lists) if self.extras is not None else 0
            if (report.counts["new"] or changed) and not self.store.get_state(EXPORT_REFRESH):
                self.store.set_state(EXPORT_REFRESH, True)
        return malformed

    def _older_than_cursors(self) -> dict[str, int]:
        """Plays held per kind that the old ``watched_at`` cursor could no longer fetch."""
        counts = {}
        for kind, play_kind in (("episodes", "episode"), ("movies", "movie")):
            cursor = self.store.get_state(f"cursor:{kind}")
            if cursor is not None:
                bound = iso_z(parse_instant(cursor) - self.overlap)
                counts[kind] = self.store.count_plays(play_kind, bound)
        return counts

    def _fetch_changes(self, kind: str, report: RunReport) -> int:
        """Fetch whatever changed since the last complete fetch, whatever its watch date:
        the changed shows' or films' whole history, or the kind's whole history where that
        is fewer requests or the cheap evidence does not add up."""
        summary, media, play_kind = SUMMARIES[kind]
        before = self.store.held_counts(play_kind)
        seen = self.store.get_state(f"watched:{kind}")
        if seen is None and not any(before.values()):
            # A first fetch: every item is new, so the whole history it is, and the summary
            # would only be a baseline; without one the next run's counts decide.
            return self._fetch_whole(kind, report)
        try:
            watched = parse_watched(media, self.trakt.watched(summary))
        except (ValueError, ListReadShort) as exc:
            log.warning("Trakt's watched %s are unusable (%s); fetching all %s", summary, exc, kind)
            return self._fetch_whole(kind, report)
        refetch = plan_refetch(watched, before, seen, self.page_limit)
        if refetch.full:
            log.info("fetching the whole %s history: %s", kind, refetch.reason)
            malformed = self._fetch_whole(kind, report)
        else:
            malformed = 0
            for trakt_id in refetch.items:
                pages = self.trakt.history_pages(summary, item_id=trakt_id, limit=self.page_limit)
                _, bad, present = self._save_pages(pages, report)
                malformed += bad
                if not bad:
                    report.counts["removed"] += self.store.mark_removed(
                        play_kind, trakt_id, present
                    )
            wrong = mismatches(refetch, self.store.held_counts(play_kind))
            if not malformed and wrong:
                trakt_id, counted, held = wrong[0]
                log.warning(
                    "Trakt counts %d play(s) of %s %d but its history gave %d; "
                    "fetching the whole %s history",
                    counted,
                    media,
                    trakt_id,
                    held,
                    kind,
                )
                malformed = self._fetch_whole(kind, report)
        if not malformed:
            self.store.set_state(f"watched:{kind}", refetch.snapshot)
        return malformed

    def _fetch_whole(self, kind: str, report: RunReport, refresh: bool = False) -> int:
        pages = self.trakt.history_pages(kind, limit=self.page_limit)
        _, malformed, present = self._save_pages(pages, report, refresh=refresh)
        if not malformed:
            report.counts["removed"] += self.store.mark_removed(SUMMARIES[kind][2], None, present)
        return malformed

    def _fetch_window(self, kind: str, options: SyncOptions, report: RunReport) -> int:
        """``--full`` (everything) or ``--since`` (plays watched since then)."""
        cursor = self.store.get_state(f"cursor:{kind}")
        pages = self.trakt.history_pages(kind, start_at=options.since, limit=self.page_limit)
        newest, malformed, present = self._save_pages(pages, report)
        if malformed:
            return malformed  # keep the cursor so the bad items are asked for again
        if options.since is None:
            report.counts["removed"] += self.store.mark_removed(SUMMARIES[kind][2], None, present)
        if newest is not None and (cursor is None or newest > cursor):
            self.store.set_state(f"cursor:{kind}", newest)
        return 0

    def _save_pages(
        self, pages: Any, report: RunReport, *, refresh: bool = False
    ) -> tuple[str | None, int, set[int]]:
        """Save every page; return the newest watch time, how many items could not be read
        and the history ids seen. ``refresh``: Trakt's items replace the export's."""
        newest: str | None = None
        malformed = 0
        present: set[int] = set()
        # A page per transaction would commit 200 times for 50 k plays: about once a
        # second is as safe, as the baseline moves only once the whole fetch is saved.
        # The next page is read while this one is saved (the request beside SQLite's work).
        with self.store.few_commits() as commit, read_ahead(pages) as ahead:
            try:
                for page, last in ahead:
                    self._checkpoint()
                    if not page and not last:
                        # An empty page before the last one: items went missing in transit.
                        malformed += 1
                        log.warning("Trakt sent an empty history page before the last one")
                    rows = []
                    for item in page:
                        try:
                            row = history_row(item)
                        except ValueError as exc:
                            malformed += 1
                            report.counts["bad_data"] += 1
                            log.warning("skipping a malformed Trakt history item (%s)", exc)
                            continue
                        rows.append((row, item))
                        present.add(row[0])
                        stamp = row[1]
                        newest = stamp if newest is None or stamp > newest else newest
                    report.counts["fetched"] += len(page)
                    report.counts["new"] += self.store.save_rows(rows)
                    if refresh:
                        self.store.refresh_exported(rows)
                    self.progress("fetch", report.counts["fetched"], report.counts["fetched"])
                    commit()
            except ListReadShort as exc:
                # What was read is kept; nothing is concluded from what was not.
                malformed += 1
                log.warning("%s", exc)
        return newest, malformed, present

    # -- resolve --------------------------------------------------------------------------

    def resolve(self, options: SyncOptions, report: RunReport) -> None:
        lists = self.extras is not None and self.extras.needs_resolve()
        # An export import always looks again at what an import with less to go on (no client
        # id then) left unmatched: the matcher's version tells those apart.
        again = options.retry_unmatched or options.export is not None
        if not again and not lists and not self.store.needs_resolve(MAX_ATTEMPTS):
            return  # nothing new: the matcher (and its data) need not even be loaded
        resolver = self._resolver = self._make_resolver(options.retry_unmatched)
        self._resolve_plays(resolver, options, report)
        if self.extras is not None:
            self.extras.resolve(resolver, resolver.version, options.retry_unmatched)

    def _resolve_plays(self, resolver: Resolver, options: SyncOptions, report: RunReport) -> None:
        version = resolver.version
        # One show season (or film) at a time, read when its turn comes: memory stays flat
        # however long the history.
        selection = (version, options.retry_unmatched, MAX_ATTEMPTS)
        keys = self.store.groups_to_resolve(*selection)
        total = sum(key.size for key in keys)
        done = 0
        # Two small transactions per group (the matcher's cache, the plays' resolutions):
        # committed together about once a second rather than one by one.
        with self.store.few_commits() as commit:
            for key in keys:
                self._checkpoint()
                group = self.store.group_to_resolve(key, *selection)
                if not group.history_ids:
                    continue
                try:
                    results = self._resolve_group(resolver, group)
                except AccessDenied:
                    raise  # a configuration problem, not this show's: stop the run
                except ApiError as exc:
                    self.store.mark_failed(group.history_ids, str(exc))
                    report.counts["failed"] += len(group.history_ids)
                    continue
                except (BadData, *UNREADABLE) as exc:
                    results = left_for_bad_data(group, exc)
                    report.counts["bad_data"] += len(results)
                self.store.record_resolutions(results, version)
                for _, res in results:
                    if res.status.value in ("unmatched", "skipped"):
                        report.counts[res.status.value] += 1
                done += len(group.history_ids)
                self.progress("resolve", done, total)
                commit()

    def _resolve_group(self, resolver: Resolver, group: PlayGroup) -> list[tuple[int, Resolution]]:
        if group.movie is not None:
            resolution = resolver.resolve_movie(group.movie)
            return [(history_id, resolution) for history_id in group.history_ids]
        assert group.show is not None and group.key.season is not None
        resolutions = resolver.resolve_season(group.show, group.key.season, group.episodes)
        return list(zip(group.history_ids, resolutions, strict=True))

    # -- plan + apply ---------------------------------------------------------------------

    def apply(self, options: SyncOptions, report: RunReport, run_id: int) -> None:
        if self.sink is not None:
            self._send_to_sink(self.sink, options, report, run_id)
            return
        subjects = self.store.subjects_to_apply()
        extras = self.extras.wanted(set(subjects)) if self.extras is not None else {}
        if not subjects and not extras:
            return
        username = self.account.username(self.bangumi, self.store)
        kinds = {sid: x.subject_type or SUBJECT_ANIME for sid, x in extras.items()}
        kinds.update({sid: kind or SUBJECT_ANIME for sid, kind in subjects.items()})
        collections = self._collections(username, kinds)
        for done, (subject_id, members) in enumerate(self._apply_batches(kinds), start=1):
            self._checkpoint()
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
                report.counts["failed"] += len(ids) + bool(extra and not members)
                report.counts["bad_data"] += len(ids)
                report.failed_subjects[subject_id] = why
                continue
            report.plans.append(
                (plan, _title(members) if members else extra.title if extra else "")
            )
            report.counts["already"] += len(plan.already_marked)
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
                    report.counts["failed"] += len(plan.play_ids) + bool(extra and not members)
                    report.failed_subjects[subject_id] = self.store.redact(str(exc))
                    if self.extras is not None and extra is not None:
                        self.extras.settle(subject_id, extra, plan.rating_waits, str(exc))
                    continue
                self.store.mark_synced(plan.play_ids, run_id)
                if self.extras is not None and extra is not None:
                    self.extras.settle(subject_id, extra, plan.rating_waits, None)
            # A dry run counts what the real run will do (its writes are the plan's).
            report.counts["synced"] += len(plan.play_ids)
            # A film counts once, whether Bangumi lists an episode for it or not.
            report.counts["marked"] += len(plan.episodes_to_mark) or int(
                plan.is_movie and bool(members) and plan.collect_before is not None
            )
            report.counts["rated"] += plan.rate is not None
            report.counts["watchlisted"] += plan.wish
            self.progress("apply", done, len(kinds))

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
        plan.name = self._subject_name(subject_id, entry)
        current_rate = int(entry.get("rate") or 0) if entry is not None else 0
        settings = self.extras_settings
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

    def _send_to_sink(
        self, sink: PlaySink, options: SyncOptions, report: RunReport, run_id: int
    ) -> None:
        """Each new anime play, matched or not, goes to the sink as it is (the sink matches
        and marks on its own); nothing is read from or written to the Bangumi collection.
        A play is synced once the sink took it; a 5xx or no answer ends the run with the
        rest pending (TryLater propagates); a refusal of that one play marks it failed."""
        report.sink_items = []
        total = self.store.count_to_send()
        todo = (stored for batch in self.store.batches_to_send() for stored in batch)
        for done, stored in enumerate(todo, start=1):
            self._checkpoint()
            history_id = stored.play.history_id
            item = sink.item(stored.play, stored.subject_id, stored.episode_id)
            report.sink_items.append((history_id, item))
            if options.dry_run:
                continue
            try:
                sink.send(item)
            except AccessDenied:
                raise  # the sink refuses everything (a wrong key): keep the plays pending
            except ApiError as exc:
                log.warning("play %s: %s", history_id, exc)
                self.store.mark_failed([history_id], str(exc))
                report.counts["failed"] += 1
                continue
            self.store.mark_synced([history_id], run_id)
            report.counts["synced"] += 1
            report.counts["sent"] += 1
            self.progress("send", done, total)

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

    def _subject_name(self, subject_id: int, entry: dict[str, Any] | None) -> str:
        """The subject's name as Bangumi shows it, from what is already at hand: it only
        labels the plan, so it is worth no request. The subject as read before, else the
        user's collection entry, else the matcher's bangumi-data title; "" when none has it."""
        subject = self.episodes.cached_subject(subject_id)
        if not isinstance(subject, dict) and entry is not None:
            subject = entry.get("subject")
        if isinstance(subject, dict):  # a label only: an unreadable one is no reason to fail
            name = str(subject.get("name") or subject.get("name_cn") or "")
            if name:
                return name
        if self._resolver is None:
            self._resolver = self._make_resolver(False)  # its data only; no request
        return self._resolver.subject_name(subject_id)

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
        dropped = self._make_resolver(False).forget_subject(subject_id)
        log.info("subject %s: dropped %d cached look-up(s) to re-read them", subject_id, dropped)

    def _collections(
        self, username: str, subjects: dict[int, int]
    ) -> dict[int, dict[str, Any] | None]:
        """The user's collection entry per subject (None = not collected), in few requests."""
        anime = {sid for sid, kind in subjects.items() if kind == SUBJECT_ANIME}
        found = self._entries_from_list(username, anime) if anime else {}
        for subject_id in sorted(subjects.keys() - found.keys()):
            found[subject_id] = self.bangumi.user_collection(username, subject_id)
        return found

    def _entries_from_list(
        self, username: str, wanted: set[int]
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
            rows, total = self.bangumi.collections_page(
                username, subject_type=SUBJECT_ANIME, offset=offset
            )
            if not rows and offset < total:
                break  # a short list mid-way is not proof of absence: look the rest up singly
            page_size = max(page_size, len(rows))  # the client asks for full pages
            for row in rows:
                sid = row.get("subject_id") if isinstance(row, dict) else None
                if isinstance(sid, int) and sid in wanted:
                    found[sid] = row  # an unreadable row: that subject is looked up singly
            offset += len(rows)
        return found


def _title(members: list[StoredPlay]) -> str:
    play = members[0].play
    if play.show is not None and play.episode is not None:
        return f"{play.show.title} S{play.episode.season}"
    return play.movie.title if play.movie is not None else ""
