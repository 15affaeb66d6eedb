"""What the global options carry to every command, and the runtime they open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trakt_sync.paths import DEFAULT_PROFILE, config_file, config_named_explicitly, state_paths
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

    @property
    def config_path(self) -> Path:
        return config_file(self.config)

    def settings(self, profile: str | None = None) -> Settings:
        # Imported here, as by every command, so that `--help` loads neither pydantic nor httpx.
        from trakt_sync.config import load_settings

        settings = load_settings(
            self.config_path,
            profile or self.profile,
            must_exist=config_named_explicitly(self.config),
        )
        self.registry.add(settings.trakt.client_secret)
        self.registry.add(settings.bangumi.token)
        self.registry.add(settings.sink.key)
        return settings

    @contextmanager
    def runtime(self, profile: str | None = None) -> Iterator[Runtime]:
        from trakt_sync.runtime import Runtime

        profile = profile or self.profile
        rt = Runtime(
            profile=profile,
            config_path=self.config_path,
            settings=self.settings(profile),
            paths=state_paths(),
            secrets=self.registry,
        )
        try:
            yield rt
        finally:
            rt.close()
