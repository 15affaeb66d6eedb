"""Matching recall on worlds drawn from the full bangumi-data: ``make bench``.

Downloads the pinned bangumi-data release on first use (bench/realdata.py), then draws
``--worlds`` worlds (seeds ``--seed``, ``--seed``+1, …) of about 30 franchises and 10
films each (bench/realworld.py) and reports recall per release pattern and id path, wrong
marks and the calibration table (bench/report.py). Exits 1 unless issue 10's gates hold:
no wrong mark, recall ≥ 95 % overall and ≥ 90 % per pattern, every film's episode marked;
and unless the SQLite index a sync streams from that release answers every look-up as the
in-memory index the worlds use (bench/index_check.py, issue 19).
The same worlds are then resolved as ``sync --from-export`` sees them without a Trakt client
id (no air dates, genres or Trakt metadata): recall beside the API's, and no wrong mark.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/generalisation.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import index_check, realdata, report
from bench.realworld import FILMS_PER_WORLD, FRANCHISES_PER_WORLD, Universe, build_worlds

DEFAULT_SEED = 1001
DEFAULT_WORLDS = 20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="first world's seed")
    parser.add_argument("--worlds", type=int, default=DEFAULT_WORLDS)
    parser.add_argument("--franchises", type=int, default=FRANCHISES_PER_WORLD)
    parser.add_argument("--films", type=int, default=FILMS_PER_WORLD)
    parser.add_argument("--data", type=Path, help="a bangumi-data dist/data.json to use instead")
    parser.add_argument("--misses", action="store_true", help="unmatched plays by reason")
    parser.add_argument("--examples", type=int, default=3, help="examples per reason (--misses)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    items = realdata.load_items(args.data)
    universe = Universe(items)
    seeds = list(range(args.seed, args.seed + args.worlds))
    outcomes, exported, with_id = [], [], []
    for world in build_worlds(universe, seeds, franchises=args.franchises, films=args.films):
        outcomes += report.run_world(world)
        exported += report.run_world(world.as_export())
        with_id += report.run_world(world.as_export(client_id=True))
    elapsed = time.perf_counter() - started

    source = args.data or f"bangumi-data {realdata.VERSION} (npm)"
    print(
        f"generalisation bench: {source}, {len(universe.franchises)} franchises and "
        f"{len(universe.films)} films to draw from"
    )
    print(f"{len(seeds)} worlds, seeds {', '.join(map(str, seeds))}; {len(outcomes)} plays\n")
    print(report.pattern_table(outcomes))
    print("\nthe same plays by what changed their own episode (a recap's earlier episodes: clean)")
    print(report.pattern_table(outcomes, by_touch=True))
    print()
    print(report.path_table(outcomes))
    print()
    print("\n".join(report.world_lines(outcomes)))
    print()
    print("\n".join(report.recap_lines(outcomes)))
    print("\ncalibration: every candidate the matcher scored, marked or not")
    print(report.calibration_table(outcomes))
    wrong = report.wrong_marks(outcomes)
    if wrong:
        print(f"\nwrong marks ({len(wrong)}):")
        for line in wrong[:40]:
            print(f"  {line}")
    if args.misses:
        print("\nunmatched plays by pattern and reason:")
        print(report.misses(outcomes, args.examples))
    print(
        "\nthe same plays from Trakt's data export (sync --from-export): with no client id "
        "(no Trakt request), and with one (Trakt's metadata, no login)"
    )
    print(report.source_table(outcomes, exported, with_id))
    problems = report.failures(outcomes)
    checked = index_check.check(args.data or realdata.fetch())
    print(f"\n{checked}")
    if "differ" in checked:
        problems.append("the stored index differs")
    export_wrong = report.wrong_marks(exported) + report.wrong_marks(with_id)
    if export_wrong:
        print(f"\nwrong marks from the export ({len(export_wrong)}):")
        for line in export_wrong[:40]:
            print(f"  {line}")
        problems.append(f"{len(export_wrong)} wrong mark(s) from the export")
    print(f"\n{elapsed:.1f}s — " + ("FAIL: " + "; ".join(problems) if problems else "PASS"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
