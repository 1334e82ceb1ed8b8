"""Every pattern the extractor runs over page text finishes in linear time on hostile input.

A page is untrusted text: a <title> of 20,000 newlines or a heading followed by a megabyte of
spaces must cost what its length costs. Each check runs on 100 KB built to make a backtracking
pattern retry from every character; the time bound is generous (a quadratic pattern takes
minutes on these inputs, a linear one milliseconds).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from archive import dates, heuristics, vntext
from archive.extract import extract
from archive.extract import patterns as P
from archive.extract.related import section_name
from archive.extract.title import title_parts

N = 100_000
BOUND_S = 2.0
HOSTILE = {
    "newlines": "a" + "\n" * N + "a",
    "spaces-then-word": " " * N + "x",
    "colons-and-spaces": ": " * (N // 2) + "x",
    "dots": "." * N + "x",
    "dashes": "- " * (N // 2) + "x",
    "pipes": "|" * N + "x",
    "digits-and-spaces": "1 " * (N // 2) + "x",
    "word": "a" * N,
    "word-dashes": "tag-" * (N // 4),
    "data-uri": "data:" * (N // 5),
    "parentheses": "(a)" + " " * N + "x",
    "vietnamese": "Nguồn: " + "ệ " * (N // 2) + ")",
    "theo": "Theo " + "a " * (N // 2) + "x.",
}


def _timed(fn: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    fn(text)
    return time.perf_counter() - started


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, value) for name, value in vars(P).items() if isinstance(value, re.Pattern)]


@pytest.mark.parametrize(("name", "pattern"), _patterns(), ids=[n for n, _ in _patterns()])
def test_every_extractor_pattern_is_linear(name: str, pattern: re.Pattern[str]) -> None:
    for kind, text in HOSTILE.items():
        assert _timed(pattern.search, text) < BOUND_S, (name, kind)
        assert _timed(pattern.split, text) < BOUND_S, (name, kind)


TEXT_FUNCTIONS: dict[str, Callable[[str], object]] = {
    "heuristics.key": heuristics.key,
    "heuristics.is_end_heading": heuristics.is_end_heading,
    "heuristics.is_footer_line": heuristics.is_footer_line,
    "heuristics.is_widget_line": heuristics.is_widget_line,
    "heuristics.is_home_crumb": heuristics.is_home_crumb,
    "heuristics.source_of": heuristics.source_of,
    "heuristics.theo_source": heuristics.theo_source,
    "heuristics.strip_tags_label": heuristics.strip_tags_label,
    "heuristics.strip_author_label": heuristics.strip_author_label,
    "heuristics.category_label": heuristics.category_label,
    "heuristics.looks_like_byline": heuristics.looks_like_byline,
    "heuristics.looks_not_found": heuristics.looks_not_found,
    "heuristics.count_sentences": heuristics.count_sentences,
    "dates.parse_vn_date": dates.parse_vn_date,
    "dates.parse_iso": dates.parse_iso,
    "dates.split_updated": dates.split_updated,
    "vntext.clean_line": vntext.clean_line,
    "vntext.normalize_text": vntext.normalize_text,
    "title_parts": title_parts,
    "section_name": section_name,
}


@pytest.mark.parametrize("name", sorted(TEXT_FUNCTIONS))
def test_every_text_rule_is_linear(name: str) -> None:
    fn = TEXT_FUNCTIONS[name]
    for kind, text in HOSTILE.items():
        assert _timed(fn, text) < BOUND_S, kind


def test_a_title_of_newlines_is_cheap() -> None:
    """20,000 newlines in <title> took 13 s when the title split retried from each one."""
    page = f"<html><head><title>Tin{chr(10) * 20_000}| Báo</title></head><body><h1>Tin</h1><p>x</p></body></html>"
    assert _timed(lambda html: extract(html, "https://example.vn/a"), page) < BOUND_S
