"""Extraction speed on one core: archive.extract vs plain trafilatura vs a bare lxml parse (the floor).

What it measures: CPU and wall time per page of three ways to read the same pages, on two sets,
all held in memory as bytes so that no I/O or rendering is timed:

- ``replica``: N distinct replica article pages (tuyengiao-style, each body generated);
- ``zyte``: the Zyte article-extraction benchmark's pages (generic news sites), if present.

Methods, each through its public function (nothing patched):

- ``lxml``: ``lxml.html.fromstring(bytes)``, the parse every extractor pays at least once;
- ``trafilatura``: ``trafilatura.extract(html, url=url)``, plain trafilatura with its defaults;
- ``vnarchive``: ``archive.extract.extract(bytes, url, content_type=...)``, what a crawl runs in
  its extraction workers (it calls trafilatura once, plus our own DOM pass and heuristics).

trafilatura's, htmldate's and our own ``functools`` caches (and archive.extract.dom's memos) are cleared before each method and
set, so no method reads strings cached by the one before it, nor a set by the set before it. A few extra pages (not timed) warm imports and
regexes first. The process is pinned to one CPU (``sched_setaffinity``).

``--profile`` adds a cProfile of ``extract()`` over each set's pages (top functions by
cumulative and by own time), written to the JSON too.

``--interleave`` times the methods page by page in rotation instead of one whole set after the
other, so that a change of the machine's load during the run moves every method alike (on a
shared machine, the block-wise ratios move with the load). ``--baseline REV`` adds, with
``--interleave``, ``extract()`` of the tree at git revision REV (its ``archive/`` package
imported beside the current one as ``archive_baseline``): a before/after in one run. The
interleaved run clears every cache before each call unless ``--warm`` (caches cleared at the
start of each pass, then filled by the pages before, as in a worker that has extracted many
pages; they favour trafilatura's text helpers more than our extractor).

``--passes N`` (default 5 interleaved, 1 block-wise) goes over each set N times, the rotation
shifted each pass; the figures are the median (and mean, min, max) over the passes, and each
ratio is computed per pass, so that it is quoted with its spread. The garbage collector's time
(``gc.callbacks``) is counted apart, to the method during whose call it ran, with the ratios
without it: a full collection (tens of milliseconds without ``gc.freeze``) lands on whichever
method allocates when the threshold is reached.

After the warm-up the process is settled as a crawl's extraction worker is after its imports
(``crawler.extract_pool.settle_worker``: one collection, then ``gc.freeze()``), so that the
collector walks what a worker's would, not the imports (nor, here, the pages held in memory and
the replica site they were rendered from, which a worker does not have). ``--no-freeze`` leaves
that out.

The "vs trafilatura" ratios come from CPU time (pages per CPU-second), which other sessions on
a shared machine barely move; the wall rates are printed too, with the cores others used.

Usage::

    .venv/bin/python bench/extract_speed.py [--pages 1000] [--zyte ../shared/benchmarks/zyte] [--profile]
                                            [--interleave [--baseline REV] [--warm]] [--passes N] [--no-freeze]

Prints a table per set; writes bench/results/extract_speed.json.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import gzip
import importlib
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import lxml.html  # noqa: E402
import trafilatura  # noqa: E402
from _proc import SystemCPU, machine  # noqa: E402

from archive.extract import EXTRACTOR_VERSION, extract, is_article  # noqa: E402
from crawler.extract_pool import settle_worker  # noqa: E402
from replica import build_site  # noqa: E402
from replica import pages as replica_pages  # noqa: E402

CONTENT_TYPE = "text/html; charset=utf-8"
WARMUP = 20


def render_pages(n: int, base: str) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """``n`` distinct article pages to time and WARMUP more to warm up with, as (url, bytes)."""
    site = build_site(n_articles=n + WARMUP)
    rendered = [(base + a.path, replica_pages.article_page(site, a).encode("utf-8")) for a in site.articles]
    return rendered[:n], rendered[n:]


def clear_library_caches() -> int:
    """Clear every functools cache in trafilatura, htmldate, courlan, justext and archive, and
    archive.extract.dom's memos; how many."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in {
            "trafilatura",
            "htmldate",
            "courlan",
            "justext",
            "archive",
            "archive_baseline",
        }:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()
                cleared += 1
        if name.endswith("extract.dom") and hasattr(module, "clear_memos"):  # archive's own memos
            module.clear_memos()
            cleared += 1
    return cleared


def run_lxml(url: str, body: bytes) -> object:
    return lxml.html.fromstring(body)


def run_trafilatura(url: str, body: bytes) -> object:
    return trafilatura.extract(body, url=url)


def run_vnarchive(url: str, body: bytes) -> object:
    return extract(body, url, content_type=CONTENT_TYPE)


EXTRACTORS: dict[str, Callable[[str, bytes], object]] = {
    "lxml": run_lxml,
    "trafilatura": run_trafilatura,
    "vnarchive": run_vnarchive,
}


class GCClock:
    """CPU time of the garbage collector's runs (``gc.callbacks``), counted to the method running.

    A collection runs inside whichever call happens to allocate when a generation's threshold is
    reached, so its time lands on one method's call while the objects it walks were made by
    every method (and the bench) before. Counted apart, it shows whether a ratio moved with the
    code or with where the collections fell.
    """

    def __init__(self) -> None:
        self.method: str | None = None
        self.cpu: dict[str, float] = {}
        self.full: dict[str, float] = {}
        self.full_count: dict[str, int] = {}
        self._start = 0.0

    def __enter__(self) -> GCClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.process_time()
            return
        if self.method is None:
            return
        spent = time.process_time() - self._start
        self.cpu[self.method] = self.cpu.get(self.method, 0.0) + spent
        if info.get("generation") == 2:
            self.full[self.method] = self.full.get(self.method, 0.0) + spent
            self.full_count[self.method] = self.full_count.get(self.method, 0) + 1


def time_one(fn: Callable[[str, bytes], object], pages: list[tuple[str, bytes]], method: str = "") -> dict:
    """Run ``fn`` over every page once; rates, per-page latency and the collector's share."""
    clear_library_caches()
    gc.collect()
    per_page = []
    outputs = []
    system = SystemCPU()
    with GCClock() as clock:
        clock.method = method
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for url, body in pages:
            t = time.perf_counter()
            outputs.append(fn(url, body))
            per_page.append(time.perf_counter() - t)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        clock.method = None
    others = max(0.0, system.busy_since_start() - cpu)
    per_page.sort()
    return {
        "pages": len(pages),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "pages_per_s": round(len(pages) / wall, 1),
        "pages_per_cpu_s": round(len(pages) / cpu, 1),
        "ms_cpu_per_page": 1000 * cpu / len(pages),
        "ms_gc_per_page": 1000 * clock.cpu.get(method, 0.0) / len(pages),
        "ms_p50": round(1000 * statistics.median(per_page), 2),
        "ms_p95": round(1000 * per_page[int(0.95 * (len(per_page) - 1))], 2),
        "ms_max": round(1000 * per_page[-1], 2),
        "others_cores_busy": round(others / wall, 2),
        "_outputs": outputs,
    }


def spread(values: list[float], digits: int = 3) -> dict:
    """Median, mean, min and max of per-pass figures."""
    return {
        "median": round(statistics.median(values), digits),
        "mean": round(statistics.fmean(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "passes": [round(v, digits) for v in values],
    }


def baseline_package(rev: str) -> object:
    """The ``archive.extract`` package of git revision ``rev``: its archive/ imported as ``archive_baseline``."""
    tmp = Path(tempfile.mkdtemp(prefix="extract_baseline_"))
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "archive", "sites.toml"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(tmp, filter="data")
    (tmp / "archive").rename(tmp / "archive_baseline")
    for path in (tmp / "archive_baseline").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(
            re.sub(r"\b(from|import) archive(?=[. ])", r"\1 archive_baseline", text), encoding="utf-8"
        )
    sys.path.insert(0, str(tmp))
    return importlib.import_module("archive_baseline.extract")


def load_baseline(rev: str) -> Callable[[str, bytes], object]:
    """``extract()`` of the tree at git revision ``rev`` (``baseline_package``)."""
    module = baseline_package(rev)

    def run_baseline(url: str, body: bytes) -> object:
        return module.extract(body, url, content_type=CONTENT_TYPE)

    return run_baseline


def time_interleaved(
    name: str,
    pages: list[tuple[str, bytes]],
    methods: dict[str, Callable[[str, bytes], object]],
    warm: bool = False,
    passes: int = 3,
) -> dict:
    """CPU per page of each method, page by page in rotation, ``passes`` times over the pages.

    Caches are cleared before each call, or with ``warm`` once at the start of each pass (then
    filled by the pages before in the pass, as in a worker; a pass does not start with the last
    pass's answers for the same pages). Per pass and method: CPU per page, of which the garbage
    collector's (``GCClock``); ratios per pass against plain trafilatura (and the baseline),
    their median and spread over the passes.
    """
    order = list(methods)
    cpu = {m: [0.0] * passes for m in order}
    gc_cpu = {m: [0.0] * passes for m in order}
    full = {m: [0] * passes for m in order}
    system = SystemCPU()
    wall0 = time.perf_counter()
    busy = 0.0
    with GCClock() as clock:
        for p in range(passes):
            clear_library_caches()
            gc.collect()
            clock.cpu, clock.full_count = {}, {}
            for i, (url, body) in enumerate(pages):
                k = (i + p) % len(order)
                for method in order[k:] + order[:k]:
                    if not warm:
                        clear_library_caches()
                    clock.method = method
                    t = time.process_time()
                    methods[method](url, body)
                    spent = time.process_time() - t
                    clock.method = None
                    cpu[method][p] += spent
                    busy += spent
            for m in order:
                gc_cpu[m][p] = clock.cpu.get(m, 0.0)
                full[m][p] = clock.full_count.get(m, 0)
    wall = time.perf_counter() - wall0
    n = len(pages)
    ms = {m: [1000 * c / n for c in cpu[m]] for m in order}
    ms_gc = {m: [1000 * c / n for c in gc_cpu[m]] for m in order}
    ms_nogc = {m: [a - b for a, b in zip(ms[m], ms_gc[m], strict=True)] for m in order}

    def ratios(table: dict[str, list[float]], of: str, to: str) -> list[float]:
        return [a / b for a, b in zip(table[of], table[to], strict=True)]

    out: dict = {
        "pages": n,
        "passes": passes,
        "warm": warm,
        "ms_cpu_per_page": {m: spread(ms[m], 2) for m in order},
        "ms_gc_per_page": {m: spread(ms_gc[m], 2) for m in order},
        "full_collections": full,
        "cost_vs_trafilatura": {m: spread(ratios(ms, m, "trafilatura")) for m in order},
        "cost_vs_trafilatura_without_gc": {m: spread(ratios(ms_nogc, m, "trafilatura")) for m in order},
        "others_cores_busy": round(max(0.0, system.busy_since_start() - busy) / wall, 2),
    }
    caches = "warm caches (cleared at each pass's start)" if warm else "caches cleared before each call"
    print(
        f"\n{name}: {n} pages, interleaved, {passes} passes, {caches} (others: {out['others_cores_busy']} cores)"
    )
    print(
        f"{'method':<12} {'ms cpu/page':>11} {'(mean)':>7} {'of it gc':>8} {'full gc':>7} "
        f"{'vs trafilatura: median':>22} {'min-max':>13} {'without gc':>10}"
    )
    for m in order:
        r, r0 = out["cost_vs_trafilatura"][m], out["cost_vs_trafilatura_without_gc"][m]
        print(
            f"{m:<12} {out['ms_cpu_per_page'][m]['median']:>11.2f} {out['ms_cpu_per_page'][m]['mean']:>7.2f} "
            f"{out['ms_gc_per_page'][m]['median']:>8.2f} {sum(full[m]):>7} {r['median']:>21.3f}x "
            f"{r['min']:>6.3f}-{r['max']:.3f} {r0['median']:>9.3f}x"
        )
    if "baseline" in ms:
        out["vnarchive_vs_baseline"] = spread(ratios(ms, "vnarchive", "baseline"))
        out["vnarchive_vs_baseline_without_gc"] = spread(ratios(ms_nogc, "vnarchive", "baseline"))
        b, b0 = out["vnarchive_vs_baseline"], out["vnarchive_vs_baseline_without_gc"]
        print(
            f"extract() costs {b['median']:.3f}x the baseline's CPU per page (median of {passes} passes; "
            f"{b['min']:.3f}-{b['max']:.3f}; without gc {b0['median']:.3f}x)"
        )
    print("per pass, vnarchive vs trafilatura:", out["cost_vs_trafilatura"]["vnarchive"]["passes"])
    return out


def profile_extract(pages: list[tuple[str, bytes]], top: int = 25) -> dict:
    """cProfile of extract() over the pages: the top functions by cumulative and by own time."""
    clear_library_caches()
    profiler = cProfile.Profile()
    profiler.enable()
    for url, body in pages:
        extract(body, url, content_type=CONTENT_TYPE)
    profiler.disable()
    out = {}
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        out[key] = buf.getvalue()
    return out


def zyte_pages(bench: Path) -> list[tuple[str, bytes]]:
    """The Zyte benchmark's pages as (url, bytes); empty when the benchmark is not there."""
    truth_file = bench / "ground-truth.json"
    if not truth_file.exists():
        return []
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    return [
        (truth[i].get("url") or "", gzip.decompress((bench / "html" / f"{i}.html.gz").read_bytes()))
        for i in sorted(truth)
    ]


def time_set(name: str, pages: list[tuple[str, bytes]], passes: int = 1) -> dict:
    """Every method over one set of pages, ``passes`` times (the methods' order rotated each
    pass); the median pass's figures and the CPU ratios against plain trafilatura per pass."""
    out: dict = {
        "pages": len(pages),
        "mean_page_kb": round(sum(len(b) for _, b in pages) / len(pages) / 1024, 1),
        "passes": passes,
    }
    order = list(EXTRACTORS)
    runs: dict[str, list[dict]] = {m: [] for m in order}
    for p in range(passes):
        k = p % len(order)
        for method in order[k:] + order[:k]:
            r = time_one(EXTRACTORS[method], pages, method)
            outputs = r.pop("_outputs")
            if method == "vnarchive":
                r["articles"] = sum(is_article(rec) for rec in outputs)
            elif method == "trafilatura":
                r["with_text"] = sum(bool(text) for text in outputs)
            runs[method].append(r)
    for method in order:  # the pass of median CPU, with the spread of every pass
        ranked = sorted(runs[method], key=lambda r: r["cpu_s"])
        out[method] = {
            **ranked[(len(ranked) - 1) // 2],
            "ms_cpu_per_page": spread([r["ms_cpu_per_page"] for r in runs[method]], 2),
            "ms_gc_per_page": spread([r["ms_gc_per_page"] for r in runs[method]], 2),
        }
    vs = [
        ours["ms_cpu_per_page"] / plain["ms_cpu_per_page"]
        for ours, plain in zip(runs["vnarchive"], runs["trafilatura"], strict=True)
    ]
    out["vnarchive_cost_vs_trafilatura"] = spread(vs)
    print(f"\n{name}: {len(pages)} pages, {out['mean_page_kb']} KB each, {passes} pass(es), median pass")
    print(
        f"{'method':<12} {'pages/s':>8} {'ms p50':>7} {'ms p95':>7} "
        f"{'ms cpu/page':>11} {'of it gc':>8} {'cost vs trafilatura (cpu)':>25} {'others':>6}"
    )
    plain = out["trafilatura"]["ms_cpu_per_page"]["median"]
    for method in order:
        r = out[method]
        print(
            f"{method:<12} {r['pages_per_s']:>8.1f} {r['ms_p50']:>7.2f} {r['ms_p95']:>7.2f} "
            f"{r['ms_cpu_per_page']['median']:>11.2f} {r['ms_gc_per_page']['median']:>8.2f} "
            f"{r['ms_cpu_per_page']['median'] / plain:>24.2f}x {r['others_cores_busy']:>6}"
        )
    c = out["vnarchive_cost_vs_trafilatura"]
    print(
        f"extract() costs {c['median']:.2f}x plain trafilatura's CPU per page (median of {passes} pass(es), "
        f"{c['min']:.2f}-{c['max']:.2f}); {out['vnarchive']['articles']}/{len(pages)} pages judged articles"
    )
    return out


def pin_to_one_cpu() -> int | None:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return cpu
    except (AttributeError, OSError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages", type=int, default=1000, help="distinct replica article pages (default 1000)"
    )
    parser.add_argument(
        "--base", default="http://127.0.0.1:8000", help="URL prefix of the pages (a crawl's is the replica's)"
    )
    parser.add_argument(
        "--zyte",
        type=Path,
        default=ROOT / ".." / "shared" / "benchmarks" / "zyte",
        help="Zyte benchmark folder",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile extract() over each set's pages"
    )
    parser.add_argument("--interleave", action="store_true", help="time the methods page by page in rotation")
    parser.add_argument(
        "--baseline", metavar="REV", help="with --interleave: also extract() of the tree at git revision REV"
    )
    parser.add_argument(
        "--warm", action="store_true", help="with --interleave: keep the caches between calls"
    )
    parser.add_argument(
        "--passes",
        type=int,
        default=None,
        help="passes over each set per method (default 5 interleaved, 1 block-wise)",
    )
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="do not settle the process as a crawl's worker does after its imports (gc.freeze)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "extract_speed.json")
    args = parser.parse_args(argv)

    if (args.baseline or args.warm) and not args.interleave:
        parser.error("--baseline and --warm need --interleave")
    cpu = pin_to_one_cpu()
    pages, warm = render_pages(args.pages, args.base.rstrip("/"))
    assert len({body for _, body in pages}) == len(pages), "pages must all be distinct"
    zyte = zyte_pages(args.zyte.resolve())
    print(f"pinned to CPU {cpu}; trafilatura {trafilatura.__version__}, extractor {EXTRACTOR_VERSION}")
    methods = dict(EXTRACTORS)
    if args.baseline:
        methods["baseline"] = load_baseline(args.baseline)
    for fn in methods.values():  # warm-up: imports, regex compilation, first-call costs
        for url, body in warm:
            fn(url, body)
    if not args.no_freeze:  # as a crawl's extraction worker does once its imports are done
        settle_worker()
    passes = args.passes or (5 if args.interleave else 1)

    results: dict = {
        "machine": {**machine(), "pinned_cpu": cpu},
        "trafilatura": trafilatura.__version__,
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "extractor_version": EXTRACTOR_VERSION,
        "baseline": args.baseline,
        "warm": args.warm,
        "passes": passes,
        "settled_as_a_worker": not args.no_freeze,
        "sets": {},
    }
    timed = (
        functools.partial(time_interleaved, methods=methods, warm=args.warm, passes=passes)
        if args.interleave
        else functools.partial(time_set, passes=passes)
    )
    results["sets"]["replica"] = timed("replica", pages)
    if zyte:
        results["sets"]["zyte"] = timed("zyte", zyte)
    else:
        print(f"\nno Zyte benchmark at {args.zyte}: replica only")
    print("others: cores used meanwhile by processes outside this benchmark (other sessions)")

    if args.profile:
        results["profile"] = {"replica": profile_extract(pages)}
        if zyte:
            results["profile"]["zyte"] = profile_extract(zyte)
        for name, profile in results["profile"].items():
            print(f"\n{name}:\n" + profile["cumulative"][:6000])

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
