"""A progress line for people watching a crawl; silence for cron."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressExtension:
    """Every ``PROGRESS_INTERVAL`` seconds: pages done, queued, rate; only when stderr is a terminal.

    ``PROGRESS`` = "auto" (default: a terminal only), "always" or "never".
    """

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        mode = crawler.settings.get("PROGRESS", "auto")
        if mode == "never" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL", 2.0))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def line(self) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        archived = stats.get_value("item_scraped_count", 0)
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return f"{pages} pages, {archived} archived, {queued} queued, {pages / elapsed:.1f} pages/s"

    def report(self) -> None:
        sys.stderr.write(f"\r{self.line()}   ")
        sys.stderr.flush()

    def spider_closed(self, spider, reason: str) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        sys.stderr.write(f"\r{self.line()} ({reason})\n")
