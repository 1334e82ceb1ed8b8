"""Vietnamese text forms: the archive stores NFC as published; search folds.

Stored text keeps the publisher's spelling (NFC only). Normalising tone placement and folding
diacritics are for search columns and queries, never for the archived text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import overload

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LOOKALIKE_D = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u0189": "\u0110"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
#: With two spaces in a row, what _SPACES would change (most lines have neither).
_ODD_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def nfc(text: str | None) -> str | None:
    """NFC with invisible characters removed; the form every stored text field takes."""
    if text is None:
        return None
    # Extraction cleans every line of a page: skip what is already done (most text), and a
    # regex finds the rare invisible character faster than str.translate walks every one.
    # ASCII (known without reading the string) is NFC and holds no invisible character. A str
    # subclass (lxml's "smart" strings keep their element alive) still becomes a plain str.
    if text.isascii() and type(text) is str:
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _INVISIBLE.sub("", text)


def clean_line(text: str | None) -> str | None:
    """NFC, spaces (NBSP included) collapsed, trimmed; None when nothing is left."""
    if text is None:
        return None
    text = nfc(text)
    if "  " in text or _ODD_SPACES.search(text):
        text = _SPACES.sub(" ", text)
    return text.strip() or None


# Tone marks as combining characters, and the vowels of the oa/oe/uy nuclei they move between.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_NEW_STYLE = re.compile(r"(?<![qQ])([oO][aAeE]|[uU][yY])([" + _TONES + r"])(?![a-zA-Z\u0300-\u036f])")


def normalize_tones(text: str) -> str:
    """Move the tone of a syllable-final oa/oe/uy to the traditional vowel (hoá -> hóa).

    Both placements are in use; folding them to one lets a query typed either way match. The
    pattern runs on NFD, where the tone is a separate mark after its vowel; "qu" + y is left
    alone (quý).
    """
    decomposed = unicodedata.normalize("NFD", text)
    moved = _NEW_STYLE.sub(lambda m: m.group(1)[0] + m.group(2) + m.group(1)[1], decomposed)
    return unicodedata.normalize("NFC", moved)


def normalize_text(text: str | None) -> str | None:
    """The single form used for searching: NFC, Đ lookalikes mapped, tones placed traditionally."""
    if text is None:
        return None
    return normalize_tones(nfc(text).translate(_LOOKALIKE_D))


def _fold_map() -> dict[int, str | None]:
    """What folding changes: diacritics stripped from any precomposed Latin letter, đ -> d."""
    table: dict[int, str | None] = dict.fromkeys(range(0x300, 0x370))  # stray combining marks
    for cp in range(0xC0, 0x2000):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii():
            table[cp] = base.lower()
    for ch in "ĐđÐðƉɖ":
        table[ord(ch)] = "d"
    return table


def _fold_table() -> list[int | str | None]:
    """_fold_map as a ``str.translate`` table with an entry for every code point below U+2000.

    A dict holding only the changes makes ``translate`` raise and catch a LookupError for every
    other character (most of them); a list indexed by code point is 2x faster. Characters past
    its end still map to themselves (an IndexError is a LookupError).
    """
    table: list[int | str | None] = list(range(0x2000))
    for cp, value in _fold_map().items():
        table[cp] = value
    return table


FOLD_TABLE = _fold_table()


@overload
def fold(text: str) -> str: ...
@overload
def fold(text: None) -> None: ...
def fold(text: str | None) -> str | None:
    """Lowercase with every diacritic removed and đ -> d: "Đảng Cộng sản" -> "dang cong san".

    NFC first, then one ``str.translate``: the crawl folds every article it stores, extraction
    compares thousands of lines.
    """
    if text is None:
        return None
    return nfc(text).lower().translate(FOLD_TABLE)


def rstrip_marks(text: str, marks: str) -> str:
    """``text`` without trailing whitespace or ``marks``: ``[\\s<marks>]+$`` in linear time.

    The regex form retries from every character of a long run that is not at the end (a
    heading followed by thousands of spaces), which is quadratic.
    """
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] in marks):
        end -= 1
    return text[:end]
