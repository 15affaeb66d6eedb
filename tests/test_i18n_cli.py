"""The main commands in the sandbox, run as a user runs them (subprocesses), under
``LANG=zh_CN.UTF-8`` and under ``LANG=C``: Chinese words in the first, today's English in
the second, and the same ``--json`` documents and exit codes in both."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.sandbox import sandbox_env
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import BANGUMI_DATA_SAMPLE, demo_scenario

HAN = re.compile(r"[\u4e00-\u9fff]")
# Words of the catalog that no English output holds (Bangumi's 想看/在看/看过 and the
# subjects' Japanese names do, in every language).
CHINESE_WORDS = re.compile("播放记录|已同步|未匹配|登录|收藏|配置|：")
# A half-width bracket, colon, comma or semicolon next to a Chinese word.
HALF_WIDTH_BY_HAN = re.compile(r"[\u4e00-\u9fff][(),;:]|[(,;:] ?[\u4e00-\u9fff]")
# Fields that differ between any two runs (times, durations), whatever the language.
VOLATILE = {
    "duration_s",
    "started_at",
    "finished_at",
    "next_run",
    "next_fires",
    "expires_at",
    "fetched_at",
    "last_checked",
    "synced_at",
    "updated_at",
}


def _run_all(lang: str, home: Path) -> dict[str, tuple[int, str, str]]:
    """Every command of the walk-through: name → (exit code, stdout, stderr)."""
    world = demo_scenario()
    token = world["bangumi"]["users"][0]["token"]
    results: dict[str, tuple[int, str, str]] = {}
    with (
        FakeTrakt(world, device_interval=0) as trakt,
        FakeBangumi(world) as bangumi,
        FakeDataCDN(BANGUMI_DATA_SAMPLE) as cdn,
    ):
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TRAKT_SYNC_", "LC_", "LANG"))
        }
        env.update(
            LANG=lang,
            TRAKT_SYNC_HOME=str(home),
            TRAKT_SYNC_SECRETS__BACKEND="file",
            **sandbox_env(trakt, bangumi, cdn),
        )

        def run(name: str, *args: str, stdin: str | None = None, **more: str) -> None:
            done = subprocess.run(
                [sys.executable, "-m", "trakt_sync", *args],
                env={**env, **more},
                input=stdin,
                capture_output=True,
                text=True,
                check=False,
            )
            results[name] = (done.returncode, done.stdout, done.stderr)

        run("auth", "auth")
        run("auth bangumi", "auth", "bangumi", "--with-token", stdin=token + "\n")
        run("dry run json", "sync", "--dry-run", "--json")
        run("dry run", "sync", "--dry-run")
        run("sync", "sync")
        for command in ("status", "unmatched"):
            run(command, command)
            run(f"{command} json", command, "--json")
        run("doctor", "doctor")
        run("log", "log")
        run("doctor json", "doctor", "--json")
        run("config check", "config", "check")
        run("config check json", "config", "check", "--json")
        # A problem (no Trakt client id) and a warning (a sixth cron field read as seconds).
        problem = {"TRAKT_SYNC_TRAKT__CLIENT_ID": "", "TRAKT_SYNC_SYNC__SCHEDULE": "0 6 * * * *"}
        run("config problem", "config", "check", **problem)
        run("config problem json", "config", "check", "--json", **problem)
        run("explain", "explain", "mystery-anime", "--season", "1", "--episode", "1")
        run("explain json", "explain", "mystery-anime", "--season", "1", "--json")
        missing = str(home / "no-such-export.zip")
        run("error", "sync", "--from-export", missing)
        run("error json", "sync", "--from-export", missing, "--json")
        # Trakt unreachable (nothing listens on port 9): exit 75, the network error translated.
        down = {
            "TRAKT_SYNC_TRAKT__API_URL": "http://127.0.0.1:9",
            "TRAKT_SYNC_HTTP__RETRY_BUDGET": "1",
            "TRAKT_SYNC_HTTP__BACKOFF_BASE": "0.01",
        }
        run("network error", "sync", **down)
        run("network error json", "sync", "--json", **down)
        # Typer's own words: the help page and a usage error (exit 2).
        run("help", "--help")
        run("usage error", "log", "--limit", "many")
        run("usage error json", "log", "--limit", "many", "--json")
        run("config error", "--config", str(home / "nowhere.toml"), "status")
        run("config error json", "--config", str(home / "nowhere.toml"), "status", "--json")
    return results


def _stable(value: Any, home: Path) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v, home) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v, home) for v in value]
    if isinstance(value, str):
        value = value.replace(str(home), "<home>")
        value = re.sub(r"answered in \d+ ms", "answered", value)
        return re.sub(r"127\.0\.0\.1:\d+", "<host>", value)
    return value


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # The same home path for both languages' runs (one after the other): paths in the
    # documents then compare equal.
    runs: dict[str, Any] = {}
    for lang in ("zh_CN.UTF-8", "C"):
        home = tmp_path_factory.mktemp("lang") / "home"
        home.mkdir()
        runs[lang] = (_run_all(lang, home), home)
    return runs


def test_chinese_words_in_chinese_and_english_under_c(both: dict[str, Any]) -> None:
    zh, _home = both["zh_CN.UTF-8"]
    en, _home = both["C"]
    assert "已以 demo-user 登录 Trakt" in zh["auth"][1]
    assert "将在 Bangumi 上更改：" in zh["dry run"][1]
    assert "收藏：想看 → 看过" in zh["dry run"][1]
    assert "已同步：获取 20 条（新 20 条）" in zh["sync"][2]
    assert "1 条播放记录未匹配：见 `trakt-sync unmatched`" in zh["sync"][2]
    assert "上次运行：" in zh["status"][1] and "播放记录：16 条已同步" in zh["status"][1]
    assert "第 1 季" in zh["unmatched"][1]
    # A stored (English) match reason, its phrases translated where shown.
    assert (
        "第 1 季确认的 Bangumi 条目" in zh["unmatched"][1]
        and "；添加一条：\n      trakt-sync map add" in zh["status"][1]
    )
    assert "no Bangumi subject confirmed for" in en["unmatched"][1]
    assert "有效（profile：default）" in zh["config check"][1]
    assert re.search(r"\d+年\d+月\d+日 周", zh["config check"][1]), zh["config check"][1]
    assert "没有这样的文件或文件夹" in zh["error"][2]
    assert "正常  Trakt 令牌    有效，已登录为 demo-user" in zh["doctor"][1]
    assert "ok    Trakt token      accepted, logged in as demo-user" in en["doctor"][1]
    assert "Trakt: 127.0.0.1 拒绝连接（已尝试" in zh["network error"][2]
    assert "connection refused by 127.0.0.1" in en["network error"][2]
    assert "nowhere.toml：不存在（`trakt-sync --config" in zh["config error"][2]
    # config check's problem and warning (English in --json), explain's path line.
    assert "  问题：trakt.client_id：未设置" in zh["config problem"][1], zh["config problem"][1]
    assert "会在一整分钟内每秒触发" in zh["config problem"][1]
    assert "有效，但有 1 个问题会让 `auth` 或 `sync` 无法运行" in zh["config problem"][2]
    assert "trakt.client_id: not set, and this build" in en["config problem"][1]
    assert "fires every second for a whole minute" in en["config problem"][1]
    assert "valid, but 1 problem(s) would stop `auth` or `sync`" in en["config problem"][2]
    assert "路径：没有确认：没有候选" in zh["explain"][1], zh["explain"][1]
    assert "path: nothing confirmed: no candidate" in en["explain"][1]
    # Chinese subject names in Chinese (name_cn), the originals in English.
    assert "孤独摇滚！" in zh["dry run"][1] and "ぼっち・ざ・ろっく！" in en["dry run"][1]

    # Full-width punctuation where the words around it are Chinese; times, ids, commands
    # and titles keep theirs.
    assert "间谍过家家 第二部分  +3（第 13–15 集）在看" in zh["dry run"][1]
    assert re.search(r"上次运行：\d\d:\d\d \S+（刚刚），成功", zh["status"][1]), zh["status"][1]
    assert "  Trakt：  已登录为 demo-user\n  Bangumi：已登录为 demo" in zh["status"][1]
    assert "Mystery Anime Nobody Indexed S01E01：没有为" in zh["status"][1]
    assert "Mystery Anime Nobody Indexed 第 1 季 E1：没有为" in zh["unmatched"][1]
    assert re.search(
        r"#3 \d\d:\d\d \S+（刚刚）成功，耗时 \d+\.\d 秒：获取 20 条，标记 16 条，1 条未匹配，"
        r"3 条已跳过；请求：Trakt \d+ 次，Bangumi \d+ 次",
        zh["log"][1],
    ), zh["log"][1]
    assert (
        "Mystery Anime Nobody Indexed（2024）：trakt:777001，slug mystery-anime，"
        "TMDB tv/990001；类型 anime、animation" in zh["explain"][1]
    )
    assert "    S1E1：未匹配 —— 没有为" in zh["explain"][1]
    for name in ("dry run", "sync", "status", "unmatched", "log", "explain", "doctor"):
        text = zh[name][1] + zh[name][2]
        assert not HALF_WIDTH_BY_HAN.search(text), f"{name}: {HALF_WIDTH_BY_HAN.search(text)}"
    assert "  +3 (ep 13–15) 在看" in en["dry run"][1]
    assert re.search(r"last run: \d\d:\d\d \S+ \(just now\) — ok", en["status"][1])
    assert "  Trakt:    logged in as demo-user\n  Bangumi:  logged in as demo" in en["status"][1]
    assert re.search(
        r"#3 \d\d:\d\d \S+ \(just now\) ok in \d+\.\d s: fetched 20, marked 16, unmatched 1, "
        r"skipped 3; requests: Trakt \d+, Bangumi \d+",
        en["log"][1],
    ), en["log"][1]
    assert (
        "Mystery Anime Nobody Indexed (2024) — trakt:777001, slug mystery-anime, "
        "TMDB tv/990001; genres anime, animation" in en["explain"][1]
    )
    assert "    S1E1: unmatched — no Bangumi subject" in en["explain"][1]

    assert "Logged in to Trakt as demo-user" in en["auth"][1]
    assert "Would change on Bangumi:" in en["dry run"][1]
    assert "synced: fetched 20 (20 new), marked 16" in en["sync"][2]
    assert "  plays:    16 synced, 1 unmatched, 3 skipped" in en["status"][1]
    assert "valid (profiles: default)" in en["config check"][1]
    assert "no such file or folder" in en["error"][2]
    assert "nowhere.toml: does not exist (`trakt-sync --config" in en["config error"][2]
    for name, (_code, out, err) in en.items():
        assert not CHINESE_WORDS.search(out + err), f"{name}: {out + err}"
    for name in ("auth", "dry run", "sync", "status", "config check", "error"):
        assert HAN.search(zh[name][1] + zh[name][2]), name


def test_json_documents_and_exit_codes_do_not_change_with_the_language(
    both: dict[str, Any],
) -> None:
    zh, zh_home = both["zh_CN.UTF-8"]
    en, en_home = both["C"]
    assert zh.keys() == en.keys()
    for name in zh:
        assert zh[name][0] == en[name][0], f"{name}: exit codes differ"
        if name.endswith("json"):
            assert _stable(json.loads(zh[name][1]), zh_home) == _stable(
                json.loads(en[name][1]), en_home
            ), name
    assert en["error"][0] == 65 and en["config error"][0] == 78
    assert en["config problem"][0] == 78 and en["explain"][0] == 0
    assert en["network error"][0] == 75


def _english_words(text: str) -> set[str]:
    """Latin words left once commands, option names, metavars and variables are gone."""
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"(?<![\w$])--?[a-z][\w-]*", "", text)
    text = re.sub(r"\$?\b[A-Z][A-Z_]+\b(\.\.\.)?", "", text)
    return set(re.findall(r"[A-Za-z][A-Za-z.]+", text))


# What the root help page may keep in Latin letters: names, commands, the example's profile.
HELP_NAMES = {"Bangumi", "Trakt", "bgm.tv", "trakt", "config.toml", "profile", "default", "id"}
HELP_NAMES |= {"shell", "partner", "auth", "check", "config", "daemon", "doctor", "explain"}
HELP_NAMES |= {"export", "import", "log", "map", "search", "status", "sync", "unmatched", "web"}


def test_help_page_and_usage_errors_in_the_language_spoken(both: dict[str, Any]) -> None:
    zh, _home = both["zh_CN.UTF-8"]
    en, _home = both["C"]
    page = zh["help"][1]
    assert page.startswith("用法：trakt-sync [OPTIONS] COMMAND [ARGS]...")
    assert "\n选项：\n" in page and "\n命令：\n" in page
    assert "显示此帮助并退出。" in page and "[环境变量：TRAKT_SYNC_PROFILE；" in page
    assert _english_words(page) <= HELP_NAMES, _english_words(page) - HELP_NAMES
    assert zh["usage error"][2] == (
        "用法：trakt-sync log [OPTIONS]\n"
        "运行 'trakt-sync log --help' 查看帮助。\n\n"
        "错误：'--limit' / '-n' 的值无效：应为整数\n"
    )
    # English under C, as Typer words it; the --json document English in both.
    assert en["help"][1].startswith("Usage: trakt-sync [OPTIONS] COMMAND [ARGS]...")
    assert "\nOptions:\n" in en["help"][1] and "Show this message and exit." in en["help"][1]
    assert en["usage error"][2].endswith(
        "Try 'trakt-sync log --help' for help.\n\n"
        "Error: Invalid value for '--limit' / '-n': Input should be a valid integer, unable to "
        "parse string as an integer\n"
    )
    assert "Input should be a valid integer" in zh["usage error json"][1]
    assert zh["usage error"][0] == en["usage error"][0] == 2


def test_the_web_page_speaks_the_chosen_language(
    logged_in, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warnings

    from trakt_sync import i18n
    from trakt_sync.web.options import WebOptions
    from trakt_sync.web.server import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    assert cli("sync").code == 0
    options = WebOptions(config_path=logged_in.home / "config.toml", config_must_exist=False)
    before = i18n.language()
    monkeypatch.delenv("LANGUAGE", raising=False)  # use() sets it; undone after the test
    try:
        i18n.use(i18n.CHINESE)
        with TestClient(create_app(options), base_url="http://127.0.0.1:8765") as client:
            page = client.get("/").text
            unmatched = client.get("/unmatched").text
    finally:
        i18n.use(before)
    assert '<html lang="zh-Hans">' in page
    assert "<h1>概览</h1>" in page and "已同步" in page and "播放记录" in page
    assert "<h1>未匹配的播放记录</h1>" in unmatched and ">已跳过</a>" in unmatched
    with TestClient(create_app(options), base_url="http://127.0.0.1:8765") as client:
        english = client.get("/").text
    assert '<html lang="en">' in english and "<h1>Overview</h1>" in english


def test_explain_candidates_in_chinese_and_english(monkeypatch: pytest.MonkeyPatch) -> None:
    from trakt_sync import i18n
    from trakt_sync.cli.explain_cmd import explain_lines

    episode = {
        "number": 1,
        "status": "unmatched",
        "reason": "S0E1 fits nothing",
        "evidence": [],
        "candidates": [
            {"subject_id": 2, "name": "B", "score": 0.4, "why_rejected": "confidence 0.4 < 0.6"}
        ],
    }
    trace = {
        "season": 0,
        "overrides": [],
        "bangumi_data": [],
        "path": "nothing confirmed: 1 candidate(s), none confirmed by air dates",
        "segments": [],
        "episodes": [episode],
    }
    data = {
        "show": {
            "title": "X",
            "year": None,
            "genres": [],
            "ids": {"trakt": 7, "slug": None, "tmdb": None},
        },
        "seasons": [trace],
    }
    before = i18n.language()
    monkeypatch.delenv("LANGUAGE", raising=False)  # use() sets it; undone after the test
    try:
        i18n.use(i18n.CHINESE)
        chinese = explain_lines(data)
    finally:
        i18n.use(before)
    english = explain_lines(data)
    assert "        候选 2 B（得分 0.4）：置信度 0.4 < 0.6" in chinese
    assert "    路径：没有确认：1 个候选，没有一个被播出日期确认" in chinese
    assert "        candidate 2 B (score 0.4): confidence 0.4 < 0.6" in english
    assert "    path: nothing confirmed: 1 candidate(s), none confirmed by air dates" in english
