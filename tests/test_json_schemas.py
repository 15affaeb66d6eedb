"""Every ``--json`` document validates against its schema in trakt_sync/data/schemas —
on success and on every error path (config error, lock held, needs auth, unexpected error) —
and stdout always holds exactly one document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from jsonschema import Draft202012Validator

from tests.conftest import Sandbox
from trakt_sync.errors import EXIT_CONFIG, EXIT_FAILED, EXIT_NOPERM, EXIT_TEMPFAIL
from trakt_sync.outcome import RunOutcome
from trakt_sync.paths import state_paths

SCHEMAS = Path(__file__).parent.parent / "trakt_sync" / "data" / "schemas"
BOCCHI = 328609

# command → (schema, arguments)
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "sync": ("sync", ["sync", "--json"]),
    "sync --dry-run": ("sync", ["sync", "--dry-run", "--json"]),
    "status": ("status", ["status", "--json"]),
    "status --check": ("status", ["status", "--check", "--json"]),
    "status --all": ("status", ["status", "--all", "--json"]),
    "auth status": ("auth-status", ["auth", "status", "--json"]),
    "unmatched": ("unmatched", ["unmatched", "--json"]),
    "unmatched --skipped": ("unmatched", ["unmatched", "--skipped", "--json"]),
    "explain": ("explain", ["explain", "spy-x-family", "--json"]),
    "explain --episode": ("explain", ["explain", "spy-x-family", "-s", "1", "-e", "2", "--json"]),
    "map list": ("map-list", ["map", "list", "--json"]),
    "config show": ("config-show", ["config", "show", "--json"]),
    "config show --origin": ("config-show", ["config", "show", "--origin", "--json"]),
    "config check": ("config-check", ["config", "check", "--json"]),
    "log": ("log", ["log", "--json"]),
    "doctor": ("doctor", ["doctor", "--json"]),
    "search": ("search", ["search", "SPY×FAMILY", "--json"]),
}


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


def one_document(out: str) -> Any:
    """The whole of stdout is one JSON document (json.loads refuses two)."""
    return json.loads(out)


def assert_valid(name: str, document: Any) -> None:
    errors = sorted(Draft202012Validator(schema(name)).iter_errors(document), key=str)
    assert not errors, f"{name}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]
    )


def run_json(cli, name: str, *front: str) -> tuple[int, Any]:
    schema_name, args = COMMANDS[name]
    result = cli(*front, *args)
    document = one_document(result.out)
    assert_valid(schema_name, document)
    return result.code, document


def test_every_schema_is_a_valid_draft_2020_12_schema() -> None:
    names = sorted(p.name for p in SCHEMAS.glob("*.schema.json"))
    web_only = {"runs.schema.json", "web-sync.schema.json"}  # tests/test_web.py uses them
    assert names == sorted({f"{n}.schema.json" for n, _ in COMMANDS.values()} | web_only)
    for path in SCHEMAS.glob("*.schema.json"):
        Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_the_outcome_enums_are_run_outcome() -> None:
    every = {outcome.value for outcome in RunOutcome}
    # A sync answers once finished: never "running".
    assert set(schema("sync")["properties"]["outcome"]["enum"]) == every - {"running"}
    status = schema("status")["$defs"]["result"]["oneOf"][0]
    assert set(status["properties"]["last_run"]["properties"]["outcome"]["enum"]) == every


def test_each_document_validates_after_a_sync(logged_in: Sandbox, cli) -> None:
    # One sync for all of them: each command then reads a state with every part filled in.
    assert cli("map", "add", "--offline", "trakt:1", "S1", str(BOCCHI)).code == 0
    assert cli("sync").code == 0
    for name in COMMANDS:
        code, document = run_json(cli, name)
        assert code == 0, (name, document)


def test_the_schemas_reject_what_they_should(logged_in: Sandbox, cli) -> None:
    """The check can fail: a wrong type or a missing field is caught."""
    code, document = run_json(cli, "sync --dry-run")
    document["plan"][0]["collection"]["after"] = "done"
    with pytest.raises(AssertionError):
        assert_valid("sync", document)
    del document["outcome"]
    with pytest.raises(AssertionError):
        assert_valid("sync", document)
    code, status = run_json(cli, "status")
    status.pop("next_run")
    with pytest.raises(AssertionError):
        assert_valid("status", status)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_config_error_still_gives_the_commands_document(
    sandbox: Sandbox, cli, tmp_path: Path, name: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[sync]\nnot_a_key = 1\n")
    code, document = run_json(cli, name, "--config", str(bad))
    assert code == EXIT_CONFIG
    assert "not_a_key" in json.dumps(document, ensure_ascii=False)


def test_sync_with_the_lock_held_keeps_the_sync_shape(logged_in: Sandbox, cli) -> None:
    with FileLock(str(state_paths().lock("default"))):
        code, document = run_json(cli, "sync")
    assert code == EXIT_TEMPFAIL
    assert document["outcome"] == "tempfail" and document["exit_code"] == EXIT_TEMPFAIL
    assert "another sync" in document["message"] and document["plan"] == []
    assert document["fetched"] == 0


@pytest.mark.parametrize("name", ["sync", "explain", "status", "auth status"])
def test_without_a_login_the_document_keeps_its_shape(sandbox: Sandbox, cli, name: str) -> None:
    code, document = run_json(cli, name)
    if name == "sync":
        assert code == EXIT_NOPERM and document["outcome"] == "needs_auth"


@pytest.mark.parametrize("name", ["sync", "status", "unmatched", "map list", "config check"])
def test_an_unexpected_error_still_gives_one_document(
    sandbox: Sandbox, cli, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("trakt_sync.config.load_settings", broken)
    monkeypatch.setattr("trakt_sync.config.load_profiles", broken)
    code, document = run_json(cli, name)
    assert code == EXIT_FAILED
    assert "RuntimeError: boom" in json.dumps(document)
