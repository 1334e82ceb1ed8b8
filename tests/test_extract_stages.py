"""The extractor's stages on their own: small inputs, one decision each."""

from __future__ import annotations

from datetime import datetime

import lxml.html

from archive.extract import dom, extract
from archive.extract.media import once
from archive.extract.page import index_page
from archive.extract.related import section_name
from archive.extract.title import title_parts

CAPTION = "Quang cảnh hội nghị tại điểm cầu Hà Nội"
BODY = " ".join(["Đây là một câu văn của bài viết, đủ dài để được coi là nội dung chính của trang."] * 6)


def test_once_keeps_one_copy_of_a_caption_printed_twice() -> None:
    assert once(f"{CAPTION} {CAPTION}") == CAPTION
    assert once(f"  {CAPTION}\u00a0 {CAPTION} ") == CAPTION


def test_once_leaves_a_caption_printed_once_alone() -> None:
    assert once(CAPTION) == CAPTION
    assert once("Ảnh: TTXVN Ảnh: Quang Minh") == "Ảnh: TTXVN Ảnh: Quang Minh"
    assert once("  ") is None


def test_a_caption_in_image_note_and_caption_line_is_stored_once() -> None:
    """An image box printing its caption twice (image note + caption line) gives one caption."""
    page = f"""<html><head><title>Hội nghị báo cáo viên tháng 4</title></head><body>
    <h1>Hội nghị báo cáo viên tháng 4</h1>
    <div class="content"><p>{BODY}</p>
    <div><img src="/anh/hoi-nghi.jpg" width="600"><span>{CAPTION}</span> <span>{CAPTION}</span></div>
    <p>{BODY}</p></div></body></html>"""
    rec = extract(page, "https://example.vn/hoi-nghi-1")
    assert [i["caption"] for i in rec["images"]] == [CAPTION]
    assert CAPTION not in rec["text"]


def test_title_parts_split_at_site_separators() -> None:
    assert title_parts("Hội nghị báo cáo viên tháng 4 | Tuyên giáo") == [
        "Hội nghị báo cáo viên tháng 4",
        "Tuyên giáo",
    ]
    assert title_parts("Hội nghị báo cáo viên - Ban Tuyên giáo Trung ương") == [
        "Hội nghị báo cáo viên",
        "Ban Tuyên giáo Trung ương",
    ]
    assert title_parts("Kinh tế-xã hội năm 2024") == ["Kinh tế-xã hội năm 2024"]
    assert title_parts("Hội nghị báo cáo viên\n\n\n-\n\nBan Tuyên giáo") == [
        "Hội nghị báo cáo viên",
        "Ban Tuyên giáo",
    ]


def test_section_names_lose_their_colon_and_shouting() -> None:
    assert section_name("CÁC TIN KHÁC:") == "Các tin khác"
    assert section_name("Tin liên quan :  ") == "Tin liên quan"


def test_the_names_looked_up_for_a_page_are_its_elements_own_and_go_with_it() -> None:
    """index_page reads each element's class and id once for every finder; extract() lets go of them."""
    markup = f"""<html><head><title>T</title></head><body><div id="main" class="col  main">
    <h1 class="title">Tiêu đề</h1><p id="p1">{BODY}</p><p class="">{BODY}</p><nav class="menu">x</nav>
    </div></body></html>"""
    root = lxml.html.document_fromstring(markup)
    index_page(root, "https://example.vn/a", None, datetime(2026, 12, 1), markup)
    assert [dom._names(el) for el in root.iter()] == [
        dom.names_of(el.get("class"), el.get("id")) for el in root.iter()
    ]
    assert dom._names(root.find(".//div")) == "col  main main" and dom._names(root.find(".//h1")) == "title "
    other = lxml.html.fragment_fromstring('<div class="sidebar">x</div>')  # not the page's: read
    assert dom._names(other) == "sidebar " and dom.in_chrome(other, set())
    extract(markup, "https://example.vn/a")
    assert dom._page_names == {}
