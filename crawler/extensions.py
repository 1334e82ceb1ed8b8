"""Small Scrapy components: a progress line for people watching a crawl (silence for cron), a
sitemap reader that keeps Scrapy's thread free, and one clean stop per shutdown signal."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task, threads

from crawler import discovery


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
        mode = crawler.settings.get("PROGRESS")
        if mode == "never" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL"))
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


class SitemapReader:
    """Downloader middleware: parse a downloaded sitemap in a worker thread, before the spider sees it.

    Reading a sitemap (gunzip, XML) is CPU work of up to the protocol's 50 MB per file; on
    Scrapy's thread it stalls every download and callback meanwhile. Here it runs in the
    reactor's thread pool; the spider's ``discovery.parse_sitemap(response.body)`` then gets the
    result at once (``discovery.parse_sitemap_ahead``). Placed first in the chain (lowest order),
    so the body parsed is the one the spider receives.
    """

    async def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("kind") == "sitemap" and response.status == 200 and response.body:
            await maybe_deferred_to_future(
                threads.deferToThread(discovery.parse_sitemap_ahead, response.body)
            )
        return response


class OneStopPerSignal:
    """The same shutdown signal arriving twice at once is one request to stop, not two.

    Scrapy stops cleanly on a first SIGINT/SIGTERM and forces an unclean stop on a second. A
    signal to the whole process group (systemd stopping the unit, Ctrl-C in a terminal) reaches
    this process directly and again forwarded by ``vnarchive crawl`` a moment later: Scrapy took
    that for a second signal, and the run stayed ``running``. Signals within
    ``SIGNAL_COALESCE_SECONDS`` of the last one are dropped; a deliberate second Ctrl-C later
    still forces the stop.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, window: float) -> None:
        self.window = window
        self.inner: dict[int, Any] = {}
        self.last: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OneStopPerSignal:
        extension = cls(crawler.settings.getfloat("SIGNAL_COALESCE_SECONDS"))
        crawler.signals.connect(extension.install, signal=signals.engine_started)
        crawler.signals.connect(extension.install, signal=signals.spider_opened)
        return extension

    def install(self) -> None:
        """Wrap whatever handler Scrapy has installed (it installs a new one after each signal)."""
        for signum in self.SIGNALS:
            current = signal.getsignal(signum)
            if current != self.handle and callable(current):  # a bound method is a new object each time
                self.inner[signum] = current
                signal.signal(signum, self.handle)

    def handle(self, signum: int, frame: Any) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.window:
            return  # the same stop, delivered twice
        self.last = now
        inner = self.inner.get(signum)
        if callable(inner):
            with self._successors_kept():
                inner(signum, frame)

    @contextlib.contextmanager
    def _successors_kept(self) -> Iterator[None]:
        """While Scrapy's handler runs, the handler it installs for the next signal is kept here,
        to be called through this window; this one stays installed.

        Scrapy's handler installs its successor (the unclean stop) first, then logs. Installed
        for real, that successor took a copy of the signal arriving meanwhile (the signal
        reached the process twice at once), bypassing the window: an unclean stop, the run
        left ``running`` (it failed CI once). Blocking the signals would not do: another thread
        of the process takes a signal the main thread blocks, and Python still runs its handler
        on the main thread, whichever is installed then.
        """
        real = signal.signal

        def keep(signum: int, handler: Any) -> Any:
            if signum in self.SIGNALS and callable(handler):
                previous, self.inner[signum] = self.inner.get(signum), handler
                return previous
            return real(signum, handler)

        signal.signal = keep
        try:
            yield
        finally:
            signal.signal = real
