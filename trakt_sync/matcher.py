"""Resolve Trakt plays to Bangumi subjects and episodes — precision first.

Sources, strongest first: manual overrides; bangumi-data TMDB keys (an ``/episode/E`` key
says where a subject starts, a plain ``tv/N`` only that it belongs to the show); where
bangumi-data has no key, a further id table's TMDB/TVDB/IMDb links (weaker: always placed
and confirmed by air dates); the franchise chain on Bangumi (续集/前传); a title search
whose hits must be confirmed by air dates. Every position is checked against Bangumi air
dates, and anything below ``min_confidence`` is left unmatched with its candidates (matching.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any, Protocol

from trakt_sync.airdate import DateCheck, broadcast_day, compare_days, parse_day
from trakt_sync.bangumi_data import BangumiDataIndex, TmdbKey
from trakt_sync.errors import NotFound
from trakt_sync.id_table import IdTable
from trakt_sync.lookups import BangumiReader, TraktReader
from trakt_sync.models import (
    EP_MAIN,
    EP_SP,
    SUBJECT_ANIME,
    SUBJECT_REAL,
    Resolution,
    ResolutionStatus,
    TraktEpisode,
    TraktMovie,
    TraktShow,
)
from trakt_sync.overrides import (
    Override,
    best_override,
    fingerprint,
    map_add_command,
    movie_key,
    show_key,
)
from trakt_sync.placement import (
    PRIOR_ANCHORED,
    PRIOR_FLOATING,
    PRIOR_FRANCHISE,
    PRIOR_ID_TABLE,
    PRIOR_OVERRIDE,
    PRIOR_SEARCH,
    BgmEp,
    Candidate,
    Placement,
    TraktEp,
    parse_episodes,
    place,
)
from trakt_sync.segments import SEASON_NS, SeasonPlan, Segment
from trakt_sync.titles import is_compilation, normalize, title_match

log = logging.getLogger(__name__)

# Bump when a change here should invalidate cached season plans.
MATCHER_REVISION = "2"
ANIME_GENRES = frozenset({"anime", "donghua", "animation"})
MOVIE_NS = "matcher.movie"
# A cached "unmatched" answer is looked at again after this long (Bangumi adds episodes).
UNMATCHED_RECHECK_S = 12 * 3600
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


class MatchCache(Protocol):
    def get(self, namespace: str, key: str) -> Any | None: ...
    def put(self, namespace: str, key: str, value: Any) -> None: ...


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


def _candidate_row(subject_id: int, name: str, score: float, why: str) -> dict[str, Any]:
    return {"subject_id": subject_id, "name": name, "score": round(score, 2), "why_rejected": why}


def _span(numbers: Iterable[int]) -> str:
    ordered = sorted(numbers)
    if not ordered:
        return ""
    return f"E{ordered[0]}" + (f"-E{ordered[-1]}" if ordered[-1] != ordered[0] else "")


class Matcher:
    def __init__(
        self,
        *,
        index: Callable[[], BangumiDataIndex],
        bangumi: BangumiReader,
        trakt: TraktReader,
        cache: MatchCache,
        overrides: Sequence[Override] = (),
        min_confidence: float = 0.8,
        include_live_action: bool = False,
        clock: Callable[[], float] = time.time,
        recheck_unmatched: bool = False,
        id_table: Callable[[], IdTable | None] | None = None,
    ) -> None:
        self._load_index = index
        self._index_value: BangumiDataIndex | None = None
        self._load_id_table = id_table
        self._id_table_value: IdTable | None = None
        self._id_table_loaded = id_table is None
        self._bangumi = bangumi
        self._trakt = trakt
        self._cache = cache
        self._overrides = tuple(overrides)
        self.min_confidence = min_confidence
        self.include_live_action = include_live_action
        self._clock = clock
        # `sync --retry-unmatched`: cached "unmatched" answers are looked at again now.
        self._recheck_after = 0 if recheck_unmatched else UNMATCHED_RECHECK_S
        self._subjects: dict[int, dict[str, Any] | None] = {}
        self._episode_lists: dict[int, tuple[int, list[BgmEp]] | None] = {}
        self._version: str | None = None

    @property
    def index(self) -> BangumiDataIndex:
        if self._index_value is None:
            self._index_value = self._load_index()
        return self._index_value

    @property
    def id_table(self) -> IdTable | None:
        """The further id table (loaded on first use), or None without one."""
        if not self._id_table_loaded:
            assert self._load_id_table is not None
            self._id_table_value = self._load_id_table()
            self._id_table_loaded = True
        return self._id_table_value

    @property
    def version(self) -> str:
        """Matcher revision + bangumi-data version (+ id table version) + overrides
        fingerprint (loads the index and the table)."""
        if self._version is None:
            table = self.id_table
            data = self.index.version + (f"+{table.version}" if table is not None else "")
            self._version = f"{MATCHER_REVISION}.{data}.{fingerprint(self._overrides)}"
        return self._version

    @property
    def _subject_types(self) -> list[int]:
        return [SUBJECT_ANIME, SUBJECT_REAL] if self.include_live_action else [SUBJECT_ANIME]

    # == shows ===========================================================================

    def resolve_season(
        self, show: TraktShow, season: int, episodes: Sequence[TraktEpisode]
    ) -> list[Resolution]:
        return self._resolve_season(show, season, episodes, fresh=False)[1]

    def explain_season(
        self, show: TraktShow, season: int, episodes: Sequence[TraktEpisode]
    ) -> dict[str, Any]:
        """What ``resolve_season`` decides, built afresh (no cached plan is read or written),
        with the sources it tried: for ``trakt-sync explain``. JSON-ready."""
        overrides = [o for o in self._overrides if not o.is_movie and o.matches_show(show.ids)]
        links = self.index.tv(show.ids.tmdb) if show.ids.tmdb is not None else []
        plan, results = self._resolve_season(show, season, episodes, fresh=True)
        automatic = [ep for ep in episodes if best_override(overrides, season, ep.number) is None]
        if plan is None or not automatic:
            path = "overrides only"
        elif plan.skip_all is not None:
            path = "none: out of scope"
        elif season == 0:
            path = "specials: season 0 keys, air dates and titles"
        elif links:
            path = "bangumi-data TMDB keys, placed by air date, then the franchise walk"
        elif any(s.source == "id-table" for s in (plan.segments if plan else [])):
            path = "id table links (weaker), confirmed by air dates, then the franchise walk"
        else:
            path = "title search confirmed by air dates, then the franchise walk"
        segments = plan.segments if plan is not None else []
        episodes_out = []
        for ep, res in zip(episodes, results, strict=True):
            row = {"number": ep.number, **_resolution_to_json(res), "episode_label": None}
            seg = next((s for s in segments if s.covers(ep.number)), None)
            if seg is not None and res.episode_id is not None:
                row["episode_label"] = seg.eps[ep.number - seg.offset][2]
            episodes_out.append(row)
        return {
            "show": show_key(show.ids),
            "season": season,
            "matcher_version": self.version,
            "overrides": [o.describe() for o in overrides],
            "bangumi_data": [
                {"key": str(k), "subject_id": sid, "title": self._name(sid)} for k, sid in links
            ],
            "path": path,
            "search_titles": self._show_titles(show)[:MAX_SEARCH_KEYWORDS]
            if path.startswith("title search")
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

    def _resolve_season(
        self, show: TraktShow, season: int, episodes: Sequence[TraktEpisode], *, fresh: bool
    ) -> tuple[SeasonPlan | None, list[Resolution]]:
        if not episodes:
            return None, []
        key = show_key(show.ids)
        overrides = [o for o in self._overrides if not o.is_movie and o.matches_show(show.ids)]
        results: list[Resolution | None] = []
        pending: list[TraktEpisode] = []
        for ep in episodes:
            chosen = best_override(overrides, season, ep.number)
            if chosen is not None and chosen.ignore:
                results.append(Resolution.skipped(f"ignored by {chosen.describe()}"))
            else:
                results.append(None)
                pending.append(ep)
        if not pending:
            return None, [r for r in results if r is not None]

        cache_key = f"{key}|S{season}|{self.version}"
        plan = None if fresh else self._cached_plan(cache_key)
        if plan is None or not self._plan_serves(plan, key, season, pending):
            plan = self._build_plan(show, season, pending, overrides)
            if not fresh:
                self._cache.put(SEASON_NS, cache_key, plan.to_json())
        out = []
        for ep, result in zip(episodes, results, strict=True):
            if result is None:
                result = self._from_plan(plan, key, season, ep)
            out.append(result)
        return plan, out

    def _cached_plan(self, cache_key: str) -> SeasonPlan | None:
        data = self._cache.get(SEASON_NS, cache_key)
        if not isinstance(data, dict):
            return None
        try:
            return SeasonPlan.from_json(data)
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring an unreadable cached season plan %s", cache_key)
            return None

    def _plan_serves(
        self, plan: SeasonPlan, key: str, season: int, episodes: Sequence[TraktEpisode]
    ) -> bool:
        if not all(plan.knows(ep.number) for ep in episodes):
            return False
        if self._clock() - plan.built_at < self._recheck_after:
            return True
        return all(
            self._from_plan(plan, key, season, ep).status is not ResolutionStatus.UNMATCHED
            for ep in episodes
        )

    def _from_plan(self, plan: SeasonPlan, key: str, season: int, ep: TraktEpisode) -> Resolution:
        result = plan.resolve(
            key, season, ep.number, broadcast_day(ep.first_aired), self.min_confidence
        )
        if result is None:  # cannot happen for a plan built with this episode
            return Resolution.unmatched(f"S{season}E{ep.number} was not resolved; sync again")
        return result

    def _build_plan(
        self,
        show: TraktShow,
        season: int,
        pending: Sequence[TraktEpisode],
        overrides: Sequence[Override],
    ) -> SeasonPlan:
        plan = SeasonPlan(built_at=self._clock())
        key = show_key(show.ids)
        applicable = [o for o in overrides if not o.ignore and o.season in (season, None)]
        if season == 0:
            applicable = [o for o in applicable if o.season == 0]
        for override in sorted(applicable, key=lambda o: o.specificity, reverse=True):
            self._override_segment(plan, override, season, pending)
        auto = [
            ep
            for ep in pending
            if (o := best_override(overrides, season, ep.number)) is None or o.ignore
        ]
        if not auto:
            return plan

        links = self.index.tv(show.ids.tmdb) if show.ids.tmdb is not None else []
        mapped = any(not o.ignore for o in overrides)
        if not links and not mapped and not self._in_scope(show.genres):
            plan.skip_all = (
                f"not anime: no id source knows {show.title!r} and its Trakt genres "
                f"({', '.join(show.genres) or 'none'}) are not anime/donghua/animation; "
                f"add `{map_add_command(key, season)}` if it belongs on Bangumi"
            )
            return plan

        eps = self._season_eps(show, season, pending)
        plan.trakt_days = {n: te.aired.isoformat() for n, te in eps.items() if te.aired}
        auto_numbers = {ep.number for ep in auto}
        if season == 0:
            wanted = {n: te for n, te in eps.items() if n in auto_numbers}
            self._place_specials(plan, show, wanted, links)
            return plan
        wanted = {
            n: te
            for n, te in eps.items()
            if n in auto_numbers or best_override(overrides, season, n) is None
        }
        if links:
            self._place_by_ids(plan, show, season, wanted, links)
            return plan
        rejected: list[tuple[int, str, str]] = []
        if not self._place_by_table(plan, show, season, wanted, rejected):
            self._place_by_search(plan, show, season, wanted, rejected)
        return plan

    def _in_scope(self, genres: Iterable[str]) -> bool:
        return self.include_live_action or any(g.lower() in ANIME_GENRES for g in genres)

    def _season_eps(
        self, show: TraktShow, season: int, pending: Sequence[TraktEpisode]
    ) -> dict[int, TraktEp]:
        """The whole season from Trakt (for dates and number_abs), plus the played episodes."""
        eps: dict[int, TraktEp] = {}
        trakt_id = show.ids.trakt if show.ids.trakt is not None else show.ids.slug
        raw: list[dict[str, Any]] = []
        if trakt_id is not None:
            try:
                raw = self._trakt.get_season_episodes(trakt_id, season)
            except NotFound:
                raw = []
        for item in raw:
            try:
                number = int(item["number"])
            except (KeyError, TypeError, ValueError):
                continue
            titles = tuple(str(item[k]) for k in ("title", "original_title") if item.get(k))
            eps[number] = TraktEp(
                number,
                broadcast_day(item.get("first_aired")),
                item.get("number_abs"),
                titles,
            )
        for ep in pending:
            known = eps.get(ep.number)
            titles = tuple(t for t in (ep.title,) if t)
            if known is None:
                eps[ep.number] = TraktEp(
                    ep.number, broadcast_day(ep.first_aired), ep.number_abs, titles
                )
            elif known.aired is None and ep.first_aired is not None:
                eps[ep.number] = TraktEp(
                    ep.number,
                    broadcast_day(ep.first_aired),
                    known.number_abs or ep.number_abs,
                    known.titles + titles,
                )
        return eps

    # -- overrides ----------------------------------------------------------------------

    def _override_segment(
        self, plan: SeasonPlan, override: Override, season: int, pending: Sequence[TraktEpisode]
    ) -> None:
        assert override.subject_id is not None
        covered = [ep.number for ep in pending if override.covers(season, ep.number)]
        subject = self._subject(override.subject_id)
        listed = self._episodes(override.subject_id) if subject is not None else None
        if subject is None or listed is None:
            for n in covered:
                plan.unmatched[n] = {
                    "reason": f"{override.describe()}: Bangumi has no subject "
                    f"{override.subject_id}; fix the override",
                    "candidates": [],
                }
            return
        subject_id, episodes = listed
        first = override.first if override.first is not None else 1
        offset = first - override.start_ep
        by_key: dict[int, BgmEp] = {e.ep: e for e in episodes if e.type == EP_MAIN and e.ep}
        if season == 0:
            for e in episodes:  # specials may point at SP episodes, numbered by sort
                if e.type == EP_SP and e.sort.is_integer():
                    by_key.setdefault(int(e.sort), e)
        last_key = max(by_key, default=0)
        last = override.last if override.last is not None else last_key + offset
        seg = Segment(
            subject_id=subject_id,
            subject_type=int(subject.get("type") or SUBJECT_ANIME),
            name=str(subject.get("name") or subject_id),
            source="override",
            offset=offset,
            first=first,
            last=last,
            prior=PRIOR_OVERRIDE,
            fixed_confidence=PRIOR_OVERRIDE,
            evidence=[override.describe()],
            eps={
                k: [e.id, e.airdate.isoformat() if e.airdate else "", e.label]
                for k, e in by_key.items()
                if first <= k + offset <= last
            },
        )
        plan.segments.append(seg)
        for n in covered:
            if not seg.covers(n) and n not in plan.unmatched:
                plan.unmatched[n] = {
                    "reason": f"{override.describe()} maps S{season}E{n} to ep "
                    f"{n - offset}, but {seg.name} ({subject_id}) lists {len(by_key)} "
                    "episodes; fix the override",
                    "candidates": [],
                }

    # -- bangumi-data ids ---------------------------------------------------------------

    def _place_by_ids(
        self,
        plan: SeasonPlan,
        show: TraktShow,
        season: int,
        eps: dict[int, TraktEp],
        links: list[tuple[TmdbKey, int]],
    ) -> None:
        tmdb = show.ids.tmdb
        anchors: dict[int, tuple[int, TmdbKey]] = {}
        for tkey, sid in links:
            if tkey.season == season:
                anchors.setdefault(sid, (tkey.episode or 1, tkey))
        plain = sorted({sid for tkey, sid in links if tkey.season is None})
        if season == 1 and len(plain) == 1 and not any(a == 1 for a, _ in anchors.values()):
            # The show's only plain key, and nothing else claims S1E1: it starts there.
            anchors.setdefault(plain[0], (1, TmdbKey("tv", tmdb or 0)))
        dated = [te.aired for te in eps.values() if te.aired]
        window = (min(dated) - WINDOW_SLACK, max(dated) + WINDOW_SLACK) if dated else None
        floating: dict[int, TmdbKey] = {}
        for tkey, sid in links:
            if sid in anchors or tkey.season == 0 or tkey.season == season:
                continue
            if window is None and tkey.season is not None:
                continue
            if window is not None and not self._overlaps(sid, window):
                continue
            floating.setdefault(sid, tkey)

        candidates: list[Candidate] = []
        rejected: list[tuple[int, str, str]] = []
        for sid, (anchor, tkey) in sorted(anchors.items(), key=lambda x: x[1][0]):
            note = f"bangumi-data {tkey} → {sid}" + (
                f" (starts at E{anchor})" if anchor > 1 else ""
            )
            # A plain tv/N key only implies the start, so it keeps the weaker prior.
            prior = PRIOR_FLOATING if tkey.season is None else PRIOR_ANCHORED
            cand = self._id_candidate(sid, prior, note, anchor, rejected)
            if cand:
                candidates.append(cand)
        for sid, tkey in sorted(floating.items()):
            note = f"bangumi-data {tkey} → {sid}; placed by air date"
            cand = self._id_candidate(sid, PRIOR_FLOATING, note, None, rejected)
            if cand:
                candidates.append(cand)

        placement = place(candidates, eps)
        if placement.assigned:
            self._walk(placement, eps)
        elif dated and not placement.contested:
            # A season bangumi-data does not list yet: walk on from the last one it does.
            before = [
                (subject.begin, sid)
                for tkey, sid in links
                if tkey.season != 0
                and (subject := self.index.subject(sid)) is not None
                and subject.kind in ("tv", "web")
                and subject.begin is not None
                and subject.begin < min(dated)
            ]
            if before:
                _, last_sid = max(before)
                start = Candidate(last_sid, self._name(last_sid), "bangumi-data", 0.0, [])
                self._walk_from(placement, start, "续集", dict(eps))
        self._write_placement(
            plan,
            show,
            season,
            eps,
            placement,
            rejected,
            none_found=f"no Bangumi subject for TMDB tv/{tmdb} season {season} in bangumi-data",
        )

    def _overlaps(self, sid: int, window: tuple[date, date]) -> bool:
        subject = self.index.subject(sid)
        if subject is None:
            return True
        begins_late = subject.begin is not None and subject.begin > window[1]
        ended_early = subject.end is not None and subject.end < window[0]
        return not (begins_late or ended_early)

    def _id_candidate(
        self,
        sid: int,
        prior: float,
        note: str,
        anchor: int | None,
        rejected: list[tuple[int, str, str]],
    ) -> Candidate | None:
        data = self.index.subject(sid)
        name = data.title if data else str(sid)
        listed = self._episodes(sid)
        if listed is None:
            rejected.append((sid, name, "Bangumi no longer has this subject"))
            return None
        real_id, episodes = listed
        evidence = [note] + ([f"subject {sid} was merged into {real_id}"] if real_id != sid else [])
        return Candidate(
            real_id, name, "bangumi-data", prior, episodes, anchor, SUBJECT_ANIME, evidence
        )

    # -- the further id table (weaker evidence) ----------------------------------------

    def _place_by_table(
        self,
        plan: SeasonPlan,
        show: TraktShow,
        season: int,
        eps: dict[int, TraktEp],
        rejected: list[tuple[int, str, str]],
    ) -> bool:
        """Place the season on the table's links; False (and the rejections in
        ``rejected``) when none of them is confirmed, so a title search can follow."""
        candidates = self._table_candidates(show, season, eps, rejected)
        if not candidates:
            return False
        placement = place(candidates, eps)
        if not placement.assigned:
            rejected += [(c.subject_id, c.name, why) for c, why in placement.rejected]
            rejected += [(c.subject_id, c.name, "ambiguous") for c, _ in placement.fits]
            return False
        self._walk(placement, eps)
        self._write_placement(
            plan,
            show,
            season,
            eps,
            placement,
            rejected,
            none_found=f"no Bangumi subject confirmed for {show.title!r} season {season} "
            "from the id table",
        )
        return True

    def _table_candidates(
        self,
        show: TraktShow,
        season: int,
        eps: Mapping[int, TraktEp],
        rejected: list[tuple[int, str, str]],
    ) -> list[Candidate]:
        table = self.id_table
        if table is None:
            return []
        links: dict[int, tuple[int | None, str]] = {}
        if show.ids.tmdb is not None:
            for tkey, sid in table.tv(show.ids.tmdb):
                if tkey.season == 0:
                    continue
                if tkey.season == season:
                    links[sid] = (tkey.episode or 1, f"id table {tkey} → {sid}")
                else:
                    links.setdefault(sid, (None, f"id table {tkey} → {sid}; placed by air date"))
        if not links:  # TVDB and IMDb ids are show (or episode) level: placed by air date
            by_other: list[tuple[str, list[int]]] = []
            if show.ids.tvdb is not None:
                by_other.append((f"tvdb {show.ids.tvdb}", table.tvdb(show.ids.tvdb)))
            if show.ids.imdb:
                by_other.append((f"imdb {show.ids.imdb}", table.imdb(show.ids.imdb)))
            for label, sids in by_other:
                for sid in sids:
                    links.setdefault(sid, (None, f"id table {label} → {sid}; placed by air date"))
        dated = [te.aired for te in eps.values() if te.aired]
        floating = []
        for sid, (anchor, _) in links.items():
            if anchor is not None:
                continue
            row = table.subject(sid)
            begin = row.begin if row is not None else None
            if not dated or (begin is not None and begin > max(dated) + WINDOW_SLACK):
                continue  # nothing to place it by, or it began after this season
            floating.append((begin or date.min, sid))
        keep = {sid for sid, (anchor, _) in links.items() if anchor is not None}
        keep |= {sid for _, sid in sorted(floating, reverse=True)[:MAX_TABLE_FLOATING]}
        candidates = []
        for sid in sorted(keep):
            anchor, note = links[sid]
            row = table.subject(sid)
            name = row.name if row is not None and row.name else str(sid)
            subject = self._subject(sid)
            if subject is None or subject.get("type") != SUBJECT_ANIME:
                rejected.append((sid, name, "Bangumi has no anime subject with this id"))
                continue
            name = str(subject.get("name") or name)
            if subject.get("platform") in FILM_PLATFORMS or is_compilation(
                *subject_titles(subject)
            ):
                rejected.append((sid, name, "a film or compilation, not a TV season"))
                continue
            listed = self._episodes(sid)
            if listed is None:
                rejected.append((sid, name, "Bangumi no longer has this subject"))
                continue
            real_id, episodes = listed
            evidence = [note] + (
                [f"subject {sid} was merged into {real_id}"] if real_id != sid else []
            )
            candidates.append(
                Candidate(
                    real_id,
                    name,
                    "id-table",
                    PRIOR_ID_TABLE,
                    episodes,
                    anchor,
                    SUBJECT_ANIME,
                    evidence,
                )
            )
        return candidates

    # -- franchise walk -----------------------------------------------------------------

    def _walk(self, placement: Placement, eps: Mapping[int, TraktEp]) -> None:
        """Follow 续集 (or 前传) from the outermost placed subjects to episodes left over."""
        if not placement.assigned:
            return
        for direction in ("续集", "前传"):
            placed = sorted(placement.assigned)
            edge = placed[-1] if direction == "续集" else placed[0]
            left = {
                n: te
                for n, te in eps.items()
                if n not in placement.assigned
                and n not in placement.contested
                and (n > edge if direction == "续集" else n < edge)
            }
            if left:
                self._walk_from(placement, placement.assigned[edge][0], direction, left)

    def _walk_from(
        self, placement: Placement, start: Candidate, relation: str, left: dict[int, TraktEp]
    ) -> None:
        seen = {c.subject_id for c, _ in placement.fits} | {
            c.subject_id for c, _ in placement.rejected
        }
        current = start
        for _ in range(MAX_WALK_STEPS):
            try:
                related = self._bangumi.get_related_subjects(current.subject_id)
            except NotFound:
                return
            nxt: Candidate | None = None
            for rel in related:
                rid = rel.get("id")
                if (
                    rel.get("relation") != relation
                    or rel.get("type") != SUBJECT_ANIME
                    or not isinstance(rid, int)
                    or rid in seen
                ):
                    continue
                seen.add(rid)
                cand = self._walk_candidate(
                    rid, f"{relation} of {current.name} ({current.subject_id})"
                )
                if cand is None:
                    continue
                found = place([cand], left)
                if found.assigned:
                    placement.assigned.update(found.assigned)
                    placement.fits.extend(found.fits)
                    for n in found.assigned:
                        left.pop(n, None)
                    nxt = cand
                    break
                placement.rejected.extend(found.rejected)
            if nxt is None or not left:
                return
            current = nxt

    def _walk_candidate(self, sid: int, note: str) -> Candidate | None:
        subject = self._subject(sid)
        if subject is None or subject.get("type") != SUBJECT_ANIME:
            return None
        if subject.get("platform") in FILM_PLATFORMS or is_compilation(*subject_titles(subject)):
            return None
        listed = self._episodes(sid)
        if listed is None:
            return None
        name = str(subject.get("name") or sid)
        return Candidate(
            listed[0], name, "franchise", PRIOR_FRANCHISE, listed[1], None, SUBJECT_ANIME, [note]
        )

    # -- title search -------------------------------------------------------------------

    def _place_by_search(
        self,
        plan: SeasonPlan,
        show: TraktShow,
        season: int,
        eps: dict[int, TraktEp],
        rejected: list[tuple[int, str, str]] | None = None,
    ) -> None:
        titles = self._show_titles(show)
        dated = sorted(te.aired for te in eps.values() if te.aired)
        rejected = rejected if rejected is not None else []
        candidates: list[Candidate] = []
        hits = self._search_hits(titles, dated, rejected)
        for subject, match in hits[:MAX_SEARCH_CANDIDATES]:
            listed = self._episodes(int(subject["id"]))
            name = str(subject.get("name") or subject["id"])
            if listed is None:
                rejected.append((int(subject["id"]), name, "Bangumi no longer has this subject"))
                continue
            prior = PRIOR_SEARCH if match == "exact" else PRIOR_SEARCH - 0.05
            note = f"title search: {name!r} ({match} title match)"
            stype = int(subject.get("type") or SUBJECT_ANIME)
            candidates.append(
                Candidate(listed[0], name, "search", prior, listed[1], None, stype, [note])
            )
        placement = place(candidates, eps)
        self._walk(placement, eps)
        searched = ", ".join(repr(t) for t in titles[:MAX_SEARCH_KEYWORDS]) or repr(show.title)
        self._write_placement(
            plan,
            show,
            season,
            eps,
            placement,
            rejected,
            none_found=f"no Bangumi subject confirmed for {show.title!r} season {season} "
            f"(TMDB id not in bangumi-data; searched {searched})",
        )

    def _show_titles(self, show: TraktShow) -> list[str]:
        """Original title, Japanese/Chinese aliases and translations, then the Trakt title."""
        trakt_id = show.ids.trakt if show.ids.trakt is not None else show.ids.slug
        titles = [show.original_title or ""]
        if trakt_id is not None:
            try:
                aliases = self._trakt.get_show_aliases(trakt_id)
            except NotFound:
                aliases = []
            order = {"jp": 0, "cn": 1, "tw": 2, "hk": 3}
            aliases = sorted(aliases, key=lambda a: order.get(str(a.get("country")), 9))
            titles += [str(a.get("title") or "") for a in aliases if a.get("country") in order]
            for language in ("ja", "zh"):
                try:
                    found = self._trakt.get_show_translations(trakt_id, language)
                except NotFound:
                    found = []
                titles += [str(t.get("title") or "") for t in found]
        titles.append(show.title)
        unique: dict[str, str] = {}
        for title in titles:
            if normalize(title) and normalize(title) not in unique:
                unique[normalize(title)] = title
        return list(unique.values())

    def _search_hits(
        self, titles: list[str], dated: list[date], rejected: list[tuple[int, str, str]]
    ) -> list[tuple[dict[str, Any], str]]:
        """Title-verified anime subjects whose first air date falls in the season's window."""
        window = (dated[0] - timedelta(days=30), dated[-1] + WINDOW_SLACK) if dated else None
        air_date = [f">={window[0].isoformat()}", f"<={window[1].isoformat()}"] if window else None
        found: dict[int, tuple[dict[str, Any], str]] = {}
        seen: set[int] = set()
        for keyword in titles[:MAX_SEARCH_KEYWORDS]:
            for subject in self._bangumi.search_subjects(
                keyword, subject_types=self._subject_types, air_date=air_date, limit=10
            ):
                sid = subject.get("id")
                if not isinstance(sid, int) or sid in seen:
                    continue
                seen.add(sid)
                name = str(subject.get("name") or sid)
                why = self._search_reject(subject, titles, window, film=False)
                if why:
                    rejected.append((sid, name, why))
                    continue
                match = title_match(titles, subject_titles(subject))
                assert match is not None
                found[sid] = (subject, match)
            if any(match == "exact" for _, match in found.values()):
                break  # every search is a request: stop once a title matches exactly
        return sorted(found.values(), key=lambda hit: hit[1] != "exact")

    def _search_reject(
        self,
        subject: Mapping[str, Any],
        titles: list[str],
        window: tuple[date, date] | None,
        *,
        film: bool,
    ) -> str:
        stype = subject.get("type")
        if stype == SUBJECT_REAL and not self.include_live_action:
            return "live-action (Bangumi type 6); enable include_live_action to allow it"
        if stype not in self._subject_types:
            return f"not an anime (Bangumi type {stype})"
        names = subject_titles(subject)
        if is_compilation(*names) and not (film and is_compilation(*titles)):
            return "compilation/re-edit: it re-airs episodes of another subject"
        platform = subject.get("platform")
        if not film and platform in FILM_PLATFORMS:
            return "a film, not a TV season"
        # TMDB lists some TV specials as films (matching.md): one-episode TV subjects.
        if film and platform == "TV" and int(subject.get("eps") or 0) != 1:
            return "a TV series, not a film"
        if title_match(titles, names) is None:
            return "title differs"
        day = parse_day(subject.get("date"))
        if window is not None and day is not None and not window[0] <= day <= window[1]:
            return f"first aired {day}, outside {window[0]}..{window[1]}"
        return ""

    # -- specials (season 0) ------------------------------------------------------------

    def _place_specials(
        self,
        plan: SeasonPlan,
        show: TraktShow,
        eps: dict[int, TraktEp],
        links: list[tuple[TmdbKey, int]],
    ) -> None:
        key = show_key(show.ids)
        starts = sorted((k.episode, sid) for k, sid in links if k.season == 0 and k.episode)
        season_keyed = sorted({sid for k, sid in links if k.season == 0 and k.episode is None})
        regular = sorted({sid for k, sid in links if k.season != 0})
        for n, te in sorted(eps.items()):
            hint = map_add_command(key, 0, n, n)
            if not links:
                plan.unmatched[n] = {
                    "reason": f"specials (S0) of {show.title!r} are matched only through "
                    f"bangumi-data keys or overrides; add one with `{hint}`",
                    "candidates": [],
                }
                continue
            exact = [sid for start, sid in starts if start == n]
            if exact:
                self._special_by_key(
                    plan, f"tv/{show.ids.tmdb}/season/0/episode/{n}", n, te, exact, hint
                )
                continue
            self._special_by_date(plan, n, te, starts, season_keyed, regular, hint)

    def _special_by_key(
        self, plan: SeasonPlan, tkey: str, n: int, te: TraktEp, sids: list[int], hint: str
    ) -> None:
        rows = []
        for sid in sids:
            listed = self._episodes(sid)
            name = self._name(sid)
            if listed is None or not any(e.type == EP_MAIN for e in listed[1]):
                rows.append(_candidate_row(sid, name, 0, "Bangumi lists no episodes for it"))
                continue
            first = min((e for e in listed[1] if e.type == EP_MAIN), key=lambda e: e.ep or 0)
            check = compare_days(te.aired, first.airdate)
            if check is DateCheck.DISAGREE:
                rows.append(
                    _candidate_row(
                        sid, name, 0.2, f"air date disagrees: Trakt {te.aired} / {first.airdate}"
                    )
                )
                continue
            score = 0.9 if check is DateCheck.AGREE else 0.85
            note = f"bangumi-data {tkey} → {sid}"
            self._single(plan, n, listed[0], name, first, score, "bangumi-data", [note])
            return
        plan.unmatched[n] = {
            "reason": f"bangumi-data links S0E{n} to {', '.join(map(str, sids))} but it could not "
            f"be confirmed; if it is right, add `{hint}`",
            "candidates": rows,
        }

    def _special_by_date(
        self,
        plan: SeasonPlan,
        n: int,
        te: TraktEp,
        starts: list[tuple[int, int]],
        season_keyed: list[int],
        regular: list[int],
        hint: str,
    ) -> None:
        if te.aired is None:
            plan.unmatched[n] = {
                "reason": f"special S0E{n} has no air date to place it by; add `{hint}`",
                "candidates": [],
            }
            return
        pool = list(season_keyed)
        before = [(start, sid) for start, sid in starts if start < n]
        if before:
            pool.insert(0, before[-1][1])  # S0 keys mark starts: E12 may continue the E7 OVA
        keyed_start = {before[-1][1]: before[-1][0]} if before else {}
        matches: list[tuple[float, int, str, BgmEp, str]] = []
        rows: list[dict[str, Any]] = []
        window = (te.aired, te.aired)
        for sid in dict.fromkeys(pool):
            listed = self._episodes(sid) if self._overlaps(sid, _pad(window, 30)) else None
            if listed is None:
                continue
            for e in listed[1]:
                if e.type == EP_MAIN and compare_days(te.aired, e.airdate) is DateCheck.AGREE:
                    titled = self._titles_agree(te, e)
                    start = keyed_start.get(sid)
                    # The number continuing the start key is a second, independent witness.
                    follows = start is not None and e.ep == n - start + 1
                    # A date alone is only a suggestion: specials cluster around the same days.
                    score = 0.9 if titled else 0.85 if follows else 0.75
                    if titled:
                        why = "air date and title agree"
                    elif follows:
                        why = f"air date agrees and S0E{n} continues the S0E{start} key"
                    else:
                        why = "air date agrees"
                    matches.append((score, listed[0], self._name(sid), e, why))
        for sid in regular:
            if not self._overlaps(sid, _pad(window, 30)):
                continue
            listed = self._episodes(sid)
            if listed is None:
                continue
            for e in listed[1]:
                if e.type != EP_SP or compare_days(te.aired, e.airdate) is not DateCheck.AGREE:
                    continue
                if self._titles_agree(te, e):
                    matches.append(
                        (0.9, listed[0], self._name(sid), e, "SP air date and title agree")
                    )
                else:
                    why = f"SP {e.name or e.name_cn!r} aired the same day but its title differs"
                    rows.append(_candidate_row(listed[0], self._name(sid), 0.5, why))
        if len(matches) == 1:
            score, sid, name, e, why = matches[0]
            self._single(plan, n, sid, name, e, score, "bangumi-data", [f"special S0E{n}: {why}"])
            return
        if matches:
            rows += [_candidate_row(m[1], m[2], m[0], "several specials fit") for m in matches]
            reason = f"special S0E{n} fits {len(matches)} Bangumi episodes; pick one with `{hint}`"
        else:
            reason = f"no Bangumi special confirmed for S0E{n} (air date + title); add `{hint}`"
        plan.unmatched[n] = {"reason": reason, "candidates": rows}

    def _titles_agree(self, te: TraktEp, e: BgmEp) -> bool:
        return title_match(te.titles, [e.name, e.name_cn], min_len=4) is not None

    def _single(
        self,
        plan: SeasonPlan,
        n: int,
        sid: int,
        name: str,
        e: BgmEp,
        score: float,
        source: str,
        evidence: list[str],
    ) -> None:
        key = int(e.sort) if e.type != EP_MAIN and e.sort.is_integer() else (e.ep or n)
        plan.segments.append(
            Segment(
                subject_id=sid,
                subject_type=SUBJECT_ANIME,
                name=name,
                source=source,
                offset=n - key,
                first=n,
                last=n,
                prior=score,
                fixed_confidence=score,
                evidence=evidence,
                eps={key: [e.id, e.airdate.isoformat() if e.airdate else "", e.label]},
            )
        )

    # -- placement → plan ---------------------------------------------------------------

    def _write_placement(
        self,
        plan: SeasonPlan,
        show: TraktShow,
        season: int,
        eps: Mapping[int, TraktEp],
        placement: Placement,
        rejected: list[tuple[int, str, str]],
        *,
        none_found: str,
    ) -> None:
        key = show_key(show.ids)
        run: list[int] = []
        for n in sorted(eps):
            current = placement.assigned.get(n)
            if run and (
                current is None
                or current[0] is not placement.assigned[run[-1]][0]
                or current[1] is not placement.assigned[run[-1]][1]
            ):
                plan.segments.append(self._segment(season, run, placement))
                run = []
            if current is not None:
                run.append(n)
        if run:
            plan.segments.append(self._segment(season, run, placement))

        rows = [_candidate_row(sid, name, 0, why) for sid, name, why in rejected]
        rows += [_candidate_row(c.subject_id, c.name, 0, why) for c, why in placement.rejected]
        left = sorted(n for n in eps if n not in placement.assigned)
        for n in left:
            claim = placement.contested.get(n)
            if claim:
                names = ", ".join(f"{c.name} ({c.subject_id})" for c, _ in claim)
                hint = map_add_command(key, season, n, n)
                reason = (
                    f"S{season}E{n} fits {len(claim)} Bangumi subjects equally ({names}); "
                    f"pick one with `{hint}`"
                )
                rows_n = [
                    _candidate_row(c.subject_id, c.name, c.prior, "ambiguous") for c, _ in claim
                ]
                plan.unmatched[n] = {"reason": reason, "candidates": rows_n}
            elif placement.fits:
                # a trailing run of episodes likely belongs to one more subject: offer a range
                trailing = n > max(placement.assigned, default=0)
                hint = map_add_command(key, season, n, None if trailing else n)
                reason = (
                    f"S{season}E{n} lies outside the Bangumi subjects found for this season "
                    f"and no sequel or prequel fits it; add one with `{hint}`"
                )
                plan.unmatched[n] = {"reason": reason, "candidates": rows}
            else:
                hint = map_add_command(key, season)
                detail = ": no candidate could be confirmed (see candidates)" if rows else ""
                reason = f"{none_found}{detail}; add one with `{hint}`"
                plan.unmatched[n] = {"reason": reason, "candidates": rows}

    def _segment(self, season: int, run: list[int], placement: Placement) -> Segment:
        cand, fit = placement.assigned[run[0]]
        evidence = list(cand.evidence)
        span = f"S{season}{_span(run)}"
        eps_span = f"ep {run[0] - fit.offset}-{run[-1] - fit.offset}"
        evidence.append(f"{span} ↔ {eps_span}: {fit.agree}/{fit.dated} air dates agree")
        if fit.numbering:
            evidence.append(f"numbering: Bangumi {_NUMBERING[fit.numbering]}")
        prior = cand.prior
        if fit.replaced:
            evidence.append(f"id start E{cand.anchor} overruled by air dates")
            prior = min(prior, PRIOR_FLOATING)
        eps = {}
        for n in run:
            e = cand.main[n - fit.offset]
            eps[n - fit.offset] = [e.id, e.airdate.isoformat() if e.airdate else "", e.label]
        return Segment(
            subject_id=cand.subject_id,
            subject_type=cand.subject_type,
            name=cand.name,
            source=cand.source,
            offset=fit.offset,
            first=run[0],
            last=run[-1],
            prior=prior,
            agree=fit.agree,
            disagree=fit.disagree,
            numbering=fit.numbering,
            evidence=evidence,
            eps=eps,
        )

    # == films ===========================================================================

    def resolve_movie(self, movie: TraktMovie) -> Resolution:
        key = movie_key(movie.ids)
        cache_key = f"{key}|{self.version}"
        cached = self._cache.get(MOVIE_NS, cache_key)
        if isinstance(cached, dict) and (
            cached.get("status") != ResolutionStatus.UNMATCHED.value
            or self._clock() - float(cached.get("built_at", 0)) < self._recheck_after
        ):
            try:
                return _resolution_from_json(cached)
            except (KeyError, TypeError, ValueError):
                log.warning("ignoring an unreadable cached film resolution %s", cache_key)
        result = self._resolve_movie(movie, key)
        self._cache.put(
            MOVIE_NS, cache_key, {**_resolution_to_json(result), "built_at": self._clock()}
        )
        return result

    def _resolve_movie(self, movie: TraktMovie, key: str) -> Resolution:
        overrides = [o for o in self._overrides if o.is_movie and o.matches_movie(movie.ids)]
        if overrides:
            override = overrides[-1]
            if override.ignore:
                return Resolution.skipped(f"ignored by {override.describe()}")
            assert override.subject_id is not None
            subject = self._subject(override.subject_id)
            if subject is None:
                return Resolution.unmatched(
                    f"{override.describe()}: Bangumi has no subject {override.subject_id}; "
                    "fix the override"
                )
            return self._film_match(subject, PRIOR_OVERRIDE, "override", [override.describe()])

        released = parse_day(movie.released) or (
            date(movie.year, 7, 1) if movie.year else None  # mid-year: ±1 year still holds
        )
        ids = self.index.movie(movie.ids.tmdb) if movie.ids.tmdb is not None else []
        if ids:
            return self._film_by_ids(movie, key, ids, released)
        if not self._in_scope(movie.genres):
            return Resolution.skipped(
                f"not anime: no id source knows {movie.title!r} and its Trakt genres "
                f"({', '.join(movie.genres) or 'none'}) are not anime/donghua/animation; "
                f"add `{map_add_command(key)}` if it belongs on Bangumi"
            )
        return self._film_by_table(movie, released) or self._film_by_search(movie, key, released)

    def _film_by_table(self, movie: TraktMovie, released: date | None) -> Resolution | None:
        """A film the id table links by TMDB or IMDb id, confirmed by its release date;
        None (a title search follows) when the table does not confirm exactly one."""
        table = self.id_table
        if table is None or released is None:
            return None
        sids = table.movie(movie.ids.tmdb) if movie.ids.tmdb is not None else []
        how = f"movie/{movie.ids.tmdb}"
        if not sids and movie.ids.imdb:
            sids, how = table.imdb(movie.ids.imdb), f"imdb {movie.ids.imdb}"
        matches = []
        for sid in dict.fromkeys(sids):
            subject = self._subject(sid)
            if subject is None or subject.get("type") not in self._subject_types:
                continue
            if subject.get("platform") == "TV" and int(subject.get("eps") or 0) != 1:
                continue  # a TV series, not a film
            day = parse_day(subject.get("date"))
            if day is not None and abs(released - day) <= FILM_DATE_TOLERANCE:
                note = f"id table {how} → {sid}"
                matches.append((subject, [note, f"released {released} / Bangumi {day}"]))
        if len(matches) != 1:
            return None
        subject, evidence = matches[0]
        return self._film_match(subject, 0.85, "id-table", evidence)

    def _film_by_ids(
        self, movie: TraktMovie, key: str, ids: list[int], released: date | None
    ) -> Resolution:
        rows = []
        matches = []
        for sid in ids:
            subject = self._subject(sid)
            if subject is None:
                rows.append(_candidate_row(sid, self._name(sid), 0, "Bangumi no longer has it"))
                continue
            day = parse_day(subject.get("date"))
            note = f"bangumi-data movie/{movie.ids.tmdb} → {sid}"
            if released is None or day is None:
                matches.append((0.85, subject, [note, "no release date to compare"]))
            elif abs(released - day) <= FILM_DATE_TOLERANCE:
                matches.append((0.95, subject, [note, f"released {released} / Bangumi {day}"]))
            else:
                why = f"release dates too far apart: Trakt {released} / Bangumi {day}"
                rows.append(_candidate_row(sid, str(subject.get("name") or sid), 0.3, why))
        if len(matches) == 1:
            score, subject, evidence = matches[0]
            return self._film_match(subject, score, "bangumi-data", evidence)
        rows += [
            _candidate_row(int(s["id"]), str(s.get("name") or s["id"]), sc, "several subjects fit")
            for sc, s, _ in matches
        ]
        return Resolution.unmatched(
            f"bangumi-data links TMDB movie/{movie.ids.tmdb} to {', '.join(map(str, ids))} "
            f"but none could be confirmed; if one is right, add `{map_add_command(key)}`",
            rows,
        )

    def _film_by_search(self, movie: TraktMovie, key: str, released: date | None) -> Resolution:
        titles = list(dict.fromkeys(t for t in (movie.original_title, movie.title) if t))
        window = (
            (released - FILM_DATE_TOLERANCE, released + FILM_DATE_TOLERANCE) if released else None
        )
        air_date = [f">={window[0].isoformat()}", f"<={window[1].isoformat()}"] if window else None
        rows = []
        matches: dict[int, tuple[float, dict[str, Any], list[str]]] = {}
        for keyword in titles:
            for subject in self._bangumi.search_subjects(
                keyword, subject_types=self._subject_types, air_date=air_date, limit=10
            ):
                sid = subject.get("id")
                if not isinstance(sid, int) or sid in matches:
                    continue
                name = str(subject.get("name") or sid)
                why = self._search_reject(subject, titles, window, film=True)
                if not why and (released is None or parse_day(subject.get("date")) is None):
                    why = "no release date to confirm the title match"
                if why:
                    rows.append(_candidate_row(sid, name, 0, why))
                    continue
                exact = title_match(titles, subject_titles(subject)) == "exact"
                score = 0.85 if exact else 0.7
                note = f"title search: {name!r} ({'exact' if exact else 'partial'} title match)"
                matches[sid] = (
                    score,
                    subject,
                    [note, f"released {released} / {subject.get('date')}"],
                )
        good = [m for m in matches.values() if m[0] >= self.min_confidence]
        if len(good) == 1:
            score, subject, evidence = good[0]
            return self._film_match(subject, score, "search", evidence)
        rows += [
            _candidate_row(int(s["id"]), str(s.get("name")), sc, "ambiguous" if good else "weak")
            for sc, s, _ in matches.values()
        ]
        unique = {r["subject_id"]: r for r in rows}
        return Resolution.unmatched(
            f"no Bangumi film confirmed for {movie.title!r} ({movie.year}); "
            f"add one with `{map_add_command(key)}`",
            list(unique.values()),
        )

    def _film_match(
        self, subject: Mapping[str, Any], score: float, source: str, evidence: list[str]
    ) -> Resolution:
        if score < self.min_confidence:
            return Resolution.unmatched(
                f"film match {subject.get('name')!r} scored {score:.2f}",
                [_candidate_row(int(subject["id"]), str(subject.get("name")), score, "weak")],
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

    # == Bangumi look-ups (memoised for the run) =========================================

    def _subject(self, sid: int) -> dict[str, Any] | None:
        if sid not in self._subjects:
            try:
                self._subjects[sid] = self._bangumi.get_subject(sid)
            except NotFound:
                self._subjects[sid] = None
        return self._subjects[sid]

    def _episodes(self, sid: int) -> tuple[int, list[BgmEp]] | None:
        """(subject id after merges, episodes) or None when the subject is gone."""
        if sid not in self._episode_lists:
            try:
                listed: tuple[int, list[BgmEp]] | None = (
                    sid,
                    parse_episodes(self._bangumi.get_episodes(sid)),
                )
            except NotFound:
                # A merged subject answers 302 on /subjects/{id}; follow it to the target.
                subject = self._subject(sid)
                target = int(subject["id"]) if subject else None
                listed = None
                if target is not None and target != sid:
                    inner = self._episodes(target)
                    listed = (target, inner[1]) if inner else None
            self._episode_lists[sid] = listed
        return self._episode_lists[sid]

    def _name(self, sid: int) -> str:
        data = self.index.subject(sid)
        return data.title if data else str(sid)


_NUMBERING = {
    "ep": "ep equals the TMDB episode number",
    "sort": "sort continues the TMDB numbering",
    "abs": "sort equals Trakt's absolute number",
}


def _pad(window: tuple[date, date], days: int) -> tuple[date, date]:
    return (window[0] - timedelta(days=days), window[1] + timedelta(days=days))


def _resolution_to_json(res: Resolution) -> dict[str, Any]:
    data = asdict(res)
    data["status"] = res.status.value
    return data


def _resolution_from_json(data: Mapping[str, Any]) -> Resolution:
    fields = {k: v for k, v in data.items() if k != "built_at"}
    fields["status"] = ResolutionStatus(fields["status"])
    return Resolution(**fields)


__all__ = [
    "BangumiReader",
    "MatchCache",
    "Matcher",
    "TraktReader",
]
