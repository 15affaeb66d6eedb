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
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeGuard

from .errors import ConfigError, StateError, TryLater
from .paths import StatePaths

if TYPE_CHECKING:
    from .redact import SecretRegistry

SERVICE: Final = "trakt-sync"
BACKENDS: Final = ("auto", "keyring", "file")
FILE_FORMAT_VERSION: Final = 1
PROBE_KEY: Final = "__probe__"
PROBE_TIMEOUT: Final = 5.0  # seconds; a locked keyring may never answer
LOCK_TIMEOUT: Final = 10.0  # seconds to wait for another process writing the token file
# seconds to wait for another process refreshing a Trakt token (its request may be retried)
REFRESH_LOCK_TIMEOUT: Final = 120.0
AUTH_HINT: Final = "run `trakt-sync auth`"

_MIN_MARGIN: Final = 3600.0  # refresh at least an hour before expiry...
_MARGIN_FRACTION: Final = 0.1  # ...or when less than 10% of the lifetime is left

Kind = Literal["trakt", "bangumi"]
BackendName = Literal["keyring", "file"]


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class TraktToken:
    """An OAuth token pair from Trakt. ``repr``/``str`` never show the tokens."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int  # unix seconds = created_at + expires_in
    created_at: int
    username: str | None = None
    rejected: bool = False  # Trakt refused its refresh token: the user must log in again

    @classmethod
    def from_oauth(cls, payload: Mapping[str, Any], *, username: str | None = None) -> TraktToken:
        """Build from Trakt's ``/oauth/token`` answer (``created_at`` + ``expires_in``).

        Raises :class:`ValueError` (without the token in the message) if a field
        is missing or has the wrong type.
        """
        access = payload.get("access_token")
        refresh = payload.get("refresh_token")
        created = payload.get("created_at")
        expires_in = payload.get("expires_in")
        if not _is_str(access) or not _is_str(refresh):
            raise ValueError("token answer lacks access_token/refresh_token")
        if not _is_int(created) or not _is_int(expires_in):
            raise ValueError("token answer lacks integer created_at/expires_in")
        return cls(
            access_token=access,
            refresh_token=refresh,
            expires_at=created + expires_in,
            created_at=created,
            username=username,
        )

    @property
    def lifetime(self) -> int:
        return self.expires_at - self.created_at

    def expires_soon(self, now: float, margin: float | None = None) -> bool:
        """True when expired, or when less than ``margin`` seconds remain.

        The default margin is 10% of the token's lifetime or one hour, whichever
        is larger (Trakt tokens live three months: refresh in the last ~9 days).
        """
        if margin is None:
            margin = max(_MARGIN_FRACTION * self.lifetime, _MIN_MARGIN)
        remaining = self.expires_at - now
        return remaining <= 0 or remaining < margin

    def to_dict(self) -> dict[str, Any]:
        data = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "created_at": self.created_at,
            "username": self.username,
        }
        if self.rejected:
            data["rejected"] = True
        return data

    @classmethod
    def from_dict(cls, data: Any) -> TraktToken:
        """Inverse of :meth:`to_dict`; :class:`ValueError` (naming no value) if malformed."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        access, refresh = data.get("access_token"), data.get("refresh_token")
        expires_at, created_at = data.get("expires_at"), data.get("created_at")
        username = data.get("username")
        if not _is_str(access) or not _is_str(refresh):
            raise ValueError("access_token/refresh_token missing or not strings")
        if not _is_int(expires_at) or not _is_int(created_at):
            raise ValueError("expires_at/created_at missing or not integers")
        if username is not None and not isinstance(username, str):
            raise ValueError("username is not a string")
        rejected = data.get("rejected", False)
        if not isinstance(rejected, bool):
            raise ValueError("rejected is not a boolean")
        return cls(access, refresh, expires_at, created_at, username, rejected)


@dataclass(frozen=True)
class BangumiToken:
    """A Bangumi personal access token. ``repr``/``str`` never show the token."""

    access_token: str = field(repr=False)
    username: str
    user_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "username": self.username,
            "user_id": self.user_id,
        }

    @classmethod
    def from_dict(cls, data: Any) -> BangumiToken:
        """Inverse of :meth:`to_dict`; :class:`ValueError` (naming no value) if malformed."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        access, username, user_id = (
            data.get("access_token"),
            data.get("username"),
            data.get("user_id"),
        )
        if not _is_str(access):
            raise ValueError("access_token missing or not a string")
        if not isinstance(username, str):
            raise ValueError("username missing or not a string")
        if user_id is not None and not _is_int(user_id):
            raise ValueError("user_id is not an integer")
        return cls(access, username, user_id)


def _is_str(value: object) -> TypeGuard[str]:
    """A non-empty string."""
    return isinstance(value, str) and bool(value)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


Token = TraktToken | BangumiToken
_PARSERS: dict[str, Callable[[Any], Token]] = {
    "trakt": TraktToken.from_dict,
    "bangumi": BangumiToken.from_dict,
}


# --------------------------------------------------------------------------- files


def _ensure_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StateError(f"cannot create {directory}: {exc.strerror or exc}") from exc


def atomic_write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``; the file is 0600 before a byte is written.

    A temp file in the same directory is created with ``O_CREAT|O_EXCL`` and
    mode 0600, written, fsynced and ``os.replace``-d over ``path``; on any
    failure the temp file is removed and ``path`` is left as it was.
    """
    _ensure_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    tmp: Path | None = None
    try:
        for _ in range(100):
            candidate = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
            try:
                fd = os.open(candidate, flags, 0o600)
            except FileExistsError:
                continue
            tmp = candidate
            break
        else:  # pragma: no cover - 100 collisions of 48 random bits
            raise StateError(f"cannot create a temporary file next to {path}")
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # a umask cannot widen it, but be explicit
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise StateError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


@contextlib.contextmanager
def _held(lock_path: Path, timeout: float, busy: str) -> Iterator[None]:
    """An inter-process lock file (0600), or :class:`TryLater` after ``timeout`` seconds."""
    import filelock

    _ensure_dir(lock_path.parent)
    lock = filelock.FileLock(lock_path, timeout=timeout, mode=0o600)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise TryLater(f"{busy} (lock {lock_path}); try again") from exc
    try:
        yield
    finally:
        lock.release()


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_private(path: Path) -> bytes | None:
    """Contents of ``path``, ``None`` if it does not exist.

    Refuses (:class:`StateError`) a file that group or others can read or write.
    The check is made on the open descriptor, so it holds for what is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        if os.name == "posix" and os.fstat(fd).st_mode & 0o066:
            raise StateError(
                f"{path} is readable or writable by other users; "
                f"run `chmod 600 {path}` (and consider the tokens in it leaked)"
            )
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise StateError(f"cannot read {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


class _FileBackend:
    name: Final = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def where(self, profile: str, kind: str) -> str:
        return f"{self.path} (profile {profile!r}, {kind})"

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        return _held(lock_path, LOCK_TIMEOUT, f"another trakt-sync process is writing {self.path}")

    def _read_all(self) -> dict[str, Any]:
        raw = read_private(self.path)
        if raw is None:
            return {"version": FILE_FORMAT_VERSION, "profiles": {}}
        fix = f"delete it (or restore a backup) and {AUTH_HINT}"
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise StateError(f"{self.path} is not valid JSON; {fix}") from None
        if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
            raise StateError(f"{self.path} is not a trakt-sync token file; {fix}")
        if data.get("version") != FILE_FORMAT_VERSION:
            raise StateError(
                f"{self.path} has an unsupported format version (a newer trakt-sync?); {fix}"
            )
        return data

    def _write_all(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        atomic_write_private(self.path, text.encode("utf-8"))

    def get(self, profile: str, kind: str) -> Any | None:
        """The stored JSON value, ``None`` if absent; raises on a bad profile entry."""
        entry = self._read_all()["profiles"].get(profile)
        if entry is None:
            return None
        if not isinstance(entry, dict):
            raise StateError(
                f"profile {profile!r} in {self.path} is malformed; "
                f"delete it from the file and {AUTH_HINT}"
            )
        return entry.get(kind)

    def set(self, profile: str, kind: str, value: dict[str, Any]) -> None:
        with self._locked():
            data = self._read_all()
            entry = data["profiles"].get(profile)
            if not isinstance(entry, dict):
                entry = data["profiles"][profile] = {}
            entry[kind] = value
            self._write_all(data)

    def delete(self, profile: str, kind: str) -> None:
        if not self.path.exists():
            return
        with self._locked():
            data = self._read_all()
            profiles = data["profiles"]
            entry = profiles.get(profile)
            if entry is None or (isinstance(entry, dict) and kind not in entry):
                return
            if isinstance(entry, dict):
                del entry[kind]
            if not isinstance(entry, dict) or not entry:
                del profiles[profile]  # an empty or malformed profile entry goes too
            self._write_all(data)


# --------------------------------------------------------------------------- keyring


def _keyring_unusable_reason(backend: Any) -> str | None:
    """Why ``backend`` (from ``keyring.get_keyring()``) is not a real keyring, or None."""
    try:
        from keyring.backends import fail, null

        placeholders: tuple[type, ...] = (fail.Keyring, null.Keyring)
    except ImportError:  # pragma: no cover - keyring is a dependency
        placeholders = ()
    cls = type(backend)
    if isinstance(backend, placeholders) or cls.__module__ in (
        "keyring.backends.fail",
        "keyring.backends.null",
    ):
        return f"no usable keyring backend ({cls.__module__}.{cls.__name__})"
    return None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class _KeyringBackend:
    name: Final = "keyring"

    def __init__(self, keyring_backend: Any) -> None:
        self.backend = keyring_backend

    @staticmethod
    def key(profile: str, kind: str) -> str:
        return f"{profile}/{kind}"

    def where(self, profile: str, kind: str) -> str:
        return f"the OS keyring (service {SERVICE!r}, entry {self.key(profile, kind)!r})"

    def _fail(self, action: str, profile: str, kind: str, exc: Exception) -> StateError:
        return StateError(
            f"the OS keyring failed to {action} {self.where(profile, kind)}: {_describe(exc)}; "
            'unlock the keyring, or set secrets.backend = "file" and '
            f"{AUTH_HINT}"
        )

    def get(self, profile: str, kind: str) -> Any | None:
        try:
            raw = self.backend.get_password(SERVICE, self.key(profile, kind))
        except Exception as exc:
            raise self._fail("read", profile, kind, exc) from exc
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            raise StateError(
                f"the {kind} token in {self.where(profile, kind)} is malformed; {AUTH_HINT}"
            ) from None

    def set(self, profile: str, kind: str, value: dict[str, Any]) -> None:
        try:
            self.backend.set_password(
                SERVICE, self.key(profile, kind), json.dumps(value, sort_keys=True)
            )
        except Exception as exc:
            raise self._fail("store", profile, kind, exc) from exc

    def delete(self, profile: str, kind: str) -> None:
        key = self.key(profile, kind)
        try:
            if self.backend.get_password(SERVICE, key) is None:
                return
            self.backend.delete_password(SERVICE, key)
        except Exception as exc:
            if type(exc).__name__ == "PasswordDeleteError":  # already gone
                return
            raise self._fail("delete", profile, kind, exc) from exc


def _probe_keyring(keyring_module: Any, timeout: float) -> tuple[Any | None, str | None]:
    """``(backend, None)`` if the keyring answers a read within ``timeout``, else
    ``(None, reason)``. Runs in a daemon thread: a locked keyring can block forever,
    and that thread is then simply abandoned."""
    outcome: list[tuple[Any | None, str | None]] = []

    def run() -> None:
        try:
            backend = keyring_module.get_keyring()
            reason = _keyring_unusable_reason(backend)
            if reason is not None:
                outcome.append((None, reason))
                return
            backend.get_password(SERVICE, PROBE_KEY)
            outcome.append((backend, None))
        except Exception as exc:
            outcome.append((None, f"the keyring failed a test read ({_describe(exc)})"))

    thread = threading.Thread(target=run, name="trakt-sync-keyring-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return None, f"the keyring did not answer within {timeout:g}s (locked?)"
    return outcome[0]


def keyring_problem(timeout: float = PROBE_TIMEOUT) -> str | None:
    """Why the OS keyring cannot hold tokens right now, or None when it answers a test read
    (what ``auto`` would find; ``trakt-sync doctor`` reports it)."""
    try:
        import keyring
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        return f"the keyring package cannot be imported ({_describe(exc)})"
    return _probe_keyring(keyring, timeout)[1]


# --------------------------------------------------------------------------- store


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
            raise ConfigError(
                f"unknown secrets backend {backend!r}; choose one of {', '.join(BACKENDS)}"
            )
        if not profile:
            raise ConfigError("profile name must not be empty")
        self.paths = paths
        self.requested = backend
        self.profile = profile
        self._warn = warn
        self._keyring_module = keyring_module
        self._registry = registry
        self._probe_timeout = probe_timeout
        self._backend: _FileBackend | _KeyringBackend | None = None
        self._lock = threading.Lock()

    # -- backend resolution

    @property
    def backend_name(self) -> str:
        """``"keyring"`` or ``"file"``: resolves ``auto`` (and may probe) on first use."""
        return self._resolve().name

    def _resolve(self) -> _FileBackend | _KeyringBackend:
        with self._lock:
            if self._backend is None:
                self._backend = self._choose()
            return self._backend

    def _keyring(self) -> Any:
        if self._keyring_module is None:
            import keyring

            self._keyring_module = keyring
        return self._keyring_module

    def _file(self) -> _FileBackend:
        return _FileBackend(self.paths.token_file)

    def _choose(self) -> _FileBackend | _KeyringBackend:
        if self.requested == "file":
            return self._file()
        if self.requested == "keyring":
            return self._open_keyring(
                'secrets.backend = "keyring" but', 'set secrets.backend = "file"'
            )
        recorded = self._recorded_choice()
        if recorded == "file":
            return self._file()
        if recorded == "keyring":
            choice_file = self.paths.backend_choice_file
            return self._open_keyring(
                f"{choice_file} selects the keyring but",
                f"unlock it, or delete {choice_file} to fall back to a token file",
            )
        backend: Any = None
        reason: str | None
        try:
            module = self._keyring()
        except ImportError as exc:
            reason = f"the keyring package cannot be imported ({_describe(exc)})"
        else:
            backend, reason = _probe_keyring(module, self._probe_timeout)
        if backend is not None:
            self._record_choice("keyring")
            return _KeyringBackend(backend)
        self._record_choice("file")
        self._warn(
            f"OS keyring unavailable ({reason}); storing tokens in {self.paths.token_file} "
            '(mode 0600) from now on — set secrets.backend = "keyring" to insist'
        )
        return self._file()

    def _open_keyring(self, context: str, fix: str) -> _KeyringBackend:
        """The keyring without probing it (no hang-guard needed for an explicit choice)."""
        try:
            backend = self._keyring().get_keyring()
        except Exception as exc:
            raise StateError(
                f"{context} the OS keyring cannot be opened ({_describe(exc)}); {fix}"
            ) from exc
        reason = _keyring_unusable_reason(backend)
        if reason is not None:
            raise StateError(f"{context} the OS keyring is unavailable: {reason}; {fix}")
        return _KeyringBackend(backend)

    def _recorded_choice(self) -> BackendName | None:
        path = self.paths.backend_choice_file
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StateError(f"cannot read {path}: {exc}; delete it to detect again") from exc
        if text == "keyring":
            return "keyring"
        if text == "file":
            return "file"
        raise StateError(
            f'{path} should contain "keyring" or "file"; delete it to detect the backend again'
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
            token = _PARSERS[kind](value)
        except ValueError as exc:
            raise StateError(
                f"the {kind} token in {backend.where(self.profile, kind)} is malformed "
                f"({exc}); {AUTH_HINT}"
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
        busy = "another trakt-sync process has been refreshing the Trakt token for long"
        return _held(lock_path, REFRESH_LOCK_TIMEOUT, busy)

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
