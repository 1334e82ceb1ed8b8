"""Bytes -> text for archived pages: declared charsets first, guesses last, legacy fonts flagged.

Order of trust (WHATWG-like, with one repair): a BOM, then the HTTP charset, then ``<meta charset>``;
a page whose bytes are valid UTF-8 is read as UTF-8 even when it declares a single-byte charset
(a common server misconfiguration). When the declared charset leaves many U+FFFD, other
decodings are tried. Undeclared pages go to charset_normalizer. windows-1258 stores tones as
combining marks, so the result is NFC-normalised. Old TCVN3 (".VnTime") and VNI pages are
*font*-encoded: their bytes are Latin-1 gibberish that no codec repairs, so they are flagged,
never silently passed off as text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

#: Share of U+FFFD (per decoded character) above which a declared charset is doubted.
MAX_REPLACEMENT_SHARE = 0.001
#: Sniffing window for <meta charset>, as browsers do.
META_WINDOW = 4096

# ``\s*(?:["']\s*)?``, not ``\s*["']?\s*``: two optional runs of blanks around an optional quote
# split a run of blanks every way (quadratic: a Content-Type of 100,000 spaces took minutes).
# The meta pattern is only applied to the first META_WINDOW bytes.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*(?:["']\s*)?([A-Za-z0-9_.:-]+)""", re.I)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*(?:["']\s*)?([A-Za-z0-9_.:-]+)""", re.I)
#: Labels that browsers read as windows-1252 (WHATWG), and labels Python lacks under that name.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "windows-1258": "cp1258",
    "x-cp1258": "cp1258",
    "unicode": "utf-8",
    "utf8": "utf-8",
}
_SINGLE_BYTE_WESTERN = {"cp1252", "latin-1", "iso8859-15", "cp1258"}

#: Fonts of the pre-Unicode Vietnamese encodings (TCVN3/ABC ".Vn*", VNI "VNI-*", VPS "VPS *").
#: What every name _LEGACY_FONT finds holds ("Vn", "VNI", "VPS").
_LEGACY_HINT = re.compile("V(?:n|NI|PS)")
_LEGACY_FONT = re.compile(r"""\.Vn[A-Z][A-Za-z]*|\bVNI[- ][A-Z][A-Za-z]*|\bVPS\s+[A-Z][a-z]+""")
#: Vietnamese letters that Latin-1 holds; the rest of Latin-1's letters never occur in Vietnamese.
_VI_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
#: Letters only Vietnamese uses (ă đ ơ ư and the precomposed tone letters).
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_VI_ONLY = re.compile(r"[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9]")


@dataclass
class Decoded:
    """Decoded page text, the codec used (None when the input was already text), and flags."""

    text: str
    encoding: str | None
    flags: list[str] = field(default_factory=list)


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when Python has no such codec."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def declared_charsets(data: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """The raw charset labels of the HTTP header and of the page's <meta>."""
    http = None
    if content_type:
        m = _HTTP_CHARSET.search(content_type)
        http = m.group(1) if m else None
    m = _META_CHARSET.search(data[:META_WINDOW])
    meta = m.group(1).decode("ascii", "replace") if m else None
    return http, meta


def _replacements(text: str) -> int:
    return text.count("\ufffd")


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec, errors="replace")
    except (LookupError, ValueError):
        return None


def _utf8(data: bytes) -> str | None:
    """The bytes decoded as UTF-8, or None when they are not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _guess(data: bytes) -> str | None:
    """charset_normalizer's best codec, or None."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data[:200_000]).best()
    return normalize_charset(best.encoding) if best is not None else None


def _vietnamese_score(text: str) -> int:
    """Letters only Vietnamese uses minus U+FFFD: higher means a better Vietnamese decoding."""
    return len(_VI_ONLY.findall(text)) - 4 * _replacements(text)


def decode_html(data: bytes | str, content_type: str | None = None) -> Decoded:
    """Decode a page; the text is NFC. Flags: "encoding-guessed", "replacement-chars"."""
    if isinstance(data, str):
        return Decoded(unicodedata.normalize("NFC", data), None)
    flags: list[str] = []
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            return _finish(text.lstrip("\ufeff"), codec, flags)
    http_label, meta_label = declared_charsets(data, content_type)
    declared = normalize_charset(http_label) or normalize_charset(meta_label)
    if (http_label or meta_label) and declared is None:
        flags.append("unknown-charset")
    utf8 = _utf8(data)
    if (
        declared
        and declared != "utf-8"
        and utf8 is not None
        and not data.isascii()
        and declared in _SINGLE_BYTE_WESTERN
    ):
        # Multi-byte UTF-8 sequences almost never form by chance in single-byte text.
        return _finish(utf8, "utf-8", flags)
    if declared:
        # valid UTF-8 decodes the same with errors="replace": no second decoding
        text = utf8 if declared == "utf-8" and utf8 is not None else _try(data, declared)
        if text is not None and _replacements(text) <= max(2, MAX_REPLACEMENT_SHARE * len(text)):
            return _finish(text, declared, flags)
        # The declaration is wrong: keep whichever candidate reads best.
        candidates = {c for c in ("utf-8", "cp1258", _guess(data)) if c}
        scored = [(c, t) for c in candidates if (t := _try(data, c)) is not None]
        codec, text = max(scored, key=lambda ct: _vietnamese_score(unicodedata.normalize("NFC", ct[1])))
        flags.append("encoding-guessed")
        return _finish(text, codec, flags)
    if utf8 is not None:
        return _finish(utf8, "utf-8", flags)
    codec = _guess(data) or "cp1252"
    flags.append("encoding-guessed")
    return _finish(data.decode(codec, errors="replace"), codec, flags)


def _finish(text: str, codec: str, flags: list[str]) -> Decoded:
    text = unicodedata.normalize("NFC", text)
    if "\ufffd" in text:
        flags.append("replacement-chars")
    return Decoded(text, codec, flags)


def _legacy_font(html: str) -> bool:
    """A legacy Vietnamese font named in the markup; the regex runs only where a name can start.

    One pass of a regex with a literal first letter ("V") rules out most pages before the
    three substring scans.
    """
    return (
        _LEGACY_HINT.search(html) is not None
        and any(mark in html for mark in (".Vn", "VNI", "VPS"))
        and _LEGACY_FONT.search(html) is not None
    )


def looks_font_encoded(visible_text: str, html: str, *, vietnamese: bool) -> bool:
    """True when the page is most likely TCVN3/VNI font-encoded Vietnamese (mojibake to us).

    Evidence: a legacy Vietnamese font in the markup (".VnTime", "VNI-Times") while the text has
    almost none of the letters only Vietnamese uses; or Latin-1 letters that Vietnamese never
    uses (ø ñ ï ö ¸ µ ...) forming a large share of the accented letters, again with almost no
    Vietnamese-only letters, on a page otherwise known to be Vietnamese (``vietnamese``: site
    profile, lang="vi", .vn host), so that German or French pages are never flagged.
    """
    # the regex skips the ASCII letters (most of any page's text) in C
    accented = [ch for ch in _NON_ASCII.findall(visible_text) if ch.isalpha() or 0xA0 <= ord(ch) <= 0xFF]
    if len(accented) < 20:
        return len(accented) > 0 and _legacy_font(html)
    vi_only = len(_VI_ONLY.findall(visible_text))
    if vi_only > 0.2 * len(accented):
        return False
    if _legacy_font(html):
        return True
    if not vietnamese:
        return False
    foreign = sum(1 for ch in accented if 0xA0 <= ord(ch) <= 0xFF and ch not in _VI_LATIN1)
    return foreign >= 0.3 * len(accented)
