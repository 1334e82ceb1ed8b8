"""trafilatura's main-text reading and author search, run with less work than trafilatura does.

trafilatura's steps for our options (``bare_extraction`` and ``trafilatura_sequence`` with
``fast`` and no comments; ``extract_author``), less what cannot change their result: a tree
copied for a comparison that ``fast`` never runs, a copy of the whole page pruned to read a few
elements, and EXSLT regexes that lxml runs by calling Python at every element of the page
(NameTests). The same text and author as trafilatura's own calls: tests/test_extract_bridge_text.py
holds them equal. Part of the bridge: only archive.extract.bridge imports it.
"""

from __future__ import annotations

import re
from contextlib import suppress
from copy import copy, deepcopy

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
from trafilatura.json_metadata import normalize_authors
from trafilatura.main_extractor import extract_content
from trafilatura.metadata import extract_author
from trafilatura.settings import BASIC_CLEAN_XPATH, DEFAULT_CONFIG, Extractor
from trafilatura.utils import trim
from trafilatura.xml import delete_element, xmltotxt
from trafilatura.xpaths import (
    AUTHOR_DISCARD_XPATHS,
    AUTHOR_XPATHS,
    RAW_TREE_PRUNE_XPATH,
    REMOVE_COMMENTS_AND_LISTS_XPATH,
)

# trafilatura's defaults, with htmldate's extensive (body-text) search off: it picks header
# and related-list dates (research/vietnamese.md §5). A private copy: the global stays untouched.
_CONFIG = deepcopy(DEFAULT_CONFIG)
_CONFIG["DEFAULT"]["EXTENSIVE_DATE_SEARCH"] = "off"
_DATE_PARAMS = {"original_date": True, "extensive_search": False}

#: An EXSLT regex test on an element's id or class, as trafilatura's expressions write them.
_NAME_TEST = re.compile(r"re:test\((@id|@class), '([^']*)'(?:, '([a-z]*)')?\)")
_ANY_NAME_TEST = r"(?:re:test\(@(?:id|class), '[^']*'(?:, '[a-z]*')?\)|contains\(@(?:id|class), '[^']*'\))"
#: An expression (or one alternative of a union) that selects only elements passing one of the
#: name tests of a predicate (``.//*[self::div or self::section][re:test(@id, '…') or
#: contains(@class, '…')]…``, or ``.//*[re:test(@class, '…') or …]``).
_GATED = re.compile(
    rf"\.//\*(?:\[self::\w+(?: or self::\w+)*\])?\[ ?({_ANY_NAME_TEST}(?: or {_ANY_NAME_TEST})*) ?\]"
)
_GATE_TEST = re.compile(r"(re:test|contains)\(@(id|class), '([^']*)'(?:, '([a-z]*)')?\)")
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
    same elements without a call out of C. An expression, or an alternative of a union, that
    selects only elements passing a name test (its ``gate``) is left out on a page where no
    value passes one. A page with a value holding OPEN or CLOSE gets the original expression.
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
        self.alternatives = _alternatives(text)
        originals = _alternatives(xpath.path)
        if len(originals) != len(self.alternatives):  # pragma: no cover - the rewrite adds no "|"
            originals = [xpath.path]
            self.alternatives = [text]
        self.gates = [_gate(alternative) for alternative in originals]
        self._unions: dict[tuple[int, ...], XPath] = {}

    @property
    def gate(self) -> list[tuple[str, re.Pattern[str]]] | None:
        """The gate of an expression that is not a union (None: it selects by other means too)."""
        return self.gates[0] if len(self.gates) == 1 else None

    def __call__(self, tree: _Element, names: PageNames | None) -> list[_Element]:
        """What the original expression selects in ``tree``, whose id and class values are ``names``."""
        if names is None:
            return self.original(tree)
        kept = tuple(
            i
            for i, gate in enumerate(self.gates)
            if gate is None or any(names.passing(attr, regex) for attr, regex in gate)
        )
        if not kept:
            return []
        variables = {var: names.passing(attr, regex) for var, attr, regex in self.tests}
        if len(kept) == len(self.gates):
            return self.xpath(tree, **variables)
        union = self._unions.get(kept)
        if union is None:
            union = XPath(
                "|".join(self.alternatives[i] for i in kept),
                namespaces={"re": "http://exslt.org/regular-expressions"},
            )
            self._unions[kept] = union
        return union(tree, **variables)


def _alternatives(path: str) -> list[str]:
    """The top-level alternatives of an XPath union (``a|b[@x|@y]`` -> ``a``, ``b[@x|@y]``)."""
    out, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(path):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(path[start:i])
            start = i + 1
    out.append(path[start:])
    return out


def _gate(alternative: str) -> list[tuple[str, re.Pattern[str]]] | None:
    """The name tests one of which an element must pass to be selected by ``alternative``, if so."""
    gated = _GATED.match(" ".join(alternative.split()))
    if not gated:
        return None
    return [
        (m.group(2), _name_regex(m.group(1), m.group(3), m.group(4)))
        for m in _GATE_TEST.finditer(gated.group(1))
    ]


class PageNames:
    """The id and class values of a page, and which of them pass each regex (each decided once)."""

    def __init__(self, ids: set[str], classes: set[str]) -> None:
        self.values = {"id": ids, "class": classes}
        self._passing: dict[tuple[str, re.Pattern[str]], str] = {}

    def passing(self, attr: str, regex: re.Pattern[str]) -> str:
        """The values of ``attr`` that ``regex`` finds something in, each as OPEN value CLOSE.

        "" stands for the elements without the attribute (the EXSLT test reads it as "").
        """
        key = (attr, regex)
        found = self._passing.get(key)
        if found is None:
            values = self.values[attr]
            found = "".join(f"{_OPEN}{v}{_CLOSE}" for v in values if regex.search(v))
            if "" not in values and regex.search(""):
                found += _OPEN + _CLOSE
            self._passing[key] = found
        return found


def page_names(tree: _Element, known: tuple[set[str], set[str]] | None = None) -> PageNames | None:
    """The id and class values of a page, what NameTests reads; None if one holds OPEN or CLOSE.

    ``//@id`` and ``//@class``, read in one walk of the page (libxml2's XPath takes longer), or
    ``known``: those values (ids, classes) as the page index read them.
    """
    ids: set[str] = set()
    classes: set[str] = set()
    if known is not None:
        ids, classes = known
    else:
        for el in tree.iter():
            value = el.get("id")
            if value is not None:
                ids.add(value)
            value = el.get("class")
            if value is not None:
                classes.add(value)
    joined = "".join(ids) + "".join(classes)
    if _OPEN in joined or _CLOSE in joined:
        return None
    return PageNames(ids, classes)


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


def main_text(given: _Element | str, url: str, names: PageNames | None = None) -> str | None:
    """``bare_extraction(given, url=url, **main_options)``'s text; None when it returns None.

    trafilatura 2.3's steps for those options (``bare_extraction``, ``trafilatura_sequence``),
    less work that cannot change the text: the tree kept for the comparison with readability
    and jusText, which ``fast`` never runs; the copy of our tree when the prune expressions
    select nothing in it (every later step copies what it changes); the EXSLT regexes of the
    prune expressions and of the page-text measure, decided once per id and class value
    (NameTests). tests/test_extract_bridge_text.py holds it equal to ``bare_extraction``.
    ``names``: ``page_names(given)``, if known (read from the page again otherwise).
    """
    options = main_options(url)
    try:
        tree = load_html(given)
        if tree is None:
            return None
        ours = tree is given
        if names is None or not ours:
            names = page_names(tree)
        body, text = _sequence(tree, options, options.url or None, names, ours=ours)
        if len(text) < options.min_output_size and options.min_output_comm_size > 0:
            return None
    except (TypeError, ValueError):
        return None
    return xmltotxt(body, options.formatting)


def _cleaned(tree: _Element, options: Extractor, url: str | None) -> _Element:
    """trafilatura's ``_prepare_tree`` without its backup copy (read only by the comparison)."""
    return convert_tags(tree_cleaning(copy(tree), options), options, url)


def _sequence(
    tree: _Element, options: Extractor, url: str | None, names: PageNames | None, *, ours: bool
) -> tuple[_Element, str]:
    """``trafilatura_sequence`` for our options (balanced focus, fast, no comments).

    ``ours``: ``tree`` is our page's, to be left as it was: pruned only as a copy.
    """
    is_forum = _forum_thread_page(tree)
    pruned, steps = tree, []
    if any(expression(tree, names) for expression in _RAW_PRUNE):
        if ours:
            tree = copy(tree)
        _prune(tree, _RAW_PRUNE, names)
        if not is_forum:
            _prune(tree, _COMMENTS_PRUNE, names)
    elif not is_forum and not ours:  # the comments prune reads the tree the raw prune left: this one
        _prune(tree, _COMMENTS_PRUNE, names)
    elif not is_forum:
        pruned, steps = _prune_copy(tree, _COMMENTS_PRUNE, names)
    # a copy of our tree pruned for this reading is cleaned as it is (_cleaned copies it again)
    first = (
        convert_tags(tree_cleaning(pruned, options), options, url) if steps else _cleaned(tree, options, url)
    )
    body, text = extract_content(first, options)
    if steps and (len(text) < options.min_extracted_size or 0 < len(text) < ESCALATION_MAX_LENGTH):
        tree = _replayed(tree, steps)  # the pruned tree again, for the steps below, which read it
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


def _prune(tree: _Element, expressions: list[NameTests], names: PageNames | None) -> None:
    """``prune_unwanted_nodes(tree, expressions)``: the elements go, their tails stay."""
    for expression in expressions:
        for element in expression(tree, names):
            delete_element(element)


def _prune_copy(
    tree: _Element, expressions: list[NameTests], names: PageNames | None
) -> tuple[_Element, list[list[int]]]:
    """``_prune(tree, expressions)`` on a copy of our tree, made only when an expression selects
    something (each evaluated once): the pruned tree (``tree`` when nothing is selected), and the
    deleted elements' positions in the tree at each step, from which ``_replayed`` remakes it."""
    steps: list[list[int]] = []
    for expression in expressions:
        selected = expression(tree, names)
        if not selected:
            continue
        wanted = set(selected)
        where = {el: i for i, el in enumerate(tree.iter()) if el in wanted}
        positions = [where[el] for el in selected]
        if not steps:
            tree = copy(tree)
            elements = list(tree.iter())
            selected = [elements[i] for i in positions]
        steps.append(positions)
        for element in selected:
            delete_element(element)
    return tree, steps


def _replayed(tree: _Element, steps: list[list[int]]) -> _Element:
    """A copy of ``tree`` pruned as ``_prune_copy`` pruned its copy."""
    clone = copy(tree)
    for positions in steps:
        elements = list(clone.iter())
        for i in positions:
            delete_element(elements[i])
    return clone


def _page_text_length(tree: _Element, names: PageNames | None) -> int:
    """``len(html2txt(tree))``: the page's text, which the recall retry compares the reading with."""
    clone = copy(tree)
    body = clone.find(".//body")
    if body is None:
        body = clone
    for elem in _BASIC_CLEAN(body, names):
        delete_element(elem)
    return len(_spaced_text(body))


_AUTHOR_DISCARD = NameTests(AUTHOR_DISCARD_XPATHS[0])
_AUTHOR_DISCARD_TAGS = AUTHOR_DISCARD_XPATHS[1]  # //time|//figure
_AUTHOR = [NameTests(x) for x in AUTHOR_XPATHS]
#: The author length trafilatura accepts (extract_author's ``len_limit``).
_AUTHOR_MAX = 120


def author(tree: _Element, names: PageNames | None) -> str | None:
    """``extract_author(tree)``: trafilatura's author search, without its copy of the page.

    trafilatura prunes a copy of the whole page (comments, sidebars, dates, figures: its
    AUTHOR_DISCARD_XPATHS) and reads the first element its AUTHOR_XPATHS select there. Those
    expressions test an element's own tag and attributes only, so the elements they select in
    the pruned copy are those they select in the page outside a pruned element; only a
    candidate holding a pruned element is copied (alone) and pruned to read its text. A page
    with a ``<rel>`` element (AUTHOR_XPATHS test ``rel='me'``, a child's text) gets
    trafilatura's own search.
    """
    if names is None or tree.find(".//rel") is not None:
        return extract_author(tree)
    dropped = set(_AUTHOR_DISCARD(tree, names))
    dropped.update(_AUTHOR_DISCARD_TAGS(tree))
    for expression in _AUTHOR:
        for el in expression(tree, names):
            if el in dropped or any(a in dropped for a in el.iterancestors()):
                continue
            content = trim(" ".join(_pruned(el, dropped).itertext()))
            if content and 2 < len(content) < _AUTHOR_MAX:
                return normalize_authors(None, content)
    return None


def _pruned(el: _Element, dropped: set[_Element]) -> _Element:
    """``el`` as it reads in trafilatura's pruned copy: a pruned copy of it if it holds a pruned element."""
    if not any(d in dropped for d in el.iterdescendants()):
        return el
    clone = copy(el)
    for expression in (_AUTHOR_DISCARD.original, _AUTHOR_DISCARD_TAGS):
        for d in expression(clone):
            delete_element(d)
    return clone
