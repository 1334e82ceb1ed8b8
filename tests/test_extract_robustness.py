"""extract() on bad and odd input, byte decoding, and is_article(): never an exception, always a record."""

from __future__ import annotations

import codecs
import time
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest

from archive.encoding import decode_html, looks_font_encoded
from archive.extract import extract, is_article

VN = timezone(timedelta(hours=7))
NOW = datetime(2024, 5, 23, 9, 0, tzinfo=VN)
SENTENCE = (
    "Ban Thường vụ Tỉnh ủy đã chỉ đạo các cấp ủy đảng triển khai nghị quyết đến toàn thể cán bộ, đảng viên."
)
ARTICLE = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tiêu đề bài viết về hóa học và khoá học</title></head>
<body><h1>Tiêu đề bài viết về hóa học và khoá học</h1><p class="date">14/09/2022 10:10</p>
<div class="content"><p>{SENTENCE} Văn hoá và văn hóa cùng xuất hiện, thuỷ lợi và thủy lợi cũng vậy.</p>
<p>{SENTENCE}</p><p>{SENTENCE} Công tác tuyên truyền được đẩy mạnh trong toàn tỉnh.</p></div></body></html>"""


@pytest.mark.parametrize(
    ("data", "flag"),
    [
        (b"", "empty"),
        ("", "empty"),
        (b"   \n\t ", "empty"),
        (None, "empty"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not-html"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not-html"),
        (b"\x00\x01\x02\x03" * 300, "not-html"),
        (b"just some plain text without any markup at all", "not-html"),
        (12345, "not-html"),
    ],
)
def test_unusable_input_gives_an_empty_flagged_record(data: object, flag: str) -> None:
    rec = extract(data, "https://tuyengiao.vn/x-1234", now=NOW)  # type: ignore[arg-type]
    assert flag in rec["flags"]
    assert rec["title"] is None and rec["text"] == "" and rec["tags"] == [] and rec["images"] == []
    assert not is_article(rec)


def test_content_type_that_is_not_html() -> None:
    rec = extract(ARTICLE.encode(), "https://example.vn/a.pdf", content_type="application/pdf", now=NOW)
    assert "not-html" in rec["flags"]


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body><p>unclosed <b>bold <i>italic</body>",
        "<<<>>><html><<body>>",
        "<html>" + "<div>" * 5000 + "sâu" + "</div>" * 10 + "</html>",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>xml declaration</p></body></html>",
        "<html><head><script type='application/ld+json'>{not json</script></head><body><p>x</p></body></html>",
        "<html><body><script id='__NEXT_DATA__' type='application/json'>[[[</script></body></html>",
        "<html><body><time datetime='garbage'>hôm nay</time><img src='javascript:alert(1)'></body></html>",
        "<html><head><base href='::::'></head><body><a href='http://[bad'>x</a></body></html>",
    ],
)
def test_malformed_html_never_raises(markup: str) -> None:
    rec = extract(markup, "https://example.vn/a", now=NOW)
    assert "extraction-error" not in rec["flags"]
    assert isinstance(rec["flags"], list)


def test_huge_input_is_cut_down_and_fast_enough() -> None:
    junk = "<script>var x = '" + "a" * 1000 + "';</script>\n"
    page = ARTICLE.replace("</body>", junk * 25_000 + "</body>")  # ~25 MB of scripts after the article
    started = time.perf_counter()
    rec = extract(page.encode(), "https://example.vn/a-1", now=NOW)
    assert time.perf_counter() - started < 10
    assert "truncated" in rec["flags"]
    assert is_article(rec) and SENTENCE in rec["text"]


def test_oversized_markup_is_truncated() -> None:
    filler = ("<div class='x'><p>" + SENTENCE + "</p></div>\n") * 25_000  # ~3.5 million characters
    rec = extract(ARTICLE.replace("</body>", filler + "</body>"), "https://example.vn/a-1", now=NOW)
    assert "truncated" in rec["flags"]
    assert rec["title"] == "Tiêu đề bài viết về hóa học và khoá học"


def test_text_is_nfc_and_keeps_tone_placement() -> None:
    rec = extract(unicodedata.normalize("NFD", ARTICLE), "https://example.vn/a-1", now=NOW)
    for field in ("title", "text"):
        assert rec[field] == unicodedata.normalize("NFC", rec[field])
    assert "Văn hoá và văn hóa" in rec["text"] and "thuỷ lợi và thủy lợi" in rec["text"]
    assert rec["title"] == "Tiêu đề bài viết về hóa học và khoá học"
    assert is_article(rec)
    assert rec["published"] == "2022-09-14T10:10:00+07:00"


def test_utf16_with_bom() -> None:
    rec = extract(codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"), "https://example.vn/a-1", now=NOW)
    assert rec["encoding"] == "utf-16"
    assert rec["title"] == "Tiêu đề bài viết về hóa học và khoá học"


def test_http_charset_beats_meta() -> None:
    page = ARTICLE.replace('charset="utf-8"', 'charset="iso-8859-1"').encode("utf-8")
    rec = extract(page, "https://example.vn/a-1", content_type="text/html; charset=UTF-8", now=NOW)
    assert rec["encoding"] == "utf-8" and "encoding-guessed" not in rec["flags"]


def test_valid_utf8_declared_latin1_stays_utf8() -> None:
    page = ARTICLE.replace('charset="utf-8"', 'charset="iso-8859-1"').encode("utf-8")
    rec = extract(page, "https://example.vn/a-1", now=NOW)
    assert rec["encoding"] == "utf-8"
    assert rec["title"] == "Tiêu đề bài viết về hóa học và khoá học"


def _cp1258(text: str) -> bytes:
    """windows-1258 bytes as old Vietnamese sites wrote them: base letter + combining tone."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out += base.encode("cp1258") + "".join(c for c in d if c in tones).encode("cp1258")
    return bytes(out)


def test_undeclared_windows_1258_is_guessed_and_nfc() -> None:
    page = ARTICLE.replace('<meta charset="utf-8">', "")
    decoded = decode_html(_cp1258(page))
    assert decoded.encoding == "cp1258"
    assert "encoding-guessed" in decoded.flags
    assert decoded.text == unicodedata.normalize("NFC", page)


def test_declared_windows_1258() -> None:
    page = ARTICLE.replace('charset="utf-8"', 'charset="windows-1258"')
    rec = extract(_cp1258(page), "https://example.vn/a-1", now=NOW)
    assert rec["encoding"] == "cp1258" and rec["flags"] == []
    assert rec["title"] == "Tiêu đề bài viết về hóa học và khoá học"


def test_wrong_utf8_header_on_cp1258_bytes_is_repaired() -> None:
    page = ARTICLE.replace('charset="utf-8"', 'charset="windows-1258"')
    rec = extract(_cp1258(page), "https://example.vn/a-1", content_type="text/html; charset=utf-8", now=NOW)
    assert rec["encoding"] == "cp1258" and "encoding-guessed" in rec["flags"]
    assert "\ufffd" not in rec["text"]


def test_unknown_charset_label() -> None:
    page = ARTICLE.replace('charset="utf-8"', 'charset="x-viet-tcvn"').encode("utf-8")
    rec = extract(page, "https://example.vn/a-1", now=NOW)
    assert "unknown-charset" in rec["flags"] and rec["encoding"] == "utf-8"


# VNI-encoded "Xin chào các bạn, Đảng Cộng sản Việt Nam..." read as windows-1252 (font-encoded text).
VNI_MOJIBAKE = "Xin chaøo caùc baïn. Ñaûng Coäng saûn Vieät Nam laõnh ñaïo söï nghieäp ñoåi môùi, phaùt trieån kinh teá xaõ hoäi."
GERMAN = "Über die Brücke gehen täglich viele Menschen; die Straße ist schön und größer als früher, sagt Jürgen Müller."


def test_legacy_font_encoding_by_statistics() -> None:
    assert looks_font_encoded(VNI_MOJIBAKE * 3, "<html>", vietnamese=True)
    assert not looks_font_encoded(GERMAN * 3, "<html>", vietnamese=False)
    assert not looks_font_encoded(SENTENCE * 3, "<html>", vietnamese=True)
    assert looks_font_encoded(
        "Tuyªn truyÒn NghÞ quyÕt §¹i héi " * 3, "<font face='.VnTime'>", vietnamese=False
    )


@pytest.mark.parametrize(
    ("markup", "flagged"),
    [
        ("<font face='.VnTime'>", True),
        ("<span style='font-family: VNI-Times'>", True),
        ("<p style=\"font-family:'VPS Times'\">", True),
        ("<a href='https://vnexpress.net'>VnExpress</a> <p>VNINDEX</p>", False),  # no font name
        ("<font face='Times New Roman'>", False),
    ],
)
def test_legacy_font_named_in_the_markup(markup: str, flagged: bool) -> None:
    """Few accented letters and no Vietnamese-only ones: the font's name in the markup decides."""
    assert looks_font_encoded("Tuyªn truyÒn NghÞ quyÕt §¹i héi", markup, vietnamese=False) is flagged


def test_vni_page_on_a_vn_host_is_flagged() -> None:
    page = f"<html><head><meta charset='windows-1252'><title>Tin tuc</title></head><body><h1>Tin tuc moi</h1><p>{VNI_MOJIBAKE * 3}</p></body></html>"
    rec = extract(page.encode("cp1252"), "http://baocu.com.vn/tin-1", now=NOW)
    assert "legacy-font-encoding" in rec["flags"]


def test_is_article_needs_a_title_and_real_text() -> None:
    rec = extract(ARTICLE, "https://example.vn/a-1", now=NOW)
    assert is_article(rec)
    assert not is_article({**rec, "title": None})
    assert not is_article({**rec, "text": "Một câu ngắn."})
    assert not is_article({**rec, "flags": ["listing"]})
    assert not is_article({**rec, "flags": ["not-found"]})


def test_unknown_site_and_canonical() -> None:
    page = ARTICLE.replace("<head>", "<head><link rel='canonical' href='/bai-viet/a-1'>")
    rec = extract(page, "https://www.example.vn/a-1?utm=x", now=NOW)
    assert rec["site"] == "example.vn"
    assert rec["canonical_url"] == "https://www.example.vn/bai-viet/a-1"
    assert rec["language"] == "vi"


def test_extract_is_pure() -> None:
    first = extract(ARTICLE.encode(), "https://example.vn/a-1", now=NOW)
    assert extract(ARTICLE.encode(), "https://example.vn/a-1", now=NOW) == first
