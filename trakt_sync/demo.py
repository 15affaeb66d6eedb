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

from trakt_sync import i18n
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
from trakt_sync.i18n import _, subject_name
from trakt_sync.planner import COLLECTION_NAMES


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
        print(_("(exit code {code})").format(code=done.returncode), flush=True)
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
        label = i18n.listed(f"{s:g}" for s in marked) if marked else _("none")
        name = subject_name(subject.get("name", ""), subject.get("name_cn", "")) or subject_id
        collection = _(COLLECTION_NAMES[entry["type"]])
        print(
            f"  {name} [{collection}] " + _("episodes watched: {episodes}").format(episodes=label)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trakt_sync.demo")
    parser.add_argument(
        "--web", action="store_true", help=_("then serve the web page on the demo world")
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
        print(
            _("Sandbox: Trakt {trakt} · Bangumi {bangumi} · bangumi-data {cdn}").format(
                trakt=trakt.url, bangumi=bangumi.url, cdn=cdn.url
            )
        )
        print(_("State directory: {home}").format(home=home))
        _step(_("Before: the Bangumi profile"))
        _show_profile(bangumi, user["username"])

        _step(_("Log in to Trakt (the sandbox approves the code by itself)"))
        if _run(env, "auth"):
            return 1
        _step(_("Log in to Bangumi with an access token"))
        if _run(env, "auth", "bangumi", "--with-token", stdin=user["token"] + "\n"):
            return 1
        _step(_("What a sync would do (nothing is written)"))
        _run(env, "sync", "--dry-run")
        _step(_("Sync"))
        code = _run(env, "sync")
        _step(_("After: the Bangumi profile"))
        _show_profile(bangumi, user["username"])
        _step(_("A second sync with nothing new (one Trakt request, none to Bangumi)"))
        _run(env, "sync")
        _step(_("Status, and the play that could not be matched"))
        _run(env, "status")
        _run(env, "unmatched")
        _step(_("Why, and the one-command fix"))
        _run(env, "explain", "mystery-anime", "--season", "1", "--episode", "1")
        _run(env, "map", "add", f"trakt:{UNFINDABLE_SHOW}", "S1", str(UNFINDABLE_SUBJECT))
        code = _run(env, "sync") or code
        _step(_("After the fix: the Bangumi profile"))
        _show_profile(bangumi, user["username"])
        _step(_("The same in a browser"))
        if not args.web:
            print(
                _(
                    "`make demo-web` runs this demo, then `trakt-sync web` on its world:\n"
                    "the overview, the unmatched review, runs, Sync now and login at\n"
                    "http://127.0.0.1:8765/ (Ctrl-C stops it)."
                )
            )
            return code
        print(_("Open http://127.0.0.1:8765/ — Ctrl-C stops the page and the sandbox."))
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it ends
            _run(env, "web")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
