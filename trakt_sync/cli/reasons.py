"""Reasons as a person reads them: prose wrapped at word boundaries on a terminal, and the
command a reason suggests on a line of its own, whole, so it can be copied and never breaks
mid-word."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

from trakt_sync.i18n import _, is_chinese

if TYPE_CHECKING:
    from rich.console import Console

# A suggested command closing the reason: "…; add one with `trakt-sync map add …`".
_TRAILING_COMMAND = re.compile(
    r"^(?P<prose>.*?)[\s:]*`(?P<command>trakt-sync [^`]+)`(?P<tail>[.)]*)$"
)
# One inside it, then a condition: "…; add `trakt-sync map add …` if it belongs on Bangumi".
_INNER_COMMAND = re.compile(
    r"^(?P<prose>.*?);\s*add `(?P<command>trakt-sync [^`]+)` (?P<condition>if [^`;]+?)\.?$"
)


def labelled(label: str, reason: str) -> str:
    """``label: reason`` (``label：reason`` in Chinese)."""
    return _("{label}: {reason}").format(label=label, reason=reason)


def split_command(reason: str) -> tuple[str, str | None]:
    """(the prose, the command it ends with) — or (reason, None)."""
    match = _TRAILING_COMMAND.match(reason.strip())
    if match is None:
        inner = _INNER_COMMAND.match(reason.strip())
        if inner is None:
            return reason, None
        # Said the other way round, so that the command can close it.
        return f"{inner['prose']}; {inner['condition']}, add it with:", inner["command"]
    prose = match["prose"].rstrip(" ;,；，：")
    colon = "：" if is_chinese() else ":"
    return f"{prose}{match['tail']}{colon}", match["command"]


def print_reason(console: Console, indent: int, text: str) -> None:
    """``text`` (a label and its reason) indented by ``indent``; a closing command on the
    next line, two columns deeper where the terminal is wide enough."""
    from rich.padding import Padding
    from rich.text import Text

    prose, command = split_command(text)
    if console.is_terminal:
        console.print(Padding(Text(prose), (0, 0, 0, indent), expand=False), soft_wrap=False)
    else:  # a pipe or a file: one line per reason, for grep
        console.print(" " * indent + prose, markup=False, highlight=False)
    if command:
        # Less indent rather than a command that wraps: it is there to be copied whole.
        pad = indent + 2
        if console.is_terminal:
            pad = max(0, min(pad, console.width - len(command)))
        console.print(" " * pad + command, markup=False, highlight=False, soft_wrap=True)


def group_plays(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Plays of one show season with the same reason as one (label, reason), in order."""
    groups: dict[tuple[Any, Any, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["media_title"], row["season"], row["reason"] or ""), []).append(row)
    result = []
    for (title, season, reason), members in groups.items():
        if members[0]["kind"] != "episode":
            result.append((str(title), reason))
            continue
        numbers = sorted({row["number"] for row in members})
        result.append((f"{title} S{season:02d}{episode_ranges(numbers, width=2)}", reason))
    return result


def episode_ranges(numbers: list[int], width: int = 1) -> str:
    """``[1, 2, 3, 5]`` → ``E1–E3, E5`` (``E01–E03, E05`` with ``width`` 2)."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(
        f"E{run[0]:0{width}d}" + (f"–E{run[-1]:0{width}d}" if len(run) > 1 else "") for run in runs
    )


def error_text(message: str) -> str:
    """``trakt-sync: MESSAGE`` for stderr, as :func:`for_stderr` lays it out."""
    return for_stderr(f"trakt-sync: {message}")


def for_stderr(line: str) -> str:
    """A line for stderr: on a terminal too narrow for it, wrapped between words, with a
    command the line ends with on a line of its own so that it never breaks mid-word;
    elsewhere (a log, a pipe) one line, for grep."""
    if not sys.stderr.isatty():
        return line
    import shutil
    import textwrap

    width = shutil.get_terminal_size().columns
    if len(line) <= width:
        return line
    prose, command = split_command(line)
    wrapped = textwrap.fill(
        prose, width=width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
    )
    return wrapped + (f"\n  {command}" if command else "")
