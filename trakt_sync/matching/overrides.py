"""Manual mappings that beat every automatic source (PlexAniBridge-style ``s1: e1-e13``).

A show override maps Trakt (TMDB-numbered) episodes ``first..last`` of a season to a
Bangumi subject, ``first`` landing on the subject's main episode ``start_ep``; a film
override maps a Trakt film to a subject; ``ignore`` keeps plays out of Bangumi.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trakt_sync import show_key as keys
from trakt_sync.errors import BadData
from trakt_sync.models import TraktIds

_SPEC = re.compile(r"^S(\d+)(?:E(\d+)(-)?(?:E?(\d+))?)?$", re.IGNORECASE)


def parse_episode_spec(spec: str) -> tuple[int, int | None, int | None]:
    """``S1`` → (1, None, None); ``S1E13`` → (1, 13, 13); ``S1E13-E25`` → (1, 13, 25);
    ``S1E13-`` → (1, 13, None) (to the end of the season)."""
    match = _SPEC.match(spec.strip().replace(" ", ""))
    if not match:
        raise ValueError(f"bad episode spec {spec!r}: expected S1, S1E13, S1E13-E25 or S1E13-")
    season = int(match.group(1))
    if match.group(2) is None:
        return season, None, None
    first = int(match.group(2))
    if match.group(4) is not None:
        last: int | None = int(match.group(4))
    elif match.group(3):
        last = None
    else:
        last = first
    if last is not None and last < first:
        raise ValueError(f"bad episode spec {spec!r}: range ends before it starts")
    return season, first, last


def format_episode_spec(season: int | None, first: int | None, last: int | None) -> str:
    if season is None:
        return ""
    if first is None:
        return f"S{season}"
    if last == first:
        return f"S{season}E{first}"
    return f"S{season}E{first}-" + (f"E{last}" if last is not None else "")


def show_key(ids: TraktIds) -> str:
    """The key a user would write for this show (``trakt:N`` preferred); BadData when
    Trakt gave it no id at all (issue 24: its plays are left alone, the rest goes on)."""
    try:
        return str(keys.of_ids(ids))
    except ValueError as exc:
        raise BadData("Trakt", "a show", str(exc)) from None


def movie_key(ids: TraktIds) -> str:
    try:
        return str(keys.of_ids(ids, movie=True))
    except ValueError as exc:
        raise BadData("Trakt", "a film", str(exc)) from None


def map_add_command(
    key: str,
    season: int | None = None,
    first: int | None = None,
    last: int | None = None,
    subject: int | str = "<bangumi subject id>",
    start_ep: int = 1,
) -> str:
    """The CLI line that would create the override a user is being asked for."""
    spec = format_episode_spec(season, first, last)
    parts = ["trakt-sync map add", key, spec, str(subject)]
    if start_ep != 1:
        parts.append(f"--start-ep {start_ep}")
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Override:
    show: str  # a key of trakt_sync.show_key, canonical: trakt:N, slug:x, movie:tmdb:N, …
    subject_id: int | None = None
    season: int | None = None
    first: int | None = None
    last: int | None = None
    start_ep: int = 1
    ignore: bool = False

    def __post_init__(self) -> None:
        try:
            key = keys.parse(self.show)
        except ValueError as exc:
            raise ValueError(f"bad override key: {exc}") from None
        object.__setattr__(self, "show", str(key))  # one spelling per show, for comparing
        has_episodes = self.season is not None or self.first is not None or self.last is not None
        if self.is_movie and has_episodes:
            raise ValueError(f"film override {self.show}: takes no season or episodes")
        if not self.ignore and (self.subject_id is None or self.subject_id <= 0):
            raise ValueError(f"override {self.show}: needs a Bangumi subject id or ignore")
        if (self.first is not None or self.last is not None) and self.season is None:
            raise ValueError(f"override {self.show}: an episode range needs a season")
        if self.first is None and self.last is not None:
            raise ValueError(f"override {self.show}: a range needs its first episode")
        if self.first is not None and self.last is not None and self.last < self.first:
            raise ValueError(f"override {self.show}: range ends before it starts")
        if self.start_ep < 0:
            raise ValueError(f"override {self.show}: start_ep must be >= 0")

    @classmethod
    def parse(
        cls,
        key: str,
        spec: str | None = None,
        subject_id: int | None = None,
        *,
        start_ep: int = 1,
        ignore: bool = False,
    ) -> Override:
        """From CLI-style arguments: ``Override.parse("trakt:1429", "S3E13-E22", 263750)``."""
        season, first, last = parse_episode_spec(spec) if spec else (None, None, None)
        return cls(key.strip(), subject_id, season, first, last, start_ep, ignore)

    @property
    def key(self) -> keys.ShowKey:
        return keys.parse(self.show)

    @property
    def is_movie(self) -> bool:
        return self.show.startswith("movie:")

    @property
    def spec(self) -> str:
        return format_episode_spec(self.season, self.first, self.last)

    def matches_show(self, ids: TraktIds) -> bool:
        return not self.is_movie and self.key.matches(ids)

    def matches_movie(self, ids: TraktIds) -> bool:
        return self.is_movie and self.key.matches(ids)

    def covers(self, season: int, number: int) -> bool:
        if self.season is not None and self.season != season:
            return False
        if self.season is None and season == 0:
            return False  # a whole-show override says nothing about specials
        if self.first is not None and number < self.first:
            return False
        return not (self.last is not None and number > self.last)

    def target_ep(self, number: int) -> int:
        """The subject's main-episode number (``ep``) that Trakt episode ``number`` maps to."""
        return self.start_ep + number - (self.first if self.first is not None else 1)

    @property
    def specificity(self) -> tuple[int, int]:
        """Narrower overrides win: a range beats a season, a season beats the whole show."""
        if self.first is None:
            return (1 if self.season is not None else 0, 0)
        width = (self.last - self.first) if self.last is not None else 10**6
        return (2, -width)

    def describe(self) -> str:
        target = "ignore" if self.ignore else f"subject {self.subject_id}"
        if self.start_ep != 1 and not self.ignore:
            target += f" from ep {self.start_ep}"
        return " ".join(p for p in ("override", self.show, self.spec, "→", target) if p)

    def to_dict(self) -> dict[str, Any]:
        """TOML/JSON-friendly: no nulls, defaults left out."""
        data: dict[str, Any] = {"show": self.show}
        if self.season is not None:
            data["episodes"] = self.spec
        if self.subject_id is not None:
            data["subject_id"] = self.subject_id
        if self.start_ep != 1:
            data["start_ep"] = self.start_ep
        if self.ignore:
            data["ignore"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Override:
        unknown = set(data) - {"show", "episodes", "season", "first", "last", "subject_id"}
        unknown -= {"start_ep", "ignore"}
        if unknown:
            raise ValueError(f"override {data.get('show')!r}: unknown keys {sorted(unknown)}")
        if "show" not in data:
            raise ValueError("override without a show key")
        season: int | None
        try:
            if data.get("episodes"):
                season, first, last = parse_episode_spec(str(data["episodes"]))
            else:
                season = _opt_int(data.get("season"))
                first = _opt_int(data.get("first"))
                last = _opt_int(data.get("last"))
            return cls(
                show=str(data["show"]).strip(),
                subject_id=_opt_int(data.get("subject_id")),
                season=season,
                first=first,
                last=last,
                start_ep=int(data.get("start_ep", 1)),
                ignore=_strict_bool(data.get("ignore", False), "ignore"),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"override {data.get('show')!r}: {exc}") from None


def _strict_bool(value: Any, key: str) -> bool:
    """true or false only: ``"false"`` (a string) must not read as true."""
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false, not {value!r}")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def fingerprint(overrides: Iterable[Override]) -> str:
    """Stable across ordering and formatting: changes only when a mapping changes."""
    rows = sorted(json.dumps(o.to_dict(), sort_keys=True) for o in overrides)
    if not rows:
        return "none"
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:12]


def best_override(overrides: Iterable[Override], season: int, number: int) -> Override | None:
    covering = [o for o in overrides if o.covers(season, number)]
    return max(covering, key=lambda o: o.specificity) if covering else None
