"""``trakt-sync auth``: Trakt device login, Bangumi token, status and logout."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from trakt_sync.cli.output import JsonOption, emit_json, note
from trakt_sync.cli.state import CliState
from trakt_sync.errors import ConfigError, TraktSyncError
from trakt_sync.runtime import Runtime
from trakt_sync.tokens import TraktToken

app = typer.Typer(help="Log in to Trakt (device code) and Bangumi (access token).")

TRAKT_APP_HINT = (
    "create an API app at https://trakt.tv/oauth/applications (redirect URI "
    "urn:ietf:wg:oauth:2.0:oob) and set trakt.client_id and trakt.client_secret"
)


@app.callback(invoke_without_command=True)
def trakt_login(ctx: typer.Context) -> None:
    """Log in to Trakt with the device-code flow (run without a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    state: CliState = ctx.obj
    with state.runtime() as rt:
        trakt = rt.settings.trakt
        missing = trakt.missing_app_keys()
        if missing:
            raise ConfigError(f"{rt.config_path}: {missing[0]}: not set; {TRAKT_APP_HINT}")
        code = rt.trakt_oauth.device_code()
        note(
            f"To log in to Trakt, open {code.verification_url} and enter the code: {code.user_code}"
        )
        note(f"Waiting for approval (the code expires in {code.expires_in // 60} min)…")
        payload = rt.trakt_oauth.poll_device_token(code)
        token = TraktToken.from_oauth(payload)
        rt.secrets.add(token.access_token)
        rt.secrets.add(token.refresh_token)
        rt.tokens.save_trakt(token)  # persisted before first use
        username = rt.trakt.user_settings().get("user", {}).get("username")
        rt.tokens.save_trakt(TraktToken.from_oauth(payload, username=username))
        typer.echo(
            f"Logged in to Trakt as {username} (profile {rt.profile}, tokens in "
            f"{rt.tokens.backend_name})"
        )


@app.command("bangumi")
def bangumi_login(
    ctx: typer.Context,
    with_token: Annotated[
        bool, typer.Option("--with-token", help="Read the access token from stdin.")
    ] = False,
) -> None:
    """Store a Bangumi access token (create one at https://next.bgm.tv/demo/access-token)."""
    state: CliState = ctx.obj
    if with_token:
        token = sys.stdin.readline().strip()
    elif sys.stdin.isatty():
        token = typer.prompt("Bangumi access token", hide_input=True).strip()
    else:
        raise typer.BadParameter("stdin is not a terminal: pipe the token in with --with-token")
    if not token:
        raise typer.BadParameter("the token is empty")
    state.registry.add(token)
    with state.runtime() as rt:
        saved = rt.save_bangumi_login(token)
        typer.echo(
            f"Logged in to Bangumi as {saved.username} (profile {rt.profile}, token in "
            f"{rt.tokens.backend_name})"
        )


def auth_summary(rt: Runtime) -> dict[str, Any]:
    """Who is logged in where, without any network request and never a token."""
    trakt = rt.tokens.load_trakt()
    stored_bgm = rt.tokens.load_bangumi()
    if rt.settings.bangumi.token is not None:
        known = rt.store.get_state("bangumi_user") or {}
        bangumi: dict[str, Any] = {
            "authenticated": True,
            "username": known.get("username"),
            "source": "config",
        }
    else:
        bangumi = {
            "authenticated": stored_bgm is not None,
            "username": stored_bgm.username if stored_bgm else None,
            "source": "stored" if stored_bgm else None,
        }
    return {
        "profile": rt.profile,
        "backend": rt.tokens.backend_name,
        "trakt": {
            "authenticated": trakt is not None,
            "username": trakt.username if trakt else None,
            "expires_at": (
                datetime.fromtimestamp(trakt.expires_at, UTC).isoformat() if trakt else None
            ),
        },
        "bangumi": bangumi,
    }


@app.command("status")
def auth_status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show who is logged in, where tokens are kept and when Trakt's expires."""
    state: CliState = ctx.obj
    with state.runtime() as rt:
        summary = auth_summary(rt)
    if as_json:
        emit_json(summary)
        return
    trakt, bangumi = summary["trakt"], summary["bangumi"]
    typer.echo(f"profile: {summary['profile']} (tokens in {summary['backend']})")
    if trakt["authenticated"]:
        typer.echo(
            f"Trakt:   logged in as {trakt['username']}, access token expires {trakt['expires_at']}"
        )
    else:
        typer.echo("Trakt:   not logged in (run `trakt-sync auth`)")
    if bangumi["authenticated"]:
        origin = " (token from config/env)" if bangumi.get("source") == "config" else ""
        typer.echo(f"Bangumi: logged in as {bangumi['username']}{origin}")
    else:
        typer.echo("Bangumi: not logged in (run `trakt-sync auth bangumi`)")


@app.command("logout")
def logout(
    ctx: typer.Context,
    trakt: Annotated[bool, typer.Option("--trakt", help="Only log out of Trakt.")] = False,
    bangumi: Annotated[bool, typer.Option("--bangumi", help="Only log out of Bangumi.")] = False,
) -> None:
    """Revoke the Trakt token at Trakt and delete stored tokens (both unless one is chosen)."""
    state: CliState = ctx.obj
    both = not trakt and not bangumi
    with state.runtime() as rt:
        if trakt or both:
            token = rt.tokens.load_trakt()
            if token is not None:
                try:
                    rt.trakt_oauth.revoke(token.access_token)
                except TraktSyncError as exc:
                    note(f"warning: could not revoke the token at Trakt ({exc}); deleted locally")
                rt.tokens.delete_trakt()
            typer.echo("Logged out of Trakt")
        if bangumi or both:
            rt.tokens.delete_bangumi()
            typer.echo(
                "Logged out of Bangumi (the token itself stays valid until you delete it on bgm.tv)"
            )
