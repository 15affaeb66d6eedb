"""Where tokens are kept: a 0600 JSON file written atomically under a lock, or the OS
keyring (see ``tokens`` for how one is chosen). No token is ever put in a message."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from trakt_sync.errors import StateError, TryLater
from trakt_sync.i18n import N_

SERVICE: Final = "trakt-sync"
FILE_FORMAT_VERSION: Final = 1
PROBE_KEY: Final = "__probe__"
LOCK_TIMEOUT: Final = 10.0  # seconds to wait for another process writing the token file
AUTH_HINT: Final = "run `trakt-sync auth`"

# --------------------------------------------------------------------------- files


def _ensure_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StateError.said(
            N_("cannot create {path}: {error}"), path=directory, error=exc.strerror or exc
        ) from exc


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
            raise StateError.said(N_("cannot create a temporary file next to {path}"), path=path)
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
        raise StateError.said(
            N_("cannot write {path}: {error}"), path=path, error=exc.strerror or exc
        ) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


@contextlib.contextmanager
def held_lock(lock_path: Path, timeout: float, busy: str) -> Iterator[None]:
    """An inter-process lock file (0600), or :class:`TryLater` after ``timeout`` seconds."""
    import filelock

    _ensure_dir(lock_path.parent)
    lock = filelock.FileLock(lock_path, timeout=timeout, mode=0o600)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise TryLater.said(
            N_("{busy} (lock {path}); try again"), busy=busy, path=lock_path
        ) from exc
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
        raise StateError.said(
            N_("cannot read {path}: {error}"), path=path, error=exc.strerror or exc
        ) from exc
    try:
        if os.name == "posix" and os.fstat(fd).st_mode & 0o066:
            raise StateError.said(
                N_(
                    "{path} is readable or writable by other users; "
                    "run `chmod 600 {path}` (and consider the tokens in it leaked)"
                ),
                path=path,
            )
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise StateError.said(
            N_("cannot read {path}: {error}"), path=path, error=exc.strerror or exc
        ) from exc
    finally:
        os.close(fd)


class FileBackend:
    name: Final = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def where(self, profile: str, kind: str) -> str:
        return f"{self.path} (profile {profile!r}, {kind})"

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        return held_lock(
            lock_path, LOCK_TIMEOUT, f"another trakt-sync process is writing {self.path}"
        )

    def _read_all(self) -> dict[str, Any]:
        raw = read_private(self.path)
        if raw is None:
            return {"version": FILE_FORMAT_VERSION, "profiles": {}}
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise StateError.said(
                N_("{path} is not valid JSON; delete it (or restore a backup) and {auth}"),
                path=self.path,
                auth=AUTH_HINT,
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
            raise StateError.said(
                N_(
                    "{path} is not a trakt-sync token file; delete it (or restore a backup) "
                    "and {auth}"
                ),
                path=self.path,
                auth=AUTH_HINT,
            )
        if data.get("version") != FILE_FORMAT_VERSION:
            raise StateError.said(
                N_(
                    "{path} has an unsupported format version (a newer trakt-sync?); delete "
                    "it (or restore a backup) and {auth}"
                ),
                path=self.path,
                auth=AUTH_HINT,
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
            raise StateError.said(
                N_("profile {profile} in {path} is malformed; delete it from the file and {auth}"),
                profile=repr(profile),
                path=self.path,
                auth=AUTH_HINT,
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


def keyring_unusable_reason(backend: Any) -> str | None:
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


def describe_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class KeyringBackend:
    name: Final = "keyring"

    def __init__(self, keyring_backend: Any) -> None:
        self.backend = keyring_backend

    @staticmethod
    def key(profile: str, kind: str) -> str:
        return f"{profile}/{kind}"

    def where(self, profile: str, kind: str) -> str:
        return f"the OS keyring (service {SERVICE!r}, entry {self.key(profile, kind)!r})"

    def _fail(self, failed: str, profile: str, kind: str, exc: Exception) -> StateError:
        """``failed``: what the keyring failed to do, said with ``{where}``."""
        return StateError.said(
            N_('{failed}: {error}; unlock the keyring, or set secrets.backend = "file" and {auth}'),
            failed=failed.format(where=self.where(profile, kind)),
            error=describe_error(exc),
            auth=AUTH_HINT,
        )

    def get(self, profile: str, kind: str) -> Any | None:
        try:
            raw = self.backend.get_password(SERVICE, self.key(profile, kind))
        except Exception as exc:
            raise self._fail(
                N_("the OS keyring failed to read {where}"), profile, kind, exc
            ) from exc
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            raise StateError.said(
                N_("the {kind} token in {where} is malformed; {auth}"),
                kind=kind,
                where=self.where(profile, kind),
                auth=AUTH_HINT,
            ) from None

    def set(self, profile: str, kind: str, value: dict[str, Any]) -> None:
        try:
            self.backend.set_password(
                SERVICE, self.key(profile, kind), json.dumps(value, sort_keys=True)
            )
        except Exception as exc:
            raise self._fail(
                N_("the OS keyring failed to store {where}"), profile, kind, exc
            ) from exc

    def delete(self, profile: str, kind: str) -> None:
        key = self.key(profile, kind)
        try:
            if self.backend.get_password(SERVICE, key) is None:
                return
            self.backend.delete_password(SERVICE, key)
        except Exception as exc:
            if type(exc).__name__ == "PasswordDeleteError":  # already gone
                return
            raise self._fail(
                N_("the OS keyring failed to delete {where}"), profile, kind, exc
            ) from exc


def probe_keyring(keyring_module: Any, timeout: float) -> tuple[Any | None, str | None]:
    """``(backend, None)`` if the keyring answers a read within ``timeout``, else
    ``(None, reason)``. Runs in a daemon thread: a locked keyring can block forever,
    and that thread is then simply abandoned."""
    outcome: list[tuple[Any | None, str | None]] = []

    def run() -> None:
        try:
            backend = keyring_module.get_keyring()
            reason = keyring_unusable_reason(backend)
            if reason is not None:
                outcome.append((None, reason))
                return
            backend.get_password(SERVICE, PROBE_KEY)
            outcome.append((backend, None))
        except Exception as exc:
            outcome.append((None, f"the keyring failed a test read ({describe_error(exc)})"))

    thread = threading.Thread(target=run, name="trakt-sync-keyring-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return None, f"the keyring did not answer within {timeout:g}s (locked?)"
    return outcome[0]
