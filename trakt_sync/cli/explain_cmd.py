"""``trakt-sync explain``: how the matcher resolves a show, season by season, and why.

Works for any show on Trakt, watched or not: the show and its seasons come from Trakt,
the resolution from the profile's matcher (overrides, bangumi-data, Bangumi), built
afresh so every source it tries is shown.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.output import JsonOption
from trakt_sync.cli.reasons import episode_ranges, labelled, split_command
from trakt_sync.cli.state import CliState
from trakt_sync.i18n import N_, _, listed
from trakt_sync.reason_text import shown_reason
from trakt_sync.words import source_word

if TYPE_CHECKING:
    from trakt_sync.matching.matcher import Matcher
    from trakt_sync.runtime import Runtime
    from trakt_sync.show_key import ShowKey
    from trakt_sync.subject_names import Names


def parse_show_ref(value: str) -> ShowKey:
    """The show or film ``value`` names, in the grammar of :mod:`trakt_sync.show_key`."""
    from trakt_sync.show_key import parse

    try:
        return parse(value)
    except ValueError as exc:
        raise BadValue.of(exc) from None


def explain(
    ctx: typer.Context,
    show: Annotated[
        str,
        typer.Argument(
            help=_(
                "trakt:ID, a slug (e.g. spy-x-family), a trakt.tv URL, tmdb:ID, or "
                "movie:… for a film (movie:trakt:ID, movie:SLUG, movie:tmdb:ID)."
            ),
            metavar="SHOW",
        ),
    ],
    season: Annotated[
        int | None,
        typer.Option("--season", "-s", help=_("Only this season (0 = specials)."), metavar="N"),
    ] = None,
    episode: Annotated[
        int | None,
        typer.Option("--episode", "-e", help=_("Only this episode of --season."), metavar="N"),
    ] = None,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief", help=_("One line per season: source, subject, confidence or the reason.")
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Explain how a show's episodes (or a film) resolve to Bangumi: sources tried, segments,
    evidence, and for unmatched episodes the candidates and why each was rejected."""
    from trakt_sync.errors import BadArgument, NotFound
    from trakt_sync.matching.explain import explain_film, explain_show, trakt_id_of_tmdb
    from trakt_sync.subject_names import relabel

    key = parse_show_ref(show)
    season = season if season is not None else key.season
    episode = episode if episode is not None else key.episode
    if episode is not None and season is None:
        raise BadValue.said(N_("--episode needs --season"))
    if key.movie and (season is not None or episode is not None):
        raise BadValue.said(N_("a film has no seasons or episodes"))
    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    with state.runtime() as rt:
        try:
            ref = key.trakt_ref
            if ref is None:
                kind = "movie" if key.movie else "show"
                ref = trakt_id_of_tmdb(rt.trakt, kind, int(key.value))
            matcher = rt.resolver()
            if key.movie:
                data = explain_film(matcher, rt.trakt, ref)
            else:
                data = explain_show(matcher, rt.trakt, ref, season, episode)
            data = relabel(data, _names(rt, matcher, original=as_json))
        except NotFound as exc:
            if " of " in str(exc):  # a season or an episode of a show found
                raise BadArgument.said("{error}", error=exc) from None
            # The show itself not found: say which forms name one.
            raise BadArgument.said(
                N_("{error} (`explain` takes {forms})"), error=exc, forms=_forms()
            ) from None
    if as_json:
        state.emit_json(data)
        return
    if "movie" in data:
        lines = film_lines(data, brief)
    else:
        lines = brief_lines(data) if brief else explain_lines(data)
    for line in lines:
        typer.echo(state.hint(line))


def _names(rt: Runtime, matcher: Matcher, *, original: bool) -> Names:
    """Bangumi's names of the subjects explained, as every command shows them; one not yet
    named is read (once: then cached), else bangumi-data's title in the reader's language
    (``original``: Bangumi's ``name`` and bangumi-data's title, as ``--json`` has them)."""
    from trakt_sync.i18n import subject_name
    from trakt_sync.subject_names import reading_names

    def bangumi_data(subject_id: int) -> str | None:
        chinese = "" if original else matcher.subject_name_cn(subject_id)
        return subject_name(matcher.subject_name(subject_id), chinese) or None

    return reading_names(rt.store, rt.cached_bangumi, bangumi_data, original=original)


def _forms() -> str:
    from trakt_sync.show_key import GRAMMAR

    return GRAMMAR


def brief_lines(data: dict[str, Any]) -> list[str]:
    """``S1  25 ep  matched: 329906 … E1–E12, 373267 … E13–E25 (bangumi-data key); confidence
    0.99`` — or the reason nothing was placed."""
    show = data["show"]
    lines = [_titled(show)]
    for trace in data["seasons"]:
        episodes = trace["episodes"]
        head = f"  S{trace['season']}  " + _("{count} ep").format(count=len(episodes)) + "  "
        matched = [e for e in episodes if e["status"] == "matched"]
        others = [e for e in episodes if e["status"] != "matched"]
        parts = []
        if matched:
            sources = sorted({source_word(e["source"]) for e in matched})
            subjects = listed(
                f"{s['subject_id']} {s['name']}" for s in trace.get("segments", [])
            ) or listed(sorted({str(e["subject_id"]) for e in matched}))
            low = min(e["confidence"] for e in matched)
            parts.append(
                _("{count} matched: {subjects} ({sources}; confidence {low})").format(
                    count=len(matched),
                    subjects=subjects,
                    sources=listed(sources),
                    low=f"{low:g}",
                )
            )
        if others:
            first = others[0]
            status = _(STATUS_WORDS.get(first["status"], first["status"]))
            reason = shown_reason(first["reason"])
            parts.append(
                f"{len(others)} " + _("{status}: {reason}").format(status=status, reason=reason)
            )
        lines.append(head + (_("; ").join(parts) or _("no episodes on Trakt")))
    return lines


def film_lines(data: dict[str, Any], brief: bool) -> list[str]:
    movie, film = data["movie"], data["film"]
    ids = movie["ids"]
    title = _titled(movie)
    status = _(STATUS_WORDS.get(film["status"], film["status"]))
    if film["status"] == "matched":
        outcome = _(
            "{status} → subject {subject}{name} ({source}, confidence {confidence})"
        ).format(
            status=status,
            subject=film["subject_id"],
            name=f" {film['subject_name']}" if film["subject_name"] else "",
            source=source_word(film["source"]),
            confidence=f"{film['confidence']:g}",
        )
    command = None
    if film["status"] != "matched":
        reason = shown_reason(film["reason"])
        if not brief:  # the command on a line of its own, to copy whole
            reason, command = split_command(reason)
        outcome = _("{status}: {reason}").format(status=status, reason=reason)
    if brief:
        return [f"{title}  " + _("film") + f"  {outcome}"]
    where = _(", ").join(
        part
        for part in (
            f"movie:trakt:{ids['trakt']}" if ids["trakt"] is not None else "",
            f"TMDB movie/{ids['tmdb']}" if ids["tmdb"] is not None else _("no TMDB id"),
            _("released {date}").format(date=movie["released"]) if movie["released"] else "",
        )
        if part
    )
    genres = listed(movie["genres"]) or _("none")
    lines = [
        _("{title} — film; {where}; genres {genres}").format(
            title=title, where=where, genres=genres
        )
    ]
    lines.append("  " + _("path: ") + shown_reason(data["path"]))
    lines.append(f"  {outcome}")
    if command:
        lines.append(f"    {command}")
    lines += [f"        · {shown_reason(line)}" for line in film.get("evidence", [])]
    for cand in film.get("candidates", []):
        lines.append(_candidate_line(cand))
    return lines


def explain_lines(data: dict[str, Any]) -> list[str]:
    show = data["show"]
    ids = show["ids"]
    where = _(", ").join(
        part
        for part in (
            f"trakt:{ids['trakt']}" if ids["trakt"] is not None else "",
            f"slug {ids['slug']}" if ids["slug"] else "",
            f"TMDB tv/{ids['tmdb']}" if ids["tmdb"] is not None else _("no TMDB id"),
        )
        if part
    )
    genres = listed(show["genres"]) or _("none")
    lines = [
        _("{title} — {where}; genres {genres}").format(
            title=_titled(show), where=where, genres=genres
        )
    ]
    for trace in data["seasons"]:
        lines += [""] + _season_lines(trace, ids["tmdb"])
    return lines


def _season_lines(trace: dict[str, Any], tmdb: int | None) -> list[str]:
    season = trace["season"]
    count = len(trace["episodes"])
    # The matcher's version hash is for bug reports: it is in --json, not in the text.
    lines = [_("Season {season}: {count} episode(s)").format(season=season, count=count)]
    lines.append("  " + _("sources tried:"))
    overrides = trace.get("overrides", [])
    lines.append("    " + _("overrides: ") + ("; ".join(overrides) if overrides else _("none")))
    keys = trace.get("bangumi_data", [])
    if keys:
        lines.append(
            "    "
            + _("bangumi-data: {count} key(s) for TMDB tv/{tmdb}:").format(
                count=len(keys), tmdb=tmdb
            )
        )
        lines += [f"      {k['key']} → {k['subject_id']} {k['title']}" for k in keys]
    else:
        known = f"TMDB tv/{tmdb}" if tmdb is not None else _("this show (no TMDB id)")
        lines.append("    " + _("bangumi-data: no key for {known}").format(known=known))
    walked = [s for s in trace.get("segments", []) if s["source"] == "franchise"]
    lines.append(
        "    "
        + _("franchise walk: ")
        + (listed(f"{s['subject_id']} {s['name']}" for s in walked) if walked else "—")
    )
    if trace.get("search_titles"):
        titles = listed(repr(t) for t in trace["search_titles"])
        lines.append("    " + _("title search: ") + titles)
    lines.append("    " + _("path: ") + shown_reason(trace.get("path", "")))
    if trace.get("skipped"):
        lines.append("    " + _("skipped: ") + trace["skipped"])
    segments = trace.get("segments", [])
    lines.append("  " + (_("segments:") if segments else _("segments: none")))
    for s in segments:
        span = f"S{season}E{s['first']}" + (f"-E{s['last']}" if s["last"] != s["first"] else "")
        offset = "ep = E" + (f"{-s['offset']:+d}" if s["offset"] else "")
        lines.append(
            f"    {span} → {s['subject_id']} {s['name']}"
            + _(" ({offset}; {source}; {agree} air date(s) agree, {disagree} disagree)").format(
                offset=offset,
                source=source_word(s["source"]),
                agree=s["agree"],
                disagree=s["disagree"],
            )
        )
    lines.append("  " + _("episodes:"))
    for group in _same_reason(trace["episodes"]):
        lines += _episode_lines(season, group, trace.get("skipped"))
    return lines


def _same_reason(episodes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The episodes in order, those not matched for the same reason (with the same
    evidence and candidates) as one group, listed where its first episode is."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for ep in episodes:
        if ep["status"] == "matched":
            key = f"matched {ep['number']}"
        else:
            key = json.dumps(
                [ep["status"], ep["reason"], ep.get("evidence"), ep.get("candidates")],
                sort_keys=True,
                default=str,
            )
        groups.setdefault(key, []).append(ep)
    return list(groups.values())


STATUS_WORDS = {
    "matched": N_("matched"),
    "unmatched": N_("unmatched"),
    "skipped": N_("skipped"),
}


def _episode_lines(
    season: int, group: list[dict[str, Any]], season_skipped: str | None
) -> list[str]:
    ep = group[0]
    status = _(STATUS_WORDS.get(ep["status"], ep["status"]))
    numbers = episode_ranges([e["number"] for e in group])
    head = "    " + labelled(f"S{season}{numbers}", status)
    if ep["status"] == "skipped" and ep["reason"] == season_skipped:
        return [head + _(" (the season is skipped, see above)")]
    command = None
    if ep["status"] == "matched":
        label = _(" {label},").format(label=ep["episode_label"]) if ep.get("episode_label") else ""
        head += _(
            " → subject {subject}{label} episode id {episode} ({source}, confidence {confidence})"
        ).format(
            subject=ep["subject_id"],
            label=label,
            episode=ep["episode_id"],
            source=source_word(ep["source"]),
            confidence=f"{ep['confidence']:g}",
        )
    else:
        # The command that fixes it on a line of its own, to copy whole.
        prose, command = split_command(shown_reason(ep["reason"]))
        head += _(" — {reason}").format(reason=prose)
    lines = [head]
    if command:
        lines.append(f"        {command}")
    lines += [f"        · {shown_reason(line)}" for line in ep.get("evidence", [])]
    for cand in ep.get("candidates", []):
        lines.append(_candidate_line(cand))
    return lines


def _candidate_line(cand: dict[str, Any]) -> str:
    return "        " + _("candidate {subject} {name} (score {score}): {why}").format(
        subject=cand.get("subject_id"),
        name=cand.get("name"),
        score=cand.get("score"),
        why=shown_reason(str(cand.get("why_rejected"))),
    )


def _titled(work: dict[str, Any]) -> str:
    """``SPY x FAMILY (2022)``; the year in full-width brackets in Chinese."""
    year = _(" ({detail})").format(detail=work["year"]) if work["year"] else ""
    return f"{work['title']}{year}"
