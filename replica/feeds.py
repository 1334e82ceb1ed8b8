"""robots.txt, sitemaps and RSS: the discovery files a crawler reads before any listing.

Absolute URLs are built from the request's Host header, so the files are right on any port.
"""

from __future__ import annotations

from email.utils import format_datetime
from xml.sax.saxutils import escape

from replica.model import Article, Site
from replica.pages import teaser

SITEMAP_CHUNK = 1000
RSS_SIZE = 20
_SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def robots(base: str) -> str:
    """Search and internal pages are off limits; the sitemap index is announced."""
    return (
        "User-agent: *\n"
        "Disallow: /noi-bo/\n"
        "Disallow: /tim-kiem\n"
        "Disallow: /phan-hoi\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )


def _chunks(site: Site) -> list[list[Article]]:
    """Live articles by ascending id, in chunks of 1000 (a CMS keeps old URLs in old chunks)."""
    ordered = site.live()[::-1]
    return [ordered[i : i + SITEMAP_CHUNK] for i in range(0, len(ordered), SITEMAP_CHUNK)]


def sitemap_index(site: Site, base: str, extra: tuple[str, ...] = ()) -> str:
    """The index: one ``/sitemap-articles-N.xml`` per chunk, lastmod = newest change in it."""
    entries = []
    for n, chunk in enumerate(_chunks(site), start=1):
        lastmod = max(a.modified for a in chunk).isoformat()
        entries.append(
            f"<sitemap><loc>{base}/sitemap-articles-{n}.xml</loc><lastmod>{lastmod}</lastmod></sitemap>"
        )
    entries += [f"<sitemap><loc>{base}{path}</loc></sitemap>" for path in extra]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<sitemapindex {_SITEMAP_NS}>\n" + "\n".join(entries) + "\n</sitemapindex>\n"
    )


def sitemap_chunk(site: Site, base: str, n: int) -> str | None:
    """Chunk ``n`` (1-based) with each article's modified time as lastmod; None if there is no such chunk."""
    chunks = _chunks(site)
    if not 1 <= n <= len(chunks):
        return None
    urls = "\n".join(
        f"<url><loc>{escape(base + a.path)}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>"
        for a in chunks[n - 1]
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_SITEMAP_NS}>\n{urls}\n</urlset>\n'


def rss(site: Site, base: str) -> str:
    """RSS 2.0 of the 20 newest live articles; description is the sapo (the teaser when there is none)."""
    newest = site.live()[:RSS_SIZE]
    items = "\n".join(
        "<item>"
        f"<title>{escape(a.title)}</title>"
        f"<link>{escape(base + a.path)}</link>"
        f'<guid isPermaLink="true">{escape(base + a.path)}</guid>'
        f"<category>{escape(a.category.name)}</category>"
        f"<pubDate>{format_datetime(a.published)}</pubDate>"
        f"<description>{escape(a.lead or teaser(a))}</description>"
        "</item>"
        for a in newest
    )
    build = format_datetime(max(a.modified for a in newest)) if newest else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        "<title>Ban Tuyên giáo Trung ương - Tin mới nhất</title>\n"
        f"<link>{base}/</link>\n"
        "<description>Tin mới nhất từ trang thông tin điện tử Ban Tuyên giáo Trung ương</description>\n"
        "<language>vi</language>\n"
        + (f"<lastBuildDate>{build}</lastBuildDate>\n" if build else "")
        + items
        + "\n</channel>\n</rss>\n"
    )
