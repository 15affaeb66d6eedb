"""Shared HTTP plumbing: pacing, bounded retries, error mapping (unit level, MockTransport)."""

import gc
import weakref
from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import Clock
from trakt_sync.bangumi import BangumiClient
from trakt_sync.errors import RateLimited, ServiceUnavailable
from trakt_sync.httpclient import Pacer, RequestCounter, RetryBudget
from trakt_sync.trakt import TraktClient


def test_pacer_never_allows_more_than_the_limit_in_any_window() -> None:
    clock = Clock()
    pacer = Pacer(3, 10.0, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(7):
        pacer.wait()
        sent.append(clock.now)
        clock.now += 1
    for i in range(len(sent) - 3):
        assert sent[i + 3] - sent[i] >= 10.0
    assert clock.slept  # it had to wait


def client(cls, handler, budget=None, sleeps=None):
    if cls is TraktClient:
        kwargs = {"session": None, "client_id": "test-client"}
    else:
        kwargs = {"token": None}
    return cls(
        "http://api.test",
        user_agent="test/1",
        timeout=5,
        counter=RequestCounter(),
        budget=budget or RetryBudget(total=100, backoff_base=0.5),
        transport=httpx.MockTransport(handler),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        **kwargs,
    )


def test_a_read_response_is_freed_at_once_not_by_the_cyclic_gc() -> None:
    api = client(BangumiClient, lambda request: httpx.Response(200, json=list(range(1000))))
    data, response = api.get_json("/v0/episodes")
    assert data == list(range(1000)) and response.json() == data  # the body stays readable
    gone = weakref.ref(response)
    gc.disable()
    try:
        del response  # a history page's body would otherwise stay until a collection
        assert gone() is None
    finally:
        gc.enable()


def test_each_client_sends_its_own_api_headers() -> None:
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={})

    client(TraktClient, handler).get_json("/users/settings")
    trakt = seen.pop()
    assert trakt["trakt-api-key"] == "test-client" and trakt["trakt-api-version"] == "2"
    assert trakt["user-agent"] == "test/1"
    client(BangumiClient, handler).get_json("/v0/me")
    bangumi = seen.pop()
    assert bangumi["user-agent"] == "test/1" and "authorization" not in bangumi
    assert "trakt-api-key" not in bangumi


def test_trakt_429_is_retried_after_retry_after_seconds() -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=[])]
    )
    sleeps: list[float] = []
    api = client(TraktClient, lambda request: next(answers), sleeps=sleeps)
    data, _ = api.get_json("/shows/1/aliases")
    assert data == [] and sleeps == [7.0]
    assert api.counter.get("trakt") == 2


def test_cloudflare_html_5xx_is_retried_with_backoff_then_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(520, html="<html>Cloudflare</html>"),
            httpx.Response(503, html="<html>busy</html>"),
            httpx.Response(200, json={"ok": 1}),
        ]
    )
    sleeps: list[float] = []
    api = client(BangumiClient, lambda request: next(answers), sleeps=sleeps)
    assert api.get_subject(1) == {"ok": 1}
    assert sleeps == [0.5, 1.0]


def test_retry_waits_are_bounded_by_the_run_budget() -> None:
    budget = RetryBudget(total=2.0, backoff_base=1.0)
    api = client(BangumiClient, lambda request: httpx.Response(502, text="bad gateway"), budget)
    with pytest.raises(ServiceUnavailable, match="retry_budget"):
        api.get_subject(1)
    assert budget.spent <= 2.0


def test_bangumi_429_stops_at_once_without_retrying() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            429,
            json={
                "title": "Too Many Request",
                "description": "too many request, you have be rate limited",
            },
        )

    api = client(BangumiClient, handler)
    with pytest.raises(RateLimited, match="ban"):
        api.get_subject(1)
    assert len(calls) == 1


def test_truncated_json_is_retried_like_a_server_fault() -> None:
    answers = iter(
        [
            httpx.Response(
                200, content=b'{"id": 1, "na', headers={"Content-Type": "application/json"}
            ),
            httpx.Response(200, json={"id": 1}),
        ]
    )
    api = client(BangumiClient, lambda request: next(answers))
    assert api.get_subject(1) == {"id": 1}


def test_transport_errors_are_retried() -> None:
    answers: Iterator[Exception | httpx.Response] = iter(
        [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(200, json={})]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert client(BangumiClient, handler).get_subject(1) == {}
