"""Issue 26.2: redirects are not followed for the API clients, except same-origin GETs."""

from collections.abc import Iterator

import pytest

from tests.conftest import Sandbox
from tests.test_security import secrets_of
from trakt_sync.fakes.server import FakeServer, Request, Response, json_response


class Elsewhere(FakeServer):
    """A second origin: logs what reaches it and answers as a Trakt token endpoint would."""

    name = "elsewhere"

    def handle(self, request: Request) -> Response:
        return json_response(200, {"access_token": "x" * 64, "refresh_token": "y" * 64})


@pytest.fixture
def elsewhere() -> Iterator[Elsewhere]:
    with Elsewhere() as server:
        yield server


def test_a_307_on_the_refresh_post_sends_nothing_to_the_other_origin(
    logged_in: Sandbox, cli, elsewhere: Elsewhere
) -> None:
    logged_in.trakt.expire_access_tokens()
    logged_in.trakt.inject(
        "POST",
        r"^/oauth/token$",
        status=307,
        headers={"Location": f"{elsewhere.url}/oauth/token?grab=1"},
    )
    result = cli("sync")
    assert elsewhere.requests == []
    assert result.code == 78, result.err
    assert f"POST {logged_in.trakt.url}/oauth/token was redirected (307)" in result.err
    assert f"to {elsewhere.url}/oauth/token;" in result.err
    for secret in secrets_of(logged_in):
        assert secret not in result.err


def test_a_308_on_the_device_token_poll_sends_nothing_elsewhere(
    sandbox: Sandbox, cli, elsewhere: Elsewhere
) -> None:
    sandbox.trakt.inject(
        "POST",
        r"^/oauth/device/token$",
        status=308,
        headers={"Location": f"{elsewhere.url}/oauth/device/token"},
    )
    result = cli("auth")
    assert elsewhere.requests == []
    assert result.code == 78 and "was redirected (308)" in result.err


def test_a_get_redirected_to_another_origin_is_refused(
    logged_in: Sandbox, cli, elsewhere: Elsewhere
) -> None:
    logged_in.trakt.inject(
        "GET", r"^/sync/last_activities", status=302, headers={"Location": elsewhere.url + "/"}
    )
    result = cli("sync")
    assert elsewhere.requests == []
    assert result.code == 78 and "was redirected (302)" in result.err


def test_a_same_origin_get_redirect_is_still_followed(logged_in: Sandbox, cli) -> None:
    # Bangumi answers 302 for a merged subject (contract B.4); the same origin, a GET.
    logged_in.trakt.inject(
        "GET",
        r"^/sync/last_activities$",
        status=302,
        headers={"Location": "/sync/last_activities?again=1"},
    )
    result = cli("sync")
    assert result.code == 0, result.err
    assert logged_in.trakt.count(r"^/sync/last_activities$") == 2


def test_a_307_on_the_revoke_post_sends_neither_token_nor_secret_elsewhere(
    logged_in: Sandbox, cli, elsewhere: Elsewhere
) -> None:
    logged_in.trakt.inject(
        "POST", r"^/oauth/revoke$", status=307, headers={"Location": f"{elsewhere.url}/x"}
    )
    result = cli("auth", "logout", "--trakt")
    assert elsewhere.requests == []
    assert "was redirected (307)" in result.err
