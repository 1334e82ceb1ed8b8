"""Listing items: a headline link to another page over that page's own date and teaser.

A category page's main text is such items; an article's is its own paragraphs, with such items
at most in the boxes around it. The teaser is not linked and its date reads as a date line, so
only the item's structure tells it apart from an article's paragraph, whatever the classes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from lxml.etree import _Element

from archive.extract.dom import Block, absolute
from archive.extract.page import PageIndex, Title, inside, parents

#: Text an item holds besides its teaser: its headline and date line.
MAX_ITEM_EXTRA = 300


def item_lines(page: PageIndex, title: Title, lines: list[str]) -> dict[int, str]:
    """The lines (by index) that sit in a listing item, and the page each item links.

    Items holding the page's own headline, or linking the page itself, are the article.
    """
    memo: dict[_Element, tuple[_Element, str] | None] = {}
    headlines = page.once("headline links", lambda: _headline_links(page))
    own = {page.url.split("#")[0], (page.canonical() or "").split("#")[0]}
    items: dict[_Element, str] = {}
    blocks = [page.find_block(line) for line in lines]
    for line, b in zip(lines, blocks, strict=True):
        item = _item(page, headlines, b.el, len(line), memo) if b is not None else None
        if item is None or item[1].split("#")[0] in own:  # a table of contents links its own sections
            continue
        if title.block is not None and inside(title.block.el, item[0]):
            continue
        items[item[0]] = item[1]
    out: dict[int, str] = {}
    for i, b in enumerate(blocks):
        box = next((a for a in parents(b.el, 3) if a in items), None) if b is not None else None
        if box is not None:
            out[i] = items[box]
    return out


def _headline_links(page: PageIndex) -> tuple[list[int], list[_Element]]:
    """The headline links of the page in document order, and their positions."""
    links = sorted(
        {b.links[0] for b in page.blocks if len(b.links) == 1 and headline_line(b)}, key=page.pos.__getitem__
    )
    return [page.pos[a] for a in links], links


def _item(
    page: PageIndex,
    headlines: tuple[list[int], list[_Element]],
    el: _Element,
    line_len: int,
    memo: dict[_Element, tuple[_Element, str] | None],
) -> tuple[_Element, str] | None:
    """The item a text element is the teaser of, and the page it links: its nearest container
    holding a headline link before it, when that container links one page and holds little
    text besides the line."""
    at = page.pos[el]
    positions, links = headlines
    for box in parents(el, 3):
        if box in memo:
            return memo[box]
        # the headline links in the box (itself or inside it) before el, found by their positions
        # (``box.iter("a")`` walked the box's whole subtree)
        start = page.pos[box]
        end = min(page.last_pos(box), at - 1)
        heads = {
            absolute(a.get("href"), page.base)
            for a in links[bisect_left(positions, start) : bisect_right(positions, end)]
        } - {None}
        if heads:
            text = sum(len(b.text) for b in page.blocks_in(box))
            item = (box, heads.pop()) if len(heads) == 1 and text <= line_len + MAX_ITEM_EXTRA else None
            memo[box] = item
            return item
    return None


def headline_line(b: Block) -> bool:
    """A line that is a link of headline length, with at most a date or a short label besides."""
    return b.link_share >= 0.4 and len(b.text) - b.link_chars <= 40 and len(b.text.split()) >= 4
