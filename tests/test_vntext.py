"""Search folding against a hand-written truth: every Vietnamese letter, đ, and what must not change.

A folded query must match every spelling of a word (README "Search"), so each of the 132 accented
vowels (both cases) and đ must fold to its bare letter, and nothing else may be folded into a letter it is not.
The table is also rebuilt here (``_fold_table()``), not only read from ``FOLD_TABLE``: it is built
at import, and a test that only used the import-time table would not see the builder change.
"""

from __future__ import annotations

import unicodedata

import pytest

from archive import vntext

#: Every Vietnamese vowel with each of its tones, lower case, and the bare letter it folds to.
VOWELS = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậ",
    "e": "eèéẻẽẹêềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợ",
    "u": "uùúủũụưừứửữự",
    "y": "yỳýỷỹỵ",
}


def test_the_vowel_table_is_complete():
    assert sum(len(v) for v in VOWELS.values()) == 72  # 12 vowels (a ă â e ê i o ô ơ u ư y) x 6 tones
    assert len({c for v in VOWELS.values() for c in v}) == 72


@pytest.mark.parametrize("letter", sorted(VOWELS))
def test_every_accented_vowel_folds_to_its_letter_in_both_cases(letter):
    forms = VOWELS[letter]
    assert vntext.fold(forms) == letter * len(forms)
    assert vntext.fold(forms.upper()) == letter * len(forms)
    assert forms.translate(vntext._fold_table()) == letter * len(forms)


def test_d_with_stroke_and_its_lookalikes_fold_to_d():
    assert vntext.fold("Đảng đồng ĐÀ") == "dang dong da"
    assert vntext.fold("ÐðƉɖ") == "dddd"  # Icelandic eth and African D, pasted for đ
    assert "ĐđÐðƉɖ".translate(vntext._fold_table()) == "dddddd"


def test_decomposed_text_and_stray_marks_fold_like_composed_text():
    composed = "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert vntext.fold(unicodedata.normalize("NFD", composed)) == "cong hoa xa hoi chu nghia viet nam"
    assert vntext.fold("a\u0301\u0323 x\u0300") == "a x"  # marks on letters that never carry them
    assert vntext.fold("\u0369") == ""  # the last combining mark folded, U+0369 < U+0370
    assert vntext.fold("\u0370") == "\u0371"  # Greek Heta is a letter: lowercased, kept
    rebuilt = vntext._fold_table()
    assert "x\u0300 x\u0301 x\u036f \u0370".translate(rebuilt) == "x x x \u0370"  # U+0300..U+036F only


@pytest.mark.parametrize(
    "text",
    [
        "0123456789 .,;:!?()[]\"'-–—…“”‘’",  # digits and punctuation, Vietnamese quotes and dashes
        "₫ % № © ® ™",  # signs with no letter inside
        "æ ø ß ł ħ",  # Latin letters with no decomposition: not ours to guess
        "ア 中 한 🇻🇳",  # scripts and emoji beyond the table
        "\u00bf\u00d7\u00f7",  # just below and inside the Latin-1 letters: not letters
    ],
)
def test_what_is_not_a_vietnamese_letter_is_left_alone(text):
    assert vntext.fold(text) == text.lower()


def test_folding_lowercases_and_none_passes_through():
    assert vntext.fold("HÀ NỘI Hà Nội") == "ha noi ha noi"
    assert vntext.fold("") == ""
    assert vntext.fold(None) is None


def test_the_table_covers_exactly_the_code_points_below_u2000():
    table = vntext._fold_table()
    assert len(table) == 0x2000 and table == vntext.FOLD_TABLE
    assert table[ord("A")] == ord("A") and table[ord("Ā")] == "a" and table[0x1FFF] == 0x1FFF
    assert table[0x1EF9] == "y"  # ỹ, the last Vietnamese letter
    assert "\u2000x".translate(table) == "\u2000x"  # past the end: unchanged, no error
    changed = {cp for cp, v in enumerate(table) if v != cp}
    assert set(vntext._fold_map()) == changed
    assert min(changed) == 0xC0  # À, the first precomposed Latin letter


def test_nfc_composes_drops_invisible_characters_and_gives_plain_strings():
    class Smart(str):  # as lxml's attribute and text results
        pass

    assert vntext.nfc("Ha Noi, 2024") == "Ha Noi, 2024"
    assert vntext.nfc("Ha\u200b Noi\u00ad") == "Ha Noi"
    assert vntext.nfc(unicodedata.normalize("NFD", "Hà Nội")) == "Hà Nội"
    assert vntext.nfc("Hà\ufeff Nội") == "Hà Nội"
    for text in (Smart("Ha Noi"), Smart("Hà Nội")):
        out = vntext.nfc(text)
        assert type(out) is str and out == text
    assert vntext.nfc(None) is None
