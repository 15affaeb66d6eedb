"""Title comparison for candidate verification (never a match on its own)."""

from __future__ import annotations

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
    "recap",
    "compilation",
    "directorscut",
)


def normalize(title: str) -> str:
    """Case-, width- and punctuation-insensitive form: letters and digits only."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def is_compilation(*titles: str | None) -> bool:
    return any(
        marker in normalize(title) for title in titles if title for marker in COMPILATION_MARKERS
    )


def title_match(left: Iterable[str], right: Iterable[str], *, min_len: int = 3) -> str | None:
    """``"exact"`` when a normalized title appears on both sides, ``"partial"`` when one
    contains the other (a sequel's name contains the franchise name), else None."""
    lefts = {n for n in (normalize(t) for t in left if t) if n}
    rights = {n for n in (normalize(t) for t in right if t) if n}
    if lefts & rights:
        return "exact"
    for a in lefts:
        for b in rights:
            short, long_ = (a, b) if len(a) <= len(b) else (b, a)
            if len(short) >= min_len and short in long_:
                return "partial"
    return None
