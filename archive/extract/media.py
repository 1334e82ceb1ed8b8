"""The article's images and their captions (each caption once, even when printed twice)."""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml.etree import _Element

from archive.extract import patterns as P
from archive.extract.dom import absolute, common_ancestor, in_chrome, text_of
from archive.extract.page import PageIndex, Related, Title, is_caption_el, to_int
from archive.vntext import clean_line

_CAPTION_BOXES = ("table", "tbody", "tr", "td", "div", "p", "span", "center", "a")


def find_images(page: PageIndex, title: Title, related: Related, lines: list[str]) -> list[dict]:
    """Images between the title and the end of the body lines, outside chrome and related lists."""
    matched = [b for b in (page.find_block(x) for x in lines if len(x) >= 40) if b is not None]
    if not matched:
        return []
    container = matched[0].el
    for b in matched[1:]:
        lca = common_ancestor(container, b.el)
        container = lca if lca is not None else container
    start = title.pos if title.pos is not None else page.pos[container]
    end_el = matched[-1].el
    end = max(page.pos[d] for d in end_el.iter()) if end_el is not None else 0
    scope = common_ancestor(container, title.block.el) if title.block is not None else None
    scope = scope if scope is not None else container
    out = []
    for img in scope.iter("img"):
        p = page.pos[img]
        if p < start or p > end + 200:
            continue
        if in_chrome(img, title.ancestors) or related.holds(img):
            continue
        link = next((a for a in img.iterancestors("a")), None)
        if link is not None and not P.IMAGE_HREF.search(link.get("href") or ""):
            continue
        src = image_src(img, page.base)
        if src:
            out.append({"src": src, "caption": caption(img)})
    return dedupe_images(out)


def image_src(img: _Element, base: str) -> str | None:
    """The picture's absolute URL (lazy-loading attributes first); None for icons and spacers."""
    for attr in P.IMAGE_SOURCES:
        raw = (img.get(attr) or "").strip()
        if attr.endswith("srcset") and raw:
            raw = raw.split(",")[0].split()[0]
        if raw and not raw.startswith("data:"):
            src = absolute(raw, base)
            if not src:
                continue
            if P.ICONISH.search(urlsplit(src).path):
                return None
            w, h = to_int(img.get("width")), to_int(img.get("height"))
            if (w and w < 60) or (h and h < 60):
                return None
            return src
    return None


def caption(img: _Element) -> str | None:
    """The caption of an image, once, even when the page prints it twice."""
    fig = next(img.iterancestors("figure"), None)
    if fig is not None:
        cap = fig.find(".//figcaption")
        return once(text_of(cap if cap is not None else fig))
    node = img
    for _ in range(4):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if len(list(parent.iter("img"))) > 1:
            break
        text = text_of(parent)
        if len(text) > 400:
            break
        node = parent
        if text and parent.tag in _CAPTION_BOXES:
            return once(text)
        if parent.tag == "table":
            break  # an image table without a caption row: the box around it holds the body
    # A caption element right after the image block ("image block + caption cell").
    sib = node.getnext()
    if sib is not None and isinstance(sib.tag, str):
        text = text_of(sib)
        if (
            text
            and len(text) <= 300
            and (is_caption_el(sib) or sib.find(".//em") is not None or sib.find(".//i") is not None)
        ):
            return once(text)
    return None


def once(text: str) -> str | None:
    """A caption printed twice in a row ("X X", from image block + caption cell) -> "X"."""
    text = clean_line(text) or ""
    if not text:
        return None
    words = text.split(" ")
    n = len(words)
    if n % 2 == 0 and words[: n // 2] == words[n // 2 :]:
        return " ".join(words[: n // 2])
    return text


def dedupe_images(images: list[dict]) -> list[dict]:
    """One entry per picture, keeping the first caption found for it."""
    seen: dict[str, dict] = {}
    for img in images:
        if img["src"] not in seen:
            seen[img["src"]] = img
        elif not seen[img["src"]]["caption"] and img["caption"]:
            seen[img["src"]]["caption"] = img["caption"]
    return list(seen.values())
