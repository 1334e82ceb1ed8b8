"""Item pipelines: extract the article from each page, then commit the page to the archive.

Extraction and storage live in ``archive`` (no Scrapy there); these classes only adapt them to
Scrapy's life cycle and stats. Extraction is CPU work, so it runs in worker processes while
Scrapy's thread keeps downloading; the archive is written from Scrapy's thread only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import threading
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from archive import runs, store
from archive.extract import extract, is_article
from archive.walls import wall_reason
from crawler.items import PageItem

logger = logging.getLogger(__name__)


#: Pages on which a cookie wall or JavaScript challenge is looked for.
WALLED_KINDS = frozenset({"article", "page", "listing", "home"})


def extract_page(body: bytes, url: str, content_type: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) for an article page; (None, why not) for any other page. Runs in a worker."""
    record = extract(body, url, content_type=content_type)
    if is_article(record):
        return record, None
    return None, "not an article: " + (", ".join(record.get("flags") or []) or "no title or too little text")


class ExtractTimeout(Exception):
    """A page took longer than EXTRACT_TIMEOUT; its worker was killed and replaced."""


class WorkerDied(Exception):
    """A worker process ended while extracting a page (a crash); it was replaced."""


#: How long a new worker may take to start (imports), before its first page's timeout begins.
WORKER_START_TIMEOUT = 120.0


def _worker_main(conn: Connection) -> None:
    """A worker's loop: (body, url, content_type) in, ("ok", result) or ("error", message) out.

    It first says "ready" (its imports done), so that a page's timeout never counts start-up.
    Shutdown signals are the crawl's to handle: a signal to the process group must not kill a
    worker under the page it is extracting (the crawl stops its workers itself).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            conn.send(("ok", extract_page(*task)))
        except Exception as exc:  # noqa: BLE001 - reported to the crawl as a failed capture
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class _Slot:
    """One worker process and its pipe; a page that overstays kills the process, and the slot gets a new one.

    A ProcessPoolExecutor cannot do that: a cancelled future's worker keeps computing, so two
    pathological pages held both workers while every page queued behind them timed out.
    """

    def __init__(self, context: BaseContext) -> None:
        self.context = context
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.ready = False
        self.start()

    def start(self) -> None:
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def run(self, task: tuple, timeout: float) -> Any:
        """Extract one page in this slot's process (blocking: called in a thread)."""
        assert self.conn is not None
        if not self.ready:
            try:
                if not self.conn.poll(WORKER_START_TIMEOUT) or self.conn.recv() != "ready":
                    raise EOFError
            except (EOFError, OSError):
                self.restart()
                raise WorkerDied("an extraction worker did not start") from None
            self.ready = True
        self.conn.send(task)
        try:
            ready = self.conn.poll(timeout)
            answer = self.conn.recv() if ready else None
        except (EOFError, OSError):
            self.restart()
            raise WorkerDied("the extraction worker died") from None
        if answer is None:
            self.restart()
            raise ExtractTimeout(f"took longer than {timeout:g} s")
        status, value = answer
        if status == "error":
            raise RuntimeError(value)
        return value

    def restart(self) -> None:
        self.kill()
        self.start()

    def kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
        if self.process is not None:
            self.process.join()
        if self.conn is not None:
            self.conn.close()
        self.process, self.conn = None, None

    def stop(self, grace: float) -> None:
        """Ask the process to end; kill it if it is still busy after ``grace`` seconds."""
        if self.process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(grace)
        self.kill()


class ExtractPipeline:
    """Turn an article page's body into a record; a page that is not one gets ``record=None``.

    ``EXTRACT_WORKERS`` processes do the work (0: in Scrapy's thread); a page taking longer than
    ``EXTRACT_TIMEOUT`` seconds once a worker has it, or crashing its worker, becomes a failed
    capture, and that worker is killed and replaced: a page never keeps a worker past the timeout.
    """

    def __init__(self, stats, workers: int, timeout: float) -> None:
        self.stats = stats
        self.workers = workers
        self.timeout = timeout
        self.slots: list[_Slot] = []
        self.idle: asyncio.Queue[_Slot] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        return cls(crawler.stats, settings.getint("EXTRACT_WORKERS"), settings.getfloat("EXTRACT_TIMEOUT"))

    def open_spider(self) -> None:
        if self.workers > 0:
            context = multiprocessing.get_context("spawn")
            self.slots = [_Slot(context) for _ in range(self.workers)]
            self.idle = asyncio.Queue()
            for slot in self.slots:
                self.idle.put_nowait(slot)

    def close_spider(self) -> None:
        """Idle workers end at once; a busy one is killed after a second, not waited for."""
        for slot in self.slots:
            slot.stop(grace=1.0)

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
        try:
            item.record, item.note = await self._extract(item)
        except Exception as exc:  # a bad page is a failed capture, never a crashed run
            logger.warning("extraction failed for %s: %r", item.final_url, exc)
            item.error = f"extraction failed: {type(exc).__name__}: {exc}"[:500]
            self.stats.inc_value("extract/timeout" if isinstance(exc, ExtractTimeout) else "extract/error")
            return item
        self.stats.inc_value("extract/article" if item.record else "extract/not_article")
        return item

    async def _extract(self, item: PageItem) -> tuple[dict[str, Any] | None, str | None]:
        if self.idle is None:
            return extract_page(item.body, item.final_url, item.content_type)
        idle = self.idle
        slot = await idle.get()  # the timeout starts when a worker has the page
        task = (item.body, item.final_url, item.content_type)
        # back to the idle queue only once its thread is done with it, even if this await is cancelled
        return await _in_daemon_thread(slot.run, task, self.timeout, then=lambda: idle.put_nowait(slot))


def _in_daemon_thread(fn: Any, *args: Any, then: Any) -> asyncio.Future:
    """``fn(*args)`` in a daemon thread, as a future of the running loop; ``then()`` on the loop
    once the thread is done (even when the awaiting coroutine was cancelled meanwhile).

    Not an executor's thread: the interpreter joins those at exit, before it ends daemon worker
    processes, so a crawl stopped uncleanly (a second signal) waited for a thread blocked on its
    busy worker's pipe, then on the worker it started in its place: minutes, with no output.
    """
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(outcome: Any, failed: bool) -> None:
        if not future.done():  # not cancelled while the thread ran
            if failed:
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        then()

    def target() -> None:
        try:
            outcome, failed = fn(*args), False
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            outcome, failed = exc, True
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(settle, outcome, failed)

    threading.Thread(target=target, name="extract", daemon=True).start()
    return future


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
        # the run's site names an article whose host the sites file does not list (a replica)
        capture = store.record_page(self.db, page, record, run_id=self.run_id, site=self.crawler.spider.name)
        self.crawler.stats.inc_value(f"archive/outcome/{capture['outcome']}")
        item.outcome = capture["outcome"]
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
