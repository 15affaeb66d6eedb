"""Sessions, CSRF tokens, the Host check, the password sign-in and the security headers.

A session is a signed cookie (HMAC-SHA256 with a key made at start-up, so a restart signs
every browser out): its id, when it was last seen and whether it signed in. The CSRF token
of a session is an HMAC of its id; every POST must carry it (form field or header)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

SESSION_COOKIE = "trakt_sync_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: "
    "https://lain.bgm.tv; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@dataclass
class Session:
    sid: str
    seen: float
    signed_in: bool = False
    new: bool = False  # not from the browser's cookie: set it


class Sessions:
    def __init__(self, idle: float, clock: Any = time.time) -> None:
        self._key = secrets.token_bytes(32)
        self.idle = idle
        self.clock = clock

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()

    def load(self, cookie: str | None) -> Session:
        """The browser's session, or a new one when it has none, a forged one or an idle
        one (signed out)."""
        now = self.clock()
        if cookie and "." in cookie:
            body, _, mac = cookie.rpartition(".")
            try:
                payload = base64.urlsafe_b64decode(body.encode())
            except ValueError:
                payload = b""
            if payload and hmac.compare_digest(self._sign(payload), mac):
                data = json.loads(payload)
                if now - float(data["seen"]) <= self.idle:
                    return Session(str(data["sid"]), now, bool(data["in"]))
        return Session(secrets.token_urlsafe(24), now, new=True)

    def dump(self, session: Session) -> str:
        payload = json.dumps({"sid": session.sid, "seen": session.seen, "in": session.signed_in})
        body = base64.urlsafe_b64encode(payload.encode()).decode()
        return f"{body}.{self._sign(payload.encode())}"

    def csrf_token(self, session: Session) -> str:
        return self._sign(b"csrf:" + session.sid.encode())

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(session), str(token))


class SignInThrottle:
    """Slower answers after failed passwords: 1 s, 2 s, 4 s… (at most 30 s) per client,
    reset by a success."""

    def __init__(self) -> None:
        self.failures: dict[str, int] = {}

    def delay(self, client: str) -> float:
        count = self.failures.get(client, 0)
        return 0.0 if count == 0 else min(2.0 ** (count - 1), 30.0)

    def failed(self, client: str) -> None:
        self.failures[client] = self.failures.get(client, 0) + 1

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)


def password_ok(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def host_name(header: str | None) -> str | None:
    """``example.org:8765`` → ``example.org``; ``[::1]:8765`` → ``::1``."""
    if not header:
        return None
    if header.startswith("["):
        return header[1:].partition("]")[0].lower()
    return header.rpartition(":")[0].lower() if ":" in header else header.lower()
