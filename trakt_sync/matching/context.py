"""What every evidence source shares: the id indexes, Bangumi look-ups memoised for the
run, candidate vetting, the search window and the limits that keep requests few."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from trakt_sync.errors import NotFound
from trakt_sync.matching.airdate import subject_day
from trakt_sync.matching.bangumi_data import DataIndex
from trakt_sync.matching.fits import BgmEp, parse_episodes
from trakt_sync.matching.id_table import IdLookups
from trakt_sync.matching.lookups import BangumiReader, TraktReader
from trakt_sync.matching.payloads import CheckedBangumi, CheckedTrakt
from trakt_sync.matching.titles import is_compilation, normalize, search_forms, title_match
from trakt_sync.models import SUBJECT_ANIME, SUBJECT_REAL, TraktShow

ANIME_GENRES = frozenset({"anime", "donghua", "animation"})
FILM_PLATFORMS = frozenset({"剧场版", "劇場版", "movie"})
# bangumi-data air windows are padded by this much when picking subjects for a season.
WINDOW_SLACK = timedelta(days=7)
# Festival premieres vs theatrical release: a film's dates may differ by up to a year.
FILM_DATE_TOLERANCE = timedelta(days=366)
MAX_WALK_STEPS = 4
MAX_SEARCH_KEYWORDS = 3
MAX_SEARCH_CANDIDATES = 5
# Id-table links without a start (other seasons, TVDB, IMDb): the latest few that began
# before the season ended are placed by air date.
MAX_TABLE_FLOATING = 4

GONE = "Bangumi no longer has this subject"
NOT_ANIME = "Bangumi has no anime subject with this id"
NOT_A_SEASON = "a film or compilation, not a TV season"
NEEDS_TRAKT_DATES = (
    "needs Trakt's air dates to be placed, which the export lacks: sync again with a Trakt "
    "client id configured or after `trakt-sync auth` (or map it with `trakt-sync map add`)"
)
NEEDS_GENRES = (
    "no id source knows it and the export has no genres to tell an anime by: sync again "
    "with a Trakt client id configured or after `trakt-sync auth`"
)

# (subject id, name, why) of a subject put forward and turned down
Rejection = tuple[int, str, str]
Listed = tuple[int, list[BgmEp]]  # (subject id after merges, episodes)


@dataclass(frozen=True)
class SeasonQuery:
    """One (show, season) being matched; ``key`` is ``show_key(show.ids)``."""

    show: TraktShow
    season: int
    key: str


def _is_the_compilation(subject: Mapping[str, Any], titles: list[str]) -> bool:
    """A compilation film the film searched for may be: Trakt calls it a compilation too,
    or gives its Bangumi name exactly (TMDB titles a 総集編 film by its own name, without
    the word; an alias of the series' name is not enough)."""
    name = str(subject.get("name") or "")
    return is_compilation(*titles) or title_match(titles, [name]) == "exact"


def subject_titles(subject: Mapping[str, Any]) -> list[str]:
    """name, name_cn and the infobox aliases (``别名``/``中文名``) of a v0 Subject."""
    titles = [str(subject.get("name") or ""), str(subject.get("name_cn") or "")]
    for entry in subject.get("infobox") or []:
        if entry.get("key") not in ("别名", "中文名", "英文名", "日文名"):
            continue
        value = entry.get("value")
        if isinstance(value, str):
            titles.append(value)
        elif isinstance(value, list):
            titles.extend(str(v.get("v")) for v in value if isinstance(v, dict) and v.get("v"))
    return [t for t in titles if t]


def own_titles(show: TraktShow) -> list[str]:
    """The show's own titles as Trakt gives them (no request): to read season words by."""
    return [t for t in (show.original_title, show.title) if t]


def merged_note(sid: int, real_id: int) -> list[str]:
    return [f"subject {sid} was merged into {real_id}"] if real_id != sid else []


def is_tv_series(subject: Mapping[str, Any]) -> bool:
    """TMDB lists some TV specials as films (matching.md): one-episode TV subjects are not."""
    return subject.get("platform") == "TV" and int(subject.get("eps") or 0) != 1


def pad(window: tuple[date, date], days: int) -> tuple[date, date]:
    return (window[0] - timedelta(days=days), window[1] + timedelta(days=days))


class MatchContext:
    def __init__(
        self,
        *,
        index: Callable[[], DataIndex],
        id_table: Callable[[], IdLookups | None] | None,
        bangumi: BangumiReader,
        trakt: TraktReader,
        min_confidence: float,
        include_live_action: bool,
        trakt_metadata: bool = True,
        genres_known: bool = True,
        genres: Callable[[str, int], tuple[str, ...]] | None = None,
    ) -> None:
        # Without Trakt's metadata (an export read with no client id) nothing gives air
        # dates to place a TV episode by; an export's items carry no genres either.
        self.trakt_metadata = trakt_metadata
        self.genres_known = genres_known
        self._genres = genres  # (show|movie, Trakt id) → Trakt's genres, where items lack them
        self._load_index = index
        self._index_value: DataIndex | None = None
        self._load_id_table = id_table
        self._id_table_value: IdLookups | None = None
        self._id_table_loaded = id_table is None
        # Every answer is read through these: fields in their types, or BadData (payloads.py).
        self.bangumi = CheckedBangumi(bangumi)
        self.trakt = CheckedTrakt(trakt)
        self.min_confidence = min_confidence
        self.include_live_action = include_live_action
        self._subjects: dict[int, dict[str, Any] | None] = {}
        self._episode_lists: dict[int, Listed | None] = {}

    @property
    def index(self) -> DataIndex:
        if self._index_value is None:
            self._index_value = self._load_index()
        return self._index_value

    @property
    def id_table(self) -> IdLookups | None:
        """The further id table (loaded on first use), or None without one."""
        if not self._id_table_loaded:
            assert self._load_id_table is not None
            self._id_table_value = self._load_id_table()
            self._id_table_loaded = True
        return self._id_table_value

    @property
    def subject_types(self) -> list[int]:
        return [SUBJECT_ANIME, SUBJECT_REAL] if self.include_live_action else [SUBJECT_ANIME]

    def genres_of(
        self, kind: str, trakt_id: int | None, given: tuple[str, ...]
    ) -> tuple[str, ...] | None:
        """An item's genres; None when unknown (an export's item, with Trakt not to be asked)."""
        if given or self.genres_known:
            return given
        if self._genres is None or trakt_id is None:
            return None
        return self._genres(kind, trakt_id)

    def in_scope(self, genres: Iterable[str]) -> bool:
        return self.include_live_action or any(g.lower() in ANIME_GENRES for g in genres)

    # -- Bangumi look-ups (memoised for the run) ----------------------------------------

    def subject(self, sid: int) -> dict[str, Any] | None:
        if sid not in self._subjects:
            try:
                self._subjects[sid] = self.bangumi.get_subject(sid)
            except NotFound:
                self._subjects[sid] = None
        return self._subjects[sid]

    def episodes(self, sid: int) -> Listed | None:
        """(subject id after merges, episodes) or None when the subject is gone."""
        if sid not in self._episode_lists:
            try:
                episodes = parse_episodes(self.bangumi.get_episodes(sid), subject=sid)
                listed: Listed | None = (sid, episodes)
            except NotFound:
                # A merged subject answers 302 on /subjects/{id}; follow it to the target.
                subject = self.subject(sid)
                target = int(subject["id"]) if subject else None
                listed = None
                if target is not None and target != sid:
                    inner = self.episodes(target)
                    listed = (target, inner[1]) if inner else None
            self._episode_lists[sid] = listed
        return self._episode_lists[sid]

    def forget(self, sid: int) -> None:
        self._subjects.pop(sid, None)
        self._episode_lists.pop(sid, None)

    def name(self, sid: int) -> str:
        data = self.index.subject(sid)
        return data.title if data else str(sid)

    def known_name(self, sid: int) -> str:
        """The subject's name from the subject read this run, else bangumi-data's title;
        "" when neither has it. Never a request."""
        subject = self._subjects.get(sid)
        if subject:
            return str(subject.get("name") or subject.get("name_cn") or "")
        data = self.index.subject(sid)
        return data.title if data else ""

    # -- vetting --------------------------------------------------------------------------

    def vet(self, sid: int, *, season_subject: bool) -> Listed | str:
        """The episodes of a subject put forward for a TV season, or why it cannot carry one.

        With ``season_subject`` the subject itself is read first and must be an anime
        that is neither a film nor a compilation (id-table links and 续集 relations point
        at those too); bangumi-data keys and search hits were vetted before."""
        if season_subject:
            subject = self.subject(sid)
            if subject is None or subject.get("type") != SUBJECT_ANIME:
                return NOT_ANIME
            if subject.get("platform") in FILM_PLATFORMS or is_compilation(
                *subject_titles(subject)
            ):
                return NOT_A_SEASON
        listed = self.episodes(sid)
        return GONE if listed is None else listed

    def overlaps(self, sid: int, window: tuple[date, date]) -> bool:
        """False when bangumi-data says the subject aired wholly outside ``window``."""
        subject = self.index.subject(sid)
        if subject is None:
            return True
        begins_late = subject.begin is not None and subject.begin > window[1]
        ended_early = subject.end is not None and subject.end < window[0]
        return not (begins_late or ended_early)

    # -- title search ---------------------------------------------------------------------

    def search(self, keyword: str, window: tuple[date, date] | None) -> list[dict[str, Any]]:
        """Bangumi subjects of the allowed types for a keyword, first aired within ``window``."""
        air_date = [f">={window[0].isoformat()}", f"<={window[1].isoformat()}"] if window else None
        return self.bangumi.search_subjects(
            keyword, subject_types=self.subject_types, air_date=air_date, limit=10
        )

    def search_reject(
        self,
        subject: Mapping[str, Any],
        titles: list[str],
        window: tuple[date, date] | None,
        *,
        film: bool,
    ) -> str:
        """Why a search hit cannot be the show (or film) searched for; "" when it may be."""
        stype = subject.get("type")
        if stype == SUBJECT_REAL and not self.include_live_action:
            return "live-action (Bangumi type 6); enable include_live_action to allow it"
        if stype not in self.subject_types:
            return f"not an anime (Bangumi type {stype})"
        names = subject_titles(subject)
        if is_compilation(*names) and not (film and _is_the_compilation(subject, titles)):
            return "compilation/re-edit: it re-airs episodes of another subject"
        if not film and subject.get("platform") in FILM_PLATFORMS:
            return "a film, not a TV season"
        if film and is_tv_series(subject):
            return "a TV series, not a film"
        if title_match(titles, names) is None:
            return "title differs"
        day = subject_day(subject)
        if window is not None and day is not None and not window[0] <= day <= window[1]:
            return f"first aired {day}, outside {window[0]}..{window[1]}"
        return ""

    def show_titles(self, show: TraktShow) -> list[str]:
        """Original title, Japanese/Chinese aliases and translations, then the Trakt title,
        each width-folded and followed by its form without a trailing season word."""
        trakt_id = show.ids.trakt if show.ids.trakt is not None else show.ids.slug
        titles = [show.original_title or ""]
        if trakt_id is not None:
            try:
                aliases = self.trakt.get_show_aliases(trakt_id)
            except NotFound:
                aliases = []
            order = {"jp": 0, "cn": 1, "tw": 2, "hk": 3}
            aliases = sorted(aliases, key=lambda a: order.get(str(a.get("country")), 9))
            titles += [str(a.get("title") or "") for a in aliases if a.get("country") in order]
            for language in ("ja", "zh"):
                try:
                    found = self.trakt.get_show_translations(trakt_id, language)
                except NotFound:
                    found = []
                titles += [str(t.get("title") or "") for t in found]
        titles.append(show.title)
        unique: dict[str, str] = {}
        for title in titles:
            for form in search_forms(title):
                unique.setdefault(normalize(form), form)
        return [title for key, title in unique.items() if key]
