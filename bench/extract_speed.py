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
interleaved run clears every cache before each call unless ``--warm`` (caches filled by the
pages before, as in a worker that has extracted many pages; they favour trafilatura's text
helpers more than our extractor).

The "vs trafilatura" ratios come from CPU time (pages per CPU-second), which other sessions on
a shared machine barely move; the wall rates are printed too, with the cores others used.

Usage::

    .venv/bin/python bench/extract_speed.py [--pages 1000] [--zyte ../shared/benchmarks/zyte] [--profile]
                                            [--interleave [--baseline REV] [--warm]]

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


def time_one(fn: Callable[[str, bytes], object], pages: list[tuple[str, bytes]]) -> dict:
    """Run ``fn`` over every page once; rates and per-page latency."""
    clear_library_caches()
    gc.collect()
    per_page = []
    outputs = []
    system = SystemCPU()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for url, body in pages:
        t = time.perf_counter()
        outputs.append(fn(url, body))
        per_page.append(time.perf_counter() - t)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    others = max(0.0, system.busy_since_start() - cpu)
    per_page.sort()
    return {
        "pages": len(pages),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "pages_per_s": round(len(pages) / wall, 1),
        "pages_per_cpu_s": round(len(pages) / cpu, 1),
        "ms_p50": round(1000 * statistics.median(per_page), 2),
        "ms_p95": round(1000 * per_page[int(0.95 * (len(per_page) - 1))], 2),
        "ms_max": round(1000 * per_page[-1], 2),
        "others_cores_busy": round(others / wall, 2),
        "_outputs": outputs,
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
) -> dict:
    """CPU per page of each method, page by page in rotation; caches cleared before each call unless ``warm``."""
    clear_library_caches()
    cpu = dict.fromkeys(methods, 0.0)
    order = list(methods)
    system = SystemCPU()
    wall0 = time.perf_counter()
    for i, (url, body) in enumerate(pages):
        k = i % len(order)
        for method in order[k:] + order[:k]:
            if not warm:
                clear_library_caches()
            t = time.process_time()
            methods[method](url, body)
            cpu[method] += time.process_time() - t
    wall = time.perf_counter() - wall0
    ms = {method: round(1000 * c / len(pages), 2) for method, c in cpu.items()}
    vs = {method: round(ms[method] / ms["trafilatura"], 3) for method in ms}
    out = {
        "pages": len(pages),
        "ms_cpu_per_page": ms,
        "cost_vs_trafilatura": vs,
        "others_cores_busy": round(max(0.0, system.busy_since_start() - sum(cpu.values())) / wall, 2),
    }
    caches = "warm caches" if warm else "caches cleared before each call"
    print(f"\n{name}: {len(pages)} pages, interleaved, {caches} (others: {out['others_cores_busy']} cores)")
    print(f"{'method':<12} {'ms cpu/page':>11} {'vs trafilatura':>15}")
    for method in methods:
        print(f"{method:<12} {ms[method]:>11.2f} {vs[method]:>14.3f}x")
    if "baseline" in ms:
        out["vnarchive_vs_baseline"] = round(ms["vnarchive"] / ms["baseline"], 3)
        print(f"extract() costs {out['vnarchive_vs_baseline']:.3f}x the baseline's CPU per page")
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


def time_set(name: str, pages: list[tuple[str, bytes]]) -> dict:
    """Every method over one set of pages; CPU ratios against plain trafilatura."""
    out: dict = {
        "pages": len(pages),
        "mean_page_kb": round(sum(len(b) for _, b in pages) / len(pages) / 1024, 1),
    }
    for method, fn in EXTRACTORS.items():
        r = time_one(fn, pages)
        outputs = r.pop("_outputs")
        if method == "vnarchive":
            r["articles"] = sum(is_article(rec) for rec in outputs)
        elif method == "trafilatura":
            r["with_text"] = sum(bool(text) for text in outputs)
        out[method] = r
    plain = out["trafilatura"]["pages_per_cpu_s"]
    ours = out["vnarchive"]
    out["vnarchive_cost_vs_trafilatura"] = round(plain / ours["pages_per_cpu_s"], 2)
    print(f"\n{name}: {len(pages)} pages, {out['mean_page_kb']} KB each")
    print(
        f"{'method':<12} {'pages/s':>8} {'pages/cpu-s':>11} {'ms p50':>7} {'ms p95':>7} "
        f"{'ms cpu/page':>11} {'cost vs trafilatura (cpu)':>25} {'others':>6}"
    )
    for method in EXTRACTORS:
        r = out[method]
        print(
            f"{method:<12} {r['pages_per_s']:>8.1f} {r['pages_per_cpu_s']:>11.1f} {r['ms_p50']:>7.2f} "
            f"{r['ms_p95']:>7.2f} {1000 / r['pages_per_cpu_s']:>11.2f} {plain / r['pages_per_cpu_s']:>24.2f}x "
            f"{r['others_cores_busy']:>6}"
        )
    print(
        f"extract() costs {out['vnarchive_cost_vs_trafilatura']:.2f}x plain trafilatura's CPU per page; "
        f"{ours['articles']}/{len(pages)} pages judged articles"
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

    results: dict = {
        "machine": {**machine(), "pinned_cpu": cpu},
        "trafilatura": trafilatura.__version__,
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "extractor_version": EXTRACTOR_VERSION,
        "baseline": args.baseline,
        "warm": args.warm,
        "sets": {},
    }
    timed = (
        functools.partial(time_interleaved, methods=methods, warm=args.warm) if args.interleave else time_set
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
