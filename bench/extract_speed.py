"""Extraction speed on one core: archive.extract vs plain trafilatura vs a bare lxml parse (the floor).

What it measures: pages per second (wall and CPU) of three ways to read the same N distinct
replica article pages, all rendered once up front and kept in memory as bytes, so no I/O or
rendering is timed:

- ``lxml``: ``lxml.html.fromstring(bytes)``, the parse every extractor pays at least once;
- ``trafilatura``: ``trafilatura.bare_extraction(bytes, url=..., with_metadata=True)``,
  default settings;
- ``vnarchive``: ``archive.extract.extract(bytes, url, content_type=...)``, what a crawl runs
  in its extraction workers (it calls trafilatura once, plus our own DOM pass and heuristics).

Every page is a different article (the replica generates each body), and trafilatura's and
htmldate's ``functools`` caches are cleared before each extractor, so no method reads strings
cached by the one before it. A few extra pages (not timed) warm imports and regexes first. The
process is pinned to one CPU (``sched_setaffinity``), so the rates are single-core rates.

``--profile`` adds a cProfile of ``extract()`` over the same pages (top functions by
cumulative and by own time), written to the JSON too. ``--what-if`` times ``extract()`` with
the trafilatura call inside it changed and counts the records that change.

The "vs trafilatura" ratios come from CPU time (pages per CPU-second), which other sessions on
a shared machine barely move; the wall rates are printed too, with the cores others used.

Usage::

    .venv/bin/python bench/extract_speed.py [--pages 1000] [--base http://127.0.0.1:8000] [--profile]

Prints a table; writes bench/results/extract_speed.json. About 1 minute for 1000 pages.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import io
import json
import os
import pstats
import statistics
import sys
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
    """Clear every functools cache in trafilatura, htmldate, courlan and justext; how many."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in {"trafilatura", "htmldate", "courlan", "justext"}:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()
                cleared += 1
    return cleared


def run_lxml(url: str, body: bytes) -> object:
    return lxml.html.fromstring(body)


def run_trafilatura(url: str, body: bytes) -> object:
    return trafilatura.bare_extraction(body, url=url, with_metadata=True)


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


#: What-if variants of the trafilatura call inside extract() (``--what-if``): keyword overrides
#: of the current call (``fast=True, with_metadata=False`` since extractor version 3).
WHAT_IF = {
    "not-fast": {"fast": False},
    "with-metadata": {"with_metadata": True},
    "v2-call": {"fast": False, "with_metadata": True},
}


def patched_run_trafilatura(overrides: dict):
    """A replacement for ``_Page.run_trafilatura`` passing ``overrides`` to bare_extraction."""
    import archive.extract as ex

    def run(self):  # noqa: ANN001, ANN202
        kwargs = dict(
            url=self.url,
            fast=True,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            date_extraction_params=ex._DATE_PARAMS,
            config=ex._CONFIG,
        )
        kwargs.update(overrides)
        try:
            return ex.bare_extraction(self.html_text, **kwargs)
        except (ValueError, TypeError, AttributeError, RecursionError):
            return None

    return run


def what_if(pages: list[tuple[str, bytes]], baseline: list[dict]) -> dict:
    """extract() with the trafilatura call changed: speed, and which record fields change."""
    import archive.extract as ex

    original = ex._Page.run_trafilatura
    out = {}
    try:
        for name, overrides in WHAT_IF.items():
            ex._Page.run_trafilatura = patched_run_trafilatura(overrides)
            r = time_one(run_vnarchive, pages)
            records = r.pop("_outputs")
            changed: dict[str, int] = {}
            for old, new in zip(baseline, records, strict=True):
                for key in old:
                    if key != "trafilatura_version" and old[key] != new.get(key):
                        changed[key] = changed.get(key, 0) + 1
            r["records_changed"] = sum(
                any(o[k] != n.get(k) for k in o if k != "trafilatura_version")
                for o, n in zip(baseline, records, strict=True)
            )
            r["fields_changed"] = changed
            out[name] = r
    finally:
        ex._Page.run_trafilatura = original
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
    parser.add_argument("--pages", type=int, default=1000, help="distinct article pages (default 1000)")
    parser.add_argument(
        "--base", default="http://127.0.0.1:8000", help="URL prefix of the pages (a crawl's is the replica's)"
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile extract() over the pages")
    parser.add_argument(
        "--what-if",
        action="store_true",
        help="also time extract() with trafilatura called fast=False and/or with_metadata=True",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "extract_speed.json")
    args = parser.parse_args(argv)

    cpu = pin_to_one_cpu()
    t0 = time.perf_counter()
    pages, warm = render_pages(args.pages, args.base.rstrip("/"))
    render_s = time.perf_counter() - t0
    assert len({body for _, body in pages}) == len(pages), "pages must all be distinct"
    mean_kb = sum(len(b) for _, b in pages) / len(pages) / 1024
    print(
        f"{len(pages)} distinct replica article pages, {mean_kb:.1f} KB each (rendered in {render_s:.1f} s)"
    )
    print(f"pinned to CPU {cpu}; trafilatura {trafilatura.__version__}, extractor {EXTRACTOR_VERSION}")

    for fn in EXTRACTORS.values():  # warm-up: imports, regex compilation, first-call costs
        for url, body in warm:
            fn(url, body)

    results: dict = {
        "machine": {**machine(), "pinned_cpu": cpu},
        "pages": len(pages),
        "mean_page_kb": round(mean_kb, 1),
        "trafilatura": trafilatura.__version__,
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "extractor_version": EXTRACTOR_VERSION,
        "extractors": {},
    }
    baseline: list[dict] = []
    for name, fn in EXTRACTORS.items():
        r = time_one(fn, pages)
        outputs = r.pop("_outputs")
        if name == "vnarchive":
            baseline = outputs
            r["articles"] = sum(is_article(rec) for rec in outputs)
        elif name == "trafilatura":
            r["with_text"] = sum(bool(doc is not None and doc.text) for doc in outputs)
        results["extractors"][name] = r
    # Ratios from CPU time: on a shared machine the wall rates also measure the other sessions.
    floor = results["extractors"]["lxml"]["pages_per_cpu_s"]
    plain = results["extractors"]["trafilatura"]["pages_per_cpu_s"]

    print(
        f"\n{'method':<12} {'pages/s':>8} {'pages/cpu-s':>11} {'ms p50':>7} {'ms p95':>7} "
        f"{'ms cpu/page':>11} {'vs trafilatura (cpu)':>20} {'others':>6}"
    )
    for name, r in results["extractors"].items():
        print(
            f"{name:<12} {r['pages_per_s']:>8.1f} {r['pages_per_cpu_s']:>11.1f} {r['ms_p50']:>7.2f} "
            f"{r['ms_p95']:>7.2f} {1000 / r['pages_per_cpu_s']:>11.2f} {r['pages_per_cpu_s'] / plain:>19.2f}x "
            f"{r['others_cores_busy']:>6}"
        )
    print("others: cores used meanwhile by processes outside this benchmark (other sessions)")
    ours = results["extractors"]["vnarchive"]
    results["vnarchive_cost_vs_trafilatura"] = round(plain / ours["pages_per_cpu_s"], 2)
    results["lxml_share_of_vnarchive"] = round(ours["pages_per_cpu_s"] / floor, 3)
    print(
        f"\nextract() costs {results['vnarchive_cost_vs_trafilatura']:.2f}x plain trafilatura's CPU per page; "
        f"{ours.get('articles')}/{len(pages)} pages judged articles"
    )

    if args.what_if:
        results["what_if"] = what_if(pages, baseline)
        print(f"\nwhat-if (extract() with another trafilatura call), {len(pages)} pages:")
        print(
            f"{'variant':<18} {'pages/cpu-s':>11} {'vs extract()':>12} {'records changed':>15}  fields changed"
        )
        for name, r in results["what_if"].items():
            print(
                f"{name:<18} {r['pages_per_cpu_s']:>11.1f} {r['pages_per_cpu_s'] / ours['pages_per_cpu_s']:>11.2f}x "
                f"{r['records_changed']:>15}  {r['fields_changed']}"
            )

    if args.profile:
        results["profile"] = profile_extract(pages)
        print("\n" + results["profile"]["cumulative"][:6000])

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
