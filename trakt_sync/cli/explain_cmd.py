"""``trakt-sync explain``: how the matcher resolves a show, season by season, and why.

Works for any show on Trakt, watched or not: the show and its seasons come from Trakt,
the resolution from the profile's matcher (overrides, bangumi-data, Bangumi), built
afresh so every source it tries is shown.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from trakt_sync.cli.output import JsonOption
from trakt_sync.cli.state import CliState

_TRAKT_URL = re.compile(r"trakt\.tv/shows/([a-z0-9-]+)(?:/seasons/(\d+)(?:/episodes/(\d+))?)?")
_REF = re.compile(r"^(?:trakt:(\d+)|slug:([a-z0-9-]+)|([a-z0-9-]+))$")


def parse_show_ref(value: str) -> tuple[str, int | None, int | None]:
    """(Trakt id or slug, season, episode) from an id, a slug, ``trakt:N``/``slug:x`` or a
    trakt.tv show URL — a URL may name the season and episode too."""
    text = value.strip()
    match = _TRAKT_URL.search(text)
    if match:
        slug, season, episode = match.groups()
        return slug, int(season) if season else None, int(episode) if episode else None
    ref = _REF.match(text.lower())
    if ref is None or "trakt.tv" in text:
        raise typer.BadParameter(
            f"not a Trakt show: {value!r} (give a Trakt id, a slug or a trakt.tv/shows/… URL)"
        )
    return next(g for g in ref.groups() if g), None, None


def explain(
    ctx: typer.Context,
    show: Annotated[
        str,
        typer.Argument(
            help="Trakt show id, slug (e.g. spy-x-family) or trakt.tv/shows/… URL.",
            metavar="SHOW",
        ),
    ],
    season: Annotated[
        int | None,
        typer.Option("--season", "-s", help="Only this season (0 = specials).", metavar="N"),
    ] = None,
    episode: Annotated[
        int | None,
        typer.Option("--episode", "-e", help="Only this episode of --season.", metavar="N"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Explain how a show's episodes resolve to Bangumi: sources tried, segments, evidence,
    and for unmatched episodes the candidates and why each was rejected."""
    ref, url_season, url_episode = parse_show_ref(show)
    season = season if season is not None else url_season
    episode = episode if episode is not None else url_episode
    if episode is not None and season is None:
        raise typer.BadParameter("--episode needs --season")
    from trakt_sync.matching.explain import explain_show

    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    with state.runtime() as rt:
        data = explain_show(rt.resolver(), rt.trakt, ref, season, episode)
    if as_json:
        state.emit_json(data)
    else:
        for line in explain_lines(data):
            typer.echo(line)


def explain_lines(data: dict[str, Any]) -> list[str]:
    show = data["show"]
    ids = show["ids"]
    where = ", ".join(
        part
        for part in (
            f"trakt:{ids['trakt']}" if ids["trakt"] is not None else "",
            f"slug {ids['slug']}" if ids["slug"] else "",
            f"TMDB tv/{ids['tmdb']}" if ids["tmdb"] is not None else "no TMDB id",
        )
        if part
    )
    year = f" ({show['year']})" if show["year"] else ""
    lines = [
        f"{show['title']}{year} — {where}; genres {', '.join(show['genres']) or 'none'}",
    ]
    for trace in data["seasons"]:
        lines += [""] + _season_lines(trace, ids["tmdb"])
    return lines


def _season_lines(trace: dict[str, Any], tmdb: int | None) -> list[str]:
    season = trace["season"]
    count = len(trace["episodes"])
    # The matcher's version hash is for bug reports: it is in --json, not in the text.
    lines = [f"Season {season}: {count} episode(s)"]
    lines.append("  sources tried:")
    overrides = trace.get("overrides", [])
    lines.append("    overrides: " + ("; ".join(overrides) if overrides else "none"))
    keys = trace.get("bangumi_data", [])
    if keys:
        lines.append(f"    bangumi-data: {len(keys)} key(s) for TMDB tv/{tmdb}:")
        lines += [f"      {k['key']} → {k['subject_id']} {k['title']}" for k in keys]
    else:
        known = f"TMDB tv/{tmdb}" if tmdb is not None else "this show (no TMDB id)"
        lines.append(f"    bangumi-data: no key for {known}")
    walked = [s for s in trace.get("segments", []) if s["source"] == "franchise"]
    lines.append(
        "    franchise walk: "
        + (", ".join(f"{s['subject_id']} {s['name']}" for s in walked) if walked else "—")
    )
    if trace.get("search_titles"):
        lines.append("    title search: " + ", ".join(repr(t) for t in trace["search_titles"]))
    lines.append(f"    path: {trace.get('path', '')}")
    if trace.get("skipped"):
        lines.append(f"    skipped: {trace['skipped']}")
    segments = trace.get("segments", [])
    lines.append("  segments:" + ("" if segments else " none"))
    for s in segments:
        span = f"S{season}E{s['first']}" + (f"-E{s['last']}" if s["last"] != s["first"] else "")
        offset = "ep = E" + (f"{-s['offset']:+d}" if s["offset"] else "")
        lines.append(
            f"    {span} → {s['subject_id']} {s['name']} ({offset}; {s['source']}; "
            f"{s['agree']} air date(s) agree, {s['disagree']} disagree)"
        )
    lines.append("  episodes:")
    for ep in trace["episodes"]:
        lines += _episode_lines(season, ep, trace.get("skipped"))
    return lines


def _episode_lines(season: int, ep: dict[str, Any], season_skipped: str | None) -> list[str]:
    head = f"    S{season}E{ep['number']}: {ep['status']}"
    if ep["status"] == "skipped" and ep["reason"] == season_skipped:
        return [head + " (the season is skipped, see above)"]
    if ep["status"] == "matched":
        label = f" {ep['episode_label']}," if ep.get("episode_label") else ""
        head += (
            f" → subject {ep['subject_id']}{label} episode id {ep['episode_id']} "
            f"({ep['source']}, confidence {ep['confidence']:g})"
        )
    else:
        head += f" — {ep['reason']}"
    lines = [head]
    lines += [f"        · {line}" for line in ep.get("evidence", [])]
    for cand in ep.get("candidates", []):
        lines.append(
            f"        candidate {cand.get('subject_id')} {cand.get('name')} "
            f"(score {cand.get('score')}): {cand.get('why_rejected')}"
        )
    return lines
