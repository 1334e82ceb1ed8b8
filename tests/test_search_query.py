"""What a typed search becomes, and which searches are refused or run apart, without a server.

test_search.py checks searches end to end in Datasette; these pin the pieces that decide them:
the FTS5 text built from what a researcher typed (exact or folded, phrases, prefixes,
operators), the bounds that refuse a search (check_query), the wide-prefix test that sends a
search to the slow lane (is_wide) and escape_fts() as SQL calls it. Expected values are written
by hand from the rules in archive/search.py's docstrings.
"""

from __future__ import annotations

import unicodedata

import pytest

from archive import search
from archive.search import QueryError, build_fts_query, check_query, is_wide, sql_escape_fts

FOLD = "{title_fold lead_fold text_fold}"
EXACT = "{title lead text}"


@pytest.fixture(autouse=True)
def fresh_builder():
    """Short searches are cached: each test sees the builder, not an answer an earlier test cached."""
    search._build_cached.cache_clear()


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("typed", "fts"),
    [
        # no accents: one folded phrase, spaces squeezed, case folded
        ("Van  Hoa", f'({FOLD} : "van hoa")'),
        # one accented word among plain ones is a pasted word: matched loosely
        ("Đảng cong san", f'({FOLD} : "dang cong san")'),
        # half the words accented is enough ("công an": "an" has no accent to carry)
        ("công an", f'({EXACT} : ("công an" OR "{nfd("công an")}"))'),
        # numbers are not words without accents
        ("Đảng 2024", f'({EXACT} : ("Đảng 2024" OR "{nfd("Đảng 2024")}"))'),
        # both tone placements, each in NFC and NFD
        (
            "hòa bình",
            f'({EXACT} : ("hòa bình" OR "{nfd("hòa bình")}" OR "hoà bình" OR "{nfd("hoà bình")}"))',
        ),
        # the same for uy: thủy -> thuỷ
        (
            "thủy điện",
            f'({EXACT} : ("thủy điện" OR "{nfd("thủy điện")}" OR "thuỷ điện" OR "{nfd("thuỷ điện")}"))',
        ),
        # digits alone carry no accent: folded, like any phrase typed without
        ("2024", f'({FOLD} : "2024")'),
        # a trailing * makes the phrase a prefix search
        ("SAX*", f'({FOLD} : "sax" *)'),
        ("tuyen truy*", f'({FOLD} : "tuyen truy" *)'),
        ("tuyên truy*", f'({EXACT} : ("tuyên truy" * OR "{nfd("tuyên truy")}" *))'),
        # quotes (straight, curly, or left open) cut phrases; words around them are phrases of their own
        ('a "b c" d', f'({FOLD} : "a") AND ({FOLD} : "b c") AND ({FOLD} : "d")'),
        ("“b c”", f'({FOLD} : "b c")'),
        ('"b c', f'({FOLD} : "b c")'),
        ('"b c"*', f'({FOLD} : "b c" *)'),
        # punctuation inside a phrase is the tokenizer's to split
        ('"05-CT/TW"', f'({FOLD} : "05-ct/tw")'),
        # operators in capitals between phrases only; in lower case they are words
        ("a OR b", f'({FOLD} : "a") OR ({FOLD} : "b")'),
        ("a NOT b", f'({FOLD} : "a") NOT ({FOLD} : "b")'),
        ("a AND OR b", f'({FOLD} : "a") AND ({FOLD} : "b")'),
        ("NOT a OR", f'({FOLD} : "a")'),
        ("a and b", f'({FOLD} : "a and b")'),
        # nothing to search for
        ("", '""'),
        (None, '""'),
        ('"" * ,', '""'),
    ],
)
def test_what_a_typed_search_becomes(typed, fts):
    assert build_fts_query(typed) == fts


def test_a_search_over_the_length_bound_is_built_too_but_not_cached():
    """escape_fts() in custom SQL is bounded elsewhere; the builder itself takes any length."""
    typed = "a " * 150
    assert build_fts_query(typed) == f'({FOLD} : "{typed.strip()}")'


@pytest.mark.parametrize(
    "accepted",
    [
        "a" * 200,
        " ".join(f"w{i}" for i in range(12)),
        " AND ".join(f"w{i}" for i in range(12)),  # operators are not words
        "văn* hóa*",
        "ab*",
        '"tuyên truyền"* nghị*',
        "*",  # a star alone prefixes nothing
    ],
)
def test_searches_within_the_bounds_are_accepted(accepted):
    check_query(accepted)  # raises QueryError otherwise


@pytest.mark.parametrize(
    ("refused", "message"),
    [
        ("a" * 201, "search too long: 201 characters (at most 200)"),
        (" ".join(f"w{i}" for i in range(13)), "search has 13 words (at most 12)"),
        ('"w1 w2 w3 w4 w5 w6 w7" w8 w9 w10 w11 w12 w13', "search has 13 words (at most 12)"),
        ("w0 AND " + " ".join(f"w{i}" for i in range(1, 13)), "search has 13 words (at most 12)"),
        ("văn* hóa* xã*", "search has 3 prefix words ending in * (at most 2)"),
        ("“văn”* “hóa”* “xã”*", "search has 3 prefix words ending in * (at most 2)"),
        ("a*", "prefix a* too short: a prefix needs at least 2 letters"),
        ('"văn h"*', "prefix h* too short: a prefix needs at least 2 letters"),
    ],
)
def test_searches_over_the_bounds_are_refused_saying_why(refused, message):
    with pytest.raises(QueryError) as raised:
        check_query(refused)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("query", "wide"),
    [
        ("ng*", True),
        ("ngh*", True),
        ("nghi*", False),  # four letters: within the ordinary lane
        ("ng* văn hóa", True),
        ('"tuyên tr"*', True),
        ('"tr tuyên"*', False),  # the prefix is the phrase's last word
        ("văn hóa", False),
        ("ng", False),
        ("a" * 196 + " ng*", True),  # the longest search accepted is read to its end
    ],
)
def test_a_short_prefix_makes_a_search_wide(query, wide):
    assert is_wide(query) is wide


def test_escape_fts_as_sql_calls_it():
    assert sql_escape_fts(None) == '""'
    assert sql_escape_fts("Van Hoa") == f'({FOLD} : "van hoa")'
    assert sql_escape_fts("a" * 200) == f'({FOLD} : "{"a" * 200}")'
    with pytest.raises(QueryError, match=r"^escape_fts\(\) takes text$"):
        sql_escape_fts(5)
    with pytest.raises(QueryError, match=r"^escape_fts\(\): argument of 201 characters \(at most 200\)$"):
        sql_escape_fts("a" * 201)
