"""Which picture an <img> is and which text is its caption (archive/extract/media.py), rule by rule.

Each case is a small piece of markup with the answer written by hand: the lazy-loading
attribute that names the real file, the icons and spacers that are no picture, and where a
caption is looked for (figcaption, the box around the image up to four levels and 400
characters, the element right after the image block) and where not (a table's surroundings,
text too long, a box holding other pictures).
"""

from __future__ import annotations

import lxml.html
import pytest

from archive.extract.media import caption, dedupe_images, image_src, once

BASE = "https://example.vn/bai/1"
CAP = "Ảnh: TTXVN"


def img(html: str, n: int = 0):  # noqa: ANN201 - an lxml element
    return lxml.html.document_fromstring(html).xpath("//img")[n]


@pytest.mark.parametrize(
    ("tag", "src"),
    [
        # the first candidate of a srcset, even without its descriptor; data-srcset before src
        ('<img data-srcset="/a-480.jpg, /a-960.jpg 2x" src="/b.jpg">', "https://example.vn/a-480.jpg"),
        ('<img srcset="/c.jpg 1x, /c2.jpg 2x">', "https://example.vn/c.jpg"),
        # an inline placeholder is passed over for the next attribute that names a file
        ('<img src="data:image/gif;base64,R0lGOD" srcset="/c.jpg 2x">', "https://example.vn/c.jpg"),
        ('<img data-src="javascript:void(0)" src="/d.jpg">', "https://example.vn/d.jpg"),
        ('<img alt="không có ảnh">', None),
        # icons and spacers: named so, or under 60 pixels either way
        ('<img src="/images/logo.png">', None),
        ('<img src="/e.jpg" width="59">', None),
        ('<img src="/e.jpg" width="60">', "https://example.vn/e.jpg"),
        ('<img src="/e.jpg" height="59">', None),
        ('<img src="/e.jpg" height="60">', "https://example.vn/e.jpg"),
        ('<img src="/e.jpg" width="600" height="59">', None),
    ],
)
def test_image_src(tag, src):
    assert image_src(img(f"<html><body>{tag}</body></html>"), BASE) == src


def test_a_figcaption_is_the_caption_and_nothing_else_in_the_figure():
    page = f"""<html><body><div><figure><img src="/a.jpg"><figcaption>Quang cảnh hội nghị</figcaption>
    <span>{CAP}</span></figure><p>Đoạn văn của bài viết.</p></div></body></html>"""
    assert caption(img(page)) == "Quang cảnh hội nghị"


def test_a_figure_without_figcaption_gives_its_text():
    assert (
        caption(img(f'<html><body><figure><img src="/a.jpg"><span>{CAP}</span></figure></body></html>'))
        == CAP
    )


def test_an_image_alone_has_no_caption():
    assert caption(img('<html><body><img src="/a.jpg"></body></html>')) is None


@pytest.mark.parametrize(
    "after",
    [f"<p><em>{CAP}</em></p>", f"<p><i>{CAP}</i></p>", f'<p class="caption">{CAP}</p>'],
)
def test_the_caption_element_right_after_the_image(after):
    assert caption(img(f'<html><body><img src="/a.jpg">{after}</body></html>')) == CAP


def test_a_plain_paragraph_after_the_image_is_no_caption():
    assert caption(img('<html><body><img src="/a.jpg"><p>Đoạn văn của bài viết.</p></body></html>')) is None


def test_a_caption_after_the_image_is_at_most_300_characters():
    for length, expected in ((300, True), (301, False)):
        text = ("Chú thích " * 40)[: length - 1] + "."
        assert len(text) == length
        page = f'<html><body><img src="/a.jpg"><p><em>{text}</em></p></body></html>'
        assert caption(img(page)) == (text if expected else None)


def test_a_box_holding_other_pictures_is_no_caption_but_the_element_after_each_is():
    page = f"""<html><body><div><img src="/a.jpg"><p><em>Ảnh một</em></p>
    <img src="/b.jpg"><p><em>{CAP}</em></p></div></body></html>"""
    assert caption(img(page, 0)) == "Ảnh một"
    assert caption(img(page, 1)) == CAP


def test_the_box_around_an_image_is_looked_for_four_levels_up():
    page = '<html><body><div>Chú thích ảnh<span><span><span><span><img src="/a.jpg"></span></span></span></span></div></body></html>'
    assert caption(img(page)) is None
    page = '<html><body><div>Chú thích ảnh<span><span><span><img src="/a.jpg"></span></span></span></div></body></html>'
    assert caption(img(page)) == "Chú thích ảnh"


def test_the_box_around_an_image_is_its_caption_up_to_400_characters():
    text = ("Chú thích " * 50)[:399] + "."
    assert caption(img(f'<html><body><div>{text}<img src="/a.jpg"></div></body></html>')) == text
    longer = "X" + text
    assert caption(img(f'<html><body><div>{longer}<img src="/a.jpg"></div></body></html>')) is None
    # past 400, the caption element right after the image still counts
    page = f'<html><body><div>{longer}<img src="/a.jpg"><p><em>{CAP}</em></p></div></body></html>'
    assert caption(img(page)) == CAP


def test_an_image_table_is_not_a_caption_box_and_its_surroundings_are_the_body():
    table = '<table><tr><td><img src="/a.jpg"></td></tr></table>'
    page = f"<html><body><div>{table}<p>Đoạn văn của bài viết.</p></div></body></html>"
    assert caption(img(page)) is None
    page = f"<html><body><div>{table}<p><em>{CAP}</em></p></div></body></html>"
    assert caption(img(page)) == CAP


def test_once():
    assert once("Quang cảnh Quang cảnh") == "Quang cảnh"
    assert once("Quang cảnh hội nghị") == "Quang cảnh hội nghị"


def test_dedupe_images_keeps_the_first_caption_found_for_a_picture():
    images = [
        {"src": "a", "caption": None},
        {"src": "a", "caption": "Một"},
        {"src": "b", "caption": "Hai"},
        {"src": "a", "caption": "Ba"},
        {"src": "b", "caption": None},
    ]
    assert dedupe_images(images) == [{"src": "a", "caption": "Một"}, {"src": "b", "caption": "Hai"}]
