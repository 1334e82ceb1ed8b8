"""Item pipelines: extract the article from each page, then commit the page to the archive.

Extraction and storage live in ``archive`` (no Scrapy there); these classes only adapt them to
Scrapy's life cycle and stats. Extraction is CPU work, so it runs in worker processes while
Scrapy's thread keeps downloading; the archive is written from Scrapy's thread only.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from archive import propagation, runs, store
from archive.walls import wall_reason
from crawler.extract_pool import ExtractPool, ExtractTimeout, extract_page, leave_pool, shared_pool
from crawler.items import PageItem

logger = logging.getLogger(__name__)


#: One placement at a time in a crawl process (archive.propagation); one crawl process an archive.
_PLACING = threading.Lock()

#: Pages on which a cookie wall or JavaScript challenge is looked for.
WALLED_KINDS = frozenset({"article", "page", "listing", "home"})


class ExtractPipeline:
    """Turn an article page's body into a record; a page that is not one gets ``record=None``.

    ``EXTRACT_WORKERS`` processes do the work (0: in Scrapy's thread), one pool for the whole
    crawl process, shared with every other portal crawled in it (``crawler.extract_pool``); a
    page taking longer than ``EXTRACT_TIMEOUT`` seconds once a worker has it, or crashing its
    worker, becomes a failed capture, and that worker is killed and replaced.
    """

    def __init__(self, stats, workers: int, timeout: float) -> None:
        self.stats = stats
        self.workers = workers
        self.timeout = timeout
        self.pool: ExtractPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        return cls(crawler.stats, settings.getint("EXTRACT_WORKERS"), settings.getfloat("EXTRACT_TIMEOUT"))

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = shared_pool(self, self.workers)

    def close_spider(self) -> None:
        """The last portal of the process to close stops the workers (see ``leave_pool``)."""
        if self.pool is not None:
            leave_pool(self)
            self.pool = None

    async def process_item(self, item: PageItem) -> PageItem:
        if item.status == 200 and item.kind in WALLED_KINDS and (wall := wall_reason(item.body)):
            # The site put a wall between us and the page: a refusal, never an article or a removal.
            item.error = f"blocked: {wall}"
            self.stats.inc_value("blocked/" + wall.replace(" ", "_"))
            return item
        # Any page may be an article, whatever led to it: its content decides, not its address
        # (a listing the hints name included: a hint never decides).
        if (
            item.kind not in ("article", "page", "listing")
            or item.status != 200
            or item.error
            or item.removed
        ):
            return item
        if not item.body:
            item.note = "not an article: empty body"
            return item
        task = (item.body, item.final_url, item.content_type)
        try:
            if self.pool is None:
                item.record, item.note = extract_page(*task)
            else:
                item.record, item.note = await self.pool.extract(self, task, self.timeout)
        except Exception as exc:  # a bad page is a failed capture, never a crashed run
            logger.warning("extraction failed for %s: %r", item.final_url, exc)
            item.error = f"extraction failed: {type(exc).__name__}: {exc}"[:500]
            self.stats.inc_value("extract/timeout" if isinstance(exc, ExtractTimeout) else "extract/error")
            return item
        self.stats.inc_value("extract/article" if item.record else "extract/not_article")
        return item


class ArchivePipeline:
    """Commit each page (capture + article version) to the SQLite archive as it arrives."""

    def __init__(self, db_path: str, crawler: Crawler) -> None:
        self.db_path = db_path
        self.crawler = crawler
        self.db = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler.settings.get("ARCHIVE_DB_PATH"), crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.db = store.open_db(self.db_path)
        spider = self.crawler.spider
        self.run_id = runs.start_run(self.db, spider.name, getattr(spider, "base_url", ""))
        self.crawler.stats.set_value("archive/run_id", self.run_id)
        logger.info("archive %s, run %s", self.db_path, self.run_id)

    def process_item(self, item: PageItem) -> PageItem:
        page = dict(vars(item))  # shallow: dataclasses.asdict deep-copies headers and record
        record = page.pop("record")
        # the run's site names an article whose host the sites file does not list (a replica)
        capture = store.record_page(self.db, page, record, run_id=self.run_id, site=self.crawler.spider.name)
        self.crawler.stats.inc_value(f"archive/outcome/{capture['outcome']}")
        item.outcome = capture["outcome"]
        if item.listed_by and item.status == 200:
            runs.count_listed_verdict(self.crawler.stats, item.listed_by, capture)
        item.body = None  # the archive has it; keep memory and logs light
        item.record = None
        return item

    def spider_closed(self, spider: Spider, reason: str) -> Deferred | None:
        if self.db is None:
            return None
        if not self.crawler.settings.getbool("PROPAGATE_AFTER_RUN"):
            self._close_run(reason)
            return None
        # Placement reads and writes the archive for a while: in a thread of its own, so that the
        # other portals of a `crawl --all` keep crawling; Scrapy waits for the Deferred.
        placing = deferToThread(self._propagate)
        placing.addCallback(self._count_placed)
        placing.addBoth(lambda _: self._close_run(reason))
        return placing

    def _close_run(self, reason: str) -> None:
        stats: dict[str, Any] = dict(self.crawler.stats.get_stats())
        run = runs.close_run(self.db, self.run_id, reason=reason, stats=stats)
        logger.info("run %s closed: %s (exit code %s)", self.run_id, run["status"], run["exit_code"])
        self.db.close()
        self.db = None

    def _propagate(self) -> dict[str, Any]:
        """Place the new and changed articles (a thread's own connection); a failure is reported, not raised."""
        try:
            with _PLACING:  # portals closing together would place the same pending articles
                db = store.open_db(self.db_path)
                try:
                    return propagation.propagate(db)
                finally:
                    db.close()
        except Exception as exc:  # derived data: `vnarchive propagate` can redo it, the run must close
            logger.error("propagation after run %s failed: %r", self.run_id, exc)
            return {"error": f"{type(exc).__name__}: {exc}"[:300]}

    def _count_placed(self, counts: dict[str, Any]) -> None:
        for name, value in counts.items():
            self.crawler.stats.set_value(f"propagation/{name}", value)
