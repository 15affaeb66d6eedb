"""The ``trakt-sync`` command: global options, logging, and the one exit-code mapping."""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import traceback
import typing
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from trakt_sync import __version__
from trakt_sync.cli import (
    auth_cmd,
    backup_cmd,
    click_words,
    config_cmd,
    config_set_cmd,
    daemon_cmd,
    doctor_cmd,
    explain_cmd,
    log_cmd,
    map_cmd,
    search_cmd,
    status_cmd,
    sync_cmd,
    web_cmd,
)
from trakt_sync.cli.output import examples
from trakt_sync.cli.reasons import error_text
from trakt_sync.cli.state import CliState, is_usage_error
from trakt_sync.errors import EXIT_FAILED, EXIT_USAGE, TraktSyncError
from trakt_sync.i18n import _
from trakt_sync.outcome import RunOutcome, exit_code
from trakt_sync.paths import check_profile_name
from trakt_sync.redact import RedactingFilter, redact_text

EXIT_CODES_HELP = _(
    "Exit codes: 0 ok · 1 failed plays or unexpected error · 2 usage ·\n"
    "75 try again later (service down, rate limited, another sync running) ·\n"
    "77 run `trakt-sync auth` · 78 fix the configuration.\n"
)

EXAMPLES = "\b\n" + _(
    "Examples:\n"
    "  trakt-sync config check         validate the config file and every profile\n"
    "  trakt-sync sync --dry-run       show what a sync would change\n"
    "  trakt-sync status --check -q    a healthcheck (global options go anywhere)\n"
    "  trakt-sync -p partner sync      use another account pair\n"
)


def _argument_type(self: typer.core.TyperArgument, ctx: object) -> None:
    """Typer prints an argument's Python type after its name ("SHOW <str>",
    "<list[str]>"); our arguments' metavars already say what to type."""
    return None


def _usage_name(self: typer.core.TyperArgument) -> str:
    """Typer writes a required argument as "{SHOW}" in the usage line; the convention
    (and our README) is SHOW, with only optional ones in brackets."""
    name = self.display_name_raw
    if not self.required:
        name = f"[{name}]"
    return name + ("..." if self.nargs != 1 and self.metavar is None else "")


click_words.install()
typer.core.TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]
typer.core.TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]

app = typer.Typer(
    name="trakt-sync",
    help=_("Keep your Bangumi (bgm.tv) profile in step with what you watch on Trakt.")
    + "\n\n"
    + EXIT_CODES_HELP,
    epilog=EXAMPLES,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=True,  # --install-completion for bash, zsh, fish and PowerShell
    rich_markup_mode=None,
)
# Short help given here so that the root listing shows whole sentences, not "...".
app.add_typer(auth_cmd.app, name="auth", short_help=_("Log in to Trakt and Bangumi."))
config_cmd.app.command(
    "set",
    short_help=_("Change one setting in the config file."),
    help=_(
        "Set one key in the config file; the whole file is validated before it is written.\n\n"
        "The file's comments and layout stay as they are. A new file is created 0600."
    ),
    epilog=examples(
        "trakt-sync config set sync.schedule '0 3 * * *'",
        "trakt-sync -p partner config set sync.ratings fill",
    ),
)(config_set_cmd.set_)
app.add_typer(
    config_cmd.app, name="config", short_help=_("Create, check and show the config file.")
)
app.add_typer(map_cmd.app, name="map", short_help=_("Manual mappings from Trakt to Bangumi."))
app.command(
    "sync",
    short_help=_("Sync Trakt history to Bangumi once."),
    help=_("Sync Trakt history to Bangumi once."),
    epilog=examples(
        "trakt-sync sync --dry-run",
        "trakt-sync sync --since 2024-01-01 --json",
        "trakt-sync sync --from-export ~/Downloads/trakt-export.zip",
    ),
)(sync_cmd.sync)
app.command(
    "status",
    short_help=_("Accounts, last run, play counts, next run."),
    help=_("Show accounts, the last run, play counts and the next scheduled run."),
    epilog=examples("trakt-sync status", "trakt-sync status --check -q (a healthcheck)"),
)(status_cmd.status)
app.command(
    "unmatched",
    short_help=_("Unmatched plays, with candidates."),
    help=_("List unmatched plays by show and season, with candidates and why each was rejected."),
    epilog=examples("trakt-sync unmatched", "trakt-sync unmatched --skipped --json"),
)(status_cmd.unmatched)
app.command(
    "daemon",
    short_help=_("Sync whenever the schedule fires."),
    help=_("Sync every profile (or just --profile) whenever its sync.schedule fires."),
    epilog=examples("trakt-sync daemon", "trakt-sync daemon --once --now"),
)(daemon_cmd.daemon)
app.command(
    "web",
    short_help=_("Serve the local web page."),
    help=_("Serve the web page: status, the unmatched review queue, sync now, and login."),
    epilog=examples("trakt-sync web", "trakt-sync web --listen 0.0.0.0:8765 (needs web.password)"),
)(web_cmd.web)
app.command(
    "explain",
    short_help=_("How a show's episodes resolve to Bangumi."),
    help=_(
        "Explain how a show's episodes (or a film) resolve to Bangumi: sources tried, "
        "segments, evidence, and for unmatched episodes the candidates and why each was "
        "rejected."
    ),
    epilog=examples("trakt-sync explain spy-x-family --season 1 --episode 14"),
)(explain_cmd.explain)
app.command(
    "export",
    short_help=_("Back up settings and overrides (no secrets)."),
    help=_("Back up every profile's settings and overrides to one TOML file (no token or secret)."),
    epilog=examples("trakt-sync export backup.toml"),
)(backup_cmd.export)
app.command(
    "import",
    short_help=_("Restore settings and overrides from `export`."),
    help=_(
        "Restore settings and overrides from `export`: checked and shown first, then written "
        "when confirmed; the previous config file is kept as config.toml.bak."
    ),
    epilog=examples("trakt-sync import backup.toml"),
)(backup_cmd.import_)

app.command(
    "search",
    short_help=_("Find Bangumi subjects (ids for `map add`)."),
    help=_(
        "Search Bangumi for subjects: id, type, air date, episodes and link.\n\n"
        "The id is what `trakt-sync map add` and the unmatched hints call the Bangumi subject "
        "id."
    ),
    epilog=examples("trakt-sync search 'spy family'", "trakt-sync search 葬送のフリーレン --json"),
)(search_cmd.search)
app.command(
    "log",
    short_help=_("Past sync runs: outcome, counts, duration."),
    help=_("Show the past sync runs: when, how each ended, its counts, duration and error."),
    epilog=examples("trakt-sync log", "trakt-sync log --limit 50 --json"),
)(log_cmd.log)
app.command(
    "doctor",
    short_help=_("Check config, tokens, services, keyring, state."),
    help=_(
        "Check the config, both tokens (asking the services), that each service answers "
        "through the configured proxy, the keyring, the state directory and the daemon.\n\n"
        "Exits 1 when any check fails (78 when it is the configuration); a warning alone "
        "exits 0."
    ),
    epilog=examples("trakt-sync doctor", "trakt-sync -p partner doctor --json"),
)(doctor_cmd.doctor)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trakt-sync {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help=_(
                "Config file, which must exist (default: $TRAKT_SYNC_CONFIG, which must exist "
                "too; else $TRAKT_SYNC_HOME/config.toml or the user config dir, either may be "
                "absent)."
            ),
            show_default=False,
        ),
    ] = None,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            "-p",
            help=_("Account pair to use."),
            envvar="TRAKT_SYNC_PROFILE",
            metavar="NAME",
        ),
    ] = "default",
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help=_("More output; -vv for debug."))
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_("Nothing on success."))] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version.")),
    ] = False,
) -> None:
    state: CliState = ctx.ensure_object(CliState)
    state.config, state.profile, state.verbose, state.quiet = config, profile, verbose, quiet
    state.command = ctx.invoked_subcommand
    _setup_logging(state)
    check_profile_name(profile, "--profile")


def _setup_logging(state: CliState) -> None:
    level = logging.WARNING
    if state.verbose == 1:
        level = logging.INFO
    elif state.verbose > 1:
        level = logging.DEBUG
    elif state.quiet:
        level = logging.ERROR
    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        from trakt_sync.cli.output import err_console

        handler = RichHandler(
            console=err_console(), show_path=False, show_time=True, log_time_format="%H:%M:%S"
        )
    else:
        handler = logging.StreamHandler(sys.stderr)
        # The systemd journal stamps lines itself (JOURNAL_STREAM is set under it).
        stamp = "" if os.environ.get("JOURNAL_STREAM") else "%(asctime)s "
        handler.setFormatter(logging.Formatter(stamp + "%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(state.registry))
    root_logger = logging.getLogger()
    root_logger.handlers[:] = [handler]
    root_logger.setLevel(level)
    # httpx logs every request at INFO; that is debug detail here.
    logging.getLogger("httpx").setLevel(logging.DEBUG if state.verbose > 1 else logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


@functools.cache
def _root_options() -> tuple[frozenset[str], frozenset[str]]:
    """The names of ``root``'s options (also accepted after the command): those taking a
    value, and the flags; read from ``root``'s own declarations, so they are made once."""
    with_value: set[str] = set()
    flags: set[str] = set()
    for hint in typing.get_type_hints(root, include_extras=True).values():
        metadata = getattr(hint, "__metadata__", ())
        info = next((m for m in metadata if hasattr(m, "param_decls")), None)
        if info is None:
            continue
        # Annotated[…, typer.Option("--profile", "-p")]: the first name sits in ``default``.
        first = [info.default] if isinstance(info.default, str) else []
        is_flag = typing.get_args(hint)[0] in (bool, int)  # a switch or a counter (-vv)
        (flags if is_flag else with_value).update([*first, *info.param_decls])
    return frozenset(with_value), frozenset(flags)


def _global_option(token: str) -> int:
    """How many tokens a global option starting at ``token`` spans (0: not one)."""
    with_value, flags = _root_options()
    if token in with_value:
        return 2
    short_flags = "".join(name[1] for name in flags if len(name) == 2)
    if token in flags or re.fullmatch(f"-[{short_flags}]+", token):
        return 1
    if token.startswith(tuple(f"{name}=" for name in with_value if name.startswith("--"))):
        return 1  # --config=FILE
    short_values = tuple(name for name in with_value if len(name) == 2)
    return 1 if token.startswith(short_values) and not token.startswith("--") else 0  # -pNAME


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options found after the command in front of it, where Click parses them.

    ``status --check -q`` then means what ``-q status --check`` does. Nothing after
    ``--`` moves.
    """
    index = 0
    while index < len(argv) and argv[index].startswith("-") and argv[index] != "--":
        index += max(_global_option(argv[index]), 1)
    front, rest, others = list(argv[:index]), argv[index:], []
    tail: list[str] = []
    position = 0
    while position < len(rest):
        token = rest[position]
        if token == "--":
            tail = rest[position:]
            break
        span = _global_option(token)
        if span:
            front += rest[position : position + span]
            position += span
        else:
            others.append(token)
            position += 1
    return front + others + tail


def _from_ctrl_c(exc: BaseException) -> bool:
    return _caused_by(exc, KeyboardInterrupt)


def _cancelled(state: CliState, exc: BaseException) -> NoReturn:
    code = exit_code(RunOutcome.CANCELLED)
    state.emit_json_error("cancelled", code, exc)
    print("trakt-sync: " + _("cancelled"), file=sys.stderr)
    sys.exit(code)


def _usage_json(state: CliState, args: list[str], error: Exception) -> None:
    """``--json`` promises one document, also for a usage error (Click printed the usage)."""
    options = args[: args.index("--")] if "--" in args else args
    if "--json" not in options or state.json_sent:
        return
    if state.json_error is None:  # the command's own body never ran
        if state.command == "sync":
            state.expect_json(sync_cmd.json_error("--dry-run" in options))
        elif state.command == "config" and "check" in options:
            state.expect_json(config_cmd.check_json_error(state))
        else:
            state.expect_json()
    state.emit_json_error(error.format_message(), EXIT_USAGE, error)  # type: ignore[attr-defined]


# 128 + SIGPIPE: what a shell reports for a command whose reader went away (`| head -1`).
EXIT_BROKEN_PIPE = 141


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, kind):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _stdout_closed() -> NoReturn:
    """The reader of stdout went away: nothing more is worth saying; no traceback either when
    Python flushes stdout on its way out."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_BROKEN_PIPE)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; the one place where exceptions become messages and exit codes."""
    try:
        _main(argv)
        sys.stdout.flush()
    except SystemExit as exc:
        if _caused_by(exc, BrokenPipeError):
            _stdout_closed()
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_closed()
        raise
    except BrokenPipeError:
        _stdout_closed()


def _main(argv: list[str] | None) -> None:
    if "httpx" not in sys.modules:
        # httpx loads its own command line (click, rich, pygments: ~45 ms, a sixth of a
        # no-op sync) whenever they are installed; trakt-sync never runs it.
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    state = CliState()
    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, obj=state, prog_name="trakt-sync")
    except SystemExit as exc:
        if _from_ctrl_c(exc):  # Typer turns Ctrl-C into a silent exit 130
            _cancelled(state, KeyboardInterrupt())
        if exc.code == EXIT_USAGE and is_usage_error(exc.__context__):
            _usage_json(state, args, exc.__context__)  # type: ignore[arg-type]
        raise
    except TraktSyncError as exc:
        if state.verbose:
            print(redact_text(traceback.format_exc(), state.registry), file=sys.stderr, end="")
        message = state.hint(redact_text(str(exc), state.registry))
        state.emit_json_error(message, exc.exit_code, exc)
        shown = state.hint(redact_text(exc.translated(), state.registry))
        print(error_text(shown), file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        _cancelled(state, exc)
    except BrokenPipeError:
        raise  # main() ends quietly
    except Exception as exc:
        if state.verbose:
            print(redact_text(traceback.format_exc(), state.registry), file=sys.stderr, end="")
        detail = f"{type(exc).__name__}: {redact_text(str(exc), state.registry)}"
        state.emit_json_error(f"unexpected error: {detail}", EXIT_FAILED, exc)
        print(
            "trakt-sync: "
            + _("unexpected error: {detail}").format(detail=detail)
            + ("" if state.verbose else _(" (run with -v for details)")),
            file=sys.stderr,
        )
        sys.exit(EXIT_FAILED)
