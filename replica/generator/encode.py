"""The ``encoding`` and ``classless`` axes: the same page as other bytes, or without class and id.

windows-1258 stores most tones as combining marks after a base letter; Python's cp1258 codec
encodes only what the code page holds, so each character is tried whole, then as its base letter
(â, ơ, ư... precomposed) followed by its combining tone mark.
"""

from __future__ import annotations

import re
import unicodedata

#: Axis value -> the charset label written in the page's meta and its Content-Type.
CHARSETS = {"utf8-nfc": "utf-8", "utf8-nfd": "utf-8", "cp1258": "windows-1258"}
#: The five Vietnamese tone marks, which windows-1258 keeps as combining characters.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_CLASS_ID = re.compile(r"""\s(?:class|id)=(?:"[^"<>]*"|'[^'<>]*')""")


def strip_class_id(html: str) -> str:
    """Every ``class`` and ``id`` attribute removed (the generator writes them all quoted)."""
    return _CLASS_ID.sub("", html)


def _cp1258_char(c: str) -> bytes:
    try:
        return c.encode("cp1258")
    except UnicodeEncodeError:
        pass
    d = unicodedata.normalize("NFD", c)
    base = unicodedata.normalize("NFC", "".join(x for x in d if x not in _TONES))
    tones = "".join(x for x in d if x in _TONES)
    try:
        return base.encode("cp1258") + tones.encode("cp1258")
    except UnicodeEncodeError:
        return d.encode("cp1258", errors="xmlcharrefreplace")


def to_cp1258(text: str) -> bytes:
    """windows-1258 bytes for NFC text: precomposed where the code page has it, combining tones otherwise."""
    return b"".join(_cp1258_char(c) for c in text)


def encode(html: str, axis: str) -> bytes:
    """The page's bytes for one ``encoding`` axis value."""
    if axis == "utf8-nfd":
        return unicodedata.normalize("NFD", html).encode("utf-8")
    if axis == "cp1258":
        return to_cp1258(html)
    return html.encode("utf-8")
