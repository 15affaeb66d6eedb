"""Bangumi API v0 client (api_contracts.md part B): look-ups for matching, collection writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from trakt_sync.errors import (
    AccessDenied,
    ApiError,
    BadData,
    EpisodesNotOfSubject,
    NeedsAuth,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    TraktSyncError,
)
from trakt_sync.httpclient import ApiClient, Pacer, error_text

EPISODE_PAGE = 200  # B.6: the spec's maximum (the server allows 1000)
COLLECTION_PAGE = 50  # B.7: maximum page of the user's collection list
MARKS_PAGE = 1000  # B.8: maximum page of a subject's episode marks
RATE_LIMIT = (2700, 600.0)  # B.1: 3000 requests per 10 minutes, kept with some headroom


def bangumi_headers(user_agent: str, token: str | None) -> dict[str, str]:
    headers = {"User-Agent": user_agent, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


class BangumiClient(ApiClient):
    service = "bangumi"

    def __init__(
        self,
        base_url: str,
        *,
        user_agent: str,
        token: str | None,
        pacer: Pacer | None = None,
        fix_token: str = "run `trakt-sync auth bangumi`",
        **kw: Any,
    ) -> None:
        # What to do about a refused token: a token set in the config or environment wins
        # over `auth bangumi`, so the fix is that setting.
        self.fix_token = fix_token
        super().__init__(
            base_url,
            headers=bangumi_headers(user_agent, token),
            pacer=pacer or Pacer(*RATE_LIMIT),
            **kw,
        )

    def error_for(self, response: httpx.Response) -> TraktSyncError:
        status, text = response.status_code, error_text(response)
        if status == 401:
            if "need authorization" in text:
                return NeedsAuth("not logged in to Bangumi; run `trakt-sync auth bangumi`")
            return NeedsAuth(f"Bangumi rejected the access token ({text}); {self.fix_token}")
        if status == 403:
            if "user-agent" in text.lower():
                agent = self.http.headers.get("User-Agent", "")
                return AccessDenied(
                    f"Bangumi refused the User-Agent {agent!r} (403: {text}); set "
                    "bangumi.user_agent to a descriptive value such as "
                    "'yourname/trakt-sync (https://your.site)'"
                )
            if "scope" in text.lower():
                return NeedsAuth(
                    "the Bangumi token lacks the write:collection scope; create a new token: "
                    + self.fix_token
                )
            return AccessDenied(f"Bangumi refused the request (403: {text})")
        if status == 404:
            return NotFound(f"Bangumi: {text}", status)
        if status == 429:
            return RateLimited(
                "Bangumi rate limit reached (429): it bans for up to an hour; "
                "the sync stopped and will resume on the next run"
            )
        if status >= 500:
            return ServiceUnavailable(f"Bangumi answered {status} ({text}); try again later")
        if status == 400 and "is not episodes of subject" in text:
            return EpisodesNotOfSubject(f"Bangumi: {status} {text}", status)
        return ApiError(f"Bangumi: {status} {text}", status)

    def retry_wait(self, error: TraktSyncError) -> float | None:
        # B.1: a 429 is a ban of up to an hour with no Retry-After: never retry within a run.
        if isinstance(error, RateLimited):
            return None
        return super().retry_wait(error)

    # -- reads ---------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        data, _ = self.get_json("/v0/me")
        return dict(data)

    def get_subject(self, subject_id: int) -> dict[str, Any]:
        data, _ = self.get_json(f"/v0/subjects/{subject_id}")
        return _object(data, f"subject {subject_id}")

    def get_related_subjects(self, subject_id: int) -> list[dict[str, Any]]:
        data, _ = self.get_json(f"/v0/subjects/{subject_id}/subjects")
        return _array(data, f"subject {subject_id}", "its related subjects")

    def get_episodes(self, subject_id: int) -> list[dict[str, Any]]:
        item = f"subject {subject_id}"
        return list(self._pages("/v0/episodes", {"subject_id": subject_id}, EPISODE_PAGE, item))

    def search_subjects(
        self,
        keyword: str,
        *,
        subject_types: list[int] | None = None,
        air_date: list[str] | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        filters: dict[str, Any] = {}
        if subject_types:
            filters["type"] = subject_types
        if air_date:
            filters["air_date"] = air_date
        response = self.request(
            "POST",
            "/v0/search/subjects",
            params={"limit": limit},
            json={"keyword": keyword, "sort": "match", "filter": filters},
        )
        return _array(_decode(response).get("data") or [], f"the search for {keyword!r}", "hits")

    def collections_page(
        self, username: str, *, subject_type: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of the user's collection list (B.7) and the total it reports."""
        data, _ = self.get_json(
            f"/v0/users/{username}/collections",
            {"subject_type": subject_type, "limit": COLLECTION_PAGE, "offset": offset},
        )
        item = f"the collection list of {username}"
        data = _object(data, item)
        return _array(data.get("data") or [], item, "its entries"), _total(data, item)

    def user_collection(self, username: str, subject_id: int) -> dict[str, Any] | None:
        """The user's collection entry, or None when the subject is not collected (404)."""
        try:
            data, _ = self.get_json(f"/v0/users/{username}/collections/{subject_id}")
        except NotFound:
            return None
        return _object(data, f"the collection of subject {subject_id}")

    def episode_marks(self, subject_id: int) -> list[tuple[dict[str, Any], int]]:
        """Every episode of the subject with the user's mark type (0 = none)."""
        item = f"subject {subject_id}"
        rows = self._pages(f"/v0/users/-/collections/{subject_id}/episodes", {}, MARKS_PAGE, item)
        marks = []
        for row in rows:
            # One unreadable row could hide an episode: completing the subject (看过) would
            # then be a guess, so the whole subject waits (the engine fails its plays).
            episode = row.get("episode") if isinstance(row, dict) else None
            mark = row.get("type") if isinstance(row, dict) else None
            if not isinstance(episode, dict) or type(mark) is not int:
                raise BadData("Bangumi", item, f"an episode mark is unreadable: {row!r:.120}")
            marks.append((dict(episode), mark))
        return marks

    # -- writes --------------------------------------------------------------------------

    def set_collection(
        self,
        subject_id: int,
        collection_type: int | None,
        *,
        rate: int | None = None,
        private: bool | None = None,
    ) -> None:
        """Create or update the subject collection (B.7: 202 on success); fields left None
        are not sent, so Bangumi keeps them."""
        body: dict[str, int | bool] = {}
        for name, value in (("type", collection_type), ("rate", rate), ("private", private)):
            if value is not None:
                body[name] = value
        self.request("POST", f"/v0/users/-/collections/{subject_id}", json=body)

    def mark_episodes(self, subject_id: int, episode_ids: list[int], mark: int = 2) -> None:
        """Mark many episodes of one subject in one request (B.8: 204 on success)."""
        self.request(
            "PATCH",
            f"/v0/users/-/collections/{subject_id}/episodes",
            json={"episode_id": episode_ids, "type": mark},
        )

    def _pages(
        self, path: str, params: dict[str, Any], limit: int, item: str
    ) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            data, _ = self.get_json(path, {**params, "limit": limit, "offset": offset})
            data = _object(data, item)
            rows = _array(data.get("data") or [], item, "a page")
            yield from rows
            offset += len(rows)
            if not rows or offset >= _total(data, item):
                return


def _object(data: Any, item: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadData("Bangumi", item, f"expected an object, got {type(data).__name__}")
    return data


def _array(data: Any, item: str, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise BadData("Bangumi", item, f"{what}: expected a list, got {type(data).__name__}")
    return data


def _total(data: dict[str, Any], item: str) -> int:
    total = data.get("total") or 0
    if type(total) is not int:
        raise BadData("Bangumi", item, f"the page's total {total!r} is not a number")
    return total


def _decode(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise ServiceUnavailable(
            f"Bangumi: {response.request.url.path} answered with a body that is not valid JSON"
        ) from None
    return _object(data, f"the answer of {response.request.url.path}")
