"""The dialogue of ``trakt-sync unmatched --fix``: for each unmatched show season, show the
candidates with their evidence, take a choice, confirm, write it as ``map add`` does and
resolve again. The decisions and data are :mod:`trakt_sync.unmatched_fix`'s."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.output import out_console
from trakt_sync.cli.state import CliState
from trakt_sync.i18n import N_, _, is_chinese
from trakt_sync.reason_text import shown_reason
from trakt_sync.words import subject_type_word

if TYPE_CHECKING:
    from trakt_sync.runtime import Runtime
    from trakt_sync.unmatched_fix import FixGroup

HELP = N_(
    "a number picks a candidate · a subject id (e.g. 373267) · /WORDS searches Bangumi\n"
    "i: ignore this show season · s: skip · q: quit"
)


class Quit(Exception):
    pass


def run(state: CliState) -> None:
    """Walk through every unmatched group; refuse without a terminal."""
    from trakt_sync.unmatched_fix import fix_groups

    if not sys.stdin.isatty():
        raise BadValue.said(
            N_(
                "--fix asks questions and needs a terminal; without one use "
                "`trakt-sync search TITLE` and `trakt-sync map add`"
            ),
            param_hint="--fix",
        )
    console = out_console()
    with state.runtime() as rt:
        groups = fix_groups(rt.store)
        if not groups:
            console.print(_("No unmatched plays."))
            return
        fixed = 0
        try:
            for index, group in enumerate(groups, 1):
                fixed += _one(rt, group, index, len(groups))
        except Quit:
            pass
    console.print(
        _("{count} mapping(s) added; `trakt-sync sync` marks the plays they matched.").format(
            count=fixed
        )
    )


def _say(text: str, indent: int = 2) -> None:
    """A line of prose; on a terminal wrapped between words, under its indent."""
    from rich.padding import Padding
    from rich.text import Text

    console = out_console()
    if console.is_terminal:
        console.print(Padding(Text(text), (0, 0, 0, indent), expand=False), soft_wrap=False)
    else:
        console.print(" " * indent + text, markup=False)


def _help() -> None:
    for line in _(HELP).splitlines():
        _say(line)


def _ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:  # end of input
        raise Quit
    return line.strip()


def _title(group: FixGroup) -> str:
    if group.season is None:
        return _("{title} (film)").format(title=group.title)
    episodes = ", ".join(f"E{n}" for n in group.episodes[:12])
    more = "…" if len(group.episodes) > 12 else ""
    return _("{title} season {season}: {episodes} ({plays} play(s))").format(
        title=group.title, season=group.season, episodes=episodes + more, plays=group.plays
    )


def _one(rt: Runtime, group: FixGroup, index: int, total: int) -> int:
    """1 when a mapping was added for ``group``."""
    from trakt_sync.unmatched_fix import candidates

    console = out_console()
    console.print(f"\n[{index}/{total}] {_title(group)}", markup=False)
    _say(_("why: {reason}").format(reason=shown_reason(_without_hint(group.reason))))
    rows = candidates(rt, group)
    _show(rows)
    _help()
    while True:
        answer = _ask("> ")
        if answer in ("", "s"):
            return 0
        if answer == "q":
            raise Quit
        if answer == "i":
            return _confirm_and_add(rt, group, None, "ignore")
        if answer.startswith("/"):
            rows = candidates(rt, group, answer[1:].strip() or group.title)
            _show(rows)
            continue
        if answer.isdigit():
            chosen = _pick(rt, group, rows, int(answer))
            if chosen is not None:
                return _confirm_and_add(rt, group, chosen["id"], _name(chosen))
            continue
        _help()


def _pick(
    rt: Runtime, group: FixGroup, rows: list[dict[str, Any]], number: int
) -> dict[str, Any] | None:
    from trakt_sync.unmatched_fix import subject

    if 1 <= number <= len(rows):
        return rows[number - 1]
    found = subject(rt, group, number)
    if found is None:
        out_console().print("  " + _("Bangumi has no subject {id}").format(id=number), markup=False)
        return None
    _show([found], numbered=False)
    return found


def _show(rows: list[dict[str, Any]], numbered: bool = True) -> None:
    console = out_console()
    if not rows:
        console.print(
            "  " + _("no candidates: search with /WORDS or give a subject id"), markup=False
        )
    for number, row in enumerate(rows, 1):
        facts = " · ".join(
            fact
            for fact in (
                row["type_name"] and subject_type_word(row["type_name"]),
                row["platform"],
                row["date"],
                row["eps"] and _("{count} eps").format(count=row["eps"]),
            )
            if fact
        )
        lead = f"  {number:>2}) " if numbered else "      "
        shown = f"{lead}{row['id']}  " + _("{name}  ({facts})").format(name=_name(row), facts=facts)
        console.print(shown, markup=False)
        for fact in row["evidence"]:
            _say(f"- {fact}", 8)
        console.print(f"        {row['url']}", markup=False)


def _name(row: dict[str, Any]) -> str:
    """Both names, the reader's own first, as ``search`` prints them."""
    names = (row["name_cn"], row["name"]) if is_chinese() else (row["name"], row["name_cn"])
    return " / ".join(name for name in names if name)


def _without_hint(reason: str) -> str:
    """The matcher's reason without its `map add` hint: the dialogue is the way to add it."""
    return reason.partition("; add one with `")[0]


def _confirm_and_add(rt: Runtime, group: FixGroup, subject_id: int | None, name: str) -> int:
    from trakt_sync.unmatched_fix import apply_fix, override_for, resolve_again

    console = out_console()
    override = override_for(group, subject_id)
    command = f"trakt-sync map add {override.show} {override.spec} {subject_id or 'ignore'}"
    console.print(f"  {override.describe(_)}  ({name})", markup=False)
    console.print("  " + _("the same as: {command}").format(command=command), markup=False)
    if _ask("  " + _("add it? [y/N] ")).lower() not in ("y", "yes", _("y")):
        console.print("  " + _("not added"), markup=False)
        return 0
    try:
        retried = apply_fix(rt, override)
    except ValueError as exc:
        _say(_("not added: {why}").format(why=shown_reason(str(exc))))
        return 0
    console.print(
        "  " + _("added; {count} play(s) to resolve again").format(count=retried), markup=False
    )
    result = resolve_again(rt, group)
    reason = shown_reason(result["reason"] or "")
    if not result["resolved"]:
        _say(_("not resolved now: {reason}").format(reason=reason))
    elif result["unmatched"]:
        _say(_("still unmatched: {reason}").format(reason=reason))
    else:
        console.print(
            "  " + _("resolved: every play matched; the next sync marks them"), markup=False
        )
    return 1
