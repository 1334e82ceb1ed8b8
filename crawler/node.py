"""A portal's run on a crawl node (``vnarchive dispatch``): seed in, deadline kept, hand-off out.

Enabled by ``NODE_SEED_URL``, which the archive host's dispatcher sets when it schedules the run
on a scrapyd node. Before the crawl opens its working copy (``ARCHIVE_DB_PATH``, on the node),
the portal's seed is fetched into it; the run stops itself before its lease's deadline
(``NODE_DEADLINE`` less ``NODE_STOP_MARGIN``), so that a portal the archive host hands to another
node once the lease expires is never crawled twice at once; when the engine has stopped, the run
is written as a hand-off (archive.handoff) beside the items file scrapyd serves, and the working
copy is removed. See docs/deployment.md.
"""

from __future__ import annotations

import logging
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

from archive.handoff import write_handoff

logger = logging.getLogger(__name__)

#: The close reason of a run stopped by its lease's deadline.
DEADLINE_REASON = "lease deadline"


class NodeRun:
    """The node's side of a dispatched run; inert unless ``NODE_SEED_URL`` is set."""

    def __init__(
        self, crawler: Crawler, db_path: Path, stem: Path, token: str, deadline: float, margin: float
    ):
        self.crawler = crawler
        self.db_path = db_path
        self.stem = stem
        self.token = token
        self.deadline = deadline
        self.margin = margin
        self.task = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NodeRun:
        settings = crawler.settings
        seed_url = settings.get("NODE_SEED_URL")
        if not seed_url:
            raise NotConfigured
        feeds = list(settings.getdict("FEEDS"))
        if len(feeds) != 1 or urlsplit(feeds[0]).scheme != "file":
            raise ValueError(
                "NODE_SEED_URL is set, but scrapyd gave no local items file: set items_dir in scrapyd.conf"
            )
        items = Path(unquote(urlsplit(feeds[0]).path))
        node = cls(
            crawler,
            Path(settings.get("ARCHIVE_DB_PATH")),
            items.with_suffix(""),
            settings.get("NODE_TOKEN"),
            settings.getfloat("NODE_DEADLINE"),
            settings.getfloat("NODE_STOP_MARGIN"),
        )
        node.fetch_seed(seed_url)
        crawler.signals.connect(node.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(node.engine_stopped, signal=signals.engine_stopped)
        return node

    def fetch_seed(self, url: str) -> None:
        """The portal's state from the archive host, as this run's working copy."""
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.db_path.with_name(self.db_path.name + ".seed")
        with urllib.request.urlopen(url, timeout=60) as answer, partial.open("wb") as out:
            while chunk := answer.read(1 << 20):
                out.write(chunk)
        for leftover in (self.db_path.with_name(self.db_path.name + s) for s in ("-wal", "-shm")):
            leftover.unlink(missing_ok=True)
        partial.replace(self.db_path)
        logger.info("seed %s fetched into %s", url, self.db_path)

    def spider_opened(self) -> None:
        if self.deadline:
            left = self.deadline - self.margin - time.time()
            logger.info("this run stops by its lease's deadline, in %.0f s", left)
            self.task = call_later(max(left, 0.0), self._stop)

    def _stop(self) -> None:
        logger.warning("the lease's deadline is near: stopping the run")
        _schedule_coro(self.crawler.engine.close_spider_async(reason=DEADLINE_REASON))

    def engine_stopped(self) -> None:
        if self.task is not None:
            self.task.cancel()
        site = self.crawler.spider.name
        records = write_handoff(self.db_path, self.stem, self.token, site)
        logger.info("hand-off written: %s", records)
        for suffix in ("", "-wal", "-shm"):
            self.db_path.with_name(self.db_path.name + suffix).unlink(missing_ok=True)
