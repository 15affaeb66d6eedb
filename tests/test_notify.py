"""Webhook notifications: sent on failure, rate-limited, never carrying a secret."""

import json

import pytest

from tests.conftest import Sandbox
from trakt_sync.fakes.webhook import FakeWebhook


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch):
    with FakeWebhook() as hook:
        monkeypatch.setenv("TRAKT_SYNC_NOTIFY__WEBHOOK_URL", hook.url)
        yield hook


def test_a_rejected_token_notifies_once_and_without_secrets(
    logged_in: Sandbox,
    webhook: FakeWebhook,
    cli,
) -> None:
    tokens = json.loads((logged_in.home / "tokens.json").read_text())["profiles"]["default"]
    logged_in.trakt.expire_access_tokens()
    logged_in.trakt.revoke_refresh_tokens()
    assert cli("sync").code == 77
    assert cli("sync").code == 77  # within the hour: no second notification
    [payload] = webhook.payloads
    assert payload["event"] == "needs_auth" and payload["profile"] == "default"
    assert "trakt-sync auth" in payload["message"]
    raw = json.dumps(payload)
    for secret in (
        tokens["trakt"]["access_token"],
        tokens["trakt"]["refresh_token"],
        tokens["bangumi"]["access_token"],
        logged_in.trakt.client_secret,
    ):
        assert secret not in raw


def test_a_successful_run_sends_nothing(logged_in: Sandbox, webhook: FakeWebhook, cli) -> None:
    assert cli("sync").code == 0
    assert webhook.payloads == []


def test_a_failing_service_notifies_run_failed(
    logged_in: Sandbox, webhook: FakeWebhook, cli
) -> None:
    logged_in.trakt.inject("GET", "^/sync/last_activities$", status=503, times=50)
    assert cli("sync").code == 75
    assert [p["event"] for p in webhook.payloads] == ["run_failed"]
