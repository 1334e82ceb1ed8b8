"""The one door to trafilatura's and htmldate's internals.

trafilatura finds the main text; its metadata readers are our rules' last resort, read one
field at a time and only when asked; htmldate's markup-only search is the dating's last resort.
Everything the extractor takes from those libraries goes through here, so that a library
upgrade is checked in one module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from copy import copy, deepcopy
from functools import partial

import trafilatura
from htmldate import find_date
from lxml.etree import XPath, _Element
from trafilatura import load_html
from trafilatura.baseline import _spaced_text, baseline
from trafilatura.core import (
    ESCALATION_ACCEPT_RATIO,
    ESCALATION_MAX_LENGTH,
    ESCALATION_PAGE_SHARE,
    _forum_thread_page,
)
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_title,
)
from trafilatura.settings import BASIC_CLEAN_XPATH, DEFAULT_CONFIG, Document, Extractor
from trafilatura.utils import line_processing
from trafilatura.xml import delete_element, xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

VERSION: str = trafilatura.__version__

# trafilatura's defaults, with htmldate's extensive (body-text) search off: it picks header
# and related-list dates (research/vietnamese.md §5). A private copy: the global stays untouched.
_CONFIG = deepcopy(DEFAULT_CONFIG)
_CONFIG["DEFAULT"]["EXTENSIVE_DATE_SEARCH"] = "off"
_DATE_PARAMS = {"original_date": True, "extensive_search": False}

#: A document that trafilatura.utils.load_html parses as we do: it opens with <html> (after a
#: doctype), names "html" early (else it is "dubious"), has no control characters for it to
#: remove and no self-closing <html/> for it to repair.
_PLAIN_DOCUMENT = re.compile(r"\A\s*(?:<!doctype[^>]*>\s*)?<html[\s>]", re.I)
#: Characters trafilatura removes from a text before parsing it (``[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]``),
#: looked for one at a time (str.find): a character class costs a test at every character of the page.
_XML_INVALID = tuple(map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))


def parses_like_trafilatura(text: str) -> bool:
    """Whether trafilatura, given ``text``, would parse the same tree as ours (else it gets the text)."""
    if not _PLAIN_DOCUMENT.match(text) or "html" not in text[:50].lower():
        return False
    if any(ch in text for ch in _XML_INVALID):
        return False
    # trafilatura rewrites a first line holding "<html" and ending in "/>"
    return not any("<html" in line.lower() and line.endswith("/>") for line in text[:4096].splitlines()[:4])


#: An EXSLT regex test on an element's id or class, as trafilatura's expressions write them.
_NAME_TEST = re.compile(r"re:test\((@id|@class), '([^']*)'(?:, '([a-z]*)')?\)")
_ANY_NAME_TEST = r"(?:re:test\(@(?:id|class), '[^']*'(?:, '[a-z]*')?\)|contains\(@(?:id|class), '[^']*'\))"
#: An expression that selects only elements passing one of the name tests of its second step
#: (``.//*[self::div or self::section][re:test(@id, '…') or contains(@class, '…')]…``).
_GATED = re.compile(
    rf"\.//\*\[self::\w+(?: or self::\w+)*\]\[ ?({_ANY_NAME_TEST}(?: or {_ANY_NAME_TEST})*) ?\]"
)
_GATE_TEST = re.compile(r"(re:test|contains)\(@(id|class), '([^']*)'(?:, '([a-z]*)')?\)")
_IDS = XPath("//@id", smart_strings=False)
_CLASSES = XPath("//@class", smart_strings=False)
#: Open and close each value a test passes in the one XPath string variable that lists them
#: (private-use characters).
_OPEN, _CLOSE = "\ue000", "\ue001"


def _name_regex(function: str, pattern: str, flags: str | None) -> re.Pattern[str]:
    """The Python regex an EXSLT ``re:test`` runs (lxml calls re.search), or ``contains`` means."""
    if function == "contains":
        return re.compile(re.escape(pattern))
    return re.compile(pattern, re.IGNORECASE if "i" in (flags or "") else 0)


class NameTests:
    """One of trafilatura's expressions that select elements by EXSLT regexes on id or class.

    lxml runs each such test by calling Python's ``re.search`` at every element it reaches, on
    every page. The regexes read only id and class values, and a page has few distinct ones:
    here each test is decided once per value, and the expression lxml runs looks the
    attribute up in the values that pass (a string variable, ``contains($n0, concat(OPEN,
    @id, CLOSE))``; a missing attribute reads as "", as in the EXSLT test), which selects the
    same elements without a call out of C. An expression that selects only elements passing
    a name test (``gate``) is not run at all on a page where no value passes one. A page
    with a value holding OPEN or CLOSE gets the original expression.
    """

    def __init__(self, xpath: XPath) -> None:
        self.original = xpath
        self.tests: list[tuple[str, str, re.Pattern[str]]] = []
        text = xpath.path
        for i, m in enumerate(_NAME_TEST.finditer(xpath.path)):
            self.tests.append((f"n{i}", m.group(1)[1:], _name_regex("re:test", m.group(2), m.group(3))))
            text = text.replace(
                m.group(0), f"contains($n{i}, concat('{_OPEN}', {m.group(1)}, '{_CLOSE}'))", 1
            )
        self.xpath = XPath(text, namespaces={"re": "http://exslt.org/regular-expressions"})
        gated = _GATED.match(" ".join(xpath.path.split()))
        self.gate = (
            [
                (m.group(2), _name_regex(m.group(1), m.group(3), m.group(4)))
                for m in _GATE_TEST.finditer(gated.group(1))
            ]
            if gated
            else None
        )

    def __call__(self, tree: _Element, names: dict[str, set[str]] | None) -> list[_Element]:
        """What the original expression selects in ``tree``, whose id and class values are ``names``."""
        if names is None:
            return self.original(tree)
        if self.gate is not None and not any(
            regex.search(v) for attr, regex in self.gate for v in names[attr] | {""}
        ):
            return []
        passing = {
            var: "".join(f"{_OPEN}{v}{_CLOSE}" for v in names[attr] | {""} if regex.search(v))
            for var, attr, regex in self.tests
        }
        return self.xpath(tree, **passing)


def page_names(tree: _Element) -> dict[str, set[str]] | None:
    """The id and class values of a page, what NameTests reads; None if one holds OPEN or CLOSE."""
    names = {"id": set(_IDS(tree)), "class": set(_CLASSES(tree))}
    if any(_OPEN in v or _CLOSE in v for values in names.values() for v in values):
        return None
    return names


_RAW_PRUNE = [NameTests(x) for x in RAW_TREE_PRUNE_XPATH]
_COMMENTS_PRUNE = [NameTests(x) for x in REMOVE_COMMENTS_AND_LISTS_XPATH]
_BASIC_CLEAN = NameTests(BASIC_CLEAN_XPATH)


def main_options(url: str) -> Extractor:
    """The options of our call: trafilatura's defaults with ``fast``, no comments, our config."""
    return Extractor(
        config=_CONFIG,
        output_format="python",
        fast=True,
        comments=False,
        tables=True,
        images=False,
        links=False,
        url=url,
        date_params=_DATE_PARAMS,
    )


def main_text(given: _Element | str, url: str) -> str | None:
    """``bare_extraction(given, url=url, **main_options)``'s text; None when it returns None.

    trafilatura 2.3's steps for those options (``bare_extraction``, ``trafilatura_sequence``),
    less work that cannot change the text: the tree kept for the comparison with readability
    and jusText, which ``fast`` never runs; the EXSLT regexes of the prune expressions and of
    the page-text measure, decided once per id and class value (NameTests).
    tests/test_extract_bridge.py holds it equal to ``bare_extraction``.
    """
    options = main_options(url)
    try:
        tree = load_html(given)
        if tree is None:
            return None
        names = page_names(tree)
        if tree is given:
            tree = copy(tree)  # pruned below: our tree stays as it was
        body, text = _sequence(tree, options, options.url or None, names)
        if len(text) < options.min_output_size and options.min_output_comm_size > 0:
            return None
    except (TypeError, ValueError):
        return None
    return xmltotxt(body, options.formatting)


def _cleaned(tree: _Element, options: Extractor, url: str | None) -> _Element:
    """trafilatura's ``_prepare_tree`` without its backup copy (read only by the comparison)."""
    return convert_tags(tree_cleaning(copy(tree), options), options, url)


def _sequence(
    tree: _Element, options: Extractor, url: str | None, names: dict[str, set[str]] | None
) -> tuple[_Element, str]:
    """``trafilatura_sequence`` for our options (balanced focus, fast, no comments)."""
    is_forum = _forum_thread_page(tree)
    _prune(tree, _RAW_PRUNE, names)
    if not is_forum:
        _prune(tree, _COMMENTS_PRUNE, names)
    body, text = extract_content(_cleaned(tree, options, url), options)
    if len(text) < options.min_extracted_size:  # rescue: the baseline, if it finds more
        b_body, b_text, b_len = baseline(tree)
        if b_len > len(text):
            body, text = b_body, b_text
    if 0 < len(text) < ESCALATION_MAX_LENGTH and len(text) < ESCALATION_PAGE_SHARE * _page_text_length(
        tree, names
    ):
        r_options = copy(options)
        r_options.focus = "recall"
        r_text = ""
        with suppress(Exception):  # as trafilatura: a failed retry keeps the first reading
            r_body, r_text = extract_content(_cleaned(tree, r_options, url), r_options)
        if len(r_text) >= options.min_extracted_size and len(r_text) > ESCALATION_ACCEPT_RATIO * len(text):
            body, text = r_body, r_text
    return body, text


def _prune(tree: _Element, expressions: list[NameTests], names: dict[str, set[str]] | None) -> None:
    """``prune_unwanted_nodes(tree, expressions)``: the elements go, their tails stay."""
    for expression in expressions:
        for element in expression(tree, names):
            delete_element(element)


def _page_text_length(tree: _Element, names: dict[str, set[str]] | None) -> int:
    """``len(html2txt(tree))``: the page's text, which the recall retry compares the reading with."""
    clone = copy(tree)
    body = clone.find(".//body")
    if body is None:
        body = clone
    for elem in _BASIC_CLEAN(body, names):
        delete_element(elem)
    return len(_spaced_text(body))


#: The links ``extract_catstags`` keeps from its markup searches: an href naming the type.
_CATSTAGS_HREF = {
    "category": re.compile("/categor(?:y|ies|s)?/"),
    "tag": re.compile("/tag(?:y|ies|s)?/"),
}
_SECTION_META = './/head//meta[@property="article:section" or contains(@name, "subject")][@content]'


def catstags(metatype: str, root: _Element) -> list[str]:
    """``extract_catstags(metatype, root)``, its markup searches skipped when they cannot find anything.

    Those searches (EXSLT regexes over every div of the page) keep only links whose href names
    the type ("/category/", "/tags/"): on a page with no such link their result is empty, and
    what remains is the category's meta-tag fallback, read here the way trafilatura reads it.
    """
    href = _CATSTAGS_HREF[metatype]
    if any(href.search(a.get("href") or "") for a in root.iter("a")):
        return extract_catstags(metatype, root)
    if metatype != "category":
        return []
    found = (el.get("content") for el in root.xpath(_SECTION_META))
    return [r for r in dict.fromkeys(line_processing(x) for x in found if x) if r]


TRAFILATURA_FIELDS: dict[str, Callable[[_Element], str | list[str] | None]] = {
    "title": extract_title,
    "author": extract_author,
    "categories": partial(catstags, "category"),
    "tags": partial(catstags, "tag"),
}


def trafilatura_meta_tags(root: _Element) -> Document:
    """What trafilatura's metadata reads first: meta tags, then JSON-LD over them (its steps)."""
    doc = examine_meta(root)
    if doc.author and " " not in doc.author:
        doc.author = None
    with suppress(Exception):  # as extract_metadata: bugs in trafilatura's JSON-LD reader
        doc = extract_meta_json(root, doc)
    return doc


def trafilatura_field(root: _Element, name: str, meta_tags: Document) -> str | list[str] | None:
    """``getattr(extract_metadata(root), name)`` for one of TRAFILATURA_FIELDS, without the rest.

    ``extract_metadata``'s steps for that field only: ``meta_tags`` (trafilatura_meta_tags),
    else the field's own markup search; strings trimmed as ``Document.clean_and_trim`` does.
    No date, URL, site name or licence: we never use trafilatura's.
    """
    value = getattr(meta_tags, name) or TRAFILATURA_FIELDS[name](root)
    if isinstance(value, str):
        doc = Document()
        setattr(doc, name, value)
        doc.clean_and_trim()
        value = getattr(doc, name)
    return value


class MainText:
    """trafilatura's reading of one page: its main text, and its metadata fields on demand.

    Given our tree (it works on a copy) when its own parse of the text would give the same
    one, which saves a parse. ``fast``: no comparison with readability and jusText, which cost
    a fifth of the call for no better body. No metadata in the main call: our own rules find
    title, date, author, category and tags; trafilatura's are a last resort (``field``).
    """

    def __init__(self, root: _Element, html_text: str, url: str) -> None:
        self._input: _Element | str = root if parses_like_trafilatura(html_text) else html_text
        try:
            text = main_text(self._input, url)
        except (ValueError, TypeError, AttributeError, RecursionError):
            text = None
        self.found = text is not None
        self.text: str = text or ""
        self._tree: _Element | None = None
        self._tags: Document | None = None
        self._fields: dict[str, str | list[str] | None] = {}

    def field(self, name: str) -> str | list[str] | None:
        """One field of trafilatura's metadata ("title", "author", "categories", "tags").

        The value ``extract_metadata`` gives on the tree trafilatura read (tests/test_extract.py
        holds them equal), but only the field asked for is computed: most pages never need
        one. None when trafilatura found no main text, as when it read text and metadata in
        one call.
        """
        if not self.found:
            return None
        if name not in self._fields:
            if self._tree is None:
                given = self._input
                self._tree = load_html(given) if isinstance(given, str) else given
                self._tags = trafilatura_meta_tags(self._tree)
            self._fields[name] = trafilatura_field(self._tree, name, self._tags)
        return self._fields[name]


def htmldate_markup(root: _Element) -> str | None:
    """htmldate on markup only (no body-text search): an ISO timestamp string, or None.

    Given our tree itself: htmldate prunes a copy of a tree it is given, never the tree.
    """
    try:
        return find_date(
            root,
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%dT%H:%M:%S%z",
        )
    except (ValueError, TypeError, AttributeError):
        return None
