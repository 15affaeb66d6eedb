"""``trakt-sync auth``: Trakt device login, Bangumi token, status and logout."""

from __future__ import annotations

import sys
from contextlib import closing
from typing import Annotated

import typer

from trakt_sync.cli.output import JsonOption, bangumi_line, examples, note
from trakt_sync.cli.state import CliState

app = typer.Typer(
    help="Log in to Trakt (device code) and Bangumi (access token).\n\n"
    "Without a subcommand, log in to Trakt: open the address shown and enter the code.",
    epilog="\b\nExamples:\n"
    "  trakt-sync auth                              log in to Trakt\n"
    "  trakt-sync auth bangumi                      paste a Bangumi access token\n"
    '  echo "$TOKEN" | trakt-sync auth bangumi --with-token\n'
    "  trakt-sync -p partner auth status            who is logged in for a profile\n",
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
            f"To log in to Trakt, open {code.verification_url} and enter the code: {code.user_code}"
        )
        note(f"Waiting for approval (the code expires in {code.expires_in // 60} min)…")
        token = login.finish(code)
        typer.echo(
            f"Logged in to Trakt as {token.username} (profile {rt.profile}, tokens in "
            f"{rt.tokens.backend_name})"
        )


@app.command(
    "bangumi",
    short_help="Store a Bangumi access token.",
    epilog=examples("trakt-sync auth bangumi --with-token < token.txt"),
)
def bangumi_login(
    ctx: typer.Context,
    with_token: Annotated[
        bool, typer.Option("--with-token", help="Read the access token from stdin.")
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
            token = typer.prompt("Bangumi access token", hide_input=True).strip()
        except typer.Abort as exc:
            # Click answers Ctrl-C at a prompt with its own "Aborted!": the one message
            # is the CLI's "cancelled".
            raise KeyboardInterrupt from exc
    else:
        raise typer.BadParameter("stdin is not a terminal: pipe the token in with --with-token")
    if not token:
        raise typer.BadParameter("the token is empty")
    state.registry.add(token)
    with state.runtime() as rt, closing(rt.bangumi_client(token)) as client:
        saved = login_bangumi(client, rt.tokens, token)
        typer.echo(
            f"Logged in to Bangumi as {saved.username} (profile {rt.profile}, token in "
            f"{rt.tokens.backend_name})"
        )


@app.command(
    "status",
    short_help="Who is logged in, and where tokens are kept.",
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
    lines = [f"profile: {summary['profile']} (tokens in {summary['backend']})"]
    if trakt["rejected"]:
        lines.append(
            f"Trakt:   not logged in: the login of {trakt['username']} was ended on Trakt's "
            "side (run `trakt-sync auth`)"
        )
    elif trakt["authenticated"]:
        expired = " (expired; renewed on next use)" if trakt["expired"] else ""
        lines.append(
            f"Trakt:   logged in as {trakt['username']}, access token expires "
            f"{trakt['expires_at']}{expired}"
        )
    else:
        lines.append("Trakt:   not logged in (run `trakt-sync auth`)")
    lines.append(f"Bangumi: {bangumi_line(bangumi)}")
    for line in lines:
        typer.echo(state.hint(line))


@app.command(
    "logout",
    short_help="Revoke and delete the stored tokens.",
    epilog=examples("trakt-sync auth logout"),
)
def logout(
    ctx: typer.Context,
    trakt: Annotated[bool, typer.Option("--trakt", help="Only log out of Trakt.")] = False,
    bangumi: Annotated[bool, typer.Option("--bangumi", help="Only log out of Bangumi.")] = False,
) -> None:
    """Revoke the Trakt token at Trakt and delete stored tokens (both unless one is chosen)."""
    from trakt_sync.accounts import logout_bangumi, logout_trakt

    state: CliState = ctx.obj
    both = not trakt and not bangumi
    with state.runtime() as rt:
        if trakt or both:
            if rt.tokens.load_trakt() is not None:
                note(f"revoking the Trakt token at {rt.settings.trakt.auth_url}…")
            result = logout_trakt(rt.revoking_oauth, rt.tokens)
            if result.warning:
                note(f"warning: {result.warning}")
            typer.echo("Logged out of Trakt" if result.was_logged_in else "Not logged in to Trakt")
        if bangumi or both:
            if logout_bangumi(rt.tokens):
                typer.echo(
                    "Logged out of Bangumi (the token itself stays valid until you delete it "
                    "on bgm.tv)"
                )
            else:
                typer.echo("Not logged in to Bangumi")
            if rt.bangumi_account.config_token is not None:
                note("note: bangumi.token is set in the config or environment; remove it there")
