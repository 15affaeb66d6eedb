"""Trakt ratings and watchlist for Bangumi: items read, which subject gets what, and the
change to a subject's plan. Pure: data in, data out, no I/O.

Rules (issue 14): a film's rating goes to its subject, a season's to that season's
subjects, a show's to the subject of its first season unless that season has a rating of its
own; episode ratings are ignored. A rating is sent only to a subject that is collected or
is being collected in the same run (a play or the watchlist); otherwise it waits. ``fill``
sets a rating only where Bangumi has none (``rate`` 0), ``overwrite`` replaces it. A
watchlisted film or show (its first season's subject) not yet collected becomes 想看; a
collection that exists is never changed by the watchlist. With ``private`` every
collection created is created private; an existing collection's privacy is never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

RatingsMode = Literal["off", "fill", "overwrite"]
LIST_RATINGS, LIST_WATCHLIST = "rating", "watchlist"
FIRST_SEASON = 1  # Trakt's season 0 holds the specials
NO_SEASON = -1  # the season column of a film or a whole show
MAX_ATTEMPTS = 3  # sends of one subject's list changes before they are given up

# Trakt list → (its path type, the last_activities section and field that gate it)
RATING_KINDS = {
    "movie": ("movies", "movies", "rated_at"),
    "show": ("shows", "shows", "rated_at"),
    "season": ("seasons", "seasons", "rated_at"),
}
WATCHLIST_KINDS = {
    "movie": ("movies", "watchlist", "updated_at"),
    "show": ("shows", "watchlist", "updated_at"),
}


@dataclass(frozen=True)
class ListKey:
    """One Trakt list entry: a rated or watchlisted film, show or season."""

    list: str  # LIST_RATINGS | LIST_WATCHLIST
    kind: str  # movie | show | season
    trakt_id: int  # the film's or the show's
    season: int = NO_SEASON


@dataclass(frozen=True)
class ListItem:
    key: ListKey
    rating: int | None  # 1..10 for a rating, None on the watchlist
    listed_at: str | None
    raw: dict[str, Any]


@dataclass
class Target:
    """A resolved list entry's subject and how far it got."""

    subject_id: int
    subject_type: int | None
    is_movie: bool
    state: str = "pending"  # pending | waiting (for a collection) | done | failed
    attempts: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.subject_type,
            "movie": self.is_movie,
            "state": self.state,
            "attempts": self.attempts,
        }

    @classmethod
    def from_json(cls, subject_id: int, data: dict[str, Any]) -> Target:
        return cls(
            subject_id,
            data.get("type"),
            bool(data.get("movie")),
            str(data.get("state", "pending")),
            int(data.get("attempts", 0)),
        )


@dataclass
class ListEntry:
    """A stored list entry as the planner sees it."""

    item: ListItem
    targets: dict[int, Target]
    title: str = ""


@dataclass
class SubjectExtras:
    """What the lists ask of one subject in this run."""

    rating: int | None = None
    wish: bool = False
    is_movie: bool = False
    subject_type: int | None = None
    title: str = ""
    # the list entries this subject's plan settles
    sources: list[ListKey] = field(default_factory=list)


@dataclass(frozen=True)
class ExtrasChange:
    """The list-driven part of a subject's plan."""

    wish: bool = False  # collect as 想看 (the watchlist)
    rate: int | None = None  # the rating to send
    private: bool = False  # the collection is created private
    settled: bool = True  # False: the rating waits until the subject is collected


def parse_item(list_name: str, kind: str, raw: Any) -> ListItem:
    """A ratings (A.9) or watchlist item as a ListItem; raises ValueError when malformed."""
    try:
        media = raw["movie"] if kind == "movie" else raw["show"]
        trakt_id = media["ids"]["trakt"]
        season = int(raw["season"]["number"]) if kind == "season" else NO_SEASON
        rating = int(raw["rating"]) if list_name == LIST_RATINGS else None
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed Trakt {list_name} item: {type(exc).__name__} {exc}") from None
    if not isinstance(trakt_id, int):
        raise ValueError(f"Trakt {list_name} item without a Trakt id")
    if rating is not None and not 1 <= rating <= 10:
        raise ValueError(f"Trakt rating {rating} is not within 1..10")
    stamp = raw.get("rated_at") if list_name == LIST_RATINGS else raw.get("listed_at")
    return ListItem(
        ListKey(list_name, kind, trakt_id, season), rating, str(stamp) if stamp else None, raw
    )


def wanted(entries: Iterable[ListEntry], run_subjects: set[int]) -> dict[int, SubjectExtras]:
    """Per subject, the rating and watchlist entries this run acts on: targets pending (or
    failed), and waiting ratings of subjects the run touches anyway (``run_subjects``)."""
    entries = list(entries)
    season_rated = {
        e.item.key.trakt_id
        for e in entries
        if e.item.key.list == LIST_RATINGS
        and e.item.key.kind == "season"
        and e.item.key.season == FIRST_SEASON
    }
    # A film's or season's rating outranks the show's own on a shared subject.
    entries.sort(key=lambda e: e.item.key.kind == "show")
    out: dict[int, SubjectExtras] = {}
    for entry in entries:
        key = entry.item.key
        if key.list == LIST_RATINGS and key.kind == "show" and key.trakt_id in season_rated:
            continue  # the first season's own rating is the one that counts
        for target in entry.targets.values():
            active = (
                target.state == "pending"
                or (target.state == "failed" and target.attempts < MAX_ATTEMPTS)
                or (target.state == "waiting" and target.subject_id in run_subjects)
            )
            if not active:
                continue
            extra = out.setdefault(
                target.subject_id,
                SubjectExtras(
                    is_movie=target.is_movie, subject_type=target.subject_type, title=entry.title
                ),
            )
            extra.sources.append(key)
            if key.list == LIST_WATCHLIST:
                extra.wish = True
            elif extra.rating is None:
                extra.rating = entry.item.rating
    return out


def plan_extras(
    *,
    current_type: int | None,
    current_rate: int,
    collect_before: int | None,
    extras: SubjectExtras | None,
    ratings: RatingsMode,
    private: bool,
) -> ExtrasChange:
    """The list-driven changes to one subject, given the collection as the plays' plan
    leaves it (``collect_before``: the type POSTed first, None when nothing is)."""
    wish = bool(
        extras is not None and extras.wish and current_type is None and collect_before is None
    )
    created = current_type is None and (collect_before is not None or wish)
    rate = None
    settled = True
    if extras is not None and extras.rating is not None and ratings != "off":
        if current_type is None and not created:
            settled = False  # a rating alone never creates a collection
        elif (ratings == "overwrite" and current_rate != extras.rating) or (
            ratings == "fill" and current_rate == 0
        ):
            rate = extras.rating
    return ExtrasChange(wish=wish, rate=rate, private=private and created, settled=settled)
