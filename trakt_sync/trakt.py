"""Trakt API v2 client: the reads a sync needs (api_contracts.md A.2, A.4–A.10)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from trakt_sync.errors import (
    AccessDenied,
    ApiError,
    NeedsAuth,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    TraktSyncError,
)
from trakt_sync.httpclient import ApiClient, Pacer, error_text
from trakt_sync.timeutil import iso_z
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

    def error_for(self, response: httpx.Response) -> TraktSyncError:
        status, text = response.status_code, error_text(response)
        if status == 401:
            return TraktUnauthorized("Trakt rejected the access token; run `trakt-sync auth`")
        if status == 403:
            return AccessDenied(
                "Trakt rejected the API key or the app is not approved (403): check trakt.client_id"
            )
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
            raise NeedsAuth("not logged in to Trakt; run `trakt-sync auth`")
        self.http.headers["Authorization"] = f"Bearer {self.session.access_token()}"
        try:
            return self.get_json(path, params)
        except TraktUnauthorized:
            # A.4: refresh once on 401 and retry once; a second 401 means re-auth.
            fresh = self.session.refresh()
            self.http.headers["Authorization"] = f"Bearer {fresh.access_token}"
            return self.get_json(path, params)

    def user_settings(self) -> dict[str, Any]:
        data, _ = self._authed_get("/users/settings")
        return dict(data)

    def last_activities(self) -> dict[str, Any]:
        data, _ = self._authed_get("/sync/last_activities")
        return dict(data)

    def watched(self, kind: str) -> Any:
        """``/sync/watched/{shows|movies}`` (A.9): plays and last_updated_at per item."""
        params = {"extended": "noseasons"} if kind == "shows" else None  # seasons: unused bulk
        data, _ = self._authed_get(f"/sync/watched/{kind}", params)
        return data

    def history_pages(
        self,
        kind: str,
        *,
        item_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        limit: int = 250,
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Every page of ``/sync/history/{kind}[/{item_id}]`` (A.8), newest first, until the
        page count, each with whether it is the last one."""
        params: dict[str, Any] = {"limit": limit, "extended": "full"}
        if start_at is not None:
            params["start_at"] = iso_z(start_at)
        if end_at is not None:
            params["end_at"] = iso_z(end_at)
        path = f"/sync/history/{kind}" if item_id is None else f"/sync/history/{kind}/{item_id}"
        page = 1
        while True:
            data, response = self._authed_get(path, {**params, "page": page})
            if not isinstance(data, list):
                raise ServiceUnavailable(f"Trakt: {path} did not return a list")
            page_count = _int_header(response, "X-Pagination-Page-Count")
            # A.5: drive the loop from the page count for this limit, not from an empty page.
            last = page_count is None or page >= page_count
            yield data, last
            if last:
                return
            page += 1

    def list_items(self, path: str, limit: int = 250) -> list[dict[str, Any]]:
        """Every item of ``/sync/ratings/{type}`` or ``/sync/watchlist/{type}`` (A.9), read
        page by page (A.5: the watchlist is paged by default)."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            params = {"limit": limit, "extended": "full", "page": page}
            data, response = self._authed_get(path, params)
            if not isinstance(data, list):
                raise ServiceUnavailable(f"Trakt: {path} did not return a list")
            items += data
            page_count = _int_header(response, "X-Pagination-Page-Count")
            if page_count is None or page >= page_count:
                return items
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
