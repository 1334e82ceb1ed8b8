"""Body-extraction score on the Zyte article-extraction benchmark: archive.extract vs plain trafilatura.

The Vietnamese rules must cost generic pages nothing, so both extractors run on the same 181
pages in the same process and are scored the way the benchmark's evaluate.py scores: ``\\w+``
tokens, word 4-gram shingles, per-page TP/FP/FN normalised so every page weighs the same,
precision and recall averaged over pages, F1 of the averages.

Our body is ``lead + text`` (the record keeps the sapo apart; the benchmark's articleBody
usually includes the standfirst); "vnarch-text" scores ``text`` alone. "plain" is ``trafilatura.extract(html)`` with default settings;
"plain-nc" adds ``include_comments=False`` as the benchmark's own trafilatura runner does.

Usage: ``python bench/zyte.py [BENCHMARK_DIR] [--limit N]``; BENCHMARK_DIR defaults to
``../shared/benchmarks/zyte`` relative to the repository root. Results go to bench/results/.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from archive.extract import EXTRACTOR_VERSION, extract  # noqa: E402

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    """Word n-gram multiset of ``text`` (a text shorter than n is one shingle)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_scores(truth: str, pred: str) -> tuple[float, float, float]:
    """TP, FP, FN of one page, normalised to sum to 1."""
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def summarise(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    """Benchmark metrics over pages: mean P (pages with output), mean R (pages with truth), F1."""
    precision = mean(_precision(*r) for r in rows if r[0] + r[1] > 0)
    recall = mean(_recall(*r) for r in rows if r[0] + r[2] > 0)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def ours(html: bytes, url: str) -> str:
    record = extract(html, url, content_type="text/html; charset=utf-8")
    return "\n".join(x for x in (record["lead"], record["text"]) if x)


def ours_text_only(html: bytes, url: str) -> str:
    return extract(html, url, content_type="text/html; charset=utf-8")["text"]


def plain(html: bytes, url: str) -> str:
    return trafilatura.extract(html.decode("utf-8", errors="replace")) or ""


def plain_no_comments(html: bytes, url: str) -> str:
    return trafilatura.extract(html.decode("utf-8", errors="replace"), include_comments=False) or ""


EXTRACTORS: dict[str, Callable[[bytes, str], str]] = {
    "vnarchive": ours,
    "vnarch-text": ours_text_only,
    "plain": plain,
    "plain-nc": plain_no_comments,
}


def run(bench: Path, limit: int | None) -> dict:
    """Score every extractor on the benchmark; per-page scores included for diffing."""
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    results: dict = {
        "pages": len(ids),
        "extractor_version": EXTRACTOR_VERSION,
        "trafilatura": trafilatura.__version__,
    }
    per_page: dict[str, dict[str, float]] = {i: {} for i in ids}
    for name, fn in EXTRACTORS.items():
        rows = []
        started = time.perf_counter()
        for page_id in ids:
            html = gzip.decompress((bench / "html" / f"{page_id}.html.gz").read_bytes())
            row = page_scores(truth[page_id]["articleBody"], fn(html, truth[page_id].get("url") or ""))
            rows.append(row)
            per_page[page_id][name] = round(2 * row[0] / (2 * row[0] + row[1] + row[2]) if row[0] else 0.0, 4)
        results[name] = {**summarise(rows), "seconds": round(time.perf_counter() - started, 1)}
    results["per_page_f1"] = per_page
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bench", nargs="?", type=Path, default=ROOT / ".." / "shared" / "benchmarks" / "zyte")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "zyte.json")
    args = parser.parse_args(argv)
    results = run(args.bench.resolve(), args.limit)
    print(f"Zyte benchmark, {results['pages']} pages (trafilatura {results['trafilatura']})")
    print(f"{'extractor':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'seconds':>8}")
    for name in EXTRACTORS:
        r = results[name]
        print(f"{name:<12} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['f1']:>6.3f} {r['seconds']:>8}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
