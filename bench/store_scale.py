"""Archive scale: insert rate, search latency (SQLite, Datasette box, ranked query) and CSV speed.

What it measures, per archive size (100,000 articles by default; 1,000,000 with ``--with-1m``):

1. **Insert rate.** The archive is built by ``bulk_archive.build`` (its docstring says what goes
   through ``archive.store.record_page`` and what is written in bulk): the first ``--sample``
   articles (default 2,000) go through record_page with the rendered page as the capture body,
   one transaction per page as a crawl commits them, each call timed: that is the measured insert
   rate of the store. Before anything is timed, ``bulk_archive.self_check`` builds 40 articles
   both ways and compares every table row for row (ids and times aside).
2. **Search latency**, p50/p95 over ``--reps`` runs of each query (``van hoa``, ``văn hóa``,
   ``Đảng``, ``dang cong san``, ``Hồ Chí Minh``, ``công an``, ``chuyển đổi số``, and the rare
   ``Lũng Cú``), measured
   - in SQLite directly, old and new on the same file. Old (``--old-reps`` runs, it is slow): what
     Datasette ran for the search box before the newest-first path (``select <every column> from
     articles where rowid in (select rowid from articles_fts where articles_fts match
     escape_fts(:search)) order by published desc limit 51``), its ``count(*)``, its five metadata
     facets, and the ranked canned query as it was. New: what the ``vnsearch`` plugin and
     Datasette run for a plain search (``archive.search.newest_page_rowids``, ``capped_count``,
     the rows by rowid), the capped count alone, the ranked canned query (metadata.yml
     ``search``, BM25 over the newest 20,000 matches) and the chart's ``mentions_per_month``.
     The new box's rows are compared with the old SQL's (dates in order, URLs);
   - through a real ``vnarchive serve`` subprocess on 127.0.0.1: ``/archive/articles.json?
     _search=Q`` (the box as served now) and its second page, ``/archive/search.json?q=Q``
     (ranked) and ``/archive/mentions_per_month.json?q=Q&category=`` (the chart of a search).
   Before each query, the cores busy outside this benchmark are sampled for a second
   (``others_cores``): the machine is shared.
3. **CSV rows/s** of the articles table: archive.export's writer (``export._write_csvs`` on the
   articles table, exactly as ``vnarchive export``/``snapshot`` write it) vs ``sqlite-utils rows
   DB articles --csv`` (all columns, and the same columns as the export), in the same run.

Targets (issue 7): at 1M articles the box search and ranked phrase searches p95 < 50 ms; a
ranked search for a term in most articles well inside 1 s; CSV export >= sqlite-utils.

Usage::

    .venv/bin/python bench/store_scale.py                 # 100,000 articles (~15 min)
    .venv/bin/python bench/store_scale.py --with-1m       # adds 1,000,000 (~2-3 h, ~15 GB disk)
    .venv/bin/python bench/store_scale.py --sizes 20000 --reps 5 --keep

Free disk is checked first (about 15 kB per article); a size that does
not fit is skipped and reported. Archives are built under bench/results/ and deleted unless
``--keep``. Each request has a 60 s time limit; the Datasette server is stopped at the end.
Writes bench/results/store_scale.json.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import json
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proc import ROOT, SystemCPU, kill_group, machine  # noqa: E402

sys.path.insert(0, str(ROOT))
import bulk_archive  # noqa: E402
import yaml  # noqa: E402
from bulk_archive import RARE  # noqa: E402

from archive import export as exporting  # noqa: E402
from archive.datasette_plugins import vnresults, vnsearch  # noqa: E402
from archive.search import build_fts_query, capped_count, newest_page_rowids  # noqa: E402

RESULTS = ROOT / "bench" / "results"
QUERIES = (
    ("van hoa", "folded"),
    ("văn hóa", "exact"),
    ("Đảng", "exact"),
    ("dang cong san", "folded"),
    ("Hồ Chí Minh", "exact"),
    ("công an", "exact"),
    ("chuyển đổi số", "exact"),
    (RARE, "exact, rare"),
)
KB_PER_ARTICLE = 15
VNARCHIVE = str(ROOT / ".venv" / "bin" / "vnarchive")
SQLITE_UTILS = str(ROOT / ".venv" / "bin" / "sqlite-utils")


def build_archive(path: Path, n: int, args: argparse.Namespace) -> dict:
    """``bulk_archive.build``: ``--sample`` articles through record_page (timed), the rest in bulk."""
    return bulk_archive.build(path, n, sample=args.sample, batch=args.batch, every=args.every)


# -- queries -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def summary_ms(samples: list[float]) -> dict:
    return {
        "p50_ms": round(1000 * statistics.median(samples), 1),
        "p95_ms": round(1000 * pct(samples, 0.95), 1),
        "max_ms": round(1000 * max(samples), 1),
    }


#: A query whose warm-up run takes longer than this is timed SLOW_REPS times only (bounded runs).
SLOW_S, SLOW_REPS = 2.0, 3


def timed(fn, reps: int) -> tuple[list[float], object]:
    t = time.perf_counter()
    out = fn()  # warm-up (page cache, statement cache), not counted
    if time.perf_counter() - t > SLOW_S:
        reps = min(reps, SLOW_REPS)
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - t)
    return samples, out


def api_timed(ds: Datasette, path: str, reps: int) -> dict:
    """Latency of one API request, with the errors (Datasette's time limit) counted, not raised."""
    answers: list[dict] = []

    def once() -> dict:
        answers.append(ds.get_json(path))
        return answers[-1]

    samples, last = timed(once, reps)
    errors = [a for a in answers[1:] if "_status" in a]
    out = {**summary_ms(samples), "errors": len(errors), "requests": len(samples)}
    if errors:
        out["error"] = f"HTTP {errors[0]['_status']}: {errors[0]['_error']}"
    if "rows" in last:
        out["rows"] = len(last["rows"])
        if "filtered_table_rows_count" in last:
            out["count"] = last["filtered_table_rows_count"]
        if last.get("facets_timed_out"):
            out["facets_timed_out"] = last["facets_timed_out"]
    return out


class Datasette:
    """``vnarchive serve`` on a free loopback port, for the JSON API; a context manager."""

    def __init__(self, db: Path) -> None:
        self.db = db
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc: subprocess.Popen | None = None
        self.conn: http.client.HTTPConnection | None = None

    def __enter__(self) -> Datasette:
        cmd = [VNARCHIVE, "serve", "--db", str(self.db), "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vnarchive serve exited: {self.proc.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.get("/-/versions.json")[0] == 200:
                    return self
            time.sleep(0.3)
        raise RuntimeError("vnarchive serve did not answer in 120 s")

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get_json(self, path: str) -> dict:
        """The JSON of a 200 answer; any other status is ``{"_status": N, "_error": ...}``.

        Datasette answers 400 "SQL query took too long" past sql_time_limit_ms (3 s here): that
        is a result to report, not a reason to stop.
        """
        status, body = self.get(path)
        if status != 200:
            try:
                error = json.loads(body).get("error", "")
            except ValueError:
                error = body[:200].decode("utf-8", "replace")
            return {"_status": status, "_error": re.sub(r"<[^>]+>|\s+", " ", str(error))[:120].strip()}
        return json.loads(body)

    def __exit__(self, *exc) -> None:
        if self.conn is not None:
            self.conn.close()
        if self.proc is not None:
            kill_group(self.proc)


def canned_sql(name: str) -> str:
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    return metadata["databases"]["archive"]["queries"][name]["sql"]


# Before issue 7's search work (commit 5f77e23), timed on the same file as "old": the SQL
# Datasette ran for the box (every column, as ``articles.json?_search=`` selected them), its count,
# its five metadata facets, and the ranked canned query.
OLD_MATCHES = "select rowid from articles_fts where articles_fts match escape_fts(:search)"
OLD_FROM = f"from articles where rowid in ({OLD_MATCHES})"
OLD_COUNT = f"select count(*) {OLD_FROM}"
OLD_FACETS = ("category", "author", "site", "published_year", "published_month")
OLD_RANKED = """
with ranked as (
  select a.rowid as id, round(bm25(articles_fts, 10.0, 3.0, 1.0, 10.0, 3.0, 1.0), 3) as score, a.published
  from articles_fts join articles a on a.rowid = articles_fts.rowid
  where articles_fts match escape_fts(:q)
  order by score, a.published desc
  limit 100
)
select a.published, a.title, a.url, a.category,
  (select vn_snippet(a.text, highlight(articles_fts, 2, char(1), char(2)),
                     highlight(articles_fts, 5, char(1), char(2)))
   from articles_fts where articles_fts match escape_fts(:q) and articles_fts.rowid = ranked.id) as snippet,
  ranked.score
from ranked join articles a on a.rowid = ranked.id
order by ranked.score, ranked.published desc
"""


def old_box_sql(columns: list[str]) -> str:
    return f"select {', '.join(f'[{c}]' for c in columns)} {OLD_FROM} order by published desc limit 51"


def old_facet_sqls(columns: list[str]) -> list[str]:
    inner = f"select {', '.join(f'[{c}]' for c in columns)} {OLD_FROM}"
    return [
        f"select [{c}] as value, count(*) as count from ({inner}) where [{c}] is not null "
        f"group by [{c}] order by count desc, value limit 31"
        for c in OLD_FACETS
    ]


def new_box(conn: sqlite3.Connection, columns: list[str], q: str) -> list[tuple]:
    """What the vnsearch plugin and Datasette run for a plain search: page rowids, count, rows."""
    match = build_fts_query(q)
    rowids = newest_page_rowids(conn, match, None, 50)
    capped_count(conn, match)
    sql = (
        f"select {', '.join(f'[{c}]' for c in columns)} from articles "
        "where rowid in (select value from json_each(?)) order by published desc limit 51"
    )
    return conn.execute(sql, [json.dumps(rowids)]).fetchall()


def measure_queries(db_path: Path, reps: int, old_reps: int) -> dict:
    """Latency of every query, old SQL and new, in SQLite directly and through Datasette's JSON API."""
    out: dict = {"queries": {}, "others_cores": {}}
    direct = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    for plugin in (vnsearch, vnresults):  # the SQL functions the canned queries call, as Datasette has them
        plugin.prepare_connection(direct)
    columns = [r[1] for r in direct.execute("pragma table_info(articles)")]
    url_at = columns.index("url")
    published_at = columns.index("published")
    ranked, months = canned_sql("search"), canned_sql("mentions_per_month")
    out["others_cores"]["start"] = others_cores()
    with Datasette(db_path) as ds:
        for q, kind in QUERIES:
            enc = urllib.parse.quote(q)
            params = {"search": q}
            r: dict = {"kind": kind, "fts_query": build_fts_query(q), "others_cores": others_cores()}
            if old_reps:
                s, count = timed(lambda: direct.execute(OLD_COUNT, params).fetchone()[0], old_reps)  # noqa: B023
                r["old_sqlite_count"] = {**summary_ms(s), "matches": count}
                s, old_rows = timed(lambda: direct.execute(old_box_sql(columns), params).fetchall(), old_reps)  # noqa: B023
                r["old_sqlite_box"] = {**summary_ms(s), "rows": len(old_rows)}
                facets = old_facet_sqls(columns)
                s, _ = timed(lambda: [direct.execute(f, params).fetchall() for f in facets], old_reps)  # noqa: B023
                r["old_sqlite_facets"] = {**summary_ms(s), "facets": len(facets)}
                s, old_ranked = timed(lambda: direct.execute(OLD_RANKED, {"q": q}).fetchall(), old_reps)  # noqa: B023
                r["old_sqlite_ranked"] = {**summary_ms(s), "rows": len(old_ranked)}
            else:  # the old SQL takes seconds per run at 1M: --old-reps 0 leaves it out
                count = direct.execute(
                    "select count(*) from articles_fts where articles_fts match escape_fts(:search)", params
                ).fetchone()[0]
                old_rows = old_ranked = None
            s, rows = timed(lambda: new_box(direct, columns, q), reps)  # noqa: B023
            r["sqlite_box"] = {**summary_ms(s), "rows": len(rows), "matches": count}
            if old_rows is not None:  # ties within a second may be cut differently at row 51, by either SQL
                r["sqlite_box"]["same_dates_as_old"] = [x[published_at] for x in rows] == [
                    x[published_at] for x in old_rows
                ]
                r["sqlite_box"]["same_urls_as_old"] = sorted(x[url_at] for x in rows[:-1]) == sorted(
                    x[url_at] for x in old_rows[:-1]
                )
            s, n = timed(lambda: capped_count(direct, build_fts_query(q)), reps)  # noqa: B023
            r["sqlite_capped_count"] = {**summary_ms(s), "counted": n}
            s, rows = timed(lambda: direct.execute(ranked, {"q": q}).fetchall(), reps)  # noqa: B023
            r["sqlite_ranked"] = {**summary_ms(s), "rows": len(rows), "ranked": rows[0][-1] if rows else None}
            if old_ranked is not None and count <= 20000:
                r["sqlite_ranked"]["same_urls_as_old"] = sorted(x[2] for x in rows) == sorted(
                    x[2] for x in old_ranked
                )
            s, rows = timed(lambda: direct.execute(months, {"q": q, "category": ""}).fetchall(), reps)  # noqa: B023
            r["sqlite_months"] = {**summary_ms(s), "months": len(rows), "articles": sum(x[1] for x in rows)}

            r["api_box"] = api_timed(ds, f"/archive/articles.json?_search={enc}", reps)
            first = ds.get_json(f"/archive/articles.json?_search={enc}")
            if first.get("next_url"):
                page2 = first["next_url"].split(str(ds.port), 1)[1]
                r["api_box_page2"] = api_timed(ds, page2, reps)
            r["api_box_description"] = first.get("human_description_en")
            r["api_ranked"] = api_timed(ds, f"/archive/search.json?q={enc}", reps)
            r["api_chart"] = api_timed(ds, f"/archive/mentions_per_month.json?q={enc}&category=", reps)
            out["queries"][q] = r
            old = {k: r.get(f"old_sqlite_{k}", {}).get("p95_ms", "-") for k in ("box", "ranked")}
            print(
                f"    {q!r:<18} matches {count:>8}: box old {old['box']} -> {r['sqlite_box']['p95_ms']} ms, "
                f"api box {r['api_box']['p95_ms']} ms, ranked old {old['ranked']} -> "
                f"{r['sqlite_ranked']['p95_ms']} ms, api ranked {r['api_ranked']['p95_ms']} ms (p95)",
                flush=True,
            )
    out["others_cores"]["end"] = others_cores()
    direct.close()
    return out


def others_cores() -> float:
    """Cores busy over one second while this benchmark waits: other sessions' load (shared machine)."""
    cpu = SystemCPU()
    time.sleep(1.0)
    return round(cpu.busy_since_start(), 2)


# -- CSV -------------------------------------------------------------------------------------


def measure_csv(db_path: Path, tmp: Path) -> dict:
    """archive.export's CSV writer vs sqlite-utils on the articles table, same run, same file."""
    out: dict = {}
    target = tmp / "export-articles"
    target.mkdir()
    saved = exporting.TABLES
    exporting.TABLES = ("articles",)  # the real writer, limited to one table
    try:
        with exporting.open_readonly(db_path) as conn:
            t = time.perf_counter()
            conn.execute("begin")
            files = exporting._write_csvs(conn, target)
            conn.execute("rollback")
            wall = time.perf_counter() - t
    finally:
        exporting.TABLES = saved
    entry = files["articles.csv"]
    out["archive_export"] = {
        "rows": entry["rows"],
        "seconds": round(wall, 2),
        "rows_per_s": round(entry["rows"] / wall),
        "mb": round(entry["bytes"] / 1e6, 1),
        "columns": len(entry["columns"]),
    }
    columns = entry["columns"]
    shutil.rmtree(target)
    for label, extra in (("sqlite_utils_all_columns", []), ("sqlite_utils_same_columns", columns)):
        dest = tmp / f"{label}.csv"
        cmd = [SQLITE_UTILS, "rows", str(db_path), "articles", "--csv"]
        for c in extra:
            cmd += ["-c", c]
        t = time.perf_counter()
        with dest.open("wb") as f:
            subprocess.run(cmd, stdout=f, check=True, timeout=7200)
        wall = time.perf_counter() - t
        with dest.open(newline="", encoding="utf-8") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1
        out[label] = {
            "rows": rows,
            "seconds": round(wall, 2),
            "rows_per_s": round(rows / wall),
            "mb": round(dest.stat().st_size / 1e6, 1),
        }
        dest.unlink()
    out["export_vs_sqlite_utils_same_columns"] = round(
        out["archive_export"]["rows_per_s"] / out["sqlite_utils_same_columns"]["rows_per_s"], 2
    )
    return out


# -- main ------------------------------------------------------------------------------------


def run_size(n: int, args: argparse.Namespace, workroot: Path) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"store-{n}-", dir=workroot))
    db_path = tmp / "archive.db"  # served at /archive, where metadata.yml expects it
    try:
        result: dict = {"articles": n}
        t = time.perf_counter()
        result["build"] = build_archive(db_path, n, args)
        result["build"]["total_s"] = round(time.perf_counter() - t, 1)
        print(f"  archive: {result['build']['db_gb']} GB; measuring queries ...", flush=True)
        result["search"] = measure_queries(db_path, args.reps, args.old_reps)
        if not args.no_csv:
            print("  measuring CSV ...", flush=True)
            result["csv"] = measure_csv(db_path, tmp)
        return result
    finally:
        if args.keep:
            print(f"  kept {db_path}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def api(m: dict) -> str:
    """p95 in ms, with "!N" when N requests failed (Datasette's 3 s time limit)."""
    return f"{m['p95_ms']}" + (f"!{m['errors']}" if m.get("errors") else "")


def print_tables(results: dict) -> None:
    for r in results["runs"]:
        if "skipped" in r:
            print(f"\n{r['articles']} articles: skipped ({r['skipped']})")
            continue
        b = r["build"]
        if b:
            print(
                f"\n{r['articles']:,} articles, {b['db_gb']} GB: record_page {b['record_page']['per_s']} "
                f"articles/s (one transaction per page, with body), bulk {b['bulk']['per_s']} articles/s"
            )
        else:
            print(f"\n{r['articles']:,} articles ({r.get('db')})")
        print(
            "p95 ms, old SQL (before the search work) -> new, same file; API = vnarchive serve as it is now"
        )
        print(
            f"{'query':<16} {'matches':>8} | {'box old':>8} {'new':>6} {'count old':>9} {'capped':>6} "
            f"{'facets old':>10} {'chart':>6} | {'ranked old':>10} {'new':>6} | {'api box':>7} {'page 2':>6} "
            f"{'ranked':>6} {'chart':>6} | others"
        )
        for q, s in r["search"]["queries"].items():
            page2 = s.get("api_box_page2")
            for k in ("count", "box", "facets", "ranked"):
                s.setdefault(f"old_sqlite_{k}", {"p95_ms": "-"})
            s["old_sqlite_count"].setdefault("matches", s["sqlite_box"].get("matches"))
            print(
                f"{q:<16} {s['old_sqlite_count']['matches']:>8} | {s['old_sqlite_box']['p95_ms']:>8} "
                f"{s['sqlite_box']['p95_ms']:>6} {s['old_sqlite_count']['p95_ms']:>9} "
                f"{s['sqlite_capped_count']['p95_ms']:>6} {s['old_sqlite_facets']['p95_ms']:>10} "
                f"{s['sqlite_months']['p95_ms']:>6} | {s['old_sqlite_ranked']['p95_ms']:>10} "
                f"{s['sqlite_ranked']['p95_ms']:>6} | {api(s['api_box']):>7} {api(page2) if page2 else '-':>6} "
                f"{api(s['api_ranked']):>6} {api(s['api_chart']):>6} | {s['others_cores']}"
            )
        print("(!N: N requests answered an error; others: cores busy outside this benchmark, 1 s sample)")
        if "csv" not in r:
            continue
        c = r["csv"]
        print(
            f"CSV articles: archive.export {c['archive_export']['rows_per_s']:,} rows/s; sqlite-utils "
            f"{c['sqlite_utils_all_columns']['rows_per_s']:,} rows/s (all columns), "
            f"{c['sqlite_utils_same_columns']['rows_per_s']:,} rows/s (export's columns): "
            f"{c['export_vs_sqlite_utils_same_columns']}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--with-1m", action="store_true", help="add 1,000,000 articles (hours, ~15 GB)")
    parser.add_argument(
        "--sample", type=int, default=2000, help="articles through record_page (default 2000)"
    )
    parser.add_argument("--batch", type=int, default=5000, help="articles per bulk transaction")
    parser.add_argument(
        "--every", type=int, default=100, help="re-visit every N-th article through record_page (0: none)"
    )
    parser.add_argument("--reps", type=int, default=10, help="timed runs per query (after one warm-up)")
    parser.add_argument(
        "--old-reps", type=int, default=3, help="timed runs of the old (slow) SQL per query; 0: leave it out"
    )
    parser.add_argument("--no-csv", action="store_true", help="skip the CSV measurement")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--db",
        type=Path,
        help="measure queries and CSV on this existing archive (named archive.db); no build",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "store_scale.json")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes + ([1_000_000] if args.with_1m else [])))
    RESULTS.mkdir(parents=True, exist_ok=True)
    workroot = RESULTS
    results: dict = {"machine": machine(), "sqlite": sqlite3.sqlite_version, "runs": []}

    if args.db:
        conn = sqlite3.connect(args.db)
        n = conn.execute("select count(*) from articles").fetchone()[0]
        conn.close()
        print(f"measuring {args.db} ({n:,} articles) ...", flush=True)
        with tempfile.TemporaryDirectory(dir=workroot) as tmp:
            run = {"articles": n, "db": str(args.db), "build": None}
            run["search"] = measure_queries(args.db, args.reps, args.old_reps)
            if not args.no_csv:
                run["csv"] = measure_csv(args.db, Path(tmp))
        results["runs"].append(run)
        print_tables(results)
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"written: {args.out}")
        return 0

    with tempfile.TemporaryDirectory(dir=workroot) as tmp:
        problems = bulk_archive.self_check(Path(tmp), [q for q, _ in QUERIES])
    results["self_check"] = problems or "ok: record_page and bulk rows identical"
    print(f"self-check (record_page vs bulk path, 40 articles): {results['self_check']}", flush=True)
    if problems:
        print("\n".join(problems))
        return 1

    for n in sizes:
        free = shutil.disk_usage(workroot).free
        need = n * KB_PER_ARTICLE * 1024 * 1.5  # CSVs need room too
        if free < need:
            results["runs"].append(
                {"articles": n, "skipped": f"needs ~{need / 1e9:.0f} GB, {free / 1e9:.0f} GB free"}
            )
            print(f"skipping {n}: {results['runs'][-1]['skipped']}")
            continue
        print(f"building an archive of {n:,} articles ...", flush=True)
        results["runs"].append(run_size(n, args, workroot))
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print_tables(results)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
