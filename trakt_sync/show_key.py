"""The one grammar for naming a Trakt show or film, used by every command and the overrides
file: ``trakt:ID``, a bare Trakt id, ``slug:x`` or a bare slug, ``tmdb:ID``, a trakt.tv URL
(``/shows/x[/seasons/N[/episodes/M]]`` or ``/movies/x``), and ``movie:`` before any of the
id forms for a film (``movie:trakt:ID``, ``movie:SLUG``, ``movie:tmdb:ID``).

A key is written back in its canonical form (``trakt:185614``, ``slug:spy-x-family``,
``movie:tmdb:372058``): what ``map list``, the overrides file and ``unmatched --json`` show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from trakt_sync.errors import InvalidValue
from trakt_sync.i18n import N_
from trakt_sync.show_grammar import GRAMMAR

IdKind = Literal["trakt", "slug", "tmdb"]

_URL = re.compile(
    r"trakt\.tv/(shows|movies)/([a-z0-9][a-z0-9-]*)(?:/seasons/(\d+)(?:/episodes/(\d+))?)?",
    re.IGNORECASE,
)
_ID = re.compile(r"^(?:(trakt|tmdb):(\d+)|slug:([a-z0-9][a-z0-9-]*)|(\d+)|([a-z0-9][a-z0-9-]*))$")


@dataclass(frozen=True)
class ShowKey:
    """A show or film on Trakt, by one of its ids; a URL may add a season and episode."""

    id_kind: IdKind
    value: str  # digits for trakt/tmdb, the slug otherwise
    movie: bool = False
    season: int | None = None
    episode: int | None = None

    def __str__(self) -> str:
        return ("movie:" if self.movie else "") + f"{self.id_kind}:{self.value}"

    @property
    def trakt_ref(self) -> int | str | None:
        """What Trakt's ``/shows/{id}`` (or ``/movies/{id}``) takes: its id or slug; None for
        a TMDB id, which Trakt only finds through a search."""
        if self.id_kind == "trakt":
            return int(self.value)
        return self.value if self.id_kind == "slug" else None

    def matches(self, ids: Any) -> bool:
        """True when ``ids`` (a :class:`~trakt_sync.models.TraktIds`) are this key's."""
        held = getattr(ids, self.id_kind, None)
        return held is not None and str(held) == self.value

    def as_dict(self) -> dict[str, Any]:
        """The structured key for ``--json`` documents."""
        return {
            "key": str(self),
            "type": "movie" if self.movie else "show",
            "id_kind": self.id_kind,
            "id": int(self.value) if self.id_kind != "slug" else self.value,
        }


def parse(text: str) -> ShowKey:
    """The key ``text`` names; ValueError, naming the forms accepted, for anything else."""
    raw = text.strip()
    url = _URL.search(raw)
    if url is not None:
        kind, slug, season, episode = url.groups()
        if kind.lower() == "movies" and season:
            raise InvalidValue.said(
                N_("not a film: {text} (a film has no seasons)"), text=repr(text)
            )
        return ShowKey(
            "trakt" if slug.isdigit() else "slug",  # trakt.tv/shows/185614 works too
            slug.lower(),
            movie=kind.lower() == "movies",
            season=int(season) if season else None,
            episode=int(episode) if episode else None,
        )
    lowered = raw.lower()
    movie = lowered.startswith("movie:")
    body = lowered.removeprefix("movie:")
    match = _ID.match(body)
    if match is None or "/" in raw:
        raise InvalidValue.said(
            N_("not a Trakt show or film: {text} (give {forms})"), text=repr(text), forms=GRAMMAR
        )
    kind, number, slug, bare_id, bare_slug = match.groups()
    if kind is not None:
        return ShowKey("trakt" if kind == "trakt" else "tmdb", number, movie=movie)
    if slug is not None:
        return ShowKey("slug", slug, movie=movie)
    if bare_id is not None:
        return ShowKey("trakt", bare_id, movie=movie)
    return ShowKey("slug", bare_slug, movie=movie)


def of_ids(ids: Any, movie: bool = False) -> ShowKey:
    """The key a person would write for these ids: the Trakt id, else the slug, else TMDB."""
    kinds: tuple[IdKind, ...] = ("trakt", "slug", "tmdb")
    for kind in kinds:
        value = getattr(ids, kind, None)
        if value is not None and value != "":
            return ShowKey(kind, str(value), movie=movie)
    raise ValueError("no Trakt, slug or TMDB id")
