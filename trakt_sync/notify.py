"""Webhook notifications (``notify.webhook_url``): a JSON POST when a run fails, when a
token needs ``auth`` again, and when new unmatched plays appear.

Each kind of event is sent at most once per ``RATE_LIMIT`` so a daemon stuck on a
broken token does not flood the receiver. Messages are redacted; no token is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

import httpx

from trakt_sync.engine import RunReport
from trakt_sync.httpclient import new_http
from trakt_sync.outcome import RunOutcome
from trakt_sync.timeutil import iso_z, parse_instant, utcnow

log = logging.getLogger(__name__)
RATE_LIMIT = timedelta(hours=1)


class StateStore(Protocol):
    def get_state(self, key: str) -> Any | None: ...
    def set_state(self, key: str, value: Any) -> None: ...


def events_for(report: RunReport) -> list[tuple[str, str]]:
    """(event, message) pairs worth telling someone about."""
    events = []
    if report.outcome is RunOutcome.NEEDS_AUTH:
        events.append(("needs_auth", report.message or "a token was rejected"))
    elif report.outcome not in (RunOutcome.OK, RunOutcome.INTERRUPTED):
        events.append(("run_failed", report.message or f"the sync ended {report.outcome}"))
    if report.counts.get("unmatched"):
        events.append(
            (
                "unmatched",
                f"{report.counts['unmatched']} new unmatched play(s); see `trakt-sync unmatched`",
            )
        )
    return events


class Notifier:
    def __init__(
        self,
        url: str,
        profile: str,
        state: StateStore,
        redact: Callable[[str], str],
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "trakt-sync",
        proxy: str | None = None,
    ) -> None:
        self.url, self.profile, self.state, self.redact = url, profile, state, redact
        self.transport, self.user_agent, self.proxy = transport, user_agent, proxy

    def after_run(self, report: RunReport) -> int:
        """Send what this run calls for; return how many notifications went out."""
        sent = 0
        now = utcnow()
        for event, message in events_for(report):
            last = self.state.get_state(f"notify:{event}")
            if last and now - parse_instant(last) < RATE_LIMIT:
                continue
            payload = {
                "event": event,
                "profile": self.profile,
                "message": self.redact(message),
                "counts": report.counts,
                "at": iso_z(now),
            }
            if self._post(payload):
                self.state.set_state(f"notify:{event}", iso_z(now))
                sent += 1
        return sent

    def _post(self, payload: dict[str, Any]) -> bool:
        try:
            with new_http(
                timeout=10,
                transport=self.transport,
                headers={"User-Agent": self.user_agent},
                proxy=self.proxy,
            ) as http:
                response = http.post(self.url, json=payload)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("webhook %s failed: %s", payload["event"], type(exc).__name__)
            return False
        return True
