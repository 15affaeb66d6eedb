"""Output manners: data on stdout, everything else on stderr; ``--json`` is one document."""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


@cache
def err_console() -> Console:
    from rich.console import Console  # only when output is styled: `--help` stays light

    return Console(stderr=True)


@cache
def out_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def note(message: str) -> None:
    """A line for the person at the terminal (stderr)."""
    print(message, file=sys.stderr)
