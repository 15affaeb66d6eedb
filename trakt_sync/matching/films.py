"""Films: an override, a bangumi-data ``movie/N`` key, the id table, or a title search,
each confirmed by the release date (festival premieres allowed a year off)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from trakt_sync.matching.airdate import parse_day, subject_day
from trakt_sync.matching.confidence import PRIOR_OVERRIDE
from trakt_sync.matching.context import (
    FILM_DATE_TOLERANCE,
    NEEDS_GENRES,
    MatchContext,
    is_tv_series,
    subject_titles,
)
from trakt_sync.matching.overrides import Override, map_add_command
from trakt_sync.matching.segments import candidate_row
from trakt_sync.matching.titles import title_match
from trakt_sync.models import SUBJECT_ANIME, Resolution, ResolutionStatus, TraktMovie

# Several subjects fit one film (a film and its re-edit or TV version, both linked to one
# TMDB movie or found by one title): the one released within days of Trakt's date is the
# film when every other one came out months apart.
CLOSE_RELEASE = timedelta(days=14)
FAR_RELEASE = timedelta(days=60)
Match = tuple[float, Mapping[str, Any], list[str]]


def resolve_film(
    ctx: MatchContext, movie: TraktMovie, key: str, overrides: Sequence[Override]
) -> Resolution:
    """``key``: ``movie_key(movie.ids)``; ``overrides``: the film overrides that match it."""
    if overrides:
        override = overrides[-1]
        if override.ignore:
            return Resolution.skipped(f"ignored by {override.describe()}")
        assert override.subject_id is not None
        subject = ctx.subject(override.subject_id)
        if subject is None:
            return Resolution.unmatched(
                f"{override.describe()}: Bangumi has no subject {override.subject_id}; "
                "fix the override"
            )
        return _match(ctx, subject, PRIOR_OVERRIDE, "override", [override.describe()])

    year = movie.year if type(movie.year) is int and 1 < movie.year < 9999 else None
    released = parse_day(movie.released) or (
        date(year, 7, 1) if year else None  # mid-year: ±1 year still holds
    )
    ids = ctx.index.movie(movie.ids.tmdb) if movie.ids.tmdb is not None else []
    if ids:
        return _by_ids(ctx, movie, key, ids, released)
    genres = ctx.genres_of("movie", movie.ids.trakt, movie.genres)
    if genres is None:
        return _by_table(ctx, movie, released) or Resolution.unmatched(NEEDS_GENRES)
    if not ctx.in_scope(genres):
        return Resolution.skipped(
            f"not anime: no id source knows {movie.title!r} and its Trakt genres "
            f"({', '.join(genres) or 'none'}) are not anime/donghua/animation; "
            f"add `{map_add_command(key)}` if it belongs on Bangumi"
        )
    return _by_table(ctx, movie, released) or _by_search(ctx, movie, key, released)


def _by_table(ctx: MatchContext, movie: TraktMovie, released: date | None) -> Resolution | None:
    """A film the id table links by TMDB or IMDb id, confirmed by its release date;
    None (a title search follows) when the table does not confirm exactly one."""
    table = ctx.id_table
    if table is None or released is None:
        return None
    sids = table.movie(movie.ids.tmdb) if movie.ids.tmdb is not None else []
    how = f"movie/{movie.ids.tmdb}"
    if not sids and movie.ids.imdb:
        sids, how = table.imdb(movie.ids.imdb), f"imdb {movie.ids.imdb}"
    matches = []
    for sid in dict.fromkeys(sids):
        subject = ctx.subject(sid)
        if subject is None or subject.get("type") not in ctx.subject_types:
            continue
        if is_tv_series(subject):
            continue
        day = subject_day(subject)
        if day is not None and abs(released - day) <= FILM_DATE_TOLERANCE:
            note = f"id table {how} → {sid}"
            matches.append((subject, [note, f"released {released} / Bangumi {day}"]))
    if len(matches) != 1:
        return None
    subject, evidence = matches[0]
    return _match(ctx, subject, 0.85, "id-table", evidence)


def _by_ids(
    ctx: MatchContext, movie: TraktMovie, key: str, ids: list[int], released: date | None
) -> Resolution:
    rows = []
    matches: list[Match] = []
    for sid in ids:
        subject = ctx.subject(sid)
        if subject is None:
            rows.append(candidate_row(sid, ctx.name(sid), 0, "Bangumi no longer has it"))
            continue
        day = subject_day(subject)
        note = f"bangumi-data movie/{movie.ids.tmdb} → {sid}"
        if released is None or day is None:
            matches.append((0.85, subject, [note, "no release date to compare"]))
        elif abs(released - day) <= FILM_DATE_TOLERANCE:
            matches.append((0.95, subject, [note, f"released {released} / Bangumi {day}"]))
        else:
            why = f"release dates too far apart: Trakt {released} / Bangumi {day}"
            rows.append(candidate_row(sid, str(subject.get("name") or sid), 0.3, why))
    chosen = matches[0] if len(matches) == 1 else _closest(released, matches)
    if chosen is not None:
        score, found, evidence = chosen
        return _match(ctx, found, score, "bangumi-data", evidence)
    rows += [
        candidate_row(int(s["id"]), str(s.get("name") or s["id"]), sc, "several subjects fit")
        for sc, s, _ in matches
    ]
    return Resolution.unmatched(
        f"bangumi-data links TMDB movie/{movie.ids.tmdb} to {', '.join(map(str, ids))} "
        f"but none could be confirmed; if one is right, add `{map_add_command(key)}`",
        rows,
    )


def _by_search(ctx: MatchContext, movie: TraktMovie, key: str, released: date | None) -> Resolution:
    titles = list(dict.fromkeys(t for t in (movie.original_title, movie.title) if t))
    window = (released - FILM_DATE_TOLERANCE, released + FILM_DATE_TOLERANCE) if released else None
    rows = []
    matches: dict[int, Match] = {}
    for keyword in titles:
        for subject in ctx.search(keyword, window):
            sid = subject.get("id")
            if not isinstance(sid, int) or sid in matches:
                continue
            name = str(subject.get("name") or sid)
            why = ctx.search_reject(subject, titles, window, film=True)
            if not why and (released is None or subject_day(subject) is None):
                why = "no release date to confirm the title match"
            if why:
                rows.append(candidate_row(sid, name, 0, why))
                continue
            exact = title_match(titles, subject_titles(subject)) == "exact"
            score = 0.85 if exact else 0.7
            note = f"title search: {name!r} ({'exact' if exact else 'partial'} title match)"
            matches[sid] = (score, subject, [note, f"released {released} / {subject.get('date')}"])
    good = [m for m in matches.values() if m[0] >= ctx.min_confidence]
    chosen = good[0] if len(good) == 1 else _agreed(_named(movie, good), _closest(released, good))
    if chosen is not None:
        score, found, evidence = chosen
        return _match(ctx, found, score, "search", evidence)
    rows += [
        candidate_row(int(s["id"]), str(s.get("name")), sc, "ambiguous" if good else "weak")
        for sc, s, _ in matches.values()
    ]
    unique = {r["subject_id"]: r for r in rows}
    return Resolution.unmatched(
        f"no Bangumi film confirmed for {movie.title!r} ({movie.year}); "
        f"add one with `{map_add_command(key)}`",
        list(unique.values()),
    )


def _named(movie: TraktMovie, matches: Sequence[Match]) -> Match | None:
    """The one match whose Bangumi name is Trakt's original title, when several share the
    English title (the two parts of a 前編/後編 film; an English alias bangumi-data gives
    another item), else None. Only ``name``: an alias may be shared by both parts."""
    if not movie.original_title or len(matches) < 2:
        return None
    named = [
        m
        for m in matches
        if title_match([movie.original_title], [str(m[1].get("name") or "")]) == "exact"
    ]
    if len(named) != 1:
        return None
    score, subject, evidence = named[0]
    rest = ", ".join(str(m[1].get("id")) for m in matches if m is not named[0])
    note = (
        f"original title {movie.original_title!r} is the name of this one only; also fits: {rest}"
    )
    return score, subject, [*evidence, note]


def _agreed(*picks: Match | None) -> Match | None:
    """The pick every rule that made one agrees on; None when none did or two disagree."""
    made = [p for p in picks if p is not None]
    if not made or len({int(p[1]["id"]) for p in made}) > 1:
        return None
    return made[0]


def _closest(released: date | None, matches: Sequence[Match]) -> Match | None:
    """The one match released close to Trakt's date while the others are far from it
    (its evidence saying so), else None."""
    if released is None or not matches:
        return None
    dated = []
    for match in matches:
        day = subject_day(match[1])
        if day is None:
            return None
        dated.append((abs(released - day), match))
    dated.sort(key=lambda d: d[0])
    (gap, (score, subject, evidence)), others = dated[0], dated[1:]
    if gap > CLOSE_RELEASE or any(other <= FAR_RELEASE for other, _ in others):
        return None
    rest = ", ".join(f"{m[1].get('id')} ({other.days} days)" for other, m in others)
    return score, subject, [*evidence, f"released {gap.days} day(s) apart; also fits: {rest}"]


def _match(
    ctx: MatchContext, subject: Mapping[str, Any], score: float, source: str, evidence: list[str]
) -> Resolution:
    if score < ctx.min_confidence:
        return Resolution.unmatched(
            f"film match {subject.get('name')!r} scored {score:.2f}",
            [candidate_row(int(subject["id"]), str(subject.get("name")), score, "weak")],
        )
    return Resolution(
        ResolutionStatus.MATCHED,
        subject_id=int(subject["id"]),
        subject_type=int(subject.get("type") or SUBJECT_ANIME),
        is_movie=True,
        source=source,
        confidence=score,
        evidence=evidence,
    )
