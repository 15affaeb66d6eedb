"""Release patterns injected by rule: Bangumi episode lists and the TMDB rows Trakt shows.

One Bangumi subject placed on a TMDB season is a *part*. ``synth_part`` writes its
Bangumi episodes (weekly from the item's begin day, a mid-season break now and then,
pre-air SPs) and the TMDB rows that cover it, with at most one *structural* pattern:

- ``batch``: web-first release, TMDB gives every episode one date far from the TV run;
- ``recap``: TMDB counts a recap as a regular episode where Bangumi has an SP (sort x.5);
- ``half-recap``: Bangumi lists the recap as a *main* episode with a half sort (ちょびっツ,
  12: sort 8.5, the API's ``ep`` 8.5 too), and TMDB counts it or not (half each);
- ``premiere-tmdb`` / ``premiere-bangumi``: a double-length premiere split in two on
  one side only.

``shift_dates`` then adds the date patterns to untouched rows: ``null-date`` and
``day-early`` / ``day-late``; ``bangumi_dates`` writes a subject's air dates as Bangumi's
wiki sometimes does: ``DD.MM.YYYY`` after the first episode (``bgm-dotted``) or not at all
(``bgm-undated``; with a half-sort recap ``half-recap-undated``: the plays after it have no
date to say where they go and must be left alone). Every row carries the Bangumi episode
it should become (or ``NO_MARK``) and the pattern that touched the row itself (``clean``
when none did; the recap's earlier episodes stay ``clean``, for example). A season has
one pattern.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

STRUCTURAL = ("batch", "recap", "half-recap", "premiere-tmdb", "premiere-bangumi")
# Season-level pattern weights; structural ones need an eligible last part.
SEASON_PATTERNS = (
    ("clean", 0.30),
    ("batch", 0.10),
    ("recap", 0.12),
    ("premiere", 0.12),
    ("null-date", 0.14),
    ("day-off", 0.22),
)
RECAP_NAME = "総集編「これまでの物語」"


@dataclass(frozen=True)
class Target:
    """The Bangumi episode a play should become; ``NO_MARK`` when nothing may be marked.

    ``ep_label`` is the episode as the matcher names it ("ep 3 (sort 15)", "SP sort 6.5"),
    so an unmarked best guess in a reason can be checked too.
    """

    subject: int | None = None
    episode: int | None = None
    ep_label: str = ""
    # Other episodes that are as right (a one-hour premiere Bangumi lists as ep 1 and 2).
    also: tuple[tuple[int, str], ...] = ()

    def accepts(self, episode: int | None) -> bool:
        return episode == self.episode or any(episode == e for e, _ in self.also)

    def names(self, text: str) -> bool:
        """True when ``text`` (a reason or evidence line) names one of the episodes."""
        labels = (self.ep_label, *(label for _, label in self.also))
        return any(f"→ {label} of " in text for label in labels)

    @property
    def marks(self) -> bool:
        return self.subject is not None

    def __str__(self) -> str:
        if self.subject is None:
            return "no mark"
        return f"{self.subject}" + (f" {self.ep_label}" if self.ep_label else "")


NO_MARK = Target()


@dataclass(frozen=True)
class Row:
    """One TMDB episode: its Japanese broadcast day as Trakt has it (None: no date)."""

    day: date | None
    title: str
    target: Target
    pattern: str = "clean"
    original_title: str | None = None


@dataclass
class Part:
    episodes: list[dict[str, Any]]
    rows: list[Row]
    structural: str | None = None  # the pattern applied (None when the part was too short)


def _sort_text(sort: float) -> str:
    return str(int(sort)) if float(sort).is_integer() else str(sort)


def episode(sid: int, eid: int, kind: int, sort: float, ep: int, day: date, name: str) -> dict:
    return {
        "id": eid,
        "type": kind,
        "name": name,
        "name_cn": "",
        "sort": sort,
        "ep": ep,
        "airdate": day.isoformat(),
        "subject_id": sid,
    }


def main_target(e: dict[str, Any]) -> Target:
    return Target(e["subject_id"], e["id"], f"ep {e['ep']} (sort {_sort_text(e['sort'])})")


def sp_target(e: dict[str, Any]) -> Target:
    kind = "recap" if e["type"] == 0 else "SP"  # a half-sort main recap: BgmEp.label
    return Target(e["subject_id"], e["id"], f"{kind} sort {_sort_text(e['sort'])}")


def broadcast_days(begin: date, count: int, pause: int, every: int = 7) -> list[date]:
    """Every ``every`` days from ``begin``, ``pause`` weeks off after the middle episode."""
    days, day = [], begin
    for ep in range(1, count + 1):
        days.append(day)
        day += timedelta(days=every)
        if pause and ep == count // 2:
            day += timedelta(days=7 * pause)
    return days


def synth_part(
    sid: int,
    begin: date,
    count: int,
    sort_start: int,
    structural: str | None,
    rng: random.Random,
    *,
    latest: date | None = None,
    flexible: bool = True,
    every: int = 7,
    quirks: random.Random | None = None,
) -> Part:
    """Bangumi episodes of one subject and the TMDB rows for it (see module doc).

    A quarter of longer runs pause 1–3 weeks mid-season and a recap takes a week; the
    run still ends by ``latest`` (the item's end, or the next season's start): a
    ``flexible`` part (no id key fixes its length) loses episodes for it, a fixed one
    skips the pause. ``every`` 0 is a web drop (every episode one day), 1 a daily run:
    they neither pause nor take structural patterns.
    """
    if every != 7:
        structural = None
    pause = rng.choice((1, 2, 3)) if every == 7 and count >= 8 and rng.random() < 0.25 else 0
    recaps = structural in ("recap", "half-recap")
    extra = pause + recaps
    if latest is not None and begin + timedelta(days=7 * (count - 1 + extra)) > latest:
        if flexible:
            count = max(count - extra, 1)
        else:
            pause = 0
    if recaps and count < 4:
        structural = None
    if structural in ("premiere-tmdb", "premiere-bangumi") and count < 2:
        structural = None
    days = broadcast_days(begin, count, pause, every)
    recap_at = rng.randint(2, count - 1) if structural in ("recap", "half-recap") else None
    # a half-sort main recap: does TMDB count it? (drawn apart, so the other draws stay)
    counted = structural != "half-recap" or (quirks or rng).random() < 0.5
    if recap_at is not None:  # the recap takes a week: later episodes air a week later
        days = days[: recap_at - 1] + [d + timedelta(days=7) for d in days[recap_at - 1 :]]
    if structural == "premiere-bangumi":  # Bangumi lists the one-hour premiere as ep 1 + 2
        days = [days[0], *days]
    mains = [
        episode(sid, sid * 1000 + k, 0, sort_start + k - 1, k, d, f"第{k}話")
        for k, d in enumerate(days, start=1)
    ]
    extras = []
    if rng.random() < 0.15:  # a pre-air special, sort 0
        extras.append(episode(sid, sid * 1000 + 900, 1, 0, 0, begin - timedelta(days=7), "特番"))
    recap_sp = None
    if recap_at is not None:
        sort = sort_start + recap_at - 2 + 0.5
        recap_day = days[recap_at - 2] + timedelta(days=7)
        name = f"第{sort}話 {RECAP_NAME}"
        if structural == "half-recap":  # a main episode; the server's ep = sort - first + 1
            recap_sp = episode(sid, sid * 1000 + 901, 0, sort, 0, recap_day, name)
            recap_sp["ep"] = sort - sort_start + 1
        else:
            recap_sp = episode(sid, sid * 1000 + 901, 1, sort, 0, recap_day, name)
        extras.append(recap_sp)

    rows: list[Row] = []
    tag = structural or ("web-drop" if every == 0 else "clean")
    if structural == "premiere-tmdb":  # TMDB splits the double-length ep 1 in two
        first = main_target(mains[0])
        rows += [Row(days[0], "Episode 1", first, tag), Row(days[0], "Episode 2", first, tag)]
        rows += [Row(e_day(e), "", main_target(e), tag) for e in mains[1:]]
    elif structural == "premiere-bangumi":
        first, second = main_target(mains[0]), main_target(mains[1])
        first = replace(first, also=((second.episode or 0, second.ep_label),))
        rows.append(Row(days[0], "", first, tag))
        rows += [Row(e_day(e), "", main_target(e), tag) for e in mains[2:]]
    else:
        for e in mains:
            if recap_sp is not None and e["ep"] == recap_at:
                # mapped to the SP only when its title says recap too (else left alone)
                titled = rng.random() < 0.5
                target = sp_target(recap_sp) if titled else NO_MARK
                original = RECAP_NAME if titled else None
                # untitled: TMDB shows a plain "Episode n", nothing says recap
                title = "Recap" if titled else ""
                if counted:
                    rows.append(Row(e_day(recap_sp), title, target, tag, original))
            touched = recap_at is None or e["ep"] >= recap_at
            rows.append(Row(e_day(e), "", main_target(e), tag if touched else "clean"))
    if structural == "batch":
        batch_day = _batch_day(days, rng)
        rows = [replace(r, day=batch_day, pattern="batch") for r in rows]
    return Part(mains + extras, rows, structural)


def e_day(e: dict[str, Any]) -> date:
    return date.fromisoformat(e["airdate"])


def _batch_day(days: list[date], rng: random.Random) -> date:
    """A streaming date weeks before the TV run or months after it, near no TV date."""
    while True:
        if rng.random() < 0.4:
            day = days[0] - timedelta(days=rng.randint(7, 60))
        else:
            day = days[-1] + timedelta(days=rng.randint(7, 200))
        if all(abs((day - d).days) > 2 for d in days):
            return day


def shift_dates(rows: list[Row], pattern: str, rng: random.Random) -> list[Row]:
    """``null-date``: some rows undated; ``day-off``: the whole season or single rows a day
    early or late. Only rows no structural pattern touched change."""
    clean = [k for k, r in enumerate(rows) if r.pattern == "clean" and r.day is not None]
    out = list(rows)
    if pattern == "null-date" and clean:
        picked = rng.sample(clean, max(1, round(len(clean) * rng.uniform(0.25, 0.6))))
        for k in picked:
            out[k] = replace(rows[k], day=None, pattern="null-date")
    elif pattern == "day-off" and clean:
        whole = rng.random() < 0.5
        season_shift = rng.choice((-1, 1))
        for k in clean:
            if not whole and rng.random() > 0.35:
                continue
            shift = season_shift if whole else rng.choice((-1, 1))
            day = rows[k].day
            assert day is not None
            tag = "day-late" if shift > 0 else "day-early"
            out[k] = replace(rows[k], day=day + timedelta(days=shift), pattern=tag)
    return out


# Share of seasons whose Bangumi air dates are written otherwise (issue 24's survey: 1 of
# 41 subjects DD.MM.YYYY, 4 of 41 empty; more here, to be seen in 20 worlds).
BANGUMI_DATE_RULES = (("iso", 0.80), ("dotted", 0.12), ("undated", 0.08))
P_HALF_RECAP = 0.5  # of the recap seasons, those whose recap Bangumi lists as a main episode


def bangumi_dates(episodes: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    """A subject's episodes with their air dates as ``rule`` says: ``dotted`` writes every
    one after the first main episode as DD.MM.YYYY (ちょびっツ), ``undated`` leaves them all
    empty; ``iso`` keeps them."""
    if rule == "iso":
        return episodes
    mains = sorted((e for e in episodes if e["type"] == 0), key=lambda e: e["sort"])
    first = mains[0]["id"] if mains else None
    out = []
    for e in episodes:
        day = e["airdate"]
        if rule == "undated":
            day = ""
        elif day and e["id"] != first:
            y, m, d = day.split("-")
            day = f"{d}.{m}.{y}"
        out.append({**e, "airdate": day})
    return out
