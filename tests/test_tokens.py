from __future__ import annotations

import json
import os
import stat
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

from trakt_sync import token_backends
from trakt_sync.errors import ConfigError, StateError
from trakt_sync.paths import StatePaths, state_paths
from trakt_sync.redact import SecretRegistry
from trakt_sync.tokens import SERVICE, BangumiToken, TokenStore, TraktToken

ACCESS = "a1" * 32
REFRESH = "r2" * 32
BGM = "bangumi-secret-" + "x" * 25

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def trakt_token(access: str = ACCESS, refresh: str = REFRESH) -> TraktToken:
    return TraktToken(
        access_token=access,
        refresh_token=refresh,
        expires_at=1_700_000_000 + 7_776_000,
        created_at=1_700_000_000,
        username="alice",
    )


def bangumi_token(access: str = BGM) -> BangumiToken:
    return BangumiToken(access_token=access, username="alice_bgm", user_id=42)


class MemoryKeyring(KeyringBackend):
    """A working keyring in memory.

    Its ``priority`` raises, so keyring's own auto-detection (which registers
    every subclass) never picks it up outside these tests.
    """

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test-only backend")

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}
        self.reads: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.reads.append(username)
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.data.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class HangingKeyring(MemoryKeyring):
    """A locked keyring: every read blocks until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return None


class FakeKeyringModule:
    """Stands in for the ``keyring`` package; counts get_keyring() calls."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.calls = 0

    def get_keyring(self) -> Any:
        self.calls += 1
        return self.backend


class ExplodingKeyringModule:
    def get_keyring(self) -> Any:
        raise AssertionError("the keyring must not be touched")


@pytest.fixture
def paths(tmp_path: Path) -> StatePaths:
    return StatePaths(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------- token values


def test_repr_and_str_never_contain_tokens() -> None:
    store_texts = [repr(trakt_token()), str(trakt_token()), repr(bangumi_token())]
    store_texts.append(str(bangumi_token()))
    for text in store_texts:
        assert ACCESS not in text
        assert REFRESH not in text
        assert BGM not in text
    assert "alice" in repr(trakt_token())
    assert "expires_at=" in repr(trakt_token())


def test_expires_soon_uses_larger_of_ten_percent_and_one_hour() -> None:
    long = TraktToken("a", "r", expires_at=1000 + 90 * 86400, created_at=1000)
    nine_days = 9 * 86400
    assert not long.expires_soon(now=long.expires_at - nine_days - 1)
    assert long.expires_soon(now=long.expires_at - nine_days + 1)
    short = TraktToken("a", "r", expires_at=1000 + 7200, created_at=1000)  # 10% = 12 min
    assert not short.expires_soon(now=short.expires_at - 3601)
    assert short.expires_soon(now=short.expires_at - 3599)
    assert short.expires_soon(now=short.expires_at + 5)  # expired
    assert short.expires_soon(now=short.expires_at - 100, margin=200)
    assert not short.expires_soon(now=short.expires_at - 300, margin=200)
    assert short.expires_soon(now=short.expires_at, margin=0)


def test_from_oauth_computes_expires_at() -> None:
    payload = {
        "access_token": ACCESS,
        "refresh_token": REFRESH,
        "created_at": 1_700_000_000,
        "expires_in": 7_776_000,
        "token_type": "bearer",
        "scope": "public",
    }
    token = TraktToken.from_oauth(payload, username="alice")
    assert token == trakt_token()
    with pytest.raises(ValueError) as excinfo:
        TraktToken.from_oauth({"access_token": ACCESS})
    assert ACCESS not in str(excinfo.value)


# --------------------------------------------------------------------- auto → file


@pytest.mark.parametrize("placeholder", [fail.Keyring, null.Keyring])
@posix_only
def test_auto_falls_back_to_file_warns_once_and_records_choice(
    paths: StatePaths, placeholder: type[KeyringBackend]
) -> None:
    module = FakeKeyringModule(placeholder())
    warnings: list[str] = []
    store = TokenStore(paths, keyring_module=module, warn=warnings.append)

    assert module.calls == 0  # resolved lazily
    store.save_trakt(trakt_token())
    store.save_bangumi(bangumi_token())
    assert store.backend_name == "file"
    assert store.load_trakt() == trakt_token()
    assert store.load_bangumi() == bangumi_token()

    assert len(warnings) == 1
    assert "\n" not in warnings[0]
    assert str(paths.token_file) in warnings[0]
    assert ACCESS not in warnings[0]
    assert module.calls == 1

    assert mode(paths.token_file) == 0o600
    assert mode(paths.state_dir) == 0o700
    assert paths.backend_choice_file.read_text().strip() == "file"

    # A later (unattended) run reads the recorded choice: no probe, no warning.
    later_warnings: list[str] = []
    later = TokenStore(paths, keyring_module=ExplodingKeyringModule(), warn=later_warnings.append)
    assert later.load_trakt() == trakt_token()
    assert later.backend_name == "file"
    assert later_warnings == []


def test_auto_falls_back_when_keyring_hangs(paths: StatePaths) -> None:
    hanging = HangingKeyring()
    warnings: list[str] = []
    store = TokenStore(
        paths, keyring_module=FakeKeyringModule(hanging), warn=warnings.append, probe_timeout=0.2
    )
    try:
        assert store.backend_name == "file"
    finally:
        hanging.release.set()
    assert len(warnings) == 1
    assert "did not answer" in warnings[0]
    assert paths.backend_choice_file.read_text().strip() == "file"


def test_auto_falls_back_when_probe_raises(paths: StatePaths) -> None:
    class Broken(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("dbus says no")

    warnings: list[str] = []
    store = TokenStore(paths, keyring_module=FakeKeyringModule(Broken()), warn=warnings.append)
    assert store.backend_name == "file"
    assert "dbus says no" in warnings[0]


def test_auto_falls_back_when_keyring_is_not_installed(
    paths: StatePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # makes `import keyring` fail
    warnings: list[str] = []
    store = TokenStore(paths, warn=warnings.append)
    assert store.backend_name == "file"
    assert "cannot be imported" in warnings[0]


def test_env_home_state_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAKT_SYNC_HOME", str(tmp_path / "home"))
    store = TokenStore(state_paths(), keyring_module=FakeKeyringModule(fail.Keyring()))
    store.save_bangumi(bangumi_token())
    assert (tmp_path / "home" / "tokens.json").exists()
    assert (tmp_path / "home" / "secrets-backend").read_text().strip() == "file"


# --------------------------------------------------------------------- keyring


def test_auto_uses_working_keyring_and_records_choice(paths: StatePaths) -> None:
    memory = MemoryKeyring()
    warnings: list[str] = []
    store = TokenStore(paths, keyring_module=FakeKeyringModule(memory), warn=warnings.append)
    store.save_trakt(trakt_token())
    assert store.backend_name == "keyring"
    assert warnings == []
    assert paths.backend_choice_file.read_text().strip() == "keyring"
    assert not paths.token_file.exists()

    memory.reads.clear()
    later = TokenStore(paths, keyring_module=FakeKeyringModule(memory))
    assert later.load_trakt() == trakt_token()
    assert memory.reads == ["default/trakt"]  # no probe read on the second run


def test_forced_keyring_stores_and_loads(paths: StatePaths) -> None:
    memory = MemoryKeyring()
    store = TokenStore(paths, backend="keyring", keyring_module=FakeKeyringModule(memory))
    assert store.load_trakt() is None
    store.save_trakt(trakt_token())
    store.save_bangumi(bangumi_token())

    assert store.backend_name == "keyring"
    assert store.load_trakt() == trakt_token()
    assert store.load_bangumi() == bangumi_token()
    assert set(memory.data) == {(SERVICE, "default/trakt"), (SERVICE, "default/bangumi")}
    assert json.loads(memory.data[(SERVICE, "default/trakt")])["access_token"] == ACCESS
    assert memory.reads.count(token_backends.PROBE_KEY) == 0  # forcing never probes
    assert not paths.token_file.exists()
    assert not paths.backend_choice_file.exists()  # only `auto` records a choice

    store.delete_trakt()
    store.delete_trakt()  # deleting what is gone is fine
    assert store.load_trakt() is None
    assert store.load_bangumi() == bangumi_token()


@pytest.mark.parametrize("placeholder", [fail.Keyring, null.Keyring])
def test_forced_keyring_unavailable_is_a_clear_error(
    paths: StatePaths, placeholder: type[KeyringBackend]
) -> None:
    store = TokenStore(paths, backend="keyring", keyring_module=FakeKeyringModule(placeholder()))
    with pytest.raises(StateError) as excinfo:
        store.load_trakt()
    message = str(excinfo.value)
    assert "keyring" in message
    assert 'secrets.backend = "file"' in message
    assert not paths.token_file.exists()


def test_recorded_keyring_that_went_away_is_an_error_not_a_silent_switch(
    paths: StatePaths,
) -> None:
    paths.state_dir.mkdir(mode=0o700)
    paths.backend_choice_file.write_text("keyring\n")
    store = TokenStore(paths, keyring_module=FakeKeyringModule(fail.Keyring()))
    with pytest.raises(StateError) as excinfo:
        store.load_trakt()
    assert str(paths.backend_choice_file) in str(excinfo.value)


def test_keyring_errors_become_state_errors(paths: StatePaths) -> None:
    class Locked(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError("collection is locked")

    store = TokenStore(paths, backend="keyring", keyring_module=FakeKeyringModule(Locked()))
    with pytest.raises(StateError) as excinfo:
        store.save_trakt(trakt_token())
    assert "collection is locked" in str(excinfo.value)
    assert ACCESS not in str(excinfo.value)


def test_malformed_keyring_value_is_not_echoed(paths: StatePaths) -> None:
    memory = MemoryKeyring()
    store = TokenStore(paths, backend="keyring", keyring_module=FakeKeyringModule(memory))
    memory.data[(SERVICE, "default/trakt")] = "garbage " + ACCESS
    memory.data[(SERVICE, "default/bangumi")] = json.dumps({"access_token": BGM})  # no username
    for load in (store.load_trakt, store.load_bangumi):
        with pytest.raises(StateError) as excinfo:
            load()
        message = str(excinfo.value)
        assert "trakt-sync auth" in message
        assert "keyring" in message
        assert ACCESS not in message
        assert BGM not in message


# --------------------------------------------------------------------- file


@posix_only
@pytest.mark.parametrize("loose", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_loose_permissions_refused(paths: StatePaths, loose: int) -> None:
    store = TokenStore(paths, backend="file")
    store.save_trakt(trakt_token())
    paths.token_file.chmod(loose)
    for operation in (store.load_trakt, lambda: store.save_trakt(trakt_token())):
        with pytest.raises(StateError) as excinfo:
            operation()
        message = str(excinfo.value)
        assert str(paths.token_file) in message
        assert f"chmod 600 {paths.token_file}" in message
        assert ACCESS not in message
    assert mode(paths.token_file) == loose  # never "fixed" behind the user's back


@posix_only
def test_file_is_private_before_any_secret_is_written(
    paths: StatePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    seen: list[int] = []

    def checking_write(fd: int, data: Any) -> int:
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    old_umask = os.umask(0)  # even a permissive umask must not matter
    try:
        monkeypatch.setattr(os, "write", checking_write)
        TokenStore(paths, backend="file").save_trakt(trakt_token())
    finally:
        os.umask(old_umask)
    assert seen
    assert set(seen) == {0o600}
    assert mode(paths.token_file) == 0o600
    assert mode(paths.state_dir) == 0o700


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_atomic_write_leaves_no_temp_files(paths: StatePaths) -> None:
    store = TokenStore(paths, backend="file")
    for i in range(5):
        store.save_trakt(trakt_token(access=f"{ACCESS}{i}"))
    store.save_bangumi(bangumi_token())
    store.delete_bangumi()
    assert leftovers(paths.state_dir) == []
    assert {p.name for p in paths.state_dir.iterdir()} <= {"tokens.json", "tokens.json.lock"}
    assert store.load_trakt() == trakt_token(access=f"{ACCESS}4")


def test_failed_replace_keeps_old_file_and_cleans_up(
    paths: StatePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TokenStore(paths, backend="file")
    store.save_trakt(trakt_token())
    before = paths.token_file.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StateError) as excinfo:
        store.save_trakt(trakt_token(access="new-" + ACCESS))
    monkeypatch.undo()
    assert str(paths.token_file) in str(excinfo.value)
    assert paths.token_file.read_bytes() == before
    assert leftovers(paths.state_dir) == []


def test_file_layout_is_nested_by_profile(paths: StatePaths) -> None:
    TokenStore(paths, backend="file", profile="anime").save_trakt(trakt_token())
    TokenStore(paths, backend="file", profile="films").save_bangumi(bangumi_token())
    data = json.loads(paths.token_file.read_text())
    assert data["version"] == 1
    assert set(data["profiles"]) == {"anime", "films"}
    assert data["profiles"]["anime"]["trakt"]["refresh_token"] == REFRESH
    assert set(data["profiles"]["films"]) == {"bangumi"}


@pytest.mark.parametrize("backend", ["file", "keyring"])
def test_profiles_are_isolated(paths: StatePaths, backend: str) -> None:
    module = FakeKeyringModule(MemoryKeyring())

    def store(profile: str) -> TokenStore:
        return TokenStore(paths, backend=backend, profile=profile, keyring_module=module)

    a, b = store("a"), store("b")
    a.save_trakt(trakt_token())
    a.save_bangumi(bangumi_token())
    assert b.load_trakt() is None
    assert b.load_bangumi() is None

    b.save_trakt(trakt_token(access="b-" + ACCESS))
    assert a.load_trakt() == trakt_token()
    assert b.load_trakt() == trakt_token(access="b-" + ACCESS)

    b.delete_trakt()
    a.delete_bangumi()
    assert a.load_trakt() == trakt_token()
    assert a.load_bangumi() is None
    assert b.load_trakt() is None


def test_missing_file_loads_none_and_delete_creates_nothing(paths: StatePaths) -> None:
    store = TokenStore(paths, backend="file")
    assert store.load_trakt() is None
    assert store.load_bangumi() is None
    store.delete_trakt()
    assert not paths.token_file.exists()


@pytest.mark.parametrize(
    "content",
    [
        "{not json " + ACCESS,
        json.dumps([ACCESS]),
        json.dumps({"version": 99, "profiles": {}}),
        json.dumps({"version": 1, "profiles": {"default": ACCESS}}),
        json.dumps({"version": 1, "profiles": {"default": {"trakt": {"access_token": ACCESS}}}}),
        json.dumps(
            {
                "version": 1,
                "profiles": {
                    "default": {
                        "trakt": {
                            "access_token": ACCESS,
                            "refresh_token": REFRESH,
                            "expires_at": "soon",
                            "created_at": 1,
                        }
                    }
                },
            }
        ),
    ],
)
def test_malformed_file_names_the_file_and_fix_but_not_the_value(
    paths: StatePaths, content: str
) -> None:
    paths.state_dir.mkdir(mode=0o700)
    fd = os.open(paths.token_file, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, content.encode())
    os.close(fd)
    with pytest.raises(StateError) as excinfo:
        TokenStore(paths, backend="file").load_trakt()
    message = str(excinfo.value)
    assert str(paths.token_file) in message
    assert "trakt-sync auth" in message
    assert ACCESS not in message
    assert REFRESH not in message


def test_bad_choice_file_is_an_error(paths: StatePaths) -> None:
    paths.state_dir.mkdir(mode=0o700)
    paths.backend_choice_file.write_text("carrier pigeon\n")
    store = TokenStore(paths, keyring_module=ExplodingKeyringModule())
    with pytest.raises(StateError) as excinfo:
        store.load_trakt()
    assert str(paths.backend_choice_file) in str(excinfo.value)


# --------------------------------------------------------------------- misc


def test_unknown_backend_and_empty_profile_rejected(paths: StatePaths) -> None:
    with pytest.raises(ConfigError):
        TokenStore(paths, backend="vault")
    with pytest.raises(ConfigError):
        TokenStore(paths, profile="")


def test_loaded_and_saved_tokens_are_registered_for_redaction(paths: StatePaths) -> None:
    registry = SecretRegistry()
    TokenStore(paths, backend="file", registry=registry).save_trakt(trakt_token())
    assert ACCESS in registry
    assert REFRESH in registry

    fresh = SecretRegistry()
    store = TokenStore(paths, backend="file", registry=fresh)
    store.load_trakt()
    assert fresh.redact(f"token {ACCESS} / {REFRESH}") == "token *** / ***"


def test_store_repr_has_no_secrets(paths: StatePaths) -> None:
    store = TokenStore(paths, backend="file", keyring_module=SimpleNamespace())
    store.save_trakt(trakt_token())
    assert ACCESS not in repr(store)
    assert "file" in repr(store)
