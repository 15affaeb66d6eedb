"""Title comparison for candidate verification (never a match on its own)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Bangumi and bangumi-data spell compilations/re-edits like this; such subjects re-air
# episodes that belong to another subject, so a title hit on them is never evidence.
COMPILATION_MARKERS = (
    "総集編",
    "总集篇",
    "總集篇",
    "総集篇",
    "新編集版",
    "新编集版",
    "特別編集版",
    "特别编集版",
    "再編集版",
)
# Latin markers are whole words: "Rosario + Vampire CAPU2" runs together as "…vampirecapu2".
LATIN_COMPILATION = re.compile(r"(?<![a-z])(?:recaps?|compilation|director['’]?s ?cut)(?![a-z])")


# Season words at the end of a title (after NFKC): "第2期", "(第2シーズン)", "2nd Season",
# "Season 2", "Volume 4", "S2", " II", "X2". Bangumi names later seasons this way; Trakt and TMDB
# keep one title for the show (or add "第1期" to the first).
_KANJI_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_SEASON_TAIL = re.compile(
    r"[\s\-_:~～・(\[（【]*(?:"
    r"第?\s*(?P<kanji>\d+|[一二三四五六七八九十])\s*(?:期|季|シーズン|シリーズ|クール)"
    r"|(?P<ordinal>\d+)\s*(?:st|nd|rd|th)\s*(?:season|シーズン)"
    r"|(?:season|series|volume|vol\.?|シーズン)\s*(?P<word>\d+)"
    r"|\bs(?P<short>\d+)"
    r"|\s(?P<roman>ii|iii|iv)"
    r"|(?<=[^\d\s.])\s?(?P<digit>[2-9])"
    r")[\s)\]）】]*$",
    re.IGNORECASE,
)
_ROMAN = {"ii": 2, "iii": 3, "iv": 4}


def fold(title: str) -> str:
    """The spelling to search with: width folded (NFKC: ``ＨｉＭＥ`` → ``HiME``, ``！`` →
    ``!``), ``･`` → ``・``, spaces collapsed. Bangumi's search does not fold width."""
    text = unicodedata.normalize("NFKC", title).replace("\uff65", "\u30fb")
    return " ".join(text.split())


def split_season(title: str) -> tuple[str, int | None]:
    """(the title without a trailing season word, the season number it names or None)."""
    text = fold(title)
    found = _SEASON_TAIL.search(text)
    if found is None or len(normalize(text[: found.start()])) < 2:
        return text, None
    if found["kanji"]:
        raw = found["kanji"]
        number = int(raw) if raw.isdigit() else _KANJI_DIGITS[raw]
    elif found["roman"]:
        number = _ROMAN[found["roman"].lower()]
    else:
        number = int(found["ordinal"] or found["word"] or found["short"] or found["digit"])
    return text[: found.start()].rstrip(), number


def named_season(title: str) -> int | None:
    """The season a title's trailing season word names, for words that say *season*
    ("第2期", "シーズン2", "2nd Season", "Volume 4"); a cour ("第2クール"), a bare digit or a
    roman numeral may number a part of one TMDB season, so they name none."""
    found = _SEASON_TAIL.search(fold(title))
    if found is None or not (found["kanji"] or found["ordinal"] or found["word"]):
        return None
    if "クール" in found.group(0):
        return None
    return split_season(title)[1]


def season_named(titles: Iterable[str], name: str, season: int) -> str:
    """What a subject's ``name`` says of TMDB ``season`` of the show called ``titles``:
    ``"show"`` when it is the show's very title and the season is 1; ``"other"`` when its
    season word names the first season and a later one is placed; else ``""``. A word
    naming a later season says little: TMDB and Bangumi often number those differently
    (TMDB merges or splits them), but a first season is nobody's later one."""
    if season == 1:
        return "show" if title_match(titles, [name]) == "exact" else ""
    return "other" if named_season(name) == 1 else ""


def search_forms(title: str) -> list[str]:
    """What to search Bangumi with for one title: its folded spelling, then the same
    without a trailing season word (Trakt's "X 第1期" is Bangumi's "X")."""
    text = fold(title)
    base = split_season(text)[0]
    return [text] if normalize(base) == normalize(text) else [text, base]


def normalize(title: str) -> str:
    """Case-, width- and punctuation-insensitive form: letters and digits only."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def is_compilation(*titles: str | None) -> bool:
    for title in titles:
        if title and (
            any(marker in normalize(title) for marker in COMPILATION_MARKERS)
            or LATIN_COMPILATION.search(fold(title).casefold())
        ):
            return True
    return False


def title_match(
    left: Iterable[str], right: Iterable[str], *, min_len: int = 3, season: int | None = None
) -> str | None:
    """``"exact"`` when a normalized title appears on both sides; with ``season``,
    ``"season"`` when they are the same once trailing season words are set aside and the
    right side's season word names ``season`` (none names season 1); ``"partial"`` when one
    contains the other (a sequel's name contains the franchise name); else None."""
    lefts = {n for n in (normalize(t) for t in left if t) if n}
    rights = {n for n in (normalize(t) for t in right if t) if n}
    if lefts & rights:
        return "exact"
    if season is not None:
        bases = {normalize(split_season(t)[0]) for t in left if t}
        for title in right:
            base, number = split_season(title) if title else ("", None)
            if (number or 1) == season and normalize(base) in bases - {""}:
                return "season"
    for a in lefts:
        for b in rights:
            short, long_ = (a, b) if len(a) <= len(b) else (b, a)
            if len(short) >= min_len and short in long_:
                return "partial"
    return None
