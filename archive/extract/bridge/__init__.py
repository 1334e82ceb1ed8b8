"""The one door to trafilatura's and htmldate's internals.

trafilatura finds the main text; its metadata readers are our rules' last resort, read one
field at a time and only when asked; htmldate's markup-only search is the dating's last resort.
Everything the extractor takes from those libraries goes through here (this package: text.py
runs trafilatura's main-text reading and author search), so that a library upgrade is checked
in one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from functools import partial

import trafilatura
from htmldate import find_date
from lxml.etree import _Element
from trafilatura import load_html
from trafilatura.metadata import (
    examine_meta,
    extract_catstags,
    extract_meta_json,
    extract_title,
)
from trafilatura.settings import Document
from trafilatura.utils import line_processing

from archive.extract.bridge.text import _CONFIG, _DATE_PARAMS, PageNames, author, main_text, page_names

__all__ = ["_CONFIG", "_DATE_PARAMS", "main_text"]

VERSION: str = trafilatura.__version__

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


def _author(root: _Element) -> str | None:
    return author(root, page_names(root))


TRAFILATURA_FIELDS: dict[str, Callable[[_Element], str | list[str] | None]] = {
    "title": extract_title,
    "author": _author,
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


def trafilatura_field(
    root: _Element, name: str, meta_tags: Document, names: PageNames | None = None
) -> str | list[str] | None:
    """``getattr(extract_metadata(root), name)`` for one of TRAFILATURA_FIELDS, without the rest.

    ``extract_metadata``'s steps for that field only: ``meta_tags`` (trafilatura_meta_tags),
    else the field's own markup search; strings trimmed as ``Document.clean_and_trim`` does.
    No date, URL, site name or licence: we never use trafilatura's. ``names``: the page's
    ``page_names(root)``, if known (the author search reads them).
    """
    value = getattr(meta_tags, name) or (
        author(root, names) if name == "author" and names is not None else TRAFILATURA_FIELDS[name](root)
    )
    if isinstance(value, str):
        doc = Document()
        setattr(doc, name, value)
        doc.clean_and_trim()
        value = getattr(doc, name)
    return value


#: The scripts trafilatura's JSON-LD reading (``extract_meta_json``) reads, by their exact type.
_JSON_SCRIPT_TYPES = ("application/ld+json", "application/settings+json")


def json_may_name_category(scripts: Sequence[_Element]) -> bool:
    """Whether ``trafilatura_meta_tags`` could find a category among the page's ``scripts``.

    Its meta tags name none (``examine_meta`` sets no category); its JSON-LD reading takes one
    from an "articleSection" key only, in a script's text as written, or after the rewrites of
    ``normalize_json``: escapes unescaped (only in a text holding a backslash) and tags
    stripped (a "<"); the minifying drops spaces outside quoted strings only, where the key is.
    """
    for script in scripts:
        if script.get("type") in _JSON_SCRIPT_TYPES:
            text = script.text
            if text and ("articleSection" in text or "\\" in text or "<" in text):
                return True
    return False


class MainText:
    """trafilatura's reading of one page: its main text, and its metadata fields on demand.

    Given our tree (it works on a copy) when its own parse of the text would give the same
    one, which saves a parse. ``fast``: no comparison with readability and jusText, which cost
    a fifth of the call for no better body. No metadata in the main call: our own rules find
    title, date, author, category and tags; trafilatura's are a last resort (``field``).
    """

    def __init__(
        self,
        root: _Element,
        html_text: str,
        url: str,
        names: tuple[set[str], set[str]] | None = None,
        scripts: Sequence[_Element] | None = None,
    ) -> None:
        ours = parses_like_trafilatura(html_text)
        self._input: _Element | str = root if ours else html_text
        # the id and class values of our tree (``names``: ids and classes, if known), read once
        # for the main text and the author search
        self._names = page_names(root, names) if ours else None
        #: Our tree's <script> elements below the root (``root.iter("script")``), if known.
        self._scripts = scripts if ours else None
        try:
            text = main_text(self._input, url, self._names)
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
            if (
                name == "categories"
                and self._tags is None
                and self._scripts is not None
                and not json_may_name_category(self._scripts)
            ):
                # trafilatura's meta tags hold no category then: its markup search alone
                self._fields[name] = TRAFILATURA_FIELDS[name](self._tree)
            else:
                if self._tags is None:
                    self._tags = trafilatura_meta_tags(self._tree)
                self._fields[name] = trafilatura_field(self._tree, name, self._tags, self._names)
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
