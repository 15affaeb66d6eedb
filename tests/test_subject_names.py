"""Issue 20, polish 21: one subject, one name. Every command names a Bangumi subject as
Bangumi does (``name``; ``name_cn`` to a person reading Chinese) — the sync summary,
``explain``, ``status``, ``unmatched``, ``search`` and ``map add`` — although the matcher
found it by bangumi-data's title (``SPY×FAMILY(第2クール)``), and learning the name costs
the sync at most a page of the collection list, never a read per subject."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from tests.conftest import Sandbox
from trakt_sync import i18n
from trakt_sync.bangumi import BangumiClient
from trakt_sync.errors import BadData, ServiceUnavailable
from trakt_sync.fakes.world import World, load_world

SPY_SHOW, SPY_2 = 185614, 373267
BANGUMI_DATA_TITLE = "SPY×FAMILY(第2クール)"
NAME = "SPY×FAMILY 第2クール"
# Bangumi's Chinese name here differs from bangumi-data's zh-Hans title (间谍过家家 第二部分).
NAME_CN = "间谍过家家 第2部分"


@pytest.fixture
def demo_world() -> World:
    """The demo world with S1E15 moved by Trakt far from its Bangumi air date: the play is
    left unmatched, and its reason and candidate name subject 373267."""
    world = load_world("demo")
    show = next(s for s in world["trakt"]["shows"] if s["ids"]["trakt"] == SPY_SHOW)
    show["seasons"][0]["episodes"][14]["first_aired"] = "2022-12-25T14:00:00.000Z"
    subject = next(s for s in world["bangumi"]["subjects"] if s["id"] == SPY_2)
    subject["name_cn"] = NAME_CN
    return world


def _every_command(sandbox: Sandbox, cli) -> dict[str, str]:
    """What each command printed (stdout and stderr), the sync first, and the web pages."""
    printed = {}
    for name, args in {
        "sync": ["sync"],
        "explain": ["explain", "spy-x-family", "--season", "1", "--episode", "15"],
        "explain --brief": ["explain", "spy-x-family", "--brief"],
        "explain --json": ["explain", "spy-x-family", "--season", "1", "--json"],
        "status": ["status"],
        "status --json": ["status", "--json"],
        "unmatched": ["unmatched"],
        "unmatched --json": ["unmatched", "--json"],
        "search": ["search", "SPY×FAMILY"],
        "web": [],
        "map add": ["map", "add", f"trakt:{SPY_SHOW}", "S1E15", str(SPY_2), "--start-ep", "3"],
    }.items():
        if not args:  # the web pages, while the play is still unmatched
            printed.update(_web_pages(sandbox))
            continue
        result = cli(*args)
        assert result.code == 0, (name, result.err)
        printed[name] = result.out + result.err
    return printed


def _names_subject(text: str, name: str) -> bool:
    """The reason names subject 373267 ``name (373267)``, or ``name（373267）`` where the
    sentence was put into Chinese."""
    return re.search(rf"{re.escape(name)} ?[(（]{SPY_2}[)）]", text) is not None


def _web_pages(sandbox: Sandbox) -> dict[str, str]:
    import warnings

    from trakt_sync.web.options import WebOptions
    from trakt_sync.web.server import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    options = WebOptions(config_path=sandbox.home / "config.toml", config_must_exist=False)
    with TestClient(create_app(options), base_url="http://127.0.0.1:8765") as client:
        return {page: client.get(page).text for page in ("/runs", "/unmatched")}


def _bangumi_requests_of_the_sync(sandbox: Sandbox, cli) -> list[str]:
    result = cli("sync")
    assert result.code == 0, result.err
    return [f"{r.method} {r.path}" for r in sandbox.bangumi.requests]


def test_every_command_names_the_subject_as_bangumi_does(logged_in: Sandbox, cli) -> None:
    printed = _every_command(logged_in, cli)
    assert f"  {NAME}  +2 (ep 13, 14)" in printed["sync"]
    for name, out in printed.items():
        assert NAME in out, (name, out)
        assert BANGUMI_DATA_TITLE not in out, (name, out)
    # the reason, its evidence and the candidate name it the same way
    for name in ("explain", "status", "unmatched", "unmatched --json"):
        assert f"of {NAME} ({SPY_2})" in printed[name], (name, printed[name])
    assert f"{SPY_2} {NAME}" in printed["explain"]  # path, bangumi-data key and segment
    assert f"    candidate {SPY_2} {NAME} (score 0.2): air date disagrees" in printed["unmatched"]


def test_every_command_names_the_subject_as_bangumi_does_in_chinese(
    logged_in: Sandbox, cli, chinese: None
) -> None:
    printed = _every_command(logged_in, cli)
    assert f"  {NAME_CN}  " in printed["sync"]
    for name, out in printed.items():
        assert BANGUMI_DATA_TITLE not in out, (name, out)
        assert "间谍过家家 第二部分" not in out, (name, out)  # bangumi-data's zh-Hans title
        if "--json" in name:  # a --json document never changes with the language
            assert f"{NAME} ({SPY_2})" in out and NAME_CN not in out, (name, out)
        else:
            assert NAME_CN in out, (name, out)
    for name in ("explain", "status", "unmatched", "/unmatched"):
        assert _names_subject(printed[name], NAME_CN), (name, printed[name])
    # the Japanese name is Bangumi's other name: search and the picker show both
    assert NAME in printed["search"]


def test_learning_the_names_costs_one_page_of_the_collection_list(logged_in: Sandbox, cli) -> None:
    requests = _bangumi_requests_of_the_sync(logged_in, cli)
    listing = "GET /v0/users/demo/collections"
    # one page before the writes (nothing collected yet), one after (three new subjects)
    assert requests.count(listing) == 2, requests
    # the matcher reads the film's subject to vet it; no other subject is read for its name
    assert [r for r in requests if r.startswith("GET /v0/subjects/")] == [
        "GET /v0/subjects/160209"
    ], requests
    assert len(requests) == 14, requests


def test_a_dry_run_reads_each_name_it_lacks_once(logged_in: Sandbox, cli) -> None:
    """A preview names the subjects as the run will: the one never collected nor read
    (373267) is read, once."""
    result = cli("sync", "--dry-run")
    assert result.code == 0, result.err
    assert "  SPY×FAMILY 第2クール  " in result.out and BANGUMI_DATA_TITLE not in result.out
    requests = [f"{r.method} {r.path}" for r in logged_in.bangumi.requests]
    assert requests.count("GET /v0/users/demo/collections") == 1, requests
    assert [r for r in requests if r.startswith("GET /v0/subjects/")] == [
        "GET /v0/subjects/160209",  # the matcher vets the film
        "GET /v0/subjects/373267",  # its name
    ], requests
    assert "  SPY×FAMILY 第2クール  " in cli("sync").out  # the run says what its preview said


@pytest.mark.parametrize(
    "failure",
    [
        ServiceUnavailable("Bangumi answered 503 (Service Unavailable); try again later"),
        BadData("Bangumi", "the collection list of demo", "its entries are str, not a list"),
    ],
)
def test_a_failed_name_read_fails_no_sync_and_leaves_bangumi_datas_title(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    """The listing before the writes answers; the one after them (for the names) fails."""
    listing = BangumiClient.collections_page
    calls = []

    def failing_after_the_writes(self: BangumiClient, *args: Any, **kw: Any) -> Any:
        calls.append(args)
        if len(calls) > 1:
            raise failure
        return listing(self, *args, **kw)

    monkeypatch.setattr(BangumiClient, "collections_page", failing_after_the_writes)
    result = cli("sync")
    assert result.code == 0, result.err
    assert len(calls) == 2
    assert f"  {BANGUMI_DATA_TITLE}  +2" in result.out
    assert "marked 15" in result.err


def test_explain_reads_a_subject_it_has_no_name_for_once(logged_in: Sandbox, cli) -> None:
    args = ["explain", "spy-x-family", "--season", "1", "--episode", "13"]
    assert NAME in cli(*args).out
    assert logged_in.bangumi.count(rf"^/v0/subjects/{SPY_2}$") == 1
    logged_in.bangumi.reset_log()
    assert NAME in cli(*args).out
    assert logged_in.bangumi.count(rf"^/v0/subjects/{SPY_2}$") == 0  # cached


def test_explain_names_by_bangumi_datas_title_when_bangumi_cannot_say(
    logged_in: Sandbox, cli
) -> None:
    # Bangumi answers the episodes but not the subjects; after the first failed read
    # (retried until the budget ends) no other subject is asked for.
    logged_in.bangumi.inject("GET", r"^/v0/subjects/\d+$", status=503, times=1000)
    result = cli("explain", "spy-x-family", "--season", "1", "--episode", "13")
    assert result.code == 0, result.err
    assert NAME not in result.out
    assert f"path: E13–E25 → {SPY_2} {BANGUMI_DATA_TITLE} (bangumi-data key)" in result.out
    assert f"of {BANGUMI_DATA_TITLE} ({SPY_2})" in result.out
    asked = {r.path for r in logged_in.bangumi.requests if r.path.startswith("/v0/subjects/")}
    assert len(asked) == 1, asked


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_picker_names_the_subject_as_search_does(
    logged_in: Sandbox, cli, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    assert cli("sync").code == 0
    before = i18n.language()
    monkeypatch.delenv("LANGUAGE", raising=False)  # use() sets it; undone after the test
    try:
        i18n.use(i18n.CHINESE if language == "zh" else before)
        search = cli("search", "SPY×FAMILY").out
        monkeypatch.setattr("sys.stdin", _Terminal("q\n"))
        picker = cli("unmatched", "--fix")
    finally:
        i18n.use(before)
    assert picker.code == 0, picker.err
    first, second = (NAME_CN, NAME) if language == "zh" else (NAME, NAME_CN)
    assert f"{SPY_2}  {first} / {second}" in search
    bracket = "（" if language == "zh" else "  ("  # full-width in Chinese
    assert f"{SPY_2}  {first} / {second}{bracket}" in picker.out
    assert _names_subject(picker.out, first)  # the reason, as `unmatched` prints it
    assert BANGUMI_DATA_TITLE not in picker.out
