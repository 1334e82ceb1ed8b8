"""Item pipelines: extract the article from each page, then commit the page to the archive.

Extraction and storage live in ``archive`` (no Scrapy there); these classes only adapt them to
Scrapy's life cycle and stats. Extraction is CPU work, so it runs in worker processes while
Scrapy's thread keeps downloading; the archive is written from Scrapy's thread only.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from archive import runs, store
from archive.extract import extract, is_article
from crawler.items import PageItem

logger = logging.getLogger(__name__)


def extract_page(body: bytes, url: str, content_type: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) for an article page; (None, why not) for any other page. Runs in a worker."""
    record = extract(body, url, content_type=content_type)
    if is_article(record):
        return record, None
    return None, "not an article: " + (", ".join(record.get("flags") or []) or "no title or too little text")


class ExtractPipeline:
    """Turn an article page's body into a record; a page that is not one gets ``record=None``.

    ``EXTRACT_WORKERS`` processes do the work (0: in Scrapy's thread); a page taking longer than
    ``EXTRACT_TIMEOUT`` seconds, or crashing its worker, becomes a failed capture.
    """

    def __init__(self, stats, workers: int, timeout: float) -> None:
        self.stats = stats
        self.workers = workers
        self.timeout = timeout
        self.pool: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        return cls(
            crawler.stats, settings.getint("EXTRACT_WORKERS", 2), settings.getfloat("EXTRACT_TIMEOUT", 60)
        )

    def open_spider(self) -> None:
        self._start_pool()

    def _start_pool(self) -> None:
        if self.workers > 0:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: PageItem) -> PageItem:
        if item.kind != "article" or item.status != 200 or item.error or item.removed:
            return item
        if not item.body:
            item.note = "not an article: empty body"
            return item
        try:
            item.record, item.note = await self._extract(item)
        except Exception as exc:  # a bad page is a failed capture, never a crashed run
            logger.warning("extraction failed for %s: %r", item.final_url, exc)
            item.error = f"extraction failed: {type(exc).__name__}: {exc}"[:500]
            self.stats.inc_value("extract/error")
            return item
        self.stats.inc_value("extract/article" if item.record else "extract/not_article")
        return item

    async def _extract(self, item: PageItem) -> tuple[dict[str, Any] | None, str | None]:
        if self.pool is None:
            return extract_page(item.body, item.final_url, item.content_type)
        future = self.pool.submit(extract_page, item.body, item.final_url, item.content_type)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except BrokenProcessPool:
            # A worker died (a pathological page); later pages get a fresh pool.
            self.pool.shutdown(wait=False, cancel_futures=True)
            self._start_pool()
            raise


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
        self.run_id = store.start_run(self.db, spider.name, getattr(spider, "base_url", ""))
        self.crawler.stats.set_value("archive/run_id", self.run_id)
        logger.info("archive %s, run %s", self.db_path, self.run_id)

    def process_item(self, item: PageItem) -> PageItem:
        page = dict(vars(item))  # shallow: dataclasses.asdict deep-copies headers and record
        record = page.pop("record")
        capture = store.record_page(self.db, page, record, run_id=self.run_id)
        self.crawler.stats.inc_value(f"archive/outcome/{capture['outcome']}")
        if item.listed_by and item.status == 200:
            runs.count_listed_verdict(self.crawler.stats, item.listed_by, capture)
        item.body = None  # the archive has it; keep memory and logs light
        item.record = None
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is None:
            return
        stats: dict[str, Any] = dict(self.crawler.stats.get_stats())
        run = runs.close_run(self.db, self.run_id, reason=reason, stats=stats)
        logger.info("run %s closed: %s (exit code %s)", self.run_id, run["status"], run["exit_code"])
        self.db.close()
        self.db = None
