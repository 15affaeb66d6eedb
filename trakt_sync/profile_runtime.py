"""Opening one profile's settings and runtime, as every face of the tool does (the CLI's
commands, the web page): the secrets they hold are registered for redaction first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from trakt_sync.redact import SecretRegistry

if TYPE_CHECKING:
    from trakt_sync.config import Settings
    from trakt_sync.runtime import Runtime


def load_profile_settings(
    config_path: Path, profile: str, *, must_exist: bool, registry: SecretRegistry
) -> Settings:
    # Imported here, as by every command, so that `--help` loads neither pydantic nor httpx.
    from trakt_sync.config import load_settings

    settings = load_settings(config_path, profile, must_exist=must_exist)
    for secret in settings.secret_values():
        registry.add(secret)
    return settings


@contextmanager
def open_runtime(
    config_path: Path,
    profile: str,
    *,
    must_exist: bool,
    registry: SecretRegistry,
    read_only: bool = False,
    notice: Callable[[str], None] | None = None,
) -> Iterator[Runtime]:
    """The profile's runtime, closed on the way out; a damaged database is reported.
    ``read_only``: nothing is created or written in the state directory (``status``).
    ``notice`` takes a one-time message for the person (the keyring fallback)."""
    from trakt_sync.paths import state_paths
    from trakt_sync.runtime import Runtime
    from trakt_sync.store import reporting_damage

    rt = Runtime(
        profile=profile,
        config_path=config_path,
        settings=load_profile_settings(
            config_path, profile, must_exist=must_exist, registry=registry
        ),
        paths=state_paths(),
        secrets=registry,
        read_only=read_only,
    )
    if notice is not None:
        rt.notice = notice  # before the token store, the one user of it, is built
    try:
        with reporting_damage(rt.paths.database(profile)):
            yield rt
    finally:
        rt.close()
