"""What the global options carry to every command, and the runtime they open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from trakt_sync.config import DEFAULT_PROFILE, Settings, load_settings
from trakt_sync.paths import config_file, config_named_explicitly, state_paths
from trakt_sync.redact import SecretRegistry
from trakt_sync.runtime import Runtime
from trakt_sync.store import reporting_damage


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
        profile = profile or self.profile
        rt = Runtime(
            profile=profile,
            config_path=self.config_path,
            settings=self.settings(profile),
            paths=state_paths(),
            secrets=self.registry,
        )
        try:
            with reporting_damage(rt.paths.database(profile)):
                yield rt
        finally:
            rt.close()
