"""Extraction against generated pages whose truth is known: pass rates per axis value and per field.

What it measures: for N variants of ``replica.generator`` (a balanced sample: every value of
every axis equally often, the axes drawn independently), ``archive.extract.extract()`` on the
page's bytes, URL and Content-Type, with ``now`` = the page's own masthead day, then
``replica.generator.check`` field by field against the truth. It prints the pass rate per field,
per axis value (all fields, then each field), per family x field, and the worst failures with
the checker's reasons and the call that regenerates each page.

Pages are generated and checked in worker processes (``--jobs``), each page on its own, so the
figures do not depend on the job count.

Usage::

    .venv/bin/python bench/variants.py [--n 20000] [--seed 0] [--jobs 1] [--fix family=qdnd]
                                       [--worst 15] [--json]

Prints tables (or, with ``--json``, one JSON document); writes bench/results/variants.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from datetime import time as dtime
from pathlib import Path

from archive.extract import extract, is_article
from replica.generator import AXES, FIELDS, check, variant
from replica.generator.axes import balanced
from replica.vn import VN_TZ

RESULTS = Path(__file__).resolve().parent / "results"


def run_one(job: tuple[int, dict[str, str]]) -> dict:
    """Generate, extract and check one page; the failed fields with their reasons."""
    seed, axes = job
    v = variant(seed, **axes)
    now = datetime.combine(v.story.today, dtime(23, 59), VN_TZ)
    record = extract(v.html, v.url, content_type=v.content_type, now=now)
    verdicts = check(record, v.truth, is_article(record))
    return {"seed": seed, "axes": v.axes, "failed": {f: x.reason for f, x in verdicts.items() if not x.ok}}


def _pct(ok: int, n: int) -> str:
    return f"{100 * ok / n:5.1f}" if n else "    -"


def summarise(results: list[dict], worst: int) -> dict:
    """Pass rates per field, per axis value (all fields and per field), per family x field."""
    n = len(results)
    field_ok = Counter()
    per_value: dict[str, dict[str, Counter]] = {a: defaultdict(Counter) for a in AXES}
    for r in results:
        for f in FIELDS:
            field_ok[f] += f not in r["failed"]
        for axis, value in r["axes"].items():
            tally = per_value[axis][value]
            tally["n"] += 1
            tally["all"] += not r["failed"]
            for f in FIELDS:
                tally[f] += f not in r["failed"]
    reasons = Counter(f"{f}: {reason[:60]}" for r in results for f, reason in r["failed"].items())
    ranked = sorted(results, key=lambda r: (-len(r["failed"]), r["seed"]))[:worst]
    return {
        "n": n,
        "all_fields": sum(not r["failed"] for r in results) / n if n else 0.0,
        "fields": {f: field_ok[f] / n for f in FIELDS} if n else {},
        "axes": {
            axis: {
                value: {"n": t["n"], "all": t["all"] / t["n"], **{f: t[f] / t["n"] for f in FIELDS}}
                for value, t in sorted(values.items(), key=lambda kv: AXES[axis].index(kv[0]))
            }
            for axis, values in per_value.items()
        },
        "top_reasons": reasons.most_common(25),
        "worst": ranked,
    }


def print_report(summary: dict, seconds: float) -> None:
    n = summary["n"]
    print(f"{n} variants in {seconds:.0f} s; all fields pass: {100 * summary['all_fields']:.1f}%\n")
    print("field      " + " ".join(f"{f[:7]:>7}" for f in FIELDS))
    print("pass %     " + " ".join(f"{100 * summary['fields'][f]:7.1f}" for f in FIELDS))
    print()
    short = [f[:6] for f in FIELDS]
    print(f"{'axis':9} {'value':13} {'n':>6} {'all':>5} " + " ".join(f"{s:>6}" for s in short))
    for axis, values in summary["axes"].items():
        for value, t in values.items():
            cells = " ".join(f"{100 * t[f]:6.1f}" for f in FIELDS)
            print(f"{axis:9} {value:13} {t['n']:6d} {100 * t['all']:5.1f} {cells}")
        print()
    print("most frequent failures (field: reason, first 60 characters):")
    for reason, count in summary["top_reasons"]:
        print(f"  {count:6d}  {reason}")
    print("\nworst pages (most failed fields); regenerate with replica.generator.variant(seed, **axes):")
    for r in summary["worst"]:
        print(f"  variant({r['seed']}, **{r['axes']})")
        for f, reason in r["failed"].items():
            print(f"      {f}: {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="variants to run (default 20,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--fix", action="append", default=[], metavar="AXIS=VALUE", help="pin an axis")
    parser.add_argument("--worst", type=int, default=15, help="worst pages to list (default 15)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON instead of tables")
    args = parser.parse_args(argv)
    fixed = dict(item.split("=", 1) for item in args.fix)
    jobs = [(args.seed * 1_000_003 + i, axes) for i, axes in enumerate(balanced(args.n, args.seed, fixed))]
    started = time.monotonic()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(run_one, jobs, chunksize=64))
    else:
        results = [run_one(job) for job in jobs]
    seconds = time.monotonic() - started
    summary = summarise(results, args.worst)
    summary |= {"seed": args.seed, "fixed": fixed, "seconds": round(seconds, 1)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "variants.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_report(summary, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
