from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from trakt_sync.redact import RedactingFilter, SecretRegistry, redact_text

SECRET = "s3cr3t-" + "f" * 40
OTHER = "0123456789abcdef" * 4


@pytest.fixture
def registry() -> SecretRegistry:
    registry = SecretRegistry()
    registry.add(SECRET)
    return registry


@pytest.fixture
def captured(registry: SecretRegistry) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter(registry))
    logger = logging.getLogger("trakt_sync.test_redact")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def test_registry_ignores_empty_and_short_values() -> None:
    registry = SecretRegistry()
    for value in (None, "", "   ", "short", "1234567"):
        registry.add(value)
    assert len(registry) == 0
    assert registry.redact("short 1234567") == "short 1234567"
    registry.register_secret(SecretStr(OTHER))
    assert OTHER in registry
    assert OTHER not in repr(registry)


def test_registered_secret_is_masked_everywhere(registry: SecretRegistry) -> None:
    text = f"x={SECRET}; url=https://api/x?y={SECRET}&z=1 {SECRET}{SECRET}"
    assert SECRET not in registry.redact(text)
    assert registry.redact(f"a {SECRET} b") == "a *** b"


def test_longest_secret_wins() -> None:
    registry = SecretRegistry()
    registry.add("abcdefgh")
    registry.add("abcdefghijklmnop")
    assert registry.redact("abcdefghijklmnop abcdefgh") == "*** ***"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Authorization: Bearer {OTHER}", "Authorization: Bearer ***"),
        (f"authorization: bearer {OTHER}", "authorization: bearer ***"),
        (f"{{'Authorization': 'Bearer {OTHER}'}}", "{'Authorization': 'Bearer ***'}"),
        (f"Authorization: Basic {OTHER}==", "Authorization: Basic ***"),
        (f"sent Bearer {OTHER} to trakt", "sent Bearer *** to trakt"),
        (f"POST /oauth/token access_token={OTHER}&x=1", "POST /oauth/token access_token=***&x=1"),
        (f"refresh_token={OTHER} grant", "refresh_token=*** grant"),
        (f"TraktToken(refresh_token='{OTHER}')", "TraktToken(refresh_token='***')"),
        (f'{{"access_token": "{OTHER}", "a": 1}}', '{"access_token": "***", "a": 1}'),
        (f'{{"refresh_token":"{OTHER}"}}', '{"refresh_token":"***"}'),
        (f"{{'access_token': '{OTHER}'}}", "{'access_token': '***'}"),
        (f'{{"client_secret": "{OTHER}"}}', '{"client_secret": "***"}'),
        (f'{{"access_token": "a\\"{OTHER}"}}', '{"access_token": "***"}'),
    ],
)
def test_credential_patterns_are_masked_without_registration(text: str, expected: str) -> None:
    assert redact_text(text) == expected
    assert SecretRegistry().redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "synced 12 episodes of 3 shows",
        '{"token_type": "bearer", "expires_in": 7776000, "scope": "public"}',
        "next_page=2&limit=250",
        "",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(text, SecretRegistry()) == text


def test_filter_masks_registered_secret_in_msg_and_args(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info("got token %s for %s", SECRET, "alice")
    logger.info(f"inline {SECRET}")
    logger.debug("headers %r", {"Authorization": f"Bearer {OTHER}", "trakt-api-version": "2"})
    logger.warning("Authorization: %s", f"Bearer {OTHER}")  # split between msg and args
    out = stream.getvalue()
    assert SECRET not in out
    assert OTHER not in out
    assert "got token *** for alice" in out
    assert "inline ***" in out
    assert "'Authorization': 'Bearer ***'" in out
    assert "Authorization: Bearer ***" in out
    assert "trakt-api-version" in out


def test_filter_masks_exception_text(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    try:
        raise RuntimeError(f"401 for Authorization: Bearer {OTHER} using {SECRET}")
    except RuntimeError:
        logger.exception("request failed with %s", SECRET)
    out = stream.getvalue()
    assert SECRET not in out
    assert OTHER not in out
    assert "Traceback (most recent call last)" in out
    assert "RuntimeError: 401 for Authorization: Bearer *** using ***" in out
    assert "request failed with ***" in out


def test_filter_masks_already_formatted_exception_text_and_stack(
    registry: SecretRegistry,
) -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)
    record.exc_text = f"Traceback...\nValueError: {SECRET}"
    record.stack_info = f"Stack (most recent call last):\n  token={SECRET}"
    assert RedactingFilter(registry).filter(record)
    assert SECRET not in record.exc_text
    assert SECRET not in record.stack_info
    assert SECRET not in logging.Formatter().format(record)


def test_filter_clears_exc_info_so_no_handler_renders_the_raw_exception(
    registry: SecretRegistry,
) -> None:
    try:
        raise ValueError(SECRET)
    except ValueError as exc:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed", None, (type(exc), exc, exc.__traceback__)
        )
    RedactingFilter(registry).filter(record)
    assert record.exc_info is None
    assert record.exc_text is not None
    assert "ValueError: ***" in record.exc_text
    assert SECRET not in logging.Formatter().format(record)


def test_filter_survives_bad_format_arguments(
    registry: SecretRegistry, captured: tuple[logging.Logger, io.StringIO]
) -> None:
    logger, stream = captured
    logger.info("count %d of %s", "not-a-number", SECRET)
    out = stream.getvalue()
    assert SECRET not in out
    assert "count" in out


def test_redact_text_for_rendered_traceback(registry: SecretRegistry) -> None:
    try:
        raise KeyError(f"refresh_token={OTHER} {SECRET}")
    except KeyError:
        rendered = traceback.format_exc()
    assert SECRET in rendered
    cleaned = redact_text(rendered, registry)
    assert SECRET not in cleaned
    assert OTHER not in cleaned
    assert "KeyError" in cleaned
