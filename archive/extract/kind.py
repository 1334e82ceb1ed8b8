"""What kind of page it is: an article, a listing of other pages, or an error page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from archive import heuristics as H
from archive.extract.dom import Block, in_chrome
from archive.extract.jsonld import ld_types
from archive.extract.page import PageIndex, Title, norm
from archive.extract.patterns import ARTICLE_LD_SUFFIXES
from archive.extract.teasers import item_lines
from archive.record import Record

#: Minimum body for is_article(): a few sentences of real text.
MIN_ARTICLE_CHARS = 200
#: Flags that say a record is not an article, whatever its text.
NOT_ARTICLE_FLAGS = frozenset({"listing", "not-found", "not-html", "empty", "extraction-error"})
#: Flag of an undated page that says it is an article (og:type, JSON-LD) over its headline and text.
DECLARED_FLAG = "declared-article"


#: Where a date that marks a page as an article comes from: the article's own date line or
#: <time> next to its headline, its meta tags, JSON-LD or embedded JSON (not the URL, not htmldate).
ARTICLE_DATE_SOURCES = frozenset({"dateline", "time", "meta", "jsonld", "nextdata"})
#: The shortest main text block of an article: one sentence of a "tin ngắn".
MIN_TEXT_BLOCK = 40
#: Headline links whose teasers make up a listing's main text: fewer is a short article's
#: "Xem thêm" or a related box that leaked into the body.
MIN_LISTING_ITEMS = 3


def is_article(record: Mapping[str, Any]) -> bool:
    """A title and a body, not a listing or an error page.

    The body is of real length, or, however short (a one-paragraph "tin ngắn"), the article
    is dated by its own date line, <time>, meta tags or JSON-LD, or declares itself an article
    (flag "declared-article") and shows its headline over its text.
    """
    if not record.get("title"):
        return False
    flags = set(record.get("flags") or ())
    if flags & NOT_ARTICLE_FLAGS:
        return False
    text = record.get("text") or ""
    if len(text) >= MIN_TEXT_BLOCK and (
        record.get("published_source") in ARTICLE_DATE_SOURCES or DECLARED_FLAG in flags
    ):
        return True
    return len(text) >= MIN_ARTICLE_CHARS or (len(text) >= 120 and H.count_sentences(text) >= 3)


def has_headline_over_text(page: PageIndex, title: Title, body: list[str]) -> bool:
    """A headline shown on the page (not a section or site name) over a main text block of its own."""
    if title.block is None or len((title.text or "").split()) < 4:
        return False
    home = urlsplit(page.url).path.strip("/") == ""
    if home or norm(title.text or "") == norm(page.meta("og:site_name") or ""):
        return False  # a home page: its "headline" is the site's name
    return any(len(line) >= MIN_TEXT_BLOCK and not _linked(page, line) for line in body)


def has_article_evidence(
    page: PageIndex, title: Title, published_source: str | None, body: list[str]
) -> bool:
    """A headline on the page, dated as an article is (or typed NewsArticle), over a main text block."""
    if not has_headline_over_text(page, title, body):
        return False
    typed = page.ld_article is not None and any(
        t.endswith(ARTICLE_LD_SUFFIXES) for t in ld_types(page.ld_article)
    )
    return typed or published_source in ARTICLE_DATE_SOURCES


def declares_article(page: PageIndex, title: Title, body: list[str]) -> bool:
    """A page typed as an article (og:type or JSON-LD) showing its headline over a text block.

    What makes an undated "tin ngắn" an article: a category page is typed "website", if at all.
    """
    typed = (page.meta("og:type") or "").lower() == "article" or (
        page.ld_article is not None
        and any(t.endswith(ARTICLE_LD_SUFFIXES) for t in ld_types(page.ld_article))
    )
    return typed and has_headline_over_text(page, title, body)


def _linked(page: PageIndex, line: str) -> bool:
    b = page.find_block(line)
    return b is not None and b.link_share > 0.6


def looks_listing(page: PageIndex, title: Title, body: list[str], *, evidence: bool = False) -> bool:
    """Mostly headline links and little own text: a category page, a home page.

    The main text being links decides. With article evidence, nothing else does: sidebars
    ("Mới nhất", "Đọc nhiều", "Các tin khác", galleries, weblinks) around a short article do
    not make it a listing. Without it, many teaser links do: anywhere on a page with no headline
    of its own, only those outside the chrome and the boxes under such headings otherwise.
    """
    text_len = sum(len(x) for x in body)
    linked = sum(len(line) for line in body if _linked(page, line))
    if text_len and linked >= 0.4 * text_len:
        return True
    if _teasers_make_body(page, title, body, text_len):
        return True
    if evidence:
        return False
    if has_headline_over_text(page, title, body):
        teasers = _main_region_teasers(page)
    else:
        teasers = [b for b in page.blocks if _teaser(b)]
    if page.profile and page.profile.is_listing_url(page.url) and not page.profile.is_article_url(page.url):
        return len(teasers) >= 8 and text_len < 2000
    return len(teasers) >= 15 and text_len < 400


def _teasers_make_body(page: PageIndex, title: Title, body: list[str], text_len: int) -> bool:
    """The main text is the teasers of other pages' headlines: a category page, even its last page.

    Several items make a listing; a single one does when it is all the text there is (the
    last page of a category).
    """
    if not text_len:
        return False
    items = item_lines(page, title, body)
    teased = sum(len(body[i]) for i in items)
    if len(set(items.values())) >= MIN_LISTING_ITEMS:
        return teased >= 0.5 * text_len
    return bool(items) and teased >= 0.9 * text_len


def _teaser(b: Block) -> bool:
    return b.link_share > 0.8 and len(b.text.split()) >= 6


def _main_region_teasers(page: PageIndex) -> list[Block]:
    """Teaser links outside the chrome and outside the boxes under end headings ("Đọc nhiều")."""
    out, boxed = [], False
    for b in page.blocks:
        if page.is_end(b):
            boxed = True
        elif b.link_share <= 0.5 and len(b.text) >= 80:
            boxed = False
        elif not boxed and _teaser(b) and not in_chrome(b.el, set()):
            out.append(b)
    return out


def looks_not_found(page: PageIndex, record: Record) -> bool:
    """A soft 404: little text and error wording in the title or top headings."""
    text = record.text or ""
    if len(text) >= 600:
        return False
    heads = [record.title or ""] + [b.text for b in page.blocks if b.el.tag in ("h1", "h2")][:3]
    return any(H.looks_not_found(h) for h in heads if h) or (len(text) < 200 and H.looks_not_found(text))
