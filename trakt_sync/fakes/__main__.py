"""``python -m trakt_sync.fakes serve --world demo [--port-file F] [--env]``: run all fakes
until Ctrl-C, printing their URLs as one JSON document on stdout (with ``--env``: the
``export TRAKT_SYNC_…`` lines that point trakt-sync at them). ``worlds`` lists the worlds."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.bangumi_syncer import FakeBangumiSyncer
from trakt_sync.fakes.big_world import BIG_SHOWS, big_world
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.sandbox import sandbox_env
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import (
    BANGUMI_DATA_SAMPLE,
    WORLDS_DIR,
    World,
    WorldError,
    demo_scenario,
    load_world,
)

# The built-in worlds, by name: what each is for.
WORLDS: dict[str, tuple[str, Callable[[], World]]] = {
    "demo": (
        "the `make demo` walkthrough: 4 anime, 1 film, one show left unmatched",
        demo_scenario,
    ),
    "big": (
        f"the demo plus {BIG_SHOWS} generated anime (~3,000 plays): progress bars, interrupting",
        big_world,
    ),
}


def world_list() -> list[tuple[str, str]]:
    """(name, what it is) of every world ``--world`` accepts by name."""
    named = [(name, about) for name, (about, _) in WORLDS.items()]
    files = sorted(p.stem for p in WORLDS_DIR.glob("*.json") if p.stem not in WORLDS)
    return named + [(name, f"{WORLDS_DIR / name}.json") for name in files]


def build_world(name: str) -> World:
    """A built-in world by name, else a bundled or given JSON world (WorldError if none)."""
    if name in WORLDS:
        return WORLDS[name][1]()
    return load_world(name)


def env_lines(env: dict[str, str], bangumi_tokens: dict[str, str]) -> list[str]:
    """Shell lines to export so that trakt-sync talks to the running fakes."""
    lines = [
        "# the trakt-sync sandbox: source this file (. FILE) in the shell that runs trakt-sync"
    ]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in env.items()]
    lines.append("export TRAKT_SYNC_SECRETS__BACKEND=file")
    for user, token in bangumi_tokens.items():
        lines.append(
            f"# Bangumi token of {user}: echo {token} | trakt-sync auth bangumi --with-token"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trakt_sync.fakes")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="start the Trakt, Bangumi, CDN and Bangumi-syncer fakes"
    )
    serve.add_argument(
        "--world", default="demo", help="a world name (see `worlds`) or a JSON world file"
    )
    serve.add_argument(
        "--env",
        action="store_true",
        help="print `export TRAKT_SYNC_...` lines instead of the JSON document",
    )
    serve.add_argument(
        "--data", type=Path, default=BANGUMI_DATA_SAMPLE, help="bangumi-data JSON the CDN serves"
    )
    serve.add_argument("--port-file", type=Path, help="also write the URLs JSON here")
    serve.add_argument("--token-lifetime", type=int, default=86400)
    serve.add_argument(
        "--latency-ms", type=float, default=0.0, help="added to every request, like a network"
    )
    commands.add_parser("worlds", help="list the worlds `serve --world` accepts")
    export = commands.add_parser(
        "export", help="write the world's Trakt data export (a ZIP, or a folder with --folder)"
    )
    export.add_argument("target", type=Path, help="the ZIP file (or folder) to write")
    export.add_argument("--world", default="demo", help="a world name (see `worlds`) or JSON path")
    export.add_argument("--folder", action="store_true", help="an unzipped folder instead")
    export.add_argument("--parts", type=int, default=3, help="watched-history-N.json parts")
    export.add_argument("--top", default="trakt-export", help="the top folder inside ('' for none)")
    args = parser.parse_args(argv)
    if args.command == "worlds":
        for name, about in world_list():
            print(f"{name:<8} {about}")
        return 0

    try:
        world = build_world(args.world)
    except WorldError as exc:
        names = ", ".join(name for name, _ in world_list())
        print(f"{exc} (worlds: {names}; or a path to a JSON world)", file=sys.stderr)
        return 2
    if args.command == "export":
        from trakt_sync.fakes.export import write_export

        write_export(world, args.target, folder=args.folder, top=args.top or None, parts=args.parts)
        print(f"wrote {args.target}", file=sys.stderr)
        return 0
    trakt = FakeTrakt(world, token_lifetime=args.token_lifetime).start()
    bangumi = FakeBangumi(world).start()
    cdn = FakeDataCDN(args.data).start()
    syncer = FakeBangumiSyncer().start()
    for fake in (trakt, bangumi, cdn, syncer):
        fake.latency = args.latency_ms / 1000
    try:
        urls = {
            "trakt": trakt.url,
            "bangumi": bangumi.url,
            "cdn": cdn.url,
            "bangumi_data": cdn.data_url,
            "id_table": cdn.id_table_url,
            "bangumi_syncer": syncer.url,
            "trakt_client_id": trakt.client_id,
            "trakt_client_secret": trakt.client_secret,
            "bangumi_tokens": {u["username"]: u["token"] for u in world["bangumi"]["users"]},
        }
        text = json.dumps(urls, ensure_ascii=False)
        if args.port_file:
            args.port_file.write_text(text + "\n", encoding="utf-8")
        if args.env:
            tokens = {u["username"]: u["token"] for u in world["bangumi"]["users"]}
            lines = env_lines(sandbox_env(trakt, bangumi, cdn), tokens)
            print("\n".join(lines), flush=True)
        else:
            print(text, flush=True)
        print("fakes running; Ctrl-C to stop", file=sys.stderr, flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for fake in (trakt, bangumi, cdn, syncer):
            fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
