"""Incremental crawling: fetch what is new, re-check what is due, resume what a killed run left.

A spider middleware, so the spider stays a pure discovery machine: it yields every link it
finds, and this component decides which of them to request and how (conditional headers for
re-checks). It is a thin layer, as Scrapy's ``HttpCacheMiddleware`` is: the decisions' rules
are ``crawler.policy`` and ``archive.shapes``, what the archive holds and what a run must
remember is ``archive.crawlstate.CrawlState``, opened for the run the archive pipeline started.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from w3lib.url import safe_url_string

from archive import shapes
from archive.crawlstate import CrawlState
from archive.urls import canonical_url
from crawler import discovery, policy
from crawler.pipelines import ArchivePipeline

#: What the archive made of a page that is an article.
ARTICLE_OUTCOMES = frozenset({"new", "changed", "unchanged"})
#: Article links remembered by ``_link``: a portal's pages repeat the same few hundred (its menus,
#: its latest and related news), and a crawl --all runs many portals in this process.
LINK_CACHE_SIZE = 16384

logger = logging.getLogger(__name__)


class IncrementalMiddleware(BaseSpiderMiddleware):
    """Skip known articles that are not due, make re-checks conditional, keep a resumable frontier.

    Settings (defaults in crawler/settings.py): ``INCREMENTAL`` (False re-fetches everything),
    ``RECHECK_MAX_PER_RUN`` (cap on re-checks of known articles not flagged by a sitemap
    lastmod), ``RECHECK_ALL`` (every known article is due, within the cap),
    ``FRONTIER_FLUSH_EVERY``, ``SHAPE_PROBE_BUDGET`` (pages of a URL shape that never yielded an
    article fetched before the shape is given up), ``SHAPE_PROBE_SHARE`` and ``SHAPE_PROBE_FLOOR``
    (past the floor, probes of unproven shapes stay under this share of all requests).

    Links no hint names (``kind="page"``) are fetched as the site's learned URL shapes allow: a
    shape whose pages were articles is fetched as articles, an unproven one a few times, a
    barren one no more. What each page turned out to be comes back through ``item_scraped``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.db_path = settings.get("ARCHIVE_DB_PATH")
        self.incremental = settings.getbool("INCREMENTAL")
        self.recheck_cap = settings.getint("RECHECK_MAX_PER_RUN")
        self.recheck_all = settings.getbool("RECHECK_ALL")
        self.flush_every = settings.getint("FRONTIER_FLUSH_EVERY")
        self.probe_budget = settings.getint("SHAPE_PROBE_BUDGET")
        self.probe_share = settings.getfloat("SHAPE_PROBE_SHARE")
        self.probe_floor = settings.getint("SHAPE_PROBE_FLOOR")
        self.stats = crawler.stats
        self.state: CrawlState | None = None
        self.walk_back: bool | None = None
        self.rechecks = 0
        #: Responses whose links included an article: only such a listing is paged through.
        self._productive: weakref.WeakKeyDictionary[Response, bool] = weakref.WeakKeyDictionary()
        #: Listing responses that showed an article the archive does not hold yet.
        self._fresh_listing: weakref.WeakKeyDictionary[Response, bool] = weakref.WeakKeyDictionary()
        self.now = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.item_scraped, signal=signals.item_scraped)
        return middleware

    def _open(self) -> CrawlState:
        if self.state is None:
            # The run this crawl records itself as: started by the archive pipeline when the
            # spider opened, before any request is made.
            pipeline = self.crawler.get_item_pipeline(ArchivePipeline)
            run_id = pipeline.run_id if pipeline is not None else None
            self.state = CrawlState(
                self.db_path,
                self.crawler.spider.name,
                run_id,
                probe_budget=self.probe_budget,
                flush_every=self.flush_every,
            )
            self.stats.set_value("incremental/known_articles", len(self.state.known))
        return self.state

    def _walk_back(self) -> bool:
        """Stop paging through a listing at known territory only when the last run saw it all."""
        if self.walk_back is None:
            state = self._open()
            self.walk_back = bool(self.incremental and state.known and state.previous_run_finished())
            self.stats.set_value("incremental/walk_back", self.walk_back)
        return self.walk_back

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        state = self._open()
        spider = self.crawler.spider
        # The spider asks this before it builds a link's Request (drops_link).
        spider.drops_link = self.drops_link
        resumed = state.resumable()
        if resumed:
            logger.info("resuming %d pages discovered by an unfinished run", len(resumed))
            self.stats.set_value("incremental/resumed", len(resumed))
        for entry in resumed:
            request = self.get_processed_request(
                spider.request(entry["request_url"], entry["kind"], lastmod=entry["lastmod"]), None
            )
            if request is not None:
                yield request
        # Known articles due for a re-check, newest first: this is how edits and removals of
        # articles that no listing or sitemap shows any more are noticed.
        for url in self._due_known_articles():
            request = self.get_processed_request(spider.request(url, "article"), None)
            if request is not None:
                yield request
        async for item in super().process_start(start):
            yield item

    def _due_known_articles(self) -> list[str]:
        if not self.incremental:
            return []
        hosts, root = self.crawler.spider.hosts, self.crawler.spider.root
        return self._open().due_articles(
            lambda state: self.recheck_all or policy.recheck_due(state, self.now),
            lambda url: discovery.same_portal(url, hosts, root),
            self.recheck_cap,
        )

    def drops_link(self, url: str, kind: str, response: Response) -> bool:
        """Whether this middleware would drop the Request of an ``article`` or ``page`` link of
        ``response``: decided before the Request is built, for the two commonest cases.

        Most links of a portal's pages end here: articles this run has requested already (its
        related and latest news, on every page: a ``duplicate_url``), and links no hint names
        once probing unproven shapes has taken its share of the requests. Scrapy would build
        each one's Request (``safe_url_string``) and every spider middleware would handle it
        first. What the middleware does for such a link besides dropping it (a learned shape's
        count, a listing's own articles counted for its coverage) is done here too, so that the
        run decides, fetches and records the same pages either way. Any other link, and a
        trap, is left to its Request.
        """
        state = self._open()
        key, canonical, requested, trap = _link(url)
        if trap:
            return False
        known = state.known_state(canonical)
        if kind == "page" and known is None and not state.shapes.productive(requested):
            if self._probes_spent():
                self.stats.inc_value("crawl/shape_refused_share")
                return True
            if _refuses_probe(state.shapes, requested):
                # As _candidate would: the book counts the refusal (allow_probe says no).
                state.shapes.allow_probe(requested)
                self.stats.inc_value("crawl/shape_refused")
                return True
            return False  # a probe: the Request's to count
        if key not in state.fetching:
            return False
        if kind == "page" and known is None:
            self.stats.inc_value("crawl/shape_article")
        self._note_listed(response, canonical, known)
        self.stats.inc_value("incremental/link_requested_already")
        return True

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        self._open()
        kind = request.meta.get("kind")
        if kind in ("article", "page", "listing") and (trap := shapes.trap_reason(request.url)):
            self.stats.inc_value(f"crawl/trap/{trap}")
            return None
        if kind == "page":
            request = self._candidate(request)
            if request is None:
                return None
            kind = request.meta["kind"]
        if kind == "article":
            key = hash(canonical_url(request.url))
            if response is not None and key not in self._open().seen:
                # An article link this run meets for the first time: the page leads somewhere
                # (links every page repeats, a sidebar's "Mới nhất", do not count).
                self._productive[response] = True
            self._open().seen.add(key)
            return self._article_request(request, response)
        if request.meta.get("paginates") and response is not None and not self._productive.get(response):
            # A listing page none of whose links is an article: its next pages are no better
            # (an empty listing that pages forever, a calendar, a tag cloud).
            self.stats.inc_value("crawl/pagination_stopped")
            return None
        if kind == "listing" and response is not None and self._walk_back():
            param = self.crawler.spider.profile.page_param
            if discovery.is_pagination_of(request.url, response.url, param) and not self._fresh_listing.get(
                response
            ):
                self.stats.inc_value("incremental/listing_stopped")
                return None
        return request

    def _candidate(self, request: Request) -> Request | None:
        """A link no hint names: an article request if its shape yields articles (or it is a
        known article), a probe while its shape is unproven, nothing once it is barren."""
        state = self._open()
        if state.known_state(canonical_url(request.url)) is not None:
            return self.crawler.spider.request(request.url, "article")
        if state.shapes.productive(request.url):
            # Fetched as an article, recorded as the page it is until its content says more.
            self.stats.inc_value("crawl/shape_article")
            return self.crawler.spider.request(request.url, "article", learned=True)
        if self._probes_spent():
            self.stats.inc_value("crawl/shape_refused_share")
            return None
        if state.shapes.allow_probe(request.url):
            self.stats.inc_value("crawl/shape_probe")
            return request
        self.stats.inc_value("crawl/shape_refused")
        return None

    def _probes_spent(self) -> bool:
        """Probes of unproven shapes have taken their share of all requests (past the floor)."""
        probes = self.stats.get_value("crawl/shape_probe", 0)
        return probes >= self.probe_floor and probes > self.probe_share * self.stats.get_value(
            "downloader/request_count", 0
        )

    def item_scraped(self, item: Any, response: Response, spider: Any) -> None:
        """Learn from each judged page what its URL's shape yields."""
        if self.state is None or not getattr(item, "outcome", None):
            return
        if item.kind not in ("article", "page", "listing"):
            return
        book = self.state.shapes
        if item.status == 200 and item.outcome != "failed":
            book.judged(
                item.requested_url,
                item.outcome in ARTICLE_OUTCOMES,
                requested=item.kind == "page",
                lead=bool(self._productive.get(response)),
            )
        elif item.kind == "page" and item.status in (404, 410):
            book.judged(item.requested_url, False)  # a dead link: nothing of its shape here

    def _article_request(self, request: Request, response: Response | None) -> Request | None:
        state = self._open()
        url = canonical_url(request.url)
        key = hash(url)
        known = state.known_state(url)
        self._note_listed(response, url, known)
        if key in state.fetching and not request.meta.get("moved_from"):
            # Already requested in this run, perhaps through another form of its URL
            # (a trailing slash, a tracking parameter) that the duplicate filter cannot see.
            self.stats.inc_value("incremental/duplicate_url")
            return None
        if (
            known is None
            and self.incremental
            and key in state.judged
            and not policy.not_article_due(state.judged[key], request.meta.get("lastmod"), self.now)
        ):
            self.stats.inc_value("incremental/skipped_not_article")
            return None
        if known is None or not self.incremental:
            state.fetching.add(key)
            state.remember(
                {
                    "url": url,
                    "request_url": request.url,
                    "kind": "article",
                    "lastmod": request.meta.get("lastmod"),
                }
            )
            return request
        changed = policy.changed_since_check(request.meta.get("lastmod"), known)
        if changed is False:
            self.stats.inc_value("incremental/skipped_lastmod")
            return None
        if changed is None:
            if key in state.skipped:
                return None
            if (
                not (self.recheck_all or policy.recheck_due(known, self.now))
                or self.rechecks >= self.recheck_cap
            ):
                state.skipped.add(key)
                self.stats.inc_value("incremental/skipped_not_due")
                return None
            self.rechecks += 1
        state.fetching.add(key)
        self.stats.inc_value("incremental/rechecked")
        etag, last_modified = state.validators(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return request.replace(headers={**request.headers.to_unicode_dict(), **headers})

    def _note_listed(self, response: Response | None, url: str, known: dict | None) -> None:
        """A listing's own article counts for the listing's coverage, and a new one keeps it paged."""
        if (
            response is not None
            and response.meta.get("kind") == "listing"
            and self._own_article(response, url)
        ):
            self._open().listed(discovery.listing_root(response.url), url)
            if known is None:
                self._fresh_listing[response] = True

    @staticmethod
    def _own_article(listing: Response, url: str) -> bool:
        """An article the listing itself lists (its URL lies under the listing's path), not sidebar news.

        On sites whose article URLs do not carry the section, every article link counts.
        """
        section = discovery.listing_root(listing.url).rstrip("/")
        path = urlsplit(url).path
        return not section or path.startswith(section + "/") or path.count("/") < 2

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.state is None:
            return
        summary = self.state.close(finished=reason == "finished")
        self.state = None
        for path, row in summary["listing_coverage"].items():
            logger.info("listing %s: %d articles listed, %d archived", path, row["listed"], row["archived"])


def _refuses_probe(book: shapes.ShapeBook, url: str) -> bool:
    """Whether ``book.allow_probe(url)`` would say no, asked without counting anything: a shape
    that never yielded an article nor led to one, its probe budget spent."""
    c = book.counts.get(shapes.shape(url))
    if c is None:
        return book.probe_budget <= 0
    return not (c.articles > 0 or c.leads > 0) and c.others + c.pending >= book.probe_budget


@lru_cache(maxsize=LINK_CACHE_SIZE)
def _link(url: str) -> tuple[int, str, str, bool]:
    """A link as ``get_processed_request`` would see its Request: (its key in the run's sets, its
    canonical URL, the URL requested, whether it is a trap). The URL requested is the one
    ``scrapy.Request`` would carry (w3lib's ``safe_url_string`` in UTF-8, as Request makes it),
    so that the key is the Request's own."""
    requested = safe_url_string(url, "utf-8")
    canonical = canonical_url(requested)
    return hash(canonical), canonical, requested, shapes.trap_reason(requested) is not None
