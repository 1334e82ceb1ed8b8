"""Page structure for the extractor: text blocks in reading order, class names, metadata, links.

The Vietnamese rules decide by position (before or after the title, inside or outside the page
chrome), so the page is flattened once into blocks: the runs of inline text a reader sees as
one line or paragraph, each tied to its element, in document order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import ParserError, _Comment, _Element, _ProcessingInstruction

from archive.vntext import clean_line

INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "b",
        "bdi",
        "bdo",
        "big",
        "br",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "kbd",
        "label",
        "mark",
        "nobr",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
        "ins",
        "del",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "select",
        "option",
        "button",
        "head",
        "meta",
        "link",
        "input",
        "textarea",
        "canvas",
        "video",
        "audio",
        "source",
        "map",
    ]
)
#: Ancestor tags that belong to the page chrome rather than to the article.
CHROME_TAGS = frozenset({"header", "nav", "footer", "aside", "form", "menu"})
#: Words of class/id names of chrome containers ("bt-topbar", "site-header", "main_menu"):
#: hints only, consulted where position already says "maybe chrome".
CHROME_WORDS = frozenset(
    ["header", "topbar", "navbar", "nav", "menu", "mainmenu", "megamenu", "banner", "masthead"]
    + ["sidebar", "side", "aside", "footer", "toolbar"]
)
_WORD_SPLIT = re.compile(r"[-_\s]+")
_TOKEN_SPLIT = re.compile(r"[\s]+")


@dataclass(slots=True)
class Block:
    """One visual line or paragraph: the element holding it and its inline text."""

    el: _Element
    text: str
    index: int
    link_chars: int = 0
    links: list[_Element] = field(default_factory=list)
    times: list[_Element] = field(default_factory=list)
    emphasised: bool = False
    #: Share of the text inside links (menus and teaser lists are ~1.0); every finder reads it.
    link_share: float = field(init=False)

    def __post_init__(self) -> None:
        self.link_share = self.link_chars / max(1, len(self.text))


class _Collector:
    """Accumulates the inline content of one block element."""

    __slots__ = ("parts", "link_chars", "links", "times", "plain_chars", "emph_chars")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.link_chars = 0
        self.links: list[_Element] = []
        self.times: list[_Element] = []
        self.plain_chars = 0
        self.emph_chars = 0


def _inline(el: _Element, col: _Collector, in_link: bool, emph: bool) -> None:
    tag = el.tag
    if tag.__class__ is not str:
        tag = ""
    elif tag in SKIP_TAGS:
        return
    if tag == "br":
        col.parts.append("\n")
        return
    if tag == "a":
        col.links.append(el)
        in_link = True
    elif tag == "time":
        col.times.append(el)
    emph = emph or tag in _EMPHASIS
    text = el.text
    if text:
        _add(col, text, in_link, emph)
    for child in el:
        if not isinstance(child, _NOT_ELEMENTS):
            _inline(child, col, in_link, emph)
        tail = child.tail
        if tail:
            _add(col, tail, in_link, emph)


_EMPHASIS = frozenset({"b", "strong", "em", "i"})
_NOT_ELEMENTS = (_Comment, _ProcessingInstruction)


def _add(col: _Collector, text: str, in_link: bool, emph: bool) -> None:
    col.parts.append(text)
    if text.isspace():  # the indentation between elements: nothing to count (str.strip's whitespace)
        return
    n = len(text.strip())
    if in_link:
        col.link_chars += n
    if emph:
        col.emph_chars += n
    else:
        col.plain_chars += n


def _emit(blocks: list[Block], el: _Element, col: _Collector) -> None:
    if not (col.plain_chars or col.emph_chars):
        return  # only whitespace (most runs: the indentation between block elements)
    text = clean_line("".join(col.parts).replace("\n", " "))
    if not text:
        return
    emphasised = col.emph_chars > 0 and col.plain_chars == 0
    blocks.append(Block(el, text, len(blocks), col.link_chars, col.links, col.times, emphasised))


def _has_block(el: _Element) -> bool:
    for d in el.iterdescendants():
        tag = d.tag
        if tag.__class__ is str and tag not in INLINE_TAGS and tag not in SKIP_TAGS:
            return True
    return False


def walk_blocks(root: _Element) -> list[Block]:
    """The page's blocks in document order; recursion is safe since libxml2 caps depth at 256."""
    blocks: list[Block] = []
    body = root.find("body")
    _walk(body if body is not None else root, blocks)
    return blocks


#: Inline tags that page layouts use as boxes ("<span class=story_date>", "<span class=story_headline>").
_LAYOUT_INLINE = frozenset({"span", "time", "label", "small", "font"})


def _layout_spans(el: _Element) -> bool:
    """Whether ``el`` holds side-by-side spans with no loose text: each span is then its own line.

    Spans are laid out when named (a class) or when they sit between block siblings, as a
    date span and a headline span under a breadcrumb do on pages without class names.
    """
    if (el.text or "").strip() or len(el) < 2:
        return False
    spans = named = 0
    mixed = False
    for child in el:
        if (child.tail or "").strip():
            return False
        tag = child.tag
        if tag.__class__ is not str:
            tag = ""
        if tag in _LAYOUT_INLINE:
            spans += 1
            named += bool(child.get("class"))
        elif tag in INLINE_TAGS:
            if tag not in ("br", "img"):
                return False
        elif tag and tag not in SKIP_TAGS:
            mixed = True
    return spans >= 2 and (mixed or named == spans)


def _walk(el: _Element, blocks: list[Block]) -> None:
    # The run of inline content being collected; None until it has a part that is not whitespace
    # (whitespace before the first one would be stripped from the block's text anyway), so that
    # the containers of other blocks make no collector.
    col: _Collector | None = None
    text = el.text
    if text and not text.isspace():
        col = _Collector()
        _add(col, text, False, False)
    layout: bool | None = None  # whether el lays out its spans: read at its first span
    for child in el:
        ctag = child.tag
        if ctag.__class__ is str and ctag not in SKIP_TAGS:
            inline = ctag in INLINE_TAGS
            if inline and ctag in _LAYOUT_INLINE:
                if layout is None:
                    layout = _layout_spans(el)
                inline = not layout
            if inline and not (len(child) and _has_block(child)):
                if col is None:
                    col = _Collector()
                _inline(child, col, False, False)
            else:
                if col is not None:
                    if col.plain_chars or col.emph_chars:
                        _emit(blocks, el, col)
                    col = None  # the block keeps the lists it was given
                _walk(child, blocks)
        tail = child.tail
        if tail:  # _add(col, tail, False, False), inline: most tails are the indentation
            if col is not None:
                col.parts.append(tail)
                if not tail.isspace():
                    col.plain_chars += len(tail.strip())
            elif not tail.isspace():
                col = _Collector()
                col.parts.append(tail)
                col.plain_chars += len(tail.strip())
    if col is not None and (col.plain_chars or col.emph_chars):  # _emit's own first test
        _emit(blocks, el, col)


def class_has(el: _Element, pattern: re.Pattern[str]) -> bool:
    """Whether a class/id token of ``el`` matches ``pattern``."""
    names = _names(el)
    if names is None:
        return False
    memo = _MATCHES.get(pattern)
    if memo is None:
        memo = _MATCHES[pattern] = {}
    found = memo.get(names)
    if found is None:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        found = memo[names] = any(pattern.search(t) for t in _TOKEN_SPLIT.split(names.lower()) if t)
    return found


def _chrome_named(el: _Element) -> bool:
    """Whether a word of the element's class and id names is a chrome word ("bt-topbar__links" -> topbar)."""
    names = _names(el)
    if names is None:
        return False
    found = _CHROME_NAMED.get(names)
    if found is None:
        if len(_CHROME_NAMED) >= MEMO_SIZE:
            _CHROME_NAMED.clear()
        found = _CHROME_NAMED[names] = any(w in CHROME_WORDS for w in _WORD_SPLIT.split(names.lower()))
    return found


def _names(el: _Element) -> str | None:
    """The element's class and id as one string (what both questions split into names); None without."""
    names = _page_names.get(el, _UNREAD)
    if names is not _UNREAD:
        return names
    return names_of(el.get("class"), el.get("id"))


def names_of(cls: str | None, id_: str | None) -> str | None:
    """``_names`` of an element whose class and id are ``cls`` and ``id_``."""
    if not cls and not id_:
        return None
    return f"{cls or ''} {id_ or ''}"


#: ``_names`` of every element of the page being extracted, read by ``index_page`` in its pass
#: over the elements (``use_page_names``): the finders ask about the same elements hundreds of
#: times a page. An element not in it (another page's, a fragment's) has its attributes read.
_page_names: dict[_Element, str | None] = {}
_UNREAD = object()


def use_page_names(names: dict[_Element, str | None]) -> None:
    """Look up ``_names`` of these elements in ``names`` (an empty dict: read them again)."""
    global _page_names
    _page_names = names


# Memos of the two questions above, on the names string: a page repeats its few class names over
# hundreds of elements, and every finder asks about them again. Plain dicts of str -> bool, which
# the garbage collector never tracks (a long-running worker's full collections walk every object
# a cache holds); emptied when one grows past MEMO_SIZE.
MEMO_SIZE = 4096
_MATCHES: dict[re.Pattern[str], dict[str, bool]] = {}
_CHROME_NAMED: dict[str, bool] = {}


def clear_memos() -> None:
    """Empty the class/id memos (a benchmark timing a page's cost with nothing remembered)."""
    _MATCHES.clear()
    _CHROME_NAMED.clear()


def ancestors_until(el: _Element, stop_set: set[_Element]) -> Iterator[_Element]:
    """``el`` and its ancestors up to (excluding) the first one in ``stop_set``."""
    node: _Element | None = el
    while node is not None and node not in stop_set:
        yield node
        node = node.getparent()


def in_chrome(el: _Element, stop_set: set[_Element]) -> bool:
    """Whether ``el`` sits in header/nav/footer/aside/form chrome below the ``stop_set`` ancestors."""
    for anc in ancestors_until(el, stop_set):
        tag = anc.tag
        if tag.__class__ is not str:
            tag = ""
        if tag in CHROME_TAGS or _chrome_named(anc):
            # An HTML5 <header>/<footer> of an <article> or <main> is the article's own.
            if tag in ("header", "footer") and has_ancestor(anc, frozenset({"article", "main"})):
                continue
            return True
    return False


def has_ancestor(el: _Element, tags: frozenset[str] | set[str]) -> bool:
    """Whether ``el`` or an ancestor has one of ``tags``."""
    node: _Element | None = el
    while node is not None:
        if node.tag in tags:
            return True
        node = node.getparent()
    return False


def common_ancestor(a: _Element, b: _Element) -> _Element | None:
    """The lowest element containing both."""
    seen = set()
    node: _Element | None = a
    while node is not None:
        seen.add(node)
        node = node.getparent()
    node = b
    while node is not None:
        if node in seen:
            return node
        node = node.getparent()
    return None


def text_of(el: _Element) -> str:
    """All visible text under ``el``, cleaned."""
    parts = []
    for node in el.iter():
        tag = node.tag  # lxml makes a new string at every read
        if tag.__class__ is str:
            if tag in SKIP_TAGS:  # neither its text nor its tail (nor el's own text)
                continue
            text = node.text
            if text:
                parts.append(text)
        if node is not el:
            tail = node.tail
            if tail:
                parts.append(tail)
    return clean_line(" ".join(parts)) or ""


def absolute(href: str | None, base: str) -> str | None:
    """An absolute http(s) URL for ``href`` resolved against ``base``; None for other schemes."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        out = urljoin(base, href)
    except ValueError:
        return None
    if urlsplit(out).scheme not in ("http", "https"):
        return None
    return out


def meta_map(metas: Iterable[_Element]) -> dict[str, list[str]]:
    """<meta name|property|itemprop=... content=...> values by lowercased key, of the page's
    ``<meta>`` elements (in document order)."""
    out: dict[str, list[str]] = {}
    for m in metas:
        content = m.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            k = m.get(attr)
            if k:
                out.setdefault(k.strip().lower(), []).append(content)
    return out


def parse_fragment(markup: str) -> _Element | None:
    """Parse an HTML fragment (e.g. an article body from JSON) into a document tree."""
    try:
        return lxml_html.document_fromstring(f"<html><body><div>{markup}</div></body></html>")
    except (ValueError, TypeError, ParserError):
        return None
