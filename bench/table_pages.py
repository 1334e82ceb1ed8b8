"""The articles table page's SQL at scale: with schema step m016's indexes, and with the plans before it.

What it measures: the statements Datasette 0.65 runs for the table views of the load bench's mix
(``load_datasette.py``: plain, a category, a year newest first, sorted by title), as its trace
shows them (``?_trace=1`` with ``trace_debug``): the page's rows, its count and its five facets
(metadata.yml ``facets``). Each is timed on the archive as it is (the planner picks m016's
indexes) and with the plan it had before m016, forced on the same file (``INDEXED BY`` the index
it used then, or ``NOT INDEXED``), so both are measured in one run on one machine state. A
statement is stopped at ``--cap`` seconds (Datasette stops it at 3 s, facets at 1 s).

Usage::

    .venv/bin/python bench/table_pages.py --db PATH/archive.db [--reps 3] [--cap 30]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proc import SystemCPU, load_average  # noqa: E402

FACETS = ("category", "author", "site", "published_year", "published_month")


def statements(columns: str, category: str, year: int) -> list[tuple[str, str, str, str]]:
    """(view, statement, SQL now, SQL with the plan before m016) for each view of the mix."""

    def facet(col: str, where: str, source: str = "articles") -> str:
        return (
            f"select {col} as value, count(*) as count from (select {columns} from {source} {where}) "
            f"where {col} is not null group by {col} order by count desc, value limit 31"
        )

    cat, yr = f"where category = '{category}'", f"where published_year = {year}"
    views = {
        "plain": ("", "articles", "order by published desc limit 51"),
        "category": (cat, "articles indexed by idx_articles_category", "order by published desc limit 51"),
        "year": (yr, "articles indexed by idx_articles_published", "order by published desc limit 51"),
        "title": ("", "articles not indexed", "order by title limit 101"),
    }
    out = []
    for view, (where, old_source, order) in views.items():
        out.append(
            (
                view,
                "rows",
                f"select {columns} from articles {where} {order}",
                f"select {columns} from {old_source} {where} {order}",
            )
        )
        if where:
            old = "articles not indexed" if view == "year" else "articles indexed by idx_articles_category"
            out.append(
                (
                    view,
                    "count",
                    f"select count(*) from articles {where}",
                    f"select count(*) from {old} {where}",
                )
            )
        for col in FACETS:
            now = facet(col, where)
            if view == "year" or (col == "published_year" and view != "category"):
                old = facet(col, where, "articles not indexed")  # no index had published_year
            elif view == "category":
                old = facet(col, where, "articles indexed by idx_articles_category")
            else:
                old = now
            out.append((view, f"facet {col}", now, old))
    return out


def timed(conn: sqlite3.Connection, sql: str, reps: int, cap: float) -> dict:
    """Best and worst of ``reps`` runs after one untimed run; ``None`` past ``cap`` seconds."""
    plan = " | ".join(r[3] for r in conn.execute(f"explain query plan {sql}"))
    deadline = [0.0]
    conn.set_progress_handler(lambda: time.perf_counter() > deadline[0], 10_000)
    spent = []
    for _ in range(reps + 1):
        deadline[0] = time.perf_counter() + cap
        t = time.perf_counter()
        try:
            conn.execute(sql).fetchall()
        except sqlite3.OperationalError:  # interrupted at the cap
            return {"ms": None, "capped_s": cap, "plan": plan}
        spent.append(time.perf_counter() - t)
    spent = spent[1:]
    return {"ms": round(1000 * min(spent)), "max_ms": round(1000 * max(spent)), "plan": plan}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--cap", type=float, default=30.0, help="seconds after which a statement is stopped")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    conn = sqlite3.connect(f"{args.db.resolve().as_uri()}?mode=ro", uri=True)
    columns = ", ".join(r[1] for r in conn.execute("pragma table_info(articles)"))
    category = conn.execute("select category from articles order by rowid desc limit 1").fetchone()[0]
    year = conn.execute("select published_year from articles order by rowid desc limit 1").fetchone()[0] - 1
    cpu, t0 = SystemCPU(), time.perf_counter()
    results = {
        "db": str(args.db),
        "category": category,
        "year": year,
        "load_start": load_average(),
        "rows": [],
    }
    print(f"{'view':<9} {'statement':<23} {'now ms':>8} {'before m016 ms':>15}")
    for view, what, now_sql, old_sql in statements(columns, category, year):
        now = timed(conn, now_sql, args.reps, args.cap)
        old = timed(conn, old_sql, args.reps, args.cap) if old_sql != now_sql else now
        results["rows"].append({"view": view, "statement": what, "now": now, "before": old})
        show = [f"{r['ms']}" if r["ms"] is not None else f">{r['capped_s']:.0f} s" for r in (now, old)]
        print(f"{view:<9} {what:<23} {show[0]:>8} {show[1]:>15}", flush=True)
    results["load_end"] = load_average()
    results["machine_cores_busy"] = round(cpu.busy_since_start() / (time.perf_counter() - t0), 2)
    print(
        f"load average {results['load_start']} -> {results['load_end']}; cores busy {results['machine_cores_busy']}"
    )
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
