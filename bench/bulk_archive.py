"""A large archive of generated articles, built fast: the real schema, most rows written in bulk.

Benchmarks at 1M articles (store_scale.py's search latency, load_datasette.py on a snapshot)
need an archive that a crawl would have taken days to fill. What is real and what is bulk:

- **Schema**: ``store.open_db`` (every migration, its indexes, the FTS5 table and its triggers).
- **Through ``store.record_page``** (the crawl's write path, one transaction per page): the first
  ``sample`` articles (with the rendered page as the capture body), then, after the bulk part, a
  re-visit run over a fraction of all articles (``revisit``): every 4th of them edited (a new
  version, a "changed" event), every 50th gone (404: "removed"), the rest unchanged.
- **Bulk** (everything else): the rows record_page writes for a new article (captures without a
  body, articles, article_versions, article_events, article_images, article_links,
  article_tags), made by the store's own helpers (``_columns``, ``record_hash``,
  ``_published_parts``, ``vntext.fold``; rowids keyed as ``store.new_article_rowid`` keys them),
  in worker processes, and inserted with ``executemany`` many articles per transaction. While it
  runs, the tables' secondary indexes and the FTS triggers are set aside and the journal is off;
  afterwards the indexes and triggers are re-created from their own SQL and the FTS index is
  rebuilt once (``'rebuild'``), as migration m006 does.

``self_check`` builds 40 articles both ways and compares every row of those tables, and the FTS
counts of the benchmark's queries.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from archive import runs, store
from archive.search import build_fts_query
from archive.vntext import fold
from replica import build_site
from replica import pages as replica_pages

BASE = "https://tuyengiao.vn"
TODAY = date(2024, 5, 23)
RARE = "Lũng Cú"
RARE_EVERY = 20_000
#: Tables record_page writes for a new article, in the order their foreign keys need.
TABLES = (
    "captures",
    "articles",
    "article_versions",
    "article_events",
    "article_images",
    "article_links",
    "article_tags",
)
SLOT = 1 << store.SLOT_BITS


# -- generated articles ---------------------------------------------------------------------


def make_page(site, article, k: int, fetched_at: str, with_body: bool) -> tuple[dict, dict]:
    """The fetch and the extracted record of one replica article, as a crawl would hand them over."""
    body = article.body()
    url = BASE + article.path
    paragraphs = [" ".join(p.split()) for p in body.paragraphs]
    if k % 3 == 0:  # the replica's bank names the Party only in sources: give a third of texts the phrase
        paragraphs.append("Các cấp ủy tiếp tục quán triệt đường lối, chủ trương của Đảng Cộng sản Việt Nam.")
    if k % RARE_EVERY == 7:
        paragraphs.append(f"Đoàn công tác đã dâng hương tại Cột cờ {RARE}, điểm cực Bắc của Tổ quốc.")
    record = {
        "url": url,
        "canonical_url": url,
        "site": "tuyengiao",
        "title": article.title,
        "lead": body.lead,
        "text": "\n".join(paragraphs),
        "author": article.author,
        "source": article.source,
        "category": article.category.name,
        "tags": list(article.tags),
        "images": [{"src": urljoin(BASE, i.src), "caption": i.caption} for i in body.images],
        "related": [
            {"url": BASE + site.article(i).path, "title": site.article(i).title, "section": "Các tin khác"}
            for i in article.related
        ],
        "language": "vi",
        "published": article.published.isoformat(),
        "published_source": "css:.bt-date",
        "published_raw": article.published.strftime("%d/%m/%Y %H:%M"),
        "modified": article.modified.isoformat() if article.modified != article.published else None,
        "flags": [],
        "extractor": "vnarchive",
        "extractor_version": "1",
    }
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "ETag": article.etag() if with_body else f'"{k:024x}"',
        "Last-Modified": article.modified.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }
    page = {
        "url": url,
        "requested_url": url,
        "final_url": url,
        "fetched_at": fetched_at,
        "status": 200,
        "kind": "article",
        "content_type": headers["Content-Type"],
        "headers": headers,
        "body": replica_pages.article_page(site, article).encode("utf-8") if with_body else None,
        "error": None,
    }
    return page, record


def fetch_time(k: int, start: datetime = datetime(2024, 5, 23, 1, 0, tzinfo=UTC)) -> str:
    return (start + timedelta(milliseconds=50 * k)).isoformat(timespec="seconds")


def new_article_rows(page: dict, record: dict, capture_id: int, run_id: int) -> dict[str, list[dict]]:
    """The rows record_page writes for an article it has not seen (its rowid left as ``rowid_base``)."""
    url, at = page["url"], page["fetched_at"]
    columns = store._columns(record)
    digest = store.record_hash(record)
    headers = {k.lower(): v for k, v in page["headers"].items()}
    article = {
        "rowid": store.rowid_base(record.get("published"), at),
        "url": url,
        **columns,
        **store._published_parts(record.get("published")),
        "status": "live",
        "first_seen": at,
        "last_seen": at,
        "last_checked": at,
        "last_changed": at,
        "version": 1,
        "record_hash": digest,
        "capture_id": capture_id,
        "etag": headers.get("etag"),
        "last_modified": headers.get("last-modified"),
        "title_fold": fold(record.get("title")),
        "lead_fold": fold(record.get("lead")),
        "text_fold": fold(record.get("text")),
    }
    return {
        "captures": [
            {
                "id": capture_id,
                "run_id": run_id,
                "url": url,
                "requested_url": page["requested_url"],
                "final_url": page["final_url"],
                "fetched_at": at,
                "status": page["status"],
                "kind": page["kind"],
                "content_type": page["content_type"],
                "headers": json.dumps(page["headers"], ensure_ascii=False, sort_keys=True),
                "size": 0,
                "outcome": "new",
            }
        ],
        "articles": [article],
        "article_versions": [
            {
                "url": url,
                "version": 1,
                **columns,
                "captured_at": at,
                "capture_id": capture_id,
                "record_hash": digest,
                "change_kind": "first",
                "changed_fields": "[]",
            }
        ],
        "article_events": [{"url": url, "at": at, "event": "first-seen", "capture_id": capture_id}],
        "article_images": [
            {"url": url, "position": i, "src": img.get("src"), "caption": img.get("caption")}
            for i, img in enumerate(record.get("images") or [])
        ],
        "article_links": [
            {
                "url": url,
                "position": i,
                "target_url": x.get("url"),
                "title": x.get("title"),
                "section": x.get("section"),
            }
            for i, x in enumerate(record.get("related") or [])
        ],
        "article_tags": [{"url": url, "tag": t} for t in dict.fromkeys(record.get("tags") or [])],
    }


# -- worker processes ------------------------------------------------------------------------

_site = None
_articles: list = []
_columns: dict[str, list[str]] = {}


def _init_worker(n: int, columns: dict[str, list[str]]) -> None:
    global _site, _articles, _columns
    _site = build_site(n_articles=n, today=TODAY)
    _articles = _site.articles  # a copy per call: taken once
    _columns = columns
    # The model is millions of long-lived objects: the cyclic collector would scan them all, over
    # and over, while the rows are made.
    gc.freeze()


def _pages(span: tuple[int, int, bool]) -> list[tuple[dict, dict]]:
    start, end, with_body = span
    return [make_page(_site, _articles[k], k, fetch_time(k), with_body) for k in range(start, end)]


def _rows(job: tuple[int, int, int, int]) -> dict[str, list[tuple]]:
    """Row tuples (in ``_columns`` order) of articles [start, end); capture ids from ``first_capture``."""
    start, end, first_capture, run_id = job
    out: dict[str, list[tuple]] = {t: [] for t in TABLES}
    for k in range(start, end):
        page, record = make_page(_site, _articles[k], k, fetch_time(k), with_body=False)
        for table, rows in new_article_rows(page, record, first_capture + k - start, run_id).items():
            cols = _columns[table]
            out[table] += [tuple(row.get(c) for c in cols) for row in rows]
    return out


# -- the bulk writer -------------------------------------------------------------------------


def table_columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Each bulk table's columns as inserted: every column (explicit capture ids, article rowids)."""
    out = {}
    for table in TABLES:
        cols = [
            r[1] for r in conn.execute(f"pragma table_info([{table}])") if r[1] != "id" or table == "captures"
        ]
        out[table] = ["rowid", *cols] if table == "articles" else cols
    return out


class Keys:
    """Article rowids as ``store.new_article_rowid`` gives them: after the keys taken in that second."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.next_slot: dict[int, int] = {}
        for (rowid,) in conn.execute("select rowid from articles"):
            base = rowid - rowid % SLOT
            self.next_slot[base] = max(self.next_slot.get(base, 0), rowid % SLOT + 1)

    def take(self, base: int) -> int:
        while self.next_slot.get(base, 0) >= SLOT:  # that second is full: the one before
            base -= SLOT
        slot = self.next_slot.get(base, 0)
        self.next_slot[base] = slot + 1
        return base + slot


class SetAside:
    """The bulk tables' secondary indexes and the FTS triggers, dropped, then re-created from their SQL."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        names = ", ".join(f"'{t}'" for t in TABLES)
        self.saved = conn.execute(
            "select type, name, sql from sqlite_master where sql is not null and "
            f"((type = 'index' and tbl_name in ({names})) or (type = 'trigger' and tbl_name = 'articles'))"
        ).fetchall()

    def __enter__(self) -> SetAside:
        for kind, name, _ in self.saved:
            self.conn.execute(f"drop {kind} [{name}]")
        return self

    def __exit__(self, *exc) -> None:
        for _, _, sql in self.saved:
            self.conn.execute(sql)
        self.conn.execute("insert into articles_fts (articles_fts) values ('rebuild')")


def bounded(pool, fn: Callable, jobs: list, ahead: int) -> Iterator:
    """``pool.imap(fn, jobs)`` with at most ``ahead`` results waiting: the rows of 1M articles do not fit in memory."""
    pending = []
    for job in jobs:
        pending.append(pool.apply_async(fn, (job,)))
        if len(pending) >= ahead:
            yield pending.pop(0).get()
    while pending:
        yield pending.pop(0).get()


def bulk_insert(
    db, jobs: Iterator[dict[str, list[tuple]]], columns: dict[str, list[str]], progress: Callable[[int], None]
) -> int:
    """Insert the rows of each job in its own transaction; returns the articles written."""
    conn = db.conn
    keys = Keys(conn)
    sql = {
        t: f"{'insert or ignore' if t == 'article_tags' else 'insert'} into [{t}] "
        f"({', '.join(f'[{c}]' for c in cols)}) values ({', '.join('?' * len(cols))})"
        for t, cols in columns.items()
    }
    done = 0
    for rows in jobs:
        rows["articles"] = [(keys.take(r[0]), *r[1:]) for r in rows["articles"]]
        conn.execute("begin")
        for table in TABLES:
            conn.executemany(sql[table], rows[table])
        conn.execute("commit")
        done += len(rows["articles"])
        progress(done)
    return done


def revisit(db, pool, n: int, every: int, run_id: int) -> dict[str, int]:
    """A second run through record_page over every ``every``-th article: edits, removals, re-checks."""
    outcomes: dict[str, int] = {}
    picks = range(0, n, every)
    for i, k in enumerate(picks):
        ((page, record),) = pool.apply(_pages, ((k, k + 1, False),))
        page = {**page, "fetched_at": fetch_time(i, datetime(2024, 6, 20, 8, 0, tzinfo=UTC))}
        if i % 50 == 1:
            page, record = {**page, "status": 404, "removed": "HTTP 404"}, None
        elif i % 4 == 0:
            record = {
                **record,
                "title": record["title"] + " (cập nhật)",
                "text": record["text"] + "\nPV bổ sung.",
            }
        outcome = store.record_page(db, page, record, run_id=run_id)["outcome"]
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def summary(spent: list[float]) -> dict:
    """record_page's rate and latency over the sample; the first call, which pays one-off costs, left out."""
    timed = sorted(spent[1:] or spent)
    return {
        "articles": len(spent),
        "seconds": round(sum(spent), 1),
        "per_s": round(len(timed) / sum(timed), 1),
        "ms_p50": round(1000 * timed[len(timed) // 2], 2),
        "ms_p95": round(1000 * timed[min(len(timed) - 1, round(0.95 * (len(timed) - 1)))], 2),
    }


def build(
    path: Path, n: int, *, sample: int = 2000, batch: int = 5000, every: int = 100, processes: int = 2
) -> dict:
    """An archive of ``n`` replica articles at ``path``; returns what went which way and how fast."""
    t0 = time.perf_counter()
    db = store.open_db(path)
    columns = table_columns(db.conn)
    db.close()  # not into the workers' fork
    out: dict = {"articles": n}
    with multiprocessing.get_context("fork").Pool(processes, _init_worker, (n, columns)) as pool:
        db = store.open_db(path)
        run_id = runs.start_run(db, "tuyengiao", BASE)
        sample = min(sample, n)
        spent = []
        for page, record in pool.apply(_pages, ((0, sample, True),)):
            t = time.perf_counter()
            store.record_page(db, page, record, run_id=run_id)
            spent.append(time.perf_counter() - t)
        out["record_page"] = summary(spent)
        print(f"  record_page: {out['record_page']}", flush=True)
        first = db.conn.execute("select coalesce(max(id), 0) + 1 from captures").fetchone()[0]
        spans = [(s, min(s + batch, n), first + s - sample, run_id) for s in range(sample, n, batch)]
        jobs = bounded(pool, _rows, spans, 2 * processes)
        last = [time.perf_counter()]

        def progress(done: int) -> None:
            if time.perf_counter() - last[0] > 30:
                last[0] = time.perf_counter()
                print(f"  bulk: {done:,} / {n - sample:,} ({time.perf_counter() - t:.0f} s)", flush=True)

        t = time.perf_counter()
        db.conn.execute("pragma journal_mode = off")
        db.conn.execute("pragma synchronous = off")
        db.conn.execute("pragma cache_size = -1000000")
        with SetAside(db.conn):
            done = bulk_insert(db, jobs, columns, progress)
            wall = time.perf_counter() - t
            out["bulk"] = {"articles": done, "seconds": round(wall, 1), "per_s": round(done / wall, 1)}
            print(
                f"  bulk rows: {done:,} articles in {out['bulk']['seconds']} s; indexes, FTS ...", flush=True
            )
            t = time.perf_counter()
        out["indexes_fts_seconds"] = round(time.perf_counter() - t, 1)
        db.conn.execute("pragma journal_mode = wal")
        db.conn.execute("pragma synchronous = normal")
        runs.finish_run(db, run_id, status="ok", exit_code=0, stats={"bench": "bulk_archive"})
        if every:
            t = time.perf_counter()
            second = runs.start_run(db, "tuyengiao", BASE)
            out["revisit"] = revisit(db, pool, n, every, second)
            runs.finish_run(db, second, status="ok", exit_code=0, stats={"bench": "bulk_archive revisit"})
            out["revisit_seconds"] = round(time.perf_counter() - t, 1)
            print(f"  revisit: {out['revisit']} in {out['revisit_seconds']} s", flush=True)
    db.close()
    out["total_seconds"] = round(time.perf_counter() - t0, 1)
    out["db_gb"] = round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e9, 2)
    return out


def self_check(tmp: Path, queries: list[str]) -> list[str]:
    """40 articles through record_page and through the bulk path: every row and FTS count must match."""
    site = build_site(n_articles=40, today=TODAY)
    pages = [make_page(site, a, k, fetch_time(k), with_body=False) for k, a in enumerate(site.articles)]
    dbs = {}
    for mode in ("real", "bulk"):
        db = store.open_db(tmp / f"check-{mode}.db")
        run_id = runs.start_run(db, "tuyengiao", BASE)
        if mode == "real":
            for page, record in pages:
                store.record_page(db, page, record, run_id=run_id)
        else:
            columns = table_columns(db.conn)
            first = db.conn.execute("select coalesce(max(id), 0) + 1 from captures").fetchone()[0]
            rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
            for k, (page, record) in enumerate(pages):
                for table, made in new_article_rows(page, record, first + k, run_id).items():
                    rows[table] += [tuple(r.get(c) for c in columns[table]) for r in made]
            with SetAside(db.conn):
                bulk_insert(db, iter([rows]), columns, lambda done: None)
        dbs[mode] = db
    problems = []
    for table in TABLES:
        cols = [r[1] for r in dbs["real"].conn.execute(f"pragma table_info([{table}])") if r[1] != "id"]
        cols += ["rowid"] if table == "articles" else []
        sql = f"select {', '.join(f'[{c}]' for c in cols)} from [{table}] order by {', '.join(f'[{c}]' for c in cols[:3])}"
        real, bulk = (dbs[m].conn.execute(sql).fetchall() for m in ("real", "bulk"))
        if real != bulk:
            problems.append(f"{table}: {len(real)} rows by record_page, {len(bulk)} by bulk, contents differ")
    schema = "select type, name, sql from sqlite_master order by name"
    if dbs["real"].conn.execute(schema).fetchall() != dbs["bulk"].conn.execute(schema).fetchall():
        problems.append("schema differs after the bulk path (indexes or triggers not restored)")
    fts_sql = "select count(*) from articles_fts where articles_fts match ?"
    for q in queries:
        a, b = (dbs[m].conn.execute(fts_sql, [build_fts_query(q)]).fetchone() for m in ("real", "bulk"))
        if a != b:
            problems.append(f"FTS {q!r}: {a} vs {b}")
    for db in dbs.values():
        db.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True, help="the archive file to create (archive.db)")
    parser.add_argument("--sample", type=int, default=2000, help="new articles through record_page first")
    parser.add_argument(
        "--every", type=int, default=100, help="re-visit every N-th article through record_page"
    )
    parser.add_argument("--batch", type=int, default=5000, help="articles per bulk transaction")
    parser.add_argument("--processes", type=int, default=2, help="worker processes making the rows")
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"{args.out} exists")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.out.parent) as tmp:
        problems = self_check(Path(tmp), ["van hoa", "Đảng", "dang cong san", "Hồ Chí Minh", RARE])
    print(f"self-check (record_page vs bulk, 40 articles): {problems or 'ok'}", flush=True)
    if problems:
        return 1
    result = build(
        args.out,
        args.articles,
        sample=args.sample,
        batch=args.batch,
        every=args.every,
        processes=args.processes,
    )
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
