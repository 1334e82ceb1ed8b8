"""Reading the discovery documents of a portal: robots.txt, sitemaps, feeds, pages' links.

Pure functions over bytes and URLs, so each is tested on its own; the spider only wires them.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from archive.urls import clean_url

_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt names, absolute."""
    return [urljoin(base_url, m.group(1)) for m in _SITEMAP_LINE.finditer(text)]


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None
    #: True for a ``<sitemap>`` of a sitemap index (another sitemap to read), False for a ``<url>``.
    is_sitemap: bool


class SitemapError(ValueError):
    """A sitemap that could not be read at all."""


def maybe_gunzip(body: bytes, max_size: int = 64 * 1024 * 1024) -> bytes:
    """Sitemaps are often served gzip-compressed without Content-Encoding; undo that."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        out = zlib.decompressobj(wbits=47).decompress(body, max_size)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise SitemapError(f"bad gzip data: {exc}") from exc
    return out


def parse_sitemap(body: bytes) -> list[SitemapEntry]:
    """Entries of a sitemap or sitemap index; raises SitemapError when nothing can be read."""
    body = maybe_gunzip(body)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(str(exc)) from exc
    if root is None:
        raise SitemapError("not XML")
    entries = []
    for element in root.iter("{*}url", "{*}sitemap"):
        fields = {etree.QName(child).localname: (child.text or "").strip() for child in element}
        if fields.get("loc"):
            entries.append(
                SitemapEntry(
                    loc=fields["loc"],
                    lastmod=fields.get("lastmod") or None,
                    is_sitemap=etree.QName(element).localname == "sitemap",
                )
            )
    if not entries and etree.QName(root).localname not in {"urlset", "sitemapindex"}:
        raise SitemapError(f"not a sitemap (root element <{etree.QName(root).localname}>)")
    return entries


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


_SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|pdf|docx?|xlsx?|pptx?|zip|rar|mp[34]|avi|mov)$", re.IGNORECASE
)


def page_links(hrefs: list[str], page_url: str, hosts: set[str]) -> list[str]:
    """Absolute, cleaned, same-site links of a page, in order, without files and duplicates."""
    out = []
    for href in dict.fromkeys(h.strip() for h in hrefs):
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = clean_url(urljoin(page_url, href))
        if urlsplit(url).scheme not in {"http", "https"} or not same_site(url, hosts):
            continue
        if _SKIP_EXTENSIONS.search(urlsplit(url).path):
            continue
        out.append(url)
    return list(dict.fromkeys(out))


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
