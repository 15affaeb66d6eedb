"""What ``trakt-sync explain`` shows: how a show's seasons resolve, built afresh (no cached
plan is read or written) by the matcher's own ``season_plan`` — the plan object the sync
caches and resolves from — with the source it chose (``SeasonPlan.path``), segments,
evidence and, for unmatched episodes, the candidates and why each was turned down.
JSON-ready data; the CLI prints it. The matcher does not know this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from trakt_sync.errors import NotFound
from trakt_sync.i18n import N_
from trakt_sync.matching.context import MAX_SEARCH_KEYWORDS
from trakt_sync.matching.matcher import Matcher
from trakt_sync.matching.overrides import best_override, show_key
from trakt_sync.matching.segments import PATH_OVERRIDES, PATH_SEARCH, resolution_to_json
from trakt_sync.models import Resolution, ResolutionStatus, TraktEpisode, TraktShow
from trakt_sync.trakt_items import episode_from_api, movie_from_api, show_from_api

if TYPE_CHECKING:
    from trakt_sync.matching.segments import SeasonPlan, Segment


class ShowSource(Protocol):
    """The Trakt client: a show and its list of seasons."""

    def get_show(self, show_id: int | str) -> dict[str, Any]: ...
    def get_json(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, Any]: ...


def trakt_id_of_tmdb(trakt: ShowSource, kind: str, tmdb_id: int) -> int:
    """The Trakt id of the show (``kind`` "show") or film ("movie") with this TMDB id."""
    data, _ = trakt.get_json(f"/search/tmdb/{tmdb_id}", {"type": kind})
    for hit in data if isinstance(data, list) else []:
        ids = (hit.get(kind) or {}).get("ids") or {}
        if hit.get("type") == kind and ids.get("trakt") is not None:
            return int(ids["trakt"])
    raise NotFound.said(N_("Trakt knows no {kind} with TMDB id {id}"), kind=kind, id=tmdb_id)


def explain_film(matcher: Matcher, trakt: ShowSource, ref: int | str) -> dict[str, Any]:
    """How a Trakt film resolves, afresh (no cached resolution is read or written)."""
    try:
        data, _ = trakt.get_json(f"/movies/{ref}", {"extended": "full"})
    except NotFound:
        raise NotFound.said(N_("Trakt has no film {ref}"), ref=repr(ref)) from None
    movie = movie_from_api(dict(data))
    result = matcher.resolve_film_fresh(movie)
    name = matcher.subject_name(result.subject_id) if result.subject_id is not None else ""
    return {
        "movie": {
            "title": movie.title,
            "original_title": movie.original_title,
            "year": movie.year,
            "released": movie.released,
            "genres": list(movie.genres),
            "ids": {
                "trakt": movie.ids.trakt,
                "slug": movie.ids.slug,
                "tmdb": movie.ids.tmdb,
                "imdb": movie.ids.imdb,
            },
        },
        "matcher_version": matcher.version,
        "film": {**resolution_to_json(result), "subject_name": name},
        "path": _film_path(result, name),
    }


def _film_path(result: Resolution, name: str) -> str:
    if result.status is ResolutionStatus.MATCHED:
        subject = f"{result.subject_id} {name}".strip()
        return f"→ {subject} ({SOURCE_WORDS.get(result.source, result.source)})"
    if result.status is ResolutionStatus.SKIPPED:
        return "skipped: " + (
            "your override" if result.reason.startswith("ignored") else "out of scope"
        )
    found = len(result.candidates)
    return (
        f"nothing confirmed: {found} candidate(s)" if found else "nothing confirmed: no candidate"
    )


def explain_show(
    matcher: Matcher, trakt: ShowSource, ref: int | str, season: int | None, episode: int | None
) -> dict[str, Any]:
    """How a Trakt show (``ref``: id or slug) resolves, season by season."""
    try:
        show = show_from_api(trakt.get_show(ref))
    except NotFound:
        raise NotFound.said(N_("Trakt has no show {ref}"), ref=repr(ref)) from None
    trakt_id: int | str = show.ids.trakt if show.ids.trakt is not None else ref
    seasons = [season] if season is not None else _season_numbers(trakt, trakt_id)
    reader = matcher.context.trakt
    traces = []
    for number in seasons:
        try:
            rows = reader.get_season_episodes(trakt_id, number)
        except NotFound:
            raise NotFound.said(
                N_("Trakt has no season {season} of {title}"),
                season=number,
                title=repr(show.title),
            ) from None
        episodes = []
        for row in rows:
            try:
                episodes.append(episode_from_api({**row, "season": number}))
            except (KeyError, TypeError, ValueError):
                continue
        if episode is not None:
            episodes = [e for e in episodes if e.number == episode]
            if not episodes:
                raise NotFound.said(
                    N_("Trakt has no episode S{season}E{episode} of {title}"),
                    season=number,
                    episode=episode,
                    title=repr(show.title),
                )
        traces.append(explain_season(matcher, show, number, episodes))
    return {
        "show": {
            "title": show.title,
            "original_title": show.original_title,
            "year": show.year,
            "genres": list(show.genres),
            "ids": {
                "trakt": show.ids.trakt,
                "slug": show.ids.slug,
                "tmdb": show.ids.tmdb,
                "tvdb": show.ids.tvdb,
                "imdb": show.ids.imdb,
            },
        },
        "seasons": traces,
    }


SOURCE_WORDS = {
    "override": "your override",
    "bangumi-data": "bangumi-data key",
    "id-table": "id table link",
    "franchise": "franchise walk",
    "search": "title search",
}


def _what_happened(
    plan: SeasonPlan | None,
    automatic: bool,
    segments: Sequence[Segment],
    results: Sequence[Resolution],
) -> str:
    """The path line of ``explain``: what placed the episodes (or why nothing did), not a
    description of the strategy."""
    if plan is None or not automatic:
        return "your overrides settle every episode"
    if plan.skip_all is not None:
        return "skipped: out of scope, nothing was looked up"
    parts = [
        f"E{s.first}"
        + (f"–E{s.last}" if s.last != s.first else "")
        + f" → {s.subject_id} {s.name} ({SOURCE_WORDS.get(s.source, s.source)})"
        for s in segments
    ]
    unmatched = sum(r.status is ResolutionStatus.UNMATCHED for r in results)
    candidates = {c.get("subject_id") for r in results for c in r.candidates}
    if not parts:
        found = (
            f"{len(candidates)} candidate(s), none confirmed by air dates"
            if candidates
            else "no candidate"
        )
        return f"nothing confirmed: {found}"
    if unmatched:
        parts.append(f"{unmatched} episode(s) left unmatched")
    return "; ".join(parts)


def _season_numbers(trakt: ShowSource, trakt_id: int | str) -> list[int]:
    data, _ = trakt.get_json(f"/shows/{trakt_id}/seasons")
    numbers = {int(s["number"]) for s in data if isinstance(s, dict) and "number" in s}
    return sorted(numbers, key=lambda n: (n == 0, n))  # specials last


def explain_season(
    matcher: Matcher, show: TraktShow, season: int, episodes: Sequence[TraktEpisode]
) -> dict[str, Any]:
    """What ``resolve_season`` decides for the episodes, and the sources it tried."""
    ctx = matcher.context
    overrides = matcher.show_overrides(show)
    links = ctx.index.tv(show.ids.tmdb) if show.ids.tmdb is not None else []
    plan, results = matcher.season_plan(show, season, episodes, fresh=True)
    automatic = [ep for ep in episodes if best_override(overrides, season, ep.number) is None]
    # The source the sync takes, as the plan recorded it when it was built (not re-derived).
    source = plan.path if plan is not None and automatic and plan.path else PATH_OVERRIDES
    segments = plan.segments if plan is not None else []
    episodes_out = []
    for ep, res in zip(episodes, results, strict=True):
        row = {"number": ep.number, **resolution_to_json(res), "episode_label": None}
        seg = next((s for s in segments if s.covers(ep.number)), None)
        if seg is not None and res.episode_id is not None:
            row["episode_label"] = seg.eps[ep.number - seg.offset][2]
        episodes_out.append(row)
    return {
        "show": show_key(show.ids),
        "season": season,
        "matcher_version": matcher.version,
        "overrides": [o.describe() for o in overrides],
        "bangumi_data": [
            {"key": str(k), "subject_id": sid, "title": ctx.name(sid)} for k, sid in links
        ],
        "path": _what_happened(
            plan,
            bool(automatic),
            [s for s in segments if any(s.first <= e.number <= s.last for e in episodes)],
            results,
        ),
        "source": source,
        "search_titles": ctx.show_titles(show)[:MAX_SEARCH_KEYWORDS]
        if source == PATH_SEARCH
        else [],
        "skipped": plan.skip_all if plan is not None else None,
        "segments": [
            {
                "subject_id": s.subject_id,
                "name": s.name,
                "source": s.source,
                "first": s.first,
                "last": s.last,
                "offset": s.offset,
                "agree": s.agree,
                "disagree": s.disagree,
                "numbering": s.numbering,
                "evidence": s.evidence,
            }
            for s in segments
        ],
        "episodes": episodes_out,
    }
