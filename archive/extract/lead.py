"""The sapo: the standfirst printed under the title, kept apart from the body as ``lead``."""

from __future__ import annotations

from archive import heuristics as H
from archive.dates import parse_vn_date
from archive.extract import patterns as P
from archive.extract.dom import Block, class_has, has_ancestor, in_chrome
from archive.extract.page import PageIndex, Title, inside, is_caption_el, norm, parents
from archive.vntext import clean_line


def find_lead_block(page: PageIndex, title: Title) -> Block | None:
    """The sapo block: hinted, else a block under the title that is emphasised, named or the description."""
    for el in page.hints("lead"):
        bs = page.blocks_in(el)
        text = " ".join(b.text for b in bs)
        if 20 <= len(text) <= 2000 and bs:
            return Block(el, clean_line(text) or "", bs[0].index)
    if title.block is None:
        return None
    desc = page.meta(*P.DESCRIPTION_META)
    desc_cut = bool(desc and P.ELLIPSIS_END.search(desc))
    desc_n = norm(P.ELLIPSIS_END.sub("", desc or ""))
    start = title.block.index
    for b in page.blocks[start + 1 : start + 15]:
        if b.link_share > 0.5 or len(b.text) < 25:
            continue
        if parse_vn_date(b.text) and len(b.text) < 100:
            continue
        if page.is_end(b) or in_chrome(b.el, title.ancestors):
            continue
        if is_caption_el(b.el) or _beside_image(page, b) or _repeats_caption(page, b):
            continue
        if H.is_invitation_line(b.text):
            continue
        t = norm(b.text)
        ok_len = 40 <= len(b.text) <= 1200
        if ok_len and (class_has(b.el, P.LEADISH) or any(class_has(a, P.LEADISH) for a in parents(b.el, 2))):
            return b
        if (
            ok_len
            and (b.el.tag in ("h2", "h3", "h4") or b.emphasised)
            and not has_ancestor(b.el, {"figure"})
            and not is_caption_el(b.el)
        ):
            return b
        if (
            ok_len
            and desc_n
            and len(desc_n) >= 30
            and (desc_cut or len(t) <= len(desc_n) + 5 or _set_apart(page, b))
            and _text_follows(page, b)
            and not _first_of_paragraphs(page, b)
            and (
                t.startswith(desc_n[: max(30, len(desc_n) - 5)])
                or desc_n.startswith(t)
                or (t.endswith(desc_n) and len(t) - len(desc_n) <= 30)  # a location stamp glued before
            )
        ):
            return b
        if len(b.text) >= 150:
            break
    return None


def _set_apart(page: PageIndex, b: Block) -> bool:
    """Whether body paragraphs follow ``b`` outside its parent: a sapo, not the body's first paragraph.

    A page with no sapo often has the first characters of its first paragraph as description
    (cut without an ellipsis); that paragraph shares its box with the rest of the body, or is
    the whole body.
    """
    parent = b.el.getparent()
    for nxt in page.blocks[b.index + 1 : b.index + 15]:
        if len(nxt.text) >= 80 and nxt.link_share < 0.3:
            return nxt.el.getparent() is not parent and not (parent is not None and inside(nxt.el, parent))
    return False


def _first_of_paragraphs(page: PageIndex, b: Block) -> bool:
    """Whether the next paragraph is a sibling of ``b``: the body's first paragraph, not a sapo.

    A page with no sapo often has its first paragraph's opening words as description; that
    paragraph sits among the others, where a sapo sits in a box of its own.
    """
    parent = b.el.getparent()
    for nxt in page.blocks[b.index + 1 : b.index + 15]:
        if is_caption_el(nxt.el) or _in_image_table(nxt) or _repeats_caption(page, nxt):
            continue
        if len(nxt.text) >= 80 and nxt.link_share < 0.3:
            return parent is not None and nxt.el.getparent() is parent and nxt.el.tag == b.el.tag
    return False


def _in_image_table(b: Block) -> bool:
    """A line in a table that holds a picture: the caption row of an image table."""
    table = next(b.el.iterancestors("table"), None)
    return table is not None and table.find(".//img") is not None


def _text_follows(page: PageIndex, b: Block) -> bool:
    """Whether a paragraph follows ``b`` before the article ends: else ``b`` is the whole body."""
    for nxt in page.blocks[b.index + 1 : b.index + 15]:
        if page.is_end(nxt):
            return False
        if len(nxt.text) >= 80 and nxt.link_share < 0.3:
            return True
    return False


def _repeats_caption(page: PageIndex, b: Block) -> bool:
    """A caption printed a second time under its image (the block before, or the image's alt)."""
    if b.index and page.blocks[b.index - 1].text == b.text:
        return True
    prev = b.el.getprevious()
    return prev is not None and any(clean_line(img.get("alt") or "") == b.text for img in prev.iter("img"))


def _beside_image(page: PageIndex, b: Block) -> bool:
    """Whether a block shares a small box with an image: a caption, whatever its class."""
    for anc in parents(b.el, 3):
        if anc.find(".//img") is not None:
            return len(page.text(anc)) <= 2 * len(b.text) + 40
    return False


def lead_text(page: PageIndex, block: Block) -> str:
    """The sapo as shown, minus a location stamp glued before it ("Hà NộiGiá vàng...")."""
    desc = page.meta("og:description", "description")
    if desc and block.text.endswith(desc) and 0 < len(block.text) - len(desc) <= 30:
        return desc
    return block.text
