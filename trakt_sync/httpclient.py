"""The HTTP plumbing both API clients share: headers, timeouts, counting, pacing, retries.

Retries come from tenacity and cover only transport errors, 5xx (including
Cloudflare's 52x with HTML bodies) and rate limits that say when to come back
(Trakt's 429 + Retry-After). Their total wait is bounded per run by a
:class:`RetryBudget`, shared by every client of that run; past it the run ends
with exit 75 and the work stays retryable.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, TypeVar

import httpx
import orjson
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from trakt_sync import netproblems
from trakt_sync.errors import ConfigError, RateLimited, ServiceUnavailable, TraktSyncError
from trakt_sync.i18n import N_

log = logging.getLogger(__name__)
_T = TypeVar("_T")
MAX_REDIRECTS = 5  # same-origin GETs only


@dataclass
class RequestCounter:
    """Requests sent per service in one run: the real cost of a sync."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, service: str) -> None:
        self.counts[service] = self.counts.get(service, 0) + 1

    def get(self, service: str) -> int:
        return self.counts.get(service, 0)


@dataclass
class RetryBudget:
    """Total seconds a run may spend waiting between retries, across all clients."""

    total: float
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retries: int = 5
    spent: float = 0.0

    def take(self, seconds: float) -> float:
        if self.spent + seconds > self.total:
            raise ServiceUnavailable(
                f"gave up after waiting {self.spent:.0f}s for retries "
                f"(http.retry_budget is {self.total:.0f}s); try again later"
            )
        self.spent += seconds
        return seconds


class Pacer:
    """Keeps a client under a published request limit by sleeping before a request.

    A sliding window over the last ``limit`` send times: never more than ``limit``
    requests in any ``window`` seconds, which also satisfies the servers' fixed windows.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.limit, self.window = limit, window
        self._sent: deque[float] = deque()
        self._clock = clock
        self._sleep = sleep or time.sleep

    def wait(self) -> None:
        now = self._clock()
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()
        if len(self._sent) >= self.limit:
            delay = self.window - (now - self._sent[0])
            log.info(
                "pacing: waiting %.1fs to stay under %d requests per %.0fs",
                delay,
                self.limit,
                self.window,
            )
            self._sleep(delay)
            self._sent.popleft()
        self._sent.append(self._clock())


@cache
def tls_context() -> ssl.SSLContext:
    """The one TLS context every client of the process verifies servers with.

    Building one loads the CA bundle (~17 ms); httpx would build one per client. This is
    httpx's own default (certifi, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), verification on.
    """
    return httpx.create_ssl_context()


def new_http(*, proxy: str | None = None, **kw: Any) -> httpx.Client:
    """An httpx client sharing :func:`tls_context`; ``trust_env`` keeps the proxy variables
    (``HTTPS_PROXY``, ``NO_PROXY``, …) working; ``proxy`` (``network.proxy``: http, https or
    socks5) wins over them."""
    return httpx.Client(verify=tls_context(), trust_env=True, proxy=proxy or None, **kw)


class _Retryable(Exception):
    def __init__(
        self, error: TraktSyncError, wait: float | None = None, unreachable: bool = False
    ) -> None:
        super().__init__(str(error))
        self.error, self.wait = error, wait
        self.unreachable = unreachable  # no answer at all: the message says how many tries


class ApiClient:
    """One API's httpx client: base URL, fixed headers, timeouts, retries and error mapping.

    Subclasses implement :meth:`error_for` to turn a non-2xx answer into the
    project's own exception.
    """

    service = "api"

    def __init__(
        self,
        base_url: str,
        *,
        headers: dict[str, str],
        timeout: float,
        counter: RequestCounter,
        budget: RetryBudget,
        pacer: Pacer | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        proxy: str | None = None,
    ) -> None:
        self.base_url, self.headers, self.timeout = base_url, headers, timeout
        self.transport, self.proxy = transport, proxy
        self.counter, self.budget, self.pacer = counter, budget, pacer
        self._sleep = sleep or time.sleep

    @cached_property
    def http(self) -> httpx.Client:
        """Built on first use: a run that never calls this API opens no connection pool."""
        return new_http(
            base_url=self.base_url,
            headers=self.headers,
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
            transport=self.transport,
            follow_redirects=False,  # see _not_moved
            proxy=self.proxy,
        )

    def close(self) -> None:
        if "http" in self.__dict__:
            self.http.close()

    def error_for(self, response: httpx.Response) -> TraktSyncError:
        raise NotImplementedError

    def retry_wait(self, error: TraktSyncError) -> float | None:
        """Seconds to wait before retrying ``error``; None when it must not be retried."""
        if isinstance(error, RateLimited):
            return error.retry_after or 0.0  # 0: back off exponentially
        if isinstance(error, ServiceUnavailable):
            return 0.0
        return None

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send with retries; the response is 2xx or an exception was raised."""
        return self._with_retries(
            method, path, lambda: self._send_once(method, path, params, json, headers)
        )

    def get_json(
        self, path: str, params: dict[str, Any] | None = None
    ) -> tuple[Any, httpx.Response]:
        """GET and decode; a truncated or non-JSON 2xx body is retried like a 5xx."""

        def send() -> tuple[Any, httpx.Response]:
            response = self._send_once("GET", path, params, None, None)
            try:
                # orjson: a whole-history fetch decodes ~1 KB a play (see the README).
                return orjson.loads(response.content), response
            except ValueError:
                raise _Retryable(
                    ServiceUnavailable(
                        f"{self.service}: GET {path} answered {response.status_code} "
                        "with a body that is not valid JSON"
                    )
                ) from None

        return self._with_retries("GET", path, send)

    def _with_retries(self, method: str, path: str, send: Callable[[], _T]) -> _T:
        def backoff(state: RetryCallState) -> float:
            assert state.outcome is not None
            exc = state.outcome.exception()
            assert isinstance(exc, _Retryable)
            if state.attempt_number > self.budget.max_retries:
                return 0.0  # tenacity asks for the wait before it stops: no retry follows
            exponential = self.budget.backoff_base * 2 ** (state.attempt_number - 1)
            wait = exc.wait if exc.wait else min(exponential, self.budget.backoff_max)
            log.info("%s %s: %s; retrying in %.1fs", method, path, exc.error, wait)
            try:
                return self.budget.take(wait)
            except ServiceUnavailable as spent:  # say what kept failing, not only the budget
                raise ServiceUnavailable(f"{_after(exc, state.attempt_number)}; {spent}") from None

        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(self.budget.max_retries + 1),
            wait=backoff,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return send()
        except _Retryable as exc:
            if exc.unreachable:
                raise ServiceUnavailable(
                    _after(exc, retrying.statistics.get("attempt_number", 1))
                ) from None
            raise exc.error from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _unreachable(self, exc: httpx.TransportError) -> ServiceUnavailable:
        """Which service could not be reached and why (DNS, timeout, TLS, the proxy…)."""
        url = self.http.base_url
        why = netproblems.describe(exc, url.host, netproblems.proxy_for(url, self.proxy))
        return ServiceUnavailable(f"{netproblems.label(self.service)}: {why}")

    def send_raw(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        """One counted request whose status the caller interprets (the OAuth poll needs that)."""
        self.counter.add(self.service)
        try:
            return _unbound(self._not_moved(self.http.request(method, path, json=json)))
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None

    def _not_moved(self, response: httpx.Response) -> httpx.Response:
        """Follow a redirect only for a GET to the same origin (Bangumi's merged subjects);
        anything else is refused, naming where it pointed: a 307/308 resends a POST's body
        — a token, the client secret — to wherever the Location says."""
        for _ in range(MAX_REDIRECTS):
            target = response.next_request
            if not response.is_redirect or target is None:
                return response
            source = response.request
            if source.method != "GET" or _origin(target.url) != _origin(source.url):
                response.close()
                raise ConfigError.said(
                    N_(
                        "{service}: {method} {url} was redirected ({status}) to {target}; a "
                        "redirect to another address is not followed, so no credential goes "
                        "there: if the service moved, change its URL in the configuration"
                    ),
                    service=self.service,
                    method=source.method,
                    url=_shown(source.url),
                    status=response.status_code,
                    target=_shown(target.url),
                )
            response = self.http.send(target)
        raise ServiceUnavailable.said(
            N_("{service}: more than {count} redirects"), service=self.service, count=MAX_REDIRECTS
        )

    def _send_once(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        headers: dict[str, str] | None,
    ) -> httpx.Response:
        if self.pacer is not None:
            self.pacer.wait()
        self.counter.add(self.service)
        try:
            response = _unbound(
                self._not_moved(
                    self.http.request(method, path, params=params, json=json, headers=headers)
                )
            )
        except httpx.TransportError as exc:
            raise _Retryable(self._unreachable(exc), unreachable=True) from None
        if response.is_success:
            return response
        error = self.error_for(response)
        wait = self.retry_wait(error)
        if wait is not None:
            raise _Retryable(error, wait)
        raise error


def _after(exc: _Retryable, attempts: int) -> str:
    """``Trakt: connect timeout to api.trakt.tv after 3 tries`` (a server's answer as it is)."""
    if exc.unreachable:
        return f"{exc.error} after {netproblems.tries(attempts)}"
    return str(exc.error)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _shown(url: httpx.URL) -> str:
    """A URL without credentials, query or fragment: what a message may name."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


def _unbound(response: httpx.Response) -> httpx.Response:
    """The response without its stream. httpx binds a response and its stream to each other,
    a reference cycle, so each body (~300 KB per Trakt history page) would stay in memory
    until the cyclic GC happened to run; the body is already read (no request streams)."""
    response.stream = httpx.ByteStream(b"")
    return response


def error_text(response: httpx.Response) -> str:
    """A short human description from an error body (JSON or HTML), never the whole page."""
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase or f"HTTP {response.status_code}"
    if isinstance(data, dict):
        for key in ("description", "error_description", "error", "title", "message"):
            if isinstance(data.get(key), str) and data[key]:
                return str(data[key])
    return response.reason_phrase or f"HTTP {response.status_code}"
