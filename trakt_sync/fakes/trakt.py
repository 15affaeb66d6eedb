"""Fake Trakt: API routes and OAuth routes on one server (contract Part A, checklist C).

Tests point both ``trakt.api_url`` and ``trakt.auth_url`` at :attr:`FakeTrakt.url`.
"""

from __future__ import annotations

import math
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from trakt_sync.fakes.server import FakeServer, Request, Response, empty_response, json_response
from trakt_sync.fakes.trakt_media import DEFAULT_UPDATED_AT, Obj, TraktCatalog, iso, parse_instant
from trakt_sync.fakes.world import World, find_trakt_episode, normalise_world

DEVICE_OUTCOMES = {
    # contract A.3.2 status table; "pending" has an empty body (Trakt's own playground notes
    # the 400 body is not JSON).
    "pending": 400,
    "slow_down": 429,
    "denied": 418,
    "expired": 410,
    "invalid": 404,
    "used": 409,
    "approve": 200,
}
HISTORY_TYPES = {"movies": "movie", "shows": "show", "seasons": "season", "episodes": "episode"}
SEARCH_ID_TYPES = ("trakt", "imdb", "tmdb", "tvdb")

Handler = Callable[[Request, "re.Match[str]"], Response]


@dataclass
class Token:
    access_token: str
    refresh_token: str
    created_at: int
    expires_in: int
    access_valid: bool = True
    refresh_valid: bool = True

    def as_json(self) -> Obj:
        # contract A.3.5: every field is required
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "scope": "public",
            "created_at": self.created_at,
        }


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    created_at: float
    state: str = "pending"  # or a terminal outcome: approve/denied/expired/invalid/used


def _error(status: int, error: str, description: str, **headers: str) -> Response:
    return json_response(status, {"error": error, "error_description": description}, headers)


def paginate(
    items: list[Any], query: Mapping[str, str], default: int = 100, maximum: int = 250
) -> tuple[list[Any], dict[str, str]]:
    """Contract A.5: default 100, larger limits clamped (not rejected) to 250, four headers."""
    limit = _int(query.get("limit"), default)
    limit = default if limit < 1 else min(limit, maximum)
    page = max(1, _int(query.get("page"), 1))
    page_count = max(1, math.ceil(len(items) / limit))
    headers = {
        "X-Pagination-Page": str(page),
        "X-Pagination-Limit": str(limit),
        "X-Pagination-Page-Count": str(page_count),
        "X-Pagination-Item-Count": str(len(items)),
    }
    return items[(page - 1) * limit : page * limit], headers


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _item_key(play: Obj) -> tuple[str, int]:
    return ("movie", play["movie"]) if play["type"] == "movie" else ("show", play["show"])


def _list_key(entry: Obj) -> Obj:
    return {k: entry[k] for k in ("type", "movie", "show", "season", "number") if k in entry}


def _watched_seasons(plays: list[Obj]) -> list[Obj]:
    episodes: dict[tuple[int, int], list[str]] = {}
    for play in plays:
        episodes.setdefault((play["season"], play["number"]), []).append(play["watched_at"])
    seasons: dict[int, list[Obj]] = {}
    for (season, number), stamps in sorted(episodes.items()):
        newest = iso(max(parse_instant(s) for s in stamps))
        seasons.setdefault(season, []).append(
            {"number": number, "plays": len(stamps), "last_watched_at": newest}
        )
    return [{"number": n, "episodes": eps} for n, eps in seasons.items()]


DEFAULT_DEVICE_SCRIPT = ("pending", "approve")


class FakeTrakt(FakeServer):
    """Fake of ``api.trakt.tv`` + ``auth.trakt.tv``.

    Mutable knobs: ``device_script`` (outcomes consumed by successive device-token polls;
    each new device code finds it refilled with "pending, approve" once used up, so every
    login of a long-running sandbox is approved),
    ``clock`` (callable returning unix time; drives ``created_at`` and token expiry),
    ``token_lifetime``.
    """

    name = "trakt"

    def __init__(
        self,
        world: World,
        *,
        token_lifetime: int = 86400,
        device_interval: int = 1,
        device_expires_in: int = 600,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.world = normalise_world(world)
        trakt = self.world["trakt"]
        self.client_id: str = trakt["client_id"]
        self.client_secret: str = trakt["client_secret"]
        self.catalog = TraktCatalog(trakt)
        self.history: list[Obj] = trakt["history"]
        # A.9: {"type": movie|show|season|episode, "movie"|"show": trakt id, "season"?,
        # "number"?, "rating", "rated_at"} and {"type": movie|show, "movie"|"show", "listed_at"}
        self.ratings: list[Obj] = trakt.setdefault("ratings", [])
        self.watchlist: list[Obj] = trakt.setdefault("watchlist", [])
        for rated in self.ratings:
            rated.setdefault("rated_at", DEFAULT_UPDATED_AT)
        for listed in self.watchlist:
            listed.setdefault("listed_at", DEFAULT_UPDATED_AT)
        self.token_lifetime = token_lifetime
        self.device_interval = device_interval
        self.device_expires_in = device_expires_in
        self.device_script: list[str] = list(DEFAULT_DEVICE_SCRIPT)
        self.clock: Callable[[], float] = clock or time.time
        self._tokens: dict[str, Token] = {}  # by access token
        self._by_refresh: dict[str, Token] = {}
        self._devices: dict[str, DeviceCode] = {}
        self._activities = self._initial_activities()
        # (type, trakt id) -> when a play of that show/film was last *added* (contract A.9);
        # the world's own plays count as added when they were watched.
        self._updated: dict[tuple[str, int], datetime] = {}
        for play in self.history:
            key, stamp = _item_key(play), parse_instant(play["watched_at"])
            self._updated[key] = max(stamp, self._updated.get(key, stamp))
        self._routes: list[tuple[str, re.Pattern[str], Handler, str]] = [
            ("POST", re.compile(r"/oauth/device/code"), self._device_code, "oauth"),
            ("POST", re.compile(r"/oauth/device/token"), self._device_token, "oauth"),
            ("POST", re.compile(r"/oauth/token"), self._token, "oauth"),
            ("POST", re.compile(r"/oauth/revoke"), self._revoke, "oauth"),
            ("GET", re.compile(r"/activate"), self._activate_page, "oauth"),
            ("GET", re.compile(r"/users/settings"), self._settings, "private"),
            ("GET", re.compile(r"/sync/last_activities"), self._last_activities, "private"),
            (
                "GET",
                re.compile(r"/sync/history(?:/(?P<type>[a-z]+)(?:/(?P<id>\d+))?)?"),
                self._history,
                "private",
            ),
            (
                "GET",
                re.compile(r"/sync/watched/(?P<type>shows|movies)"),
                self._watched,
                "private",
            ),
            (
                "GET",
                re.compile(r"/sync/ratings(?:/(?P<type>[a-z]+)(?:/(?P<rating>\d+))?)?"),
                self._ratings,
                "private",
            ),
            (
                "GET",
                re.compile(r"/sync/watchlist(?:/(?P<type>[a-z]+)(?:/[a-z]+(?:/[a-z]+)?)?)?"),
                self._watchlist,
                "private",
            ),
            ("POST", re.compile(r"/_admin/plays"), self._admin_add, "admin"),
            ("DELETE", re.compile(r"/_admin/plays/(?P<id>\d+)"), self._admin_remove, "admin"),
            ("POST", re.compile(r"/_admin/device-script"), self._admin_device_script, "admin"),
            ("POST", re.compile(r"/_admin/end-logins"), self._admin_end_logins, "admin"),
            ("GET", re.compile(r"/shows/(?P<id>[^/]+)"), self._show, "public"),
            ("GET", re.compile(r"/shows/(?P<id>[^/]+)/seasons"), self._seasons, "public"),
            (
                "GET",
                re.compile(r"/shows/(?P<id>[^/]+)/seasons/(?P<season>\d+)"),
                self._season,
                "public",
            ),
            (
                "GET",
                re.compile(r"/shows/(?P<id>[^/]+)/seasons/(?P<season>\d+)/episodes/(?P<ep>\d+)"),
                self._episode,
                "public",
            ),
            (
                "GET",
                re.compile(r"/(?P<kind>shows|movies)/(?P<id>[^/]+)/aliases"),
                self._aliases,
                "public",
            ),
            (
                "GET",
                re.compile(
                    r"/(?P<kind>shows|movies)/(?P<id>[^/]+)/translations(?:/(?P<lang>\w+))?"
                ),
                self._translations,
                "public",
            ),
            ("GET", re.compile(r"/movies/(?P<id>[^/]+)"), self._movie, "public"),
            ("GET", re.compile(r"/search/(?P<id_type>\w+)/(?P<id>[^/]+)"), self._search, "public"),
        ]

    # -- test helpers ----------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def issue_token(self) -> Obj:
        """Mint a valid token pair without the device flow (for tests of other modules)."""
        with self._lock:
            return self._new_token().as_json()

    def expire_access_tokens(self) -> None:
        """Every access token issued so far answers 401 from now on (refresh still works)."""
        with self._lock:
            for token in self._tokens.values():
                token.access_valid = False

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far answers 400 invalid_grant from now on."""
        with self._lock:
            for token in self._by_refresh.values():
                token.refresh_valid = False

    def add_play(
        self,
        *,
        show: int | None = None,
        season: int | None = None,
        number: int | None = None,
        movie: int | None = None,
        watched_at: str | None = None,
        history_id: int | None = None,
        action: str = "scrobble",
    ) -> Obj:
        """Append a play (episode: ``show`` trakt id + ``season`` + ``number``; or ``movie``
        trakt id) and bump ``last_activities`` like a real scrobble would."""
        with self._lock:
            hid = history_id or max((p["id"] for p in self.history), default=10**10) + 1
            stamp = watched_at or iso(self.now())
            if movie is not None:
                if self.catalog.movie_by_trakt(movie) is None:
                    raise KeyError(f"unknown movie {movie}")
                play: Obj = {
                    "id": hid,
                    "watched_at": stamp,
                    "action": action,
                    "type": "movie",
                    "movie": movie,
                }
            else:
                shown = self.catalog.show_by_trakt(show) if show is not None else None
                if shown is None or find_trakt_episode(shown, season or 0, number or 0) is None:
                    raise KeyError(f"unknown episode {show} S{season}E{number}")
                play = {
                    "id": hid,
                    "watched_at": stamp,
                    "action": action,
                    "type": "episode",
                    "show": show,
                    "season": season,
                    "number": number,
                }
            self.history.append(play)
            section = "movies" if movie is not None else "episodes"
            self._bump(section)
            # A.9: the item's last_updated_at is when the play was added, whatever its watched_at.
            self._updated[_item_key(play)] = parse_instant(self._activities[section]["watched_at"])
            return dict(play)

    def remove_play(self, history_id: int) -> None:
        """Drop a play: ``last_activities`` moves, the item's ``last_updated_at`` does not."""
        with self._lock:
            play = next(p for p in self.history if p["id"] == history_id)
            self.history.remove(play)
            self._bump("movies" if play["type"] == "movie" else "episodes")

    def rate(
        self,
        rating: int | None,
        *,
        show: int | None = None,
        season: int | None = None,
        number: int | None = None,
        movie: int | None = None,
    ) -> None:
        """Rate a film, show, season (``show`` + ``season``) or episode (+ ``number``) 1..10,
        or remove the rating (``rating`` None); ``<type>s.rated_at`` moves."""
        kind = (
            "movie"
            if movie is not None
            else "episode"
            if number is not None
            else "season"
            if season is not None
            else "show"
        )
        key = {"type": kind, "movie": movie, "show": show, "season": season, "number": number}
        key = {k: v for k, v in key.items() if v is not None}
        with self._lock:
            self.ratings[:] = [r for r in self.ratings if _list_key(r) != key]
            section = f"{kind}s"
            self._bump(section, "rated_at")
            if rating is not None:
                stamp = self._activities[section]["rated_at"]
                self.ratings.append({**key, "rating": rating, "rated_at": stamp})

    def set_watchlisted(
        self, listed: bool, *, show: int | None = None, movie: int | None = None
    ) -> None:
        """Add a film or show to the watchlist or take it off; ``watchlist.updated_at`` and
        ``<type>s.watchlisted_at`` move."""
        kind = "movie" if movie is not None else "show"
        key = {"type": kind, kind: movie if movie is not None else show}
        with self._lock:
            self.watchlist[:] = [w for w in self.watchlist if _list_key(w) != key]
            self._bump(f"{kind}s", "watchlisted_at")
            self._bump("watchlist", "updated_at")
            if listed:
                stamp = self._activities["watchlist"]["updated_at"]
                self.watchlist.append({**key, "listed_at": stamp})

    @property
    def last_activities(self) -> Obj:
        with self._lock:
            return self._render_activities()

    # -- activities ------------------------------------------------------------------------
    def _initial_activities(self) -> dict[str, dict[str, str]]:
        stamps = sorted(p["watched_at"] for p in self.history)
        base = iso(parse_instant(stamps[0])) if stamps else DEFAULT_UPDATED_AT

        def newest(kind: str) -> str:
            got = [p["watched_at"] for p in self.history if p["type"] == kind]
            return iso(parse_instant(max(got, key=parse_instant))) if got else base

        fields = {
            "movies": [
                "watched_at",
                "collected_at",
                "rated_at",
                "watchlisted_at",
                "favorited_at",
                "commented_at",
                "paused_at",
                "hidden_at",
            ],
            "episodes": [
                "watched_at",
                "collected_at",
                "rated_at",
                "watchlisted_at",
                "commented_at",
                "paused_at",
            ],
            "shows": [
                "rated_at",
                "watchlisted_at",
                "favorited_at",
                "commented_at",
                "hidden_at",
                "dropped_at",
            ],
            "seasons": ["rated_at", "watchlisted_at", "commented_at", "hidden_at"],
            "comments": ["liked_at", "reacted_at", "blocked_at"],
            "lists": ["liked_at", "reacted_at", "updated_at", "commented_at"],
            "watchlist": ["updated_at"],
            "favorites": ["updated_at"],
            "account": ["settings_at", "followed_at", "following_at", "pending_at", "requested_at"],
        }
        out = {section: dict.fromkeys(keys, base) for section, keys in fields.items()}
        out["movies"]["watched_at"] = newest("movie")
        out["episodes"]["watched_at"] = newest("episode")
        return out

    def _bump(self, section: str, stamp_field: str = "watched_at") -> None:
        previous = parse_instant(self._activities[section][stamp_field])
        stamp = max(self.now(), previous + timedelta(milliseconds=1))
        self._activities[section][stamp_field] = iso(stamp)

    def _render_activities(self) -> Obj:
        every = [v for section in self._activities.values() for v in section.values()]
        out: Obj = {"all": max(every, key=parse_instant)}
        out.update({k: dict(v) for k, v in self._activities.items()})
        return out

    # -- dispatch --------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        allowed: list[str] = []
        for method, pattern, handler, kind in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            denied = self._gate(request, kind)
            return denied or handler(request, match)
        if allowed:
            return _error(405, "method_not_allowed", f"use {', '.join(allowed)}")
        return _error(404, "not_found", f"no route for {request.method} {request.path}")

    def _gate(self, request: Request, kind: str) -> Response | None:
        if request.method in ("POST", "PUT", "PATCH"):
            ctype = (request.header("content-type") or "").split(";")[0].strip()
            if ctype != "application/json":  # contract A.2: 412 = use application/json
                return _error(412, "precondition_failed", "use application/json content type")
        if kind in ("oauth", "admin"):
            return None
        if request.header("trakt-api-key") != self.client_id:  # contract A.2 / C.1
            return _error(403, "forbidden", "invalid API key or unapproved app")
        if request.header("trakt-api-version") != "2":
            return _error(400, "bad_request", "trakt-api-version header must be 2")
        authorization = request.header("authorization")
        if kind == "private" or authorization is not None:
            return self._check_bearer(authorization)
        return None

    def _check_bearer(self, authorization: str | None) -> Response | None:
        scheme, _, value = (authorization or "").partition(" ")
        token = self._tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or not token.access_valid or self._expired(token):
            description = "The access token is invalid" if authorization else "OAuth required"
            return _error(
                401,
                "invalid_token",
                description,
                **{
                    "WWW-Authenticate": f'Bearer realm="trakt", error="invalid_token", '
                    f'error_description="{description}"'
                },
            )
        return None

    def _expired(self, token: Token) -> bool:
        return self.clock() >= token.created_at + token.expires_in

    # -- OAuth (contract A.3) --------------------------------------------------------------
    def _new_token(self) -> Token:
        token = Token(
            access_token=secrets.token_hex(32),
            refresh_token=secrets.token_hex(32),
            created_at=int(self.clock()),
            expires_in=self.token_lifetime,
        )
        self._tokens[token.access_token] = token
        self._by_refresh[token.refresh_token] = token
        return token

    def _client_ok(self, body: Obj) -> bool:
        """A.3.2: the secret is optional (a public client sends none); one sent must match."""
        return body.get("client_id") == self.client_id and (
            "client_secret" not in body or body["client_secret"] == self.client_secret
        )

    def _device_code(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        if not self._client_ok(body):
            # A.1b: a removed or unknown app gets invalid_client at OAuth
            return _error(401, "invalid_client", "client authentication failed")
        device = DeviceCode(secrets.token_hex(32), secrets.token_hex(4).upper(), self.clock())
        self._devices[device.device_code] = device
        if not self.device_script:
            self.device_script = list(DEFAULT_DEVICE_SCRIPT)
        return json_response(
            200,
            {
                "device_code": device.device_code,
                "user_code": device.user_code,
                "verification_url": f"{self.url}/activate",
                "expires_in": self.device_expires_in,
                "interval": self.device_interval,
            },
        )

    def _device_token(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        if not self._client_ok(body):
            return _error(401, "invalid_client", "client authentication failed")
        device = self._devices.get(str(body.get("code")))
        if device is None:
            return empty_response(404)
        if device.state == "approve":
            return empty_response(409)  # already exchanged
        if device.state != "pending":
            return empty_response(DEVICE_OUTCOMES[device.state])
        if self.clock() >= device.created_at + self.device_expires_in:
            device.state = "expired"
            return empty_response(410)
        outcome = self.device_script.pop(0) if self.device_script else "pending"
        if outcome not in DEVICE_OUTCOMES:
            raise ValueError(f"unknown device_script outcome {outcome!r}")
        if outcome == "approve":
            device.state = "approve"
            return json_response(200, self._new_token().as_json())
        if outcome not in ("pending", "slow_down"):
            device.state = outcome
        return empty_response(DEVICE_OUTCOMES[outcome])

    def _token(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        if not self._client_ok(body):
            return _error(401, "invalid_client", "client authentication failed")
        if body.get("grant_type") != "refresh_token":
            return _error(400, "unsupported_grant_type", "only refresh_token is faked")
        old = self._by_refresh.get(str(body.get("refresh_token")))
        if old is None or not old.refresh_valid:
            # contract A.3.3: refresh tokens are single use; reuse -> 400 invalid_grant
            return _error(
                400,
                "invalid_grant",
                "The provided authorization grant is invalid, expired, revoked, does not match "
                "the redirection URI used in the authorization request, or was issued to "
                "another client.",
            )
        old.refresh_valid = False
        return json_response(200, self._new_token().as_json())

    def _revoke(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json if isinstance(request.json, dict) else {}
        if not self._client_ok(body):
            return _error(401, "invalid_client", "client authentication failed")
        value = str(body.get("token"))
        token = self._tokens.get(value)
        if token is not None:
            token.access_valid = False
        by_refresh = self._by_refresh.get(value)
        if by_refresh is not None:
            by_refresh.refresh_valid = False
        return empty_response(200)  # contract A.3.4: 200 with an empty body, known or not

    def _activate_page(self, request: Request, _: re.Match[str]) -> Response:
        html = (
            b"<html><body><h1>Fake Trakt</h1><p>Nothing to do here: the sandbox approves "
            b"every device code on its own.</p>"
        )
        return Response(200, html + b"</body></html>", {"Content-Type": "text/html"})

    # -- account & sync (A.7, A.8) ---------------------------------------------------------
    def _settings(self, request: Request, _: re.Match[str]) -> Response:
        user = self.world["trakt"]["user"]
        username = user["username"]
        return json_response(
            200,
            {
                "user": {
                    "username": username,
                    "private": False,
                    "name": user.get("name", username),
                    "vip": False,
                    "vip_ep": False,
                    "ids": {"slug": user.get("slug", username), "uuid": user.get("uuid")},
                    "joined_at": user.get("joined_at", "2020-01-01T00:00:00.000Z"),
                    "location": user.get("location", ""),
                    "about": "",
                    "gender": None,
                    "age": None,
                    "images": {"avatar": {"full": None}},
                },
                "account": {
                    "timezone": user.get("timezone", "UTC"),
                    "date_format": "mdy",
                    "time_24hr": True,
                    "cover_image": None,
                },
                "connections": {"facebook": False, "twitter": False, "slack": False},
                "sharing_text": {"watching": "", "watched": "", "rated": ""},
            },
        )

    def _last_activities(self, request: Request, _: re.Match[str]) -> Response:
        return json_response(200, self._render_activities())

    def _history(self, request: Request, match: re.Match[str]) -> Response:
        kind, item_id = match["type"], match["id"]
        if kind is not None and kind not in HISTORY_TYPES:
            return _error(404, "not_found", f"unknown history type {kind}")
        try:
            start = (
                parse_instant(request.query["start_at"]) if "start_at" in request.query else None
            )
            end = self._parse_end(request.query.get("end_at"))
        except ValueError:
            return _error(400, "bad_request", "start_at/end_at must be ISO 8601")
        plays = [
            p
            for p in self.history
            if self._history_matches(p, kind, None if item_id is None else int(item_id))
            and (start is None or parse_instant(p["watched_at"]) >= start)
            and (end is None or parse_instant(p["watched_at"]) <= end)
        ]
        plays.sort(key=lambda p: (parse_instant(p["watched_at"]), p["id"]), reverse=True)
        page, headers = paginate(plays, request.query)
        full = "full" in request.query.get("extended", "").split(",")
        return json_response(200, [self._render_play(p, full) for p in page], headers)

    def _watched(self, request: Request, match: re.Match[str]) -> Response:
        """A.9: one entry per show/film with plays, paged like every list since 2026-06-30
        (default 100, clamp 250); ``seasons`` only with ``extended=progress``, and then at
        most 100 a page (``full`` and ``noseasons`` change nothing)."""
        kind = "show" if match["type"] == "shows" else "movie"
        grouped: dict[int, list[Obj]] = {}
        for play in self.history:
            if play["type"] == ("episode" if kind == "show" else "movie"):
                grouped.setdefault(play[kind], []).append(play)
        with_seasons = "progress" in self._extended(request)
        out = []
        for item_id, plays in grouped.items():
            entry: Obj = {
                "plays": len(plays),
                "last_watched_at": iso(max(parse_instant(p["watched_at"]) for p in plays)),
                "last_updated_at": iso(self._updated[(kind, item_id)]),
            }
            if kind == "movie":
                movie = self.catalog.movie_by_trakt(item_id)
                assert movie is not None
                entry["movie"] = self.catalog.render_movie(movie, False)
            else:
                show = self.catalog.show_by_trakt(item_id)
                assert show is not None
                entry["reset_at"] = None
                entry["show"] = self.catalog.render_show(show, False, self.now())
                if with_seasons:
                    entry["seasons"] = _watched_seasons(plays)
            out.append(entry)
        out.sort(key=lambda e: (e["last_watched_at"], e[kind]["ids"]["trakt"]), reverse=True)
        page, headers = paginate(out, request.query, maximum=100 if with_seasons else 250)
        return json_response(200, page, headers)

    def _ratings(self, request: Request, match: re.Match[str]) -> Response:
        """A.9: ``/sync/ratings/{type}/{rating}``, newest first; pagination optional."""
        kind = HISTORY_TYPES.get(
            match["type"] or "", "all" if match["type"] in (None, "all") else ""
        )
        if not kind:
            return _error(404, "not_found", f"unknown ratings type {match['type']}")
        wanted = int(match["rating"]) if match["rating"] else None
        items = [
            r for r in self.ratings if kind in ("all", r["type"]) and wanted in (None, r["rating"])
        ]
        items.sort(key=lambda r: parse_instant(r["rated_at"]), reverse=True)
        full = "full" in self._extended(request)
        rendered = [
            {"rated_at": r["rated_at"], "rating": r["rating"], **self._render_listed(r, full)}
            for r in items
        ]
        if "page" in request.query or "limit" in request.query:
            page, headers = paginate(rendered, request.query)
            return json_response(200, page, headers)
        return json_response(200, rendered)

    def _watchlist(self, request: Request, match: re.Match[str]) -> Response:
        """A.9: ``/sync/watchlist/{type}/{sort_by}/{sort_how}``, paged by default (A.5)."""
        kind = HISTORY_TYPES.get(match["type"] or "", "all" if match["type"] is None else "")
        if not kind:
            return _error(404, "not_found", f"unknown watchlist type {match['type']}")
        items = [w for w in self.watchlist if kind in ("all", w["type"])]
        full = "full" in self._extended(request)
        rendered = [
            {
                "rank": rank,
                "id": 1000 + rank,
                "listed_at": w["listed_at"],
                "notes": None,
                **self._render_listed(w, full),
            }
            for rank, w in enumerate(items, start=1)
        ]
        page, headers = paginate(rendered, request.query)
        headers.update({"X-Sort-By": "rank", "X-Sort-How": "asc"})
        return json_response(200, page, headers)

    def _render_listed(self, entry: Obj, full: bool) -> Obj:
        """``type`` and the media objects of a rated or watchlisted item."""
        out: Obj = {"type": entry["type"]}
        if entry["type"] == "movie":
            movie = self.catalog.movie_by_trakt(entry["movie"])
            assert movie is not None
            out["movie"] = self.catalog.render_movie(movie, full)
            return out
        show = self.catalog.show_by_trakt(entry["show"])
        assert show is not None
        if entry["type"] in ("season", "episode"):
            season = self.catalog.season(show, entry["season"])
            assert season is not None
            if entry["type"] == "season":
                out["season"] = self.catalog.render_season(show, season, full, False, self.now())
            else:
                episode = find_trakt_episode(show, entry["season"], entry["number"])
                assert episode is not None
                out["episode"] = self.catalog.render_episode(show, season, episode, full)
        out["show"] = self.catalog.render_show(show, full, self.now())
        return out

    # -- admin (sandbox only: not part of Trakt) -------------------------------------------
    def _admin_add(self, request: Request, _: re.Match[str]) -> Response:
        """``POST /_admin/plays`` ``{"show", "season", "number" | "movie", "watched_at"?}``."""
        body = request.json if isinstance(request.json, dict) else {}
        fields = ("show", "season", "number", "movie", "watched_at", "history_id")
        try:
            if "watched_at" in body:
                body["watched_at"] = iso(parse_instant(str(body["watched_at"])))
            play = self.add_play(**{k: body[k] for k in fields if k in body})
        except (KeyError, TypeError, ValueError) as exc:
            return _error(422, "validation_failed", f"cannot add that play: {exc}")
        return json_response(201, play)

    def _admin_remove(self, request: Request, match: re.Match[str]) -> Response:
        """``DELETE /_admin/plays/{history id}``."""
        try:
            self.remove_play(int(match["id"]))
        except StopIteration:
            return self._not_found(f"history id {match['id']}")
        return empty_response(204)

    def _admin_device_script(self, request: Request, _: re.Match[str]) -> Response:
        """``POST /_admin/device-script`` ``{"outcomes": ["pending", "denied"]}``: what the
        next device-token polls answer (see :data:`DEVICE_OUTCOMES`)."""
        body = request.json if isinstance(request.json, dict) else {}
        outcomes = body.get("outcomes")
        if not isinstance(outcomes, list) or not all(o in DEVICE_OUTCOMES for o in outcomes):
            return _error(422, "validation_failed", f"outcomes: a list of {list(DEVICE_OUTCOMES)}")
        with self._lock:
            self.device_script = list(outcomes)
        return json_response(200, {"outcomes": outcomes})

    def _admin_end_logins(self, request: Request, _: re.Match[str]) -> Response:
        """``POST /_admin/end-logins``: every token issued so far stops working, as when a login
        is ended on Trakt's side (the access tokens answer 401, the refresh tokens
        ``invalid_grant``)."""
        self.expire_access_tokens()
        self.revoke_refresh_tokens()
        return empty_response(204)

    @staticmethod
    def _parse_end(value: str | None) -> datetime | None:
        if value is None:
            return None
        end = parse_instant(value)
        if len(value.strip()) == 10:  # a bare date includes that whole day [UNVERIFIED]
            end += timedelta(days=1, microseconds=-1)
        return end

    def _history_matches(self, play: Obj, kind: str | None, item_id: int | None) -> bool:
        if kind is None:
            return True
        if kind == "movies":
            return play["type"] == "movie" and item_id in (None, play["movie"])
        if play["type"] != "episode":
            return False
        if item_id is None:
            return True
        show = self.catalog.show_by_trakt(play["show"])
        assert show is not None
        if kind == "shows":
            return bool(show["ids"]["trakt"] == item_id)
        season = self.catalog.season(show, play["season"])
        if kind == "seasons":
            return season is not None and season["ids"].get("trakt") == item_id
        episode = find_trakt_episode(show, play["season"], play["number"])
        return episode is not None and episode["ids"]["trakt"] == item_id

    def _render_play(self, play: Obj, full: bool) -> Obj:
        out: Obj = {k: play[k] for k in ("id", "watched_at", "action", "type")}
        out["watched_at"] = iso(parse_instant(play["watched_at"]))
        if play["type"] == "movie":
            movie = self.catalog.movie_by_trakt(play["movie"])
            assert movie is not None
            out["movie"] = self.catalog.render_movie(movie, full)
            return out
        show = self.catalog.show_by_trakt(play["show"])
        assert show is not None
        season = self.catalog.season(show, play["season"])
        episode = find_trakt_episode(show, play["season"], play["number"])
        assert season is not None and episode is not None
        out["episode"] = self.catalog.render_episode(show, season, episode, full)
        out["show"] = self.catalog.render_show(show, full, self.now())
        return out

    # -- metadata (A.10) -------------------------------------------------------------------
    def _not_found(self, what: str) -> Response:
        return _error(404, "not_found", f"{what} not found")

    @staticmethod
    def _extended(request: Request) -> set[str]:
        return set(request.query.get("extended", "").split(","))

    def _show(self, request: Request, match: re.Match[str]) -> Response:
        show = self.catalog.show(match["id"])
        if show is None:
            return self._not_found("show")
        full = "full" in self._extended(request)
        return json_response(200, self.catalog.render_show(show, full, self.now()))

    def _seasons(self, request: Request, match: re.Match[str]) -> Response:
        show = self.catalog.show(match["id"])
        if show is None:
            return self._not_found("show")
        ext = self._extended(request)
        seasons = sorted(show["seasons"], key=lambda s: s["number"])
        return json_response(
            200,
            [
                self.catalog.render_season(show, s, "full" in ext, "episodes" in ext, self.now())
                for s in seasons
            ],
        )

    def _season(self, request: Request, match: re.Match[str]) -> Response:
        show = self.catalog.show(match["id"])
        season = self.catalog.season(show, int(match["season"])) if show else None
        if show is None or season is None:
            return self._not_found("season")
        full = "full" in self._extended(request)
        return json_response(
            200, [self.catalog.render_episode(show, season, e, full) for e in season["episodes"]]
        )

    def _episode(self, request: Request, match: re.Match[str]) -> Response:
        show = self.catalog.show(match["id"])
        season = self.catalog.season(show, int(match["season"])) if show else None
        episode = find_trakt_episode(show, int(match["season"]), int(match["ep"])) if show else None
        if show is None or season is None or episode is None:
            return self._not_found("episode")
        full = "full" in self._extended(request)
        return json_response(200, self.catalog.render_episode(show, season, episode, full))

    def _movie(self, request: Request, match: re.Match[str]) -> Response:
        movie = self.catalog.movie(match["id"])
        if movie is None:
            return self._not_found("movie")
        full = "full" in self._extended(request)
        return json_response(200, self.catalog.render_movie(movie, full))

    def _item(self, kind: str, ref: str) -> Obj | None:
        return self.catalog.show(ref) if kind == "shows" else self.catalog.movie(ref)

    def _aliases(self, request: Request, match: re.Match[str]) -> Response:
        item = self._item(match["kind"], match["id"])
        if item is None:
            return self._not_found(match["kind"][:-1])
        aliases = [
            {"title": a["title"], "country": a.get("country")} for a in item.get("aliases", [])
        ]
        return json_response(200, aliases)

    def _translations(self, request: Request, match: re.Match[str]) -> Response:
        item = self._item(match["kind"], match["id"])
        if item is None:
            return self._not_found(match["kind"][:-1])
        return json_response(200, self.catalog.translations(item, match["lang"]))

    def _search(self, request: Request, match: re.Match[str]) -> Response:
        id_type = match["id_type"]
        if id_type not in SEARCH_ID_TYPES:
            return self._not_found(f"id type {id_type}")
        kinds: list[str | None] = [k for k in request.query.get("type", "").split(",") if k]
        full = "full" in self._extended(request)
        hits: list[Obj] = []
        for kind in kinds or [None]:
            hits += self.catalog.search(id_type, match["id"], kind)
        rendered = []
        for hit in hits:
            out: Obj = {"type": hit["type"], "score": None}
            if hit["type"] == "show":
                out["show"] = self.catalog.render_show(hit["show"], full, self.now())
            elif hit["type"] == "movie":
                out["movie"] = self.catalog.render_movie(hit["movie"], full)
            else:
                out["episode"] = self.catalog.render_episode(
                    hit["show"], hit["season"], hit["episode"], full
                )
                out["show"] = self.catalog.render_show(hit["show"], full, self.now())
            rendered.append(out)
        page, headers = paginate(rendered, request.query, default=50)
        return json_response(200, page, headers)
