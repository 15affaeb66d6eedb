"""A fake Bangumi-syncer custom webhook (``POST /Custom`` or ``/Custom/<key>``).

Behaves like Bangumi-syncer's FastAPI endpoint in its default asynchronous mode: a body
that fits its ``CustomItem`` model is answered 202 ``{"status": "accepted", ...}``; a
body that does not, 422 with FastAPI's ``detail`` list; a wrong webhook key, 200
``{"status": "error", "message": "认证失败"}``. Faults (5xx, resets) come from
:meth:`FakeServer.inject`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from trakt_sync.fakes.server import FakeServer, Request, Response, json_response

# CustomItem's fields and types; ori_title and source may be null.
_FIELDS: dict[str, tuple[type, bool]] = {
    "media_type": (str, True),
    "title": (str, True),
    "ori_title": (str, False),
    "season": (int, True),
    "episode": (int, True),
    "release_date": (str, True),
    "user_name": (str, True),
    "source": (str, False),
}


class FakeBangumiSyncer(FakeServer):
    name = "bangumi-syncer"

    def __init__(self, key: str | None = None) -> None:
        super().__init__()
        self.key = key
        self._accepted: list[dict[str, Any]] = []

    def handle(self, request: Request) -> Response:
        if request.path not in ("/Custom", "/Custom/") and not request.path.startswith("/Custom/"):
            return json_response(404, {"detail": "Not Found"})
        if request.method != "POST":
            return json_response(405, {"detail": "Method Not Allowed"})
        given = unquote(request.path.removeprefix("/Custom").strip("/"))
        if (self.key or "") != given:
            return json_response(200, {"status": "error", "message": "认证失败"})
        problems = _problems(request.json)
        if problems:
            return json_response(422, {"detail": problems})
        with self._lock:
            self._accepted.append(dict(request.json))
            task = len(self._accepted)
        return json_response(
            202,
            {
                "status": "accepted",
                "message": "同步任务已提交到异步队列",
                "task_id": f"task-{task}",
                "check_url": f"/api/sync/status/task-{task}",
            },
        )

    @property
    def items(self) -> list[dict[str, Any]]:
        """Every item accepted so far, in order."""
        with self._lock:
            return list(self._accepted)


def _problems(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict"}]
    problems = []
    for name, (kind, required) in _FIELDS.items():
        value = body.get(name)
        if value is None:
            if required:
                problems.append({"loc": ["body", name], "msg": "Field required", "type": "missing"})
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(
                {"loc": ["body", name], "msg": f"Input should be {kind.__name__}", "type": "type"}
            )
    return problems
