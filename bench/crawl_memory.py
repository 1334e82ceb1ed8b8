"""What holds the crawl's memory as the site grows: probes inside the Scrapy process during a crawl.

``crawl_scale.py`` says how much the Scrapy process peaks at (VmHWM); this says why. It runs the
same first crawl (``scrapy crawl tuyengiao`` with ``FAST_SETTINGS`` and two extraction workers)
of a fresh replica of N articles, with ``MemoryProbe``, a Scrapy extension defined below and
enabled with ``-s EXTENSIONS=...``, which every ``--interval`` seconds records in the Scrapy
process:

- VmRSS / VmHWM (/proc/self/status);
- the per-URL state: the scheduler's queue length, the duplicate filter's fingerprints, the
  sizes of every set, list, dict or deque attribute of the project's spider middlewares
  (``IncrementalMiddleware.fetching``, ``SitemapPacer.held``, ...), live Requests and Responses
  (Scrapy's trackref), the size and hits of ``archive.urls``' lru caches;
- with ``--tracemalloc N``: Python allocations traced with N frames, and, at the sample where
  traced memory is largest, the top allocation sites by size grouped by line and by traceback
  (tracemalloc slows the crawl ~2x and adds its own memory: read its figures for attribution,
  the VmHWM of a run without it for the peak);
- with ``--types``: the 15 most numerous object types (``gc.get_objects``) at the end.

Outside the process it samples the tree's RSS as crawl_scale.py does (Scrapy + workers; there is
no ``vnarchive`` parent here). Prints a table per size and writes
``bench/results/crawl_memory.json`` (``--out``), with every sample.

Usage::

    .venv/bin/python bench/crawl_memory.py --sizes 1000 10000            # peaks + per-URL state
    .venv/bin/python bench/crawl_memory.py --sizes 10000 --tracemalloc 8  # + allocation sites
    .venv/bin/python bench/crawl_memory.py --sizes 10000 --set JOBDIR=bench/results/job   # what-if settings
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, deque
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proc import ROOT, Replica, SystemCPU, TreeSampler, kill_group, machine  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def _proc_status_kb() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    return out


def _size(value: Any) -> int:
    """Entries of a container; for a dict of sets (per-listing URL sets), entries of the sets."""
    if isinstance(value, dict) and value and all(isinstance(v, set) for v in value.values()):
        return sum(len(v) for v in value.values())
    return len(value)


class MemoryProbe:
    """Scrapy extension: per-URL state sizes, RSS and (optionally) tracemalloc top sites, as JSON lines.

    Settings: ``MEMPROBE_OUT`` (file, required), ``MEMPROBE_INTERVAL`` (s), ``MEMPROBE_TRACEMALLOC``
    (frames; 0 = off), ``MEMPROBE_TYPES`` (gc type counts at the end). Bench only: never enabled
    by the project's settings.
    """

    def __init__(self, crawler, out: str, interval: float, frames: int, types: bool) -> None:
        self.crawler = crawler
        self.out = open(out, "a", encoding="utf-8")  # noqa: SIM115 (closed at spider_closed)
        self.interval = interval
        self.frames = frames
        self.types = types
        self.started = time.monotonic()
        self.loop = None
        self.best_traced = 0

    @classmethod
    def from_crawler(cls, crawler) -> MemoryProbe:
        from scrapy import signals

        s = crawler.settings
        probe = cls(
            crawler,
            s.get("MEMPROBE_OUT"),
            s.getfloat("MEMPROBE_INTERVAL", 5.0),
            s.getint("MEMPROBE_TRACEMALLOC", 0),
            s.getbool("MEMPROBE_TYPES", False),
        )
        crawler.signals.connect(probe.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(probe.spider_closed, signal=signals.spider_closed)
        return probe

    def spider_opened(self, spider) -> None:
        from twisted.internet import task

        if self.frames:
            tracemalloc.start(self.frames)
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=True)

    def state(self) -> dict[str, Any]:
        from scrapy.utils.trackref import live_refs

        from archive import urls

        engine = self.crawler.engine
        scheduler = engine._slot.scheduler if engine._slot is not None else None
        out: dict[str, Any] = {"t": round(time.monotonic() - self.started, 1), **_proc_status_kb()}
        stats = self.crawler.stats
        out["responses"] = stats.get_value("response_received_count", 0)
        out["items"] = stats.get_value("item_scraped_count", 0)
        if scheduler is not None:
            out["queue"] = len(scheduler)
            df = scheduler.df
            out["dupefilter"] = len(getattr(df, "_fingerprints", ()))
        for mw in self.crawler.engine.scraper.spidermw.middlewares:
            # Sizes of the per-URL containers of our spider middlewares (IncrementalMiddleware,
            # SitemapPacer), whatever their shape at the commit measured.
            sizes = {
                name: _size(value)
                for name, value in vars(mw).items()
                if isinstance(value, (set, list, dict, deque)) and not name.startswith("_")
            }
            if type(mw).__module__.startswith("crawler."):
                out[type(mw).__name__] = sizes
        out["live_refs"] = {cls.__name__: len(refs) for cls, refs in live_refs.items() if refs}
        out["lru"] = {
            name: getattr(urls, name).cache_info()._asdict()
            for name in ("clean_url", "canonical_url")
            if hasattr(getattr(urls, name, None), "cache_info")
        }
        if self.frames:
            current, peak = tracemalloc.get_traced_memory()
            out["traced_mb"] = round(current / 2**20, 1)
            out["traced_peak_mb"] = round(peak / 2**20, 1)
        return out

    def tick(self) -> None:
        record = self.state()
        if self.frames and tracemalloc.get_traced_memory()[0] > self.best_traced:
            self.best_traced = tracemalloc.get_traced_memory()[0]
            record["top"] = self.top_sites()
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()

    @staticmethod
    def top_sites() -> dict[str, list]:
        """Largest allocation sites now: by line (project and library) and by traceback."""
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
        )
        by_line = [
            [str(s.traceback[0]), round(s.size / 2**20, 2), s.count]
            for s in snapshot.statistics("lineno")[:25]
        ]
        by_trace = []
        for s in snapshot.statistics("traceback")[:12]:
            frames = [f"{f.filename.rsplit('site-packages/', 1)[-1]}:{f.lineno}" for f in s.traceback]
            by_trace.append([frames, round(s.size / 2**20, 2), s.count])
        return {"by_line": by_line, "by_traceback": by_trace}

    def spider_closed(self, spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        record = self.state()
        record["final"] = True
        if self.types:
            counts = Counter(type(o).__name__ for o in gc.get_objects())
            record["types"] = counts.most_common(15)
        self.out.write(json.dumps(record) + "\n")
        self.out.close()


def classify(cmd: str) -> str:
    if "multiprocessing.resource_tracker" in cmd:
        return "resource_tracker"
    if "multiprocessing" in cmd or "spawn_main" in cmd:
        return "worker"
    return "scrapy" if "scrapy" in cmd else "other"


def run_size(n: int, args: argparse.Namespace, workdir: Path) -> dict:
    from archive.crawl import FAST_SETTINGS, scrapy_command

    db = workdir / f"crawl-{n}.db"
    probe_out = workdir / f"probe-{n}.jsonl"
    settings = {
        **FAST_SETTINGS,
        "EXTRACT_WORKERS": str(args.workers),
        "PROGRESS": "never",
        "EXTENSIONS": json.dumps({"crawl_memory.MemoryProbe": 0}),
        "MEMPROBE_OUT": str(probe_out),
        "MEMPROBE_INTERVAL": str(args.interval),
        "MEMPROBE_TRACEMALLOC": str(args.tracemalloc),
        "MEMPROBE_TYPES": str(args.types),
    }
    for setting in args.set or ():
        name, _, value = setting.partition("=")
        settings[name] = value
    env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
        "SCRAPY_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
    }
    with Replica(n) as replica:
        cmd = scrapy_command("tuyengiao", db, replica.url, settings)
        system = SystemCPU()
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        sampler = TreeSampler(proc.pid, classify)
        sampler.start()
        timed_out = False
        try:
            _, err = proc.communicate(
                timeout=args.timeout_per_article * n * (3 if args.tracemalloc else 1) + 120
            )
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc)
            _, err = proc.communicate()
        wall = time.perf_counter() - started
        sampler.stop()
        busy = system.busy_since_start()
    samples = [json.loads(line) for line in probe_out.read_text(encoding="utf-8").splitlines()]
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        articles = conn.execute("select count(*) from articles").fetchone()[0]
        pages = conn.execute("select count(*) from captures").fetchone()[0]
    finally:
        conn.close()
    peaks = sampler.peak_by_role()
    result = {
        "articles_in_site": n,
        "exit_code": proc.returncode,
        "timed_out": timed_out,
        "wall_s": round(wall, 1),
        "pages": pages,
        "articles_in_archive": articles,
        "machine_cores_busy": round(busy / wall, 2),
        "peak_tree_rss_mb": round(sampler.peak_tree_rss_kb / 1024, 1),
        "peak_hwm_mb_by_role": {k: round(v / 1024, 1) for k, v in sorted(peaks.items())},
        "max_queue": max((s.get("queue", 0) for s in samples), default=0),
        "samples": samples,
    }
    if proc.returncode or timed_out:
        result["stderr_tail"] = (err or "")[-2000:]
    return result


def describe(r: dict) -> str:
    last = r["samples"][-1] if r["samples"] else {}
    peak = max(r["samples"], key=lambda s: s.get("VmRSS", 0), default={})
    lines = [
        f"{r['articles_in_site']:>6} articles: {r['pages']} pages in {r['wall_s']} s, exit {r['exit_code']}, "
        f"machine busy {r['machine_cores_busy']} cores; Scrapy VmHWM {r['peak_hwm_mb_by_role'].get('scrapy')} MB, "
        f"worker {r['peak_hwm_mb_by_role'].get('worker')} MB, tree peak {r['peak_tree_rss_mb']} MB; "
        f"max queue {r['max_queue']}",
        f"        at peak RSS (t={peak.get('t')} s): queue {peak.get('queue')}, dupefilter "
        f"{peak.get('dupefilter')}, incremental {peak.get('IncrementalMiddleware')}, "
        f"pacer {peak.get('SitemapPacer')}, live {peak.get('live_refs')}",
        f"        at the end: dupefilter {last.get('dupefilter')}, incremental "
        f"{last.get('IncrementalMiddleware')}, lru {last.get('lru')}",
    ]
    tops = [s for s in r["samples"] if "top" in s]
    if tops:
        top = tops[-1]
        lines.append(f"        tracemalloc at its largest ({top['traced_mb']} MB traced, t={top['t']} s):")
        for site, mb, count in top["top"]["by_line"][:15]:
            lines.append(f"          {mb:>7} MB {count:>8}  {site.rsplit('site-packages/', 1)[-1]}")
    if last.get("types"):
        lines.append(f"        object types at the end: {last['types']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between probes")
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES", help="trace allocations")
    parser.add_argument("--types", action="store_true", help="gc object type counts at the end")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="extra Scrapy setting")
    parser.add_argument("--timeout-per-article", type=float, default=0.1)
    parser.add_argument("--keep", action="store_true", help="keep the archives and probe files")
    parser.add_argument("--out", type=Path, default=RESULTS / "crawl_memory.json")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="crawl_memory-", dir=RESULTS))
    results: dict = {
        "machine": machine(),
        "settings": args.set or [],
        "tracemalloc": args.tracemalloc,
        "runs": [],
    }
    try:
        for n in sorted(args.sizes):
            print(f"crawling a replica of {n} articles ...", flush=True)
            r = run_size(n, args, workdir)
            results["runs"].append(r)
            print(describe(r), flush=True)
            args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    finally:
        if args.keep:
            print(f"kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    runs = results["runs"]
    if len(runs) > 1:
        first, last = runs[0]["peak_hwm_mb_by_role"], runs[-1]["peak_hwm_mb_by_role"]
        results["scrapy_hwm_ratio_largest_vs_smallest"] = round(
            last.get("scrapy", 0) / first.get("scrapy", 1), 2
        )
        print(f"Scrapy VmHWM, largest/smallest site: {results['scrapy_hwm_ratio_largest_vs_smallest']}x")
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
