"""Reasons on the terminal: the command a reason suggests on a line of its own, in English
as in Chinese, also when the English sentence says it before a condition."""

from __future__ import annotations

import io

from rich.console import Console

from trakt_sync.cli.reasons import labelled, print_reason, split_command
from trakt_sync.matching.overrides import map_add_command
from trakt_sync.reason_text import shown_reason

# As matching/season.py words a show that is not anime.
NOT_ANIME = (
    "not anime: no id source knows 'Breaking Bad' and its Trakt genres "
    "(drama, crime) are not anime/donghua/animation; "
    f"add `{map_add_command('trakt:1388', 1)}` if it belongs on Bangumi"
)


def _printed(text: str) -> list[str]:
    out = io.StringIO()
    print_reason(Console(file=out, width=200, force_terminal=False), 0, text)
    return out.getvalue().splitlines()


def test_a_command_before_a_condition_gets_its_own_line_in_english() -> None:
    lines = _printed(labelled("Breaking Bad season 1 E1–E2", NOT_ANIME))
    assert lines == [
        "Breaking Bad season 1 E1–E2: not anime: no id source knows 'Breaking Bad' and its "
        "Trakt genres (drama, crime) are not anime/donghua/animation; if it belongs on "
        "Bangumi, add it with:",
        "  trakt-sync map add trakt:1388 S1 <bangumi subject id>",
    ]


def test_a_reason_without_a_command_is_left_whole() -> None:
    assert split_command("not anime: its Trakt genres are drama") == (
        "not anime: its Trakt genres are drama",
        None,
    )


def test_the_same_reason_in_chinese_has_the_command_on_its_own_line_too(
    chinese: None,
) -> None:
    lines = _printed(labelled("Breaking Bad 第 1 季 E1–E2", shown_reason(NOT_ANIME)))
    assert len(lines) == 2, lines
    assert lines[0].startswith("Breaking Bad 第 1 季 E1–E2：不是动画：")
    assert lines[0].endswith("如果它应在 Bangumi 上，请添加：")
    assert lines[1] == "  trakt-sync map add trakt:1388 S1 <bangumi subject id>"
