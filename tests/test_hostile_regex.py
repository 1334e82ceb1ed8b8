"""Regex safety: every pattern in our scope that reads untrusted text finishes on 100 KB of
adversarial input (the entry points that apply them, and the compiled patterns themselves).

Generous bounds; bench/regex_safety.py prints the times at 1 MB. The extractor's modules
(archive/extract/, heuristics, vntext, dates) are covered by their owner's tests, except
heuristics._PAREN_TAIL (bylines), which was quadratic on runs of blanks.
"""

from __future__ import annotations

import sys
import time

import pytest

from tests.crawling import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import regex_safety  # noqa: E402

SIZE = 100_000
OURS = (
    "crawler.", "archive.search", "archive.encoding", "archive.profiles", "archive.urls",
    "archive.heuristics._PAREN_TAIL", "archive.datasette_plugins.vnpragma",
)  # fmt: skip


def our_patterns():
    return [(name, p) for name, p in regex_safety.compiled_patterns() if name.startswith(OURS)]


@pytest.mark.parametrize(("name", "pattern"), our_patterns(), ids=lambda v: v if isinstance(v, str) else "")
def test_compiled_pattern_is_linear_on_adversarial_input(name, pattern):
    size = regex_safety.BOUNDED.get(name, SIZE)
    for label, text in regex_safety.adversarial_inputs(pattern, size):
        subject = text if isinstance(pattern.pattern, str) else text.encode("utf-8")
        start = time.monotonic()
        pattern.findall(subject)
        assert time.monotonic() - start < 2.0, (name, label)


@pytest.mark.parametrize("entry", regex_safety.entry_point_calls(SIZE), ids=lambda e: e[0])
def test_entry_point_finishes_on_adversarial_input(entry):
    """Before: robots_sitemaps (blank lines) and a Content-Type of blanks took minutes at this size."""
    name, call = entry
    start = time.monotonic()
    call()
    assert time.monotonic() - start < 5.0, name
