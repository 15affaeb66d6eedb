"""Help a person can use: an example under every command, real metavars, whole URLs and
whole sentences in the command lists, and shell completion offered."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer

from trakt_sync.cli.app import app


def command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):  # a group (Typer vendors its own Click)
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        paths.append(path)

    walk(typer.main.get_command(app), [])
    return paths


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "root")
def test_help_has_an_example_real_metavars_and_whole_urls(cli, path: list[str]) -> None:
    result = cli(*path, "--help")
    assert result.code == 0
    text = result.out
    assert re.search(r"^  Examples?:$", text, re.M), text
    assert not re.search(r"<(str|int|float|path|list\[[a-z]+\])>", text), text
    for url in re.findall(r"https?://\S+", text):
        assert not url.endswith("-"), f"URL broken across lines: {url}"
    if path == [] or path in (["auth"], ["map"], ["config"]):
        commands = text.split("Commands:")[1].split("\n\n")[0]
        assert "..." not in commands, commands


def test_shell_completion_can_be_installed(cli) -> None:
    text = cli("--help").out
    assert "--install-completion" in text and "--show-completion" in text


def test_completion_answers_through_the_entry_point(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the installed bash script asks: complete `trakt-sync sta`."""
    monkeypatch.setenv("_TRAKT_SYNC_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "trakt-sync sta")
    monkeypatch.setenv("COMP_CWORD", "1")
    result = cli()
    assert result.out.split() == ["status"]
