"""Propagation quality and cost on generated republications whose truth is known (issue 16).

Two parts. ``--compare`` measures the two candidate libraries on the same generated articles,
all pairs, no index: datasketch's MinHash estimate of the Jaccard similarity of folded syllable
shingles, and trafilatura's Simhash of the text, each at its best threshold. The main run builds
an archive of N generated articles through archive.store, places all but the last ADDED in one
batch (``archive.propagation.propagate``), then adds the last ADDED: half one by one
(``place``, median CPU of one), half in one ``propagate`` call as the batch step after a crawl
run places a run's articles (CPU per article). Precision and recall of pairs, time per added
article (against the CPU of extracting one replica article page, timed between the placements),
peak memory.

    .venv/bin/python bench/propagation.py --articles 10000
    .venv/bin/python bench/propagation.py --articles 100000 --keep "$d/100k.db"   # d=$(mktemp -d)
    .venv/bin/python bench/propagation.py --articles 100000 --from "$d/100k.db"   # add one again, no build
    .venv/bin/python bench/propagation.py --compare --articles 1000
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _proc import machine  # noqa: E402
from trafilatura.deduplication import Simhash  # noqa: E402

from archive import store  # noqa: E402
from archive.extract import extract  # noqa: E402
from archive.propagation import NEAR_CONTAINMENT, NEAR_JACCARD, place, propagate  # noqa: E402
from archive.propagation_text import body_hashes, body_shingles, minhash  # noqa: E402
from replica import build_site  # noqa: E402
from replica import pages as replica_pages  # noqa: E402
from replica.propagation import Corpus, archive_corpus, generate, score, truth_pairs  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _best(scored: list[tuple[float, frozenset[str]]], truth: set[frozenset[str]]) -> dict:
    """Precision and recall at the threshold with the best F1."""
    scored.sort(key=lambda s: -s[0])
    best = {"f1": 0.0}
    hits = 0
    for i, (value, pair) in enumerate(scored, 1):
        hits += pair in truth
        p, r = hits / i, hits / len(truth)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best["f1"]:
            best = {
                "threshold": round(value, 4),
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f1, 4),
            }
    return best


def compare(corpus: Corpus) -> dict:
    """All pairs of the corpus scored by each library; each at its own best threshold."""
    truth = truth_pairs(corpus)
    arts = corpus.articles
    t = time.perf_counter()
    sets = [body_shingles(a.text) for a in arts]
    hashes = [minhash(body_hashes(a.text)) for a in arts]
    minhash_s = time.perf_counter() - t
    t = time.perf_counter()
    simhashes = [Simhash(a.text) for a in arts]
    simhash_s = time.perf_counter() - t
    by_minhash, by_simhash, by_rule = [], [], []
    for i in range(len(arts)):
        for j in range(i + 1, len(arts)):
            pair = frozenset((arts[i].url, arts[j].url))
            by_minhash.append((hashes[i].jaccard(hashes[j]), pair))
            by_simhash.append((simhashes[i].similarity(simhashes[j]), pair))
            inter = len(sets[i] & sets[j])
            near = (
                inter / len(sets[i] | sets[j]) >= NEAR_JACCARD
                or inter / min(len(sets[i]), len(sets[j])) >= NEAR_CONTAINMENT
            )
            by_rule.append((1.0 if near else 0.0, pair))
    # Cluster truth is transitive, pairwise scores are not: score pairwise truth for each library.
    return {
        "articles": len(arts),
        "truth_pairs": len(truth),
        "minhash_jaccard": {
            **_best(by_minhash, truth),
            "ms_per_article": round(1000 * minhash_s / len(arts), 3),
        },
        "simhash": {**_best(by_simhash, truth), "ms_per_article": round(1000 * simhash_s / len(arts), 3)},
        "exact_rule_jaccard_or_containment": _best(by_rule, truth),
    }


def replica_article_pages(pages: int = 100) -> list[tuple[str, bytes]]:
    """Rendered replica article pages, ``extract``'s imports and compiled patterns loaded."""
    site = build_site(n_articles=pages)
    rendered = [
        ("http://127.0.0.1" + a.path, replica_pages.article_page(site, a).encode()) for a in site.articles
    ]
    extract(rendered[0][1], rendered[0][0])
    return rendered


def extraction_cpu(pages: list[tuple[str, bytes]]) -> list[float]:
    """CPU seconds of ``archive.extract.extract`` on each page: what one page costs a crawl."""
    cpu = []
    for url, body in pages:
        c = time.process_time()
        extract(body, url)
        cpu.append(time.process_time() - c)
    return cpu


def build(path: Path, corpus: Corpus, added: int) -> dict:
    """The archive of ``corpus`` at ``path``, all but the last ``added`` articles placed in one batch."""
    db = store.open_db(path)
    t = time.perf_counter()
    archive_corpus(db, corpus)
    store_s = time.perf_counter() - t
    urls = [a.url for a in corpus.articles]
    t = time.perf_counter()
    propagate(db, urls[:-added])
    batch_s = time.perf_counter() - t
    db.conn.close()
    return {
        "store_ms_per_article": round(1000 * store_s / len(urls), 2),
        "batch_ms_per_article": round(1000 * batch_s / (len(urls) - added), 2),
    }


def run(n: int, added: int, keep: Path | None, kept: Path | None) -> dict:
    """Build (or copy a ``--keep`` archive built before), place the last ``added`` one by one, score."""
    corpus = generate(n)
    # The corpus is the bench's, not the archive's: millions of objects that the collector's
    # full collections would walk during the placements timed below (a crawl holds none of them).
    gc.collect()
    gc.freeze()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.db"
        if kept is not None:
            shutil.copyfile(kept, path)
            built = {"built": f"copied from {kept.name}"}
        else:
            built = build(path, corpus, added)
            if keep is not None:
                shutil.copyfile(path, keep)
        db = store.open_db(path)
        new = [a.url for a in corpus.articles][-added:]
        alone, in_run = new[: added // 2], new[added // 2 :]
        # Extraction is timed between the placements, not after them: this shared machine's speed
        # moves by half from one minute to the next, and a ratio of two phases measured it.
        pages = replica_article_pages()
        times, cpu, extract_cpu = [], [], []
        for i, url in enumerate(alone):
            t, c = time.perf_counter(), time.process_time()
            place(db, url)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            extract_cpu += extraction_cpu(pages[i % len(pages) : i % len(pages) + 1])
        around = extraction_cpu(pages[: len(pages) // 2])
        c = time.process_time()
        propagate(db, in_run)
        run_cpu_ms = 1000 * (time.process_time() - c) / len(in_run)
        around += extraction_cpu(pages[len(pages) // 2 :])
        result = score(db, corpus)
        size = path.stat().st_size
        index_bytes = db.execute(
            "select sum(pgsize) from dbstat where name like 'propagation_%' or name like 'text_%'"
        ).fetchone()[0]
    times.sort()
    extract_ms = 1000 * statistics.median(extract_cpu)
    around_ms = 1000 * statistics.median(around)
    return {
        "articles": len(corpus.articles),
        **{k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()},
        **built,
        "add_one_ms_median": round(1000 * statistics.median(times), 2),
        "add_one_ms_p95": round(1000 * times[int(0.95 * (len(times) - 1))], 2),
        "add_one_cpu_ms_median": round(1000 * statistics.median(cpu), 2),
        "add_one_cpu_ms_mean": round(1000 * statistics.mean(cpu), 2),
        "extract_one_page_cpu_ms_median": round(extract_ms, 2),
        "add_one_vs_extract_one": round(1000 * statistics.median(cpu) / extract_ms, 3),
        "add_in_run_cpu_ms_per_article": round(run_cpu_ms, 2),
        "extract_one_page_around_run_cpu_ms_median": round(around_ms, 2),
        "add_in_run_vs_extract_one": round(run_cpu_ms / around_ms, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "archive_mb": round(size / 1e6, 1),
        "propagation_tables_mb": round((index_bytes or 0) / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument(
        "--added", type=int, default=200, help="Articles added at the end (half alone, half in one batch)."
    )
    parser.add_argument(
        "--compare", action="store_true", help="MinHash against Simhash, all pairs, no index."
    )
    parser.add_argument(
        "--keep", type=Path, help="Save the archive as built (before the last ADDED) to this file."
    )
    parser.add_argument(
        "--from",
        dest="kept",
        type=Path,
        help="Start from an archive saved by --keep with the same --articles and --added (no build).",
    )
    args = parser.parse_args()
    if args.compare:
        report = compare(generate(args.articles))
    else:
        report = run(args.articles, args.added, args.keep, args.kept)
    report["machine"] = machine()
    name = f"propagation_{'compare' if args.compare else 'run'}_{args.articles}.json"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
