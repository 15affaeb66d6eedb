"""What the global options carry to every command, and the runtime they open."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trakt_sync import i18n
from trakt_sync.cli.output import emit_json, note
from trakt_sync.errors import BadArgument, ConfigError, NeedsAuth, TraktSyncError, TryLater
from trakt_sync.paths import DEFAULT_PROFILE, config_file, config_named_explicitly
from trakt_sync.reason_text import shown_reason
from trakt_sync.redact import SecretRegistry

if TYPE_CHECKING:
    from trakt_sync.config import Settings
    from trakt_sync.runtime import Runtime


@dataclass
class CliState:
    config: Path | None = None
    profile: str = DEFAULT_PROFILE
    verbose: int = 0
    quiet: bool = False
    registry: SecretRegistry = field(default_factory=SecretRegistry)
    # Set by a command given --json: builds its document for an error that ends it early
    # (message, exit code, the exception), so stdout still carries exactly one document.
    json_error: Callable[[str, int, BaseException], dict[str, Any]] | None = None
    json_sent: bool = False
    secrets_checked: bool = False
    command: str | None = None  # the subcommand run, once the root options are parsed

    def expect_json(
        self, on_error: Callable[[str, int, BaseException], dict[str, Any]] | None = None
    ) -> None:
        """This run answers with one JSON document, also when it fails."""
        self.json_error = on_error or error_document

    def emit_json(self, data: Any) -> None:
        emit_json(data)
        self.json_sent = True

    def emit_json_error(self, message: str, code: int, error: BaseException) -> None:
        """The command's document for an error, unless it already printed one."""
        if self.json_error is not None and not self.json_sent:
            self.emit_json(self.json_error(message, code, error))

    def hint(self, text: str, profile: str | None = None) -> str:
        """``text`` with every suggested command (```trakt-sync …```) given the profile and
        ``--config`` this run used, so that copying it acts on the same account pair."""
        profile = profile or self.profile
        parts = []
        if profile != DEFAULT_PROFILE:
            parts += ["-p", shlex.quote(profile)]
        if self.config is not None:
            parts += ["--config", shlex.quote(str(self.config))]
        if not parts:
            return text
        return text.replace("`trakt-sync ", f"`trakt-sync {' '.join(parts)} ")

    @property
    def config_path(self) -> Path:
        return config_file(self.config)

    def settings(self, profile: str | None = None) -> Settings:
        from trakt_sync.profile_runtime import load_profile_settings

        settings = load_profile_settings(
            self.config_path,
            profile or self.profile,
            must_exist=config_named_explicitly(self.config),
            registry=self.registry,
        )
        self.warn_exposed_secrets()
        if settings.ui.language != "auto":
            i18n.use(i18n.pick_language(settings.ui.language))
        return settings

    def warn_exposed_secrets(self) -> None:
        from trakt_sync.config_report import exposed_secrets_warning

        if self.secrets_checked:
            return
        self.secrets_checked = True
        warning = exposed_secrets_warning(self.config_path)
        if warning and not self.quiet:
            shown = i18n._("warning: {warning}").format(warning=shown_reason(warning))
            print(f"trakt-sync: {shown}", file=sys.stderr)

    @contextmanager
    def runtime(self, profile: str | None = None, *, read_only: bool = False) -> Iterator[Runtime]:
        from trakt_sync.profile_runtime import open_runtime

        with open_runtime(
            self.config_path,
            profile or self.profile,
            must_exist=config_named_explicitly(self.config),
            registry=self.registry,
            notice=lambda message: note(f"trakt-sync: {shown_reason(message)}"),
            read_only=read_only,
        ) as rt:
            self.warn_exposed_secrets()
            yield rt


def error_document(message: str, code: int, error: BaseException) -> dict[str, Any]:
    """What a ``--json`` command other than ``sync`` prints when it fails."""
    return {"error": {"message": message, "exit_code": code, "type": error_kind(error)}}


def error_kind(error: BaseException) -> str:
    """A stable word for what went wrong, for scripts to branch on."""
    kinds = ((ConfigError, "config"), (NeedsAuth, "needs_auth"), (TryLater, "try_later"))
    for klass, name in kinds:
        if isinstance(error, klass):
            return name
    if isinstance(error, KeyboardInterrupt):
        return "cancelled"
    if isinstance(error, BadArgument) or is_usage_error(error):
        return "usage"
    return "error" if isinstance(error, TraktSyncError) else "unexpected"


def is_usage_error(error: BaseException | None) -> bool:
    """A Click usage error (bad option or argument): Typer vendors its own Click, so it is
    known by its shape rather than its class."""
    return getattr(error, "exit_code", None) == 2 and hasattr(error, "format_message")
