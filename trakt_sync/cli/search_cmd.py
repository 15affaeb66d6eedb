"""``trakt-sync search TITLE``: Bangumi subjects by title, with the id `map add` wants."""

from __future__ import annotations

from typing import Annotated

import typer

from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.output import JsonOption, out_console
from trakt_sync.cli.state import CliState
from trakt_sync.i18n import N_, _, is_chinese
from trakt_sync.words import subject_type_word

_KINDS = {"anime": [2], "real": [6], "all": [2, 6]}


def search(
    ctx: typer.Context,
    title: Annotated[
        list[str], typer.Argument(help=_("Words of the title (any language)."), metavar="TITLE")
    ],
    as_json: JsonOption = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=20, metavar="N", help=_("At most N (≤ 20)."))
    ] = 10,
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="YYYY", help=_("Only subjects first aired that year.")),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--type",
            metavar="anime|real|all",
            help=_("anime, real (live action) or all of both."),
        ),
    ] = "all",
) -> None:
    """Search Bangumi for subjects: id, type, air date, episodes and link.

    The id is what `trakt-sync map add` and the unmatched hints call the Bangumi subject id.
    """
    from trakt_sync.subject_search import search_subjects

    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    if kind not in _KINDS:
        raise BadValue.said(
            N_("not one of {kinds}: {kind}"),
            kinds=", ".join(_KINDS),
            kind=repr(kind),
            param_hint="--type",
        )
    text = " ".join(title)
    with state.runtime() as rt:
        client = rt.bangumi_client(None)  # a search needs no login
        try:
            rows = search_subjects(client, text, limit=limit, types=_KINDS[kind], year=year)
        except ValueError as exc:
            raise BadValue.of(exc, param_hint="TITLE") from None
        finally:
            client.close()
    if as_json:
        state.emit_json({"query": text, "results": rows})
        return
    console = out_console()
    if not rows:
        console.print(
            _("No Bangumi subject found for {text}.").format(text=repr(text)), markup=False
        )
        return
    for row in rows:
        first, second = (
            (row["name_cn"], row["name"]) if is_chinese() else (row["name"], row["name_cn"])
        )
        names = " / ".join(name for name in (first, second) if name)
        facts = [
            subject_type_word(row["type_name"]) if row["type_name"] else "?",
            row["platform"] or "",
            row["date"] or _("date unknown"),
            _("{count} eps").format(count=row["eps"]) if row["eps"] else "",
        ]
        console.print(f"{row['id']:>7}  {names}", markup=False)
        console.print(
            "         " + " · ".join(fact for fact in facts if fact) + f"  {row['url']}",
            markup=False,
        )
