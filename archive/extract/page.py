"""The parsed page, indexed once: every finder reads it, none changes it.

Built once per page by ``index_page`` (blocks in reading order, metadata, JSON-LD, element
positions); the finders in this package are functions of this index and of the anchors found
before them (the title, the related sections).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from lxml import etree
from lxml.etree import _Element

from archive import heuristics as H
from archive.extract import patterns as P
from archive.extract.dom import (
    Block,
    absolute,
    class_has,
    meta_map,
    names_of,
    text_of,
    use_page_names,
    walk_blocks,
)
from archive.extract.jsonld import json_ld, ld_types
from archive.profiles import SiteProfile
from archive.vntext import clean_line, fold


@dataclass(frozen=True)
class PageIndex:
    """One parsed page and what every finder needs to know about it."""

    root: _Element
    url: str
    profile: SiteProfile | None
    now: datetime
    html_text: str
    tz: timezone
    base: str
    metas: dict[str, list[str]]
    ld: list[dict]
    #: The JSON-LD object of the article itself (or a dated WebPage), if any.
    ld_article: dict | None
    blocks: list[Block]
    block_of: dict[_Element, list[Block]]
    by_text: dict[str, list[Block]]
    #: Every element in document order, and the position of each in that list.
    elements: list[_Element]
    pos: dict[_Element, int]
    #: The elements of each tag, in document order (``tagged``).
    by_tag: dict[object, list[_Element]]
    #: The page's id and class values (what trafilatura's expressions test, bridge.page_names).
    ids: set[str]
    classes: set[str]
    #: The elements with an itemtype attribute (microdata), the root included, in document order.
    itemtyped: list[_Element]
    #: Indexes of blocks that are headings ending an article ("Phản hồi", "Các tin khác").
    end_ids: frozenset[int]
    #: Running total of paragraph-like text (long, few links) before each block.
    content_prefix: list[int]
    _hints: dict[str, list[_Element]] = field(default_factory=dict, compare=False, repr=False)
    #: Derived values several finders ask for (a line's block, the canonical URL): computed once.
    _memo: dict[object, Any] = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: object, compute: Callable[[], Any]) -> Any:
        """``compute()``, evaluated the first time ``key`` is asked for on this page only."""
        memo = self._memo
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def is_end(self, b: Block) -> bool:
        """Whether a block is a section heading that ends the article ("Phản hồi", "Các tin khác")."""
        return b.index in self.end_ids

    def meta(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys``."""
        for k in keys:
            for v in self.metas.get(k, ()):
                v = clean_line(v)
                if v:
                    return v
        return None

    def text(self, el: _Element) -> str:
        """All visible text under ``el``, cleaned (``dom.text_of``): the boxes around the title
        and the body are measured by several finders."""
        return self.once(("text", el), lambda: text_of(el))

    def hints(self, name: str) -> list[_Element]:
        """Elements matched by the profile's XPath hints for ``name`` (empty without a profile)."""
        if name not in self._hints:
            found: list[_Element] = []
            for xp in self.profile.hints.get(name, ()) if self.profile else ():
                try:
                    found.extend(e for e in self.root.xpath(xp) if isinstance(e, _Element))
                except etree.XPathError:
                    continue
            self._hints[name] = found
        return self._hints[name]

    def tagged(self, *tags: str) -> list[_Element]:
        """``list(root.iter(*tags))`` without walking the tree again: lxml's tag-filtered walk
        costs as much as listing every element, and the finders ask for several tags."""
        if len(tags) == 1:
            return self.by_tag.get(tags[0], [])
        found = [el for tag in dict.fromkeys(tags) for el in self.by_tag.get(tag, ())]
        found.sort(key=self.pos.__getitem__)
        return found

    def links_in(self, el: _Element, limit: int) -> list[_Element]:
        """The first ``limit`` <a> elements of ``el`` (itself or inside it): ``list(islice(el.iter("a"),
        limit))``, found by their positions among the page's links, not by walking ``el``'s subtree."""
        positions, links = self.once("link positions", self._link_positions)
        start = bisect_left(positions, self.pos[el])
        if start == len(positions):
            return []
        end = bisect_right(positions, self.last_pos(el), start, min(len(positions), start + limit))
        return links[start:end]

    def _link_positions(self) -> tuple[list[int], list[_Element]]:
        links = self.tagged("a")
        return [self.pos[a] for a in links], links

    def last_pos(self, el: _Element) -> int:
        """The position of the last element inside ``el`` (its own when it has none): the elements
        inside ``el`` are those after it up to this one."""
        node = el
        while len(node):
            node = node[-1]
        return self.pos[node]

    def blocks_in(self, el: _Element) -> list[Block]:
        """Blocks whose element is ``el`` or inside it."""
        out = []
        for node in el.iter():
            out.extend(self.block_of.get(node, ()))
        return out

    def find_block(self, line: str) -> Block | None:
        """The block a text line came from (exact text, else the first block containing it)."""
        return self.once(("block", line), lambda: self._find_block(line))

    def _find_block(self, line: str) -> Block | None:
        line = P.LIST_MARK.sub("", line)
        found = self.by_text.get(line)
        if found:
            return found[0]
        if len(line) < 12:
            return None
        for b in self.blocks:
            if len(b.text) >= len(line) and line in b.text:
                return b
        return None

    def content_after(self, index: int, window: int = 60) -> int:
        """Characters of paragraph-like text (long, few links) in the blocks after ``index``."""
        prefix = self.content_prefix
        return prefix[min(len(self.blocks), index + 1 + window)] - prefix[index + 1]

    def canonical(self) -> str | None:
        """The page's canonical URL (link rel=canonical, else og:url)."""
        return self.once("canonical", self._canonical)

    def _canonical(self) -> str | None:
        for link in self.tagged("link"):
            if "canonical" in (link.get("rel") or "").lower().split():
                out = absolute(link.get("href"), self.base)
                if out:
                    return out
        return absolute(self.meta("og:url"), self.base)


def index_page(
    root: _Element, url: str, profile: SiteProfile | None, now: datetime, html_text: str
) -> PageIndex:
    """Flatten and index a parsed page once."""
    # Every element's Python proxy first: lxml makes one per element touched and frees it when
    # nothing holds it, so the walk and every finder after it reuse these instead of remaking them.
    elements = list(root.iter())
    # what several finders look for in every element, read in one pass over them
    by_tag: dict[object, list[_Element]] = {}
    ids: set[str] = set()
    classes: set[str] = set()
    itemtyped: list[_Element] = []
    names: dict[_Element, str | None] = {}
    for el in elements:
        same = by_tag.get(el.tag)
        if same is None:
            by_tag[el.tag] = [el]
        else:
            same.append(el)
        id_ = el.get("id")
        if id_ is not None:
            ids.add(id_)
        cls = el.get("class")
        if cls is not None:
            classes.add(cls)
        names[el] = names_of(cls, id_)
        if el.get("itemtype") is not None:
            itemtyped.append(el)
    use_page_names(names)
    metas = meta_map(by_tag.get("meta", ()))
    ld = json_ld(by_tag.get("script", ()))
    base_el = next(
        (el for el in by_tag.get("base", ()) if el.get("href") is not None and el is not root), None
    )
    base = (absolute(base_el.get("href"), url) if base_el is not None else None) or url
    blocks = walk_blocks(root)
    block_of: dict[_Element, list[Block]] = {}
    by_text: dict[str, list[Block]] = {}
    for b in blocks:
        block_of.setdefault(b.el, []).append(b)
        by_text.setdefault(b.text, []).append(b)
    total, prefix = 0, [0]
    for b in blocks:
        total += len(b.text) if len(b.text) >= 80 and b.link_share < 0.3 else 0
        prefix.append(total)
    return PageIndex(
        root=root,
        url=url,
        profile=profile,
        now=now,
        html_text=html_text,
        tz=timezone(timedelta(hours=profile.utc_offset_hours if profile else 7)),
        base=base,
        metas=metas,
        ld=ld,
        ld_article=_ld_article(ld),
        blocks=blocks,
        block_of=block_of,
        by_text=by_text,
        elements=elements,
        pos=dict(zip(elements, range(len(elements)), strict=True)),
        by_tag=by_tag,
        ids=ids,
        classes=classes,
        itemtyped=itemtyped,
        end_ids=_end_ids(blocks),
        content_prefix=prefix,
    )


def _end_ids(blocks: list[Block]) -> frozenset[int]:
    """Indexes of the blocks that are end headings, each distinct short text asked once (a page
    repeats a quarter of its short lines: menus, share and "read more" links)."""
    ends: dict[str, bool] = {}
    out = []
    for b in blocks:
        text = b.text
        if len(text) <= 60:
            end = ends.get(text)
            if end is None:
                end = ends[text] = H.is_end_heading(text)
            if end:
                out.append(b.index)
    return frozenset(out)


def _ld_article(ld: list[dict]) -> dict | None:
    best = None
    for obj in ld:
        types = ld_types(obj)
        if any(t.endswith(P.ARTICLE_LD_SUFFIXES) or t == "ReportageNews" for t in types):
            return obj
        if best is None and types & {"WebPage", "ItemPage"} and obj.get("datePublished"):
            best = obj
    return best


@dataclass(frozen=True)
class Title:
    """The title anchor: the heading block (if the page shows one), its text, where it sits."""

    block: Block | None
    text: str | None
    pos: int | None
    #: The heading's element and its ancestors: containers that hold the article, not chrome.
    ancestors: frozenset[_Element]


@dataclass(frozen=True)
class Related:
    """The related-links anchor: the "Các tin khác" sections, their links and elements."""

    links: list[dict]
    titles: frozenset[str]
    els: frozenset[_Element]

    def holds(self, el: _Element) -> bool:
        """Whether ``el`` sits inside a related section."""
        return any(inside(el, r) for r in self.els)


def norm(text: str) -> str:
    """Comparison form of a title: folded, punctuation (quotes of any style) and spaces squeezed."""
    return P.NON_WORD.sub(" ", fold(text)).strip()


def inside(el: _Element, container: _Element) -> bool:
    """Whether ``el`` is ``container`` or inside it."""
    node: _Element | None = el
    while node is not None:
        if node is container:
            return True
        node = node.getparent()
    return False


def parents(el: _Element, n: int) -> list[_Element]:
    """Up to ``n`` ancestors of ``el``, nearest first."""
    out = []
    node = el.getparent()
    while node is not None and len(out) < n:
        out.append(node)
        node = node.getparent()
    return out


def is_caption_el(el: _Element) -> bool:
    """A figcaption, or an element named like a caption, or inside one (three levels)."""
    if el.tag == "figcaption" or class_has(el, P.CAPTIONISH):
        return True
    return any(a.tag == "figcaption" or class_has(a, P.CAPTIONISH) for a in parents(el, 3))


def to_int(value: object) -> int:
    """An HTML size or position attribute as an int ("300px" -> 300); 0 when unreadable."""
    try:
        return int(str(value).strip().removesuffix("px"))
    except (TypeError, ValueError):
        return 0
