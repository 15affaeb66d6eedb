"""Output manners: data on stdout, everything else on stderr; ``--json`` is one document."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trakt_sync.i18n import _
from trakt_sync.timeutil import clock, relative

if TYPE_CHECKING:
    from rich.console import Console

JsonOption = Annotated[bool, typer.Option("--json", help=_("Print one JSON document on stdout."))]


@cache
def err_console() -> Console:
    from rich.console import Console  # only when output is styled: `--help` stays light

    return Console(stderr=True)


@cache
def out_console() -> Console:
    from rich.console import Console

    # soft_wrap: long lines (reasons, URLs, commands to copy) are never broken by Rich.
    return Console(highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def examples(*lines: str) -> str:
    """A command's help epilog: example command lines, kept as written (``\\b``)."""
    head = _("Examples:") if len(lines) > 1 else _("Example:")
    return "\b\n" + head + "\n" + "\n".join(f"  {line}" for line in lines)


def note(message: str) -> None:
    """A line for the person at the terminal (stderr)."""
    print(message, file=sys.stderr)


def local_time(moment: datetime, now: datetime) -> str:
    """``2026-12-01 14:02 CST (2 h ago)``: local time, then how long ago or until."""
    shown = moment.astimezone()
    stamp = clock(shown, today=shown.date() == now.astimezone().date())
    return _("{time} ({relative})").format(time=stamp, relative=relative(moment - now))


def bangumi_line(bangumi: dict[str, Any]) -> str:
    """Who the Bangumi token is of, where it comes from, and what to change when refused."""
    origin = bangumi.get("origin")
    if origin is None:
        if bangumi["authenticated"]:
            return _("logged in as {user}").format(user=bangumi["username"])
        return _("not logged in (run `trakt-sync auth bangumi`)")
    check = bangumi.get("check")
    if check is not None and not check["ok"]:
        return _("the token from {origin} was refused: {error}").format(
            origin=origin, error=check["error"]
        )
    if bangumi["username"]:
        return _("logged in as {user} (token from {origin})").format(
            user=bangumi["username"], origin=origin
        )
    return _("token from {origin}, not checked yet (`trakt-sync auth status` checks it)").format(
        origin=origin
    )
