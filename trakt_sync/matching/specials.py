"""Specials (TMDB season 0): OVAs, TV specials and recaps, matched one by one through
bangumi-data season-0 keys, or by air date (and title) among the show's subjects."""

from __future__ import annotations

from typing import Any

from trakt_sync.matching.airdate import DateCheck, compare_days
from trakt_sync.matching.bangumi_data import TmdbKey
from trakt_sync.matching.context import MatchContext, SeasonQuery, pad
from trakt_sync.matching.fits import BgmEp, TraktEp
from trakt_sync.matching.overrides import map_add_command
from trakt_sync.matching.segments import Found, Segment, candidate_row
from trakt_sync.matching.titles import title_match
from trakt_sync.models import EP_MAIN, EP_SP, SUBJECT_ANIME

# Trakt S0En → its segment, or an unmatched entry (reason, candidates)
Outcome = Segment | dict[str, Any]


def place_specials(
    ctx: MatchContext,
    q: SeasonQuery,
    eps: dict[int, TraktEp],
    links: list[tuple[TmdbKey, int]],
) -> Found:
    show = q.show
    starts = sorted((k.episode, sid) for k, sid in links if k.season == 0 and k.episode)
    season_keyed = sorted({sid for k, sid in links if k.season == 0 and k.episode is None})
    regular = sorted({sid for k, sid in links if k.season != 0})
    found = Found()
    for n, te in sorted(eps.items()):
        hint = map_add_command(q.key, 0, n, n)
        if not links:
            outcome: Outcome = {
                "reason": f"specials (S0) of {show.title!r} are matched only through "
                f"bangumi-data keys or overrides; add one with `{hint}`",
                "candidates": [],
            }
        elif exact := [sid for start, sid in starts if start == n]:
            tkey = f"tv/{show.ids.tmdb}/season/0/episode/{n}"
            outcome = _by_key(ctx, tkey, n, te, exact, hint)
        else:
            outcome = _by_date(ctx, n, te, starts, season_keyed, regular, hint)
        if isinstance(outcome, Segment):
            found.segments.append(outcome)
        else:
            found.unmatched[n] = outcome
    return found


def _by_key(
    ctx: MatchContext, tkey: str, n: int, te: TraktEp, sids: list[int], hint: str
) -> Outcome:
    rows = []
    for sid in sids:
        listed = ctx.episodes(sid)
        name = ctx.name(sid)
        if listed is None or not any(e.type == EP_MAIN for e in listed[1]):
            rows.append(candidate_row(sid, name, 0, "Bangumi lists no episodes for it"))
            continue
        first = min((e for e in listed[1] if e.type == EP_MAIN), key=lambda e: e.ep or 0)
        check = compare_days(te.aired, first.airdate)
        if check is DateCheck.DISAGREE:
            rows.append(
                candidate_row(
                    sid, name, 0.2, f"air date disagrees: Trakt {te.aired} / {first.airdate}"
                )
            )
            continue
        score = 0.9 if check is DateCheck.AGREE else 0.85
        note = f"bangumi-data {tkey} → {sid}"
        return _single(n, listed[0], name, first, score, "bangumi-data", [note])
    return {
        "reason": f"bangumi-data links S0E{n} to {', '.join(map(str, sids))} but it could not "
        f"be confirmed; if it is right, add `{hint}`",
        "candidates": rows,
    }


def _by_date(
    ctx: MatchContext,
    n: int,
    te: TraktEp,
    starts: list[tuple[int, int]],
    season_keyed: list[int],
    regular: list[int],
    hint: str,
) -> Outcome:
    if te.aired is None:
        return {
            "reason": f"special S0E{n} has no air date to place it by; add `{hint}`",
            "candidates": [],
        }
    pool = list(season_keyed)
    before = [(start, sid) for start, sid in starts if start < n]
    if before:
        pool.insert(0, before[-1][1])  # S0 keys mark starts: E12 may continue the E7 OVA
    keyed_start = {before[-1][1]: before[-1][0]} if before else {}
    matches: list[tuple[float, int, str, BgmEp, str]] = []
    rows: list[dict[str, Any]] = []
    window = (te.aired, te.aired)
    for sid in dict.fromkeys(pool):
        listed = ctx.episodes(sid) if ctx.overlaps(sid, pad(window, 30)) else None
        if listed is None:
            continue
        for e in listed[1]:
            if e.type == EP_MAIN and compare_days(te.aired, e.airdate) is DateCheck.AGREE:
                titled = _titles_agree(te, e)
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
                matches.append((score, listed[0], ctx.name(sid), e, why))
    for sid in regular:
        if not ctx.overlaps(sid, pad(window, 30)):
            continue
        listed = ctx.episodes(sid)
        if listed is None:
            continue
        for e in listed[1]:
            if not (e.type == EP_SP or e.is_recap):  # a half-sort recap is an SP too
                continue
            if compare_days(te.aired, e.airdate) is not DateCheck.AGREE:
                continue
            if _titles_agree(te, e):
                matches.append((0.9, listed[0], ctx.name(sid), e, "SP air date and title agree"))
            else:
                why = f"SP {e.name or e.name_cn!r} aired the same day but its title differs"
                rows.append(candidate_row(listed[0], ctx.name(sid), 0.5, why))
    if len(matches) == 1:
        score, sid, name, e, why = matches[0]
        return _single(n, sid, name, e, score, "bangumi-data", [f"special S0E{n}: {why}"])
    if matches:
        rows += [candidate_row(m[1], m[2], m[0], "several specials fit") for m in matches]
        reason = f"special S0E{n} fits {len(matches)} Bangumi episodes; pick one with `{hint}`"
    else:
        reason = f"no Bangumi special confirmed for S0E{n} (air date + title); add `{hint}`"
    return {"reason": reason, "candidates": rows}


def _titles_agree(te: TraktEp, e: BgmEp) -> bool:
    return title_match(te.titles, [e.name, e.name_cn], min_len=4) is not None


def _single(
    n: int, sid: int, name: str, e: BgmEp, score: float, source: str, evidence: list[str]
) -> Segment:
    """A one-episode segment: Trakt S0En is Bangumi episode ``e`` of ``sid``."""
    key = int(e.sort) if e.type != EP_MAIN and e.sort.is_integer() else (e.ep or n)
    return Segment(
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
