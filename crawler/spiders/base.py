"""A spider for one portal of the family, driven by its site profile.

Discovery, in order of trust: robots.txt -> sitemaps, the RSS feed, then the home page's menus
-> category listings, walked page by page. Which links are articles comes from the profile's
URL patterns; whether a page really is one is decided later from the page itself (extraction).
The spider knows HTTP and discovery only: it yields a PageItem for every response and the
requests it discovers, nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.profiles import SiteProfile
from archive.urls import canonical_url, clean_url, variant_base
from crawler import discovery
from crawler.items import PageItem

#: Articles before more discovery: a sitemap chunk is read only when the articles already found
#: are fetched, so the queue holds about one chunk (~1000 requests), not the whole site.
#: A "page" is a link no hint names: fetched as the site's learned URL shapes allow (the
#: incremental middleware decides), and judged by its content like any other page.
PRIORITY = {"robots": 100, "feed": 80, "home": 70, "article": 50, "sitemap": 40, "page": 20, "listing": 10}


class PortalSpider(scrapy.Spider):
    profile: SiteProfile
    #: Whether the incremental middleware would drop the Request of a link (url, kind, the
    #: response it is on): then none is built. Set by that middleware when the crawl starts
    #: (crawler/middlewares.py: IncrementalMiddleware.drops_link).
    drops_link: Callable[[str, str, Response], bool] | None = None

    def __init__(self, base_url: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = clean_url(base_url or self.profile.base_url).rstrip("/")
        # robots.txt, sitemaps and feeds live at the host's root even when the portal is a path
        # of it (a provincial board under its province's site).
        parts = urlsplit(self.base_url)
        self.root = f"{parts.scheme}://{parts.netloc}"
        base_host = parts.hostname or ""
        self.hosts = {base_host.removeprefix("www."), *self.profile.hosts}
        self.allowed_domains = sorted(self.hosts)

    # -- requests ------------------------------------------------------------------------

    def request(self, url: str, kind: str, **meta: Any) -> scrapy.Request:
        callback = {
            "robots": self.parse_robots,
            "sitemap": self.parse_sitemap,
            "feed": self.parse_feed,
            "home": self.parse_listing,
            "listing": self.parse_listing,
            "page": self.parse_listing,
            "article": self.parse_article,
        }[kind]
        if kind == "article":
            meta.setdefault("dont_redirect", True)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            priority=PRIORITY[kind],
            meta={"kind": kind, **meta},
        )

    def link_request(self, url: str, kind: str, response: Response, **meta: Any) -> Iterator[scrapy.Request]:
        """The request for an ``article`` or ``page`` link of ``response``; none when it would be dropped."""
        if self.drops_link is None or not self.drops_link(url, kind, response):
            yield self.request(url, kind, **meta)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.request(f"{self.root}/robots.txt", "robots")
        yield self.request(f"{self.base_url}/", "home")
        for path in self.profile.feed_paths:
            yield self.request(f"{self.root}{path}", "feed", optional=True)

    # -- callbacks -------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Any]:
        yield self.page_item(response)
        sitemaps = []
        if response.status == 200:
            sitemaps = discovery.robots_sitemaps(response.text, self.root)
        if not sitemaps:
            sitemaps = [f"{self.root}{path}" for path in self.profile.sitemap_paths]
        for url in sitemaps:
            if discovery.same_site(url, self.hosts):
                yield self.request(clean_url(url), "sitemap")

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if response.status != 200:
            yield self.page_item(response)
            return
        try:
            entries = discovery.parse_sitemap(response.body)
        except discovery.SitemapError as exc:
            yield self.page_item(response, error=f"unreadable sitemap: {exc}")
            return
        yield self.page_item(response)
        for entry in entries:
            url = clean_url(entry.loc)
            if not discovery.same_site(url, self.hosts):
                continue
            if entry.is_sitemap:
                yield self.request(url, "sitemap")
            elif self.looks_like_article(url):
                url = variant_base(url) or url
                yield from self.link_request(
                    url, "article", response, lastmod=entry.lastmod, listed_by="sitemap", news=entry.news
                )
            elif urlsplit(url).path not in {"", "/"}:
                # A hint calls it a listing; the site's own sitemap names it: the page decides.
                yield from self.link_request(url, "page", response)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if response.status != 200 and response.meta.get("optional"):
            return  # a guessed feed path that does not exist is not a failure
        yield self.page_item(response)
        if response.status != 200:
            return
        for link in discovery.feed_links(response.body):
            url = clean_url(link)
            if not discovery.same_site(url, self.hosts):
                continue
            if self.looks_like_article(url):
                yield from self.link_request(variant_base(url) or url, "article", response, listed_by="feed")
            elif urlsplit(url).path not in {"", "/"}:
                yield from self.link_request(url, "page", response)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        yield self.page_item(response)
        if response.status != 200 or not isinstance(response, scrapy.http.TextResponse):
            return
        links = _renderings_dropped(discovery.page_links(_hrefs(response), response.url, self.hosts))
        articles = [u for u in links if self.profile.is_article_url(u)]
        for url in articles:
            yield from self.link_request(url, "article", response)
        for href in response.css(
            'link[rel="alternate"][type="application/rss+xml"]::attr(href),'
            ' link[rel="alternate"][type="application/atom+xml"]::attr(href)'
        ).getall():
            yield self.request(clean_url(response.urljoin(href)), "feed")
        yield from self.listing_requests(response, links)
        # Every other link of the site is a candidate: its page, not its address, decides.
        for url in links:
            if urlsplit(url).path not in {"", "/"} and not self._named(url, response.url):
                yield from self.link_request(url, "page", response)

    def _named(self, url: str, page_url: str) -> bool:
        """A link the hints or the page's pagination already name (requested as such)."""
        return (
            self.profile.is_article_url(url)
            or self.profile.is_listing_url(url)
            or discovery.is_pagination_of(url, page_url, self.profile.page_param)
        )

    def listing_requests(self, response: Response, links: list[str]) -> Iterator[scrapy.Request]:
        """Further pages of this listing, and the listings the hints name.

        Whether a listing is worth paging through is the incremental middleware's call: it
        sees which of the page's links turned out articles.
        """
        param = self.profile.page_param
        limit = self.settings.getint("LISTING_MAX_PAGES")
        for url in links:
            if self.profile.is_article_url(url):
                continue
            if discovery.is_pagination_of(url, response.url, param):
                number = discovery.page_number(url, param) or 1
                if not limit or number <= limit:
                    yield self.request(url, "listing", paginates=True)
            elif urlsplit(url).path not in {"", "/"} and self.profile.is_listing_url(url):
                yield self.request(url, "listing")

    def parse_article(self, response: Response) -> Iterator[Any]:
        if 300 <= response.status < 400 and response.headers.get("Location"):
            yield from self.follow_article_redirect(response)
            return
        removed = f"http-{response.status}" if response.status in (404, 410) else None
        yield self.page_item(response, removed=removed)
        if response.status == 200 and isinstance(response, scrapy.http.TextResponse):
            # Related-news blocks reach articles that listings have already paged past. The
            # page's own print/AMP links are renderings of it, not more articles.
            own = canonical_url(response.url)
            links = _renderings_dropped(discovery.page_links(_hrefs(response), response.url, self.hosts))
            for url in links:
                if canonical_url(url) == own:
                    continue
                if self.profile.is_article_url(url):
                    yield from self.link_request(url, "article", response)
                elif urlsplit(url).path not in {"", "/"} and not self._named(url, response.url):
                    yield from self.link_request(url, "page", response)

    def follow_article_redirect(self, response: Response) -> Iterator[Any]:
        """An article URL that redirects: moved to another article, or gone (sent to the home page or a listing).

        Article requests do not follow redirects by themselves: the target may be a page this
        run has already fetched (the home page), which the duplicate filter would silently drop.
        """
        target = clean_url(response.urljoin(response.headers["Location"].decode("latin-1")))
        chain = [*response.meta.get("article_chain", []), canonical_url(response.url)]
        original = response.meta.get("moved_from", response.url)
        if discovery.same_site(target, self.hosts) and self.profile.is_article_url(target):
            error = None
            if canonical_url(target) in chain:
                error = f"redirect loop back to {target}"
            elif len(chain) > self.settings.getint("REDIRECT_MAX_TIMES"):
                error = f"redirect chain longer than {len(chain) - 1} hops"
            if error:
                item = self.page_item(response, error=error)
                item.url = canonical_url(original)  # the article that could not be reached
                yield item
            else:
                yield self.page_item(response, kind="redirect")
                yield self.request(target, "article", moved_from=original, article_chain=chain)
        else:
            item = self.page_item(response, removed="redirect")
            item.url = canonical_url(original)
            yield item

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request
        if failure.check(IgnoreRequest):
            # Disallowed by robots.txt or filtered: never fetched, so nothing to archive.
            return
        if request.meta.get("optional"):
            return
        yield PageItem(
            url=canonical_url(request.url),
            requested_url=request.meta.get("redirect_urls", [request.url])[0],
            final_url=request.url,
            fetched_at=_now(),
            status=None,
            kind=request.meta.get("kind", "other"),
            error=f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500],
        )

    # -- helpers ---------------------------------------------------------------------------

    def looks_like_article(self, url: str) -> bool:
        """Sitemap and feed entries are articles unless they look like a listing or the home page."""
        path = urlsplit(url).path
        return self.profile.is_article_url(url) or (
            path not in {"", "/"} and not self.profile.is_listing_url(url)
        )

    def page_item(
        self,
        response: Response,
        *,
        error: str | None = None,
        removed: str | None = None,
        kind: str | None = None,
    ) -> PageItem:
        headers = {
            k.decode("latin-1"): v[0].decode("latin-1") if v else "" for k, v in response.headers.items()
        }
        requested = response.meta.get("moved_from") or response.meta.get("redirect_urls", [response.url])[0]
        return PageItem(
            url=canonical_url(response.url),
            requested_url=requested,
            final_url=response.url,
            fetched_at=_now(),
            status=response.status,
            # An article request made only because its URL's shape yields articles is a page
            # until the extractor says otherwise: its not being one is no failure of the run.
            kind=kind or ("page" if response.meta.get("learned") else response.meta.get("kind", "other")),
            content_type=headers.get("Content-Type"),
            headers=headers,
            body=response.body,
            error=error,
            removed=removed,
            listed_by=response.meta.get("listed_by"),
            news=response.meta.get("news"),
        )


def _hrefs(response: scrapy.http.TextResponse) -> list[str]:
    """``response.css("a::attr(href)").getall()``: every <a href> in document order, read from the
    parsed tree without making a Selector per link (half the cost, in Scrapy's busy thread)."""
    return [href for a in response.selector.root.iter("a") if (href := a.get("href")) is not None]


def _renderings_dropped(links: list[str]) -> list[str]:
    """Links with print, AMP and mobile renderings replaced by the article they render, in order.

    A print link on every article would otherwise double every fetch and every archived row.
    """
    return list(dict.fromkeys(variant_base(url) or url for url in links))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
