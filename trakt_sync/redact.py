"""Keep tokens out of logs and printed tracebacks.

A :class:`SecretRegistry` (one per process, created by the CLI and passed
explicitly to whoever learns a secret) remembers the literal secrets seen so far
— tokens, the client secret — and :meth:`SecretRegistry.redact` replaces them,
plus anything that *looks* like a credential whether registered or not:

* ``Authorization: Bearer xxx`` / ``Bearer xxx`` (any ``Authorization:`` value)
* ``access_token=xxx``, ``refresh_token=xxx`` (query strings, form bodies, reprs)
* ``"access_token": "xxx"`` (JSON bodies and Python dict reprs)
* ``https://user:password@host`` (credentials inside a URL)

with ``***``. :class:`RedactingFilter` applies that to log records — message,
arguments and the formatted exception / stack text — and :func:`redact_text` to
anything else the CLI prints (rendered tracebacks).

Attach the filter to *handlers* (``handler.addFilter(RedactingFilter(registry))``):
filters on a logger do not see records propagated from its children.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any, Final
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

MASK: Final = "***"
MIN_SECRET_LENGTH: Final = 8  # shorter values would mask ordinary words

# Names whose values are credentials wherever they appear as key=value or "key": "value".
_SECRET_KEYS: Final = (
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "device_code",
    "token",
    "password",
    "api_key",
    "apikey",
)
_KEYS = "|".join(_SECRET_KEYS)

# "Bearer <token>" (RFC 6750 b64token), anywhere.
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")
# Whatever follows an Authorization header name (Basic, Token, a bare key, ...).
_AUTHORIZATION = re.compile(
    r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token)\s+)?([^\s\"',;}\]]+)"
)
# key=value with an optional quote: query strings, form bodies, dataclass reprs.
_KEY_EQUALS = re.compile(rf"(?i)(?<![\w-])((?:{_KEYS})\s*=\s*)([\"']?)[^&\s\"',;)]+")
# "key": "value" / 'key': 'value' (JSON, Python dict reprs); escaped quotes allowed.
_KEY_COLON = re.compile(rf"(?i)(([\"'])(?:{_KEYS})\2\s*:\s*)([\"'])(?:\\.|(?!\3)[^\\])*\3")
# scheme://user:password@host (or only a user: a bare token often goes there).
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s@?#]+@")


def _redact_patterns(text: str) -> str:
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _AUTHORIZATION.sub(
        lambda m: f"{m.group(1)}{m.group(2) + ' ' if m.group(2) else ''}{MASK}", text
    )
    text = _KEY_EQUALS.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _KEY_COLON.sub(lambda m: f"{m.group(1)}{m.group(3)}{MASK}{m.group(3)}", text)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    return text


# Query parameters that carry a credential in a configured URL (wider than in free text,
# where a bare "key=" is too common a word to mask).
_URL_SECRET_KEYS: Final = (*_SECRET_KEYS, "key", "secret", "sig", "signature", "auth")


def url_secrets(url: str) -> list[str]:
    """The credentials a URL carries: its user and password, secret-named query values."""
    parts = urlsplit(url)
    found = [unquote(value) for value in (parts.username, parts.password) if value]
    found += [
        value for key, value in parse_qsl(parts.query) if key.lower() in _URL_SECRET_KEYS and value
    ]
    return found


def mask_url(url: str) -> str:
    """``url`` with its credentials (user:password@, ``?access_token=``, ``?key=``) masked."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rpartition('@')[2]}"
    query = "&".join(
        f"{key}={MASK}" if key.lower() in _URL_SECRET_KEYS and value else f"{key}={value}"
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


class SecretRegistry:
    """The literal secrets this process knows; thread-safe.

    ``add`` ignores ``None``, empty and short (< 8 characters) values, and
    accepts anything with ``get_secret_value()`` (pydantic ``SecretStr``).
    """

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: Any) -> None:
        if value is not None and hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        if not isinstance(value, str):
            return
        value = value.strip()
        if len(value) < MIN_SECRET_LENGTH:
            return
        # A secret in a URL path or query is logged percent-encoded (``/+=`` → %2F%2B%3D).
        forms = {value, quote(value, safe=""), quote(value, safe="/")}
        with self._lock:
            if forms <= self._secrets:
                return
            self._secrets |= forms
            # Longest first so that a secret containing another is masked whole.
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))

    register_secret = add

    def __contains__(self, value: object) -> bool:
        return value in self._secrets

    def __len__(self) -> int:
        return len(self._secrets)

    def __repr__(self) -> str:
        return f"SecretRegistry({len(self._secrets)} secrets)"

    def redact(self, text: str) -> str:
        """``text`` with registered secrets and credential-looking values masked."""
        if not text:
            return text
        pattern = self._pattern  # one read: safe against a concurrent add()
        if pattern is not None:
            text = pattern.sub(MASK, text)
        return _redact_patterns(text)


def redact_text(text: str, registry: SecretRegistry | None = None) -> str:
    """Mask secrets in text about to be printed (e.g. a rendered traceback).

    Without a registry only the credential-looking patterns are masked.
    """
    if registry is not None:
        return registry.redact(text)
    return _redact_patterns(text) if text else text


class RedactingFilter(logging.Filter):
    """Masks secrets in every record it sees; never drops a record.

    The message is formatted (``msg % args``) and redacted as a whole, so a
    secret split between the format and its arguments is still caught; the
    record then carries the redacted text in ``msg`` and no ``args``. Exception
    and stack information is rendered to text, redacted into ``exc_text`` /
    ``stack_info``, and ``exc_info`` is cleared so that no handler (e.g. rich's
    traceback rendering) can print the raw exception again.
    """

    def __init__(self, registry: SecretRegistry | None = None, name: str = "") -> None:
        super().__init__(name)
        self.registry = registry

    def _redact(self, text: str) -> str:
        return redact_text(text, self.registry)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact_record(record)
        except Exception:  # a broken record must neither leak nor vanish
            record.msg = "<log message withheld: it could not be redacted>"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True

    def _redact_record(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # bad format/args: keep both, redacted, instead of failing later
            message = f"{record.msg} (arguments: {record.args!r})"
        record.msg = self._redact(message)
        record.args = None
        if record.exc_info:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = self._redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)


__all__ = ["MASK", "RedactingFilter", "SecretRegistry", "mask_url", "redact_text", "url_secrets"]
