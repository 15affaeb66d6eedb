"""The matcher's words, as templates: every reason, evidence line and rejection it stores.

The matcher writes these in English (``trakt_sync/matching``, ``stages/lists.py``) and the
store keeps them with each play; ``reason_text.shown_reason`` finds each template in the text
and says it again from the catalog. A template here is the English as the producer formats
it, with its variable parts named; the name says what a part looks like (:data:`PARTS`), so
the template is also the pattern that finds it. They are tried longest first, so that a
sentence is translated whole before a phrase it contains. ``tests/test_match_phrases.py``
collects what the bench's worlds make the matcher say and fails on any sentence left in
English; a new reason needs its template here (and a translation: ``make messages``).
"""

from __future__ import annotations

import re
from functools import cache

from trakt_sync.i18n import N_

_QUOTED = r"""(?:'[^']*'|"[^"]*")"""
_DATE = r"(?:\d{4}-\d{2}-\d{2}|None)"
# What a named part of a template looks like (a trailing digit is ignored: id2 is an id).
PARTS = {
    "command": r"`[^`]*`",
    "title": _QUOTED,
    "quoted": _QUOTED,
    "searched": rf"{_QUOTED}(?:, {_QUOTED})*",
    "n": r"\d+",
    "id": r"\d+",
    "ids": r"\d+(?:, \d+)*",
    "count": r"\d+",
    "season": r"\d+",
    "year": r"\w+",
    "days": r"[+-]\d+",
    "score": r"[\d.]+",
    "least": r"[\d.]+",
    "date": _DATE,
    "dates": rf"{_DATE}(?:, {_DATE})*",
    "episode": r"S\d+E\d+",
    "span": r"S\d+E\d+(?:-E\d+)?",
    "label": r"(?:ep [\d.]+ \(sort [\d.]+\)|SP sort [\d.]+|recap sort [\d.]+|ep [\d.]+)",
    "key": r"(?:tvdb |imdb )?\S+",
    "genres": r"[^)]*",
    "relation": r"续集|前传",
    "override": r"override \S+(?: S[\dE-]+)? → (?:subject \d+(?: from ep \d+)?|ignore)",
    "source": r"Trakt|Bangumi|bangumi-data|the id table",
    "spec": r"S\d+(?:E\d+(?:-(?:E\d+)?)?)?",
}
_ANY = r".+?"

# Said alone (a candidate's whole rejection), never inside a sentence.
WHOLE = (N_("ambiguous"), N_("weak"))

TEMPLATES = (
    # Why a season or an episode found no subject (matching/season.py, segments.py, …).
    N_(
        "not anime: no id source knows {title} and its Trakt genres ({genres}) are not "
        "anime/donghua/animation; add {command} if it belongs on Bangumi"
    ),
    N_(
        "needs Trakt's air dates to be placed, which the export lacks: sync again with a Trakt "
        "client id configured or after {command} (or map it with {command2})"
    ),
    N_(
        "no id source knows it and the export has no genres to tell an anime by: sync again "
        "with a Trakt client id configured or after {command}"
    ),
    N_("{override}: Bangumi has no subject {id}; fix the override"),
    N_(
        "{override} maps {episode} to ep {n}, but {subject} ({id}) lists {count} episodes; "
        "fix the override"
    ),
    N_("ignored by {override}"),
    N_(
        "bangumi-data links TMDB movie/{n} to {ids} but none could be confirmed; if one is "
        "right, add {command}"
    ),
    N_("film match {title} scored {score}"),
    N_("no Bangumi film confirmed for {title} ({year}); add one with {command}"),
    N_("{episode} was not resolved; sync again"),
    N_(
        "best guess for {episode} is {label} of {subject} ({id}) but {why}; if it is right, "
        "confirm it with {command}"
    ),
    N_("{episode}: {why}; if it is {label}, confirm it with {command}"),
    N_("{episode} fits {count} Bangumi subjects equally ({names}); pick one with {command}"),
    N_(
        "{episode} is an episode TMDB counts and {subject} ({id}) does not ({note}); its air "
        "date and title do not both say it is an SP, so it is left unmarked; to keep it out "
        "for good: {command}"
    ),
    N_(
        "specials (S0) of {title} are matched only through bangumi-data keys or overrides; "
        "add one with {command}"
    ),
    N_(
        "bangumi-data links {episode} to {ids} but it could not be confirmed; if it is right, "
        "add {command}"
    ),
    N_("special {episode} has no air date to place it by; add {command}"),
    N_("special {episode} fits {count} Bangumi episodes; pick one with {command}"),
    N_("no Bangumi special confirmed for {episode} (air date + title); add {command}"),
    N_("Trakt lists no episodes for season {season}"),
    N_("Trakt lists no episodes for {subject}"),
    N_(" — {subject} left unmatched"),
    # A service's answer the matcher could not read (errors.BadData): its detail stays as
    # the program words it (a field, a type).
    N_("{source} sent unreadable data for {item}: {detail}"),
    # Why a candidate was turned down (matching/context.py, placement.py, films.py, …).
    N_("live-action (Bangumi type 6); enable include_live_action to allow it"),
    N_("not an anime (Bangumi type {n})"),
    N_("compilation/re-edit: it re-airs episodes of another subject"),
    N_("a film, not a TV season"),
    N_("a TV series, not a film"),
    N_("a film or compilation, not a TV season"),
    N_("Bangumi has no anime subject with this id"),
    N_("Bangumi no longer has this subject"),
    N_("Bangumi no longer has it"),
    N_("Bangumi lists no episodes for it"),
    N_("Bangumi lists no main episodes for it yet"),
    N_("title differs"),
    N_("first aired {date}, outside {date2}..{date3}"),
    N_("it starts at E{n} but has no episode there"),
    N_("air dates disagree with its start E{n} ({tally})"),
    N_("air dates do not line up ({tally})"),
    N_("{n}/{count} dated episodes agree"),
    N_(
        "no air date to check its start E{n} against, and TMDB numbers {count} episode(s) "
        "E{n2}-E{n3} where Bangumi lists {count2} main episodes: one counted on one side only "
        "would put every number after it one off"
    ),
    N_(
        "air dates match only with every episode moved {n} place(s) from its number, and with "
        "the numbers kept every date is {days} days off: a streaming schedule? (left alone "
        "rather than mark every episode one off)"
    ),
    N_("release dates too far apart: Trakt {date} / Bangumi {date2}"),
    N_("no release date to confirm the title match"),
    N_("several subjects fit"),
    N_("several specials fit"),
    N_("SP {quoted} aired the same day but its title differs"),
    N_("confidence {score} < {least}"),
    # Evidence: what placed an episode (segments.py, pieces.py, specials.py, title_search.py).
    N_("air date agrees: Trakt {date} / Bangumi {date2} (JST broadcast day)"),
    N_("air date disagrees: Trakt {date} / Bangumi {date2} (JST broadcast day)"),
    N_("air date disagrees: Trakt {date} / {date2}"),
    N_("Trakt date {date} set aside (a batch release's shared day); placed by numbering"),
    N_("no air date to compare"),
    N_("no release date to compare"),
    N_("released {date} / Bangumi {date2}"),
    N_("released {date} / {date2}"),
    N_("released {n} day(s) apart; also fits: {rest}"),
    N_("({n} days)"),
    N_("original title {title} is the name of this one only; also fits: {rest}"),
    N_("{span} ↔ ep {n}-{n2}: {n3}/{count} air dates agree"),
    N_("numbering: Bangumi ep equals the TMDB episode number"),
    N_("numbering: Bangumi sort continues the TMDB numbering"),
    N_("numbering: Bangumi sort equals Trakt's absolute number"),
    N_(
        "batch release: Trakt dates {span} all {dates}, away from the TV run: set aside, "
        "placed by numbering"
    ),
    N_("; its {count} main episodes fit one for one"),
    N_("id start E{n} overruled by air dates"),
    N_("held: a half-sort recap lies before it"),
    N_("E{n} and E{n2} are both {label} (one Bangumi episode split in two on TMDB: same air day)"),
    N_(
        "one of {span} has no Bangumi episode (TMDB counts one more); E{n} on are shifted by "
        "one to ep {n2}"
    ),
    N_(
        "E{n} ({detail}) has no Bangumi episode: TMDB counts it, Bangumi does not (a recap?); "
        "E{n2} on are shifted by one to ep {n3}"
    ),
    N_("E{n} is the recap {label}: its air date and title agree"),
    N_(
        "{subject} ({id}) lists a recap ({label}) as a main episode after ep {n}, and no air "
        "date says whether TMDB counts it: E{n2} would be {label2}, or the one before it if "
        "TMDB does, so it is left unmarked"
    ),
    N_(
        "{subject} ({id}) lists a recap as a main episode after ep {n}, and no air date says "
        "whether TMDB counts it: E{n2} would be {label}, or the one before it if TMDB does, so "
        "it is left unmarked"
    ),
    N_("special {episode}: SP air date and title agree"),
    N_("special {episode}: air date and title agree"),
    N_("special {episode}: air date agrees and {episode2} continues the {episode3} key"),
    N_("special {episode}: air date agrees"),
    N_("{episode} → {label} of {subject} ({id})"),
    N_("{relation} of {subject} ({id}), against a batch placement"),
    N_("{relation} of {subject} ({id})"),
    N_("its 前传 chain reaches {title} ({id}), the show's own title"),
    N_("续集 chain from {title} ({id}), found by title search {quoted}"),
    N_(
        "title search {quoted} found {title} (title match once season words are set aside, "
        "naming season {season})"
    ),
    N_("title search {quoted} found {title} (exact title match)"),
    N_("title search {quoted} found {title} (partial title match)"),
    N_("title search: {title} (exact title match)"),
    N_("title search: {title} (partial title match)"),
    N_("subject {id} was merged into {id2}"),
    N_("id table {key} → {id}; placed by air date"),
    N_("id table {key} → {id}"),
    N_("; placed by air date"),
    N_(" (starts at E{n})"),
    # explain's path line: what placed a run of episodes (matching/explain.py).
    N_(" (your override)"),
    N_(" (bangumi-data key)"),
    N_(" (id table link)"),
    N_(" (franchise walk)"),
    N_(" (title search)"),
    N_("skipped: your override"),
    N_("skipped: out of scope"),
)

# An override as the matcher names it (matching/overrides.py): inside the sentences above,
# so tried after them.
OVERRIDES = (
    N_("override {key} {spec} → subject {id} from ep {n}"),
    N_("override {key} {spec} → subject {id}"),
    N_("override {key} {spec} → ignore"),
    N_("override {key} → subject {id} from ep {n}"),
    N_("override {key} → subject {id}"),
    N_("override {key} → ignore"),
)


def in_order(more: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every template (and ``more``), in the order to try them: whole ones, then by length
    of their text, overrides last."""
    by_length = sorted((*TEMPLATES, *more), key=lambda t: -len(re.sub(r"\{\w+\}", "", t)))
    return (*WHOLE, *by_length, *OVERRIDES)


def _part(name: str, last: bool) -> str:
    kind = name.rstrip("0123456789")
    # A free part that ends the template runs to the end of the text.
    return f"(?P<{name}>{PARTS.get(kind, '.+' if last else _ANY)})"


@cache
def pattern(template: str) -> re.Pattern[str]:
    """The template as a pattern: its text literally, each part as :data:`PARTS` says; it
    neither starts nor ends inside a Latin word."""
    pieces = re.split(r"\{(\w+)\}", template)
    last = len(pieces) - 2 if pieces[-1] == "" else -1
    body = "".join(
        _part(piece, index == last) if index % 2 else re.escape(piece)
        for index, piece in enumerate(pieces)
    )
    if template in WHOLE:
        return re.compile(rf"^{body}$")
    # Not inside a Latin word or number (a Chinese character may well touch it).
    before = r"(?<![A-Za-z0-9_])" if re.match(r"\w", template, re.ASCII) else ""
    after = r"(?![A-Za-z0-9_])" if re.search(r"\w$", template, re.ASCII) else ""
    return re.compile(before + body + after)
