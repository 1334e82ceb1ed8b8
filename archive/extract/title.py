"""The title: the heading the page's own metadata names, else the metadata's title.

The first anchor: every later finder places things relative to the title block (a date line
next to it, a sapo under it, a masthead above it).
"""

from __future__ import annotations

from lxml.etree import _Element

from archive.extract import patterns as P
from archive.extract.bridge import MainText
from archive.extract.dom import Block, class_has, in_chrome
from archive.extract.jsonld import ld_name
from archive.extract.page import PageIndex, Title, norm
from archive.vntext import clean_line

_HEADING_SCORE = {"h1": 1.5, "h2": 0.8, "h3": 0.4}


def title_parts(raw: str | None) -> list[str]:
    """The pieces of a <title> between site-name separators, those long enough to be a headline."""
    if not raw:
        return []
    return [p for p in P.TITLE_SPLIT.split(raw) if len(p) >= 10]


def _title_element(page: PageIndex) -> _Element | None:
    """The first <title> below the root (``root.find(".//title")``)."""
    return next((t for t in page.tagged("title") if t is not page.root), None)


def _title_refs(page: PageIndex) -> list[str]:
    refs = [page.meta(*P.TITLE_META)]
    if page.ld_article:
        refs.append(ld_name(page.ld_article.get("headline")) or ld_name(page.ld_article.get("name")))
    t = _title_element(page)
    raw = clean_line(t.text_content()) if t is not None else None
    refs.append(raw)
    refs.extend(title_parts(raw))
    return [norm(r) for r in refs if r]


def find_title_block(page: PageIndex) -> Block | None:
    """The block holding the headline: the best match of the metadata titles, a heading, a hint."""
    refs = [(r, len(r)) for r in _title_refs(page)]
    # _ref_match skips a title more than twice as long as the heading; norm() never lengthens
    # an ASCII text (lowercase, punctuation runs squeezed), so one shorter than half of every
    # title matches none: its norm() is not needed (most of a page's menu and link blocks).
    shortest = min((m for _, m in refs), default=0)
    matches: dict[str, float] = {}  # of each distinct text (a page repeats some)
    hinted = set()
    for el in page.hints("title"):
        hinted.update(id(b) for b in page.blocks_in(el))
    best: tuple[float, int, Block] | None = None
    for b in page.blocks:
        if not 6 <= len(b.text) <= 400 or page.is_end(b):
            continue
        tag = b.el.tag
        text = b.text
        match = matches.get(text)
        if match is None:
            short = 2 * len(text) < shortest and text.isascii()
            match = matches[text] = 0.0 if short else _ref_match(norm(text), refs)
        score = match
        score += _HEADING_SCORE.get(tag, 0.0)
        titleish = class_has(b.el, P.TITLEISH)
        if titleish:
            score += 0.5 if match else 1.0
        if id(b) in hinted:
            score += 3
        if match == 0 and tag != "h1" and id(b) not in hinted and not titleish:
            continue
        if b.link_share > 0.5:
            score -= 1.5
        if page.content_after(b.index) >= 400:
            score += 0.7
        if in_chrome(b.el, set()):
            score -= 1.5
        if best is None or score > best[0]:
            best = (score, -b.index, b)
    if best is None or best[0] < 1.5:
        return None
    return best[2]


def _ref_match(t: str, refs: list[tuple[str, int]]) -> float:
    """How a heading's text matches the metadata titles: 4 one of them, 3 the head or tail of
    one (half of it at least), 2 most of one or holding most of one; else 0."""
    n = len(t)
    match = 0.0
    for r, m in refs:
        if n < 0.5 * m or m < 0.7 * n:
            continue  # too short or too long for any of the three: most blocks, most titles
        if t == r:
            return 4.0
        if r.startswith(t) or r.endswith(t):
            match = 3.0
        elif match < 2 and (n >= 0.6 * m and t in r or r in t):
            match = 2.0
    return match


def fallback_title(page: PageIndex, main: MainText) -> str | None:
    """The title from metadata when no element on the page holds it."""
    title = page.meta("og:title", "twitter:title") or clean_line(main.field("title"))
    if not title and page.ld_article:
        title = ld_name(page.ld_article.get("headline"))
    if not title:
        t = _title_element(page)
        raw = clean_line(t.text_content()) if t is not None else None
        parts = title_parts(raw)
        title = max(parts, key=len) if parts else raw
    return title


def title_anchor(page: PageIndex, block: Block | None, text: str | None) -> Title:
    """The anchor later finders use: the block, the record's title text, position, ancestors."""
    if block is None:
        return Title(None, text, None, frozenset())
    return Title(block, text, page.pos.get(block.el, 0), frozenset([block.el, *block.el.iterancestors()]))
