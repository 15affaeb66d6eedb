"""``make demo``: the whole flow against the built-in sandbox, with no accounts.

Starts the local fakes of Trakt, Bangumi and the bangumi-data CDN on loopback,
then runs the real ``trakt-sync`` command against them in a throwaway state
directory: device login (approved automatically), Bangumi token, a dry run, the
sync, a second sync with nothing new, and status — and shows what landed on the
fake Bangumi profile. With ``--web`` (``make demo-web``) it then serves the web page on
that world (``trakt-sync web``) until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile

from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.sandbox import sandbox_env
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import (
    BANGUMI_DATA_SAMPLE,
    UNFINDABLE_SHOW,
    UNFINDABLE_SUBJECT,
    demo_scenario,
)

COLLECTION_NAMES = {
    1: "想看 wish",
    2: "看过 done",
    3: "在看 doing",
    4: "搁置 on hold",
    5: "抛弃 dropped",
}


def _step(title: str) -> None:
    # Bold only on a terminal: piped output stays plain text.
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    print(f"\n{bold}== {title}{plain}", flush=True)


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> int:
    print("$ trakt-sync " + " ".join(args), flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "trakt_sync", *args], env=env, input=stdin, text=True, check=False
    )
    if done.returncode:
        print(f"(exit code {done.returncode})", flush=True)
    return done.returncode


def _show_profile(bangumi: FakeBangumi, username: str) -> None:
    subjects = {s["id"]: s for s in bangumi.world["bangumi"]["subjects"]}
    for subject_id, entry in sorted(bangumi.collection(username).items()):
        subject = subjects.get(subject_id, {})
        episodes = {e["id"]: e for e in subject.get("episodes", [])}
        marked = sorted(
            episodes[eid]["sort"]
            for eid, mark in entry["episodes"].items()
            if mark == 2 and eid in episodes
        )
        label = ", ".join(f"{s:g}" for s in marked) if marked else "none"
        print(
            f"  {subject.get('name', subject_id)} [{COLLECTION_NAMES[entry['type']]}] "
            f"episodes watched: {label}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trakt_sync.demo")
    parser.add_argument(
        "--web", action="store_true", help="then serve the web page on the demo world"
    )
    args = parser.parse_args([] if argv is None else argv)
    world = demo_scenario()  # one show ends unmatched; the demo fixes it with one `map add`
    user = world["bangumi"]["users"][0]
    with (
        tempfile.TemporaryDirectory(prefix="trakt-sync-demo-") as home,
        FakeTrakt(world, device_interval=1) as trakt,
        FakeBangumi(world) as bangumi,
        FakeDataCDN(BANGUMI_DATA_SAMPLE) as cdn,
    ):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRAKT_SYNC_")}
        env.update(
            TRAKT_SYNC_HOME=home,
            TRAKT_SYNC_SECRETS__BACKEND="file",
            **sandbox_env(trakt, bangumi, cdn),
        )
        print(f"Sandbox: Trakt {trakt.url} · Bangumi {bangumi.url} · bangumi-data {cdn.url}")
        print(f"State directory: {home}")
        _step("Before: the Bangumi profile")
        _show_profile(bangumi, user["username"])

        _step("Log in to Trakt (the sandbox approves the code by itself)")
        if _run(env, "auth"):
            return 1
        _step("Log in to Bangumi with an access token")
        if _run(env, "auth", "bangumi", "--with-token", stdin=user["token"] + "\n"):
            return 1
        _step("What a sync would do (nothing is written)")
        _run(env, "sync", "--dry-run")
        _step("Sync")
        code = _run(env, "sync")
        _step("After: the Bangumi profile")
        _show_profile(bangumi, user["username"])
        _step("A second sync with nothing new (one Trakt request, none to Bangumi)")
        _run(env, "sync")
        _step("Status, and the play that could not be matched")
        _run(env, "status")
        _run(env, "unmatched")
        _step("Why, and the one-command fix")
        _run(env, "explain", "mystery-anime", "--season", "1", "--episode", "1")
        _run(env, "map", "add", f"trakt:{UNFINDABLE_SHOW}", "S1", str(UNFINDABLE_SUBJECT))
        code = _run(env, "sync") or code
        _step("After the fix: the Bangumi profile")
        _show_profile(bangumi, user["username"])
        _step("The same in a browser")
        if not args.web:
            print("`make demo-web` runs this demo, then `trakt-sync web` on its world:")
            print("the overview, the unmatched review, runs, Sync now and login at")
            print("http://127.0.0.1:8765/ (Ctrl-C stops it).")
            return code
        print("Open http://127.0.0.1:8765/ — Ctrl-C stops the page and the sandbox.")
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it ends
            _run(env, "web")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
