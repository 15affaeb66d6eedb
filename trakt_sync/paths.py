"""Where trakt-sync keeps its configuration and state.

``TRAKT_SYNC_HOME`` puts everything (database, token file, caches, locks) under
one directory — what Docker volumes and tests want. Otherwise the platform's
user directories are used. Nothing depends on the current working directory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from trakt_sync.errors import ConfigError, StateError
from trakt_sync.i18n import N_

APP_NAME = "trakt-sync"
ENV_HOME = "TRAKT_SYNC_HOME"
ENV_CONFIG = "TRAKT_SYNC_CONFIG"
# The account pair used without --profile; its database is default.sqlite3.
DEFAULT_PROFILE = "default"
# A profile's name becomes part of file names in the state directory: no "..", no "/".
_PROFILE_NAME = re.compile(r"[A-Za-z0-9_-]+")


def check_profile_name(name: object, where: str = "profile") -> str:
    """``name`` if it may name a profile; ConfigError (exit 78) saying why not."""
    if not isinstance(name, str) or not _PROFILE_NAME.fullmatch(name):
        raise ConfigError.said(
            N_(
                "{where}: {name} is not a valid profile name: use only letters, digits, "
                "'-' and '_' (the name becomes a file name in the state directory)"
            ),
            where=where,
            name=repr(name),
        )
    return name


def config_file(cli_path: Path | None = None) -> Path:
    """``--config`` > ``TRAKT_SYNC_CONFIG`` > ``$TRAKT_SYNC_HOME/config.toml`` >
    ``<user config dir>/trakt-sync/config.toml``."""
    if cli_path is not None:
        return cli_path.expanduser()
    if env := os.environ.get(ENV_CONFIG):
        return Path(env).expanduser()
    if home := os.environ.get(ENV_HOME):
        return Path(home).expanduser() / "config.toml"
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def config_named_explicitly(cli_path: Path | None = None) -> bool:
    """A file the user named (``--config`` or ``TRAKT_SYNC_CONFIG``) must exist; a missing
    file at a default place only means defaults and the environment."""
    return cli_path is not None or bool(os.environ.get(ENV_CONFIG))


@dataclass(frozen=True)
class StatePaths:
    state_dir: Path
    cache_dir: Path

    def database(self, profile: str) -> Path:
        return self.state_dir / f"{check_profile_name(profile)}.sqlite3"

    def lock(self, profile: str) -> Path:
        return self.state_dir / f"{check_profile_name(profile)}.lock"

    @property
    def token_file(self) -> Path:
        return self.state_dir / "tokens.json"

    @property
    def backend_choice_file(self) -> Path:
        return self.state_dir / "secrets-backend"

    @property
    def heartbeat_file(self) -> Path:
        return self.state_dir / "daemon.heartbeat"

    def read_only(self, profile: str) -> bool:
        """The state directory (or the profile's database) is there but may not be written
        by this user: ``status`` can still read it."""
        database = self.database(profile)
        if not self.state_dir.is_dir():
            return False
        return not os.access(self.state_dir, os.W_OK | os.X_OK) or (
            database.exists() and not os.access(database, os.W_OK)
        )

    def ensure(self) -> StatePaths:
        for directory in (self.state_dir, self.cache_dir):
            try:
                directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            except OSError as exc:
                raise StateError.said(
                    N_(
                        "{path}: cannot create the state directory ({error}); "
                        "set {variable} to a writable directory"
                    ),
                    path=directory,
                    error=exc.strerror,
                    variable=ENV_HOME,
                ) from None
            if not os.access(directory, os.W_OK | os.X_OK):
                raise StateError.said(
                    N_(
                        "{path}: the state directory is not writable; "
                        "set {variable} to a writable directory"
                    ),
                    path=directory,
                    variable=ENV_HOME,
                )
        return self


def state_paths() -> StatePaths:
    if home := os.environ.get(ENV_HOME):
        root = Path(home).expanduser()
        return StatePaths(state_dir=root, cache_dir=root / "cache")
    return StatePaths(
        state_dir=Path(platformdirs.user_data_dir(APP_NAME)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME)),
    )
