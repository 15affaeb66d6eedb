"""Plain data shared by the pipeline stages (fetch → save → resolve → plan → apply).

No I/O here: these are the values that move between the Trakt client, the store,
the matcher, the planner and the Bangumi client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# Bangumi enums (api_contracts.md B.1)
SUBJECT_BOOK, SUBJECT_ANIME, SUBJECT_MUSIC, SUBJECT_GAME, SUBJECT_REAL = 1, 2, 3, 4, 6
COLLECTION_WISH, COLLECTION_DONE, COLLECTION_DOING, COLLECTION_ON_HOLD, COLLECTION_DROPPED = (
    1,
    2,
    3,
    4,
    5,
)
EP_MAIN, EP_SP, EP_OP, EP_ED = 0, 1, 2, 3
EP_MARK_NONE, EP_MARK_WISH, EP_MARK_DONE, EP_MARK_DROPPED = 0, 1, 2, 3


class PlayState(StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    UNMATCHED = "unmatched"
    SKIPPED = "skipped"
    FAILED = "failed"
    REMOVED = "removed"  # deleted on Trakt: never sent, nothing un-marked on Bangumi


@dataclass(frozen=True)
class TraktIds:
    trakt: int | None = None
    slug: str | None = None
    tmdb: int | None = None
    tvdb: int | None = None
    imdb: str | None = None

    @classmethod
    def from_api(cls, ids: dict[str, Any] | None) -> TraktIds:
        ids = ids or {}
        return cls(
            trakt=ids.get("trakt"),
            slug=ids.get("slug"),
            tmdb=ids.get("tmdb"),
            tvdb=ids.get("tvdb"),
            imdb=ids.get("imdb"),
        )


@dataclass(frozen=True)
class TraktShow:
    ids: TraktIds
    title: str
    year: int | None = None
    genres: tuple[str, ...] = ()
    original_title: str | None = None
    country: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class TraktEpisode:
    season: int
    number: int
    ids: TraktIds = field(default_factory=TraktIds)
    title: str | None = None
    number_abs: int | None = None
    first_aired: datetime | None = None


@dataclass(frozen=True)
class TraktMovie:
    ids: TraktIds
    title: str
    year: int | None = None
    genres: tuple[str, ...] = ()
    released: str | None = None  # YYYY-MM-DD (extended=full)
    original_title: str | None = None


@dataclass(frozen=True)
class Play:
    """One Trakt history entry: a single watch of an episode or a film."""

    history_id: int
    watched_at: datetime
    kind: str  # "episode" | "movie"
    show: TraktShow | None = None
    episode: TraktEpisode | None = None
    movie: TraktMovie | None = None


class ResolutionStatus(StrEnum):
    MATCHED = "matched"
    UNMATCHED = "unmatched"
    SKIPPED = "skipped"


@dataclass
class Resolution:
    """What the matcher says about one play.

    ``reason`` is always a sentence a user can act on when the status is not
    MATCHED; ``evidence`` and ``candidates`` explain the decision either way.
    """

    status: ResolutionStatus
    subject_id: int | None = None
    episode_id: int | None = None
    subject_type: int | None = None
    is_movie: bool = False
    source: str = ""
    confidence: float = 0.0
    reason: str = ""
    evidence: list[str] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def unmatched(
        cls, reason: str, candidates: list[dict[str, Any]] | None = None, **kw: Any
    ) -> Resolution:
        return cls(ResolutionStatus.UNMATCHED, reason=reason, candidates=candidates or [], **kw)

    @classmethod
    def skipped(cls, reason: str, **kw: Any) -> Resolution:
        return cls(ResolutionStatus.SKIPPED, reason=reason, **kw)
