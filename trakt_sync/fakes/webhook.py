"""A webhook receiver for notification tests: records every POST, answers 204."""

from __future__ import annotations

from typing import Any

from trakt_sync.fakes.server import FakeServer, Request, Response, empty_response, json_response


class FakeWebhook(FakeServer):
    name = "webhook"

    def handle(self, request: Request) -> Response:
        if request.method != "POST":
            return json_response(405, {"error": "POST only"})
        return empty_response(204)

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [r.json for r in self.requests if r.method == "POST" and r.json is not None]
