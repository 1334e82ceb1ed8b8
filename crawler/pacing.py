"""Sitemaps read at the pace articles are fetched, so the request queue does not hold the whole site.

A sitemap chunk turns into up to thousands of article requests at once, and a queued Request
costs ~4 KB in Scrapy's in-memory queue (the object, its headers, its cached fingerprint and
parsed URL; tracemalloc, bench/crawl_memory.py). Giving chunks a lower priority than articles
is not enough: when the sitemap index is read the queue is empty, so the downloader takes as
many chunks as it has slots (16 with FAST_SETTINGS) and the queue holds 16,000 articles. Holding
the chunks back here, one in flight at a time, bounds the queue by the chunk size instead of the
site size.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware


class SitemapPacer(BaseSpiderMiddleware):
    """Hold sitemap requests back; let one through when the previous one is read and the queue is short.

    Setting ``SITEMAP_PACE_QUEUE``: a held sitemap is released once the scheduler holds fewer
    requests than this (default 500: a few seconds of fetching, far longer than a chunk takes to
    arrive); 0 turns pacing off. A released sitemap counts as read when its callback's output
    has been processed, when the scheduler drops it, or, for one that failed to download (its
    errback's output does not pass through spider middlewares), when the crawl would otherwise go
    idle: nothing is ever left behind, a failed chunk only costs a drained queue.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.queue_limit = crawler.settings.getint("SITEMAP_PACE_QUEUE")
        self.held: deque[Request] = deque()
        #: Tokens (in ``meta["sitemap_pace"]``, which redirects and retries keep) of released sitemaps not read yet.
        self.reading: set[int] = set()
        self._tokens = itertools.count(1)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SitemapPacer:
        pacer = cls(crawler)
        if pacer.queue_limit > 0:
            crawler.signals.connect(pacer.release, signal=signals.response_received)
            crawler.signals.connect(pacer.request_dropped, signal=signals.request_dropped)
            crawler.signals.connect(pacer.spider_idle, signal=signals.spider_idle)
        return pacer

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if self.queue_limit > 0 and request.meta.get("kind") == "sitemap":
            self.held.append(request)
            return None
        return request

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        yield from super().process_spider_output(response, result)
        self._read(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in super().process_spider_output_async(response, result):
            yield item
        self._read(response)

    def _read(self, response: Response) -> None:
        token = response.meta.get("sitemap_pace")
        if token is not None:
            self.reading.discard(token)
            self.release()

    def queued(self) -> int:
        stats = self.crawler.stats
        return stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)

    def release(self, *args: Any, **kwargs: Any) -> None:
        """Send the next held sitemap to the scheduler if none is being read and the queue is short."""
        if self.held and not self.reading and self.queued() < self.queue_limit:
            self._send()

    def _send(self) -> None:
        request = self.held.popleft()
        token = next(self._tokens)
        request.meta["sitemap_pace"] = token
        self.reading.add(token)
        self.crawler.engine.crawl(request)

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        token = request.meta.get("sitemap_pace")
        if token is not None:
            self.reading.discard(token)
            self.release()

    def spider_idle(self, spider: Any = None) -> None:
        # Idle: nothing is downloading or being parsed, so whatever was released has been read.
        if self.held:
            self.reading.clear()
            self._send()
            raise DontCloseSpider
