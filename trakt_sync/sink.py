"""Bangumi-syncer as where plays go (``sink.kind = "bangumi-syncer"``).

People who already run Bangumi-syncer (its web UI, review queue and notifications) can
have trakt-sync hand each new anime play to its custom webhook (``POST <url>/Custom`` or
``/Custom/<key>``) instead of marking it on Bangumi itself. Bangumi-syncer matches by
title, season, episode and release date; when trakt-sync's matcher already placed the
play, it is sent under the subject's own name as season 1 with the episode's number in
that subject, so Bangumi-syncer cannot pick the wrong season or cour.

:func:`sink_item` (the JSON body) is pure; :class:`BangumiSyncerClient` owns the HTTP;
:class:`BangumiSyncerSink` joins them with the cached metadata look-ups for the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from trakt_sync.errors import (
    AccessDenied,
    ApiError,
    BadData,
    RateLimited,
    ServiceUnavailable,
    TraktSyncError,
)
from trakt_sync.httpclient import ApiClient, error_text
from trakt_sync.i18n import N_
from trakt_sync.matching.airdate import broadcast_day, subject_day
from trakt_sync.matching.fits import parse_episodes
from trakt_sync.models import Play

log = logging.getLogger(__name__)
SOURCE = "trakt"


@dataclass(frozen=True)
class Placed:
    """Where the matcher put a play: its subject's names and air date, and (for an
    episode) the episode's ``ep`` — its 1-based number among the subject's main episodes."""

    name: str
    name_cn: str = ""
    date: str | None = None  # YYYY-MM-DD
    ep: int | None = None


def sink_item(
    play: Play, placed: Placed | None, user_name: str, season_aired: str | None = None
) -> dict[str, Any]:
    """The JSON body Bangumi-syncer's ``/Custom`` webhook receives for one play.

    ``placed``: where the matcher put it (None: unmatched, or a special without a main
    episode number); ``season_aired``: the Trakt season's first air day (YYYY-MM-DD), used
    only for an episode not placed."""
    if play.movie is not None:
        movie = play.movie
        title = (placed.name_cn or placed.name) if placed else movie.title
        ori_title = placed.name if placed else (movie.original_title or movie.title)
        day = placed.date if placed else movie.released
        return _item("movie", title, ori_title, 1, 1, day, user_name)
    assert play.show is not None and play.episode is not None
    if placed is not None and placed.ep is not None:
        return _item(
            "episode",
            placed.name_cn or placed.name,
            placed.name,
            1,
            placed.ep,
            placed.date,
            user_name,
        )
    show, episode = play.show, play.episode
    day = season_aired or _day(broadcast_day(episode.first_aired))
    return _item(
        "episode",
        show.title,
        show.original_title or show.title,
        episode.season,
        episode.number,
        day,
        user_name,
    )


def _item(
    media_type: str,
    title: str,
    ori_title: str,
    season: int,
    episode: int,
    day: str | None,
    user_name: str,
) -> dict[str, Any]:
    return {
        "media_type": media_type,
        "title": title,
        "ori_title": ori_title,
        "season": season,
        "episode": episode,
        "release_date": (day or "")[:10],
        "user_name": user_name,
        "source": SOURCE,
    }


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def describe_item(item: dict[str, Any]) -> str:
    """One line for a person reading what is (or would be) sent."""
    where = "film" if item["media_type"] == "movie" else f"S{item['season']}E{item['episode']}"
    day = f" ({item['release_date']})" if item["release_date"] else ""
    return f"{item['title']} {where}{day}"


# -- HTTP -------------------------------------------------------------------------------


class BangumiSyncerClient(ApiClient):
    service = "bangumi-syncer"

    def __init__(self, base_url: str, *, key: str | None, user_agent: str, **kw: Any) -> None:
        super().__init__(
            base_url, headers={"User-Agent": user_agent, "Accept": "application/json"}, **kw
        )
        self.path = f"/Custom/{quote(key, safe='')}" if key else "/Custom"

    def error_for(self, response: httpx.Response) -> TraktSyncError:
        status, text = response.status_code, _message(response)
        if status >= 500:
            return ServiceUnavailable(f"Bangumi-syncer answered {status}: {text}")
        if status == 429:
            return RateLimited(f"Bangumi-syncer answered 429: {text}")
        if status in (401, 403):
            return AccessDenied(
                f"Bangumi-syncer refused the request ({status}: {text}); check sink.key"
            )
        return ApiError(f"Bangumi-syncer answered {status}: {text}", status)

    def send(self, item: dict[str, Any]) -> None:
        """POST one play; raises unless Bangumi-syncer took it."""
        response = self.request("POST", self.path, json=item)
        try:
            body = response.json()
        except ValueError:
            return
        # Bangumi-syncer answers a wrong webhook key with 200 {"status": "error"}.
        if isinstance(body, dict) and body.get("status") == "error":
            raise AccessDenied.said(
                N_("Bangumi-syncer refused the play ({why}); check sink.key"),
                why=body.get("message") or "error",
            )


def _message(response: httpx.Response) -> str:
    """The server's own words: Bangumi-syncer says ``message``, FastAPI's validation ``detail``."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        detail = data.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            first = detail[0]
            where = ".".join(str(part) for part in first.get("loc", []))
            return f"{where}: {first.get('msg', '')}".strip(": ")
        if isinstance(detail, str) and detail:
            return detail
    return error_text(response)


# -- the engine's face ------------------------------------------------------------------


class SubjectReader(Protocol):
    def get_subject(self, subject_id: int) -> dict[str, Any]: ...
    def get_episodes(self, subject_id: int) -> list[dict[str, Any]]: ...


class SeasonReader(Protocol):
    def get_season_episodes(self, show_id: int | str, season: int) -> list[dict[str, Any]]: ...


class BangumiSyncerSink:
    """Builds each play's item from cached metadata and sends it (engine.PlaySink)."""

    def __init__(
        self,
        client: BangumiSyncerClient,
        *,
        bangumi: SubjectReader,
        trakt: SeasonReader,
        user_name: Callable[[], str],
    ) -> None:
        self.client, self.bangumi, self.trakt = client, bangumi, trakt
        self._user_name = user_name
        self._resolved_user: str | None = None

    @property
    def user_name(self) -> str:
        if self._resolved_user is None:
            self._resolved_user = self._user_name()
        return self._resolved_user

    def item(self, play: Play, subject_id: int | None, episode_id: int | None) -> dict[str, Any]:
        placed = self._placed(subject_id, episode_id) if subject_id is not None else None
        season_aired = None
        if play.movie is None and (placed is None or placed.ep is None):
            season_aired = self._season_aired(play)
        return sink_item(play, placed, self.user_name, season_aired)

    def send(self, item: dict[str, Any]) -> None:
        self.client.send(item)

    def close(self) -> None:
        self.client.close()

    def _placed(self, subject_id: int, episode_id: int | None) -> Placed | None:
        try:
            subject = self.bangumi.get_subject(subject_id)
            ep = None
            if episode_id is not None:
                episodes = parse_episodes(self.bangumi.get_episodes(subject_id))
                ep = next((e.ep for e in episodes if e.id == episode_id), None)
        except AccessDenied:
            raise
        except (ApiError, BadData) as exc:  # NotFound: a subject deleted since it was matched
            log.warning("subject %s: %s; sending the play as Trakt names it", subject_id, exc)
            return None
        day = subject_day(subject)
        return Placed(
            name=str(subject.get("name") or ""),
            name_cn=str(subject.get("name_cn") or ""),
            date=day.isoformat() if day else None,
            ep=ep,
        )

    def _season_aired(self, play: Play) -> str | None:
        """The Trakt season's first air day (JST broadcast day, as Bangumi dates it)."""
        assert play.show is not None and play.episode is not None
        if play.show.ids.trakt is None:
            return None
        try:
            episodes = self.trakt.get_season_episodes(play.show.ids.trakt, play.episode.season)
        except ApiError:
            return None
        days = [d for e in episodes if (d := broadcast_day(e.get("first_aired")))]
        return min(days).isoformat() if days else None


def syncer_sink(
    url: str,
    key: str | None,
    *,
    user_name: Callable[[], str],
    bangumi: SubjectReader,
    trakt: SeasonReader,
    add_secret: Callable[[str], None],
    **client_kw: Any,
) -> BangumiSyncerSink:
    """The Bangumi-syncer sink of ``sink.kind = "bangumi-syncer"``, its key kept out of logs."""
    client = BangumiSyncerClient(url, key=key, **client_kw)
    if key:  # in the webhook's path: masked there however short the key is
        add_secret(f"/Custom/{key}")
        add_secret(client.path)
    return BangumiSyncerSink(client, bangumi=bangumi, trakt=trakt, user_name=user_name)
