"""The cacheable outcome of matching one (show, season): segments plus open questions.

A segment is one Bangumi subject covering Trakt episodes ``first..last`` with main
episode ``ep = n - offset``; it keeps the episode ids and air dates it needs, so a later
play inside it resolves without a request. Scores are computed when an episode is
resolved, so a changed ``min_confidence`` applies at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from trakt_sync.airdate import DateCheck, compare_days, parse_day
from trakt_sync.models import Resolution, ResolutionStatus
from trakt_sync.overrides import map_add_command
from trakt_sync.placement import confidence

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
    evidence: list[str] = field(default_factory=list)
    # key (n - offset) → [episode id, airdate "YYYY-MM-DD" or "", label]
    eps: dict[int, list[Any]] = field(default_factory=dict)

    def covers(self, n: int) -> bool:
        return self.first <= n <= self.last and (n - self.offset) in self.eps

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["eps"] = {str(k): v for k, v in self.eps.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Segment:
        data = dict(data)
        data["eps"] = {int(k): v for k, v in data["eps"].items()}
        return cls(**data)


@dataclass
class SeasonPlan:
    built_at: float
    segments: list[Segment] = field(default_factory=list)
    unmatched: dict[int, dict[str, Any]] = field(default_factory=dict)  # n → reason, candidates
    skip_all: str | None = None
    trakt_days: dict[int, str] = field(default_factory=dict)

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

    def _day(self, n: int) -> date | None:
        return parse_day(self.trakt_days.get(n))

    def to_json(self) -> dict[str, Any]:
        return {
            "built_at": self.built_at,
            "segments": [s.to_json() for s in self.segments],
            "unmatched": {str(k): v for k, v in self.unmatched.items()},
            "skip_all": self.skip_all,
            "trakt_days": {str(k): v for k, v in self.trakt_days.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeasonPlan:
        return cls(
            built_at=float(data["built_at"]),
            segments=[Segment.from_json(s) for s in data["segments"]],
            unmatched={int(k): v for k, v in data["unmatched"].items()},
            skip_all=data.get("skip_all"),
            trakt_days={int(k): v for k, v in data["trakt_days"].items()},
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
    if own is DateCheck.AGREE:
        dates = f"air date agrees: Trakt {aired} / Bangumi {airdate} (JST broadcast day)"
    elif own is DateCheck.DISAGREE:
        dates = f"air date disagrees: Trakt {aired} / Bangumi {airdate} (JST broadcast day)"
    else:
        dates = "no air date to compare"
    evidence = [*seg.evidence, where, dates]
    if seg.fixed_confidence is not None:
        score = seg.fixed_confidence
    else:
        score = confidence(seg.prior, own, seg.agree, seg.disagree, seg.numbering)
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
        [{"subject_id": seg.subject_id, "name": seg.name, "score": score, "why_rejected": why}],
        confidence=score,
        evidence=evidence,
    )
