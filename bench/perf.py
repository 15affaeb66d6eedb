"""Performance bench (`make bench-perf`, issues 13 and 19): the installed CLI against the fakes.

The bangumi-data the fake CDN serves is by default the full pinned release
(``bench/realdata.py``, downloaded once into the bench cache, as ``make bench`` uses it);
``--data sample`` serves the vendored sample instead. The worlds are drawn from the sample's
franchises (real items, all in the release; ``--world-data real`` draws them from the full
release, whose thousands of subjects at 50 k plays make the first sync wait on the APIs'
rate limits for most of an hour). For each world size
(``bench/perf_worlds.py``: 570, 10 k, 50 k plays by default) the fakes of Trakt, Bangumi
and the bangumi-data CDN run in this process with ``--latency-ms`` added to every request;
``trakt-sync auth`` and ``auth bangumi --with-token`` log in (not measured), then the real
``trakt-sync sync`` runs as a child process: the first sync once, the no-op sync ``--runs``
times (median), then a sync after a bangumi-data refresh (the CDN publishes a new version,
a few anime episodes are watched again, ``matching.refresh_interval`` is 0). Of each child
(through a small launcher, see :data:`LAUNCHER`): wall time, CPU (user + sys, from
``os.wait4``), peak RSS (``ru_maxrss``); the CPU the fakes spent meanwhile; requests per
service counted by the fakes, against the floor of issue 19. Alternated with the no-op
sync, ``bench/noop_floor.py`` does the same no-op as a bare Typer app with only the fixed
dependencies: the least a no-op can cost here. The sizes in ``--bare-sizes`` (50 k) then
run their first sync again without added latency, on ``--bare-runs`` fresh worlds (median):
issue 13's wall target is for that. Before all that, ``trakt-sync --help`` and a bare Typer
app with the same command names (generated into a temp dir) run alternately, ``--runs``
times each (median).

Prints the targets of issue 19 beside the figures, then every figure in one table, and
writes them to ``--out`` (JSON). Timings are compared here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/perf.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import realdata
from bench.perf_worlds import BANGUMI_TOKEN, BANGUMI_USER, Expected, build_world
from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.sandbox import sandbox_env
from trakt_sync.fakes.server import FakeServer, Request, Response, json_response
from trakt_sync.fakes.trakt import FakeTrakt, paginate
from trakt_sync.fakes.trakt_media import parse_instant
from trakt_sync.fakes.world import BANGUMI_DATA_SAMPLE

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLI = BIN / "trakt-sync"
DEFAULT_OUT = ROOT / "bench" / "perf-results.json"
NOOP_FLOOR = ROOT / "bench" / "noop_floor.py"
MIB = 1024  # ru_maxrss is in KiB on Linux

# Issue 19's targets (and issue 13's wall time of a 50 k first sync without latency).
HELP_RATIO = 1.0
NOOP_ABOVE_FLOOR = 0.05
FIRST_RSS_MIB = {570: 60, 10_000: 65, 50_000: 80}
REFRESH_RSS_MIB = 60
FIRST_WALL_50K = 5.0
REQUEST_RATIO = 1.10
REWATCHED = 6  # anime plays added before the sync after a data refresh


@dataclass
class Child:
    """One finished child process."""

    wall: float
    cpu: float
    rss_mib: float
    code: int


# Started fresh by this process, the launcher starts the measured command and reports its
# rusage. Run directly from here, a child's ru_maxrss would include this process's RSS at
# the fork (Linux keeps the pre-exec high-water mark), and this process holds the world.
LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    json.dump([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
               os.waitstatus_to_exitcode(status)], out)
"""


def run_child(argv: list[str], env: dict[str, str], log: Path, stdin: str | None = None) -> Child:
    """Run ``argv`` to completion; its wall time and its own rusage (``os.wait4``)."""
    report = log.with_suffix(".rusage.json")
    with log.open("ab") as out:
        subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(report), *argv],
            env=env,
            input=stdin.encode() if stdin is not None else None,
            stdin=subprocess.DEVNULL if stdin is None else None,
            stdout=out,
            stderr=out,
            check=True,
        )
    wall, cpu, maxrss, code = json.loads(report.read_text(encoding="utf-8"))
    return Child(wall=wall, cpu=cpu, rss_mib=maxrss / MIB, code=code)


def _own_cpu() -> float:
    """CPU time of this process: the fakes' threads, while a child runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def median_child(children: list[Child]) -> dict[str, Any]:
    return {
        "wall": statistics.median(c.wall for c in children),
        "cpu": statistics.median(c.cpu for c in children),
        "rss_mib": statistics.median(c.rss_mib for c in children),
        "runs": len(children),
        "codes": sorted({c.code for c in children}),
    }


# -- --help beside a bare Typer app --------------------------------------------------------

NUMBER = re.compile(r"/\d+")
COMMANDS_HEADING = re.compile(r"^\W*Commands\W*$")
COMMAND_LINE = re.compile(r"^[\s│|]*([a-z][a-z0-9_-]*)(\s{2,}|\s*[│|]?\s*$)")


def command_names(argv: list[str], env: dict[str, str]) -> list[str]:
    """The command names a ``--help`` page lists (click's plain or Typer's Rich layout)."""
    text = subprocess.run(
        [*argv, "--help"], env=env, capture_output=True, text=True, check=True
    ).stdout
    names: list[str] = []
    inside = False
    for line in text.splitlines():
        if COMMANDS_HEADING.match(line.strip()):
            inside = True
            continue
        if inside:
            if not line.strip() or line.strip().startswith(("╰", "Options")):
                if names:
                    break
                continue
            match = COMMAND_LINE.match(line)
            if match:
                names.append(match[1])
    return names


def bare_app_source(tree: dict[str, list[str]]) -> str:
    """A Typer app with the same command names and groups, doing nothing."""
    lines = ["import typer", "", "app = typer.Typer(add_completion=False)", ""]
    for i, (name, subcommands) in enumerate(tree.items()):
        if subcommands:
            lines += [f"g{i} = typer.Typer()", f"app.add_typer(g{i}, name={name!r})"]
            for j, sub in enumerate(subcommands):
                lines += [f"@g{i}.command({sub!r})", f"def c{i}_{j}() -> None:", "    pass", ""]
        else:
            lines += [f"@app.command({name!r})", f"def c{i}() -> None:", "    pass", ""]
    lines += ["", 'if __name__ == "__main__":', "    app()", ""]
    return "\n".join(lines)


def bench_help(env: dict[str, str], runs: int, tmp: Path) -> dict[str, Any]:
    tree = {name: command_names([str(CLI), name], env) for name in command_names([str(CLI)], env)}
    bare = tmp / "bare_typer_app.py"
    bare.write_text(bare_app_source(tree), encoding="utf-8")
    ours, theirs = [], []
    log = tmp / "help.log"
    for _ in range(runs):  # alternated, so both see the same machine load
        ours.append(run_child([str(CLI), "--help"], env, log))
        theirs.append(run_child([sys.executable, str(bare), "--help"], env, log))
    mine, base = median_child(ours), median_child(theirs)
    return {
        "commands": tree,
        "trakt_sync": mine,
        "bare_typer": base,
        "ratio": mine["wall"] / base["wall"],
    }


# -- the fakes -----------------------------------------------------------------------------


class PreparedTrakt(FakeTrakt):
    """The Trakt fake with each whole-history listing filtered, sorted and rendered once,
    and its pages encoded once (:meth:`prepare`), not once per request: the world does not
    change during a bench run, and at 50 k plays the fake's own per-page work (on the other
    core, but read by the client's read-ahead) would otherwise weigh in the client's wall."""

    def __init__(self, world: dict[str, Any], **kw: Any) -> None:
        super().__init__(world, **kw)
        self._listings: dict[tuple[str, bool], list[dict[str, Any]]] = {}
        self._pages: dict[tuple[str, bool, str, str], Response] = {}

    def forget_pages(self) -> None:
        """Plays were added: render the listings again when asked."""
        self._listings.clear()
        self._pages.clear()

    def prepare(self, page_limit: int = 250) -> None:
        """Render and encode every page a whole-history fetch of ``page_limit`` reads."""
        for kind in ("episodes", "movies"):
            pages = -(-len(self._listing(kind, full=True)) // page_limit)
            for page in range(1, pages + 1):
                self._page(kind, True, {"page": str(page), "limit": str(page_limit)})

    def _listing(self, kind: str, *, full: bool) -> list[dict[str, Any]]:
        if (kind, full) not in self._listings:
            plays = [p for p in self.history if self._history_matches(p, kind, None)]
            plays.sort(key=lambda p: (parse_instant(p["watched_at"]), p["id"]), reverse=True)
            self._listings[kind, full] = [self._render_play(p, full) for p in plays]
        return self._listings[kind, full]

    def _history(self, request: Request, match: re.Match[str]) -> Response:
        query = request.query
        if match["type"] not in ("episodes", "movies") or match["id"] or "start_at" in query:
            return super()._history(request, match)
        if "end_at" in query:
            return super()._history(request, match)
        full = "full" in query.get("extended", "").split(",")
        return self._page(match["type"], full, query)

    def _page(self, kind: str, full: bool, query: dict[str, str]) -> Response:
        key = (kind, full, query.get("page", ""), query.get("limit", ""))
        if key not in self._pages:
            page, headers = paginate(self._listing(kind, full=full), query)
            self._pages[key] = json_response(200, page, headers)
        return self._pages[key]


# -- first and no-op syncs -----------------------------------------------------------------


def requests_by_route(fake: FakeServer) -> dict[str, int]:
    """Request counts by method and path with the numbers blanked (``GET /v0/episodes``)."""
    routes = Counter(f"{r.method} {NUMBER.sub('/N', r.path)}" for r in fake.requests)
    return dict(routes.most_common())


@dataclass
class LoggedIn:
    """Fresh fakes holding a world, logged in to; the child's environment."""

    trakt: PreparedTrakt
    bangumi: FakeBangumi
    cdn: FakeDataCDN
    env: dict[str, str]
    expected: Expected
    setup: float

    @property
    def fakes(self) -> dict[str, FakeServer]:
        return {"trakt": self.trakt, "bangumi": self.bangumi, "cdn": self.cdn}


@contextmanager
def logged_in_world(
    plays: int,
    *,
    data: Path,
    world_data: Path,
    latency: float,
    env_base: dict[str, str],
    home: Path,
    log: Path,
) -> Iterator[LoggedIn]:
    """A world of ``plays`` drawn from the bangumi-data file ``world_data`` on fresh fakes
    (the CDN serves ``data``), logged in to from ``home`` (not measured); the fakes' logs are
    cleared and ``latency`` set before it is handed over."""
    t0 = time.perf_counter()
    world, expected = build_world(plays, data=world_data)
    with (
        PreparedTrakt(world, device_interval=0) as trakt,
        FakeBangumi(world) as bangumi,
        FakeDataCDN(data) as cdn,
    ):
        env = {
            **env_base,
            "TRAKT_SYNC_HOME": str(home),
            "TRAKT_SYNC_SECRETS__BACKEND": "file",
            **sandbox_env(trakt, bangumi, cdn),
        }
        trakt.prepare()
        done = LoggedIn(trakt, bangumi, cdn, env, expected, time.perf_counter() - t0)
        for argv, stdin in ((["auth"], None), (["auth", "bangumi", "--with-token"], BANGUMI_TOKEN)):
            child = run_child([str(CLI), *argv], env, log, stdin=stdin + "\n" if stdin else None)
            if child.code:
                raise SystemExit(f"trakt-sync {' '.join(argv)} failed ({child.code}); see {log}")
        for fake in done.fakes.values():
            fake.latency = latency
            fake.reset_log()
        yield done


def bench_bare_first(
    plays: int, *, data: Path, world_data: Path, runs: int, env_base: dict[str, str], tmp: Path
) -> dict[str, Any]:
    """The first sync on fakes without added latency, each run on a fresh world (a second
    first sync against the same Bangumi fake would find its marks already there)."""
    children = []
    for run in range(runs):
        home, log = tmp / f"home-{plays}-bare-{run}", tmp / f"sync-{plays}-bare.log"
        with logged_in_world(
            plays,
            data=data,
            world_data=world_data,
            latency=0,
            env_base=env_base,
            home=home,
            log=log,
        ) as world:
            children.append(run_child([str(CLI), "sync"], world.env, log))
    return median_child(children)


def bench_size(
    plays: int,
    *,
    data: Path,
    world_data: Path,
    runs: int,
    latency: float,
    env_base: dict[str, str],
    tmp: Path,
) -> dict[str, Any]:
    home = tmp / f"home-{plays}"
    log = tmp / f"sync-{plays}.log"
    with logged_in_world(
        plays,
        data=data,
        world_data=world_data,
        latency=latency,
        env_base=env_base,
        home=home,
        log=log,
    ) as world:
        fakes, env, expected = world.fakes, world.env, world.expected
        fakes_cpu = _own_cpu()
        first = run_child([str(CLI), "sync"], env, log)
        fakes_cpu = _own_cpu() - fakes_cpu
        if first.code:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            print(f"first sync exited {first.code}:", *tail, sep="\n  ", file=sys.stderr)
        first_requests = {name: fake.count() for name, fake in fakes.items()}
        routes = {name: requests_by_route(fake) for name, fake in fakes.items()}
        collected = world.bangumi.collection(BANGUMI_USER)
        noops, noop_requests, floors = [], [], []
        for _ in range(runs):  # alternated with the floor, so both see the same machine load
            for fake in fakes.values():
                fake.reset_log()
            noops.append(run_child([str(CLI), "sync"], env, log))
            noop_requests.append({name: fake.count() for name, fake in fakes.items()})
            floors.append(run_child([sys.executable, str(NOOP_FLOOR), "sync"], env, log))
        refresh = sync_after_refresh(world, data, log)
    floor = expected.floor()
    total, total_floor = sum(first_requests.values()), sum(floor.values())
    return {
        "plays": plays,
        "world": {
            "episode_plays": expected.episode_plays,
            "movie_plays": expected.movie_plays,
            "subjects_expected": len(expected.subjects),
            "subjects_collected_after": sum(1 for sid in collected if sid in expected.subjects),
            "title_only_franchises": expected.title_only,
            "setup_s": world.setup,
        },
        "first": {
            **asdict(first),
            "fakes_cpu": fakes_cpu,
            "requests": first_requests,
            "floor": floor,
            "ratio": {
                **{k: first_requests[k] / floor[k] for k in floor},
                "total": total / total_floor,
            },
            "routes": routes,
        },
        "noop": {**median_child(noops), "requests": noop_requests[len(noop_requests) // 2]},
        "noop_floor": median_child(floors),
        # the median of the interleaved pairs' differences
        "noop_above_floor": statistics.median(
            n.wall - f.wall for n, f in zip(noops, floors, strict=True)
        ),
        "refresh": refresh,
    }


def sync_after_refresh(world: LoggedIn, data: Path, log: Path) -> dict[str, Any]:
    """A sync after the CDN published a new bangumi-data version (the same items, so the
    same answers) with a few anime episodes watched again, so the matcher loads its data;
    ``matching.refresh_interval`` 0 makes it revalidate the download at once."""
    world.cdn.replace(data.read_bytes() + b"\n")
    for show, season, number in world.expected.anime_episodes[:REWATCHED]:
        world.trakt.add_play(show=show, season=season, number=number)
    world.trakt.forget_pages()
    for fake in world.fakes.values():
        fake.reset_log()
    env = {**world.env, "TRAKT_SYNC_MATCHING__REFRESH_INTERVAL": "0"}
    child = run_child([str(CLI), "sync"], env, log)
    return {
        **asdict(child),
        "requests": {name: fake.count() for name, fake in world.fakes.items()},
        "routes": {name: requests_by_route(fake) for name, fake in world.fakes.items()},
    }


# -- Trakt requests of a day on 355 watched shows (issue 18) ------------------------------


def bench_day_requests(env_base: dict[str, str], tmp: Path) -> list[dict[str, Any]]:
    """Trakt requests of the sync after an ordinary day and after backdated plays, on the
    history of ``bench/big_history.py``, beside the issue's bound (counts, not timings)."""
    from bench.big_history import backdated_day, big_history_world, bound, ordinary_day

    world = big_history_world()
    home, log = tmp / "home-days", tmp / "days.log"
    rows = []
    with (
        FakeTrakt(world, device_interval=0) as trakt,
        FakeBangumi(world) as bangumi,
        FakeDataCDN(BANGUMI_DATA_SAMPLE) as cdn,
    ):
        env = {
            **env_base,
            "TRAKT_SYNC_HOME": str(home),
            "TRAKT_SYNC_SECRETS__BACKEND": "file",
            **sandbox_env(trakt, bangumi, cdn),
        }
        token = world["bangumi"]["users"][0]["token"] + "\n"
        for argv, stdin in ((["auth"], None), (["auth", "bangumi", "--with-token"], token)):
            if run_child([str(CLI), *argv], env, log, stdin=stdin).code:
                raise SystemExit(f"trakt-sync {' '.join(argv)} failed; see {log}")
        sync = [str(CLI), "sync", "--json"]
        if run_child(sync, env, log).code:
            raise SystemExit(f"the first sync of the 355-show history failed; see {log}")
        for make_day in (ordinary_day, backdated_day):
            day = make_day(trakt)
            trakt.reset_log()
            done = subprocess.run(sync, env=env, capture_output=True, text=True, check=False)
            report = json.loads(done.stdout or "{}")
            rows.append(
                {
                    "day": day.name,
                    "exit": done.returncode,
                    "requests": trakt.count(),
                    "bound": bound(trakt, day),
                    "new": report.get("new"),
                    "removed": report.get("removed"),
                    "routes": requests_by_route(trakt),
                }
            )
    return rows


def day_requests_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| 355 watched shows, 3,770 plays: Trakt requests of the next sync | measured | bound | |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['day']} (exit {row['exit']}, {row['new']} new, {row['removed']} removed) "
            f"| {row['requests']} | ≤ {row['bound']} | {_ok(row['requests'] <= row['bound'])} |"
        )
    return "\n".join(lines)


# -- report --------------------------------------------------------------------------------


def _ok(passed: bool) -> str:
    return "ok" if passed else "MISS"


def _k(n: int) -> str:
    return f"{n // 1000} k" if n >= 1000 and n % 1000 == 0 else str(n)


def _markdown(rows: list[tuple[str, str, str, str]], head: str = "what") -> str:
    lines = [f"| {head} | measured | target | |", "|---|---|---|---|"]
    return "\n".join(lines + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows])


def targets_table(results: dict[str, Any]) -> str:
    """Issue 19's target table: one row per figure, every size in it."""
    sizes, h = results["sizes"], results["help"]
    rss = [(s["plays"], s["first"]["rss_mib"]) for s in sizes]
    rss_targets = [FIRST_RSS_MIB.get(n) for n, _ in rss]
    refresh = [s["refresh"]["rss_mib"] for s in sizes]
    ratios = [s["first"]["ratio"]["total"] for s in sizes]
    above = [s["noop_above_floor"] for s in sizes]
    slash = " / ".join
    rows = [
        (
            f"peak RSS, first sync: {slash(_k(n) for n, _ in rss)} plays",
            slash(f"{v:.0f}" for _, v in rss) + " MiB",
            "≤ " + slash(str(t) if t else "–" for t in rss_targets) + " MiB",
            _ok(all(t is None or v <= t for (_, v), t in zip(rss, rss_targets, strict=True))),
        ),
        (
            "peak RSS, a sync after a bangumi-data refresh "
            f"({slash(_k(s['plays']) for s in sizes)})",
            slash(f"{v:.0f}" for v in refresh) + " MiB",
            f"≤ {REFRESH_RSS_MIB} MiB",
            _ok(all(v <= REFRESH_RSS_MIB for v in refresh)),
        ),
        (
            "first-sync requests ÷ floor",
            slash(f"{r:.2f}" for r in ratios),
            f"≤ {REQUEST_RATIO:.2f}",
            _ok(all(r <= REQUEST_RATIO for r in ratios)),
        ),
        (
            "no-op sync − no-op floor app (median of interleaved pairs)",
            slash(f"{a:+.3f}" for a in above) + " s",
            f"≤ {NOOP_ABOVE_FLOOR:.2f} s",
            _ok(all(a <= NOOP_ABOVE_FLOOR for a in above)),
        ),
        (
            "`--help` ÷ bare Typer app (wall, median)",
            f"{h['ratio']:.2f}",
            f"≤ {HELP_RATIO:.1f}",
            _ok(h["ratio"] <= HELP_RATIO),
        ),
    ]
    return _markdown(rows, "figure")


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str]] = []
    h = results["help"]
    rows.append(
        (
            "--help vs bare Typer (wall, median)",
            f"{h['trakt_sync']['wall']:.3f} s vs {h['bare_typer']['wall']:.3f} s "
            f"= {h['ratio']:.2f} × (CPU {h['trakt_sync']['cpu']:.3f} s vs "
            f"{h['bare_typer']['cpu']:.3f} s)",
            f"≤ {HELP_RATIO} ×",
            _ok(h["ratio"] <= HELP_RATIO),
        )
    )
    for size in results["sizes"]:
        n, first, noop, refresh = size["plays"], size["first"], size["noop"], size["refresh"]
        k = _k(n)
        w = size["world"]
        rows.append(
            (
                f"{k}: first sync wall / CPU",
                f"{first['wall']:.2f} s / {first['cpu']:.2f} s (exit {first['code']}; "
                f"fakes' CPU {first['fakes_cpu']:.1f} s)",
                "",
                "",
            )
        )
        bare = results["bare_first"].get(str(n))
        if bare:
            rows.append(
                (
                    f"{k}: first sync without added latency, wall / CPU "
                    f"(median of {bare['runs']} fresh worlds)",
                    f"{bare['wall']:.2f} s / {bare['cpu']:.2f} s / {bare['rss_mib']:.0f} MiB "
                    f"(exit {', '.join(map(str, bare['codes']))})",
                    f"≤ {FIRST_WALL_50K} s wall" if n == 50_000 else "",
                    _ok(bare["wall"] <= FIRST_WALL_50K) if n == 50_000 else "",
                )
            )
        rss_target = FIRST_RSS_MIB.get(n)
        rows.append(
            (
                f"{k}: first sync peak RSS",
                f"{first['rss_mib']:.0f} MiB",
                f"≤ {rss_target} MiB" if rss_target else "",
                _ok(first["rss_mib"] <= rss_target) if rss_target else "",
            )
        )
        req, floor = first["requests"], first["floor"]
        rows.append(
            (
                f"{k}: first sync requests (floor)",
                " · ".join(f"{s} {req[s]} ({floor[s]})" for s in floor)
                + f" = {first['ratio']['total']:.2f} ×",
                f"≤ {REQUEST_RATIO} × floor",
                _ok(first["ratio"]["total"] <= REQUEST_RATIO),
            )
        )
        rows.append(
            (
                f"{k}: subjects collected / expected",
                f"{w['subjects_collected_after']} / {w['subjects_expected']}",
                "",
                "",
            )
        )
        nreq = noop["requests"]
        rows.append(
            (
                f"{k}: no-op sync wall / CPU / RSS (median)",
                f"{noop['wall']:.3f} s / {noop['cpu']:.3f} s / {noop['rss_mib']:.0f} MiB, "
                f"requests {' · '.join(f'{s} {nreq[s]}' for s in nreq)}",
                "",
                "",
            )
        )
        floor_run = size["noop_floor"]
        rows.append(
            (
                f"{k}: no-op floor of the fixed dependencies (`bench/noop_floor.py`, median)",
                f"{floor_run['wall']:.3f} s / {floor_run['cpu']:.3f} s / "
                f"{floor_run['rss_mib']:.0f} MiB (exit {', '.join(map(str, floor_run['codes']))});"
                f" trakt-sync {size['noop_above_floor']:+.3f} s above it (median of pairs)",
                f"≤ +{NOOP_ABOVE_FLOOR:.2f} s",
                _ok(size["noop_above_floor"] <= NOOP_ABOVE_FLOOR),
            )
        )
        rreq = refresh["requests"]
        rows.append(
            (
                f"{k}: sync after a bangumi-data refresh ({REWATCHED} plays), wall / CPU / RSS",
                f"{refresh['wall']:.2f} s / {refresh['cpu']:.2f} s / {refresh['rss_mib']:.0f} MiB "
                f"(exit {refresh['code']}), requests {' · '.join(f'{s} {rreq[s]}' for s in rreq)}",
                f"≤ {REFRESH_RSS_MIB} MiB",
                _ok(refresh["rss_mib"] <= REFRESH_RSS_MIB),
            )
        )
    return _markdown(rows)


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "load_avg": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/perf.py", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="570,10000,50000",
        help="comma-separated numbers of plays (default 570,10000,50000)",
    )
    parser.add_argument(
        "--data",
        choices=("real", "sample"),
        default="real",
        help="bangumi-data the CDN serves: the full pinned release (default) or the sample",
    )
    parser.add_argument(
        "--world-data",
        choices=("real", "sample"),
        default="sample",
        help="bangumi-data the worlds' franchises are drawn from (default: the sample)",
    )
    parser.add_argument("--runs", type=int, default=7, help="runs of --help and the no-op sync")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every request")
    parser.add_argument(
        "--bare-sizes",
        default="50000",
        help="of --sizes, those whose first sync also runs without added latency (default 50000)",
    )
    parser.add_argument("--bare-runs", type=int, default=3, help="fresh worlds per bare size")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    args = parser.parse_args(argv)
    if not CLI.exists():
        raise SystemExit(f"{CLI} is missing: run `make install` first")
    # An installed package has its bytecode; an editable one run with PYTHONDONTWRITEBYTECODE
    # would compile every module at each start and measure the compiler.
    compileall.compile_dir(ROOT / "trakt_sync", quiet=1)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    data = realdata.fetch() if args.data == "real" else BANGUMI_DATA_SAMPLE
    world_data = realdata.fetch() if args.world_data == "real" else BANGUMI_DATA_SAMPLE
    env_base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TRAKT_SYNC_") and not k.lower().endswith("_proxy")
    }
    env_base["TRAKT_SYNC_MATCHING__ID_TABLE_URL"] = ""  # overwritten by the sandbox env
    tmp = Path(tempfile.mkdtemp(prefix="trakt-sync-perf-"))
    started = datetime.now(UTC)
    try:
        print(f"--help ×{args.runs} each …", file=sys.stderr, flush=True)
        results: dict[str, Any] = {
            "date": started.strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "latency_ms": args.latency_ms,
            "data": f"{args.data}: {data.name} ({data.stat().st_size:,} bytes), worlds "
            f"from {world_data.name}",
            "runs": args.runs,
            "help": bench_help({**env_base, "NO_COLOR": "1", "COLUMNS": "100"}, args.runs, tmp),
            "sizes": [],
            "bare_first": {},
        }
        for plays in sizes:
            print(f"{plays} plays: first sync, then {args.runs} no-op syncs …", file=sys.stderr)
            results["sizes"].append(
                bench_size(
                    plays,
                    data=data,
                    world_data=world_data,
                    runs=args.runs,
                    latency=args.latency_ms / 1000,
                    env_base=env_base,
                    tmp=tmp,
                )
            )
        bare_sizes = {int(n) for n in args.bare_sizes.split(",") if n.strip()}
        for plays in (n for n in sizes if n in bare_sizes):
            print(f"{plays} plays: {args.bare_runs} first syncs without latency …", file=sys.stderr)
            results["bare_first"][str(plays)] = bench_bare_first(
                plays,
                data=data,
                world_data=world_data,
                runs=args.bare_runs,
                env_base=env_base,
                tmp=tmp,
            )
        print("355 watched shows: the Trakt requests of a day …", file=sys.stderr)
        results["day_requests"] = bench_day_requests(env_base, tmp)
    finally:
        keep = os.environ.get("PERF_KEEP_TMP")
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    results["machine"]["load_avg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    m = results["machine"]
    print(
        f"\ntrakt-sync performance, {results['date']}, nproc {m['nproc']}, Python {m['python']}, "
        f"{args.latency_ms:g} ms per request on the fakes, load average "
        f"{m['load_avg'][0]:.1f} → {m['load_avg_end'][0]:.1f}; bangumi-data {results['data']}\n"
    )
    print("Issue 19's targets:\n")
    print(targets_table(results))
    print("\nEvery figure:\n")
    print(table(results))
    print()
    print(day_requests_table(results["day_requests"]))
    print(f"\nfigures: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
