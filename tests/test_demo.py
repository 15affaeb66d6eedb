"""``make demo`` piped into a file: plain text, every step headed, nothing internal.

The demo's commands run in-process here (the same entry point as its subprocesses), so
the walk-through costs seconds, not a dozen interpreter starts."""

from __future__ import annotations

import io
import os
import re
import sys

import pytest

from trakt_sync import demo
from trakt_sync.cli.app import main


def test_the_demo_piped_is_plain_text_with_its_headings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run_in_process(env: dict[str, str], *args: str, stdin: str | None = None) -> int:
        print("$ trakt-sync " + " ".join(args), flush=True)
        with monkeypatch.context() as scoped:
            for name in [n for n in os.environ if n.startswith("TRAKT_SYNC_")]:
                scoped.delenv(name)
            for name, value in env.items():
                scoped.setenv(name, value)
            scoped.setattr(sys, "stdin", io.StringIO(stdin or ""))
            try:
                main(list(args))
            except SystemExit as exc:
                return int(exc.code or 0)
        return 0

    monkeypatch.setattr(demo, "_run", run_in_process)
    assert demo.main() == 0
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "\033[" not in out  # no ANSI codes when piped
    assert "== After: the Bangumi profile" in out
    assert "== After the fix: the Bangumi profile" in out
    assert re.search(r"ぼっち・ざ・ろっく！ +ep 1–12 → 看过", out)
    assert "$ trakt-sync explain" in out and "Season 1: 1 episode(s)" in out
    assert "`make demo-web` runs this demo, then `trakt-sync web` on its world" in out
    assert not re.search(r"matcher \d+\.[0-9a-f]{8}", out)  # no internal version hashes
