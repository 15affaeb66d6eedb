"""Why a request got no answer, in words a user can act on: which service, which host, and
whether it was DNS, a connect timeout, TLS, a refused connection or the proxy.

httpx raises a handful of transport errors whose own text is often empty or a raw
``[Errno 111]``; the cause underneath (``socket.gaierror``, ``ssl.SSLError``,
``ConnectionRefusedError``) says what happened. Pure: no I/O here.
"""

from __future__ import annotations

import socket
import ssl
import urllib.request
from collections.abc import Iterator

import httpx

LABELS = {"trakt": "Trakt", "bangumi": "Bangumi", "bangumi-syncer": "Bangumi-syncer"}


def label(service: str) -> str:
    """The service as a user names it: ``trakt`` → ``Trakt``."""
    return LABELS.get(service, service)


def proxy_for(url: httpx.URL, configured: str | None) -> str | None:
    """The proxy a request to ``url`` goes through: ``network.proxy``, else the proxy
    variables (``HTTPS_PROXY``, ``ALL_PROXY``… unless ``NO_PROXY`` names the host)."""
    if configured:
        return configured
    found = urllib.request.getproxies_environment()
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]  # untyped
    if not found or bypass(url.host, found):
        return None
    return found.get(url.scheme) or found.get("all")


def tries(count: int) -> str:
    return f"{count} {'try' if count == 1 else 'tries'}"


def describe(exc: httpx.TransportError, host: str, proxy: str | None = None) -> str:
    """``connect timeout to api.trakt.tv``, ``DNS lookup of api.bgm.tv failed``, …"""
    via = f" through the proxy {_proxy_host(proxy)}" if proxy else ""
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy {_proxy_host(proxy)} refused to connect to {host} ({_text(exc)})"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timeout to {host}{via}"
    if isinstance(exc, httpx.ReadTimeout):
        return f"{host} did not answer in time (read timeout){via}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout talking to {host}{via}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{host} closed the connection without an answer{via}"
    causes = list(_chain(exc))
    tls = next((c for c in causes if isinstance(c, ssl.SSLError)), None)
    if tls is not None:
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or tls
        return f"TLS error with {host}: {str(reason).rstrip('.')}{via}"
    if any(isinstance(c, socket.gaierror) for c in causes) or _says_dns(causes):
        if proxy:
            return f"DNS lookup of the proxy {_proxy_host(proxy)} failed"
        return f"DNS lookup of {host} failed"
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or _says(
        causes, "connection refused"
    ):
        if proxy:
            return f"the proxy {_proxy_host(proxy)} refused the connection"
        return f"connection refused by {host}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {host}{via} ({_text(exc)})"
    return f"connection to {host} failed{via} ({_text(exc)})"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _says(causes: list[BaseException], words: str) -> bool:
    return any(words in str(c).lower() for c in causes)


def _says_dns(causes: list[BaseException]) -> bool:
    return any(
        _says(causes, words)
        for words in (
            "name or service not known",
            "nodename nor servname",
            "temporary failure in name resolution",
            "getaddrinfo failed",
            "no address associated",
        )
    )


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _proxy_host(proxy: str | None) -> str:
    if not proxy:
        return "(unknown)"
    url = httpx.URL(proxy)
    return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")
