"""Reaching the services from behind a firewall (issue 18 point 5, issue 20 item 13):
errors that say which service could not be reached and why, and ``network.proxy`` for
every client — against local refusing ports, servers that hang up and a small proxy."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import Sandbox
from trakt_sync.bangumi import BangumiClient
from trakt_sync.errors import ServiceUnavailable
from trakt_sync.httpclient import RequestCounter, RetryBudget
from trakt_sync.trakt import TraktClient


def free_port() -> int:
    """A local port nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HangUp(socketserver.ThreadingTCPServer):
    """Accepts each connection, then closes it without a word; counts them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, reply: bytes = b"") -> None:
        self.connections = 0
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer.connections += 1
                self.request.recv(1024)
                if reply:
                    self.request.sendall(reply)

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


@pytest.fixture
def hang_up() -> Iterator[HangUp]:
    server = HangUp()
    yield server
    server.shutdown()
    server.server_close()


def trakt_client(url: str, retries: int = 2, **kw: object) -> TraktClient:
    return TraktClient(
        url,
        client_id="x",
        user_agent="test/1",
        session=None,
        timeout=2,
        counter=RequestCounter(),
        budget=RetryBudget(total=60, backoff_base=0.0, max_retries=retries),
        sleep=lambda seconds: None,
        **kw,  # type: ignore[arg-type]
    )


def failure(client: TraktClient | BangumiClient) -> str:
    with pytest.raises(ServiceUnavailable) as caught:
        client.get_json("/shows/1")
    return str(caught.value)


def test_a_refused_port_names_the_service_the_host_and_the_tries() -> None:
    message = failure(trakt_client(f"http://127.0.0.1:{free_port()}"))
    assert message == "Trakt: connection refused by 127.0.0.1 after 3 tries"


def test_a_server_that_hangs_up_is_named_as_such(hang_up: HangUp) -> None:
    bangumi = BangumiClient(
        f"http://127.0.0.1:{hang_up.port}",
        user_agent="test/1",
        token=None,
        timeout=2,
        counter=RequestCounter(),
        budget=RetryBudget(total=60, backoff_base=0.0, max_retries=1),
        sleep=lambda seconds: None,
    )
    message = failure(bangumi)
    assert message == ("Bangumi: 127.0.0.1 closed the connection without an answer after 2 tries")
    assert hang_up.connections == 2


def test_tls_trouble_is_named() -> None:
    server = HangUp(reply=b"HTTP/1.0 200 OK\r\n\r\nnot TLS at all")
    try:
        message = failure(trakt_client(f"https://127.0.0.1:{server.port}", retries=0))
    finally:
        server.shutdown()
        server.server_close()
    assert message.startswith("Trakt: TLS error with 127.0.0.1: ")
    assert message.endswith(" after 1 try")


def test_dns_and_connect_timeouts_are_named() -> None:
    def dns(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except OSError as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from exc

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("")

    message = failure(trakt_client("https://api.trakt.tv", transport=httpx.MockTransport(dns)))
    assert message == "Trakt: DNS lookup of api.trakt.tv failed after 3 tries"
    message = failure(trakt_client("https://api.trakt.tv", transport=httpx.MockTransport(slow)))
    assert message == "Trakt: connect timeout to api.trakt.tv after 3 tries"


def test_the_retry_budget_still_names_what_kept_failing() -> None:
    client = trakt_client(f"http://127.0.0.1:{free_port()}", retries=5)
    client.budget = RetryBudget(total=1.5, backoff_base=1.0, max_retries=5)
    message = failure(client)
    assert message.startswith("Trakt: connection refused by 127.0.0.1 after 2 tries; gave up")
    assert "http.retry_budget" in message


def test_a_refusing_proxy_is_named() -> None:
    port = free_port()
    client = trakt_client("http://api.trakt.test", proxy=f"http://127.0.0.1:{port}")
    message = failure(client)
    assert (
        message == f"Trakt: the proxy http://127.0.0.1:{port} refused the connection after 3 tries"
    )
    socks = trakt_client("http://api.trakt.test", proxy=f"socks5://127.0.0.1:{port}", retries=0)
    assert failure(socks) == (
        f"Trakt: the proxy socks5://127.0.0.1:{port} refused the connection after 1 try"
    )


def test_a_sync_says_which_service_is_unreachable(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_BANGUMI__API_URL", f"http://127.0.0.1:{free_port()}")
    logged_in.trakt.add_play(movie=264063)
    result = cli("sync")
    assert result.code == 75
    assert "Bangumi: connection refused by 127.0.0.1 after" in result.err
    assert "Traceback" not in result.err


# -- network.proxy ---------------------------------------------------------------------------


class Proxy(http.server.ThreadingHTTPServer):
    """A plain forwarding HTTP proxy (absolute-form requests), recording the hosts it served."""

    daemon_threads = True

    def __init__(self) -> None:
        self.hosts: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def forward(self) -> None:
                target = urlsplit(self.path)
                outer.hosts.append(target.netloc)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
                host = target.hostname or "127.0.0.1"
                upstream = http.client.HTTPConnection(host, target.port, timeout=10)
                path = target.path + (f"?{target.query}" if target.query else "")
                upstream.request(self.command, path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    server = Proxy()
    yield server
    server.shutdown()
    server.server_close()


def test_every_client_goes_through_network_proxy(
    sandbox: Sandbox, cli, proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setenv("TRAKT_SYNC_NETWORK__PROXY", proxy.url)
    # The proxy variables lose against the setting (this one goes nowhere).
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    assert cli("auth").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(sandbox.bangumi_token + "\n"))
    assert cli("auth", "bangumi", "--with-token").code == 0
    result = cli("daemon", "--once", "--now")
    assert result.code == 0, result.err
    hosts = set(proxy.hosts)
    for fake in (sandbox.trakt, sandbox.bangumi, sandbox.cdn):
        assert urlsplit(fake.url).netloc in hosts
    assert sandbox.bangumi.count(method="PATCH") > 0


def test_network_proxy_is_validated_and_its_password_never_shown(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_NETWORK__PROXY", "ftp://127.0.0.1:21")
    result = cli("config", "check")
    assert result.code == 78 and "network.proxy" in result.err
    monkeypatch.setenv("TRAKT_SYNC_NETWORK__PROXY", "socks5://me:hunter2-secret@127.0.0.1:1080")
    shown = cli("config", "show", "--json")
    assert shown.code == 0
    assert json.loads(shown.out)["network"]["proxy"] == "socks5://***@127.0.0.1:1080"
    assert "hunter2" not in shown.out + shown.err


def test_logout_with_trakt_unreachable_tries_once_and_says_so(
    logged_in: Sandbox, cli, hang_up: HangUp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAKT_SYNC_TRAKT__AUTH_URL", f"http://127.0.0.1:{hang_up.port}")
    monkeypatch.setenv("TRAKT_SYNC_HTTP__RETRY_BUDGET", "2m")
    result = cli("auth", "logout", "--trakt")
    assert result.code == 0
    assert hang_up.connections == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("revoking the Trakt token at http://127.0.0.1:")
    assert "Trakt: 127.0.0.1 closed the connection without an answer after 1 try" in result.err
    assert "Logged out of Trakt" in result.out
    assert "Not logged in" in cli("auth", "logout", "--trakt").out


class Socks5(socketserver.ThreadingTCPServer):
    """A minimal SOCKS5 proxy (no authentication, CONNECT only), recording the targets."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.targets: list[tuple[str, int]] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                client = self.request
                greeting = client.recv(2)
                client.recv(greeting[1])  # the offered methods
                client.sendall(b"\x05\x00")
                _, command, _, kind = client.recv(4)
                if kind == 1:
                    host = socket.inet_ntoa(client.recv(4))
                elif kind == 3:
                    host = client.recv(client.recv(1)[0]).decode()
                else:
                    host = socket.inet_ntop(socket.AF_INET6, client.recv(16))
                port = int.from_bytes(client.recv(2), "big")
                outer.targets.append((host, port))
                upstream = socket.create_connection((host, port), timeout=10)
                client.sendall(b"\x05\x00\x00\x01" + bytes(6))
                pipe = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
                pipe.start()
                _pump(client, upstream)
                pipe.join(timeout=10)

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


def test_a_socks5_proxy_carries_a_sync(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    socks = Socks5()
    try:
        monkeypatch.setenv(
            "TRAKT_SYNC_NETWORK__PROXY", f"socks5://127.0.0.1:{socks.server_address[1]}"
        )
        result = cli("sync")
        assert result.code == 0, result.err
    finally:
        socks.shutdown()
        socks.server_close()
    ports = {port for _, port in socks.targets}
    for fake in (logged_in.trakt, logged_in.bangumi, logged_in.cdn):
        assert urlsplit(fake.url).port in ports


def test_a_single_try_reports_the_failure_not_an_empty_budget() -> None:
    client = trakt_client(f"http://127.0.0.1:{free_port()}", retries=0)
    client.budget = RetryBudget(total=0, backoff_base=1.0, max_retries=0)
    assert failure(client) == "Trakt: connection refused by 127.0.0.1 after 1 try"
