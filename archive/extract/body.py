"""The body: trafilatura's main text (or the DOM's, or embedded JSON's), cleaned of what is not the article.

Cleaning drops the title, lead, captions, breadcrumbs, tags, related headlines, widgets,
masthead lines and footer; it stops at a heading that ends the article ("Phản hồi", "Các tin
khác") unless a real paragraph follows an inline "Tin liên quan" box.
"""

from __future__ import annotations

from archive import heuristics as H
from archive.dates import parse_vn_date
from archive.extract import patterns as P
from archive.extract.dom import (
    Block,
    ancestors_until,
    common_ancestor,
    in_chrome,
    parse_fragment,
    walk_blocks,
)
from archive.extract.media import caption, dedupe_images, image_src
from archive.extract.page import PageIndex, Related, Title, inside
from archive.extract.teasers import headline_line, item_lines
from archive.vntext import clean_line, fold

#: Consecutive headline-link lines that make a box of links, not the article's text.
MIN_LINK_RUN = 3


def table_line(line: str | None) -> str | None:
    """trafilatura prints table rows as "| a | b |": keep the non-empty cells, "a | b"."""
    if not line or not line.startswith("|"):
        return line
    cells = [c.strip().replace("\\|", "|") for c in P.TABLE_CELL_SPLIT.split(line.strip("|"))]
    cells = [c for c in cells if c]
    if P.TABLE_RULE.fullmatch(line):
        return None
    return " | ".join(cells) or None


def main_lines(page: PageIndex, title: Title, text: str) -> list[str]:
    """Body lines of trafilatura's text; the DOM's when it found too little; run-together cells split."""
    lines = [ln for ln in (table_line(clean_line(x)) for x in text.split("\n")) if ln]
    if title.block is not None and _rescued(page, lines):
        # trafilatura found too little and appended the page's other text out of order (its
        # rescue of short items): the DOM's paragraphs under the title are the body
        dom = dom_body_lines(page, title)
        if _paragraph_chars(dom) >= _paragraph_chars(lines[:1]):
            lines = dom
    if sum(len(x) for x in lines) < 150:
        lines = dom_body_lines(page, title) or lines
    elif _paragraph_chars(lines) < 150:
        # trafilatura kept only short lines (a source line, a form label) of a one-paragraph item
        dom = dom_body_lines(page, title)
        if _paragraph_chars(dom) > _paragraph_chars(lines):
            lines = dom
    return [piece for line in lines for piece in _explode(page, line)]


def _rescued(page: PageIndex, lines: list[str]) -> bool:
    """Lines that go back up the page: trafilatura's rescue text after a short main text."""
    last = -1
    for line in lines:
        b = page.by_text.get(line)
        if not b or len(b) > 1:
            continue  # not on the page as such, or repeated: no position
        if b[0].index < last:
            return True
        last = b[0].index
    return False


def _paragraph_chars(lines: list[str]) -> int:
    return sum(len(x) for x in lines if len(x) >= 80)


def dom_body_lines(page: PageIndex, title: Title) -> list[str]:
    """Body lines from the DOM when trafilatura finds too little: hinted body, else after the title."""
    for el in page.hints("body"):
        lines = [b.text for b in page.blocks_in(el) if b.link_share < 0.5]
        if sum(len(x) for x in lines) >= 150:
            return lines
    if title.block is None:
        return []
    out = []
    for b in page.blocks[title.block.index + 1 :]:
        if page.is_end(b):
            break
        if b.link_share < 0.5 and not in_chrome(b.el, title.ancestors):
            out.append(b.text)
    return out


def next_body(page: PageIndex, markup: str) -> tuple[list[str], list[dict]]:
    """Lines and images of an article body given as HTML in JSON."""
    frag = parse_fragment(markup)
    if frag is None:
        return [], []
    blocks = walk_blocks(frag)
    images = []
    for img in frag.iter("img"):
        src = image_src(img, page.base)
        if src:
            images.append({"src": src, "caption": caption(img)})
    captions = {i["caption"] for i in images if i["caption"]}
    lines = [b.text for b in blocks if b.text not in captions and b.el.tag != "figcaption"]
    return lines, dedupe_images(images)


def _explode(page: PageIndex, line: str) -> list[str]:
    """A long line that is several blocks run together (a layout-table cell) -> those blocks.

    trafilatura prints a whole <td> as one line on table-layout pages; the page's own
    paragraphs are recovered by matching consecutive blocks against the line.
    """
    if len(line) < 200 or page.find_block(line) is not None:
        return [line]
    for start in page.blocks:
        if not line.startswith(start.text):
            continue
        pieces, rest = [], line
        for b in page.blocks[start.index :]:
            if rest.startswith(b.text):
                pieces.append(b.text)
                rest = rest[len(b.text) :].lstrip(" |")
                if not rest:
                    return pieces
            else:
                break
    return [line]


def clean_body(
    page: PageIndex,
    title: Title,
    related: Related,
    lines: list[str],
    lead: str | None,
    captions: set[str],
    crumbs: tuple[str, ...],
    tags: list[str],
) -> tuple[list[str], str | None]:
    """Drop what is not body text; the body lines and the first "Nguồn:" source among them."""
    title_k = fold(title.text or "")
    lead_k = fold(lead or "")
    crumbs_k = {fold(c) for c in crumbs}
    tag_line = fold(", ".join(tags)) if tags else None
    related_k = {fold(t) for t in related.titles}
    out: list[str] = []
    kept: list[Block | None] = []
    source = None
    substantial = 0
    last_k = None  # the folded form of out[-1]
    blocks = [page.find_block(line) for line in lines]
    boxed = _link_runs(blocks) | _boxed_teasers(page, title, lines)
    for i, line in enumerate(lines):
        k = fold(line)
        block = blocks[i]
        if i in boxed:
            continue
        if (H.is_end_heading(line) or H.is_footer_line(line)) and len(line) <= 60:
            if substantial >= 150 and not _inline_box_follows(page, related, lines, i):
                break
            continue
        if H.is_footer_line(line) and substantial >= 150:
            break
        if k == title_k or H.is_widget_line(line) or k in crumbs_k or H.is_invitation_line(line):
            continue
        src = H.source_of(line)
        if src:
            source = source or src
            continue
        is_tags, _ = H.strip_tags_label(line)
        if is_tags or (tag_line and k == tag_line):
            continue
        if k in captions or k in related_k:
            continue
        if lead_k and (
            k == lead_k
            or (len(k) >= 40 and lead_k.startswith(k))
            or (len(lead_k) >= 40 and k.startswith(lead_k) and len(k) - len(lead_k) < 5)
        ):
            continue
        if block is not None and _is_noise_block(page, title, related, block):
            continue
        if substantial and block is not None and _link_bar(block):
            continue
        if substantial == 0 and len(line) < 150 and _before_title(title, block):
            continue  # masthead lines ahead of the title
        if len(line) <= 100 and substantial == 0 and not line.endswith(".") and parse_vn_date(line):
            continue  # a date line above the body (a sentence with a date in it is body)
        if out and last_k == k:
            continue
        out.append(line)
        last_k = k
        kept.append(block)
        substantial += len(line)
    _drop_trailing_outside(out, kept)
    return out, source


def _link_runs(blocks: list[Block | None]) -> set[int]:
    """Lines in runs of headline links (a box of other articles whose heading was not kept)."""
    out: set[int] = set()
    run: list[int] = []
    for i, b in enumerate([*blocks, None]):
        if b is not None and headline_line(b):
            run.append(i)
            continue
        if len(run) >= MIN_LINK_RUN:
            out.update(run)
        run = []
    return out


def _link_bar(b: Block) -> bool:
    """A short line of several links and nothing else: print, share and tag tools."""
    return len(b.links) >= 2 and b.link_share > 0.8 and len(b.text) < 80


def _boxed_teasers(page: PageIndex, title: Title, lines: list[str]) -> set[int]:
    """Lines of listing items after the article's own first paragraph: boxes of other articles.

    A text that opens with such items is a listing's: left whole for the page kind to judge.
    """
    items = item_lines(page, title, lines)
    first = next((i for i, line in enumerate(lines) if len(line) >= 80), None)
    if first is None or first in items:
        return set()
    return {i for i in items if i > first}


def _drop_trailing_outside(out: list[str], blocks: list[Block | None]) -> None:
    """Short closing lines outside the box holding the article's paragraphs: a footer without class names."""
    paragraphs = [b for line, b in zip(out, blocks, strict=True) if b is not None and len(line) >= 80]
    if len(paragraphs) < 2:
        return
    box = paragraphs[0].el
    for b in paragraphs[1:]:
        lca = common_ancestor(box, b.el)
        box = lca if lca is not None else box
    if box.tag in ("body", "html"):
        return
    while len(out) > 1:
        b = blocks[len(out) - 1]
        if b is None or len(out[-1]) >= 80 or inside(b.el, box):
            break
        out.pop()


def _before_title(title: Title, block: Block | None) -> bool:
    return block is not None and title.block is not None and block.index < title.block.index


def _inline_box_follows(page: PageIndex, related: Related, lines: list[str], i: int) -> bool:
    """A "Tin liên quan" box inside the body: long non-link paragraphs follow it."""
    if not H.is_related_heading(lines[i]):
        return False
    tail = 0
    for line in lines[i + 1 :]:
        if H.is_end_heading(line):
            break
        b = page.find_block(line)
        if b is None or b.link_share > 0.3 or len(line) < 100:
            continue
        if related.holds(b.el):
            continue
        tail += len(line)
    return tail >= 300


def _is_noise_block(page: PageIndex, title: Title, related: Related, b: Block) -> bool:
    """A block in a feedback form, a related section, or a link line of the chrome.

    Only containers below the title's ancestors count: ASP.NET WebForms pages (tuyengiao
    generation (a)) wrap the whole page, article included, in one <form>.
    """
    for anc in ancestors_until(b.el, title.ancestors):
        tag = anc.tag
        if tag in ("footer", "nav") or (tag == "form" and len(page.blocks_in(anc)) < 40):
            return True
    if related.holds(b.el):
        return True
    return b.link_share > 0.6 and len(b.text) < 150 and in_chrome(b.el, title.ancestors)
