"""Who wrote it and where it came from: the byline (``author``) and the syndication line (``source``)."""

from __future__ import annotations

from collections.abc import Iterator

from archive import heuristics as H
from archive.dates import parse_vn_date
from archive.extract import patterns as P
from archive.extract.bridge import MainText
from archive.extract.dom import in_chrome, ld_name, text_of, tokens
from archive.extract.nextdata import NextArticle
from archive.extract.page import PageIndex, Related, Title
from archive.vntext import fold


def split_trailer(page: PageIndex, title: Title, out: list[str]) -> tuple[str | None, str | None]:
    """Pop the closing byline and "Nguồn:"/"Theo ..." lines off the body lines: (author, source)."""
    author = source = None
    while len(out) > 1:
        last = out[-1]
        src = H.source_of(last) or (H.theo_source(last) if len(last) <= 80 else None)
        if src:
            source = source or src
            out.pop()
            continue
        if author is None and H.looks_like_byline(last) and len(out[-2]) >= 40:
            author = H.strip_author_label(last)
            out.pop()
            continue
        if (
            author is None
            and len(out) > 2
            and H.looks_like_affiliation(last)
            and H.looks_like_byline(out[-2])
        ):
            author = H.strip_author_label(out[-2])
            del out[-2:]
            continue
        break
    if author is None and out:
        author = _byline_after(page, title, out[-1])
    return author, source


def _byline_after(page: PageIndex, title: Title, last_line: str) -> str | None:
    """A byline block right after the last body line that trafilatura left out."""
    b = page.find_block(last_line)
    if b is None:
        return None
    for nxt in page.blocks[b.index + 1 : b.index + 3]:
        if page.is_end(nxt) or nxt.link_share > 0.5:
            return None
        if H.source_of(nxt.text) or H.theo_source(nxt.text):
            continue
        if H.looks_like_byline(nxt.text) and not in_chrome(nxt.el, title.ancestors):
            return H.strip_author_label(nxt.text)
        return None
    return None


def find_author(
    page: PageIndex,
    title: Title,
    related: Related,
    main: MainText,
    byline: str | None,
    nxt: NextArticle | None,
) -> str | None:
    """Embedded JSON, an author element, the trailing byline, then person-like metadata."""
    if nxt and nxt.author:
        return nxt.author
    for el in page.hints("author"):
        text = H.strip_author_label(text_of(el))
        if text and len(text) <= 80:
            return text
    element = _author_element(page, title, related)
    if element:
        return element
    if byline:
        return byline
    site = fold(page.meta("og:site_name") or "")
    for c in _metadata_authors(page, main):
        if c and not c.startswith("http") and H.looks_like_byline(c) and not H.is_account_name(c):
            f = fold(c)
            if f != site and not P.ORG_WORDS.search(f):
                return c
    return None


def _metadata_authors(page: PageIndex, main: MainText) -> Iterator[str | None]:
    """Author names from metadata, best first; trafilatura's read only if the others fail."""
    if page.ld_article:
        yield ld_name(page.ld_article.get("author"))
    yield page.meta(*P.AUTHOR_META)
    yield main.field("author")


def _author_element(page: PageIndex, title: Title, related: Related) -> str | None:
    if title.block is None:
        return None
    for el in page.root.iter():
        if not isinstance(el.tag, str) or el.tag in ("meta", "link", "body", "html", "article", "main"):
            continue
        if not (
            el.get("itemprop") == "author"
            or "author" in (el.get("rel") or "")
            or any(P.AUTHORISH.search(t) for t in tokens(el))
        ):
            continue
        if page.pos.get(el, 0) < (title.pos or 0) or in_chrome(el, title.ancestors):
            continue
        if related.holds(el):
            continue
        text = H.strip_author_label(text_of(el))
        if text and len(text) <= 80 and not parse_vn_date(text) and any(ch.isalpha() for ch in text):
            return text
    return None


def find_source_line(page: PageIndex, title: Title, related: Related) -> str | None:
    """A "Nguồn: ..." line of the article (hinted, else the first one after the title)."""
    for el in page.hints("source"):
        text = text_of(el)
        return H.source_of(text) or text or None
    if title.block is None:
        return None
    for b in page.blocks[title.block.index + 1 :]:
        if page.is_end(b) or related.holds(b.el):
            break
        src = H.source_of(b.text)
        if src and not in_chrome(b.el, title.ancestors):
            return src
    return None
