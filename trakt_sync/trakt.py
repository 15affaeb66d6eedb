"""Trakt API v2 client: the reads a sync needs (api_contracts.md A.2, A.4–A.10)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from trakt_sync.errors import (
    AccessDenied,
    ApiError,
    ListReadShort,
    NeedsAuth,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    TraktSyncError,
)
from trakt_sync.httpclient import ApiClient, Pacer, error_text
from trakt_sync.timeutil import iso_z
from trakt_sync.trakt_app import NOT_LOGGED_IN, app_unknown
from trakt_sync.trakt_auth import TraktSession, trakt_headers

DEFAULT_RETRY_AFTER = 10.0  # A.4: some 429s come without Retry-After
GET_LIMIT = (900, 300.0)  # A.4: 1000 GETs per 5 minutes, kept with some headroom


class TraktUnauthorized(NeedsAuth):
    """401: the access token is missing, expired or revoked."""


class TraktClient(ApiClient):
    service = "trakt"

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        user_agent: str,
        session: TraktSession | None,
        pacer: Pacer | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(
            base_url,
            headers=trakt_headers(client_id, user_agent),
            pacer=pacer or Pacer(*GET_LIMIT),
            **kw,
        )
        self.session = session
        self.client_id = client_id

    def error_for(self, response: httpx.Response) -> TraktSyncError:
        status, text = response.status_code, error_text(response)
        if status == 401:
            return TraktUnauthorized("Trakt rejected the access token; run `trakt-sync auth`")
        if status == 403:  # A.1b: a removed app's client id gets 403 on every call
            return AccessDenied(app_unknown(self.client_id, "403 invalid API key"))
        if status == 404:
            return NotFound(f"Trakt: not found: {response.request.url.path}", status)
        if status == 423:
            return NeedsAuth(
                "the Trakt account is locked or deactivated (423); contact Trakt support"
            )
        if status == 429:
            retry_after = response.headers.get("Retry-After", "")
            wait = float(retry_after) if retry_after.isdigit() else DEFAULT_RETRY_AFTER
            return RateLimited("Trakt: rate limited (429)", wait)
        if status >= 500:
            return ServiceUnavailable(f"Trakt answered {status} ({text}); try again later")
        return ApiError(f"Trakt: {status} {text}", status)

    def _authed_get(
        self, path: str, params: dict[str, Any] | None = None
    ) -> tuple[Any, httpx.Response]:
        if self.session is None:
            raise NeedsAuth(NOT_LOGGED_IN)
        used = self.session.valid()
        self.http.headers["Authorization"] = f"Bearer {used.access_token}"
        try:
            return self.get_json(path, params)
        except TraktUnauthorized:
            # A.4: refresh once on 401 and retry once; a second 401 means re-auth.
            fresh = self.session.refresh(used)
            self.http.headers["Authorization"] = f"Bearer {fresh.access_token}"
            return self.get_json(path, params)

    def user_settings(self) -> dict[str, Any]:
        data, _ = self._authed_get("/users/settings")
        return dict(data)

    def last_activities(self) -> dict[str, Any]:
        data, _ = self._authed_get("/sync/last_activities")
        return dict(data)

    def watched(self, kind: str, limit: int = 250) -> list[dict[str, Any]]:
        """Every entry of ``/sync/watched/{shows|movies}`` (A.9): plays and last_updated_at
        per item. Paged since 2026-06-30; no ``extended=progress``, as the seasons are not
        needed and would cap the page at 100."""
        items: list[dict[str, Any]] = []
        for page, _ in self.pages(f"/sync/watched/{kind}", limit=limit):
            items += page
        return items

    def history_pages(
        self,
        kind: str,
        *,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        limit: int = 250,
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Every page of ``/sync/history/{kind}[/{item_id}]`` (A.8), newest first, each with
        whether it is the last one."""
        params: dict[str, Any] = {"extended": "full"}
        if start_at is not None:
            params["start_at"] = iso_z(start_at)
        if end_at is not None:
            params["end_at"] = iso_z(end_at)
        path = f"/sync/history/{kind}" if item_id is None else f"/sync/history/{kind}/{item_id}"
        return self.pages(path, params, limit=limit)

    def list_items(self, path: str, limit: int = 250) -> list[dict[str, Any]]:
        """Every item of ``/sync/ratings/{type}`` or ``/sync/watchlist/{type}`` (A.9)."""
        items: list[dict[str, Any]] = []
        for page, _ in self.pages(path, {"extended": "full"}, limit=limit):
            items += page
        return items

    def pages(
        self, path: str, params: dict[str, Any] | None = None, *, limit: int = 250
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Every page of a paged list (A.5), each with whether it is the last one.

        An explicit ``limit`` (Trakt clamps it, and pages by 100 without one), the loop
        driven by ``X-Pagination-Page-Count`` for that limit. A list read short must never
        look complete, as what it lacks would count as removed: an empty page before the
        last, an item count that moves between pages or is more than was read raise
        :class:`ListReadShort`."""
        page, read, counted = 1, 0, None
        while True:
            data, response = self._authed_get(
                path, {**(params or {}), "limit": limit, "page": page}
            )
            if not isinstance(data, list):
                raise ServiceUnavailable(f"Trakt: {path} did not return a list")
            read += len(data)
            page_count = _int_header(response, "X-Pagination-Page-Count")
            items = _int_header(response, "X-Pagination-Item-Count")
            if page_count is not None:
                last = page >= page_count
            else:  # no header: only a page shorter than the limit is surely the last
                last = len(data) < (_int_header(response, "X-Pagination-Limit") or limit)
            if counted is not None and items is not None and items != counted:
                raise ListReadShort(
                    f"Trakt's {path} changed while it was read ({counted} then {items} "
                    "items); it is read again on the next run"
                )
            counted = items if counted is None else counted
            if not data and not last:
                raise ListReadShort(
                    f"Trakt sent an empty page {page} of {page_count} of {path}; "
                    "it is read again on the next run"
                )
            if last and counted is not None and read != counted:
                raise ListReadShort(
                    f"Trakt counted {counted} items in {path} but sent {read}; "
                    "it is read again on the next run"
                )
            yield data, last
            if last:
                return
            page += 1

    def get_show_seasons(self, show_id: int | str) -> list[dict[str, Any]]:
        """Every season of a show with all its episodes, in one request (A.10)."""
        data, _ = self.get_json(f"/shows/{show_id}/seasons", {"extended": "episodes,full"})
        return list(data)

    def get_show_aliases(self, show_id: int | str) -> list[dict[str, Any]]:
        data, _ = self.get_json(f"/shows/{show_id}/aliases")
        return list(data)

    def get_show_translations(
        self, show_id: int | str, language: str | None = None
    ) -> list[dict[str, Any]]:
        """A show's translations in one language, or in every language (A.10)."""
        path = f"/shows/{show_id}/translations" + (f"/{language}" if language else "")
        data, _ = self.get_json(path)
        return list(data)

    def get_show(self, show_id: int | str) -> dict[str, Any]:
        data, _ = self.get_json(f"/shows/{show_id}", {"extended": "full"})
        return dict(data)


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    return int(value) if value and value.isdigit() else None
