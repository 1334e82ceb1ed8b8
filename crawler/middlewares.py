"""Incremental crawling: fetch what is new, re-check what is due, resume what a killed run left.

A spider middleware, so the spider stays a pure discovery machine: it yields every link it
finds, and this component decides, from what the archive already holds, which of them to
request and how (conditional headers for re-checks).
"""

from __future__ import annotations

import heapq
import logging
import weakref
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from archive import shapes, store
from archive.urls import canonical_url
from crawler import discovery, policy

#: What the archive made of a page that is an article.
ARTICLE_OUTCOMES = frozenset({"new", "changed", "unchanged"})

logger = logging.getLogger(__name__)


class IncrementalMiddleware(BaseSpiderMiddleware):
    """Skip known articles that are not due, make re-checks conditional, keep a resumable frontier.

    Settings: ``INCREMENTAL`` (default True: False re-fetches everything), ``RECHECK_MAX_PER_RUN``
    (cap on re-checks of known articles not flagged by a sitemap lastmod), ``RECHECK_ALL`` (every
    known article is due, within the cap), ``FRONTIER_FLUSH_EVERY``, ``SHAPE_PROBE_BUDGET``
    (pages of a URL shape that never yielded an article fetched before the shape is given up).

    Links no hint names (``kind="page"``) are fetched as the site's learned URL shapes
    (archive.shapes) allow: a shape whose pages were articles is fetched as articles, an
    unproven one a few times, a barren one no more. What each page turned out to be comes back
    through ``item_scraped`` and is kept in the archive for the next run.
    """

    #: Listed pairs written to the temporary table per transaction.
    LISTED_BATCH = 500

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.db_path = settings.get("ARCHIVE_DB_PATH")
        self.incremental = settings.getbool("INCREMENTAL", True)
        self.recheck_cap = settings.getint("RECHECK_MAX_PER_RUN", 500)
        self.recheck_all = settings.getbool("RECHECK_ALL", False)
        self.flush_every = settings.getint("FRONTIER_FLUSH_EVERY", 50)
        self.probe_budget = settings.getint("SHAPE_PROBE_BUDGET", 5)
        self.book: shapes.ShapeBook | None = None
        #: Responses whose links included an article: only such a listing is paged through.
        self._productive: weakref.WeakKeyDictionary[Response, bool] = weakref.WeakKeyDictionary()
        self.stats = crawler.stats
        self.db = None
        #: What the decisions need of each article the archive held when the run started:
        #: hash(url) -> (last checked, published else first seen), as UTC datetimes. ~230 bytes
        #: per article instead of ~820 for its url and ``store.article_states`` row; the
        #: validators for a conditional re-check are read from the archive when it is made. (A new
        #: URL sharing a known one's hash would be judged as that one: odds ~5e-8 for 1M x 1M.)
        self.known: dict[int, tuple[datetime | None, datetime | None]] = {}
        self.walk_back: bool | None = None
        self.rechecks = 0
        # Per-run decisions, so a URL linked from many pages is judged (and counted) once; a
        # skipped one is judged again only when a sitemap lastmod says it changed. Kept as the
        # URLs' 64-bit hashes (~70 bytes per URL instead of ~165 for the string): every article
        # of the site ends up here. Two URLs of one run sharing a hash (odds ~n²/2⁶⁵, 3e-8 for a
        # million) would make the second look already requested.
        self.fetching: set[int] = set()
        self.skipped: set[int] = set()
        self.pending: list[dict] = []
        # (listing root, article URL) pairs waiting to be written to the connection's temporary
        # ``listed`` table, which keeps the per-listing coverage on disk rather than in memory.
        self.listed_pending: list[tuple[str, str]] = []
        self._fresh_listing: weakref.WeakKeyDictionary[Response, bool] = weakref.WeakKeyDictionary()
        self.now = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.item_scraped, signal=signals.item_scraped)
        return middleware

    def _open(self) -> None:
        if self.db is not None:
            return
        self.db = store.open_db(self.db_path)
        self.db.execute(
            "create temp table if not exists listed (root text, url text, primary key (root, url)) without rowid"
        )
        self.known = self._known_articles()
        self.stats.set_value("incremental/known_articles", len(self.known))
        #: Pages judged not articles by an earlier run: hash(url) -> when (UTC).
        self.judged = {
            hash(url): policy.parse_time(at)
            for url, at in self.db.execute(
                "select url, max(fetched_at) from captures where outcome = 'not-article' group by url"
            )
        }
        self.book = shapes.load(self.db, self.crawler.spider.name, self.probe_budget)

    def _known_articles(self) -> dict[int, tuple[datetime | None, datetime | None]]:
        known = {}
        for url, last_checked, published, first_seen in self.db.execute(
            "select url, last_checked, published, first_seen from articles"
        ):
            checked = policy.parse_time(last_checked)
            since = policy.parse_time(published) or policy.parse_time(first_seen)
            known[hash(url)] = (
                checked and checked.astimezone(UTC),
                since and since.astimezone(UTC),  # one shared tzinfo, not one per +07:00 date
            )
        return known

    def _walk_back(self) -> bool:
        """Stop paging through a listing at known territory only when the last run saw it all."""
        if self.walk_back is None:
            # Asked when the first listing is parsed, once the archive pipeline has started this run.
            run_id = self.stats.get_value("archive/run_id")
            self.walk_back = bool(
                self.incremental
                and self.known
                and run_id
                and store.previous_run_finished(self.db, self.crawler.spider.name, run_id)
            )
            self.stats.set_value("incremental/walk_back", self.walk_back)
        return self.walk_back

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self._open()
        spider = self.crawler.spider
        resumed = store.frontier(self.db)
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
        hosts = self.crawler.spider.hosts
        # Read row by row, keeping only the newest ``recheck_cap`` due ones.
        rows = self.db.execute("select url, last_checked, published, first_seen from articles")
        due = (
            (published or "", url)
            for url, last_checked, published, first_seen in rows
            if discovery.same_site(url, hosts)
            and (
                self.recheck_all
                or policy.recheck_due(
                    {"last_checked": last_checked, "published": published, "first_seen": first_seen}, self.now
                )
            )
        )
        return [url for _, url in heapq.nlargest(self.recheck_cap, due)]

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
            passed = self._article_request(request, response)
            if response is not None:
                self._productive[response] = True
            return passed
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
        assert self.book is not None
        if hash(canonical_url(request.url)) in self.known:
            return self.crawler.spider.request(request.url, "article")
        if self.book.productive(request.url):
            # Fetched as an article, recorded as the page it is until its content says more.
            self.stats.inc_value("crawl/shape_article")
            return self.crawler.spider.request(request.url, "article", learned=True)
        if self.book.allow_probe(request.url):
            self.stats.inc_value("crawl/shape_probe")
            return request
        self.stats.inc_value("crawl/shape_refused")
        return None

    def item_scraped(self, item: Any, response: Response, spider: Any) -> None:
        """Learn from each judged page what its URL's shape yields."""
        if (
            self.book is None
            or not getattr(item, "outcome", None)
            or item.kind not in ("article", "page", "listing")
        ):
            return
        if item.status == 200 and item.outcome != "failed":
            self.book.judged(
                item.requested_url, item.outcome in ARTICLE_OUTCOMES, requested=item.kind == "page"
            )
        elif item.kind == "page" and item.status in (404, 410):
            self.book.judged(item.requested_url, False)  # a dead link: nothing of its shape here

    def _article_request(self, request: Request, response: Response | None) -> Request | None:
        url = canonical_url(request.url)
        key = hash(url)
        known = self.known.get(key)
        state = None if known is None else {"last_checked": known[0], "published": known[1]}
        if (
            response is not None
            and response.meta.get("kind") == "listing"
            and self._own_article(response, url)
        ):
            self.listed_pending.append((discovery.listing_root(response.url), url))
            if len(self.listed_pending) >= self.LISTED_BATCH:
                self._flush_listed()
            if state is None:
                self._fresh_listing[response] = True
        if key in self.fetching and not request.meta.get("moved_from"):
            # Already requested in this run, perhaps through another form of its URL
            # (a trailing slash, a tracking parameter) that the duplicate filter cannot see.
            self.stats.inc_value("incremental/duplicate_url")
            return None
        if (
            state is None
            and self.incremental
            and key in self.judged
            and not policy.not_article_due(self.judged[key], request.meta.get("lastmod"), self.now)
        ):
            self.stats.inc_value("incremental/skipped_not_article")
            return None
        if state is None or not self.incremental:
            self.fetching.add(key)
            self._remember(url, request)
            return request
        changed = policy.changed_since_check(request.meta.get("lastmod"), state)
        if changed is False:
            self.stats.inc_value("incremental/skipped_lastmod")
            return None
        if changed is None:
            if key in self.skipped:
                return None
            if (
                not (self.recheck_all or policy.recheck_due(state, self.now))
                or self.rechecks >= self.recheck_cap
            ):
                self.skipped.add(key)
                self.stats.inc_value("incremental/skipped_not_due")
                return None
            self.rechecks += 1
        self.fetching.add(key)
        self.stats.inc_value("incremental/rechecked")
        headers = {}
        etag, last_modified = self.db.execute(
            "select etag, last_modified from articles where url = ?", [url]
        ).fetchone() or (None, None)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return request.replace(headers={**request.headers.to_unicode_dict(), **headers})

    @staticmethod
    def _own_article(listing: Response, url: str) -> bool:
        """An article the listing itself lists (its URL lies under the listing's path), not sidebar news.

        On sites whose article URLs do not carry the section, every article link counts.
        """
        section = discovery.listing_root(listing.url).rstrip("/")
        path = urlsplit(url).path
        return not section or path.startswith(section + "/") or path.count("/") < 2

    def _remember(self, url: str, request: Request) -> None:
        self.pending.append(
            {
                "url": url,
                "request_url": request.url,
                "kind": "article",
                "lastmod": request.meta.get("lastmod"),
            }
        )
        if len(self.pending) >= self.flush_every:
            self._flush()

    def _flush(self) -> None:
        if self.pending and self.db is not None:
            store.add_to_frontier(self.db, self.pending, self.stats.get_value("archive/run_id"))
        self.pending = []

    def _flush_listed(self) -> None:
        if self.listed_pending and self.db is not None:
            with self.db.atomic():
                self.db.conn.executemany(
                    "insert or ignore into temp.listed values (?, ?)", self.listed_pending
                )
        self.listed_pending = []

    def spider_closed(self, spider, reason: str) -> None:
        if self.db is None:
            return
        if reason == "finished":
            self.pending = []
            store.clear_frontier(self.db)
        else:
            self._flush()
        coverage = self.coverage()
        run_id = self.stats.get_value("archive/run_id")
        if self.book is not None:
            shapes.save(self.db, self.book, store.utcnow())
        if run_id:
            learned = self.book.table()[: shapes.SUMMARY_SHAPES] if self.book else []
            store.merge_run_stats(self.db, run_id, {"listing_coverage": coverage, "url_shapes": learned})
        for path, row in coverage.items():
            logger.info("listing %s: %d articles listed, %d archived", path, row["listed"], row["archived"])
        self.db.close()
        self.db = None

    def coverage(self) -> dict[str, dict[str, int]]:
        """Per listing: how many articles its pages showed this run, and how many the archive holds."""
        self._flush_listed()
        rows = self.db.execute(
            "select l.root, count(*), count(a.url) from temp.listed l"
            " left join articles a on a.url = l.url group by l.root order by l.root"
        ).fetchall()
        return {path: {"listed": listed, "archived": archived} for path, listed, archived in rows}
