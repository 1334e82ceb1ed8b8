"""Fault mode (``build_site(..., faults=True)``): hostile URLs a real portal may serve one day.

Each kind lives at its own URL, ``/kiem-thu/loi-<kind>-<id>`` (ids from 90001), listed on
``/loi-kiem-thu`` (linked from every page's aside) and, for the two sitemap kinds, in the sitemap
index; ``site.faults`` maps each path to its kind. The articles of the site are unchanged, and so is
everything a site built with ``faults=False`` serves. Per-URL request counts live in ``site.fault_hits``.

================  ==========================================================================
kind              what the URL answers
================  ==========================================================================
404               404 with the HTML error page
410               410 Gone
500-then-200      500 to the first request, then 200 with a good article
503               503 with ``Retry-After: 1`` to the first two requests, then 200 with an article
429               429 with ``Retry-After: 1`` to the first two requests, then 200 with an article
never-answers     reads the request and answers nothing for 60 s (until ``server.stop()``)
reset-mid-body    headers and half the body, then a TCP reset
truncated-body    ``Content-Length`` of the full page, half the body, then a clean close
redirect-loop     302 to ``?vong=2``, which 302s back: forever
redirect-chain    twelve 301 hops (``?hop=1`` ... ``?hop=12``), then 200 with an article
redirect-offsite  302 to ``http://example.invalid/...``
huge-page         a 200 HTML page of more than 10 MB
binary-as-html    PNG and zip bytes served as ``text/html; charset=utf-8``
invalid-utf8      an article page, declared UTF-8, with invalid byte sequences in paragraphs
windows-1258      an article page in windows-1258 (header and meta): tones as combining marks
empty-200         200 with an empty body
no-title          an article page without ``<title>`` or headline
no-body           an article page with title and date line but no body text
malformed-html    an article page with unclosed and stray tags, NUL and control characters
duplicate         one article at its path, at ``?utm_source=x`` and with a trailing slash
                  (``rel=canonical`` to the first); any ``Host`` (``www.`` alias) gets the same
sitemap-gz        ``/sitemap-gz.xml.gz``: a gzip-compressed urlset of the fault articles
sitemap-malformed ``/sitemap-hong.xml``: broken XML (unescaped ``&``, cut mid-element)
================  ==========================================================================

Hostile mode (``install_hostile(site)``, on top of or instead of the faults above): what a
portal could serve to stop a crawl rather than to confuse it.

================  ==========================================================================
kind              what the URL answers
================  ==========================================================================
hostile-robots    ``/robots.txt``: the usual rules, 400,000 blank lines, then ``Sitemap:`` lines
                  for the sitemap index and the bomb below
sitemap-bomb      ``/sitemap-bom.xml.gz``: a small gzip expanding to 200,000 ``<url>`` entries
                  (four times the protocol's 50,000) and then 60 MB of blanks
hostile-title     an article page whose ``<title>`` and headline are 200,000 characters of
                  separators, spaces and quotes
slow-extract      a legal article page of about 5 MB, 200 ``<div>`` deep: seconds of extraction
================  ==========================================================================

Quirks mode (``install_quirks(site)``): what real portals do that a plain client gets wrong.

================  ==========================================================================
kind              what the URL answers
================  ==========================================================================
feed-cookie       ``/rss-cookie``: without the cookie ``vnx=1``, a 302 to itself setting it (as
                  qdnd.vn's ``/rss`` does); with it, an RSS feed of the site's newest articles
gzip-no-header    an article page whose body is gzip-compressed, sent without Content-Encoding
cookie-wall       a small page whose script sets a cookie and reloads (the site behind a wall)
js-challenge      a "checking your browser" page
================  ==========================================================================
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from datetime import timedelta
from functools import cache

from replica import feeds, pages, traps
from replica.model import Article, Category, Site
from replica.responses import PIXEL, Response, html, not_found
from replica.texts import Writer

KINDS = (
    "404", "410", "500-then-200", "503", "429", "never-answers", "reset-mid-body", "truncated-body",
    "redirect-loop", "redirect-chain", "redirect-offsite", "huge-page", "binary-as-html", "invalid-utf8",
    "windows-1258", "empty-200", "no-title", "no-body", "malformed-html", "duplicate",
)  # fmt: skip
SITEMAPS = {"/sitemap-gz.xml.gz": "sitemap-gz", "/sitemap-hong.xml": "sitemap-malformed"}
LISTING = "/loi-kiem-thu"
#: Kinds the server itself acts out on the socket (see ``server._Handler.send``).
SOCKET_KINDS = frozenset({"never-answers", "reset-mid-body", "truncated-body"})
_CATEGORY = Category("kiem-thu", "Kiểm thử")
_FIRST_ID = 90001
_TONES = "\u0300\u0301\u0303\u0309\u0323"


HOSTILE_KINDS = ("hostile-title", "slow-extract")
HOSTILE_SITEMAP = "/sitemap-bom.xml.gz"
_FIRST_HOSTILE_ID = 95001
#: Entries in the sitemap bomb, and blank bytes after them (both past the protocol's limits).
BOMB_ENTRIES = 200_000
BOMB_TAIL_BYTES = 60 * 1024 * 1024
_UNLISTED = frozenset({"hostile-robots", "sitemap-bomb", "feed-cookie", "traps"})


QUIRK_KINDS = ("gzip-no-header", "cookie-wall", "js-challenge")
QUIRK_FEED = "/rss-cookie"
_FIRST_QUIRK_ID = 96001


def quirk_path(kind: str) -> str:
    return f"/kiem-thu/la-{kind}-{_FIRST_QUIRK_ID + QUIRK_KINDS.index(kind)}"


def install_quirks(site: Site) -> None:
    """Register the quirk URLs on ``site``: see the third table above."""
    site.faults[QUIRK_FEED] = "feed-cookie"
    for kind in QUIRK_KINDS:
        site.faults[quirk_path(kind)] = kind


def _quirk(site: Site, kind: str, base: str, headers: dict[str, str]) -> Response:
    if kind == "feed-cookie":
        cookie = {k.lower(): v for k, v in headers.items()}.get("cookie", "")
        if "vnx=1" not in cookie:
            return Response(302, b"", None, {"Location": QUIRK_FEED, "Set-Cookie": "vnx=1; Path=/; HttpOnly"})
        return Response(200, feeds.rss(site, base).encode(), "application/rss+xml; charset=utf-8")
    if kind == "gzip-no-header":
        article = fault_article(site, "windows-1258")
        article.id, article.slug = _FIRST_QUIRK_ID, "la-gzip-no-header"
        return Response(
            200,
            gzip.compress(pages.article_page(site, article).encode(), mtime=0),
            "text/html; charset=utf-8",
        )
    if kind == "cookie-wall":
        script = 'document.cookie="D1N=5e8f1c; path=/"; window.location.reload(true);'
        return html(200, f"<html><head><script>{script}</script></head><body></body></html>")
    return html(
        200,
        "<html><head><title>Just a moment...</title></head><body><h1>Checking your browser before"
        " accessing the site.</h1><p>Vui lòng bật JavaScript và cookie.</p></body></html>",
    )


def hostile_path(kind: str) -> str:
    return f"/kiem-thu/doc-hai-{kind}-{_FIRST_HOSTILE_ID + HOSTILE_KINDS.index(kind)}"


def install_hostile(site: Site) -> None:
    """Register the hostile URLs on ``site`` (robots.txt included): see the second table above."""
    site.faults["/robots.txt"] = "hostile-robots"
    site.faults[HOSTILE_SITEMAP] = "sitemap-bomb"
    for kind in HOSTILE_KINDS:
        site.faults[hostile_path(kind)] = kind


def _hostile_robots(base: str) -> str:
    return (
        "User-agent: *\nDisallow: /noi-bo/\nDisallow: /tim-kiem\nDisallow: /phan-hoi\n"
        + "\n" * 400_000
        + f"Sitemap: {base}/sitemap.xml\nSitemap: {base}{HOSTILE_SITEMAP}\n"
    )


@cache
def _sitemap_bomb() -> bytes:
    """Off-site URLs (``bom.invalid``), so a crawler that read them all would still fetch none."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    )
    urls = "".join(f"<url><loc>http://bom.invalid/bai-{i}</loc></url>" for i in range(BOMB_ENTRIES))
    compressor = gzip.compress((head + urls).encode() + b" " * BOMB_TAIL_BYTES + b"</urlset>", mtime=0)
    return compressor


def _hostile_page(site: Site, kind: str) -> str:
    article = fault_article(site, "no-title")
    article.id, article.slug = _FIRST_HOSTILE_ID + HOSTILE_KINDS.index(kind), f"doc-hai-{kind}"
    page = pages.article_page(site, article)
    if kind == "hostile-title":
        title = "Tin " + ("- | : " * 8_000) + (" " * 100_000) + ('"' * 20_000) + " hết"
        return re.sub(
            r"(<title>).*?(</title>)|(<(h[12]) class=\"bt-detail__heading\">).*?(</\4>)",
            lambda m: (
                f"{m.group(1)}{title}{m.group(2)}" if m.group(1) else f"{m.group(3)}{title}{m.group(5)}"
            ),
            page,
            flags=re.S,
        )
    paragraphs = "".join(
        f"<p>Đoạn thứ {i} của một trang dài bất thường, dùng để kiểm thử thời gian trích xuất.</p>"
        for i in range(40_000)
    )
    return page.replace("<body>", "<body>" + "<div>" * 200 + paragraphs + "</div>" * 200, 1)


def path_of(kind: str) -> str:
    return f"/kiem-thu/loi-{kind}-{_FIRST_ID + KINDS.index(kind)}"


def install(site: Site) -> None:
    """Register every fault URL on ``site`` (called by ``build_site(faults=True)``)."""
    for kind in KINDS:
        site.faults[path_of(kind)] = kind
    dup = path_of("duplicate")
    site.faults[dup + "?utm_source=x"] = "duplicate"
    site.faults[dup + "/"] = "duplicate"
    site.faults.update(SITEMAPS)


def fault_article(site: Site, kind: str) -> Article:
    """A good article for a fault URL: fresh text, dated before every real article so it repeats none."""
    i = KINDS.index(kind)
    n = len(site.articles)
    writer = Writer(site.seed, n + len(KINDS))
    published = min(a.published for a in site.articles) - timedelta(days=3 * (i + 1))
    ctx = writer.context(n + i, published)
    related = [a.id for a in site.live()[:5]]
    article = Article(
        id=_FIRST_ID + i, slug=f"loi-{kind}", category=_CATEGORY, title=writer.title(n + i, ctx),
        published=published, modified=published, author="Ban Biên tập", source=None, tags=[], related=related,
        _writer=writer, _k=n + i,
    )  # fmt: skip
    if kind == "no-body":
        article._body = writer.body(n + i, published, article.slug)
        article._body.paragraphs, article._body.images, article._body.positions = [], [], []
        article._body.lead, article.author = None, None
    return article


def _page(site: Site, kind: str) -> str:
    return pages.article_page(site, fault_article(site, kind))


def to_cp1258(text: str) -> bytes:
    """windows-1258 as Vietnamese legacy pages wrote it: letters precomposed, tones as combining marks."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in _TONES)
        core = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append((core + tones).encode("cp1258", errors="xmlcharrefreplace"))
    return b"".join(out)


@cache
def _huge_body() -> str:
    """Over 10 MB of distinct paragraphs, built once per process."""
    return "".join(
        f"<p>Đoạn thứ {i} của một trang dài bất thường, dùng để kiểm thử giới hạn.</p>"
        for i in range(160_000)
    )


def _malformed(page: str) -> str:
    """Drop every other closing tag, then add stray tags, NUL and control characters."""
    count = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "" if count % 2 else m.group(0)

    broken = re.sub(r"</(?:p|div|li|td|tr)>", drop, page)
    return broken.replace("<body>", "<body><div <b>\x00<<table><tr><td>\x0b", 1).replace(
        "</main>", "</span></table></p></em>&nbsp &amp<i>\x1b</main>", 1
    )


def _urlset(base: str, site: Site) -> str:
    urls = "".join(
        f"<url><loc>{base}{path}</loc><lastmod>2021-12-20T08:00:00+07:00</lastmod></url>"
        for path, kind in site.faults.items()
        if kind not in SITEMAPS.values() and "?" not in path and not path.endswith("/")
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'


def listing(site: Site) -> str:
    """``/loi-kiem-thu``: one link per fault URL, so a crawler meets them all."""
    links = "".join(
        f'<li><a href="{pages.attr(p)}">Kiểm thử: {k}</a></li>'
        for p, k in site.faults.items()
        if k not in _UNLISTED  # reached the way a crawler meets them: from robots.txt
    )
    main = f'<h1 class="bt-zone__name">Lỗi kiểm thử</h1><ul class="bt-links">{links}</ul>'
    # The cookie feed is announced as feeds are, in the page's head.
    head = (
        f'<link rel="alternate" type="application/rss+xml" href="{QUIRK_FEED}">\n'
        if QUIRK_FEED in site.faults
        else ""
    )
    return pages.layout(site, f"Lỗi kiểm thử - {pages.SITE_NAME}", main, head)


def answer(
    site: Site,
    target: str,
    path: str,
    query: dict[str, list[str]],
    base: str,
    headers: dict[str, str] | None = None,
) -> Response | None:
    """The fault response for this request, or None when the URL is not a fault URL."""
    if path == LISTING:
        return html(200, listing(site))
    if traps.ENTRY in site.faults and (trap := traps.answer(site, target)):
        return trap
    kind = site.faults.get(target) or site.faults.get(path)
    if kind is None:
        return None
    with site._lock:
        site.fault_hits[path] += 1
        hits = site.fault_hits[path]
    retry = {"Retry-After": "1"}
    if kind == "feed-cookie" or kind in QUIRK_KINDS:
        return _quirk(site, kind, base, headers or {})
    if kind == "hostile-robots":
        return Response(200, _hostile_robots(base).encode(), "text/plain; charset=utf-8")
    if kind == "sitemap-bomb":
        return Response(200, _sitemap_bomb(), "application/x-gzip")
    if kind in HOSTILE_KINDS:
        return html(200, _hostile_page(site, kind))
    if kind == "404":
        return not_found(site)
    if kind == "410":
        return html(410, pages.gone(site))
    if kind == "500-then-200" and hits == 1:
        return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
    if kind in ("503", "429") and hits <= 2:
        message = "Service Unavailable" if kind == "503" else "Too Many Requests"
        return Response(
            int(kind), f"<html><body><h1>{kind} {message}</h1></body></html>".encode(), headers=retry
        )
    if kind == "redirect-loop":
        return Response(302, b"", None, {"Location": path if "vong" in query else path + "?vong=2"})
    if kind == "redirect-chain":
        hop = int(query.get("hop", ["0"])[0])
        if hop < 12:
            return Response(301, b"", None, {"Location": f"{path}?hop={hop + 1}"})
    if kind == "redirect-offsite":
        return Response(302, b"", None, {"Location": "http://example.invalid/bai-viet-bi-chuyen-90013"})
    if kind == "huge-page":
        return html(200, pages.layout(site, "Trang rất dài", _huge_body()))
    if kind == "binary-as-html":
        return Response(200, PIXEL + b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 16)
    if kind == "empty-200":
        return Response(200, b"")
    if kind == "invalid-utf8":
        body = _page(site, kind).encode("utf-8")
        return Response(200, body.replace(b'justify;">', b'justify;">\xff\xfe\xc3\x28 \xa0\xa1 ', 3))
    if kind == "windows-1258":
        page = _page(site, kind).replace('<meta charset="utf-8">', '<meta charset="windows-1258">')
        return Response(200, to_cp1258(page), "text/html; charset=windows-1258")
    if kind == "no-title":
        page = re.sub(
            r"<title>.*?</title>\n?|<(h[12]) class=\"bt-detail__heading\">.*?</\1>", "", _page(site, kind)
        )
        return html(200, page)
    if kind == "malformed-html":
        return html(200, _malformed(_page(site, kind)))
    if kind == "duplicate":
        canonical = f'<link rel="canonical" href="{base}{path_of(kind)}">\n'
        page = _page(site, kind).replace("</title>\n", "</title>\n" + canonical, 1)
        return html(200, page)
    if kind == "sitemap-gz":
        return Response(200, gzip.compress(_urlset(base, site).encode(), mtime=0), "application/x-gzip")
    if kind == "sitemap-malformed":
        broken = _urlset(base, site).replace("</loc>", "?a=1&b=2</loc>", 1)
        return Response(200, broken[: len(broken) * 2 // 3].encode(), "application/xml; charset=utf-8")
    # 500-then-200, 503 and 429 after their failures, the end of the chain, and the socket kinds.
    response = html(200, _page(site, kind))
    if kind in SOCKET_KINDS:
        response.fault = kind
    return response
