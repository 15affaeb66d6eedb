"""The planner decides every Bangumi write; it is pure, so it is tested without I/O."""

from trakt_sync.models import (
    COLLECTION_DOING,
    COLLECTION_DONE,
    COLLECTION_DROPPED,
    COLLECTION_ON_HOLD,
    COLLECTION_WISH,
)
from trakt_sync.planner import number_ranges, plan_subject

MAIN = [101, 102, 103]


def plan(watched, current=None, marks=None, main=MAIN, movie=False, complete=True):
    return plan_subject(
        7,
        is_movie=movie,
        watched=watched,
        current_type=current,
        marks=marks or {},
        main_episode_ids=main,
        complete_subjects=complete,
    )


def test_uncollected_subject_becomes_doing_and_marks_new_episodes() -> None:
    p = plan([(1, 101), (2, 102)])
    assert p.collect_before == COLLECTION_DOING
    assert p.episodes_to_mark == [101, 102]
    assert p.collect_after is None
    assert p.play_ids == [1, 2]


def test_already_marked_episodes_are_not_sent_again() -> None:
    p = plan([(1, 101), (2, 102)], current=COLLECTION_DOING, marks={101: 2, 102: 0})
    assert p.episodes_to_mark == [102]
    assert p.already_marked == [101]
    assert p.collect_before is None


def test_nothing_new_means_no_write_at_all() -> None:
    p = plan([(1, 101)], current=COLLECTION_DOING, marks={101: 2})
    assert p.writes == 0


def test_wish_and_on_hold_move_to_doing() -> None:
    for current in (COLLECTION_WISH, COLLECTION_ON_HOLD):
        assert plan([(1, 101)], current=current).collect_before == COLLECTION_DOING


def test_done_and_dropped_are_left_alone() -> None:
    for current in (COLLECTION_DONE, COLLECTION_DROPPED):
        p = plan([(1, 101), (2, 102), (3, 103)], current=current)
        assert p.collect_before is None and p.collect_after is None
        assert p.episodes_to_mark == [101, 102, 103]


def test_completing_a_doing_subject_moves_it_to_done_after_marking() -> None:
    p = plan([(1, 103)], current=COLLECTION_DOING, marks={101: 2, 102: 2, 103: 0})
    assert p.episodes_to_mark == [103]
    assert p.collect_after == COLLECTION_DONE


def test_completing_an_uncollected_subject_collects_it_done_in_one_write() -> None:
    p = plan([(1, 101), (2, 102), (3, 103)])
    assert p.collect_before == COLLECTION_DONE
    assert p.collect_after is None


def test_completion_can_be_switched_off() -> None:
    p = plan([(1, 101), (2, 102), (3, 103)], complete=False)
    assert p.collect_before == COLLECTION_DOING


def test_an_unknown_episode_list_never_completes_a_subject() -> None:
    assert plan([(1, 101)], main=[]).collect_before == COLLECTION_DOING


FILM_EP = [901]


def film(current=None, marks=None, main=FILM_EP, watched=((1, None),)):
    return plan(list(watched), current=current, marks=marks, main=main, movie=True)


def test_film_becomes_done_with_its_main_episode_marked_in_one_post_and_one_patch() -> None:
    p = film()
    # The POST comes first: an episode PATCH needs the subject collected.
    assert p.collect_before == COLLECTION_DONE
    assert p.episodes_to_mark == [901]
    assert p.collect_after is None
    assert p.writes == 2
    for current in (COLLECTION_WISH, COLLECTION_DOING, COLLECTION_ON_HOLD):
        p = film(current=current)
        assert (p.collect_before, p.episodes_to_mark) == (COLLECTION_DONE, [901])


def test_film_marks_all_its_main_episodes_and_a_resolved_episode_once() -> None:
    assert film(main=[901, 902]).episodes_to_mark == [901, 902]
    assert film(watched=[(1, 901), (2, None)]).episodes_to_mark == [901]


def test_film_already_done_and_marked_sends_nothing() -> None:
    p = film(current=COLLECTION_DONE, marks={901: 2})
    assert p.writes == 0
    assert p.already_marked == [901]


def test_film_done_or_dropped_keeps_its_collection_but_gets_its_episode_marked() -> None:
    # Collected 看过 by a version that did not mark films' episodes: progress 0/1 until now.
    for current in (COLLECTION_DONE, COLLECTION_DROPPED):
        p = film(current=current, marks={901: 0})
        assert p.collect_before is None and p.collect_after is None
        assert p.episodes_to_mark == [901]


def test_film_without_episodes_on_bangumi_is_only_collected() -> None:
    p = film(main=[])
    assert (p.collect_before, p.episodes_to_mark, p.writes) == (COLLECTION_DONE, [], 1)
    assert film(current=COLLECTION_DONE, main=[]).writes == 0


def test_describe_names_the_collection_change_and_episodes() -> None:
    p = plan([(1, 101)], current=COLLECTION_WISH)
    p.labels = {101: "7"}
    lines = p.describe()
    assert any("想看" in line and "在看" in line for line in lines)
    assert any("ep 7" in line for line in lines)
    assert not any("101" in line for line in lines)  # episode numbers, never Bangumi ids


def test_headline_reads_as_a_bangumi_user_says_it() -> None:
    done = plan([(n, 100 + n) for n in (1, 2, 3)], main=[101, 102, 103])
    done.labels = {101: "1", 102: "2", 103: "3"}
    assert done.headline() == "ep 1–3 → 看过"
    doing = plan(
        [(1, 116), (2, 117), (3, 118)], current=COLLECTION_DOING, main=[116, 117, 118, 119]
    )
    doing.labels = {116: "16", 117: "17", 118: "18"}
    assert doing.headline() == "+3 (ep 16–18) 在看"
    assert plan([(1, None)], movie=True).headline() == "→ 看过"


def test_number_ranges_joins_runs_of_whole_numbers() -> None:
    assert number_ranges(["1", "2", "3", "5", "7", "8", "12.5"]) == "1–3, 5, 7, 8, 12.5"
    assert number_ranges([]) == ""
