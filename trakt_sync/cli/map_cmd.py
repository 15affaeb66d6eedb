"""``trakt-sync map``: manual overrides that beat every automatic match."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.output import JsonOption, examples, note
from trakt_sync.cli.state import CliState
from trakt_sync.i18n import N_, _

if TYPE_CHECKING:
    from trakt_sync.matching.overrides import Override
    from trakt_sync.models import TraktIds
    from trakt_sync.runtime import Runtime

app = typer.Typer(
    help=_("Manual mappings: Trakt show/season/episodes or film → Bangumi subject, or ignore."),
    no_args_is_help=True,
    epilog=examples("trakt-sync map add trakt:185614 S2 373267", "trakt-sync map list"),
)


def _parse(show: str, args: list[str], start_ep: int) -> Override:
    from trakt_sync.mapping_ops import parse_override

    try:
        return parse_override(show, args, start_ep)
    except ValueError as exc:
        raise BadValue.of(exc) from None


@app.command(
    "add",
    short_help=_("Map a show, season, episodes or film to a subject."),
    help=_(
        "Add an override; the affected plays are retried on the next sync.\n\n"
        "The Bangumi subject and the Trakt show are read first, so that a wrong id is caught "
        "now (--offline skips that)."
    ),
    epilog=examples(
        "trakt-sync map add trakt:185614 S2 373267",
        "trakt-sync map add slug:some-show S1E13-E25 400602 --start-ep 1",
        "trakt-sync map add movie:tmdb:372058 ignore",
    ),
)
def add(
    ctx: typer.Context,
    show: Annotated[
        str,
        typer.Argument(
            help=_(
                "trakt:ID, a slug, a trakt.tv URL, tmdb:ID, or movie:trakt:ID, movie:SLUG, "
                "movie:tmdb:ID for a film"
            ),
            metavar="SHOW",
        ),
    ],
    args: Annotated[
        list[str],
        typer.Argument(
            help=_("episodes, optional (S2, S1E13-E25), then the Bangumi subject id, or ignore"),
            metavar="[EPISODES] SUBJECT_ID|ignore",
        ),
    ],
    start_ep: Annotated[
        int,
        typer.Option(
            "--start-ep",
            help=_("The subject's episode that the first Trakt episode maps to."),
            metavar="N",
        ),
    ] = 1,
    offline: Annotated[
        bool,
        typer.Option("--offline", help=_("Add without checking that the show and subject exist.")),
    ] = False,
) -> None:
    """Add an override; the affected plays are retried on the next sync.

    The Bangumi subject and the Trakt show are read first, so that a wrong id is caught
    now (--offline skips that). `trakt-sync search TITLE` finds a subject's id.
    """
    from trakt_sync.mapping_ops import add_checked

    override = _parse(show, args, start_ep)
    state: CliState = ctx.obj
    with state.runtime() as rt:
        try:
            added, retried, check = add_checked(
                rt.store, override, rt.cached_bangumi, rt.trakt, check=not offline
            )
        except ValueError as exc:
            raise BadValue.of(exc) from None
    template = (
        _("Added: {override} ({count} play(s) will be resolved again on the next sync)")
        if added
        else _(
            "Already present: {override} ({count} play(s) will be resolved again on the next sync)"
        )
    )
    typer.echo(template.format(override=override.describe(_), count=retried))
    if check is None:
        note(
            _(
                "not checked (--offline): that the show and subject exist, that the show has "
                "{episodes}, and that it is not mapped under another key; "
                "the next sync reports a mapping that is wrong"
            ).format(episodes=override.spec or _("the episodes"))
        )
        return
    for line in check.notes:
        note(_("note: {line}").format(line=line))
    found = [name for name in (check.show_title, check.subject_name) if name]
    if found:
        note(_("checked: {names}").format(names=" → ".join(found)))
    if check.unchecked:
        note(
            _("not checked: {what} (Trakt cannot be asked by this id)").format(
                what=", ".join(check.unchecked)
            )
        )


@app.command(
    "list",
    short_help=_("List the manual mappings."),
    help=_("List the overrides."),
    epilog=examples("trakt-sync map list --json"),
)
def list_overrides(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the overrides."""
    from trakt_sync.matching.overrides import Override

    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    with state.runtime() as rt:
        specs = rt.store.overrides()
    if as_json:
        state.emit_json(specs)
        return
    if not specs:
        typer.echo(_("No overrides."))
    for number, spec in enumerate(specs, start=1):
        typer.echo(f"{number:>3}  {Override.from_dict(spec).describe(_)}")


@app.command(
    "remove",
    short_help=_("Remove a manual mapping, by key or by its number."),
    help=_(
        "Remove a mapping: by its number in `map list`, or by its key (narrowed by episodes or "
        "subject when the show has several)."
    ),
    epilog=examples(
        "trakt-sync map remove 2",
        "trakt-sync map remove trakt:185614 S2",
        "trakt-sync map remove spy-x-family",
    ),
)
def remove(
    ctx: typer.Context,
    show: Annotated[
        str,
        typer.Argument(
            help=_(
                "The number `map list` shows, or the show's key (trakt:ID, a slug, a URL, movie:…)."
            ),
            metavar="NUMBER|KEY",
        ),
    ],
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help=_(
                "With a key, narrow to one mapping: its episodes (S1E13-E25) and/or its "
                "subject or ignore."
            ),
            metavar="[EPISODES] [SUBJECT_ID|ignore]",
        ),
    ] = None,
    start_ep: Annotated[
        int | None,
        typer.Option(
            "--start-ep",
            help=_("With a key, only the mapping with this --start-ep."),
            metavar="N",
        ),
    ] = None,
) -> None:
    """Remove a mapping: by its number in `map list`, or by its key (narrowed by episodes or
    subject when the show has several)."""
    from trakt_sync.mapping_ops import remove_override, select_overrides
    from trakt_sync.matching.overrides import Override

    state: CliState = ctx.obj
    with state.runtime() as rt:
        overrides = [Override.from_dict(spec) for spec in rt.store.overrides()]
        try:
            chosen = select_overrides(overrides, show, args or [], start_ep)
            if not chosen and overrides:
                ids = _show_ids(rt, show)  # the show may be mapped under another of its keys
                if ids is not None:
                    chosen = select_overrides(overrides, show, args or [], start_ep, ids)
        except ValueError as exc:
            raise BadValue.of(exc) from None
        if not chosen:
            raise BadValue.said(
                N_("no mapping matches {key} (see `trakt-sync map list`)"),
                key=" ".join([show, *(args or [])]),
            )
        if len(chosen) > 1:
            listed = "; ".join(f"{i + 1}: {overrides[i].describe(_)}" for i in chosen)
            raise BadValue.said(
                N_("{count} mappings match ({listed}); give the number or the episodes"),
                count=len(chosen),
                listed=listed,
            )
        override = overrides[chosen[0]]
        retried = remove_override(rt.store, override)
    typer.echo(
        _("Removed: {override} ({count} play(s) will be resolved again)").format(
            override=override.describe(_), count=retried or 0
        )
    )


def _show_ids(rt: Runtime, text: str) -> TraktIds | None:
    """The ids Trakt has for the show ``text`` names; None when it cannot say."""
    from trakt_sync.errors import TraktSyncError
    from trakt_sync.models import TraktIds
    from trakt_sync.show_key import parse

    try:
        key = parse(text)
    except ValueError:
        return None
    if key.movie or key.trakt_ref is None:
        return None
    try:
        return TraktIds.from_api(rt.trakt.get_show(key.trakt_ref).get("ids"))
    except TraktSyncError:
        return None


@app.command(
    "export",
    short_help=_("Write the mappings to a file."),
    help=_("Write the overrides to a TOML or JSON file."),
    epilog=examples("trakt-sync map export overrides.toml"),
)
def export(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help=_("A .toml or .json file to write."), metavar="FILE")
    ],
) -> None:
    """Write the overrides to a TOML or JSON file."""
    from trakt_sync.mapping_ops import export_overrides

    state: CliState = ctx.obj
    with state.runtime() as rt:
        written = export_overrides(rt.store, path)
    typer.echo(_("Wrote {count} override(s) to {path}").format(count=written, path=path))


@app.command(
    "import",
    short_help=_("Add the mappings from a file."),
    help=_("Add the overrides from a TOML or JSON file."),
    epilog=examples("trakt-sync -p partner map import overrides.toml"),
)
def import_(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help=_("A .toml or .json file from `map export`."), metavar="FILE")
    ],
) -> None:
    """Add the overrides from a TOML or JSON file."""
    from trakt_sync.mapping_ops import import_overrides, read_overrides

    overrides = read_overrides(path)
    state: CliState = ctx.obj
    with state.runtime() as rt:
        added = import_overrides(rt.store, overrides)
    typer.echo(_("Imported {count} new override(s) from {path}").format(count=added, path=path))
