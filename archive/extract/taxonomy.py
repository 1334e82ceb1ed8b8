"""Where the article is filed: its category (breadcrumb, section bar, metadata) and its tags."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.etree import _Element

from archive import heuristics as H
from archive.extract import patterns as P
from archive.extract.bridge import MainText
from archive.extract.dom import absolute, class_has, in_chrome, text_of
from archive.extract.jsonld import ld_name, ld_types
from archive.extract.page import PageIndex, Title, norm, parents, to_int
from archive.vntext import clean_line


@dataclass(frozen=True)
class Category:
    """The category, and the breadcrumb it came from (its crumbs are never body lines)."""

    name: str | None
    crumbs: tuple[str, ...]


def find_category(page: PageIndex, title: Title, main: MainText) -> Category:
    """The last meaningful breadcrumb; else the section metadata, name bar or label; else trafilatura's."""
    for el in page.hints("category"):
        text = text_of(el)
        if text:
            return Category(text, ())
    crumbs = _ld_breadcrumb(page) or _microdata_breadcrumb(page) or _dom_breadcrumb(page, title)
    title_n = norm(title.text or "")
    crumbs = [c for c in crumbs if c and not H.is_home_crumb(c) and norm(c) != title_n and len(c) <= 80]
    if crumbs:
        return Category(crumbs[-1], tuple(crumbs))
    section = page.meta("article:section")
    if not section and page.ld_article:
        section = ld_name(page.ld_article.get("articleSection"))
    name = (
        section or _section_label(page, title) or _category_label(page, title) or _trafilatura_category(main)
    )
    return Category(name, ())


def _trafilatura_category(main: MainText) -> str | None:
    categories = main.field("categories")
    return clean_line(categories[0]) if categories else None


def _category_label(page: PageIndex, title: Title) -> str | None:
    """A "Danh mục: ..." / "Chuyên mục: ..." line near the title."""
    if title.block is None:
        return None
    t = title.block.index
    for b in page.blocks[max(0, t - 5) : t + 6]:
        found = H.category_label(b.text)
        if found:
            return found
    return None


def _section_label(page: PageIndex, title: Title) -> str | None:
    """A lone link just above the title to this page's section: the section's name bar.

    Evidence that the link is the section: its path is a parent of this URL, or a listing
    URL of the site's profile, or its box is named like one ("cate", "chuyen-muc").
    """
    if title.block is None:
        return None
    path = urlsplit(page.url).path.rstrip("/")
    host = urlsplit(page.url).hostname
    for b in reversed(page.blocks[max(0, title.block.index - 4) : title.block.index]):
        if len(b.links) != 1 or b.link_share < 0.9 or len(b.text.split()) > 8:
            continue
        href = absolute(b.links[0].get("href"), page.base)
        parts = urlsplit(href or "")
        parent = parts.path.rstrip("/")
        if parts.hostname != host or not parent:
            continue
        listing = page.profile is not None and page.profile.is_listing_url(href or "")
        labelled = any(class_has(e, P.CATEGORYISH) for e in [b.el, *parents(b.el, 2)])
        if path.startswith(parent + "/") or listing or labelled:
            return b.text
    return None


def _ld_breadcrumb(page: PageIndex) -> list[str]:
    for obj in page.ld:
        if "BreadcrumbList" in ld_types(obj):
            items = obj.get("itemListElement") or []
            if not isinstance(items, list):
                continue
            items = sorted((i for i in items if isinstance(i, dict)), key=lambda i: to_int(i.get("position")))
            names = [ld_name(i.get("name")) or ld_name(i.get("item")) for i in items]
            return [n for n in names if n]
    return []


def _microdata_breadcrumb(page: PageIndex) -> list[str]:
    for el in page.itemtyped:
        if el is page.root:  # the root's descendants, as ".//*[@itemtype]" reads them
            continue
        if "breadcrumblist" in (el.get("itemtype") or "").lower():
            names = [clean_line(n.text_content()) for n in el.iter() if n.get("itemprop") == "name"]
            return [n for n in names if n]
    return []


#: Elements that may hold a breadcrumb.
_CRUMB_TAGS = ("ol", "ul", "nav", "div", "p")


def _dom_breadcrumb(page: PageIndex, title: Title) -> list[str]:
    """A short list of short links before the title: "Trang chủ", separators or a breadcrumb class.

    Of several candidates the one nearest the title wins (a top bar "Trang chủ | Liên hệ |
    RSS" is farther, and inside the page chrome). Below the title only a box named like a
    breadcrumb counts.
    """
    found: list[tuple[int, list[str]]] = []
    # Before the title: the elements above it, and the headline element with its descendants
    # (a crumb inside the element whose loose text is the headline is printed above it), which
    # follow it in document order: positions up to title_end.
    title_end = -1
    if title.block is not None and title.pos is not None:
        title_end = title.pos + sum(1 for _ in title.block.el.iterdescendants())
    boxes = iter(page.tagged(*_CRUMB_TAGS))
    link_texts: dict[_Element, str | None] = {}
    for el in boxes:
        where = page.pos.get(el, 0)
        explicit = class_has(el, P.BREADCRUMBISH)
        if 0 <= title_end < where:
            if explicit:
                crumbs = _crumbs(page, title, el, True, link_texts)
                if crumbs:
                    found.append((10**9 - where, crumbs))
            break
        crumbs = _crumbs(page, title, el, explicit, link_texts)
        if crumbs:
            found.append((where + (10**9 if explicit else 0), crumbs))
    for el in boxes:  # below the title (the same iterator, where the loop above stopped)
        if class_has(el, P.BREADCRUMBISH):
            crumbs = _crumbs(page, title, el, True, link_texts)
            if crumbs:
                found.append((10**9 - page.pos.get(el, 0), crumbs))
    return max(found, key=lambda f: f[0])[1] if found else []


def _crumbs(
    page: PageIndex, title: Title, el: _Element, explicit: bool, link_texts: dict[_Element, str | None]
) -> list[str] | None:
    """The crumbs of a candidate box, if it is a breadcrumb (``link_texts``: the texts of the
    links read so far; nested boxes hold the same links)."""
    links = page.links_in(el, 8)  # a breadcrumb has a few links: stop counting at 8
    if not links or len(links) > 7:
        return None
    texts = []
    for a in links:
        text = link_texts.get(a, link_texts)
        if text is link_texts:
            text = link_texts[a] = clean_line(a.text_content())
        texts.append(text)
    if any(t and len(t.split()) > 8 for t in texts):
        return None
    home = explicit or any(  # a box not named like a breadcrumb must start from the home page
        (t and H.is_home_crumb(t)) or (a.get("href") or "").strip() in ("/", page.base)
        for a, t in zip(links, texts, strict=True)
    )
    if not home:  # before measuring the box's whole text: most boxes end here
        return None
    full = text_of(el)
    if len(full) > 200:
        return None
    separators = bool(P.CRUMB_SEPARATOR.search(P.BARE_URL.sub("", full)))
    if not (explicit or separators or len(links) >= 2):
        return None
    if not explicit and in_chrome(el, title.ancestors):
        return None
    crumbs = [t for t in texts if t and not P.SEPARATOR_ONLY.match(t)]
    tail = clean_line(_after_last_separator(full)) if separators else None
    if tail and tail not in crumbs and len(tail) <= 80 and norm(tail) != norm(title.text or ""):
        crumbs.append(tail)
    return crumbs


def _after_last_separator(text: str) -> str:
    """What follows the last breadcrumb separator (``re.sub(r"^.*[»›>/|→]", "", text)``)."""
    line_end = text.find("\n")
    first_line = text if line_end < 0 else text[:line_end]
    cut = max(first_line.rfind(sep) for sep in "»›>/|→")
    return text if cut < 0 else text[cut + 1 :]


def find_tags(page: PageIndex, title: Title, main: MainText) -> list[str]:
    """ "Tags:"/"Từ khóa:" links, tag boxes, rel=tag; else article:tag, keywords, trafilatura's."""
    tags: list[str] = []
    containers = list(page.hints("tags"))
    for b in page.blocks:
        is_label, rest = H.strip_tags_label(b.text)
        if is_label and len(b.text) <= 400:
            containers.append(b.el)
            if not b.links and rest:
                tags.extend(t for t in (clean_line(x) for x in P.LIST_SPLIT.split(rest)) if t)
    after_title = title.pos if title.pos is not None else -1
    containers.extend(
        el
        for el in page.tagged("div", "ul", "p", "section")
        if page.pos.get(el, 0) > after_title and class_has(el, P.TAGSISH)
    )
    for el in containers:
        holder = el if el.find(".//a") is not None else el.getparent()
        if holder is None:
            continue
        for a in holder.iter("a"):
            t = clean_line(a.text_content())
            if t:
                t = t.lstrip("#").strip()
                is_label, _ = H.strip_tags_label(t)
                if t and not is_label and len(t) <= 80:
                    tags.append(t)
        if tags:
            break
    if not tags:
        tags = [
            clean_line(a.text_content()) or ""
            for a in page.tagged("a")
            if "tag" in (a.get("rel") or "").split()
        ]
    if not tags:
        tags = [t for v in page.metas.get("article:tag", []) if (t := clean_line(v))]
    if not tags:
        kw = page.meta("keywords", "news_keywords")
        if not kw and page.ld_article:
            kw = ld_name(page.ld_article.get("keywords"))
        if kw:
            tags = [t for t in (clean_line(x) for x in P.KEYWORD_SPLIT.split(kw)) if t]
    if not tags:
        tags = [t for t in (clean_line(x) for x in main.field("tags") or ()) if t]
    return [t for t in dict.fromkeys(tags) if t and len(t) <= 80]
