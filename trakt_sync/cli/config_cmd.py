"""``trakt-sync config``: write the example, show or check the settings, print the path."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from typing import Annotated, Any

import typer

from trakt_sync.cli.click_words import BadValue
from trakt_sync.cli.output import JsonOption, examples
from trakt_sync.cli.state import CliState
from trakt_sync.errors import ConfigError
from trakt_sync.i18n import N_, _, is_chinese
from trakt_sync.paths import config_named_explicitly
from trakt_sync.reason_text import shown_reason
from trakt_sync.timeutil import utcnow, weekday_clock

app = typer.Typer(
    help=_("Create, check, inspect and locate the configuration file."),
    no_args_is_help=True,
    epilog=examples("trakt-sync config init", "trakt-sync config check"),
)


def example_text() -> str:
    return (resources.files("trakt_sync") / "data" / "config.example.toml").read_text("utf-8")


@app.command(
    "init",
    short_help=_("Write the documented example config file."),
    help=_("Write the documented example configuration to the config path."),
    epilog=examples("trakt-sync --config ~/trakt-sync.toml config init"),
)
def init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help=_("Overwrite an existing file."))] = False,
) -> None:
    """Write the documented example configuration to the config path."""
    state: CliState = ctx.obj
    path = state.config_path
    if path.exists() and not force:
        raise BadValue.said(
            N_("{path} already exists; `--force` overwrites it"),
            path=path,
            param_hint="'--force'",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # 0600 from the start: the file is where the README says secrets go.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)  # an existing file (--force) keeps its mode else
            handle.write(example_text())
    except OSError as exc:
        raise ConfigError.said(
            N_("{path}: cannot write: {reason}"), path=path, reason=exc.strerror
        ) from None
    typer.echo(_("Wrote {path}").format(path=path))


@app.command(
    "show",
    short_help=_("Print the effective settings, secrets redacted."),
    help=_("Print the effective configuration (file + env + defaults), secrets redacted."),
    epilog=examples("trakt-sync -p partner config show --json"),
)
def show(
    ctx: typer.Context,
    as_json: JsonOption = False,
    origin: Annotated[
        bool,
        typer.Option("--origin", help=_("Say which file or variable each value comes from.")),
    ] = False,
) -> None:
    """Print the effective configuration (file + env + defaults), secrets redacted."""
    import tomli_w

    from trakt_sync.config_origin import as_written, origins

    state: CliState = ctx.obj
    if as_json:
        state.expect_json()
    data = state.settings().redacted()
    must_exist = config_named_explicitly(state.config)
    where = origins(state.config_path, state.profile, must_exist=must_exist) if origin else {}
    if as_json:
        state.emit_json({"settings": data, "origins": where} if origin else data)
        return
    shown = as_written(data, state.config_path, state.profile, must_exist=must_exist)
    typer.echo(
        "# "
        + _("profile: {profile}; file: {path}").format(
            profile=state.profile, path=state.config_path
        )
    )
    for section, values in shown.items():
        clean = {key: value for key, value in values.items() if value is not None}
        lines = tomli_w.dumps({section: clean}).splitlines()
        for line in lines:
            key = line.partition(" = ")[0]
            source = where.get(f"{section}.{key}") if " = " in line else None
            typer.echo(f"{line}  # {_origin(source)}" if source else line)
        typer.echo("")


def _origin(source: str) -> str:
    """Where a value came from, in the terminal's words (``--json`` keeps ``origins``'s)."""
    if source == "default":
        return _("default")
    if source.startswith("env "):
        return _("env {variable}").format(variable=source.removeprefix("env "))
    return source


@app.command(
    "path",
    short_help=_("Print the path of the config file in use."),
    help=_("Print the path of the configuration file in use."),
    epilog=examples('$EDITOR "$(trakt-sync config path)"'),
)
def path(ctx: typer.Context) -> None:
    """Print the path of the configuration file in use."""
    state: CliState = ctx.obj
    typer.echo(str(state.config_path))


def check_json_error(state: CliState) -> Callable[[str, int, BaseException], dict[str, Any]]:
    """The ``config check --json`` document of a check that could not run."""

    def document(message: str, code: int, error: BaseException) -> dict[str, Any]:
        return {
            "file": str(state.config_path),
            "file_exists": state.config_path.exists(),
            "valid": False,
            "ready": False,
            "error": message,
            "exit_code": code,
            "profiles": [],
        }

    return document


@app.command(
    "check",
    short_help=_("Validate the file and every profile; next fire times."),
    help=_("Validate the file and every profile; show each schedule's next five fire times."),
    epilog=examples("trakt-sync --config /etc/trakt-sync.toml config check"),
)
def check(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Validate the file and every profile; show each schedule's next five fire times."""
    from trakt_sync.scheduler import zone

    state: CliState = ctx.obj
    if as_json:
        state.expect_json(check_json_error(state))
    from trakt_sync.config_report import check_data

    now = utcnow()
    state.warn_exposed_secrets()
    data = check_data(
        state.config_path,
        must_exist=config_named_explicitly(state.config),
        registry=state.registry,
        now=now,
    )
    if as_json:
        state.emit_json(data)
    if data["error"] and not data["valid"]:
        raise ConfigError(data["error"])
    if as_json:
        raise typer.Exit(data["exit_code"])
    where = (
        data["file"] if data["file_exists"] else _("no file at {path}").format(path=data["file"])
    )
    names = ", ".join(profile["name"] for profile in data["profiles"])
    typer.echo(_("{where}: valid (profiles: {names})").format(where=where, names=names))
    for profile in data["profiles"]:
        tz = zone(profile["timezone"])
        zone_name = (
            profile["timezone"]
            or _("system time zone {zone}").format(zone=getattr(tz, "key", "")).strip()
        )
        typer.echo(
            _("profile {name}: sync.schedule {schedule} ({zone})").format(
                name=profile["name"], schedule=repr(profile["schedule"]), zone=zone_name
            )
        )
        seconds = len(profile["schedule"].split()) == 6
        for fire in profile["next_fires"]:
            moment = datetime.fromisoformat(fire).astimezone(tz)
            typer.echo(f"  {weekday_clock(moment, seconds=seconds)}  {_until(moment - now)}")
        for warning in profile["warnings"]:
            typer.echo("  " + _("warning: {warning}").format(warning=shown_reason(warning)))
        for problem in profile["problems"]:
            typer.echo("  " + _("problem: {problem}").format(problem=shown_reason(problem)))
    if data["error"]:
        raise ConfigError(data["error"])


def _until(delta: timedelta) -> str:
    if is_chinese():
        from trakt_sync.timeutil import relative

        return relative(delta)
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return f"in {int(delta.total_seconds())} s"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    return "in " + " ".join(part for part in parts if part)
