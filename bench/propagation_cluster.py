"""Placing one more copy into a large text cluster (issue 16): a text republished by hundreds of portals.

The generated corpus's clusters have a few members; the apparatus's most syndicated texts (an
anniversary editorial on every provincial and district portal) have hundreds. Clusters are made
again around each placement from their links, so this cost grows with the cluster: the CPU of
placing one more copy (``archive.propagation.place``, median of ADDED) into a cluster of K
copies of one generated original, each cut to a random 50-100% of its paragraphs.

    .venv/bin/python bench/propagation_cluster.py --sizes 100 300 600
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _proc import machine  # noqa: E402

from archive import store  # noqa: E402
from archive.propagation import place, propagate  # noqa: E402
from replica.propagation import generate  # noqa: E402


def _store(db, i: int, text: str) -> str:
    url = f"http://p{i}.example.vn/bai-viet"
    page = {"url": url, "status": 200, "kind": "article", "body": b"-", "headers": {}}
    store.record_page(db, page, {"title": "t", "text": text, "language": "vi"}, site=f"p{i}.example.vn")
    return url


def run(sizes: list[int], added: int) -> dict:
    paragraphs = next(a for a in generate(50, seed=3).articles if a.kind == "original").paragraphs
    rng = random.Random(1)

    def copy() -> str:
        return "\n".join(paragraphs[: rng.randint(len(paragraphs) // 2, len(paragraphs))])

    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "archive.db")
        stored = 0
        for size in sorted(sizes):
            while stored < size:
                _store(db, stored, copy())
                stored += 1
            propagate(db)
            cpu = []
            for _ in range(added):
                url = _store(db, stored, copy())
                stored += 1
                c = time.process_time()
                place(db, url)
                cpu.append(time.process_time() - c)
            members = db.execute("select max(members) from text_clusters").fetchone()[0]
            links = db.execute("select count(*) from text_links").fetchone()[0]
            report[str(size)] = {
                "members": members,
                "links": links,
                "place_one_cpu_ms_median": round(1000 * statistics.median(cpu), 2),
            }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 600])
    parser.add_argument("--added", type=int, default=5, help="Copies placed one by one at each size.")
    args = parser.parse_args()
    print(json.dumps({"clusters": run(args.sizes, args.added), "machine": machine()}, indent=2))


if __name__ == "__main__":
    main()
