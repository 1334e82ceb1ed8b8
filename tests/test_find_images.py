"""archive/extract/media.py's find_images: which pictures on a page are the article's.

The article's pictures are those from its headline to a little after its last body line, outside
the chrome, the related boxes and links to other pages. A picture from a sidebar or a teaser
filed as the article's misleads a reader of the archive; one lost is a hole in the record. Each
rule is tried on a hand-built page at its bounds; the expected addresses are written by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

from archive.extract.media import find_images
from archive.extract.page import PageIndex, Related, Title, index_page

NOW = datetime(2026, 12, 3, tzinfo=UTC)
HOST = "https://tuyengiao.example.vn"
URL = HOST + "/thoi-su/hoi-nghi-giao-ban-110001"
HEADLINE = "Hoi nghi giao ban cong tac tuyen giao"
H1 = f"<h1>{HEADLINE}</h1>"
NO_RELATED = Related(links=[], titles=frozenset(), els=frozenset())
A = "Doan van thu nhat cua bai viet ve hoi nghi."  # 43 characters
B = "Doan van thu hai cua bai viet ve hoi nghi nay."


def index(body: str) -> PageIndex:
    html = f"<html><head></head><body>{body}</body></html>"
    return index_page(lxml.html.document_fromstring(html), URL, None, NOW, html)


def title_of(page: PageIndex) -> Title:
    b = page.by_text[HEADLINE][0]
    return Title(b, HEADLINE, page.pos[b.el], frozenset([b.el, *b.el.iterancestors()]))


def img(name: str) -> str:
    return f"<img src='/anh/{name}.jpg'>"


def srcs(
    body: str, lines: list[str] = (A, B), *, titled: bool = True, related: Related = NO_RELATED
) -> list[str]:
    page = index(body)
    title = title_of(page) if titled else Title(None, HEADLINE, None, frozenset())
    return [i["src"].rsplit("/", 1)[-1] for i in find_images(page, title, related, list(lines))]


def test_pictures_from_the_headline_to_the_body_with_their_captions():
    page = index(
        f"<div>{H1}<figure>{img('1')}<figcaption>Quang canh hoi nghi</figcaption></figure>"
        f"<p>{A}</p><p>{B}</p></div>"
    )
    assert find_images(page, title_of(page), NO_RELATED, [A, B]) == [
        {"src": HOST + "/anh/1.jpg", "caption": "Quang canh hoi nghi"}
    ]


def test_a_picture_above_the_headline_is_not_the_articles():
    assert srcs(f"<div>{img('0')}{H1}{img('1')}<p>{A}</p><p>{B}</p></div>") == ["1.jpg"]


def test_without_a_headline_position_the_body_box_starts_the_pictures():
    body = f"{img('0')}{H1}<div>{img('1')}<p>{A}</p>{img('2')}<p>{B}</p></div>"
    page = index(body)
    t = Title(page.by_text[HEADLINE][0], HEADLINE, None, frozenset())
    assert [i["src"].rsplit("/", 1)[-1] for i in find_images(page, t, NO_RELATED, [A, B])] == [
        "1.jpg",
        "2.jpg",
    ]


def test_pictures_up_to_200_elements_after_the_last_body_line():
    fill = "<span></span>" * 199
    assert srcs(f"<div>{H1}<p>{A}</p><p>{B}</p>{fill}{img('9')}</div>") == ["9.jpg"]
    assert srcs(f"<div>{H1}<p>{A}</p><p>{B}</p>{fill}<span></span>{img('9')}</div>") == []
    # the last line's own elements count as its end
    inner = "<b></b>" * 10
    assert srcs(f"<div>{H1}<p>{A}</p><p>{B}{inner}</p>{fill}{img('9')}</div>", [A, B]) == ["9.jpg"]


def test_lines_under_40_characters_do_not_place_the_body():
    short = A[:39]
    assert srcs(f"<div>{H1}{img('1')}<p>{short}</p></div>", [short]) == []
    assert srcs(f"<div>{H1}{img('1')}<p>{A[:40]}</p></div>", [A[:40]]) == ["1.jpg"]
    assert (
        srcs(f"<div>{H1}{img('1')}<p>{A}</p></div>", ["khong co tren trang nay, du dai bon muoi ky tu"]) == []
    )


def test_the_body_box_is_the_common_box_of_its_lines():
    body = f"{H1}<div><div><p>{A}</p></div>{img('1')}<div><p>{B}</p></div></div>"
    assert srcs(body, titled=False) == ["1.jpg"]
    body = f"{H1}<div><p>{A}</p></div>{img('1')}<div><p>{B}</p></div>"
    assert srcs(body, [A], titled=False) == []  # outside the one line's box


def test_the_headline_and_the_body_share_the_scope():
    body = f"<div><header>{H1}</header>{img('1')}<section><p>{A}</p><p>{B}</p></section></div>"
    assert srcs(body) == ["1.jpg"]


def test_chrome_related_boxes_and_links_to_pages_hold_no_article_pictures():
    body = (
        f"<div>{H1}<aside>{img('1')}</aside><p>{A}</p><div class='lien-quan'>{img('2')}</div><p>{B}</p></div>"
    )
    page = index(body)
    box = page.root.find(".//div[@class='lien-quan']")
    assert find_images(page, title_of(page), Related([], frozenset(), frozenset([box])), [A, B]) == []
    assert srcs(body) == ["2.jpg"]
    linked = f"<div>{H1}<a href='/bai-khac'>{img('3')}</a><a href='/anh/lon.jpg'>{img('4')}</a><a>{img('5')}</a><p>{A}</p><p>{B}</p></div>"
    assert srcs(linked) == ["4.jpg"]


def test_a_picture_printed_twice_is_kept_once():
    assert srcs(f"<div>{H1}{img('1')}<p>{A}</p>{img('1')}<p>{B}</p></div>") == ["1.jpg"]


def test_only_img_elements_are_pictures():
    frames = "<iframe src='/nhung/video-1'></iframe><video src='/video/1.mp4'></video>"
    assert srcs(f"<div>{H1}{frames}{img('1')}<p>{A}</p><p>{B}</p></div>") == ["1.jpg"]
