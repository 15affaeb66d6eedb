"""Typer's own words (help pages, usage errors) in the language spoken.

Typer carries a copy of Click whose words are fixed English ("Usage:", "Error:", "Show this
message and exit.", "No such option: …"); only a few go through gettext. :func:`install`
puts our catalog in front of them where they are shown: the help page's usage prefix,
headings and fixed option help, and the usage error's lines. The error *messages* stay
English inside the exceptions, because the ``--json`` error document carries them
(``cli.app``), and are translated phrase by phrase when printed. :class:`BadValue` is a bad
option value of our own with an English message and its translation.

Typer 0.29 renders plainly here (``rich_markup_mode=None``), so its ``rich_utils`` panel
titles are never shown.
"""

from __future__ import annotations

import re
import sys
from functools import partial
from typing import IO, Any, Self

import typer
import typer.core
from typer import _click
from typer._click.exceptions import ClickException, UsageError

from trakt_sync.errors import TraktSyncError
from trakt_sync.i18n import N_, _, is_chinese
from trakt_sync.reason_text import shown_reason

# Help texts Typer gives its own options.
_FIXED_HELP = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)
# Words Typer asks gettext for that only a person reads (never an error's message).
_SHOWN_WORDS = (
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("(dynamic)"),
    N_("Aborted!"),
)
_HEADINGS = (N_("Options"), N_("Commands"), N_("Arguments"))

# Usage errors as Click and Typer word them (full messages, or their leading part).
_MESSAGES = (
    (
        re.compile(r"^No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)$"),
        N_("No such option: {name} (Possible options: {options})"),
    ),
    (re.compile(r"^No such option: (?P<name>\S+)$"), N_("No such option: {name}")),
    (
        re.compile(r"^No such command (?P<name>'.*')\. Did you mean (?P<names>.+)\?$"),
        N_("No such command {name}. Did you mean {names}?"),
    ),
    (re.compile(r"^No such command (?P<name>'.*')\.$"), N_("No such command {name}.")),
    (re.compile(r"^Missing command\.$"), N_("Missing command.")),
    (re.compile(r"^Missing argument (?P<name>.+)\.$"), N_("Missing argument {name}.")),
    (re.compile(r"^Missing option (?P<name>.+)\.$"), N_("Missing option {name}.")),
    (
        re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((?P<args>.*)\)$"),
        N_("Got unexpected extra argument(s) ({args})"),
    ),
    (
        re.compile(r"^Option (?P<name>'[^']*') requires an argument\.$"),
        N_("Option {name} requires an argument."),
    ),
    (
        re.compile(r"^Option (?P<name>'[^']*') requires (?P<count>\d+) arguments\.$"),
        N_("Option {name} requires {count} arguments."),
    ),
    (
        re.compile(r"^Option (?P<name>'[^']*') does not take a value\.$"),
        N_("Option {name} does not take a value."),
    ),
    (re.compile(r"^Invalid value for (?P<name>.+?): "), N_("Invalid value for {name}: ")),
    (re.compile(r"^Invalid value: "), N_("Invalid value: ")),
    # What a value was checked against (Pydantic's words, Typer's choices and paths).
    (
        re.compile(r"Input should be a valid integer(?:, unable to parse string as an integer)?$"),
        N_("Input should be a valid integer"),
    ),
    (re.compile(r"Input should be a valid number.*$"), N_("Input should be a valid number")),
    (
        re.compile(r"Input should be greater than or equal to (?P<least>\S+)$"),
        N_("Input should be greater than or equal to {least}"),
    ),
    (
        re.compile(r"Input should be less than or equal to (?P<most>\S+)$"),
        N_("Input should be less than or equal to {most}"),
    ),
    (
        re.compile(r"(?P<value>'[^']*') is not one of (?P<choices>.+)\.$"),
        N_("{value} is not one of {choices}."),
    ),
    (
        re.compile(r"(?:File|Directory|Path) (?P<path>'.*') does not exist\.$"),
        N_("{path} does not exist."),
    ),
    (re.compile(r"(?:File|Path) (?P<path>'.*') is a file\.$"), N_("{path} is a file.")),
    (
        re.compile(r"(?:Directory|Path) (?P<path>'.*') is a directory\.$"),
        N_("{path} is a directory."),
    ),
    (
        re.compile(r"(?:File|Directory|Path) (?P<path>'.*') is not readable\.$"),
        N_("{path} is not readable."),
    ),
    (
        re.compile(r"(?:File|Directory|Path) (?P<path>'.*') is not writable\.$"),
        N_("{path} is not writable."),
    ),
)


class BadValue(typer.BadParameter):
    """A bad option value or combination, said in English (``--json``) and, on the terminal,
    in the language spoken."""

    def __init__(self, message: str, shown: str | None = None, param_hint: str | None = None):
        super().__init__(message, param_hint=param_hint)
        self.shown = message if shown is None else shown

    @classmethod
    def said(cls, template: str, /, *, param_hint: str | None = None, **params: Any) -> Self:
        """``template`` is marked with ``N_`` where it is raised."""
        return cls(template.format(**params), _(template).format(**params), param_hint)

    @classmethod
    def of(cls, error: Exception, param_hint: str | None = None) -> Self:
        """From an error of ours (``TraktSyncError.said``), or a plain one's known phrases."""
        if isinstance(error, TraktSyncError):
            return cls(str(error), error.translated(), param_hint)
        return cls(str(error), shown_reason(str(error)), param_hint)


def shown_message(error: ClickException) -> str:
    """The error's message as the terminal shows it."""
    message = error.format_message()
    if not is_chinese():
        return message
    if isinstance(error, BadValue) and error.message:
        message = message.replace(error.message, "\0")
    for pattern, template in _MESSAGES:
        message = pattern.sub(partial(_phrase, _(template)), message)
    if isinstance(error, BadValue):
        message = message.replace("\0", error.shown)
    return message


def _phrase(template: str, found: re.Match[str]) -> str:
    return template.format(**found.groupdict())


def _show_error(self: ClickException, file: IO[Any] | None = None) -> None:
    _click.echo(
        _("Error: {message}").format(message=shown_message(self)),
        file=sys.stderr if file is None else file,
        color=self.show_color,
    )


def _show_usage_error(self: UsageError, file: IO[Any] | None = None) -> None:
    file = sys.stderr if file is None else file
    color = None
    if self.ctx is not None:
        color = self.ctx.color
        hint = ""
        if self.ctx.command.get_help_option(self.ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=self.ctx.command_path, option=self.ctx.help_option_names[0]
            )
            hint += "\n"
        _click.echo(f"{self.ctx.get_usage()}\n{hint}", file=file, color=color)
    _click.echo(_("Error: {message}").format(message=shown_message(self)), file=file, color=color)


_write_usage = _click.HelpFormatter.write_usage


def _usage(
    self: _click.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
) -> None:
    _write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)


def _heading(self: _click.HelpFormatter, heading: str) -> None:
    self.write(f"{'':>{self.current_indent}}" + _("{heading}:").format(heading=_(heading)) + "\n")


_option_help_record = typer.core.TyperOption.get_help_record


def _option_help(self: typer.core.TyperOption, ctx: _click.Context) -> tuple[str, str] | None:
    english = self.help
    if english in _FIXED_HELP:
        self.help = _(english)
    try:
        record = _option_help_record(self, ctx)
    finally:
        self.help = english
    if record is None or not is_chinese():
        return record
    # Typer joins the bracketed extras ("env var: …; default: …") with an ASCII "; ".
    name, text = record
    return name, _EXTRAS.sub(lambda found: found[0].replace("; ", "；"), text)


_EXTRAS = re.compile(r"\[[^\[\]]*\]$")


def _typer_word(message: str) -> str:
    """What Typer's gettext calls get: a word only shown is translated now; an error's
    message stays English (it may go to ``--json``) and is translated when printed."""
    return _(message) if message in _SHOWN_WORDS else message


def install() -> None:
    """Route Typer's words through our catalog (once, when the CLI is imported)."""
    typer.core._ = _typer_word
    _click.HelpFormatter.write_usage = _usage  # type: ignore[method-assign]
    _click.HelpFormatter.write_heading = _heading  # type: ignore[method-assign]
    ClickException.show = _show_error  # type: ignore[method-assign]
    UsageError.show = _show_usage_error  # type: ignore[method-assign]
    typer.core.TyperOption.get_help_record = _option_help  # type: ignore[method-assign]


__all__ = ["BadValue", "install", "shown_message"]
