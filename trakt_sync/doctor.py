"""``trakt-sync doctor``: one verdict per thing a sync depends on, as plain data.

The services are asked through the very clients a sync builds (same settings, proxy and
TLS), with at most one retry, so a dead service answers in seconds, not after the retry
budget."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx

from trakt_sync.config import Settings
from trakt_sync.config_sections import ENV_PREFIX
from trakt_sync.errors import ConfigError, NeedsAuth, TraktSyncError
from trakt_sync.heartbeat import beat_time
from trakt_sync.heartbeat import judge as judge_daemon
from trakt_sync.heartbeat import read as read_beat
from trakt_sync.httpclient import RetryBudget
from trakt_sync.netproblems import describe, proxy_for
from trakt_sync.paths import StatePaths
from trakt_sync.redact import SecretRegistry
from trakt_sync.reports import daemon_stale
from trakt_sync.timeutil import utcnow

if TYPE_CHECKING:
    from trakt_sync.runtime import Runtime

Status = Literal["ok", "warn", "fail", "skip"]
# A diagnosis should not wait out a whole retry budget on a service that is down.
DOCTOR_BUDGET = RetryBudget(total=3.0, backoff_base=0.5, max_retries=1)


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str


def diagnose(
    config_path: Path,
    profile: str,
    paths: StatePaths,
    *,
    must_exist: bool = False,
    registry: SecretRegistry | None = None,
    transport: httpx.BaseTransport | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every check for one profile: ``{"profile", "ok", "checks": [{name, status, detail}]}``;
    ``ok`` is false when any check failed (a warning does not fail)."""
    from trakt_sync.profile_runtime import load_profile_settings
    from trakt_sync.runtime import Runtime

    registry = registry or SecretRegistry()
    try:
        settings = load_profile_settings(
            config_path, profile, must_exist=must_exist, registry=registry
        )
    except ConfigError as exc:
        checks = [Check("config", "fail", registry.redact(str(exc)))]
        checks += [Check(name, "skip", "the configuration is not valid") for name in _LATER]
        return _report(profile, checks)
    runtime = Runtime(profile, config_path, settings, paths, registry, transport=transport)
    runtime.budget = RetryBudget(**asdict(DOCTOR_BUDGET))
    try:
        checks = [_config(config_path, profile), *runtime_checks(runtime, now or utcnow())]
    finally:
        runtime.close()
    return _report(profile, [Check(c.name, c.status, registry.redact(c.detail)) for c in checks])


_LATER = ("state directory", "keyring", "Trakt", "Trakt token", "Bangumi", "Bangumi token")


def _report(profile: str, checks: list[Check]) -> dict[str, Any]:
    return {
        "profile": profile,
        "ok": all(check.status != "fail" for check in checks),
        "checks": [asdict(check) for check in checks],
    }


def _config(path: Path, profile: str) -> Check:
    where = str(path) if path.exists() else f"no file at {path} (defaults and environment)"
    return Check("config", "ok", f"{where}: valid, profile {profile}")


def runtime_checks(rt: Runtime, now: datetime) -> list[Check]:
    """The checks past the configuration, in the order a sync needs them."""
    settings = rt.settings
    checks = [state_directory(rt.paths), keyring(settings, rt.paths)]
    proxy = rt.settings.network.proxy
    trakt = reachable("Trakt", rt.trakt.http, proxy)
    # A token cannot be checked with a service that does not answer: not waited for twice.
    checks += [trakt, trakt_token(rt) if trakt.status != "fail" else _unasked("Trakt token")]
    anonymous = rt.bangumi_client(None)
    try:
        bangumi = reachable("Bangumi", anonymous.http, proxy)
    finally:
        anonymous.close()
    checks += [
        bangumi,
        bangumi_token(rt) if bangumi.status != "fail" else _unasked("Bangumi token"),
    ]
    checks += data_sources(rt)
    if settings.sink.kind == "bangumi-syncer" and rt.sink is not None:
        checks.append(reachable("Bangumi-syncer", rt.sink.client.http, proxy))
    checks.append(daemon(rt, now))
    return checks


def _unasked(name: str) -> Check:
    service = name.split()[0]
    return Check(name, "skip", f"not checked: {service} did not answer")


def state_directory(paths: StatePaths) -> Check:
    directory = paths.state_dir
    if not directory.exists():
        parent = next((p for p in directory.parents if p.exists()), None)
        if parent is not None and os.access(parent, os.W_OK | os.X_OK):
            return Check("state directory", "ok", f"{directory} (created at the first sync)")
        return Check("state directory", "fail", f"{directory}: does not exist and cannot be made")
    if not os.access(directory, os.W_OK | os.X_OK):
        return Check("state directory", "fail", f"{directory}: not writable by this user")
    problems = []
    for path in (paths.token_file, *directory.glob("*.sqlite3")):
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            problems.append(f"{path.name} is not readable and writable")
    if paths.token_file.exists() and paths.token_file.stat().st_mode & 0o077:
        mode = stat.S_IMODE(paths.token_file.stat().st_mode)
        problems.append(f"{paths.token_file.name} is mode {mode:04o}, not 0600 (refused)")
    if problems:
        return Check("state directory", "fail", f"{directory}: " + "; ".join(problems))
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        return Check(
            "state directory", "warn", f"{directory}: mode {mode:04o}, others may read it (0700)"
        )
    return Check("state directory", "ok", f"{directory}: writable, mode {mode:04o}")


def keyring(settings: Settings, paths: StatePaths) -> Check:
    from trakt_sync.tokens import keyring_problem

    backend = settings.secrets.backend
    if backend == "file":
        return Check("keyring", "ok", f"not used: secrets.backend = file ({paths.token_file})")
    chosen = ""
    if backend == "auto" and paths.backend_choice_file.exists():
        chosen = paths.backend_choice_file.read_text(encoding="utf-8").strip()
    problem = keyring_problem()
    if problem is None:
        note = "; tokens are in the file (auto chose it earlier)" if chosen == "file" else ""
        return Check("keyring", "ok", f"usable{note}")
    if backend == "keyring" or chosen == "keyring":
        return Check("keyring", "fail", f"{problem}; the tokens are kept there")
    return Check("keyring", "ok", f"unavailable ({problem}); tokens in {paths.token_file}")


def reachable(name: str, http: httpx.Client, configured_proxy: str | None = None) -> Check:
    """One request to the service's root through ``http``: any HTTP answer means reachable.
    ``configured_proxy`` is ``network.proxy``; the detail names the proxy the request took."""
    return _answer(name, http.base_url, configured_proxy, lambda: http.request("GET", "/"))


def _answer(
    name: str, url: httpx.URL, configured_proxy: str | None, send: Callable[[], httpx.Response]
) -> Check:
    host = url.netloc.decode()
    proxy = proxy_for(url, configured_proxy)
    via = f" through the proxy {_proxy_address(proxy)}" if proxy else ""
    started = time.monotonic()
    try:
        response = send()
    except httpx.TransportError as exc:
        return Check(name, "fail", f"cannot reach it: {describe(exc, host, proxy)}")
    took = round((time.monotonic() - started) * 1000)
    status = response.status_code
    if status == 407:
        return Check(name, "fail", f"{host}: the proxy wants authentication (407){via}")
    if status >= 500 or (status >= 400 and response.request.method == "HEAD" and status != 405):
        return Check(name, "warn", f"{host} answered {status} in {took} ms{via}")
    return Check(name, "ok", f"{host} answered in {took} ms{via}")


def _proxy_address(proxy: str) -> str:
    """The proxy's scheme, host and port: never its password."""
    url = httpx.URL(proxy)
    return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")


def trakt_token(rt: Runtime) -> Check:
    if not rt.settings.trakt.app_client_id():
        return Check("Trakt token", "fail", "trakt.client_id is not set (no Trakt app to ask as)")
    try:
        token = rt.tokens.load_trakt()
        if token is None:
            return Check("Trakt token", "fail", "not logged in: run `trakt-sync auth`")
        user = rt.trakt.user_settings().get("user", {}).get("username")
    except NeedsAuth as exc:
        return Check("Trakt token", "fail", str(exc))
    except TraktSyncError as exc:
        return Check("Trakt token", "fail", f"cannot check it: {exc}")
    return Check(
        "Trakt token", "ok", f"accepted, logged in as {user} (tokens in {rt.tokens.backend_name})"
    )


def bangumi_token(rt: Runtime) -> Check:
    account = rt.bangumi_account
    env_name = f"{ENV_PREFIX}BANGUMI__TOKEN"
    try:
        token = account.token()
    except TraktSyncError as exc:
        return Check("Bangumi token", "fail", str(exc))
    if account.config_token is not None:
        where = env_name if env_name in os.environ else f"bangumi.token in {rt.config_path}"
        source, fix = f"from {where}", f"change {where}"
    else:
        source = f"stored in the {rt.tokens.backend_name}"
        fix = "run `trakt-sync auth bangumi`"
    if token is None:
        if rt.settings.sink.kind == "bangumi-syncer":
            return Check("Bangumi token", "ok", "not needed: plays go to Bangumi-syncer")
        return Check("Bangumi token", "fail", "not logged in: run `trakt-sync auth bangumi`")
    client = rt.bangumi_client(token)
    try:
        user = client.me().get("username")
    except NeedsAuth:
        return Check("Bangumi token", "fail", f"rejected by Bangumi (token {source}): {fix}")
    except TraktSyncError as exc:
        return Check("Bangumi token", "fail", f"cannot check it: {exc}")
    finally:
        client.close()
    return Check("Bangumi token", "ok", f"accepted, user {user} (token {source})")


def data_sources(rt: Runtime) -> list[Check]:
    """bangumi-data and the id table: a local copy must exist; a URL must answer."""
    from trakt_sync.matcher_wiring import data_http

    matching = rt.settings.matching
    checks = []
    for name, url, path in (
        ("bangumi-data", matching.bangumi_data_url, matching.bangumi_data_path),
        ("id table", matching.id_table_url, matching.id_table_path),
    ):
        if path is not None:
            found = path.is_file()
            checks.append(
                Check(
                    name, "ok" if found else "fail", f"{path}" + ("" if found else ": no such file")
                )
            )
        elif url:
            with data_http(rt.settings, rt.transport, rt.user_agent) as http:
                # HEAD: the file itself is megabytes; any answer but an error will do.
                head = partial(http.head, url)
                checks.append(_answer(name, httpx.URL(url), rt.settings.network.proxy, head))
    return checks


# The daemon's state as ``status`` judges it (trakt_sync.heartbeat) → this check's verdict.
_DAEMON: dict[str | None, tuple[Status, str]] = {
    None: ("ok", "not running (no heartbeat); cron or a timer may sync instead"),
    "running": ("ok", "running, last heartbeat {at}"),
    "stale": ("warn", "stale: last heartbeat {at}; is `trakt-sync daemon` running?"),
    "stopped": ("ok", "not running: stopped {at}"),
    "once": ("ok", "not running: `daemon --once` ran {at}"),
    "dead": ("warn", "not running: its process is gone (last heartbeat {at})"),
    "other": ("ok", "a daemon runs for other profiles only (last heartbeat {at})"),
}


def daemon(rt: Runtime, now: datetime) -> Check:
    sync = rt.settings.sync
    beat = read_beat(rt.paths.heartbeat_file)
    stale = beat is not None and daemon_stale(beat.at, sync.schedule, sync.timezone, now)
    status, template = _DAEMON[judge_daemon(beat, rt.profile, stale)]
    at = ""
    if beat is not None:
        moment = beat_time(beat)
        at = f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else beat.at
    return Check("daemon", status, template.format(at=at))
