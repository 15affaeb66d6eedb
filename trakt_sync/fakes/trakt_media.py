"""Trakt catalogue of the fake: look-ups by id/slug/imdb and rendering of standard media
objects, minimal or ``extended=full`` (contract A.6, A.10)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

Obj = dict[str, Any]

DEFAULT_UPDATED_AT = "2025-01-01T00:00:00.000Z"
# Only the fixed-offset zones the fake derives ``airs`` for; others come from the world.
_COUNTRY_ZONES = {"jp": ("Asia/Tokyo", 9), "kr": ("Asia/Seoul", 9), "cn": ("Asia/Shanghai", 8)}


def iso(dt: datetime) -> str:
    """Trakt timestamp: UTC, millisecond precision, ``Z`` (contract A.1 "Dates")."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_instant(value: str) -> datetime:
    """Full ISO datetimes (``Z`` or offset) or plain ``YYYY-MM-DD`` (midnight UTC)."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class TraktCatalog:
    def __init__(self, trakt: Obj) -> None:
        self.shows: list[Obj] = trakt["shows"]
        self.movies: list[Obj] = trakt["movies"]

    # -- look-ups --------------------------------------------------------------------------
    @staticmethod
    def _match(item: Obj, ref: str) -> bool:
        ids = item["ids"]
        if ref.isdigit():
            return str(ids.get("trakt")) == ref
        return ref in (ids.get("slug"), ids.get("imdb"))

    def show(self, ref: str) -> Obj | None:
        """``ref`` may be a Trakt id, slug or IMDb id (contract A.10)."""
        return next((s for s in self.shows if self._match(s, ref)), None)

    def movie(self, ref: str) -> Obj | None:
        return next((m for m in self.movies if self._match(m, ref)), None)

    def show_by_trakt(self, trakt_id: int) -> Obj | None:
        return next((s for s in self.shows if s["ids"]["trakt"] == trakt_id), None)

    def movie_by_trakt(self, trakt_id: int) -> Obj | None:
        return next((m for m in self.movies if m["ids"]["trakt"] == trakt_id), None)

    @staticmethod
    def season(show: Obj, number: int) -> Obj | None:
        return next((s for s in show["seasons"] if s["number"] == number), None)

    def episodes(self) -> Iterator[tuple[Obj, Obj, Obj]]:
        for show in self.shows:
            for season in show["seasons"]:
                for episode in season["episodes"]:
                    yield show, season, episode

    def search(self, id_type: str, value: str, kind: str | None) -> list[Obj]:
        """Hits of ``GET /search/{id_type}/{id}`` (contract A.10)."""

        def hit(item_ids: Obj) -> bool:
            got = item_ids.get(id_type)
            return got is not None and str(got) == value

        results: list[Obj] = []
        if kind in (None, "show"):
            results += [{"type": "show", "show": s} for s in self.shows if hit(s["ids"])]
        if kind in (None, "movie"):
            results += [{"type": "movie", "movie": m} for m in self.movies if hit(m["ids"])]
        if kind in (None, "episode"):
            results += [
                {"type": "episode", "episode": ep, "season": season, "show": show}
                for show, season, ep in self.episodes()
                if hit(ep["ids"])
            ]
        return results

    # -- rendering -------------------------------------------------------------------------
    def _aired(self, first_aired: str | None, now: datetime) -> bool:
        return first_aired is not None and parse_instant(first_aired) <= now

    def render_show(self, show: Obj, full: bool, now: datetime) -> Obj:
        out: Obj = {"title": show["title"], "year": show["year"], "ids": dict(show["ids"])}
        if not full:
            return out
        regular = [e for s in show["seasons"] if s["number"] > 0 for e in s["episodes"]]
        aired_dates = sorted(e["first_aired"] for e in regular if e.get("first_aired"))
        runtime = show.get("runtime", 24 if "anime" in show.get("genres", []) else 45)
        out.update(
            tagline=show.get("tagline"),
            overview=show.get("overview", ""),
            first_aired=aired_dates[0] if aired_dates else None,
            airs=show.get("airs") or _derive_airs(show, aired_dates),
            runtime=runtime,
            certification=show.get("certification"),
            network=show.get("network"),
            country=show.get("country"),
            trailer=None,
            homepage=show.get("homepage"),
            status=show.get("status", "ended"),
            rating=show.get("rating", 8.0),
            votes=show.get("votes", 1000),
            comment_count=0,
            updated_at=show.get("updated_at", DEFAULT_UPDATED_AT),
            language=show.get("language"),
            languages=[show["language"]] if show.get("language") else [],
            available_translations=_translations_of(show),
            genres=list(show.get("genres", [])),
            aired_episodes=sum(1 for e in regular if self._aired(e.get("first_aired"), now)),
            original_title=show.get("original_title", show["title"]),
        )
        return out

    def render_episode(self, show: Obj, season: Obj, episode: Obj, full: bool) -> Obj:
        out: Obj = {
            "season": season["number"],
            "number": episode["number"],
            "title": episode.get("title"),
            "ids": dict(episode["ids"]),
        }
        if not full:
            return out
        out.update(
            number_abs=episode.get("number_abs"),
            overview=episode.get("overview", ""),
            rating=episode.get("rating", 8.0),
            votes=episode.get("votes", 100),
            comment_count=0,
            first_aired=episode.get("first_aired"),
            updated_at=episode.get("updated_at", DEFAULT_UPDATED_AT),
            available_translations=_translations_of(show),
            runtime=episode.get("runtime", show.get("runtime", 24)),
            episode_type=episode.get("episode_type") or _episode_type(show, season, episode),
            original_title=episode.get("original_title"),
        )
        return out

    def render_season(
        self, show: Obj, season: Obj, full: bool, with_episodes: bool, now: datetime
    ) -> Obj:
        out: Obj = {"number": season["number"], "ids": dict(season["ids"])}
        episodes = season["episodes"]
        if full:
            aired = sorted(e["first_aired"] for e in episodes if e.get("first_aired"))
            out.update(
                rating=season.get("rating", 8.0),
                votes=season.get("votes", 100),
                episode_count=len(episodes),
                aired_episodes=sum(1 for e in episodes if self._aired(e.get("first_aired"), now)),
                title=season.get("title")
                or ("Specials" if season["number"] == 0 else f"Season {season['number']}"),
                overview=season.get("overview"),
                first_aired=aired[0] if aired else None,
                updated_at=season.get("updated_at", DEFAULT_UPDATED_AT),
                network=show.get("network"),
            )
        if with_episodes:
            out["episodes"] = [self.render_episode(show, season, e, full) for e in episodes]
        return out

    def render_movie(self, movie: Obj, full: bool) -> Obj:
        out: Obj = {"title": movie["title"], "year": movie["year"], "ids": dict(movie["ids"])}
        if not full:
            return out
        out.update(
            tagline=movie.get("tagline"),
            overview=movie.get("overview", ""),
            released=movie.get("released"),
            runtime=movie.get("runtime", 110),
            country=movie.get("country"),
            trailer=None,
            homepage=movie.get("homepage"),
            status="released",
            rating=movie.get("rating", 8.0),
            votes=movie.get("votes", 1000),
            comment_count=0,
            updated_at=movie.get("updated_at", DEFAULT_UPDATED_AT),
            language=movie.get("language"),
            languages=[movie["language"]] if movie.get("language") else [],
            available_translations=_translations_of(movie),
            genres=list(movie.get("genres", [])),
            certification=movie.get("certification"),
            original_title=movie.get("original_title", movie["title"]),
        )
        return out

    @staticmethod
    def translations(item: Obj, language: str | None) -> list[Obj]:
        return [
            {
                "title": t["title"],
                "overview": t.get("overview", ""),
                "tagline": t.get("tagline", ""),
                "language": t["language"],
                "country": t.get("country"),
            }
            for t in item.get("translations", [])
            if language is None or t["language"] == language
        ]


def _translations_of(item: Obj) -> list[str]:
    langs = {t["language"] for t in item.get("translations", [])}
    if item.get("language"):
        langs.add(item["language"])
    return sorted(langs)


def _derive_airs(show: Obj, aired_dates: list[str]) -> Obj:
    zone, offset = _COUNTRY_ZONES.get(show.get("country") or "", ("UTC", 0))
    if not aired_dates:
        return {"day": None, "time": None, "timezone": zone}
    local = parse_instant(aired_dates[0]) + timedelta(hours=offset)
    return {"day": local.strftime("%A"), "time": local.strftime("%H:%M"), "timezone": zone}


def _episode_type(show: Obj, season: Obj, episode: Obj) -> str:
    numbers = [e["number"] for e in season["episodes"]]
    if season["number"] == 0 or not numbers:
        return "standard"
    regular = sorted(s["number"] for s in show["seasons"] if s["number"] > 0)
    if episode["number"] == min(numbers):
        return "series_premiere" if season["number"] == regular[0] else "season_premiere"
    if episode["number"] == max(numbers):
        last = season["number"] == regular[-1] and show.get("status", "ended") == "ended"
        return "series_finale" if last else "season_finale"
    return "standard"
