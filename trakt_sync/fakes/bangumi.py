"""Fake Bangumi API v0 (``api.bgm.tv``) per contract Part B and checklist C."""

from __future__ import annotations

import copy
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from trakt_sync.fakes import bangumi_render as render
from trakt_sync.fakes.server import FakeServer, Request, Response, empty_response, json_response
from trakt_sync.fakes.world import World, normalise_world

Obj = dict[str, Any]

# contract B.1 "User-Agent (enforced)", from bangumi/server web/mw/ua
BANNED_UA_EXACT = {"undici", "database", "node-fetch"}
BANNED_UA_PREFIXES = (
    "Java/",
    "axios/",
    "okhttp/",
    "go-resty/",
    "Faraday v",
    "node-fetch/",
    "Go-http-client/",
    "python-requests/",
    "Apache-HttpClient/",
)
JSON_CONTENT_TYPES = {"application/json", "application/json; charset=UTF-8"}  # B.1, exact
DEFAULT_404 = "This is default response, if you see this response, please check your request"
SUBJECT_TYPES = {1, 2, 3, 4, 6}
SEARCH_SORTS = {"match", "heat", "rank", "score"}
AIR_DATE = re.compile(r"^(>=|<=|>|<|=)(\d{4}-\d{2}-\d{2})$")


class ApiError(Exception):
    def __init__(
        self, status: int, description: str, *, title: str | None = None, **details: Any
    ) -> None:
        super().__init__(description)
        self.status = status
        self.title = title or HTTPStatus(status).phrase
        self.description = description
        self.details = details


@dataclass
class Ctx:
    request: Request
    match: re.Match[str]
    user: Obj | None

    @property
    def me(self) -> Obj:
        assert self.user is not None  # routes that use it are marked auth-only
        return self.user

    def int_arg(self, name: str) -> int:
        try:
            return int(self.match[name])
        except ValueError:
            raise ApiError(400, f"{name} must be an integer") from None


def _query_int(request: Request, name: str, default: int | None) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"query `{name}` must be an integer") from None


def _page(request: Request, default: int, maximum: int) -> tuple[int, int]:
    """Limit/offset rules of ``web/req/page.go`` (contract B.6): over-max and <=0 are 400."""
    limit = _query_int(request, "limit", default)
    offset = _query_int(request, "offset", 0)
    assert limit is not None and offset is not None
    if limit > maximum:
        raise ApiError(400, f"limit should less equal than {maximum}")
    if limit <= 0:
        raise ApiError(400, "limit should be greater than zero")
    if offset < 0:
        raise ApiError(400, "offset should be greater than or equal to 0")
    return limit, offset


def _paged(items: list[Any], limit: int, offset: int) -> Obj:
    return {
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "data": items[offset : offset + limit],
    }


Handler = Callable[[Ctx], Response]


class FakeBangumi(FakeServer):
    """Fake of ``api.bgm.tv``. ``rate_limit=N``: requests after the N-th get 429 (B.1)."""

    name = "bangumi"

    def __init__(
        self,
        world: World,
        *,
        rate_limit: int | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.world = normalise_world(world)
        bgm = self.world["bangumi"]
        self.rate_limit = rate_limit
        self.clock: Callable[[], float] = clock or time.time
        self._served = 0
        self.subjects: dict[int, Obj] = {s["id"]: s for s in bgm["subjects"]}
        self.episode_index: dict[int, tuple[Obj, Obj]] = {
            e["id"]: (s, e) for s in bgm["subjects"] for e in s["episodes"]
        }
        self.merged: dict[int, int] = {int(k): int(v) for k, v in bgm["merged"].items()}
        self.users: dict[str, Obj] = {u["username"]: u for u in bgm["users"]}
        self._by_token: dict[str, Obj] = {u["token"]: u for u in bgm["users"] if u.get("token")}
        self._collections: dict[str, dict[int, Obj]] = {name: {} for name in self.users}
        now = self.clock()
        for username, entries in bgm["collections"].items():
            for sid, entry in entries.items():
                self._store(username, int(sid), entry, now)
        self._routes: list[tuple[str, re.Pattern[str], Handler, bool]] = [
            ("GET", re.compile(r"/v0/me"), self._me, True),
            ("GET", re.compile(r"/v0/users/(?P<username>[^/]+)"), self._user, False),
            ("POST", re.compile(r"/v0/search/subjects"), self._search, False),
            ("GET", re.compile(r"/v0/subjects/(?P<sid>[^/]+)"), self._subject, False),
            ("GET", re.compile(r"/v0/subjects/(?P<sid>[^/]+)/subjects"), self._relations, False),
            ("GET", re.compile(r"/v0/episodes"), self._episodes, False),
            ("GET", re.compile(r"/v0/episodes/(?P<eid>[^/]+)"), self._episode, False),
            (
                "GET",
                re.compile(r"/v0/users/-/collections/-/episodes/(?P<eid>[^/]+)"),
                self._get_episode_mark,
                True,
            ),
            (
                "PUT",
                re.compile(r"/v0/users/-/collections/-/episodes/(?P<eid>[^/]+)"),
                self._put_episode_mark,
                True,
            ),
            (
                "GET",
                re.compile(r"/v0/users/-/collections/(?P<sid>[^/]+)/episodes"),
                self._get_episode_marks,
                True,
            ),
            (
                "PATCH",
                re.compile(r"/v0/users/-/collections/(?P<sid>[^/]+)/episodes"),
                self._patch_episode_marks,
                True,
            ),
            (
                "POST",
                re.compile(r"/v0/users/-/collections/(?P<sid>[^/]+)"),
                self._post_collection,
                True,
            ),
            (
                "PATCH",
                re.compile(r"/v0/users/-/collections/(?P<sid>[^/]+)"),
                self._patch_collection,
                True,
            ),
            (
                "GET",
                re.compile(r"/v0/users/(?P<username>[^/]+)/collections"),
                self._list_collections,
                False,
            ),
            (
                "GET",
                re.compile(r"/v0/users/(?P<username>[^/]+)/collections/(?P<sid>[^/]+)"),
                self._get_collection,
                False,
            ),
        ]

    # -- test helpers ----------------------------------------------------------------------
    def collection(self, username: str) -> dict[int, Obj]:
        """Current state: ``{subject_id: {"type", "rate", "comment", "tags", "private",
        "ep_status", "updated_at", "episodes": {episode_id: type}}}``."""
        with self._lock:
            out = {}
            for sid, entry in self._collections.get(username, {}).items():
                view = copy.deepcopy({k: v for k, v in entry.items() if k != "episodes"})
                view["episodes"] = {eid: m["type"] for eid, m in entry["episodes"].items()}
                view["ep_status"] = self._ep_status(sid, entry)
                out[sid] = view
            return out

    def set_collection(
        self,
        username: str,
        subject_id: int,
        collection_type: int,
        episodes: dict[int, int] | None = None,
        **fields: Any,
    ) -> None:
        with self._lock:
            entry = {"type": collection_type, "episodes": episodes or {}, **fields}
            self._store(username, subject_id, entry, self.clock())

    def remove_collection(self, username: str, subject_id: int) -> None:
        with self._lock:
            self._collections[username].pop(subject_id, None)

    @property
    def writes(self) -> list[Request]:
        """Logged write requests (POST/PATCH/PUT/DELETE under /v0/users/), with ``status``."""
        return [
            r
            for r in self.requests
            if r.method in ("POST", "PATCH", "PUT", "DELETE") and r.path.startswith("/v0/users/")
        ]

    def _store(self, username: str, sid: int, entry: Obj, now: float) -> None:
        if username not in self.users or sid not in self.subjects:
            raise KeyError(f"unknown user {username} or subject {sid}")
        own = {e["id"] for e in self.subjects[sid]["episodes"]}
        marks = {}
        for eid, mark in (entry.get("episodes") or {}).items():
            if int(eid) not in own:
                raise KeyError(f"episode {eid} is not in subject {sid}")
            if mark:
                marks[int(eid)] = {"type": int(mark), "updated_at": int(now)}
        self._collections[username][sid] = {
            "type": entry["type"],
            "rate": entry.get("rate", 0),
            "comment": entry.get("comment"),
            "tags": list(entry.get("tags", [])),
            "private": entry.get("private", False),
            "vol_status": entry.get("vol_status", 0),
            "updated_at": entry.get("updated_at", now),
            "episodes": marks,
        }

    # -- dispatch (contract B.1 order: UA, rate limit, token, route) -----------------------
    def handle(self, request: Request) -> Response:
        try:
            return self._handle(request)
        except ApiError as err:
            return self._error(request, err)

    def _error(self, request: Request, err: ApiError) -> Response:
        details = {"path": request.path, **err.details}
        return json_response(
            err.status,
            {"title": err.title, "description": err.description, "details": details},
        )

    def _handle(self, request: Request) -> Response:
        agent = request.header("user-agent") or ""
        if not agent.strip() or agent in BANNED_UA_EXACT or agent.startswith(BANNED_UA_PREFIXES):
            raise ApiError(403, "Please set a 'User-Agent'")
        self._served += 1
        if self.rate_limit is not None and self._served > self.rate_limit:
            # B.1: ban window answers 429 with this body and no Retry-After
            return json_response(
                429,
                {
                    "title": "Too Many Request",
                    "description": "too many request, you have be rate limited",
                },
            )
        user = self._authenticate(request.header("authorization"))
        path = request.path.rstrip("/") or "/"
        wrong_method = False
        for method, pattern, handler, needs_login in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != request.method:
                wrong_method = True
                continue
            if needs_login and user is None:
                raise ApiError(401, "this API need authorization")
            if method in ("POST", "PATCH", "PUT"):
                self._check_body(request, user, writes=path.startswith("/v0/users/"))
            return handler(Ctx(request, match, user))
        if wrong_method:
            raise ApiError(405, "method not allowed")
        raise ApiError(404, DEFAULT_404, method=request.method)

    def _authenticate(self, header: str | None) -> Obj | None:
        """B.1 "Authentication": three distinct 401 messages; no header = anonymous."""
        if header is None:
            return None
        scheme, sep, token = header.partition(" ")
        if not sep or not token:
            raise ApiError(401, "invalid http Authorization header, missing scope or missing token")
        if scheme != "Bearer":
            raise ApiError(401, "http Authorization header has wrong scope")
        user = self._by_token.get(token)
        if user is None:
            raise ApiError(401, "access token has been expired or doesn't exist")
        return user

    def _check_body(self, request: Request, user: Obj | None, *, writes: bool) -> None:
        if request.header("content-type") not in JSON_CONTENT_TYPES:
            raise ApiError(
                415,
                'request with body must set "content-type" header to "application/json"',
            )
        if request.body and request.json is None:
            raise ApiError(400, "can't decode request body as json", title="JSON Error")
        if writes and user is not None:
            scopes = user.get("scopes")  # None = legacy token, passes every scope check
            if scopes is not None and "write:collection" not in scopes:
                raise ApiError(403, "insufficient token scope")

    # -- users & subjects ------------------------------------------------------------------
    def _me(self, ctx: Ctx) -> Response:
        return json_response(200, render.me(ctx.me))

    def _user(self, ctx: Ctx) -> Response:
        user = self.users.get(ctx.match["username"])
        if user is None:
            raise ApiError(404, "user doesn't exist or has been removed")
        public = render.me(user)
        for private in ("email", "reg_time", "time_offset"):
            public.pop(private)
        return json_response(200, public)

    def _counts(self, sid: int) -> Obj:
        keys = {1: "wish", 2: "collect", 3: "doing", 4: "on_hold", 5: "dropped"}
        counts = dict.fromkeys(keys.values(), 0)
        for entries in self._collections.values():
            if sid in entries:
                counts[keys[entries[sid]["type"]]] += 1
        return counts

    def _subject_or_404(self, sid: int) -> Obj:
        subject = self.subjects.get(sid)
        if subject is None:
            raise ApiError(404, "resource can't be found in the database or has been removed")
        return subject

    def _subject(self, ctx: Ctx) -> Response:
        sid = ctx.int_arg("sid")
        if sid <= 0:
            raise ApiError(400, "subject_id must be a positive integer")
        if sid in self.merged:  # B.4: merged subjects redirect to their target
            return empty_response(302, {"Location": f"/v0/subjects/{self.merged[sid]}"})
        subject = self._subject_or_404(sid)
        return json_response(
            200,
            render.subject(subject, self._counts(sid)),
            {"Cache-Control": "public, max-age=3600"},
        )

    def _relations(self, ctx: Ctx) -> Response:
        subject = self._subject_or_404(ctx.int_arg("sid"))
        out = []
        for rel in subject["relations"]:
            target = self.subjects.get(rel["id"], rel)
            label = rel.get("relation") or render.TYPE_NAMES.get(target.get("type", 2), "其他")
            out.append(render.related(target, label))
        return json_response(200, out)

    def _search(self, ctx: Ctx) -> Response:
        body = ctx.request.json
        if not isinstance(body, dict) or not isinstance(body.get("keyword"), str):
            raise ApiError(400, "keyword is required")
        if body.get("sort", "match") not in SEARCH_SORTS:
            raise ApiError(400, "sort not supported")
        limit = _query_int(ctx.request, "limit", 10)
        offset = _query_int(ctx.request, "offset", 0)
        assert limit is not None and offset is not None
        if offset < 0 or limit < 0:
            raise ApiError(400, "limit and offset must be >= 0")
        limit = min(limit or 10, 20)  # B.3: default 10, silently clamped to 20
        hits = [s for s in self.subjects.values() if self._search_hit(s, body)]
        keyword = body["keyword"].casefold().strip()
        hits.sort(key=lambda s: 0 if keyword in {t.casefold() for t in render.titles(s)} else 1)
        data = [
            {**render.subject(s, self._counts(s["id"])), "image": render.images(s["id"])["large"]}
            for s in hits
        ]
        return json_response(200, _paged(data, limit, offset))

    @staticmethod
    def _search_hit(subject: Obj, body: Obj) -> bool:
        """Every whitespace-separated keyword token must occur (casefolded) in some title —
        a crude stand-in for Meilisearch relevance (B.3)."""
        haystack = " | ".join(render.titles(subject)).casefold()
        if not all(token in haystack for token in body["keyword"].casefold().split()):
            return False
        filters = body.get("filter") or {}
        if not isinstance(filters, dict):
            raise ApiError(400, "filter must be an object")
        types = filters.get("type")
        if types and subject.get("type", 2) not in types:
            return False
        for cond in filters.get("air_date") or []:
            match = AIR_DATE.match(str(cond).replace(" ", ""))
            if match is None:
                raise ApiError(400, f"invalid air_date filter {cond!r}")
            op, day = match.groups()
            have = subject.get("date")
            if not have or not _compare(have, op, day):
                return False
        tags = set(subject.get("meta_tags", []))
        for tag in filters.get("meta_tags") or []:
            negated = tag.startswith("-")
            if (tag[1:] in tags) == negated:
                return False
        names = {t["name"] for t in subject.get("tags", [])}
        return all(tag in names for tag in filters.get("tag") or [])

    # -- episodes (B.6) --------------------------------------------------------------------
    def _episodes(self, ctx: Ctx) -> Response:
        sid = _query_int(ctx.request, "subject_id", None)
        if sid is None:
            raise ApiError(400, "missing required query `subject_id`")
        ep_type = _query_int(ctx.request, "type", None)
        if ep_type is not None and not 0 <= ep_type <= 6:
            raise ApiError(400, f"{ep_type} is not a valid episode type")
        limit, offset = _page(ctx.request, default=100, maximum=1000)
        subject = self._subject_or_404(sid)
        episodes = [
            render.episode(sid, e)
            for e in _ordered(subject["episodes"])
            if ep_type is None or e["type"] == ep_type
        ]
        if offset > len(episodes):
            raise ApiError(400, f"offset should be less than or equal to {len(episodes)}")
        return json_response(200, _paged(episodes, limit, offset))

    def _episode_or_404(self, eid: int) -> tuple[Obj, Obj]:
        found = self.episode_index.get(eid)
        if found is None:
            raise ApiError(404, "episode not found")
        return found

    def _episode(self, ctx: Ctx) -> Response:
        subject, episode = self._episode_or_404(ctx.int_arg("eid"))
        return json_response(200, render.episode(subject["id"], episode))

    # -- subject collections (B.7) ---------------------------------------------------------
    def _render_collection(self, sid: int, entry: Obj) -> Obj:
        subject = self.subjects[sid]
        return {
            "subject_id": sid,
            "subject_type": subject.get("type", 2),
            "rate": entry["rate"],
            "type": entry["type"],
            "comment": entry["comment"],
            "tags": list(entry["tags"]),
            "ep_status": self._ep_status(sid, entry),
            "vol_status": entry["vol_status"],
            "updated_at": render.rfc3339(entry["updated_at"]),
            "private": entry["private"],
            "subject": render.slim_subject(subject, sum(self._counts(sid).values())),
        }

    def _ep_status(self, sid: int, entry: Obj) -> int:
        mains = {e["id"] for e in self.subjects[sid]["episodes"] if e["type"] == 0}
        return sum(
            1 for eid, mark in entry["episodes"].items() if eid in mains and mark["type"] == 2
        )

    def _visible(self, username: str, viewer: Obj | None) -> dict[int, Obj]:
        if username not in self.users:  # "-" is no alias on these GETs (B.7)
            raise ApiError(404, "user doesn't exist or has been removed")
        owner = viewer is not None and viewer["username"] == username
        entries = self._collections[username]
        return {sid: e for sid, e in entries.items() if owner or not e["private"]}

    def _list_collections(self, ctx: Ctx) -> Response:
        entries = self._visible(ctx.match["username"], ctx.user)
        subject_type = _query_int(ctx.request, "subject_type", None)
        if subject_type is not None and subject_type not in SUBJECT_TYPES:
            raise ApiError(400, f"{subject_type} is not a valid subject type")
        ctype = _query_int(ctx.request, "type", None)
        if ctype is not None and not 1 <= ctype <= 5:
            raise ApiError(400, f"{ctype} is not a valid collection type")
        limit, offset = _page(ctx.request, default=30, maximum=50)  # spec: default 30, max 50
        rows = [
            (sid, e)
            for sid, e in entries.items()
            if (subject_type is None or self.subjects[sid].get("type", 2) == subject_type)
            and (ctype is None or e["type"] == ctype)
        ]
        rows.sort(key=lambda row: (-row[1]["updated_at"], row[0]))
        data = [self._render_collection(sid, e) for sid, e in rows]
        return json_response(200, _paged(data, limit, offset))

    def _get_collection(self, ctx: Ctx) -> Response:
        entries = self._visible(ctx.match["username"], ctx.user)
        sid = ctx.int_arg("sid")
        if sid not in entries:
            raise ApiError(404, "subject is not collected by user")
        return json_response(200, self._render_collection(sid, entries[sid]))

    def _writable_subject(self, sid: int) -> Obj:
        if sid in self.merged or self.subjects.get(sid, {}).get("locked"):
            raise ApiError(404, "subject locked or merged")
        subject = self.subjects.get(sid)
        if subject is None:
            raise ApiError(404, "subject not found")
        return subject

    def _validated_changes(self, subject: Obj, body: Any) -> Obj:
        """B.7 validation of ``UserSubjectCollectionModifyPayload``."""
        if not isinstance(body, dict):
            raise ApiError(400, "request body must be a JSON object")
        changes: Obj = {}
        if body.get("type") is not None:
            if body["type"] not in (1, 2, 3, 4, 5) or isinstance(body["type"], bool):
                raise ApiError(400, f"{body['type']} is not a valid collection type")
            changes["type"] = body["type"]
        if body.get("rate") is not None:
            rate = body["rate"]
            if not isinstance(rate, int) or rate < 0:
                raise ApiError(400, "rate must be an integer between 0 and 10")
            if rate > 10:
                raise ApiError(400, "rate overflow")
            changes["rate"] = rate
        if body.get("ep_status") is not None or body.get("vol_status") is not None:
            if subject.get("type", 2) != 1:
                raise ApiError(400, "can't set 'vol_status' or 'ep_status' on non-book subject")
            changes["vol_status"] = body.get("vol_status") or 0
        if body.get("tags") is not None:
            changes["tags"] = _validated_tags(body["tags"])
        if body.get("comment") is not None:
            comment = str(body["comment"]).strip()
            if len(comment) > 380:
                raise ApiError(400, "comment too long, max 380 characters")
            changes["comment"] = comment
        if body.get("private") is not None:
            if not isinstance(body["private"], bool):
                raise ApiError(400, "private must be a boolean")
            changes["private"] = body["private"]
        return changes

    def _post_collection(self, ctx: Ctx) -> Response:
        sid = ctx.int_arg("sid")
        subject = self._writable_subject(sid)
        changes = self._validated_changes(subject, ctx.request.json)
        entries = self._collections[ctx.me["username"]]
        if sid not in entries:
            if "type" not in changes:
                # [UNVERIFIED] creating needs a type; clients always send one (B.7 sequence)
                raise ApiError(400, "type is required to create a collection")
            self._store(ctx.me["username"], sid, {"type": changes["type"]}, self.clock())
        entries[sid].update(changes, updated_at=self.clock())
        return empty_response(202)  # SPEC≠CODE: the server answers 202, spec says 204 (B.7)

    def _patch_collection(self, ctx: Ctx) -> Response:
        sid = ctx.int_arg("sid")
        subject = self._writable_subject(sid)
        changes = self._validated_changes(subject, ctx.request.json)
        entries = self._collections[ctx.me["username"]]
        if sid not in entries:
            raise ApiError(404, "subject not collected")
        entries[sid].update(changes, updated_at=self.clock())
        return empty_response(204)

    # -- episode collections (B.8) ---------------------------------------------------------
    def _collected(self, username: str, sid: int) -> Obj:
        entry = self._collections[username].get(sid)
        if entry is None:
            raise ApiError(400, "you need to add subject to your collection first")
        return entry

    @staticmethod
    def _mark_type(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3:
            raise ApiError(400, f"not valid episode collection type {value}")
        return value

    def _apply_marks(self, entry: Obj, episode_ids: list[int], mark: int) -> None:
        for eid in episode_ids:
            if mark == 0:
                entry["episodes"].pop(eid, None)
            else:
                entry["episodes"][eid] = {"type": mark, "updated_at": int(self.clock())}

    def _patch_episode_marks(self, ctx: Ctx) -> Response:
        body = ctx.request.json if isinstance(ctx.request.json, dict) else {}
        ids = body.get("episode_id")
        if not ids or not isinstance(ids, list):
            raise ApiError(400, "episode_id is required")
        mark = self._mark_type(body.get("type"))
        sid = ctx.int_arg("sid")
        subject = self._subject_or_404(sid)
        entry = self._collected(ctx.me["username"], sid)
        own = {e["id"] for e in subject["episodes"]}
        for eid in ids:
            if eid not in own:  # the whole request is rejected (B.8)
                raise ApiError(400, f"episode {eid} is not episodes of subject {sid}")
        self._apply_marks(entry, ids, mark)
        return empty_response(204)

    def _get_episode_marks(self, ctx: Ctx) -> Response:
        sid = ctx.int_arg("sid")
        subject = self._subject_or_404(sid)
        limit, offset = _page(ctx.request, default=100, maximum=1000)
        ep_type = _query_int(ctx.request, "episode_type", None)
        marks = self._collections[ctx.me["username"]].get(sid, {"episodes": {}})["episodes"]
        data = [
            {
                "episode": render.episode(sid, e),
                "type": marks.get(e["id"], {}).get("type", 0),
                "updated_at": marks.get(e["id"], {}).get("updated_at", 0),
            }
            for e in _ordered(subject["episodes"])
            if ep_type is None or e["type"] == ep_type
        ]
        return json_response(200, _paged(data, limit, offset))

    def _get_episode_mark(self, ctx: Ctx) -> Response:
        subject, episode = self._episode_or_404(ctx.int_arg("eid"))
        entry = self._collections[ctx.me["username"]].get(subject["id"], {"episodes": {}})
        mark = entry["episodes"].get(episode["id"], {"type": 0, "updated_at": 0})
        return json_response(200, {"episode": render.episode(subject["id"], episode), **mark})

    def _put_episode_mark(self, ctx: Ctx) -> Response:
        subject, episode = self._episode_or_404(ctx.int_arg("eid"))
        body = ctx.request.json if isinstance(ctx.request.json, dict) else {}
        mark = self._mark_type(body.get("type"))
        entry = self._collected(ctx.me["username"], subject["id"])
        self._apply_marks(entry, [episode["id"]], mark)
        return empty_response(204)


def _ordered(episodes: list[Obj]) -> list[Obj]:
    """By type and sort, as the server lists them; a sort that is not a number (a world
    with bad data on purpose) goes last and is served as it is."""

    def key(e: Obj) -> tuple[Any, float]:
        sort = e.get("sort")
        if isinstance(sort, bool) or not isinstance(sort, int | float):
            return (str(e.get("type")), float("inf"))
        return (str(e.get("type")), float(sort))

    return sorted(episodes, key=key)


def _compare(have: str, op: str, want: str) -> bool:
    return {
        ">": have > want,
        "<": have < want,
        ">=": have >= want,
        "<=": have <= want,
        "=": have == want,
    }[op]


def _validated_tags(tags: Any) -> list[str]:
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ApiError(400, "tags must be a list of strings")
    if len(tags) > 10:
        raise ApiError(400, "最多允许 10 个标签")
    out = []
    for tag in tags:
        tag = unicodedata.normalize("NFKC", tag)
        if len(tag) < 2 or any(c.isspace() or not c.isprintable() for c in tag):
            raise ApiError(400, f"invalid tag {tag!r}: at least 2 characters, no spaces")
        out.append(tag)
    return out
