"""Who wrote it and where it came from: the byline (``author``, ``bylines``) and the syndication line (``source``).

The finders return the byline as printed, role label included ("Bài và ảnh: SƠN BÌNH");
``byline_fields`` turns it into the record's ``author`` and ``bylines``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from archive import heuristics as H
from archive.dates import parse_vn_date
from archive.extract import patterns as P
from archive.extract.bridge import MainText
from archive.extract.dom import class_has, in_chrome, text_of
from archive.extract.jsonld import ld_name
from archive.extract.nextdata import NextArticle
from archive.extract.page import PageIndex, Related, Title
from archive.record import Byline
from archive.vntext import fold


def split_trailer(page: PageIndex, title: Title, out: list[str]) -> tuple[str | None, str | None]:
    """Pop the byline (closing, else opening) and "Nguồn:"/"Theo ..." lines off the body: (author, source)."""
    author = source = None
    while len(out) > 1:
        last = out[-1]
        src = H.source_of(last) or (H.theo_source(last) if len(last) <= 80 else None)
        if src:
            source = source or src
            out.pop()
            continue
        if author is None and _byline_line(last) and len(out[-2]) >= 40:
            author = last
            out.pop()
            continue
        if (
            author is None
            and len(out) > 2
            and H.looks_like_affiliation(last)
            and H.looks_like_byline(out[-2])
        ):
            author = out[-2]
            del out[-2:]
            continue
        break
    if author is None and out:
        author = _byline_after(page, title, out[-1])
    if author is None and len(out) > 1 and len(out[0]) <= 50 and _byline_line(out[0]) and len(out[1]) >= 80:
        author = out.pop(0)  # a byline printed above the body
    return author, source


def _byline_line(line: str) -> bool:
    """A byline, its names' bracketed notes aside ("Minh Anh (tổng hợp) - Bá Phong")."""
    bare = " ".join(P.NAME_NOTE.sub(" ", line).split())
    return H.looks_like_byline(line) or H.looks_like_byline(bare) or H.is_placeholder_byline(line)


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
        if _byline_line(nxt.text) and not in_chrome(nxt.el, title.ancestors):
            return nxt.text
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
    """Embedded JSON, an author element, the trailing byline, then person-like metadata (as printed)."""
    if nxt and nxt.author:
        return nxt.author
    for el in page.hints("author"):
        raw = text_of(el)
        text = H.strip_author_label(raw)
        if text and len(text) <= 80:
            return raw
    element = _author_element(page, title, related)
    if element:
        return element
    if byline:
        return byline
    under = _byline_under_title(page, title)
    if under:
        return under
    site = fold(page.meta("og:site_name") or "")
    for c in _metadata_authors(page, main):
        if c and not c.startswith("http") and H.looks_like_byline(c) and not H.is_account_name(c):
            f = fold(c)
            if f != site and not P.ORG_WORDS.search(f):
                return c
    return None


def _byline_under_title(page: PageIndex, title: Title) -> str | None:
    """A name line between the headline and the first paragraph (above or below the sapo)."""
    if title.block is None:
        return None
    long = 0
    for b in page.blocks[title.block.index + 1 : title.block.index + 6]:
        long += len(b.text) >= 80
        if long > 1 or page.is_end(b):
            return None
        if (
            len(b.text) <= 50
            and b.link_share < 0.5
            and _byline_line(b.text)
            and not parse_vn_date(b.text)
            and not in_chrome(b.el, title.ancestors)
        ):
            return b.text
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
    for el in page.elements[title.pos or 0 :]:  # an author element counts below the headline only
        tag = el.tag
        if tag.__class__ is not str or tag in ("meta", "link", "body", "html", "article", "main"):
            continue
        if not (
            el.get("itemprop") == "author" or "author" in (el.get("rel") or "") or class_has(el, P.AUTHORISH)
        ):
            continue
        if in_chrome(el, title.ancestors) or related.holds(el):
            continue
        raw = text_of(el)
        text = H.strip_author_label(raw)
        if text and len(text) <= 80 and not parse_vn_date(text) and any(ch.isalpha() for ch in text):
            return raw
    return None


def find_source_line(page: PageIndex, title: Title, related: Related) -> str | None:
    """A "Nguồn: ..." or closing "Theo ..." line of the article (hinted, else the first after the title)."""
    for el in page.hints("source"):
        text = text_of(el)
        return H.source_of(text) or text or None
    if title.block is None:
        return None
    for b in page.blocks[title.block.index + 1 :]:
        if page.is_end(b) or related.holds(b.el):
            break
        src = H.source_of(b.text) or (
            H.theo_source(b.text) if len(b.text) <= 80 and b.link_share < 0.5 else None
        )
        if src and not in_chrome(b.el, title.ancestors):
            return src
    return None


#: Between the names of a byline: " - ", " & ", " và ", ",", ";" (a match never starts inside a
#: run of spaces, so the split stays linear).
_NAME_SPLIT = re.compile(r"(?:(?<!\s)|(?!\s))(?:\s+(?:[-–—&]|và)\s+|\s*[,;]\s*)")


def byline_fields(raw: str | None) -> tuple[str | None, list[Byline]]:
    """The record's ``author`` (the byline without its role label) and ``bylines`` (its names)."""
    if not raw:
        return None, []
    author = H.strip_author_label(raw) or None
    if author is None or len(author) > 200:
        return author, []
    role = H.author_role(raw)
    if role is None and author.startswith("Theo ") and len(author) > 5:
        role, author = "Theo", author[5:].strip()
    names = [n for n in (part.strip() for part in _NAME_SPLIT.split(author)) if n]
    # "PGS, TS Trần Văn Phòng" is one name with its titles: every part must be a full name.
    if len(names) > 1 and not all(H.looks_like_byline(n) and len(n.split()) > 1 for n in names):
        names = [author]
    return author, [_byline(name, role) for name in names]


def _byline(name: str, role: str | None) -> Byline:
    person = not H.is_placeholder_byline(name)
    words = name.split()
    printed = [w for w in words if not w.startswith("(")]
    if person and " ".join(printed).isupper():
        # Titles ("PGS.TS.", "ThS.") keep their form; the name's words go to normal case.
        facet = " ".join(w if w.startswith("(") or "." in w else w.capitalize() for w in words)
    else:
        facet = name
    return {"name": name, "role": role, "person": person, "facet": facet}
