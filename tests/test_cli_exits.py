"""Usage errors keep the --json promise; --since is checked; a closed stdout ends quietly
(issue 20.15, 20.16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import Sandbox
from tests.test_json_schemas import schema


def _valid(name: str, document: object) -> None:
    errors = list(Draft202012Validator(schema(name)).iter_errors(document))
    assert not errors, [e.message for e in errors[:3]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sync", "--json", "--since", "notadate"], "not a date like 2024-01-31"),
        (["sync", "--json", "--bogus"], "No such option: --bogus"),
        (["sync", "--json", "--full", "--since", "2024-01-01"], "give one"),
        (["sync", "--json", "--since", "2999-01-01"], "is in the future"),
    ],
)
def test_sync_usage_errors_still_give_the_sync_document(
    sandbox: Sandbox, cli, args: list[str], message: str
) -> None:
    result = cli(*args)
    assert result.code == 2
    document = json.loads(result.out)
    _valid("sync", document)
    assert document["exit_code"] == 2 and message in document["message"]
    assert document["fetched"] == 0 and document["plan"] == []
    assert message in result.err  # the person at the terminal still reads it


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["status", "--json", "--bogus"], "status"),
        (["unmatched", "--json", "extra"], "unmatched"),
        (["map", "list", "--json", "--nope"], "map-list"),
        (["explain", "no-such-show", "--json"], "explain"),
        (["explain", "spy-x-family", "--json", "--episode", "3"], "explain"),
    ],
)
def test_other_usage_errors_give_the_error_document(
    sandbox: Sandbox, cli, args: list[str], name: str
) -> None:
    result = cli(*args)
    assert result.code == 2
    document = json.loads(result.out)
    _valid(name, document)
    assert document["error"]["type"] == "usage" and document["error"]["exit_code"] == 2


def test_config_check_usage_error_keeps_its_shape(cli) -> None:
    result = cli("config", "check", "--json", "--bogus")
    assert result.code == 2
    document = json.loads(result.out)
    _valid("config-check", document)
    assert document["valid"] is False and "--bogus" in document["error"]


def test_without_json_a_usage_error_prints_no_document(sandbox: Sandbox, cli) -> None:
    result = cli("sync", "--since", "notadate")
    assert result.code == 2 and result.out == ""


def test_a_closed_stdout_ends_quietly_with_141(logged_in: Sandbox) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "trakt_sync", "status"],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `status | head -0`: the reader is gone before anything is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""
