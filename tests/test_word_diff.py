"""The word-marked diff a researcher reads (``vnarchive diff``, the article page's diff view).

Every expectation is written by hand from the two texts: which words were deleted, which were
inserted, and how the runs read (``[-old words-]{+new words+}``, as ``git diff --word-diff``).
"""

from __future__ import annotations

import pytest

from archive.history import word_changes, word_diff_text, word_segments

OLD = {
    "version": 1,
    "captured_at": "2024-01-01T00:00:00Z",
    "change_kind": None,
    "title": "Hội nghị tổng kết",
    "lead": "Sapo cũ.",
    "author": "Trọng Đạt",
    "tags": '["Quận 1", "văn hóa"]',
    "text": "Đoạn một.\nĐoạn 3 hết.\nĐoạn cuối.",
}


@pytest.mark.parametrize(
    ("old", "new", "segments"),
    [
        # one word replaced inside a sentence
        (
            "Đoạn 3 hết.",
            "Đoạn ba hết.",
            [("equal", "Đoạn "), ("delete", "3"), ("insert", "ba"), ("equal", " hết.")],
        ),
        # a lone space between two changes joins them: [-a b-]{+x y+}, not [-a-]{+x+} [-b-]{+y+}
        ("a b", "x y", [("delete", "a b"), ("insert", "x y")]),
        # punctuation between two changes is not a space: it stays as it was
        (
            "a, b",
            "x, y",
            [("delete", "a"), ("insert", "x"), ("equal", ", "), ("delete", "b"), ("insert", "y")],
        ),
        # a space first or last is not between two changes
        (" a", " b", [("equal", " "), ("delete", "a"), ("insert", "b")]),
        ("a ", "b ", [("delete", "a"), ("insert", "b"), ("equal", " ")]),
        # pure insertions and deletions; nothing empty is left in
        ("a", "a b", [("equal", "a"), ("insert", " b")]),
        ("a b", "a", [("equal", "a"), ("delete", " b")]),
        ("", "x", [("insert", "x")]),
        ("same words", "same words", [("equal", "same words")]),
        # deletions gather before insertions over a whole run
        (
            "giữ một hai ba giữ",
            "giữ bốn năm sáu giữ",
            [("equal", "giữ "), ("delete", "một hai ba"), ("insert", "bốn năm sáu"), ("equal", " giữ")],
        ),
    ],
)
def test_word_segments(old, new, segments):
    assert word_segments(old, new) == segments


def test_word_changes_align_paragraphs_before_words():
    """An added paragraph is one insertion, not a rewrite of the paragraphs after it; equal
    paragraphs and unchanged fields are left out; fields come in reading order."""
    new = {
        **OLD,
        "title": "Hội nghị sơ kết",
        "tags": ["Quận 1", "văn hóa"],  # the same tags, as a list instead of JSON text
        "text": "Đoạn mới.\nĐoạn một.\nĐoạn ba hết.\nĐoạn cuối.",
    }
    assert word_changes(OLD, new) == [
        {
            "field": "title",
            "paragraphs": [[("equal", "Hội nghị "), ("delete", "tổng"), ("insert", "sơ"), ("equal", " kết")]],
        },
        {
            "field": "text",
            "paragraphs": [
                [("insert", "Đoạn mới.")],
                [("equal", "Đoạn "), ("delete", "3"), ("insert", "ba"), ("equal", " hết.")],
            ],
        },
    ]


def test_word_changes_of_removed_and_merged_paragraphs():
    removed = {**OLD, "text": "Đoạn một.\nĐoạn cuối."}
    assert word_changes(OLD, removed) == [{"field": "text", "paragraphs": [[("delete", "Đoạn 3 hết.")]]}]
    # two paragraphs became one: compared as one block, the line break is a deleted token
    merged = {**OLD, "text": "Đoạn một và 3 hết.\nĐoạn cuối."}
    assert word_changes(OLD, merged) == [
        {
            "field": "text",
            "paragraphs": [
                [
                    ("equal", "Đoạn một"),
                    ("delete", ".\nĐoạn"),
                    ("insert", " và"),
                    ("equal", " 3 hết."),
                ]
            ],
        }
    ]


def test_word_changes_of_a_field_set_and_cleared():
    added = {**OLD, "lead": None, "author": None}
    assert word_changes(OLD, added) == [
        {"field": "lead", "paragraphs": [[("delete", "Sapo cũ.")]]},
        {"field": "author", "paragraphs": [[("delete", "Trọng Đạt")]]},
    ]
    assert word_changes(OLD, dict(OLD)) == []


def test_word_diff_text_is_the_header_then_each_field_marked():
    new = {
        **OLD,
        "version": 2,
        "captured_at": "2024-02-01T00:00:00Z",
        "change_kind": "substantive",
        "lead": "Sapo mới.",
        "text": "Đoạn một.\nĐoạn ba hết.\nĐoạn cuối.\nĐoạn thêm.",
    }
    assert word_diff_text(OLD, new) == "\n".join(
        [
            "--- version 1 (captured 2024-01-01T00:00:00Z)",
            "+++ version 2 (captured 2024-02-01T00:00:00Z, substantive)",
            "@@ lead @@",
            "Sapo [-cũ-]{+mới+}.",
            "@@ text @@",
            "Đoạn [-3-]{+ba+} hết.",
            "{+Đoạn thêm.+}",
        ]
    )
    assert word_diff_text(OLD, dict(OLD)) == ""


def test_a_lone_space_next_to_the_first_or_the_last_change_joins_them_too():
    # [-a-] [+y+]: the space is the second of three runs
    assert word_segments("a ", " y") == [("delete", "a "), ("insert", " y")]
    # [-a-]{+x+} {+y+}: the space is the last run but one
    assert word_segments("a ", "x y") == [("delete", "a "), ("insert", "x y")]
    # after an equal run and a single change: its neighbours are what count, not the run before
    assert word_segments("k.a ", "k. y") == [("equal", "k."), ("delete", "a "), ("insert", " y")]
    # a changed word that reads "equal" is a word like any other
    assert word_segments("equal ", " y") == [("delete", "equal "), ("insert", " y")]
    assert word_segments("a ", " equal") == [("delete", "a "), ("insert", " equal")]


def test_a_long_refrain_still_marks_only_the_changed_word():
    """One word changed in the middle of a long repeated phrase (a slogan, a list): the words
    after it are still equal. Every token there is "popular", which difflib's autojunk would
    refuse as an anchor, marking the whole rest of the paragraph as rewritten."""
    old, new = "x " + "a " * 100 + "y " + "a " * 100, "x " + "a " * 100 + "w " + "a " * 100
    assert word_segments(old, new) == [
        ("equal", "x " + "a " * 100),
        ("delete", "y"),
        ("insert", "w"),
        ("equal", " " + "a " * 100),
    ]


def test_many_equal_separator_paragraphs_do_not_hide_the_changed_one():
    """One paragraph changed between 200 "***" separator lines: one change, not the 101
    paragraphs after the first that autojunk would count as replaced."""
    separators = ["***"] * 100
    old = {**OLD, "text": "\n".join(["Mở đầu.", *separators, "Đoạn cũ.", *separators])}
    new = {**OLD, "text": "\n".join(["Mở đầu.", *separators, "Đoạn mới.", *separators])}
    assert word_changes(old, new) == [
        {
            "field": "text",
            "paragraphs": [[("equal", "Đoạn "), ("delete", "cũ"), ("insert", "mới"), ("equal", ".")]],
        }
    ]


def test_two_replaced_paragraphs_are_compared_one_to_one():
    """After an equal first paragraph, two paragraphs replaced by two: each against its own."""
    new = {**OLD, "text": "Đoạn một.\nĐoạn ba hết.\nĐoạn chót."}
    assert word_changes(OLD, new) == [
        {
            "field": "text",
            "paragraphs": [
                [("equal", "Đoạn "), ("delete", "3"), ("insert", "ba"), ("equal", " hết.")],
                [("equal", "Đoạn "), ("delete", "cuối"), ("insert", "chót"), ("equal", ".")],
            ],
        }
    ]


def test_paragraphs_replaced_by_more_paragraphs_keep_their_line_breaks():
    new = {**OLD, "text": "Đoạn một.\nA.\nB.\nC."}
    assert word_changes(OLD, new) == [
        {
            "field": "text",
            # compared as one block, token by token: ".\n" after the first paragraph still matches
            "paragraphs": [
                [
                    ("delete", "Đoạn 3 hết"),
                    ("insert", "A"),
                    ("equal", ".\n"),
                    ("delete", "Đoạn cuối"),
                    ("insert", "B"),
                    ("equal", "."),
                    ("insert", "\nC."),
                ]
            ],
        }
    ]
