"""``trakt-sync auth``: Trakt device login, Bangumi token, status and logout."""

from __future__ import annotations

import sys
from contextlib import closing
from typing import Annotated

import typer

from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.output import JsonOption, bangumi_line, examples, note
from trakt_sync.cli.state import CliState
from trakt_sync.i18n import N_, _, is_chinese

app = typer.Typer(
    help=_(
        "Log in to Trakt (device code) and Bangumi (access token).\n\n"
        "Without a subcommand, log in to Trakt: open the address shown and enter the code."
    ),
    epilog="\b\n"
    + _(
        "Examples:\n"
        "  trakt-sync auth                              log in to Trakt\n"
        "  trakt-sync auth bangumi                      paste a Bangumi access token\n"
        '  echo "$TOKEN" | trakt-sync auth bangumi --with-token\n'
        "  trakt-sync -p partner auth status            who is logged in for a profile\n"
    ),
)


@app.callback(invoke_without_command=True)
def trakt_login(ctx: typer.Context) -> None:
    """Log in to Trakt with the device-code flow (run without a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    state: CliState = ctx.obj
    with state.runtime() as rt:
        login = rt.trakt_login()
        code = login.start()
        note(
            _("To log in to Trakt, open {url} and enter the code: {code}").format(
                url=code.verification_url, code=code.user_code
            )
        )
        note(
            _("Waiting for approval (the code expires in {minutes} min)…").format(
                minutes=code.expires_in // 60
            )
        )
        token = login.finish(code)
        typer.echo(
            _("Logged in to Trakt as {user} (profile {profile}, tokens in {backend})").format(
                user=token.username, profile=rt.profile, backend=rt.tokens.backend_name
            )
        )


@app.command(
    "bangumi",
    short_help=_("Store a Bangumi access token."),
    help=_("Store a Bangumi access token.")
    + "\n\n\b\n"
    + _("Create one at {url}").format(url="https://next.bgm.tv/demo/access-token"),
    epilog=examples("trakt-sync auth bangumi --with-token < token.txt"),
)
def bangumi_login(
    ctx: typer.Context,
    with_token: Annotated[
        bool, typer.Option("--with-token", help=_("Read the access token from stdin."))
    ] = False,
) -> None:
    """Store a Bangumi access token.

    \b
    Create one at https://next.bgm.tv/demo/access-token
    """
    from trakt_sync.accounts import login_bangumi

    state: CliState = ctx.obj
    if with_token:
        token = sys.stdin.readline().strip()
    elif sys.stdin.isatty():
        try:
            token = typer.prompt(_("Bangumi access token"), hide_input=True).strip()
        except typer.Abort as exc:
            # Click answers Ctrl-C at a prompt with its own "Aborted!": the one message
            # is the CLI's "cancelled".
            raise KeyboardInterrupt from exc
    else:
        raise BadValue.said(N_("stdin is not a terminal: pipe the token in with --with-token"))
    if not token:
        raise BadValue.said(N_("the token is empty"))
    state.registry.add(token)
    with state.runtime() as rt, closing(rt.bangumi_client(token)) as client:
        saved = login_bangumi(client, rt.tokens, token)
        typer.echo(
            _("Logged in to Bangumi as {user} (profile {profile}, token in {backend})").format(
                user=saved.username, profile=rt.profile, backend=rt.tokens.backend_name
            )
        )


@app.command(
    "status",
    short_help=_("Who is logged in, and where tokens are kept."),
    help=_("Show who is logged in, where tokens are kept and when Trakt's expires."),
    epilog=examples("trakt-sync -p partner auth status"),
)
def auth_status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show who is logged in, where tokens are kept and when Trakt's expires."""
    from trakt_sync import profile_reports

    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    with state.runtime() as rt:
        summary = profile_reports.auth_summary(rt)
        if summary["bangumi"]["origin"] is not None:  # a token nobody checked at login
            summary["bangumi"]["check"] = profile_reports.check_bangumi_token(rt)
            summary["bangumi"]["username"] = summary["bangumi"]["check"]["username"]
    if as_json:
        state.emit_json(summary)
        return
    trakt, bangumi = summary["trakt"], summary["bangumi"]
    lines = [
        _("profile: {profile} (tokens in {backend})").format(
            profile=summary["profile"], backend=summary["backend"]
        )
    ]
    if trakt["rejected"]:
        lines.append(
            "Trakt:   "
            + _(
                "not logged in: the login of {user} was ended on Trakt's side "
                "(run `trakt-sync auth`)"
            ).format(user=trakt["username"])
        )
    elif trakt["authenticated"]:
        expired = _(" (expired; renewed on next use)") if trakt["expired"] else ""
        lines.append(
            "Trakt:   "
            + _("logged in as {user}, access token expires {when}").format(
                user=trakt["username"], when=_expires(trakt["expires_at"])
            )
            + expired
        )
    else:
        lines.append("Trakt:   " + _("not logged in (run `trakt-sync auth`)"))
    lines.append(f"Bangumi: {bangumi_line(bangumi)}")
    for line in lines:
        typer.echo(state.hint(line))


def _expires(value: str | None) -> str | None:
    """Trakt's expiry as stored (ISO) in English, as Babel writes a date in Chinese."""
    if not is_chinese() or not value:
        return value
    from trakt_sync.timeutil import parse_instant, weekday_clock

    return weekday_clock(parse_instant(value).astimezone())


@app.command(
    "logout",
    short_help=_("Revoke and delete the stored tokens."),
    help=_("Revoke the Trakt token at Trakt and delete stored tokens (both unless one is chosen)."),
    epilog=examples("trakt-sync auth logout"),
)
def logout(
    ctx: typer.Context,
    trakt: Annotated[bool, typer.Option("--trakt", help=_("Only log out of Trakt."))] = False,
    bangumi: Annotated[bool, typer.Option("--bangumi", help=_("Only log out of Bangumi."))] = False,
) -> None:
    """Revoke the Trakt token at Trakt and delete stored tokens (both unless one is chosen)."""
    from trakt_sync.accounts import logout_bangumi, logout_trakt

    state: CliState = ctx.obj
    both = not trakt and not bangumi
    with state.runtime() as rt:
        if trakt or both:
            if rt.tokens.load_trakt() is not None:
                note(_("revoking the Trakt token at {url}…").format(url=rt.settings.trakt.auth_url))
            result = logout_trakt(rt.revoking_oauth, rt.tokens)
            if result.warning:
                note(_("warning: {warning}").format(warning=result.warning))
            typer.echo(
                _("Logged out of Trakt") if result.was_logged_in else _("Not logged in to Trakt")
            )
        if bangumi or both:
            if logout_bangumi(rt.tokens):
                typer.echo(
                    _(
                        "Logged out of Bangumi (the token itself stays valid until you delete "
                        "it on bgm.tv)"
                    )
                )
            else:
                typer.echo(_("Not logged in to Bangumi"))
            if rt.bangumi_account.config_token is not None:
                note(_("note: bangumi.token is set in the config or environment; remove it there"))
