"""Decide what to send to Bangumi for one subject. Pure: data in, plan out, no I/O.

Rules (matching.md "Marking semantics"): a subject not collected becomes 在看
(doing); 想看 (wish) and 搁置 (on hold) move to 在看; 看过 (done) and 抛弃
(dropped) are left alone; episodes already marked are not sent again; a subject
whose main episodes are all watched becomes 看过; a film becomes 看过 with its main
episode(s) marked too (otherwise Bangumi shows its progress as 0/1). Nothing is
ever un-marked, and a subject is never collected unless something is marked in
the same run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trakt_sync.i18n import N_, english
from trakt_sync.models import (
    COLLECTION_DOING,
    COLLECTION_DONE,
    COLLECTION_DROPPED,
    COLLECTION_ON_HOLD,
    COLLECTION_WISH,
    EP_MARK_DONE,
)

if TYPE_CHECKING:
    from trakt_sync.extras import ExtrasChange

# The collection types as a Bangumi user reads them, in one word.
COLLECTION_WORDS = {
    None: N_("not collected"),
    COLLECTION_WISH: "想看",
    COLLECTION_DONE: "看过",
    COLLECTION_DOING: "在看",
    COLLECTION_ON_HOLD: "搁置",
    COLLECTION_DROPPED: "抛弃",
}
COLLECTION_NAMES = {
    None: N_("not collected"),
    COLLECTION_WISH: N_("想看 wish"),
    COLLECTION_DONE: N_("看过 done"),
    COLLECTION_DOING: N_("在看 doing"),
    COLLECTION_ON_HOLD: N_("搁置 on hold"),
    COLLECTION_DROPPED: N_("抛弃 dropped"),
}
_LEFT_ALONE = (COLLECTION_DONE, COLLECTION_DROPPED)


@dataclass
class SubjectPlan:
    subject_id: int
    is_movie: bool
    current_type: int | None
    # POSTed before the episode PATCH (a PATCH needs the subject collected first).
    collect_before: int | None = None
    episodes_to_mark: list[int] = field(default_factory=list)
    already_marked: list[int] = field(default_factory=list)
    # POSTed after the PATCH when the marks complete the subject.
    collect_after: int | None = None
    play_ids: list[int] = field(default_factory=list)
    # Episode id → its number as Bangumi shows it (sort), for people reading the plan.
    labels: dict[int, str] = field(default_factory=dict)
    # From the Trakt ratings and watchlist (extras.py): the rating to send (None: keep
    # ``current_rate``), whether 想看 comes from the watchlist, whether the collection
    # is created private, and whether a rating waits for the subject to be collected.
    current_rate: int = 0
    rate: int | None = None
    wish: bool = False
    private: bool = False
    rating_waits: bool = False
    # The subject's name on Bangumi, for people reading the plan ("" when unknown).
    name: str = ""
    name_cn: str = ""  # its Chinese name, shown instead to a person reading Chinese

    @property
    def collection_after(self) -> int | None:
        """The collection type once the plan is carried out."""
        if self.collect_after is not None:
            return self.collect_after
        if self.collect_before is not None:
            return self.collect_before
        return self.current_type

    def episode_numbers(self, episode_ids: list[int]) -> list[str]:
        """Episode numbers as Bangumi shows them (never its episode ids)."""
        return [self.labels.get(eid, "?") for eid in episode_ids]

    def headline(self, say: Callable[[str], str] = english) -> str:
        """What the plan does, as a Bangumi user says it: ``ep 1–12 → 看过``,
        ``+3 (ep 16–18) 在看``, ``→ 看过`` for a film; then a rating or privacy change.
        ``say`` translates (``i18n._``); the default keeps the English of ``--json``."""
        extras = []
        if self.rate is not None:
            before = self.current_rate or say("none")
            extras.append(say("rating {before} → {rate}").format(before=before, rate=self.rate))
        elif self.rating_waits:
            extras.append(say("rating waits until collected"))
        if self.private:
            extras.append(say("private"))
        return say("; ").join([self._marks_headline(say), *extras])

    def _marks_headline(self, say: Callable[[str], str]) -> str:
        after = say(COLLECTION_WORDS[self.collection_after])
        changed = self.collection_after != self.current_type
        if self.episodes_to_mark and not self.is_movie:  # a film's one episode goes unsaid
            episodes = say("ep {numbers}").format(
                numbers=number_ranges(self.episode_numbers(self.episodes_to_mark))
            )
            if changed and self.collection_after == COLLECTION_DONE:
                return f"{episodes} → {after}"
            return say("+{count} ({episodes}) {after}").format(
                count=len(self.episodes_to_mark), episodes=episodes, after=after
            )
        if changed:
            return f"→ {after}"
        if self.episodes_to_mark:  # a film collected earlier without its episode
            return say("+{count} (its episode) {after}").format(
                count=len(self.episodes_to_mark), after=after
            )
        if self.already_marked:
            return say("already marked ({after})").format(after=after)
        return say("nothing to change ({after})").format(after=after)

    @property
    def writes(self) -> int:
        return (
            (self.collect_before is not None)
            + bool(self.episodes_to_mark)
            + (self.collect_after is not None)
            + (self.rate is not None and self.collect_before is None)
        )

    def with_extras(self, change: ExtrasChange, current_rate: int) -> SubjectPlan:
        """This plan with the list-driven changes: the rating rides on the first POST."""
        self.current_rate = current_rate
        if change.wish:
            self.collect_before = COLLECTION_WISH
        self.wish, self.rate, self.private = change.wish, change.rate, change.private
        self.rating_waits = not change.settled
        return self

    def describe(self, say: Callable[[str], str] = english) -> list[str]:
        names = {key: say(name) for key, name in COLLECTION_NAMES.items()}
        lines = []
        if self.collect_before is not None:
            lines.append(
                say("collection: {before} → {after}").format(
                    before=names[self.current_type], after=names[self.collect_before]
                )
            )
        if self.episodes_to_mark:
            lines.append(
                say("mark {count} episode(s) watched: ep {numbers}").format(
                    count=len(self.episodes_to_mark),
                    numbers=number_ranges(self.episode_numbers(self.episodes_to_mark)),
                )
            )
        if self.already_marked:
            lines.append(
                say("{count} episode(s) already marked").format(count=len(self.already_marked))
            )
        if self.collect_after is not None:
            lines.append(
                say("collection → {after} (all watched)").format(after=names[self.collect_after])
            )
        if self.wish:
            lines.append(say("on the Trakt watchlist"))
        if self.private:
            lines.append(say("created private"))
        if self.rate is not None:
            before = self.current_rate or say("none")
            lines.append(say("rating: {before} → {rate}").format(before=before, rate=self.rate))
        if self.rating_waits:
            lines.append(say("Trakt rating waits until the subject is collected"))
        if not lines:
            lines.append(say("nothing to change ({after})").format(after=names[self.current_type]))
        return lines


def number_ranges(numbers: list[str]) -> str:
    """``1, 2, 3, 5`` → ``1–3, 5``: runs of whole numbers joined, anything else kept."""
    parts: list[str] = []
    run: list[int] = []

    def close() -> None:
        if run:
            parts.append(f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)))
            run.clear()

    for label in numbers:
        if label.isdigit():
            if run and int(label) != run[-1] + 1:
                close()
            run.append(int(label))
        else:
            close()
            parts.append(label)
    close()
    return ", ".join(parts)


def plan_subject(
    subject_id: int,
    *,
    is_movie: bool,
    watched: Iterable[tuple[int, int | None]],
    current_type: int | None,
    marks: dict[int, int],
    main_episode_ids: Sequence[int],
    complete_subjects: bool = True,
) -> SubjectPlan:
    """Plan one subject.

    ``watched`` holds (history id, Bangumi episode id or None for a film); ``marks``
    is the user's current episode marks; ``main_episode_ids`` all type-0 episodes.
    """
    watched = list(watched)
    plan = SubjectPlan(subject_id, is_movie, current_type, play_ids=[hid for hid, _ in watched])
    episode_ids = sorted({eid for _, eid in watched if eid is not None})

    if is_movie:
        # A film is watched whole: all of its main episodes, collected as 看过 before the
        # PATCH (which needs the subject collected) so no second POST is needed.
        episode_ids = sorted(set(episode_ids) | set(main_episode_ids))
        plan.already_marked = [eid for eid in episode_ids if marks.get(eid) == EP_MARK_DONE]
        plan.episodes_to_mark = [eid for eid in episode_ids if marks.get(eid) != EP_MARK_DONE]
        if current_type not in _LEFT_ALONE:
            plan.collect_before = COLLECTION_DONE
        return plan

    plan.already_marked = [eid for eid in episode_ids if marks.get(eid) == EP_MARK_DONE]
    plan.episodes_to_mark = [eid for eid in episode_ids if marks.get(eid) != EP_MARK_DONE]
    if not plan.episodes_to_mark:
        return plan

    done_after = {eid for eid, mark in marks.items() if mark == EP_MARK_DONE}
    done_after.update(plan.episodes_to_mark)
    complete = (
        complete_subjects
        and bool(main_episode_ids)
        and all(eid in done_after for eid in main_episode_ids)
    )
    if current_type is None or current_type in (COLLECTION_WISH, COLLECTION_ON_HOLD):
        # Completing straight away saves the second POST.
        plan.collect_before = COLLECTION_DONE if complete else COLLECTION_DOING
    elif current_type == COLLECTION_DOING and complete:
        plan.collect_after = COLLECTION_DONE
    return plan
