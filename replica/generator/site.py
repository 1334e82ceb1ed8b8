"""One family's generated articles served as a portal: home, menus, paginated listings in the
family's style, robots.txt, sitemap, RSS, print views; so crawls are tested on generated pages too.

``GeneratedSite.route`` answers requests the way ``replica.routes.route`` does for the hand-made
portal; ``ReplicaServer`` calls it when the site it serves has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from html import escape
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape

from replica.generator import content
from replica.generator.axes import balanced
from replica.generator.families import family
from replica.generator.generate import Variant, variant
from replica.generator.urls import listing_path, page_url
from replica.model import CATEGORIES, Category
from replica.responses import PIXEL, Response

PAGE_SIZE = 6
RSS_SIZE = 20
_HTML = "text/html; charset=utf-8"
_XML = "application/xml; charset=utf-8"
#: What the "next page" link says in each pagination style.
_NEXT = {"more": "Xem thêm", "liferay": "Tiếp", "start": "Trang sau", "drupal": "Trang kế ›"}


@dataclass(frozen=True, slots=True)
class _Entry:
    seed: int
    axes: dict
    path: str
    title: str
    published: datetime
    category: Category
    teaser: str


class GeneratedSite:
    """``n_articles`` generated articles of one family; ``fixed`` pins other axes for all of them."""

    def __init__(self, family_key: str, n_articles: int = 60, seed: int = 0, **fixed: str) -> None:
        self.family = family(family_key)
        self.seed = seed
        fixed = fixed | {"family": family_key}
        entries = []
        for i, axes in enumerate(balanced(n_articles, seed, fixed)):
            s = seed * 1_000_003 + i
            story = content.build(s, axes, self.family, "")
            teaser = story.lead or story.truth.paragraphs[0][:180]
            entries.append(
                _Entry(s, axes, story.path, story.truth.title, story.published, story.category, teaser)
            )
        #: Newest first, as listings, sitemaps and feeds show them.
        self.entries = sorted(entries, key=lambda e: e.published, reverse=True)
        self._by_path = {e.path: e for e in self.entries}
        self._pool = [content.Link(e.path, e.title, e.published, None) for e in self.entries]
        self._variant = lru_cache(maxsize=256)(self._make)

    def _make(self, path: str, base: str) -> Variant:
        e = self._by_path[path]
        return variant(e.seed, base, self._pool, **e.axes)

    def article(self, path: str, base: str) -> Variant:
        """The variant served at ``path`` (its query included) for a request to ``base``."""
        return self._variant(path, base)

    @property
    def categories(self) -> list[Category]:
        return [c for c in CATEGORIES if any(e.category == c for e in self.entries)]

    def listing(self, cat: Category) -> str:
        return listing_path(self.family.url, cat.slug)

    # -- pages ------------------------------------------------------------------------------
    def _layout(self, title: str, main: str) -> str:
        f = self.family
        menu = "".join(f'<li><a href="{self.listing(c)}">{escape(c.name)}</a></li>' for c in self.categories)
        today = max(e.published for e in self.entries).date()
        return (
            f'<!DOCTYPE html>\n<html lang="vi">\n<head><meta charset="utf-8"><title>{escape(title)}</title>'
            '<link rel="alternate" type="application/rss+xml" href="/rss"></head>\n<body>'
            f'<div class="today">{today:%d/%m/%Y}</div><div class="site-name">{escape(f.site_name)}</div>'
            f'<nav class="menu"><ul><li><a href="/">Trang chủ</a></li>{menu}</ul></nav>\n'
            f"<main>{main}</main>\n<footer><p>© {escape(f.site_name)}</p></footer></body></html>\n"
        )

    def _items(self, entries: list[_Entry]) -> str:
        return "".join(
            f'<div class="item clearfix"><a class="thumb" href="{escape(e.path)}"><img src="/static/no-image.jpg" alt=""></a>'
            f'<h3><a href="{escape(e.path)}">{escape(e.title)}</a></h3>'
            f'<span class="date">{e.published:%d/%m/%Y %H:%M}</span><p>{escape(e.teaser)}</p></div>'
            for e in entries
        )

    def home(self) -> str:
        return self._layout(
            self.family.site_name, "<h2>Tin mới nhất</h2>" + self._items(self.entries[:PAGE_SIZE])
        )

    def _page_of(self, cat: Category, n: int) -> list[_Entry]:
        entries = [e for e in self.entries if e.category == cat]
        return entries[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]

    def listing_page(self, cat: Category, n: int, fragment: bool = False) -> str | None:
        """Page ``n`` of a category, with a link to the next page in the family's style."""
        items = self._page_of(cat, n)
        if not items and n > 1:
            return None
        style = self.family.pagination
        more = ""
        if self._page_of(cat, n + 1):
            label = _NEXT.get(style, "Trang sau")
            aria = ' aria-label="Next"' if style == "liferay" else ""
            more = f'<div class="pager"><a href="{escape(page_url(style, self.listing(cat), n + 1))}"{aria}>{label}</a></div>'
        if fragment:
            return self._items(items) + more
        return self._layout(cat.name, f"<h1>{escape(cat.name)}</h1>{self._items(items)}{more}")

    def robots(self, base: str) -> str:
        return f"User-agent: *\nDisallow: /tim-kiem\nDisallow: /phan-hoi\nSitemap: {base}/sitemap.xml\n"

    def sitemap(self, base: str) -> str:
        urls = "\n".join(
            f"<url><loc>{xml_escape(base + e.path)}</loc><lastmod>{e.published.isoformat()}</lastmod></url>"
            for e in self.entries
        )
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>\n{urls}\n</urlset>\n'

    def rss(self, base: str) -> str:
        items = "\n".join(
            f"<item><title>{xml_escape(e.title)}</title><link>{xml_escape(base + e.path)}</link>"
            f"<pubDate>{format_datetime(e.published)}</pubDate><description>{xml_escape(e.teaser)}</description></item>"
            for e in self.entries[:RSS_SIZE]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{xml_escape(self.family.site_name)}</title><link>{base}/</link>\n{items}\n</channel></rss>\n"
        )

    # -- routing ----------------------------------------------------------------------------
    def _listing_request(self, path: str, query: dict[str, list[str]]) -> tuple[Category, int, bool] | None:
        """(category, page, fragment?) when the request is one of the family's listing URLs."""
        for cat in self.categories:
            listing = self.listing(cat)
            for n in range(1, len(self.entries) // PAGE_SIZE + 2):
                url = urlsplit(page_url(self.family.pagination, listing, n))
                if url.path == path and parse_qs(url.query) == query:
                    return cat, n, url.path.startswith("/timelinelist/")
        return None

    def route(self, method: str, target: str, headers: dict[str, str], base: str) -> Response:
        """Answer one request; ``base`` is ``http://<Host header>``."""
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if method not in ("GET", "HEAD"):
            return Response(405, b"", _HTML, {"Allow": "GET, HEAD"})
        if path == "/":
            return Response(200, self.home().encode(), _HTML)
        if path == "/robots.txt":
            return Response(200, self.robots(base).encode(), "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            return Response(200, self.sitemap(base).encode(), _XML)
        if path == "/rss":
            return Response(200, self.rss(base).encode(), "application/rss+xml; charset=utf-8")
        if path.startswith(("/static/", "/Uploads/")):
            return Response(200, PIXEL, "image/png")
        printing = query.get("print") == ["1"]
        key = path + ("?" + parts.query.replace("&print=1", "").replace("print=1", "") if parts.query else "")
        key = key.rstrip("?")
        if key in self._by_path:
            v = self.article(key, base)
            body = v.print_html() if printing else v.html
            return Response(200, body, v.content_type)
        if (found := self._listing_request(path, query)) is not None:
            page = self.listing_page(*found)
            if page is not None:
                return Response(200, page.encode(), _HTML)
        return Response(404, self._layout("Không tìm thấy", "<h1>Không tìm thấy trang</h1>").encode(), _HTML)
