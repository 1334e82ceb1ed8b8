"""Load on the public Datasette: concurrent searches and table views against a real ``vnarchive serve``.

What it measures: the latency (p50/p95/p99) and the errors of requests that a public instance
answers all day, sent by a pool of threads over loopback, and the server's resident memory (VmRSS
from /proc/<pid>/status) at the start, the middle and the end, so that a leak shows as growth.

The requests, in a fixed round-robin so every run sends the same mix:

- ``search``: the articles table with ``?_search=`` (the search box; the vnsearch plugin turns
  accented terms into an exact phrase and unaccented ones into a loose one);
- ``ranked``: the ranked canned query ``/<db>/search.json?q=`` (BM25 plus highlighted snippets);
- ``table``: the articles table, plain, faceted, filtered by category, sorted, paged;

each with a fixed list of Vietnamese queries, with and without diacritics. HTML pages (what a
browser gets, facets and chart script included) and ``.json`` are both requested.

Bounded: ``--threads`` x ``--requests`` requests at most, stopped early at ``--seconds``; the
server listens on 127.0.0.1 only and is stopped at the end. The archive is ``--db`` (served live,
``vnarchive serve --db``), ``--snapshot DIR`` (a ``vnarchive snapshot`` directory, served
immutable with ``vnarchive serve --snapshot``, as a public copy is) or, by default, a fresh one of
``--articles`` replica articles written through the store (kept under bench/results/ for the next
run).

The machine is shared: over the load phase it also reports the load average and the cores busy,
split into the server (its process tree), this bench's own client threads, and the rest of the
machine (other sessions).

``--hostile N`` adds N attacking threads for the whole load phase, sending without pause what
issue 13 found: prefix storms in the search box and the ranked query (22 and 110 prefixes,
refused at once), the widest searches still allowed (two 2-letter prefixes, run under the time
limit), and huge arguments to escape_fts()/vn_snippet() in custom SQL. Their answers (400, a
refusal, or 503, the server shedding expensive requests, are expected; so is 200 for the wide
searches) are reported as ``hostile ...`` rows with a count per status, apart from the normal
traffic, and the verdict line adds the normal requests' p95 while attacked.

It asserts nothing: it prints a table and a verdict line ``errors: N, memory growth: X%``, and
writes bench/results/load_datasette.json.

Usage::

    .venv/bin/python bench/load_datasette.py [--db data/archive.db | --snapshot DIR] [--articles 2000]
        [--threads 8] [--requests 150] [--seconds 120] [--hostile 3] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _proc import SystemCPU, cpu_seconds, kill_group, load_average, tree  # noqa: E402

from archive import export, runs, serve, store  # noqa: E402
from replica import build_site  # noqa: E402

RESULTS = ROOT / "bench" / "results"
VNARCHIVE = Path(sys.executable).with_name("vnarchive")

#: Searches a reader of the archive types: exact (with diacritics) and folded (without).
QUERIES = [
    "Đảng",
    "dang",
    "văn hóa",
    "van hoa",
    "Hồ Chí Minh",
    "ho chi minh",
    "tư tưởng",
    "tu tuong",
    "nền tảng tư tưởng của Đảng",
    "nen tang tu tuong",
    "công an",
    "cong an",
    "chuyển đổi số",
    "chuyen doi so",
    "tham nhũng, tiêu cực",
    "tham nhung",
    '"Bộ Chính trị"',
    "Quốc hội AND đại biểu",
    "xuyên tạc OR phản bác",
    "thanh niên NOT học sinh",
    "tuyên truyền*",
    "Hà Nội",
]


STORM_22 = " ".join(f"{c}{c}*" for c in "abcdeghiklmnopqrstuvxy")
STORM_110 = " ".join(f"{a}{b}*" for a in "abcdeghik" for b in "aeiouynhgt")[:806]


def hostile_mix(db_name: str) -> list[tuple[str, str, dict]]:
    """What an attacker sends: issue 13's prefix storms and huge SQL-function arguments."""
    table, query = f"/{db_name}/articles", f"/{db_name}"
    return [
        ("hostile storm", table, {"_search": STORM_22}),
        ("hostile storm", table + ".json", {"_search": STORM_110}),
        ("hostile storm", f"{query}/search.json", {"q": STORM_22}),
        ("hostile wide", table + ".json", {"_search": "ng* OR th*"}),
        ("hostile wide", f"{query}/search.json", {"q": "ng* OR th*"}),
        (
            "hostile huge",
            query + ".json",
            {"sql": "select length(escape_fts(printf('%.*c', 100000000, 'a')))"},
        ),
        (
            "hostile huge",
            query + ".json",
            {
                "sql": "select length(vn_snippet(printf('%.*c', 50000000, 'a'), null, char(1) || 'a' || char(2)))"
            },
        ),
    ]


# -- the archive ------------------------------------------------------------------------------------


def build_archive(path: Path, n_articles: int) -> Path:
    """``n_articles`` replica articles written through the store, as one crawl run."""
    site = build_site(n_articles=n_articles)
    db = store.open_db(path)
    run = runs.start_run(db, "tuyengiao", "http://127.0.0.1:8765")
    fetched = datetime(2024, 6, 1, tzinfo=UTC)
    for i, a in enumerate(site.articles):
        url = f"http://127.0.0.1:8765{a.path}"
        record = {
            "site": "tuyengiao",
            "title": a.title,
            "lead": a.lead,
            "text": "\n\n".join(a.paragraphs),
            "author": a.author,
            "source": a.source,
            "category": a.category.name,
            "tags": list(a.tags),
            "images": [{"src": img.src, "caption": img.caption} for img in a.images],
            "related": [],
            "published": a.published.isoformat(),
            "published_source": "css:.date",
            "published_raw": a.published.strftime("%d/%m/%Y %H:%M"),
            "modified": None,
            "language": "vi",
            "canonical_url": url,
            "flags": [],
            "extractor": "bench",
            "extractor_version": "1",
        }
        page = {
            "url": url,
            "status": 200,
            "kind": "article",
            "body": f"<html><body><h1>{a.title}</h1></body></html>".encode(),
            "headers": {"Content-Type": "text/html; charset=utf-8"},
            "fetched_at": (fetched + timedelta(seconds=i)).isoformat(),
        }
        store.record_page(db, page, record, run_id=run)
    runs.finish_run(db, run, status="finished", exit_code=0, stats={})
    db.conn.close()
    return path


# -- the server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc/<pid>/status (KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def start_server(db: Path, port: int, snapshot: Path | None = None) -> subprocess.Popen:
    """``vnarchive serve`` on 127.0.0.1: the live ``db``, or the ``snapshot`` directory (immutable)."""
    source = ["--snapshot", str(snapshot)] if snapshot else ["--db", str(db)]
    proc = subprocess.Popen(
        [str(VNARCHIVE), "serve", *source, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            kill_group(proc)
            raise SystemExit(f"vnarchive serve did not start (exit code {proc.returncode})")
        time.sleep(0.2)


# -- the load ------------------------------------------------------------------------------------------


def request_mix(db_name: str, categories: list[str]) -> list[tuple[str, str, dict]]:
    """(kind, path, params) in a fixed order: every query as search box and ranked, plus table views."""
    table = f"/{db_name}/articles"
    mix = []
    for i, q in enumerate(QUERIES):
        fmt = ".json" if i % 2 else ""  # half HTML pages (facets, chart script), half JSON
        kind = "json" if fmt else "html"
        mix.append((f"search {kind}", table + fmt, {"_search": q}))
        mix.append(("ranked json", f"/{db_name}/search.json", {"q": q}))
        category = categories[i % len(categories)] if categories else ""
        views = [
            {},
            {"_facet": "author"},
            {"category": category},
            {"_sort": "title", "_size": "100"},
            {"published_year": "2023", "_sort_desc": "published"},
        ]
        mix.append((f"table {kind}", table + fmt, views[i % len(views)]))
    return mix


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_load(
    base: str,
    mix,
    threads: int,
    per_thread: int,
    seconds: float,
    on_half,
    hostile=(),
    hostile_threads: int = 0,
) -> dict:
    """Each thread sends ``per_thread`` requests from the mix (staggered), stopping at ``seconds``.

    Meanwhile ``hostile_threads`` threads send the ``hostile`` mix without pause until the
    normal threads are done.
    """
    results: list[tuple[str, float, int | str]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    total = threads * per_thread
    half = threading.Event()
    done = threading.Event()

    def attacker(index: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            for kind, path, params in itertools.islice(itertools.cycle(hostile), index, None):
                if done.is_set():
                    return
                t0 = time.perf_counter()
                try:
                    outcome: int | str = client.get(path, params=params).status_code
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                with lock:
                    results.append((kind, time.perf_counter() - t0, outcome))

    def worker(index: int) -> None:
        start = (index * len(mix)) // threads
        with httpx.Client(base_url=base, timeout=30) as client:
            for kind, path, params in itertools.islice(itertools.cycle(mix), start, start + per_thread):
                if time.monotonic() > deadline:
                    return
                t0 = time.perf_counter()
                try:
                    r = client.get(path, params=params)
                    r.read()
                    outcome: int | str = r.status_code
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                elapsed = time.perf_counter() - t0
                with lock:
                    results.append((kind, elapsed, outcome))
                    if len(results) >= total // 2 and not half.is_set():
                        half.set()
                        on_half()

    t_start = time.monotonic()
    with ThreadPoolExecutor(max(hostile_threads, 1)) as attackers:
        attacks = [attackers.submit(attacker, i) for i in range(hostile_threads if hostile else 0)]
        try:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(worker, range(threads)))
        finally:
            done.set()
        for attack in attacks:
            attack.result()
    wall = time.monotonic() - t_start
    return {"results": results, "wall_s": wall, "stopped_by_time_cap": time.monotonic() > deadline}


def summarise(results) -> dict[str, dict]:
    """Per kind; "all" is the normal traffic only. A hostile request may be answered 200, 400 or 503."""
    kinds = sorted({k for k, _, _ in results})
    rows = {}
    for kind in [*kinds, "all"]:
        sel = [(t, o) for k, t, o in results if k == kind or (kind == "all" and not k.startswith("hostile"))]
        expected = (200, 400, 503) if kind.startswith("hostile") else (200,)
        ok = [t * 1000 for t, o in sel if o in expected]
        errors = [o for _, o in sel if o not in expected]
        rows[kind] = {
            "requests": len(sel),
            "errors": len(errors),
            "error_kinds": sorted({str(e) for e in errors}),
            "p50_ms": round(percentile(ok, 50), 1),
            "p95_ms": round(percentile(ok, 95), 1),
            "p99_ms": round(percentile(ok, 99), 1),
            "max_ms": round(max(ok), 1) if ok else None,
            "mean_ms": round(statistics.fmean(ok), 1) if ok else None,
            "statuses": {
                str(o): sum(1 for _, x in sel if x == o) for o in sorted({o for _, o in sel}, key=str)
            },
        }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--db", type=Path, help="An existing archive (default: build one of --articles)")
    source.add_argument(
        "--snapshot", type=Path, help="A snapshot directory (vnarchive snapshot), served immutable"
    )
    parser.add_argument("--articles", type=int, default=2000, help="Size of the generated archive")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=150, help="Requests per thread (at most)")
    parser.add_argument("--seconds", type=float, default=120, help="Time cap of the load phase")
    parser.add_argument("--hostile", type=int, default=0, help="Attacking threads beside the load (0-8)")
    parser.add_argument("--out", type=Path, default=RESULTS / "load_datasette.json", help="JSON results")
    args = parser.parse_args()
    if not 0 <= args.hostile <= 8:
        parser.error("keep it bounded: 0-8 hostile threads")
    if not 1 <= args.threads <= 64 or not 1 <= args.requests <= 10_000 or not 0 < args.seconds <= 1800:
        parser.error("keep it bounded: 1-64 threads, 1-10000 requests each, at most 1800 s")

    RESULTS.mkdir(parents=True, exist_ok=True)
    built_s = None
    if args.snapshot:
        db = args.snapshot / export.DATABASE_FILE
    elif args.db:
        db = args.db
    else:
        db = RESULTS / f"load-archive-{args.articles}.db"
        if not db.exists():
            print(f"building {db} ({args.articles} replica articles through the store)...", flush=True)
            t0 = time.monotonic()
            build_archive(db, args.articles)
            built_s = round(time.monotonic() - t0, 1)
    serve.check_database(db)
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)  # never migrate --db
    n_articles = conn.execute("select count(*) from articles").fetchone()[0]
    categories = [r[0] for r in conn.execute("select distinct category from articles order by 1")]
    conn.close()
    mix = request_mix(db.stem, categories)

    port = free_port()
    proc = start_server(db, port, args.snapshot)
    base = f"http://127.0.0.1:{port}"
    rss: dict[str, int] = {}
    try:
        rss["start"] = rss_kib(proc.pid)
        with httpx.Client(base_url=base, timeout=60) as warm:  # one pass, not timed: caches, imports
            for _, path, params in mix:
                warm.get(path, params=params)
        rss["after_warmup"] = rss_kib(proc.pid)
        # CPU over the load phase: the server's tree, this process (the client threads), the machine.
        server_pids = tree(proc.pid)
        cpu0 = {"server": sum(cpu_seconds(p) for p in server_pids), "clients": time.process_time()}
        machine_cpu, load0, t0 = SystemCPU(), load_average(), time.monotonic()
        load = run_load(
            base,
            mix,
            args.threads,
            args.requests,
            args.seconds,
            on_half=lambda: rss.setdefault("middle", rss_kib(proc.pid)),
            hostile=hostile_mix(db.stem),
            hostile_threads=args.hostile,
        )
        spent = time.monotonic() - t0
        busy = machine_cpu.busy_since_start()
        server_s = sum(cpu_seconds(p) for p in server_pids) - cpu0["server"]
        clients_s = time.process_time() - cpu0["clients"]
        cores = {
            "server": round(server_s / spent, 2),
            "clients": round(clients_s / spent, 2),
            "others": round(max(busy - server_s - clients_s, 0.0) / spent, 2),
            "machine": round(busy / spent, 2),
        }
        loadavg = {"start": load0, "end": load_average()}
        rss["end"] = rss_kib(proc.pid)
    finally:
        kill_group(proc)

    rows = summarise(load["results"])
    growth = 100 * (rss["end"] - rss["after_warmup"]) / rss["after_warmup"]
    print()
    print(f"archive {db} ({n_articles} articles, {db.stat().st_size / 1e6:.1f} MB)")
    print(
        f"{args.threads} threads x {args.requests} requests, {len(load['results'])} sent in "
        f"{load['wall_s']:.1f} s ({len(load['results']) / load['wall_s']:.0f} req/s)"
        + (", stopped by the time cap" if load["stopped_by_time_cap"] else "")
    )
    print()
    print(f"{'kind':<16}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, row in rows.items():
        print(
            f"{kind:<16}{row['requests']:>9}{row['errors']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['p99_ms']:>9}{row['max_ms']!s:>9}"
        )
    for kind, row in rows.items():
        if kind.startswith("hostile"):
            print(f"{kind} answers: " + ", ".join(f"{n} x {status}" for status, n in row["statuses"].items()))
    print()
    print("server RSS (MiB): " + ", ".join(f"{k} {v / 1024:.1f}" for k, v in rss.items()))
    normal = rows["all"]["requests"]
    print(
        f"cores busy over the load ({os.cpu_count()} on the machine): server {cores['server']}, "
        f"bench clients {cores['clients']}, others {cores['others']}; load average "
        f"{loadavg['start']:.1f} -> {loadavg['end']:.1f}; normal requests {normal / load['wall_s']:.1f}/s"
        + (f", {normal / server_s:.1f} per server CPU second" if server_s else "")
    )
    second_half = 100 * (rss["end"] - rss["middle"]) / rss["middle"] if "middle" in rss else float("nan")
    print(
        f"errors: {rows['all']['errors']}, memory growth: {growth:.1f}%  "
        f"(end vs after warm-up; {second_half:.1f}% over the second half of the load)"
    )
    if args.hostile:
        print(
            f"under attack by {args.hostile} threads: normal requests p95 {rows['all']['p95_ms']} ms "
            f"(target under 1000 ms), {rows['all']['errors']} errors"
        )

    out = args.out
    out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "archive": {
                    "path": str(db),
                    "snapshot": str(args.snapshot) if args.snapshot else None,
                    "articles": n_articles,
                    "bytes": db.stat().st_size,
                    "built_s": built_s,
                },
                "settings": serve.SETTINGS,
                "threads": args.threads,
                "requests_per_thread": args.requests,
                "time_cap_s": args.seconds,
                "hostile_threads": args.hostile,
                "sent": len(load["results"]),
                "wall_s": round(load["wall_s"], 2),
                "stopped_by_time_cap": load["stopped_by_time_cap"],
                "latency": rows,
                "rss_kib": rss,
                "cores_busy": cores,
                "server_cpu_s": round(server_s, 1),
                "load_average": loadavg,
                "memory_growth_pct": round(growth, 1),
                "memory_growth_second_half_pct": round(second_half, 1),
                "queries": QUERIES,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
