"""The editorial link graph: "Các tin khác", "Tin liên quan" sections and their article links.

The second anchor: what lies inside these sections is never body text, date line or byline.
"""

from __future__ import annotations

from lxml.etree import _Element

from archive import heuristics as H
from archive.extract.dom import Block, absolute
from archive.extract.page import PageIndex, Related, Title
from archive.vntext import clean_line, rstrip_marks


def section_name(text: str) -> str:
    """A section heading as a label: without its colon, "CÁC TIN KHÁC" -> "Các tin khác"."""
    name = rstrip_marks(text, ":：").strip()
    return name.capitalize() if name.isupper() else name


def find_related(page: PageIndex, title: Title) -> Related:
    """The related sections: their article links (url, title, section) and their elements."""
    sections: list[tuple[list[_Element], list[dict]]] = []
    seen: set[str] = set()
    own = {page.url, page.canonical() or ""}
    all_headings = {id(b) for b in page.blocks if page.is_end(b)}
    for head in (b for b in page.blocks if b.index in page.end_ids and H.is_related_heading(b.text)):
        if head.link_share > 0.5 and len(head.links) == 1 and len(page.blocks_in(head.el)) > 1:
            continue
        container = _section_container(page, title, head)
        if container is not None:
            candidates = [b for b in page.blocks_in(container) if b.index > head.index]
        else:  # the heading shares its parent with the article: take what follows it
            candidates = page.blocks[head.index + 1 : head.index + 40]
        members: list[Block] = []
        for b in candidates:
            if id(b) in all_headings or (container is None and b.link_share < 0.3 and len(b.text) > 150):
                break
            members.append(b)
        section = section_name(head.text)
        links: list[dict] = []
        for b in members:
            for a in b.links:
                href = absolute(a.get("href"), page.base)
                text = clean_line(a.text_content()) or clean_line(a.get("title"))
                if not href or not text or href in own or href in seen:
                    continue
                if len(text) < 12 or len(text.split()) < 3:
                    continue
                seen.add(href)
                links.append({"url": href, "title": text, "section": section})
        if links:
            els = [container] if container is not None else [head.el] + [m.el for m in members]
            sections.append(([e for e in els if e not in title.ancestors], links))
    links = [link for _, found in sections for link in found]
    return Related(
        links=links,
        titles=frozenset(r["title"] for r in links),
        els=frozenset(el for els, _ in sections for el in els),
    )


def _section_container(page: PageIndex, title: Title, head: Block) -> _Element | None:
    """The smallest ancestor of a section heading that also holds its links."""
    node = head.el
    for _ in range(6):
        parent = node.getparent()
        if parent is None:
            return None
        node = parent
        if title.block is not None and node in title.ancestors:
            return None
        inner = [b for b in page.blocks_in(node) if b.index > head.index and b.links]
        if inner:
            return node
    return None
