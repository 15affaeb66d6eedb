"""``python -m trakt_sync.fakes serve --world demo [--port-file F]``: run all fakes until
Ctrl-C, printing their URLs as one JSON document on stdout."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from trakt_sync.fakes.bangumi import FakeBangumi
from trakt_sync.fakes.bangumi_syncer import FakeBangumiSyncer
from trakt_sync.fakes.cdn import FakeDataCDN
from trakt_sync.fakes.trakt import FakeTrakt
from trakt_sync.fakes.world import BANGUMI_DATA_SAMPLE, demo_scenario, load_world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trakt_sync.fakes")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="start the Trakt, Bangumi, CDN and Bangumi-syncer fakes"
    )
    serve.add_argument("--world", default="demo", help="world name or JSON path")
    serve.add_argument(
        "--data", type=Path, default=BANGUMI_DATA_SAMPLE, help="bangumi-data JSON the CDN serves"
    )
    serve.add_argument("--port-file", type=Path, help="also write the URLs JSON here")
    serve.add_argument("--token-lifetime", type=int, default=86400)
    serve.add_argument(
        "--latency-ms", type=float, default=0.0, help="added to every request, like a network"
    )
    export = commands.add_parser(
        "export", help="write the world's Trakt data export (a ZIP, or a folder with --folder)"
    )
    export.add_argument("target", type=Path, help="the ZIP file (or folder) to write")
    export.add_argument("--world", default="demo", help="world name or JSON path")
    export.add_argument("--folder", action="store_true", help="an unzipped folder instead")
    export.add_argument("--parts", type=int, default=3, help="watched-history-N.json parts")
    export.add_argument("--top", default="trakt-export", help="the top folder inside ('' for none)")
    args = parser.parse_args(argv)
    if args.command == "export":
        from trakt_sync.fakes.export import write_export

        world = demo_scenario() if args.world == "demo" else load_world(args.world)
        write_export(world, args.target, folder=args.folder, top=args.top or None, parts=args.parts)
        print(f"wrote {args.target}", file=sys.stderr)
        return 0

    # "demo" is the scenario `make demo` walks through, its unmatched show included.
    world = demo_scenario() if args.world == "demo" else load_world(args.world)
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
