"""What kind of page it is: an article, a listing of other pages, or an error page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archive import heuristics as H
from archive.extract.page import PageIndex
from archive.record import Record

#: Minimum body for is_article(): a few sentences of real text.
MIN_ARTICLE_CHARS = 200
#: Flags that say a record is not an article, whatever its text.
NOT_ARTICLE_FLAGS = frozenset({"listing", "not-found", "not-html", "empty", "extraction-error"})


def is_article(record: Mapping[str, Any]) -> bool:
    """Page evidence of an article: a title and a body of real length, not a listing or an error page."""
    if not record.get("title"):
        return False
    if set(record.get("flags") or ()) & NOT_ARTICLE_FLAGS:
        return False
    text = record.get("text") or ""
    return len(text) >= MIN_ARTICLE_CHARS or (len(text) >= 120 and H.count_sentences(text) >= 3)


def looks_listing(page: PageIndex, body: list[str]) -> bool:
    """Mostly headline links and little own text: a category page, a home page."""
    text_len = sum(len(x) for x in body)
    teasers = [b for b in page.blocks if b.link_share > 0.8 and len(b.text.split()) >= 6]
    linked = 0
    for line in body:
        b = page.find_block(line)
        if b is not None and b.link_share > 0.6:
            linked += len(line)
    if text_len and linked >= 0.4 * text_len:
        return True
    if page.profile and page.profile.is_listing_url(page.url) and not page.profile.is_article_url(page.url):
        return len(teasers) >= 8 and text_len < 2000
    return len(teasers) >= 15 and text_len < 400


def looks_not_found(page: PageIndex, record: Record) -> bool:
    """A soft 404: little text and error wording in the title or top headings."""
    text = record.text or ""
    if len(text) >= 600:
        return False
    heads = [record.title or ""] + [b.text for b in page.blocks if b.el.tag in ("h1", "h2")][:3]
    return any(H.looks_not_found(h) for h in heads if h) or (len(text) < 200 and H.looks_not_found(text))
