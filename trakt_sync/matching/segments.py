"""The cacheable outcome of matching one (show, season): segments plus open questions.

A segment is one Bangumi subject covering Trakt episodes ``first..last`` with main
episode ``ep = n - offset``; it keeps the episode ids and air dates it needs, so a later
play inside it resolves without a request. Scores are computed when an episode is
resolved, so a changed ``min_confidence`` applies at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from trakt_sync.matching.airdate import DateCheck, compare_days, parse_day
from trakt_sync.matching.confidence import PRIOR_FLOATING, confidence
from trakt_sync.matching.fits import Candidate, Fit, TraktEp
from trakt_sync.matching.overrides import map_add_command
from trakt_sync.matching.placement import Placement
from trakt_sync.models import Resolution, ResolutionStatus

SEASON_NS = "matcher.season"  # cache namespace of SeasonPlan.to_json(), by show|season|version


@dataclass
class Segment:
    subject_id: int
    subject_type: int
    name: str
    source: str
    offset: int
    first: int
    last: int
    prior: float
    agree: int = 0
    disagree: int = 0
    numbering: str | None = None
    fixed_confidence: float | None = None  # overrides and specials are scored when built
    set_aside: list[int] = field(default_factory=list)  # batch-release dates not compared
    count_fits: bool = False  # covers the subject's main episodes one for one
    evidence: list[str] = field(default_factory=list)
    # key (n - offset) → [episode id, airdate "YYYY-MM-DD" or "", label]
    eps: dict[int, list[Any]] = field(default_factory=dict)
    # Trakt n → why it is left unmarked though placed here (past a half-sort recap)
    held: dict[int, str] = field(default_factory=dict)

    def covers(self, n: int) -> bool:
        return self.first <= n <= self.last and (n - self.offset) in self.eps

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["eps"] = {str(k): v for k, v in self.eps.items()}
        data["held"] = {str(k): v for k, v in self.held.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Segment:
        data = dict(data)
        data["eps"] = {int(k): v for k, v in data["eps"].items()}
        data["held"] = {int(k): v for k, v in data.get("held", {}).items()}
        return cls(**data)


@dataclass
class Found:
    """What one evidence source decided for (part of) a season."""

    segments: list[Segment] = field(default_factory=list)
    unmatched: dict[int, dict[str, Any]] = field(default_factory=dict)  # n → reason, candidates


PATH_OVERRIDES = "overrides only"
PATH_OUT_OF_SCOPE = "none: out of scope"
PATH_NO_TRAKT = "none: no Trakt air dates to place by (an export alone)"
PATH_NO_GENRES = "none: Trakt's genres unknown, so whether it is anime is too"
PATH_SPECIALS = "specials: season 0 keys, air dates and titles"
PATH_IDS = "bangumi-data TMDB keys, placed by air date, then the franchise walk"
PATH_TABLE = "id table links (weaker), confirmed by air dates, then the franchise walk"
PATH_SEARCH = "title search confirmed by air dates, then the franchise walk"


@dataclass
class SeasonPlan:
    built_at: float
    segments: list[Segment] = field(default_factory=list)
    unmatched: dict[int, dict[str, Any]] = field(default_factory=dict)  # n → reason, candidates
    skip_all: str | None = None
    trakt_days: dict[int, str] = field(default_factory=dict)
    # Which source placed the automatic episodes (one of the PATH_* words): what
    # `trakt-sync explain` shows, as the sync decided it.
    path: str = ""

    def knows(self, n: int) -> bool:
        return (
            self.skip_all is not None
            or n in self.unmatched
            or any(s.covers(n) for s in self.segments)
        )

    def resolve(
        self, key: str, season: int, n: int, aired: date | None, min_confidence: float
    ) -> Resolution | None:
        if self.skip_all is not None:
            return Resolution.skipped(self.skip_all)
        for seg in self.segments:
            if seg.covers(n):
                return _from_segment(seg, key, season, n, aired or self._day(n), min_confidence)
        if n in self.unmatched:
            entry = self.unmatched[n]
            return Resolution.unmatched(entry["reason"], list(entry.get("candidates", [])))
        return None

    def add(self, found: Found) -> None:
        self.segments.extend(found.segments)
        self.unmatched.update(found.unmatched)

    def _day(self, n: int) -> date | None:
        return parse_day(self.trakt_days.get(n))

    def to_json(self) -> dict[str, Any]:
        return {
            "built_at": self.built_at,
            "segments": [s.to_json() for s in self.segments],
            "unmatched": {str(k): v for k, v in self.unmatched.items()},
            "skip_all": self.skip_all,
            "trakt_days": {str(k): v for k, v in self.trakt_days.items()},
            "path": self.path,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeasonPlan:
        return cls(
            built_at=float(data["built_at"]),
            segments=[Segment.from_json(s) for s in data["segments"]],
            unmatched={int(k): v for k, v in data["unmatched"].items()},
            skip_all=data.get("skip_all"),
            trakt_days={int(k): v for k, v in data["trakt_days"].items()},
            path=str(data.get("path") or ""),
        )


def plan_subject_ids(data: Any) -> set[int]:
    """The subjects a cached plan (``SeasonPlan.to_json()``) places plays on."""
    segments = data.get("segments") if isinstance(data, dict) else None
    return {
        int(seg["subject_id"])
        for seg in segments or []
        if isinstance(seg, dict) and isinstance(seg.get("subject_id"), int)
    }


def _from_segment(
    seg: Segment, key: str, season: int, n: int, aired: date | None, min_confidence: float
) -> Resolution:
    episode_id, airdate, label = seg.eps[n - seg.offset]
    own = compare_days(aired, parse_day(airdate))
    where = f"S{season}E{n} → {label} of {seg.name} ({seg.subject_id})"
    if n in seg.held:
        command = map_add_command(key, season, n, n, seg.subject_id, n - seg.offset)
        why = seg.held[n]
        return Resolution.unmatched(
            f"S{season}E{n}: {why}; if it is {label}, confirm it with `{command}`",
            [{"subject_id": seg.subject_id, "name": seg.name, "score": 0, "why_rejected": why}],
            evidence=[*seg.evidence, where, "held: a half-sort recap lies before it"],
        )
    if n in seg.set_aside:
        own = DateCheck.UNKNOWN
        dates = f"Trakt date {aired} set aside (a batch release's shared day); placed by numbering"
    elif own is DateCheck.AGREE:
        dates = f"air date agrees: Trakt {aired} / Bangumi {airdate} (JST broadcast day)"
    elif own is DateCheck.DISAGREE:
        dates = f"air date disagrees: Trakt {aired} / Bangumi {airdate} (JST broadcast day)"
    else:
        dates = "no air date to compare"
    evidence = [*seg.evidence, where, dates]
    if seg.fixed_confidence is not None:
        score = seg.fixed_confidence
    else:
        score = confidence(
            seg.prior, own, seg.agree, seg.disagree, seg.numbering, count_fits=seg.count_fits
        )
    if score >= min_confidence:
        return Resolution(
            ResolutionStatus.MATCHED,
            subject_id=seg.subject_id,
            episode_id=int(episode_id),
            subject_type=seg.subject_type,
            source=seg.source,
            confidence=score,
            evidence=evidence,
        )
    why = dates if own is DateCheck.DISAGREE else f"confidence {score:g} < {min_confidence:g}"
    command = map_add_command(key, season, n, n, seg.subject_id, n - seg.offset)
    return Resolution.unmatched(
        f"best guess for S{season}E{n} is {label} of {seg.name} ({seg.subject_id}) but {why}; "
        f"if it is right, confirm it with `{command}`",
        [
            {
                "subject_id": seg.subject_id,
                "name": seg.name,
                "score": score,
                "why_rejected": why,
                # Trakt episode n is the subject's episode n - offset (for `map add --start-ep`).
                "offset": seg.offset,
            }
        ],
        confidence=score,
        evidence=evidence,
    )


def candidate_row(subject_id: int, name: str, score: float, why: str) -> dict[str, Any]:
    return {"subject_id": subject_id, "name": name, "score": round(score, 2), "why_rejected": why}


def found_from_placement(
    key: str,
    season: int,
    eps: Mapping[int, TraktEp],
    placement: Placement,
    rejected: Sequence[tuple[int, str, str]],
    *,
    none_found: str,
) -> Found:
    """Runs of episodes placed on one subject become segments; every episode left over gets
    its reason and the candidates turned down (rejected before placing, or by it)."""
    found = Found()
    run: list[int] = []
    for n in sorted(eps):
        current = placement.assigned.get(n)
        if run and (
            current is None
            or current[0] is not placement.assigned[run[-1]][0]
            or current[1] is not placement.assigned[run[-1]][1]
        ):
            found.segments.append(_segment(season, run, placement, eps))
            run = []
        if current is not None:
            run.append(n)
    if run:
        found.segments.append(_segment(season, run, placement, eps))

    rows = [candidate_row(sid, name, 0, why) for sid, name, why in rejected]
    rows += [candidate_row(c.subject_id, c.name, 0, why) for c, why in placement.rejected]
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
            # the evidence is shared: each of k subjects that fit equally is one of k
            rows_n = [
                candidate_row(c.subject_id, c.name, c.prior / len(claim), "ambiguous")
                for c, _ in claim
            ]
            found.unmatched[n] = {"reason": reason, "candidates": rows_n}
        elif inserted := [(c, f) for c, f in placement.fits if n in f.inserted]:
            cand, fit = inserted[0]
            hint = map_add_command(key, season, n, n, "ignore")
            reason = (
                f"S{season}E{n} is an episode TMDB counts and {cand.name} ({cand.subject_id}) "
                f"does not ({fit.note}); its air date and title do not both say it is an SP, "
                f"so it is left unmarked; to keep it out for good: `{hint}`"
            )
            found.unmatched[n] = {"reason": reason, "candidates": rows}
        elif placement.fits:
            # a trailing run of episodes likely belongs to one more subject: offer a range
            trailing = n > max(placement.assigned, default=0)
            hint = map_add_command(key, season, n, None if trailing else n)
            reason = (
                f"S{season}E{n} lies outside the Bangumi subjects found for this season "
                f"and no sequel or prequel fits it; add one with `{hint}`"
            )
            found.unmatched[n] = {"reason": reason, "candidates": rows}
        else:
            hint = map_add_command(key, season)
            detail = ": no candidate could be confirmed (see candidates)" if rows else ""
            reason = f"{none_found}{detail}; add one with `{hint}`"
            found.unmatched[n] = {"reason": reason, "candidates": rows}
    return found


_NUMBERING = {
    "ep": "ep equals the TMDB episode number",
    "sort": "sort continues the TMDB numbering",
    "abs": "sort equals Trakt's absolute number",
}


def _segment(
    season: int, run: list[int], placement: Placement, eps: Mapping[int, TraktEp]
) -> Segment:
    cand, fit = placement.assigned[run[0]]
    eps_days = {n: te.aired for n, te in eps.items()}
    evidence = list(cand.evidence)
    span = f"S{season}{_span(run)}"
    eps_span = f"ep {run[0] - fit.offset}-{run[-1] - fit.offset}"
    evidence.append(f"{span} ↔ {eps_span}: {fit.agree}/{fit.dated} air dates agree")
    if fit.numbering:
        evidence.append(f"numbering: Bangumi {_NUMBERING[fit.numbering]}")
    if fit.set_aside:
        days = sorted({d.isoformat() for n in fit.set_aside if (d := eps_days.get(n))})
        count = f"; its {len(cand.main)} main episodes fit one for one" if fit.count_fits else ""
        evidence.append(
            f"batch release: Trakt dates S{season}{_span(fit.set_aside)} all {', '.join(days)}, "
            f"away from the TV run: set aside, placed by numbering{count}"
        )
    prior = cand.prior
    if fit.replaced:
        evidence.append(f"id start E{cand.anchor} overruled by air dates")
        prior = min(prior, PRIOR_FLOATING)
    if fit.note:
        evidence.append(fit.note)
    rows = {}
    for n in run:
        e = fit.special or cand.main[n - fit.offset]
        rows[n - fit.offset] = [e.id, e.airdate.isoformat() if e.airdate else "", e.label]
    return Segment(
        subject_id=cand.subject_id,
        subject_type=cand.subject_type,
        name=cand.name,
        source=cand.source,
        offset=fit.offset,
        first=run[0],
        last=run[-1],
        prior=prior,
        agree=_support(placement, cand, fit),
        disagree=fit.disagree,
        numbering=fit.numbering,
        set_aside=[n for n in fit.set_aside if n in run],
        count_fits=fit.count_fits,
        evidence=evidence,
        eps=rows,
        held={n: fit.held[n] for n in run if n in fit.held},
    )


def _support(placement: Placement, cand: Candidate, fit: Fit) -> int:
    """Agreeing dates behind a fit; a recap placed on its SP also rests on the pieces of
    its subject around it (its own date and title alone would be too little)."""
    if fit.special is None:
        return fit.agree
    return fit.agree + sum(f.agree for c, f in placement.fits if c is cand and f is not fit)


def _span(numbers: Iterable[int]) -> str:
    ordered = sorted(numbers)
    if not ordered:
        return ""
    return f"E{ordered[0]}" + (f"-E{ordered[-1]}" if ordered[-1] != ordered[0] else "")


def resolution_to_json(res: Resolution) -> dict[str, Any]:
    data = asdict(res)
    data["status"] = res.status.value
    return data


def resolution_from_json(data: Mapping[str, Any]) -> Resolution:
    fields = {k: v for k, v in data.items() if k != "built_at"}
    fields["status"] = ResolutionStatus(fields["status"])
    return Resolution(**fields)
