"""Shared machinery of the fake servers: threading HTTP server, request log, fault injection.

Each fake subclasses :class:`FakeServer` and implements :meth:`FakeServer.handle`, a pure
``Request -> Response`` function. Faults queued with :meth:`FakeServer.inject` are applied
before normal handling, and every request (faulted or not) is logged. ``latency`` (seconds)
is added to every request, as a network round trip would (the performance bench).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import sys
import threading
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

JSONBody = dict[str, Any] | list[Any]
FaultBody = bytes | str | dict[str, Any] | list[Any]


@dataclass
class Request:
    """One request as seen by a fake. ``headers`` keys are lower-cased; ``query`` keeps the
    last value of repeated keys (``query_list`` keeps them all)."""

    method: str
    path: str
    query: dict[str, str]
    query_list: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    status: int | None = None  # filled in once answered (None for resets)
    faulted: bool = False

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


def empty_response(status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status, b"", dict(headers or {}))


@dataclass
class Fault:
    method: str | None
    pattern: re.Pattern[str]
    status: int | None
    body: FaultBody
    headers: dict[str, str]
    times: int
    delay: float
    reset_connection: bool
    truncate: bool
    delay_after: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and bool(self.pattern.search(path))


def _fault_response(fault: Fault) -> Response:
    assert fault.status is not None
    body = fault.body
    if isinstance(body, dict | list):
        return json_response(fault.status, body, fault.headers)
    if isinstance(body, str):
        # Cloudflare 52x pages are HTML; anything else given as text is served as plain text.
        ctype = "text/html; charset=UTF-8" if body.lstrip().startswith("<") else "text/plain"
        return Response(fault.status, body.encode(), {"Content-Type": ctype, **fault.headers})
    return Response(fault.status, body, dict(fault.headers))


class FakeServer:
    """Base class: start/stop, ``url``, request log and fault queue."""

    name = "fake"

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self._lock = threading.RLock()  # guards the fake's state; handle() runs under it
        self._log_lock = threading.Lock()
        self._log: list[Request] = []
        self._faults: list[Fault] = []
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(
            # a short poll interval keeps stop() (and so each test's teardown) fast
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"{self.name}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping on an injected delay
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError(f"{self.name} fake is not running; call start() first")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- request log -----------------------------------------------------------------------
    @property
    def requests(self) -> list[Request]:
        with self._log_lock:
            return list(self._log)

    def count(self, path_regex: str | None = None, *, method: str | None = None) -> int:
        """Number of logged requests, optionally only those whose path matches ``path_regex``
        (``re.search``) and/or with the given method."""
        pattern = re.compile(path_regex) if path_regex else None
        return sum(
            1
            for r in self.requests
            if (pattern is None or pattern.search(r.path))
            and (method is None or r.method == method.upper())
        )

    def reset_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    # -- fault injection -------------------------------------------------------------------
    def inject(
        self,
        method: str | None,
        path_regex: str,
        *,
        status: int | None = None,
        body: FaultBody = b"",
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
        reset_connection: bool = False,
        truncate: bool = False,
        delay_after: float = 0.0,
    ) -> None:
        """Queue a fault for the next ``times`` requests matching ``method`` (None or "*" = any)
        and ``path_regex`` (``re.search`` on the path, without query string).

        * ``status`` given: answer with it and ``body`` (dict/list → JSON, str → HTML/text).
        * ``status`` None: sleep ``delay`` then handle normally (a slow server), optionally
          truncated.
        * ``reset_connection``: close the socket with RST after ``delay``, sending nothing.
        * ``truncate``: announce the full Content-Length but send only half the body.
        * ``delay_after``: handle normally (a write lands), then wait before answering — the
          window in which a client can die after its write was applied.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._log_lock:
            self._faults.append(
                Fault(
                    method=None if method in (None, "*") else str(method).upper(),
                    pattern=re.compile(path_regex),
                    status=status,
                    body=body,
                    headers=dict(headers or {}),
                    times=times,
                    delay=delay,
                    reset_connection=reset_connection,
                    truncate=truncate,
                    delay_after=delay_after,
                )
            )

    def clear_faults(self) -> None:
        with self._log_lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        with self._log_lock:
            return sum(f.times for f in self._faults)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._log_lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _record(self, request: Request) -> None:
        with self._log_lock:
            self._log.append(request)

    # -- to implement ----------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def _dispatch(self, request: Request) -> tuple[Response | None, Fault | None]:
        """Return the response to send (None = reset the connection) and the applied fault."""
        self._record(request)
        if self.latency:
            self._stopping.wait(self.latency)
        fault = self._take_fault(request.method, request.path)
        if fault is not None:
            request.faulted = True
            if fault.delay:
                self._stopping.wait(fault.delay)
            if fault.reset_connection:
                return None, fault
            if fault.status is not None:
                response = _fault_response(fault)
                request.status = response.status
                return response, fault
        with self._lock:
            try:
                response = self.handle(request)
            except Exception as exc:  # a bug in the fake must surface as a 500, not a hang
                traceback.print_exc()
                response = json_response(500, {"error": "fake server bug", "detail": repr(exc)})
        request.status = response.status
        if fault is not None and fault.delay_after:
            self._stopping.wait(fault.delay_after)
        return response, fault


_CLOUDFLARE_REASONS = {
    520: "Unknown Error",
    521: "Web Server Is Down",
    522: "Connection Timed Out",
    523: "Origin Is Unreachable",
    524: "A Timeout Occurred",
}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _CLOUDFLARE_REASONS.get(status, "")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or drop the connection (fault tests) are expected here.
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handle_error(request, client_address)


def _parse_request(handler: BaseHTTPRequestHandler) -> Request:
    parts = urlsplit(handler.path)
    query_list = parse_qsl(parts.query, keep_blank_values=True)
    headers = {k.lower(): v for k, v in handler.headers.items()}
    length = int(headers.get("content-length") or 0)
    body = handler.rfile.read(length) if length > 0 else b""
    parsed: Any = None
    if body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    return Request(
        method=handler.command,
        path=parts.path,
        query=dict(query_list),
        query_list=query_list,
        headers=headers,
        body=body,
        json=parsed,
    )


def _make_handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = f"{fake.name}-fake"
        sys_version = ""

        def setup(self) -> None:
            super().setup()
            # headers and body go out in separate writes; without NODELAY, Nagle + delayed
            # ACK add ~40 ms to every keep-alive response
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            request = _parse_request(self)
            response, fault = fake._dispatch(request)
            if response is None:
                self._reset()
                return
            body = response.body
            truncate = fault is not None and fault.truncate
            self.send_response(response.status, _reason(response.status))
            for key, value in response.headers.items():
                self.send_header(key, value)
            if response.status not in (204, 304):  # these carry no body, so no length
                self.send_header("Content-Length", str(len(body)))
            if truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body[: len(body) // 2] if truncate else body)
            if truncate:
                self.wfile.flush()
                self.close_connection = True

        def _reset(self) -> None:
            # SO_LINGER with timeout 0 makes close() send RST: the client sees a reset, not EOF.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        def finish(self) -> None:
            with contextlib.suppress(OSError):  # the socket may be reset or gone already
                super().finish()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            pass  # the structured log is fake.requests

    return Handler
