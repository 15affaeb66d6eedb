"""Soak run (`make soak`): the real daemon against the fakes, with new plays and random faults.

Starts the fakes of Trakt, Bangumi and the bangumi-data CDN in this process (the demo world
plus one more show), logs in through the real CLI, then runs ``trakt-sync daemon`` on a
per-second schedule while a seeded driver adds Trakt plays and injects faults on both fakes
after every finished cycle. Then: SIGTERM (the daemon must exit 0), faults cleared, one
clean ``trakt-sync sync``, and the report:

* cycles run (from the ``runs`` table) and their outcomes;
* plays on Trakt vs plays in the database: none lost, none duplicated, all synced or skipped;
* wrong marks: a collected subject or a marked episode outside the set the world's labels
  allow; missing marks: an expected one absent after the clean run; collection types;
* the daemon's RSS after the first cycle and at the end (growth above 20% fails, and so
  does more than 70 MiB at the end), and its peak.

The fake CDN serves the full pinned bangumi-data release (``bench/realdata.py``, as ``make
bench`` uses it; ``--data sample`` for the vendored sample) and publishes a new version of
it after cycle ``--refresh-at``: the daemon revalidates each second
(``matching.refresh_interval``), so the next cycle with plays to match downloads and
re-indexes it.

Loopback only, bounded in cycles and wall-clock time; exits 1 when a criterion fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/soak.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import realdata
from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.sandbox import sandbox_env
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import (
    BANGUMI_DATA_SAMPLE,
    World,
    add_season,
    add_show,
    add_subject,
    load_world,
    relate,
    trakt_weekly_episodes,
    weekly_episodes,
)

HTTP_TIMEOUT = 1.0  # TRAKT_SYNC_HTTP__TIMEOUT; injected delays exceed it
RSS_GROWTH_LIMIT = 0.20
RSS_END_LIMIT_MIB = 70  # issue 19
USERNAME = "demo"

SPY, BOCCHI, OSHI, BREAKING_BAD = 185614, 190003, 203700, 1388
YOUR_NAME, DARK_KNIGHT = 264063, 120
SPY_COUR1, SPY_COUR2, BOCCHI_SUBJECT, YOUR_NAME_SUBJECT = 329906, 373267, 328609, 160209
OSHI_S1, OSHI_S2 = 386809, 443428

# (show, season) → the number of Trakt episodes the driver may play
EPISODES = {(SPY, 1): 25, (BOCCHI, 1): 12, (OSHI, 1): 24, (BREAKING_BAD, 1): 7}
ANIME_SHOWS = (SPY, BOCCHI, OSHI)


def label(show: int, season: int, number: int) -> tuple[int, float] | None:
    """The Bangumi (subject, episode sort) a Trakt episode belongs to; None = out of scope."""
    if show == SPY and season == 1:
        return (SPY_COUR1, number) if number <= 12 else (SPY_COUR2, number)
    if show == BOCCHI and season == 1:
        return BOCCHI_SUBJECT, number
    if show == OSHI and season == 1:
        return (OSHI_S1, number) if number <= 11 else (OSHI_S2, number - 11)
    return None


FILM_LABELS = {YOUR_NAME: YOUR_NAME_SUBJECT, DARK_KNIGHT: None}


def build_world() -> World:
    """The demo world plus 【推しの子】: a show bangumi-data's sample knows (tmdb tv/203737,
    S1E1 → 386809, S1E12 → 443428) that nobody has played yet, so its first plays arrive
    mid-soak and its resolution runs under faults."""
    world = load_world("demo")
    show = add_show(
        world,
        trakt_id=OSHI,
        title="[Oshi no Ko]",
        year=2023,
        tmdb=203737,
        original_title="【推しの子】",
        aliases=[{"title": "【推しの子】", "country": "jp"}],
    )
    add_season(
        show,
        1,
        trakt_weekly_episodes(7700001, "2023-04-12T14:00:00.000Z", 11)
        + trakt_weekly_episodes(7700012, "2024-07-03T14:00:00.000Z", 13, number_start=12),
    )
    add_subject(
        world,
        subject_id=OSHI_S1,
        name="【推しの子】",
        name_cn="【我推的孩子】",
        date="2023-04-12",
        episodes=weekly_episodes(1600001, "2023-04-12", 11),
    )
    add_subject(
        world,
        subject_id=OSHI_S2,
        name="【推しの子】(第2期)",
        name_cn="【我推的孩子】 第二季",
        date="2024-07-03",
        episodes=weekly_episodes(1600101, "2024-07-03", 13),
    )
    relate(world, OSHI_S1, OSHI_S2)
    return world


# -- faults --------------------------------------------------------------------------------

CLOUDFLARE_520 = "<html><head><title>520: Web server is returning an unknown error</title></html>"
TRAKT_PATHS = {
    "GET": [
        "^/sync/last_activities$",
        "^/sync/history/episodes$",
        "^/sync/history/movies$",
        "^/shows/",
    ],
}
BANGUMI_PATHS = {
    "GET": [
        "^/v0/episodes$",
        "^/v0/subjects/",
        f"^/v0/users/{USERNAME}/collections",
        r"^/v0/users/-/collections/\d+/episodes$",
    ],
    "POST": [r"^/v0/users/-/collections/\d+$"],
    "PATCH": [r"^/v0/users/-/collections/\d+/episodes$"],
}
BANGUMI_429 = {
    "title": "Too Many Request",
    "description": "too many request, you have be rate limited",
}


@dataclass
class FaultKind:
    name: str
    fakes: tuple[str, ...]
    make: Callable[[str], dict[str, Any]]  # fake name → inject() keyword arguments
    methods: tuple[str, ...] = ("GET", "POST", "PATCH")


FAULT_KINDS = [
    FaultKind(
        "429 Retry-After", ("trakt",), lambda _: {"status": 429, "headers": {"Retry-After": "1"}}
    ),
    FaultKind("429 bare", ("trakt", "bangumi"), lambda f: _status(429, f)),
    FaultKind("500", ("trakt", "bangumi"), lambda f: _status(500, f)),
    FaultKind("502", ("trakt", "bangumi"), lambda _: {"status": 502, "body": "<html>502</html>"}),
    FaultKind("503", ("trakt", "bangumi"), lambda f: _status(503, f)),
    FaultKind(
        "520 Cloudflare", ("trakt", "bangumi"), lambda _: {"status": 520, "body": CLOUDFLARE_520}
    ),
    FaultKind("timeout", ("trakt", "bangumi"), lambda _: {"delay": HTTP_TIMEOUT + 0.6}),
    FaultKind("reset", ("trakt", "bangumi"), lambda _: {"reset_connection": True}),
    FaultKind("truncated JSON", ("trakt", "bangumi"), lambda _: {"truncate": True}, ("GET",)),
]


def _status(status: int, fake: str) -> dict[str, Any]:
    if fake == "bangumi":
        body: Any = BANGUMI_429 if status == 429 else {"title": "error", "description": "oops"}
    else:
        body = {"error": "server_error"} if status != 429 else ""
    return {"status": status, "body": body}


# -- the driver ----------------------------------------------------------------------------


@dataclass
class Driver:
    rng: random.Random
    trakt: FakeTrakt
    bangumi: FakeBangumi
    fault_rate: float
    injected: Counter[str] = field(default_factory=Counter)
    plays_added: int = 0
    progress: dict[tuple[int, int], int] = field(default_factory=dict)
    deck: list[tuple[FaultKind, str]] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)  # faulted requests seen so far
    idle: Counter[str] = field(default_factory=Counter)  # cycles without a fault firing

    def step(self) -> None:
        for _ in range(self.rng.choice((0, 1, 1, 2, 3))):
            self.add_play()
        self.expire_faults()
        for _ in range(2):
            if self.rng.random() < self.fault_rate:
                self.inject()

    def fakes(self) -> dict[str, FakeTrakt | FakeBangumi]:
        return {"trakt": self.trakt, "bangumi": self.bangumi}

    def expire_faults(self) -> None:
        """Faults on requests that stopped coming (nothing left to resolve, nothing to
        write) would block new ones; drop a fake's faults after 3 cycles without a hit."""
        for name, fake in self.fakes().items():
            hits = sum(1 for r in fake.requests if r.faulted)
            self.idle[name] = self.idle[name] + 1 if hits == self.hits.get(name) else 0
            self.hits[name] = hits
            if self.idle[name] >= 3 and fake.pending_faults:
                fake.clear_faults()
                self.idle[name] = 0

    def add_play(self) -> None:
        roll = self.rng.random()
        if roll < 0.45:  # the next episode of an anime show
            show = self.rng.choice(ANIME_SHOWS)
            number = self.progress.get((show, 1), 12 if show == BOCCHI else 15) + 1
            if number > EPISODES[(show, 1)]:
                number = self.rng.randint(1, EPISODES[(show, 1)])  # a rewatch
            self.progress[(show, 1)] = max(number, self.progress.get((show, 1), 0))
            self.trakt.add_play(show=show, season=1, number=number)
        elif roll < 0.8:  # a repeat of any anime episode
            show = self.rng.choice(ANIME_SHOWS)
            number = self.rng.randint(1, EPISODES[(show, 1)])
            self.trakt.add_play(show=show, season=1, number=number)
        elif roll < 0.9:
            self.trakt.add_play(movie=self.rng.choice((YOUR_NAME, DARK_KNIGHT)))
        else:  # out of scope: must end skipped
            number = self.rng.randint(1, EPISODES[(BREAKING_BAD, 1)])
            self.trakt.add_play(show=BREAKING_BAD, season=1, number=number)
        self.plays_added += 1

    def inject(self) -> None:
        if not self.deck:  # every (fault, fake) pair once per shuffled round: all get used
            self.deck = [(kind, name) for kind in FAULT_KINDS for name in kind.fakes]
            self.rng.shuffle(self.deck)
        kind, fake_name = self.deck[-1]
        fake = self.fakes()[fake_name]
        if fake.pending_faults >= 4:
            return  # faults whose request has not come yet pile up; keep them bounded
        self.deck.pop()
        paths = TRAKT_PATHS if fake_name == "trakt" else BANGUMI_PATHS
        method = self.rng.choice([m for m in kind.methods if m in paths])
        fake.inject(
            method,
            self.rng.choice(paths[method]),
            times=self.rng.randint(1, 3),
            **kind.make(fake_name),
        )
        self.injected[f"{fake_name} {kind.name} ({method})"] += 1


# -- helpers -------------------------------------------------------------------------------


def cli_env(home: Path, trakt: FakeTrakt, bangumi: FakeBangumi, cdn: FakeDataCDN) -> dict[str, str]:
    """Like trakt_sync/demo.py: a throwaway state dir and every URL on the loopback fakes."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TRAKT_SYNC_") and not k.lower().endswith("_proxy")
    }
    env.update(
        NO_PROXY="127.0.0.1,localhost",
        TRAKT_SYNC_HOME=str(home),
        TRAKT_SYNC_SECRETS__BACKEND="file",
        **sandbox_env(trakt, bangumi, cdn),
        TRAKT_SYNC_HTTP__TIMEOUT=f"{HTTP_TIMEOUT:g}",
        TRAKT_SYNC_HTTP__BACKOFF_BASE="0.05",
        TRAKT_SYNC_HTTP__RETRY_BUDGET="3",
        TRAKT_SYNC_SYNC__PAGE_LIMIT="20",  # several history pages, faults between them
        # Every play here is stamped "now" and a cycle runs each second: the default 5-minute
        # overlap would fetch every soak play again on every cycle, so each cycle would do
        # more work than the last and the RSS comparison would measure that, not leaks.
        TRAKT_SYNC_SYNC__HISTORY_OVERLAP="5s",
    )
    return env


def run_cli(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trakt_sync", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def query(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    if not db_path.exists():
        return []
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []  # not migrated yet
    finally:
        db.close()


def finished_runs(db_path: Path) -> int:
    rows = query(db_path, "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL")
    return int(rows[0][0]) if rows else 0


def rss_kib(pid: int, field: str = "VmRSS") -> int | None:
    """A process's resident memory now (``VmHWM``: its peak) in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


@dataclass
class Verdict:
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> None:
        print(f"  [{'ok' if ok else 'FAIL'}] {what}")
        if not ok:
            self.failures.append(what)


# -- the run -------------------------------------------------------------------------------


def soak(args: argparse.Namespace) -> int:
    started = time.monotonic()
    rng = random.Random(args.seed)
    world = build_world()
    verdict = Verdict()
    data = realdata.fetch() if args.data == "real" else BANGUMI_DATA_SAMPLE
    with (
        tempfile.TemporaryDirectory(prefix="trakt-sync-soak-") as tmp,
        FakeTrakt(world, device_interval=0) as trakt,
        FakeBangumi(world) as bangumi,
        FakeDataCDN(data) as cdn,
    ):
        home = Path(tmp)
        db_path = home / "default.sqlite3"
        env = cli_env(home, trakt, bangumi, cdn)
        print(
            f"soak: seed {args.seed}, {args.cycles} cycles, cap {args.max_seconds:g}s, state {home}"
            f"; bangumi-data {data.name} ({data.stat().st_size:,} bytes), a new version after "
            f"cycle {args.refresh_at}"
        )
        token = world["bangumi"]["users"][0]["token"]
        for login in (("auth",), ("auth", "bangumi", "--with-token")):
            done = run_cli(env, *login, stdin=token + "\n" if "--with-token" in login else None)
            if done.returncode:
                print(f"`trakt-sync {' '.join(login)}` failed ({done.returncode}):\n{done.stderr}")
                return 1

        driver = Driver(rng, trakt, bangumi, args.fault_rate)
        daemon_log = (home / "daemon.log").open("w")
        daemon = subprocess.Popen(
            [sys.executable, "-m", "trakt_sync", "daemon"],
            env={
                **env,
                "TRAKT_SYNC_SYNC__SCHEDULE": "* * * * * */1",
                "TRAKT_SYNC_MATCHING__REFRESH_INTERVAL": "1s",
            },
            stdout=daemon_log,
            stderr=subprocess.STDOUT,
        )
        rss_first: int | None = None
        rss_end: int | None = None
        rss_peak: int | None = None
        refreshed_at: int | None = None
        seen = 0
        deadline = started + args.max_seconds
        try:
            while seen < args.cycles and time.monotonic() < deadline:
                if daemon.poll() is not None:
                    break
                now_runs = finished_runs(db_path)
                if now_runs == seen:
                    time.sleep(0.05)
                    continue
                seen = now_runs
                if rss_first is None:
                    rss_first = rss_kib(daemon.pid)
                if refreshed_at is None and seen >= args.refresh_at:
                    cdn.replace(data.read_bytes() + b"\n")  # same items, a new version
                    refreshed_at = seen
                driver.step()
                if seen % 10 == 0:
                    print(
                        f"  cycle {seen}: {driver.plays_added} plays added, "
                        f"{sum(driver.injected.values())} faults injected, "
                        f"RSS {(rss_kib(daemon.pid) or 0) / 1024:.1f} MiB, "
                        f"{time.monotonic() - started:.0f}s"
                    )
            rss_end = rss_kib(daemon.pid)
            rss_peak = rss_kib(daemon.pid, "VmHWM")
            alive = daemon.poll() is None
            if alive:
                daemon.send_signal(signal.SIGTERM)
            try:
                daemon_code: int | None = daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                daemon_code = None
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
            daemon_log.close()
        soak_seconds = time.monotonic() - started

        cycles = finished_runs(db_path)
        outcomes = Counter(
            row[0]
            for row in query(db_path, "SELECT outcome FROM runs WHERE finished_at IS NOT NULL")
        )
        trakt.clear_faults()
        bangumi.clear_faults()
        clean = run_cli(env, "sync", "--json")
        try:
            clean_report = json.loads(clean.stdout)
        except ValueError:
            clean_report = {}

        # -- the report ---------------------------------------------------------------
        print(f"\nsoak finished in {soak_seconds:.1f}s ({time.monotonic() - started:.1f}s in all)")
        print(f"cycles run: {cycles}")
        print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
        print(f"plays added during the soak: {driver.plays_added}")
        data_reads = [r for r in cdn.requests if r.path.endswith("data.json")]
        print(
            f"bangumi-data: a new version published after cycle {refreshed_at}; "
            f"{sum(1 for r in data_reads if r.status == 200)} downloads, "
            f"{sum(1 for r in data_reads if r.status == 304)} revalidations (304)"
        )
        fired = {
            name: sum(1 for r in f.requests if r.faulted) for name, f in driver.fakes().items()
        }
        print(
            f"faults injected: {sum(driver.injected.values())} "
            f"(faulted requests: trakt {fired['trakt']}, bangumi {fired['bangumi']})"
        )
        for name, count in sorted(driver.injected.items()):
            print(f"    {count:3d}  {name}")
        print(
            f"clean sync: exit {clean.returncode}, "
            + ", ".join(
                f"{k} {clean_report.get(k)}"
                for k in ("fetched", "new", "synced", "marked", "failed", "unmatched")
            )
        )
        print("checks:")
        verdict.check(alive and cycles >= args.cycles, f"{cycles} of {args.cycles} cycles ran")
        verdict.check(daemon_code == 0, f"daemon exited {daemon_code} on SIGTERM")
        verdict.check("running" not in outcomes, "no run left 'running'")
        verdict.check(clean.returncode == 0, f"clean sync exited {clean.returncode}")
        check_plays(verdict, trakt, db_path)
        check_bangumi(verdict, trakt, bangumi)
        check_rss(verdict, rss_first, rss_end, rss_peak)
        verdict.check(
            refreshed_at is not None and sum(1 for r in data_reads if r.status == 200) >= 2,
            "the daemon downloaded the new bangumi-data version",
        )
        if verdict.failures:
            log_tail = (home / "daemon.log").read_text(errors="replace").splitlines()[-30:]
            print("\ndaemon log (last lines):\n" + "\n".join(log_tail))
            if clean.returncode:
                print("clean sync stderr:\n" + clean.stderr)
            print(f"\nFAILED: {len(verdict.failures)} criterion/criteria")
            return 1
        print("\nPASSED")
        return 0


def check_plays(verdict: Verdict, trakt: FakeTrakt, db_path: Path) -> None:
    on_trakt = [p["id"] for p in trakt.history]
    rows = query(db_path, "SELECT history_id, state FROM plays")
    in_db = Counter(hid for hid, _ in rows)
    states = Counter(state for _, state in rows)
    lost = set(on_trakt) - set(in_db)
    duplicated = sum(n - 1 for n in in_db.values()) + len(set(in_db) - set(on_trakt))
    print(
        f"  plays on Trakt {len(on_trakt)}, in the database {len(rows)}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(states.items()))
    )
    verdict.check(not lost, f"lost plays: {len(lost)}")
    verdict.check(duplicated == 0, f"duplicated plays: {duplicated}")
    expected_skips = sum(
        1
        for p in trakt.history
        if (p["type"] == "movie" and FILM_LABELS[p["movie"]] is None)
        or (p["type"] == "episode" and label(p["show"], p["season"], p["number"]) is None)
    )
    verdict.check(
        set(states) <= {"synced", "skipped"} and states["skipped"] == expected_skips,
        f"every play synced or (out of scope) skipped: {states['skipped']} skipped, "
        f"{expected_skips} expected",
    )


def check_bangumi(verdict: Verdict, trakt: FakeTrakt, bangumi: FakeBangumi) -> None:
    episode_ids = {
        (s["id"], e["sort"]): e["id"]
        for s in bangumi.world["bangumi"]["subjects"]
        for e in s["episodes"]
        if e["type"] == 0
    }
    mains: dict[int, set[int]] = {}
    for (sid, _), eid in episode_ids.items():
        mains.setdefault(sid, set()).add(eid)
    want_marks: dict[int, set[int]] = {}
    want_films: set[int] = set()
    for play in trakt.history:
        if play["type"] == "movie":
            if (film := FILM_LABELS[play["movie"]]) is not None:
                want_films.add(film)
                # A film's main episode is marked with its 看过 (Bangumi shows it as 1/1).
                want_marks.setdefault(film, set()).update(mains.get(film, set()))
            continue
        target = label(play["show"], play["season"], play["number"])
        if target is not None:
            want_marks.setdefault(target[0], set()).add(episode_ids[target])
    initial = {int(sid) for sid in bangumi.world["bangumi"]["collections"].get(USERNAME, {})}
    allowed_subjects = set(want_marks) | want_films | initial

    collection = bangumi.collection(USERNAME)
    wrong = [f"subject {sid} collected" for sid in collection if sid not in allowed_subjects]
    missing: list[str] = []
    bad_types: list[str] = []
    for sid, entry in collection.items():
        marked = {eid for eid, mark in entry["episodes"].items() if mark == 2}
        wrong += [f"episode {eid} of {sid}" for eid in marked - want_marks.get(sid, set())]
    for sid, eids in want_marks.items():
        marked = {e for e, m in collection.get(sid, {}).get("episodes", {}).items() if m == 2}
        missing += [f"episode {eid} of {sid}" for eid in eids - marked]
        if sid in want_films:
            continue  # a film's collection type is checked below
        complete = mains[sid] <= marked
        kind = collection.get(sid, {}).get("type")
        if kind != (2 if complete else 3):
            bad_types.append(f"{sid}: type {kind}, {len(marked)}/{len(mains[sid])} watched")
    for sid in want_films:
        if collection.get(sid, {}).get("type") != 2:
            missing.append(f"film {sid} not 看过")
    marks = sum(len(v) for v in want_marks.values())
    print(
        f"  expected on Bangumi: {marks} episode marks on {len(want_marks)} subjects, "
        f"{len(want_films)} film(s)"
    )
    landed: Counter[int] = Counter()
    for write in bangumi.writes:
        if write.method == "PATCH" and write.status == 204 and isinstance(write.json, dict):
            landed.update(write.json.get("episode_id") or [])
    resent = sum(n - 1 for n in landed.values())
    print(f"  episode marks that landed more than once (timeouts after a landed write): {resent}")
    verdict.check(not wrong, f"wrong marks: {len(wrong)} {wrong[:5]}")
    verdict.check(not missing, f"missing marks after the clean run: {len(missing)} {missing[:5]}")
    verdict.check(not bad_types, f"wrong collection types: {len(bad_types)} {bad_types[:5]}")


def check_rss(verdict: Verdict, first: int | None, end: int | None, peak: int | None) -> None:
    if first is None or end is None:
        verdict.check(False, f"daemon RSS sampled (first {first}, end {end})")
        return
    growth = (end - first) / first
    verdict.check(
        growth <= RSS_GROWTH_LIMIT,
        f"daemon RSS after the first cycle {first / 1024:.1f} MiB, at the end "
        f"{end / 1024:.1f} MiB ({growth:+.1%}; limit +{RSS_GROWTH_LIMIT:.0%})",
    )
    verdict.check(
        end <= RSS_END_LIMIT_MIB * 1024,
        f"daemon RSS at the end {end / 1024:.1f} MiB (limit {RSS_END_LIMIT_MIB} MiB; "
        f"peak {(peak or 0) / 1024:.1f} MiB)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cycles", type=int, default=60, help="daemon runs to wait for")
    parser.add_argument(
        "--max-seconds", type=float, default=300.0, help="wall-clock cap for the daemon phase"
    )
    parser.add_argument("--seed", type=int, default=20260101, help="seed of the random driver")
    parser.add_argument(
        "--fault-rate", type=float, default=0.6, help="chance of a fault, twice per cycle"
    )
    parser.add_argument(
        "--data",
        choices=("real", "sample"),
        default="real",
        help="bangumi-data the CDN serves: the full pinned release (default) or the sample",
    )
    parser.add_argument(
        "--refresh-at", type=int, default=10, help="cycle after which a new version is published"
    )
    args = parser.parse_args(argv)
    if args.cycles < 1 or args.max_seconds <= 0 or not 0 <= args.fault_rate <= 1:
        parser.error("--cycles >= 1, --max-seconds > 0 and 0 <= --fault-rate <= 1")
    return soak(args)


if __name__ == "__main__":
    sys.exit(main())
