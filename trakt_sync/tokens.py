"""Where the Trakt and Bangumi tokens live: the OS keyring or a 0600 JSON file.

Two backends:

``keyring``
    The OS keyring through the ``keyring`` library, service ``"trakt-sync"``,
    one entry per profile and service: ``<profile>/trakt`` and
    ``<profile>/bangumi``, each holding the token as a JSON object.
``file``
    ``StatePaths.token_file`` (``tokens.json`` in the state directory)::

        {"version": 1, "profiles": {"<profile>": {"trakt": {...}, "bangumi": {...}}}}

    The directory is created 0700 and the file is only ever written through a
    temp file that is created 0600 *before* any secret is written to it, then
    fsynced and ``os.replace``-d over the old one, under a lock so that two
    processes refreshing tokens cannot lose each other's update. A token file
    that group or others can read or write is refused, never read.

``auto`` (the default) uses the keyring when a usable backend exists and falls
back to the file with a one-line warning otherwise. The decision is recorded in
``StatePaths.backend_choice_file`` so that later runs — unattended ones under
cron or the daemon in particular — never probe the keyring again (a locked
keyring can hang or pop up a dialog). Delete that file to detect again.

Nothing here ever puts a token in an exception message, a log line or a repr.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

from trakt_sync.errors import ConfigError, StateError
from trakt_sync.i18n import N_
from trakt_sync.paths import StatePaths
from trakt_sync.token_backends import (
    AUTH_HINT,
    SERVICE,
    FileBackend,
    KeyringBackend,
    atomic_write_private,
    describe_error,
    held_lock,
    keyring_unusable_reason,
    probe_keyring,
    read_private,
)
from trakt_sync.token_models import PARSERS, BangumiToken, Token, TraktToken

if TYPE_CHECKING:
    from pathlib import Path

    from trakt_sync.redact import SecretRegistry

BACKENDS: Final = ("auto", "keyring", "file")
PROBE_TIMEOUT: Final = 5.0  # seconds; a locked keyring may never answer
# seconds to wait for another process refreshing a Trakt token (its request may be retried)
REFRESH_LOCK_TIMEOUT: Final = 120.0


Kind = Literal["trakt", "bangumi"]
BackendName = Literal["keyring", "file"]


# --------------------------------------------------------------------------- store


def keyring_problem(timeout: float = PROBE_TIMEOUT) -> str | None:
    """Why the OS keyring cannot hold tokens right now, or None when it answers a test read
    (what ``auto`` would find; ``trakt-sync doctor`` reports it)."""
    try:
        import keyring
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        return f"the keyring package cannot be imported ({describe_error(exc)})"
    return probe_keyring(keyring, timeout)[1]


class TokenStore:
    """Load, save and delete one profile's Trakt and Bangumi tokens.

    ``backend`` is ``"auto"``, ``"keyring"`` or ``"file"`` (``secrets.backend``);
    ``"auto"`` is resolved lazily, on first use. ``warn`` receives the one-line
    notice when ``auto`` falls back to the file. ``keyring_module`` replaces the
    ``keyring`` package (tests); ``registry``, if given, learns every token loaded
    or saved so that log redaction knows it; ``probe_timeout`` bounds the keyring
    probe of ``auto``.
    """

    def __init__(
        self,
        paths: StatePaths,
        *,
        backend: str = "auto",
        profile: str = "default",
        warn: Callable[[str], None] = lambda m: None,
        keyring_module: Any = None,
        registry: SecretRegistry | None = None,
        probe_timeout: float = PROBE_TIMEOUT,
    ) -> None:
        if backend not in BACKENDS:
            raise ConfigError.said(
                N_("unknown secrets backend {backend}; choose one of {backends}"),
                backend=repr(backend),
                backends=", ".join(BACKENDS),
            )
        if not profile:
            raise ConfigError.said(N_("profile name must not be empty"))
        self.paths = paths
        self.requested = backend
        self.profile = profile
        self._warn = warn
        self._keyring_module = keyring_module
        self._registry = registry
        self._probe_timeout = probe_timeout
        self._backend: FileBackend | KeyringBackend | None = None
        self._lock = threading.Lock()

    # -- backend resolution

    @property
    def backend_name(self) -> str:
        """``"keyring"`` or ``"file"``: resolves ``auto`` (and may probe) on first use."""
        return self._resolve().name

    def _resolve(self) -> FileBackend | KeyringBackend:
        with self._lock:
            if self._backend is None:
                self._backend = self._choose()
            return self._backend

    def _keyring(self) -> Any:
        if self._keyring_module is None:
            import keyring

            self._keyring_module = keyring
        return self._keyring_module

    def _file(self) -> FileBackend:
        return FileBackend(self.paths.token_file)

    def _choose(self) -> FileBackend | KeyringBackend:
        if self.requested == "file":
            return self._file()
        if self.requested == "keyring":
            return self._open_keyring(
                N_(
                    'secrets.backend = "keyring" but the OS keyring cannot be opened ({error}); '
                    'set secrets.backend = "file"'
                ),
                N_(
                    'secrets.backend = "keyring" but the OS keyring is unavailable: {error}; '
                    'set secrets.backend = "file"'
                ),
            )
        recorded = self._recorded_choice()
        if recorded == "file":
            return self._file()
        if recorded == "keyring":
            choice_file = self.paths.backend_choice_file
            return self._open_keyring(
                N_(
                    "{path} selects the keyring but the OS keyring cannot be opened ({error}); "
                    "unlock it, or delete {path} to fall back to a token file"
                ),
                N_(
                    "{path} selects the keyring but the OS keyring is unavailable: {error}; "
                    "unlock it, or delete {path} to fall back to a token file"
                ),
                choice_file,
            )
        backend: Any = None
        reason: str | None
        try:
            module = self._keyring()
        except ImportError as exc:
            reason = f"the keyring package cannot be imported ({describe_error(exc)})"
        else:
            backend, reason = probe_keyring(module, self._probe_timeout)
        if backend is not None:
            self._record_choice("keyring")
            return KeyringBackend(backend)
        self._record_choice("file")
        self._warn(
            f"OS keyring unavailable ({reason}); storing tokens in {self.paths.token_file} "
            '(mode 0600) from now on — set secrets.backend = "keyring" to insist'
        )
        return self._file()

    def _open_keyring(
        self, cannot_open: str, unavailable: str, choice_file: Path | None = None
    ) -> KeyringBackend:
        """The keyring without probing it (no hang-guard needed for an explicit choice);
        the two messages say why not, for the setting or the recorded choice that asked."""
        try:
            backend = self._keyring().get_keyring()
        except Exception as exc:
            raise StateError.said(cannot_open, error=describe_error(exc), path=choice_file) from exc
        reason = keyring_unusable_reason(backend)
        if reason is not None:
            raise StateError.said(unavailable, error=reason, path=choice_file)
        return KeyringBackend(backend)

    def _recorded_choice(self) -> BackendName | None:
        path = self.paths.backend_choice_file
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StateError.said(
                N_("cannot read {path}: {error}; delete it to detect again"), path=path, error=exc
            ) from exc
        if text == "keyring":
            return "keyring"
        if text == "file":
            return "file"
        raise StateError.said(
            N_('{path} should contain "keyring" or "file"; delete it to detect the backend again'),
            path=path,
        )

    def _record_choice(self, name: BackendName) -> None:
        atomic_write_private(self.paths.backend_choice_file, f"{name}\n".encode())

    # -- generic load/save/delete

    def _load(self, kind: Kind) -> Any:
        backend = self._resolve()
        value = backend.get(self.profile, kind)
        if value is None:
            return None
        try:
            token = PARSERS[kind](value)
        except ValueError as exc:
            raise StateError.said(
                N_("the {kind} token in {where} is malformed ({error}); {auth}"),
                kind=kind,
                where=backend.where(self.profile, kind),
                error=exc,
                auth=AUTH_HINT,
            ) from None
        self._remember(token)
        return token

    def _save(self, kind: Kind, token: Token) -> None:
        self._remember(token)
        self._resolve().set(self.profile, kind, token.to_dict())

    def _delete(self, kind: Kind) -> None:
        self._resolve().delete(self.profile, kind)

    def _remember(self, token: Token) -> None:
        if self._registry is None:
            return
        self._registry.add(token.access_token)
        if isinstance(token, TraktToken):
            self._registry.add(token.refresh_token)

    # -- public API

    def refresh_lock(self) -> contextlib.AbstractContextManager[None]:
        """Held while a Trakt pair is read, refreshed and saved, by every process and with
        either backend: a refresh token is single use, so a second refresher must wait and
        then find the pair the first one stored (one lock for all profiles; refreshes are
        rare)."""
        lock_path = self.paths.token_file.with_name("tokens.refresh.lock")
        busy = N_("another trakt-sync process has been refreshing the Trakt token for long")
        return held_lock(lock_path, REFRESH_LOCK_TIMEOUT, busy)

    def load_trakt(self) -> TraktToken | None:
        token: TraktToken | None = self._load("trakt")
        return token

    def save_trakt(self, token: TraktToken) -> None:
        self._save("trakt", token)

    def delete_trakt(self) -> None:
        self._delete("trakt")

    def load_bangumi(self) -> BangumiToken | None:
        token: BangumiToken | None = self._load("bangumi")
        return token

    def save_bangumi(self, token: BangumiToken) -> None:
        self._save("bangumi", token)

    def delete_bangumi(self) -> None:
        self._delete("bangumi")

    def __repr__(self) -> str:
        resolved = self._backend.name if self._backend is not None else "unresolved"
        return (
            f"TokenStore(profile={self.profile!r}, backend={self.requested!r}, "
            f"resolved={resolved!r})"
        )


__all__ = [
    "BACKENDS",
    "SERVICE",
    "BangumiToken",
    "TokenStore",
    "TraktToken",
    "atomic_write_private",
    "read_private",
]
