"""Reading the discovery documents of a portal: robots.txt, sitemaps, feeds, pages' links.

Pure functions over bytes and URLs, so each is tested on its own; the spider only wires them.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree

from archive.urls import clean_url

logger = logging.getLogger(__name__)

#: What of a robots.txt is read: Google reads the first 500 KiB and ignores the rest.
ROBOTS_MAX_CHARS = 500 * 1024
#: A robots.txt naming more sitemaps than this is not describing its site.
ROBOTS_MAX_SITEMAPS = 1000
# One line at a time, anchored at its start: ``^\s*`` over the whole text with MULTILINE
# retried every blank line from each of them (quadratic: 400,000 newlines held the GIL, and the
# crawl ignored SIGTERM, for tens of seconds).
_SITEMAP_LINE = re.compile(r"sitemap[ \t]*:[ \t]*(\S+)", re.IGNORECASE)


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt names, absolute; linear in the text, which is cut at 500 KiB."""
    found = []
    for line in text[:ROBOTS_MAX_CHARS].splitlines():
        m = _SITEMAP_LINE.match(line.lstrip())
        if m:
            found.append(urljoin(base_url, m.group(1)))
            if len(found) >= ROBOTS_MAX_SITEMAPS:
                break
    return found


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None
    #: True for a ``<sitemap>`` of a sitemap index (another sitemap to read), False for a ``<url>``.
    is_sitemap: bool
    #: What a Google News sitemap says of the article: ``news:publication_date``, ``news:title``.
    news: dict[str, str] | None = None


class SitemapError(ValueError):
    """A sitemap that could not be read at all."""


#: The sitemap protocol's limits on one file (sitemaps.org): 50,000 URLs, 50 MB uncompressed.
#: Read up to them and no further: a 7 MB gzip expanded to 840,249 entries and 658 MiB.
SITEMAP_MAX_URLS = 50_000
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 256 * 1024


def _gunzipped_chunks(body: bytes, max_size: int) -> Iterator[bytes]:
    """The body in chunks, gunzipped if it is gzip; never more than ``max_size`` bytes in all."""
    if body[:2] != b"\x1f\x8b":
        yield body[:max_size]
        return
    inflater = zlib.decompressobj(wbits=47)
    left = max_size
    pending = body
    try:
        while left > 0 and (pending or inflater.unconsumed_tail):
            data = inflater.unconsumed_tail or pending[:_CHUNK]
            if not inflater.unconsumed_tail:
                pending = pending[_CHUNK:]
            out = inflater.decompress(data, min(left, _CHUNK))
            left -= len(out)
            if out:
                yield out
            if inflater.eof:
                return
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise SitemapError(f"bad gzip data: {exc}") from exc


def maybe_gunzip(body: bytes, max_size: int = SITEMAP_MAX_BYTES) -> bytes:
    """Sitemaps are often served gzip-compressed without Content-Encoding; undo that (up to ``max_size``)."""
    return b"".join(_gunzipped_chunks(body, max_size))


def parse_sitemap(body: bytes) -> list[SitemapEntry]:
    """Entries of a sitemap or sitemap index; raises SitemapError when nothing can be read.

    Incremental (a pull parser fed chunk by chunk, each entry dropped from the tree once read),
    within the protocol's limits: the first SITEMAP_MAX_URLS entries of the first
    SITEMAP_MAX_BYTES bytes, the rest ignored with a warning. Memory stays at the chunk plus
    the entries kept, whatever the file expands to.
    """
    cached = _parsed.pop(id(body), None)
    if cached is not None and cached[0] is body:
        if isinstance(cached[1], SitemapError):
            raise cached[1]
        return cached[1]
    parser = etree.XMLPullParser(
        events=("start", "end"), recover=True, resolve_entities=False, no_network=True, huge_tree=False
    )
    entries: list[SitemapEntry] = []
    root_name = None
    size = 0
    try:
        for chunk in _gunzipped_chunks(body, SITEMAP_MAX_BYTES):
            size += len(chunk)
            parser.feed(chunk)
            for event, element in parser.read_events():
                name = etree.QName(element).localname if isinstance(element.tag, str) else ""
                if event == "start":
                    root_name = root_name or name
                    continue
                if name not in ("url", "sitemap"):
                    continue
                fields = {
                    etree.QName(c).localname: (c.text or "").strip()
                    for c in element
                    if isinstance(c.tag, str)
                }
                if fields.get("loc"):
                    entries.append(
                        SitemapEntry(
                            fields["loc"],
                            fields.get("lastmod") or None,
                            is_sitemap=name == "sitemap",
                            news=_news(element),
                        )
                    )
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
                if len(entries) >= SITEMAP_MAX_URLS:
                    logger.warning("sitemap over %s entries: the rest is ignored", SITEMAP_MAX_URLS)
                    return entries
        if size >= SITEMAP_MAX_BYTES:
            logger.warning("sitemap over %s bytes uncompressed: the rest is ignored", SITEMAP_MAX_BYTES)
        try:
            parser.close()
        except etree.XMLSyntaxError as exc:
            if root_name is None:
                raise SitemapError(str(exc) or "not XML") from exc
    except etree.XMLSyntaxError as exc:
        raise SitemapError(str(exc)) from exc
    if root_name is None:
        raise SitemapError("not XML")
    if not entries and root_name not in {"urlset", "sitemapindex"}:
        raise SitemapError(f"not a sitemap (root element <{root_name}>)")
    return entries


#: The Google News sitemap fields kept with a capture, by their element names.
NEWS_FIELDS = {"publication_date": "published", "title": "title"}


def _news(url: etree._Element) -> dict[str, str] | None:
    """``<news:news>``'s publication date and title, when the entry has them."""
    found = {}
    for child in url:
        if isinstance(child.tag, str) and etree.QName(child).localname == "news":
            for el in child.iter():
                key = NEWS_FIELDS.get(etree.QName(el).localname) if isinstance(el.tag, str) else None
                if key and (el.text or "").strip():
                    found[key] = " ".join(el.text.split())[:1000]
    return found or None


#: Sitemaps parsed ahead of the spider, off Scrapy's thread (crawler.extensions.SitemapReader):
#: id(body) -> (body, entries or the SitemapError). Holding the body keeps its id unique; a few
#: entries at most, since the spider reads each one as soon as it is handed over.
_parsed: dict[int, tuple[bytes, list[SitemapEntry] | SitemapError]] = {}
_PARSED_MAX = 8


def parse_sitemap_ahead(body: bytes) -> None:
    """Parse ``body`` now (in a worker thread) so that parse_sitemap(body) answers at once."""
    try:
        result: list[SitemapEntry] | SitemapError = parse_sitemap(body)
    except SitemapError as exc:
        result = exc
    while len(_parsed) >= _PARSED_MAX:
        _parsed.pop(next(iter(_parsed)))
    _parsed[id(body)] = (body, result)


def feed_links(body: bytes) -> list[str]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    links = [el.text.strip() for el in root.iter("{*}link") if el.text and el.text.strip()]
    links += [el.get("href") for el in root.iter("{http://www.w3.org/2005/Atom}link") if el.get("href")]
    channel_links = {
        el.text.strip() for el in root.iter("{*}channel") for el in el.findall("{*}link") if el.text
    }
    return [link for link in dict.fromkeys(links) if link not in channel_links]


def same_site(url: str, hosts: set[str]) -> bool:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host in hosts


def same_portal(url: str, hosts: set[str], root: str) -> bool:
    """``same_site``, and on the root's port when the root names one (portals on one host)."""
    port = urlsplit(root).port
    return same_site(url, hosts) and (port is None or urlsplit(url).port == port)


_SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|pdf|docx?|xlsx?|pptx?|zip|rar|mp[34]|avi|mov)$", re.IGNORECASE
)


def page_links(hrefs: list[str], page_url: str, hosts: set[str]) -> list[str]:
    """Absolute, cleaned, same-site links of a page, in order, without files and duplicates."""
    out = []
    origin = ""
    for href in dict.fromkeys(h.strip() for h in hrefs):
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        if href.startswith(("http://", "https://")) or (href.startswith("/") and not href.startswith("//")):
            # Resolved alike against any page of the site: the same menus and related links
            # on every page are resolved and cleaned once (_link's cache).
            if not origin:
                parts = urlsplit(page_url)
                origin = f"{parts.scheme}://{parts.netloc}/"
            link = _link(origin, href)
        else:
            link = _link(page_url, href)
        if link is not None and link[1] in hosts:
            out.append(link[0])
    return list(dict.fromkeys(out))


@lru_cache(maxsize=16_384)
def _link(base: str, href: str) -> tuple[str, str] | None:
    """``href`` resolved against ``base`` and cleaned, with its host for ``same_site``; None if
    it is not http(s) or names a file."""
    url = clean_url(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or _SKIP_EXTENSIONS.search(parts.path):
        return None
    return url, (parts.hostname or "").removeprefix("www.")


#: Query parameters that page a listing on portals of this family, besides the profile's own.
PAGE_PARAMS = ("page", "p", "trang", "pageindex", "pagenumber", "pg", "paged")
_PATH_PAGE = re.compile(r"(?:/(?:page|trang|p)[/-]?|[-_](?:page|trang|p)-?)(\d+)/?$", re.IGNORECASE)


def page_number(url: str, param: str) -> int | None:
    """The page number a listing URL names (``?page=3``, ``/page/3``, ``/trang-3``), or None."""
    parts = urlsplit(url)
    for name in (param, *PAGE_PARAMS):
        match = re.search(rf"(?:^|&){re.escape(name)}=(\d+)(?:&|$)", parts.query, re.IGNORECASE)
        if match:
            return int(match.group(1))
    match = _PATH_PAGE.search(parts.path)
    return int(match.group(1)) if match else None


def listing_root(url: str) -> str:
    """The path of a listing without its page part: ``/kinh-te/trang-3`` -> ``/kinh-te``."""
    path = urlsplit(url).path
    return _PATH_PAGE.sub("", path).rstrip("/") or "/"


def is_pagination_of(link: str, listing_url: str, param: str) -> bool:
    """A link to another page of the same listing (same root path, a page number)."""
    return listing_root(link) == listing_root(listing_url) and page_number(link, param) is not None
