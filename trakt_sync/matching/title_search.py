"""Title search, where no id source knows the show: hits must match a title, first air
within the season's window and be confirmed by the air dates of their episodes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from trakt_sync.errors import NotFound
from trakt_sync.matching.airdate import DateCheck, subject_day
from trakt_sync.matching.confidence import PRIOR_SEARCH
from trakt_sync.matching.context import (
    MAX_SEARCH_CANDIDATES,
    MAX_SEARCH_KEYWORDS,
    MAX_WALK_STEPS,
    WINDOW_SLACK,
    MatchContext,
    Rejection,
    SeasonQuery,
    subject_titles,
)
from trakt_sync.matching.fits import Candidate, TraktEp
from trakt_sync.matching.franchise import contest_batches, follow_sequels, walk
from trakt_sync.matching.placement import Placement, place, settle
from trakt_sync.matching.segments import Found, found_from_placement
from trakt_sync.matching.titles import season_named, title_match
from trakt_sync.models import SUBJECT_ANIME

# Title matches as strong as an exact one: the same title, or the same with the season
# word naming the season searched for ("RWBY Volume 4" for RWBY season 4).
STRONG = frozenset({"exact", "season"})
EARLIEST = date(1900, 1, 1)
# A batch date vs the TV run it stands for: up to this long after the run ended...
BATCH_RUN_BEFORE = timedelta(days=365)
# ... or this long before it began.
BATCH_AHEAD = timedelta(days=90)


def place_by_search(
    ctx: MatchContext,
    q: SeasonQuery,
    eps: dict[int, TraktEp],
    rejected_before: Sequence[Rejection] = (),
) -> Found:
    """``rejected_before``: candidates an earlier source turned down, reported with ours."""
    titles = ctx.show_titles(q.show)
    dated = sorted(te.aired for te in eps.values() if te.aired)
    hits, rejected = _search_hits(ctx, titles, dated, q.season)
    rejected = [*rejected_before, *rejected]
    strong: list[Candidate] = []
    weak: list[Candidate] = []
    named: set[int] = set()  # titles naming this very season (no season word: season 1)
    for subject, match, keyword in hits[:MAX_SEARCH_CANDIDATES]:
        sid = int(subject["id"])
        name = str(subject.get("name") or sid)
        listed = ctx.vet(sid, season_subject=False)
        if isinstance(listed, str):
            rejected.append((sid, name, listed))
            continue
        prior = PRIOR_SEARCH if match in STRONG else PRIOR_SEARCH - 0.05
        note = f"title search {keyword!r} found {name!r} ({_described(match, q.season)})"
        stype = int(subject.get("type") or SUBJECT_ANIME)
        cand = Candidate(listed[0], name, "search", prior, listed[1], None, stype, [note])
        cand.title_names = season_named(titles, name, q.season)
        (strong if match in STRONG else weak).append(cand)
        if match == "season" or (match == "exact" and q.season == 1):
            named.add(cand.subject_id)
    placement = _place_strong_first(strong, weak, eps, named)
    for cand in {id(c): c for c, _ in placement.assigned.values()}.values():
        if cand in weak:
            _confirm_by_prequels(ctx, cand, titles)
    placement = walk(ctx, placement, eps)
    if not placement.assigned and not placement.contested and dated and q.season > 1:
        placement = placement.merged(_along_the_franchise(ctx, titles, dated, eps))
    placement = contest_batches(ctx, placement, eps, titles, q.season)
    searched = ", ".join(repr(t) for t in titles[:MAX_SEARCH_KEYWORDS]) or repr(q.show.title)
    return found_from_placement(
        q.key,
        q.season,
        eps,
        placement,
        rejected,
        none_found=f"no Bangumi subject confirmed for {q.show.title!r} season {q.season} "
        f"(TMDB id not in bangumi-data; searched {searched})",
    )


def _place_strong_first(
    strong: list[Candidate], weak: list[Candidate], eps: dict[int, TraktEp], named: set[int]
) -> Placement:
    """Subjects whose title matches exactly are placed first; one matching in part
    ("91Days" for "DAYS") is kept off the episodes of those confirmed by air dates or
    whose title names the season, and contests the rest: season 1's exact title placed
    by numbering alone does not outrank a partial "…2さつめ" for season 2."""
    first = place(strong, eps)
    secure = {
        n
        for n, (cand, fit) in first.assigned.items()
        if (fit.confirmed and fit.agree >= 2) or cand.subject_id in named
    }
    left = {n: te for n, te in eps.items() if n not in secure and n not in first.contested}
    if not weak or not left:
        return first
    more = place(weak, left)
    assigned = dict(first.assigned)
    contested = dict(first.contested)
    for n in more.assigned.keys() | more.contested.keys():
        claims = more.contested.get(n) or [more.assigned[n]]
        if n in assigned:
            # both by numbering: ambiguous; one whose own air date agrees takes it
            claim = [assigned.pop(n), *claims]
            winner = (
                settle(n, claim)
                if any(fit.checks[n] is DateCheck.AGREE for _, fit in claim)
                else None
            )
            if winner is None:
                contested[n] = claim
            else:
                assigned[n] = winner
        elif n in more.assigned:
            assigned[n] = more.assigned[n]
        else:
            contested[n] = claims
    return Placement(
        assigned=assigned,
        contested=contested,
        rejected=first.rejected + more.rejected,
        fits=first.fits + more.fits,
    )


def _confirm_by_prequels(ctx: MatchContext, cand: Candidate, titles: list[str]) -> None:
    """A hit whose title matches only in part ("ガッチャマン クラウズ インサイト") counts
    as an exact one when its 前传 chain reaches a subject with the show's very title."""
    current = cand.subject_id
    seen = {current}
    for _ in range(MAX_WALK_STEPS):
        try:
            related = ctx.bangumi.get_related_subjects(current)
        except NotFound:
            return
        prequels = [
            r
            for r in related
            if r.get("relation") == "前传"
            and r.get("type") == cand.subject_type
            and isinstance(r.get("id"), int)
            and r["id"] not in seen
        ]
        if not prequels:
            return
        for rel in prequels:
            names = [str(rel.get(k) or "") for k in ("name", "name_cn")]
            if title_match(titles, names, season=1) in STRONG:
                cand.prior = PRIOR_SEARCH
                cand.evidence.append(
                    f"its 前传 chain reaches {rel.get('name')!r} ({rel['id']}), "
                    "the show's own title"
                )
                return
        current = prequels[0]["id"]
        seen.add(current)


def _along_the_franchise(
    ctx: MatchContext, titles: list[str], dated: list[date], eps: dict[int, TraktEp]
) -> Placement:
    """A later season named unlike the show ("偽物語" for 化物語's season 2): nothing in
    its window has the show's title. The show's first subject, found by its very title
    among those aired before the season, leads along 续集 to the subjects that fit."""
    before = (EARLIEST, dated[0] - timedelta(days=1))
    hits, _ = _search_hits(ctx, titles, dated, 1, window=before)
    roots = [(subject, keyword) for subject, match, keyword in hits if match in STRONG]
    if not roots:
        return Placement()
    root, keyword = min(roots, key=lambda hit: subject_day(hit[0]) or date.max)
    note = f"续集 chain from {root.get('name')!r} ({root['id']}), found by title search {keyword!r}"
    return follow_sequels(ctx, int(root["id"]), eps, dated[-1] + WINDOW_SLACK, note)


def _described(match: str, season: int) -> str:
    if match == "season":
        return f"title match once season words are set aside, naming season {season}"
    return f"{match} title match"


def search_window(dated: list[date]) -> tuple[date, date] | None:
    """First air dates a subject may have for a season whose episodes aired on ``dated``
    (sorted). When every episode has one date, it is a web-first batch release: the TV
    run may have started up to a year before it, or a few weeks after (matching.md)."""
    if not dated:
        return None
    if len(dated) >= 3 and dated[0] == dated[-1]:
        return dated[0] - BATCH_RUN_BEFORE - timedelta(days=7 * len(dated)), dated[0] + BATCH_AHEAD
    return dated[0] - timedelta(days=30), dated[-1] + WINDOW_SLACK


def _search_hits(
    ctx: MatchContext,
    titles: list[str],
    dated: list[date],
    season: int,
    window: tuple[date, date] | None = None,
) -> tuple[list[tuple[dict[str, Any], str, str]], list[Rejection]]:
    """Title-verified anime subjects whose first air date falls in the season's window
    (or ``window``; exact title matches first), and the hits turned down."""
    window = window or search_window(dated)
    found: dict[int, tuple[dict[str, Any], str, str]] = {}
    rejected: list[Rejection] = []
    seen: set[int] = set()
    for keyword in titles[:MAX_SEARCH_KEYWORDS]:
        for subject in ctx.search(keyword, window):
            sid = subject.get("id")
            if not isinstance(sid, int) or sid in seen:
                continue
            seen.add(sid)
            name = str(subject.get("name") or sid)
            why = ctx.search_reject(subject, titles, window, film=False)
            if why:
                rejected.append((sid, name, why))
                continue
            match = title_match(titles, subject_titles(subject), season=season)
            assert match is not None
            found[sid] = (subject, match, keyword)
        if any(match in STRONG for _, match, _ in found.values()):
            break  # every search is a request: stop once a title matches exactly
    return sorted(found.values(), key=lambda hit: hit[1] not in STRONG), rejected
