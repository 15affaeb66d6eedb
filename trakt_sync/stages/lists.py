"""The Trakt ratings and watchlist as a stage of the sync, present or not (``NoLists``):
fetch when ``last_activities`` says they changed, save, resolve with the plays' matcher, and
record what became of each subject. What to send is decided by :mod:`trakt_sync.extras`
(pure) inside the apply stage's plan."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from trakt_sync.errors import AccessDenied, ApiError, BadData, ListReadShort, NotFound
from trakt_sync.extras import (
    FIRST_SEASON,
    LIST_RATINGS,
    LIST_WATCHLIST,
    RATING_KINDS,
    WATCHLIST_KINDS,
    ListEntry,
    ListItem,
    ListKey,
    RatingsMode,
    SubjectExtras,
    Target,
    parse_item,
    wanted,
)
from trakt_sync.models import (
    Resolution,
    ResolutionStatus,
    TraktEpisode,
    TraktMovie,
    TraktShow,
)
from trakt_sync.store import Store
from trakt_sync.trakt_items import episode_from_api, movie_from_api, show_from_api

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtrasSettings:
    ratings: RatingsMode = "off"
    watchlist: bool = False
    private: bool = False

    @property
    def lists(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, on in (
                (LIST_RATINGS, self.ratings != "off"),
                (LIST_WATCHLIST, self.watchlist),
            )
            if on
        )


class ListSource(Protocol):
    def list_items(self, path: str, limit: int = 250) -> list[dict[str, Any]]: ...


class ListResolver(Protocol):
    def resolve_season(
        self, show: TraktShow, season: int, episodes: Sequence[TraktEpisode]
    ) -> list[Resolution]: ...
    def resolve_movie(self, movie: TraktMovie) -> Resolution: ...


SeasonEpisodes = Callable[[int, int], list[dict[str, Any]]]


class ExtrasSync:
    def __init__(
        self,
        store: Store,
        trakt: ListSource,
        settings: ExtrasSettings,
        season_episodes: SeasonEpisodes,
        page_limit: int = 250,
    ) -> None:
        self.store, self.trakt, self.settings = store, trakt, settings
        self.season_episodes = season_episodes
        self.page_limit = page_limit
        self._entries: dict[ListKey, ListEntry] = {}

    # -- fetch ----------------------------------------------------------------------------

    def fetch(self, activities: dict[str, Any], force: bool) -> int:
        """Read the lists whose ``last_activities`` stamp moved; return how many items could
        not be read (then that list is read again next run)."""
        malformed = 0
        for list_name in self.settings.lists:
            kinds = RATING_KINDS if list_name == LIST_RATINGS else WATCHLIST_KINDS
            for kind, (path_type, section, stamp_field) in kinds.items():
                seen = (activities.get(section) or {}).get(stamp_field)
                gate = f"activity:{list_name}:{kind}"
                if not force and seen is not None and seen == self.store.get_state(gate):
                    continue
                path = f"/sync/{'ratings' if list_name == LIST_RATINGS else 'watchlist'}"
                try:
                    raw_items = self.trakt.list_items(f"{path}/{path_type}", self.page_limit)
                except ListReadShort as exc:
                    log.warning("%s", exc)
                    malformed += 1
                    continue
                items, bad = _parse(list_name, kind, raw_items)
                malformed += bad
                if bad:
                    continue
                changed = self.store.save_list(list_name, kind, items)
                log.info(
                    "Trakt %s %ss: %d item(s), %d new or changed",
                    list_name,
                    kind,
                    len(items),
                    changed,
                )
                if seen is not None:
                    self.store.set_state(gate, seen)
        return malformed

    def save_export(self, lists: dict[str, dict[str, list[dict[str, Any]]]]) -> int:
        """The ratings and watchlist entries of Trakt's data export, for the lists that are
        on; a kind the export has no entries of is left as held. Returns how many entries
        are new or changed."""
        changed = 0
        for list_name in self.settings.lists:
            for kind, raw_items in lists.get(list_name, {}).items():
                items, _ = _parse(list_name, kind, raw_items)
                changed += self.store.save_list(list_name, kind, items)
        return changed

    # -- resolve --------------------------------------------------------------------------

    def needs_resolve(self) -> bool:
        return self.store.list_needs_resolve(self.settings.lists)

    def resolve(self, resolver: ListResolver, version: str, retry_unmatched: bool) -> None:
        for entry in self.store.lists_to_resolve(self.settings.lists, version, retry_unmatched):
            key = entry.item.key
            try:
                results = self._resolve(resolver, entry.item)
            except AccessDenied:
                raise
            except NotFound:
                results = [Resolution.unmatched(f"Trakt lists no episodes for {entry.title}")]
            except ApiError as exc:
                log.warning("%s %s: %s (tried again next run)", key.list, entry.title, exc)
                continue
            except BadData as exc:  # issue 24: that entry is left alone, the rest goes on
                results = [Resolution.unmatched(f"{exc} — {entry.title} left unmatched")]
            matched = [
                r
                for r in results
                if r.status is ResolutionStatus.MATCHED and r.subject_id is not None
            ]
            if matched:
                targets = {
                    r.subject_id: Target(r.subject_id, r.subject_type, r.is_movie)
                    for r in matched
                    if r.subject_id is not None
                }
                self.store.record_list_resolution(key, "matched", targets, None, version)
                continue
            skipped = bool(results) and all(r.status is ResolutionStatus.SKIPPED for r in results)
            reason = results[0].reason if results else "nothing to resolve"
            state = "skipped" if skipped else "unmatched"
            self.store.record_list_resolution(key, state, None, reason, version)

    def _resolve(self, resolver: ListResolver, item: ListItem) -> list[Resolution]:
        """A film as a play of it; a season as plays of all its episodes; a show as a play of
        its first season's first episode."""
        key = item.key
        if key.kind == "movie":
            return [resolver.resolve_movie(movie_from_api(item.raw["movie"]))]
        show = show_from_api(item.raw["show"])
        season = key.season if key.kind == "season" else FIRST_SEASON
        listed = self.season_episodes(key.trakt_id, season)
        episodes = sorted(
            (episode_from_api({**e, "season": season}) for e in listed), key=lambda e: e.number
        )
        if key.kind == "show":
            episodes = episodes[:1]
        if not episodes:
            return [Resolution.unmatched(f"Trakt lists no episodes for season {season}")]
        return resolver.resolve_season(show, season, episodes)

    # -- plan and record ------------------------------------------------------------------

    def wanted(self, run_subjects: set[int]) -> dict[int, SubjectExtras]:
        """Per subject, what the lists ask of this run (see extras.wanted)."""
        entries = self.store.list_entries(self.settings.lists, ("matched",))
        self._entries = {e.item.key: e for e in entries}
        return wanted(entries, run_subjects)

    def settle(
        self, subject_id: int, extras: SubjectExtras, rating_waits: bool, error: str | None
    ) -> None:
        """Record the outcome of a subject's plan for each list entry behind it."""
        updates: dict[ListKey, dict[int, Target]] = {}
        for key in extras.sources:
            entry = self._entries[key]
            target = entry.targets[subject_id]
            if error is not None:
                target.state, target.attempts = "failed", target.attempts + 1
            elif key.list == LIST_RATINGS and rating_waits:
                target.state = "waiting"
            else:
                target.state = "done"
            updates[key] = entry.targets
        self.store.set_list_targets(updates)


def _parse(list_name: str, kind: str, raw_items: list[Any]) -> tuple[list[ListItem], int]:
    items, bad = [], 0
    for raw in raw_items:
        try:
            items.append(parse_item(list_name, kind, raw))
        except ValueError as exc:
            bad += 1
            log.warning("skipping a malformed Trakt %s item (%s)", list_name, exc)
    return items, bad


class NoLists:
    """Neither the ratings nor the watchlist are synced: each step does nothing."""

    settings = ExtrasSettings()

    def fetch(self, activities: dict[str, Any], force: bool) -> int:
        return 0

    def save_export(self, lists: dict[str, dict[str, list[dict[str, Any]]]]) -> int:
        return 0

    def needs_resolve(self) -> bool:
        return False

    def resolve(self, resolver: ListResolver, version: str, retry_unmatched: bool) -> None:
        return None

    def wanted(self, run_subjects: set[int]) -> dict[int, SubjectExtras]:
        return {}

    def settle(
        self, subject_id: int, extras: SubjectExtras, rating_waits: bool, error: str | None
    ) -> None:
        return None
