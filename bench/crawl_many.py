"""Many portals at once (issue 15): ``vnarchive crawl --all`` over K replica portals in one process.

What it measures, for each K of ``--portals``: K replica portals of ``--articles`` articles each
(``python -m replica``, one process per portal, seeds 0..K-1), listed in a generated sites file
(``VNARCHIVE_SITES``), crawled at once into a fresh archive as an operator runs it (``vnarchive
crawl --all --db PATH --fast --quiet``). Reported:

- the process tree: its peak summed VmRSS (sampled from /proc every 0.25 s), the VmHWM of the
  Scrapy process and of the largest extraction worker, the most processes alive at once and how
  many were started, by role: memory must not grow with K beyond the Scrapy process's own
  per-portal state; beside them the same peaks of RssAnon, the memory the processes own (VmRSS
  also counts the archive's pages SQLite maps, which placement after each run touches by the
  hundreds of megabytes);
- pages (every fetch the runs recorded), articles, pages/s over the command's wall time;
- CPU of the crawl tree (user+sys, ``getrusage(RUSAGE_CHILDREN)`` around the run) per page, and
  the replicas' CPU beside it (same 2 cores, not counted as the crawl's);
- with ``--extract-alone``: ``archive.extract.extract`` in this process over the very pages the
  crawl extracted (read back from the archive), CPU time only, and the crawl's CPU against it.
  The crawl's tree CPU over the extraction's CPU is the cost of everything that is not
  extraction (fetching, parsing links, the pipeline, the store); the goal is 1.3x or less.

The portals' texts: by default each replica portal (seed i) serves bodies composed for it
(``python -m replica --texts distinct``), 10% of them copies of an original shared with the
portals that pick the same one (``--syndication 0.1``: about 0.1 x K copies per original, as the
propagation bench's corpus has 0-4); ``--shared-texts`` serves the replica's default text bank,
where every article is a near-duplicate of the other variants of its base on every portal, and
placement after each run (``PROPAGATE_AFTER_RUN``) builds clusters of hundreds.

Usage::

    .venv/bin/python bench/crawl_many.py --portals 1 10 50 --articles 100       # memory in K
    .venv/bin/python bench/crawl_many.py --portals 20 --articles 500 --extract-alone
    .venv/bin/python bench/crawl_many.py --portals 10 --code "$before"         # another checkout (a mktemp -d)

``--code DIR`` runs the crawl from another checkout of the project (``git archive COMMIT | tar
-x -C DIR``) with this virtualenv, for before/after figures on one machine. Archives go to a
temporary directory under bench/results/ (deleted unless ``--keep``); writes
bench/results/crawl_many.json (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proc import (  # noqa: E402
    ROOT,
    Replica,
    SystemCPU,
    TreeSampler,
    kill_group,
    load_average,
    machine,
    tree,
)

RESULTS = ROOT / "bench" / "results"
VNARCHIVE = str(ROOT / ".venv" / "bin" / "vnarchive")
#: The captures the extraction pipeline hands to the extractor (crawler.pipelines.ExtractPipeline).
EXTRACTED = (
    "select c.final_url, c.content_type, c.sha256 from captures c where c.status = 200 and c.sha256 is not null"
    " and c.kind in ('article', 'page', 'listing') and (c.error is null or c.error like 'extraction failed%')"
)


def classify(cmd: str) -> str:
    if "multiprocessing.resource_tracker" in cmd:
        return "resource_tracker"
    if "multiprocessing" in cmd or "spawn_main" in cmd:
        return "worker"
    if "crawler.many" in cmd or "scrapy" in cmd:
        return "scrapy"
    if "vnarchive" in cmd:
        return "vnarchive"
    return "other"


class CountingSampler(TreeSampler):
    """TreeSampler that also keeps the most processes of the tree alive in one sample."""

    def __init__(self, root: int, classify) -> None:
        super().__init__(root, classify)
        self.peak_alive = 0

    def sample(self) -> None:
        # A worker seen between its fork and its exec still shows the crawl's command line: the
        # roles of the processes alive are read again at every sample.
        alive = tree(self.root)
        seen = {pid: self.roles.pop(pid) for pid in alive if pid in self.roles}
        super().sample()
        for pid, role in seen.items():
            if self.roles.get(pid, "other") == "other":  # exiting: its command line is already empty
                self.roles[pid] = role
        self.peak_alive = max(self.peak_alive, len(alive))


def replica_texts(args: argparse.Namespace) -> tuple[str, ...]:
    """The replica options that choose the portals' texts."""
    if args.shared_texts:
        return ()
    return ("--texts", "distinct", "--syndication", str(args.syndication))


def start_replicas(stack: ExitStack, k: int, articles: int, texts: tuple[str, ...] = ()) -> list[Replica]:
    """K replica processes, started and stopped side by side (each takes a moment)."""
    replicas = [Replica(articles, extra=("--seed", str(i), *texts)) for i in range(k)]

    def stop_all() -> None:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda r: r.__exit__(None, None, None), replicas))

    stack.callback(stop_all)
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda r: r.__enter__(), replicas))


def run_k(k: int, args: argparse.Namespace, workdir: Path) -> dict:
    """One ``crawl --all`` of K fresh replica portals into a fresh archive."""
    db = workdir / f"many-{k}.db"
    sites = workdir / f"sites-{k}.toml"
    with ExitStack() as stack:
        replicas = start_replicas(stack, k, args.articles, replica_texts(args))
        sites.write_text(
            "".join(
                f'[replica-{i:02d}]\nbase_url = "{r.url}"\ngroup = "bench"\n\n'
                for i, r in enumerate(replicas)
            ),
            encoding="utf-8",
        )
        cmd = [VNARCHIVE, "crawl", "--all", "--db", str(db), "--fast", "--quiet", "-s", "PROGRESS=never"]
        for setting in args.set or ():
            cmd += ["-s", setting]
        env = {**os.environ, "SCRAPY_LOG_LEVEL": "WARNING", "VNARCHIVE_SITES": str(sites)}
        if args.code:
            env["PYTHONPATH"] = str(args.code)
        replica_cpu0 = sum(r.cpu_seconds() for r in replicas)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        system, self_cpu0, load_before = SystemCPU(), time.process_time(), load_average()
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=args.code or ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        sampler = CountingSampler(proc.pid, classify)
        sampler.start()
        timed_out = False
        try:
            out, err = proc.communicate(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc)
            out, err = proc.communicate()
        wall = time.perf_counter() - started
        sampler.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        replica_cpu = sum(r.cpu_seconds() for r in replicas) - replica_cpu0
        machine_busy = system.busy_since_start()
        self_cpu = time.process_time() - self_cpu0
    crawl_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    conn = sqlite3.connect(db)
    try:
        runs = conn.execute("select status, pages_fetched, articles_new, failures from crawl_runs").fetchall()
        articles = conn.execute("select count(*) from articles").fetchone()[0]
    finally:
        conn.close()
    pages = sum(r[1] or 0 for r in runs)
    others = max(0.0, machine_busy - crawl_cpu - replica_cpu - self_cpu)
    result = {
        "portals": k,
        "articles_per_portal": args.articles,
        "exit_code": proc.returncode,
        "timed_out": timed_out,
        "runs_ok": sum(1 for r in runs if r[0] == "ok"),
        "runs": len(runs),
        "pages": pages,
        "articles_in_archive": articles,
        "failures": sum(r[3] or 0 for r in runs),
        "wall_s": round(wall, 2),
        "pages_per_s": round(pages / wall, 1),
        "crawl_cpu_s": round(crawl_cpu, 2),
        "ms_cpu_per_page": round(1000 * crawl_cpu / max(pages, 1), 2),
        "replica_cpu_s": round(replica_cpu, 1),
        "others_cores_busy": round(others / wall, 2),
        "load_average_before": load_before,
        "peak_tree_rss_mb": round(sampler.peak_tree_rss_kb / 1024, 1),
        "peak_hwm_mb_by_role": {r: round(v / 1024, 1) for r, v in sorted(sampler.peak_by_role().items())},
        "peak_tree_anon_mb": round(sampler.peak_tree_anon_kb / 1024, 1),
        "peak_anon_mb_by_role": {
            r: round(v / 1024, 1) for r, v in sorted(sampler.peak_by_role("anon").items())
        },
        "peak_processes_alive": sampler.peak_alive,
        "processes_started_by_role": sampler.count_by_role(),
        "cpu_s_by_role": {r: round(v, 1) for r, v in sorted(sampler.cpu_by_role().items())},
        "scrapy_main_thread_cpu_s": round(sampler.main_thread_cpu_by_role().get("scrapy", 0.0), 1),
    }
    if proc.returncode != 0 or timed_out:
        result["stderr_tail"] = (err or "")[-2000:]
    result["summary_tail"] = (out or "").strip()[-300:]
    if args.extract_alone:
        result["extract_alone"] = extract_alone(db, args.code)
        result["crawl_vs_extract_cpu"] = round(crawl_cpu / result["extract_alone"]["cpu_s"], 2)
    return result


def extract_alone(db: Path, code: Path | None = None) -> dict:
    """``archive.extract.extract`` over the pages the crawl extracted, in this process: CPU seconds.

    The extractor is the crawl's own: that of ``--code`` when given (imported once per process:
    one code tree per invocation)."""
    sys.path.insert(0, str(code or ROOT))
    from archive import store
    from archive.extract import extract

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    archive = store.open_db(db, create=False)
    rows = conn.execute(EXTRACTED).fetchall()
    for url, content_type, digest in rows[:20]:  # warm-up: imports, caches
        extract(store.load_body(archive, digest), url, content_type=content_type)
    cpu = 0.0
    for url, content_type, digest in rows:
        body = store.load_body(archive, digest)
        cpu0 = time.process_time()
        extract(body, url, content_type=content_type)
        cpu += time.process_time() - cpu0
    conn.close()
    archive.close()
    return {
        "pages": len(rows),
        "cpu_s": round(cpu, 2),
        "ms_cpu_per_page": round(1000 * cpu / max(len(rows), 1), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--portals", type=int, nargs="+", default=[1, 10, 50], help="values of K")
    parser.add_argument("--articles", type=int, default=100, help="articles per portal")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="extra Scrapy setting")
    parser.add_argument("--extract-alone", action="store_true", help="compare with extraction alone")
    parser.add_argument(
        "--syndication",
        type=float,
        default=0.1,
        metavar="RATE",
        help="fraction of each portal's articles republishing a shared original (default 0.1: about"
        " 0.1 x K copies of each; K=20: 2, mostly 0-4, as the propagation bench's corpus)",
    )
    parser.add_argument(
        "--shared-texts",
        action="store_true",
        help="the replica's shared text bank instead: every article a near-duplicate of the other"
        " variants of its base on every portal (clusters of hundreds at 20 x 500)",
    )
    parser.add_argument("--code", type=Path, help="run the crawl from this checkout of the project")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per crawl")
    parser.add_argument("--keep", action="store_true", help="keep the archives")
    parser.add_argument("--out", type=Path, default=RESULTS / "crawl_many.json")
    args = parser.parse_args(argv)

    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="crawl_many-", dir=RESULTS))
    results: dict = {
        "machine": machine(),
        "code": str(args.code or ROOT),
        "settings": args.set or [],
        "replica_texts": list(replica_texts(args)) or ["shared"],
        "runs": [],
    }
    try:
        for k in args.portals:
            print(f"crawling {k} replica portals of {args.articles} articles at once ...", flush=True)
            r = run_k(k, args, workdir)
            results["runs"].append(r)
            print(f"  {json.dumps({x: y for x, y in r.items() if x != 'summary_tail'})}", flush=True)
            args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    finally:
        if args.keep:
            print(f"archives kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    m = results["machine"]
    print(f"\nmachine: {m['cpus']} CPUs ({m['cpu_model']}), commit {m['commit']}, code {results['code']}")
    print(
        f"{'K':>3} {'runs ok':>7} {'pages':>6} {'wall s':>7} {'pages/s':>7} {'ms CPU/page':>11} "
        f"{'tree RSS MB':>11} {'scrapy HWM':>10} {'worker HWM':>10} {'tree anon':>9} {'scrapy anon':>11} "
        f"{'procs alive':>11} {'workers started':>15} "
        f"{'others cores':>12}"
    )
    for r in results["runs"]:
        peaks = r["peak_hwm_mb_by_role"]
        print(
            f"{r['portals']:>3} {r['runs_ok']:>3}/{r['runs']:<3} {r['pages']:>6} {r['wall_s']:>7} "
            f"{r['pages_per_s']:>7} {r['ms_cpu_per_page']:>11} {r['peak_tree_rss_mb']:>11} "
            f"{peaks.get('scrapy', 0):>10} {peaks.get('worker', 0):>10} {r['peak_tree_anon_mb']:>9} "
            f"{r['peak_anon_mb_by_role'].get('scrapy', 0):>11} {r['peak_processes_alive']:>11} "
            f"{r['processes_started_by_role'].get('worker', 0):>15} {r['others_cores_busy']:>12}"
        )
        if "extract_alone" in r:
            e = r["extract_alone"]
            print(
                f"    extraction alone: {e['pages']} pages, {e['cpu_s']} CPU s ({e['ms_cpu_per_page']} ms/page); "
                f"crawl tree {r['crawl_cpu_s']} CPU s: {r['crawl_vs_extract_cpu']}x (goal <= 1.3x)"
            )
    print("others cores: CPU used meanwhile by processes outside this benchmark (other sessions), in cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
