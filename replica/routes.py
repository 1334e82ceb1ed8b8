"""Which page answers which request: a pure function from request to :class:`Response`.

Routes: ``/``, ``/<category>[?page=N]``, ``/<category>/<slug>-<id>``, ``/robots.txt``,
``/sitemap.xml``, ``/sitemap-articles-N.xml``, ``/rss``, ``/tim-kiem?q=``, the internal page,
the decoy menu sections, ``/Uploads/...`` and ``/static/...`` images, ``POST /phan-hoi``.
Anything else is a 404 with an HTML error page.
"""

from __future__ import annotations

import re
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

from replica import faults, feeds, pages
from replica.model import Article, Site
from replica.responses import PIXEL, Response, html, not_found

_ARTICLE = re.compile(r"^/(?:([a-z0-9-]+)/)?([a-z0-9-]+)-(\d+)$")
_CHUNK = re.compile(r"^/sitemap-articles-(\d+)\.xml$")


_CSS = b"body{font-family:Arial,sans-serif}.bt-wrap{max-width:1140px;margin:0 auto}\n"


def not_modified(article: Article, headers: dict[str, str]) -> bool:
    """RFC 9110: If-None-Match wins when present; else If-Modified-Since not older than the change."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "if-none-match" in lowered:
        tags = [t.strip().removeprefix("W/") for t in lowered["if-none-match"].split(",")]
        return "*" in tags or article.etag() in tags
    if "if-modified-since" in lowered:
        try:
            since = parsedate_to_datetime(lowered["if-modified-since"])
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return article.modified.replace(microsecond=0) <= since
    return False


def article_response(site: Site, article: Article, headers: dict[str, str]) -> Response:
    """The article page, its removal answer, or a 304 when the client's copy is current."""
    if article.status != "live":
        how = article.removal
        if how == "410":
            return html(410, pages.gone(site))
        if how == "redirect-home":
            return Response(302, b"", None, {"Location": "/"})
        if how == "soft-404":
            return html(200, pages.not_found(site, soft=True))
        return not_found(site)
    validators = {
        "ETag": article.etag(),
        "Last-Modified": format_datetime(article.modified.astimezone(UTC), usegmt=True),
    }
    if not_modified(article, headers):
        return Response(304, b"", None, validators)
    return html(200, pages.article_page(site, article), **validators)


def _page_number(query: dict[str, list[str]]) -> int | None:
    raw = query.get("page", ["1"])[0]
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


def route(site: Site, method: str, target: str, headers: dict[str, str], base: str) -> Response:
    """Answer one request; ``base`` is ``http://<Host header>`` for absolute URLs in feeds."""
    parts = urlsplit(target)
    path, query = parts.path, parse_qs(parts.query)
    if site.faults and (fault := faults.answer(site, target, path, query, base, headers)):
        return fault
    if method == "POST":
        if path == "/phan-hoi":
            return html(200, pages.layout(site, "Phản hồi", "<p>Cảm ơn bạn đã gửi ý kiến phản hồi.</p>"))
        return html(405, pages.not_found(site), Allow="GET, HEAD")
    if path == "/":
        return html(200, pages.home(site))
    if path == "/robots.txt":
        return Response(200, feeds.robots(base).encode(), "text/plain; charset=utf-8")
    if path == "/sitemap.xml":
        index = feeds.sitemap_index(site, base, extra=tuple(p for p in faults.SITEMAPS if p in site.faults))
        return Response(200, index.encode(), "application/xml; charset=utf-8")
    if m := _CHUNK.match(path):
        xml = feeds.sitemap_chunk(site, base, int(m.group(1)))
        if xml is not None:
            return Response(200, xml.encode(), "application/xml; charset=utf-8")
    if path == "/rss":
        return Response(200, feeds.rss(site, base).encode(), "application/rss+xml; charset=utf-8")
    if path == "/tim-kiem":
        return html(200, pages.search(site, query.get("q", [""])[0]))
    if path == pages.INTERNAL_PATH:
        return html(200, pages.internal(site))
    if path in pages.DECOYS:
        return html(200, pages.decoy(site, pages.DECOYS[path]))
    if path.startswith(("/Uploads/", "/static/")):
        if path.endswith(".css"):
            return Response(200, _CSS, "text/css")
        return Response(200, PIXEL, "image/png")
    category = site.category(path.strip("/")) if path.count("/") == 1 else None
    if category:
        page = _page_number(query)
        listing = pages.listing(site, category, page) if page else None
        if listing is not None:
            return html(200, listing)
    elif m := _ARTICLE.match(path):
        try:
            article = site.article(int(m.group(3)))
        except KeyError:
            article = None
        if article is not None and path == article.path:
            return article_response(site, article, headers)
        if article is not None and article.status == "live":
            return Response(301, b"", None, {"Location": article.path})
    return not_found(site)
