"""Matching precision and recall on labelled worlds: ``make bench``.

Exits 1 when overall precision < 99.5%, recall < 95% on id-path plays or < 85% on
title-only plays, or any non-anime play is marked (bench/scoring.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/matching.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scoring import calls_line, failures, run, table, wrong_marks
from bench.worlds import CLASSES, DEFAULT_SEED, build_worlds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--class", dest="klass", help="only worlds with plays of this class")
    parser.add_argument(
        "--misses", action="store_true", help="list the unmatched plays with their reasons"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    worlds = build_worlds(args.seed)
    if args.klass:
        worlds = [w for w in worlds if any(r.klass == args.klass for r in w.requests)]
    outcomes, tallies = run(worlds)
    elapsed = time.perf_counter() - started

    print(f"matching bench: seed {args.seed}, {len(worlds)} worlds, {len(outcomes)} plays")
    for case in CLASSES:
        print(f"  {case.name:<22} {case.about}")
    print()
    print(table(tallies))
    print(calls_line(tallies))
    wrong = wrong_marks(outcomes)
    if wrong:
        print(f"\nwrong marks ({len(wrong)}):")
        for line in wrong[:40]:
            print(f"  {line}")
    if args.misses:
        reasons: Counter[str] = Counter()
        for o in outcomes:
            if o.verdict == "unmatched":
                reasons[f"{o.klass}: {o.world}: {o.result.reason[:150]}"] += 1
        print(f"\nunmatched plays by reason ({sum(reasons.values())}):")
        for reason, count in reasons.most_common():
            print(f"  {count:>4} × {reason}")
    problems = failures(tallies)
    print(f"\n{elapsed:.1f}s — " + ("FAIL: " + "; ".join(problems) if problems else "PASS"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
