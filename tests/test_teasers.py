"""archive/extract/teasers.py: which lines are other pages' teasers, at each bound.

A listing item (a headline link to another page over its teaser) makes a page a category page
and is cut from an article's body; a paragraph taken for one is lost from the article, and a
teaser taken for a paragraph puts another article's words into this one. Pages are built by
hand; the expected lines and links are written here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

from archive.extract.page import PageIndex, Title, index_page
from archive.extract.teasers import _headline_links, _item, headline_line, item_lines

NOW = datetime(2026, 12, 3, tzinfo=UTC)
HOST = "https://tuyengiao.example.vn"
URL = HOST + "/thoi-su/hoi-nghi-giao-ban-110001"
HEADLINE = "Hoi nghi giao ban cong tac tuyen giao"
H1 = f"<h1>{HEADLINE}</h1>"
LINK = "Tin so 1 ve hoat dong tuyen giao"  # seven words, 32 characters
T1, T2 = "Noi dung tom tat cua bai thu nhat.", "Noi dung tom tat cua bai thu hai."


def index(body: str, head: str = "", url: str = URL) -> PageIndex:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return index_page(lxml.html.document_fromstring(html), url, None, NOW, html)


def title_of(page: PageIndex) -> Title:
    b = page.by_text[HEADLINE][0]
    return Title(b, HEADLINE, page.pos[b.el], frozenset([b.el, *b.el.iterancestors()]))


def no_title() -> Title:
    return Title(None, HEADLINE, None, frozenset())


def item(href: str, teaser: str, link: str = LINK) -> str:
    return f'<div><h3><a href="{href}">{link}</a></h3><p>{teaser}</p></div>'


def items_of(body: str, lines: list[str], *, head: str = "", titled: bool = True) -> dict[int, str]:
    page = index(H1 + body, head)
    return item_lines(page, title_of(page) if titled else no_title(), lines)


# -- headline_line ------------------------------------------------------------------------------------


def line(markup: str):
    return index(markup).blocks[0]


def test_a_headline_line_has_four_words():
    assert headline_line(line('<p><a href="/x">Mot hai ba bon</a></p>'))
    assert not headline_line(line('<p><a href="/x">Mot hai babon</a></p>'))


def test_a_headline_line_is_two_fifths_linked():
    assert headline_line(line(f'<p><a href="/x">{"a b c d " * 2}aaaa</a>{"x" * 30}</p>'))  # 20 of 50
    assert not headline_line(line(f'<p><a href="/x">{"a b c d " * 2}aaa</a>{"x" * 31}</p>'))  # 19 of 50


def test_a_headline_line_has_at_most_40_characters_besides_its_link():
    # 39 characters linked, then a space and 39 or 40 more
    assert headline_line(line(f'<p><a href="/x">{"a b c d " * 5}</a>{"x" * 39}</p>'))
    assert not headline_line(line(f'<p><a href="/x">{"a b c d " * 5}</a>{"x" * 40}</p>'))


def test_headline_links_are_the_links_of_lines_with_one_link():
    page = index(
        f'<p><a href="/a">{LINK}</a></p>'
        f'<p><a href="/b">{LINK}</a> <a href="/c">{LINK}</a></p>'
        f'<p><a href="/d">Mot hai</a></p>'
    )
    positions, links = _headline_links(page)
    assert [a.get("href") for a in links] == ["/a"] and positions == [page.pos[links[0]]]


# -- item_lines ------------------------------------------------------------------------------------------


def test_a_teaser_under_a_headline_link_is_an_item_of_the_page_it_links():
    body = item("/tin/bai-1", T1) + item("/tin/bai-2", T2)
    assert items_of(body, [T1, T2]) == {0: HOST + "/tin/bai-1", 1: HOST + "/tin/bai-2"}
    assert items_of(body, ["khong co tren trang", T2]) == {1: HOST + "/tin/bai-2"}


def test_a_line_above_its_link_is_no_teaser():
    body = f'<div><p>{T1}</p><h3><a href="/tin/bai-1">{LINK}</a></h3></div>'
    assert items_of(body, [T1]) == {}


def test_the_headline_link_is_looked_for_three_levels_up():
    three = f'<div><h3><a href="/tin/bai-1">{LINK}</a></h3><div><div><p>{T1}</p></div></div></div>'
    assert items_of(three, [T1]) == {0: HOST + "/tin/bai-1"}
    four = f'<div><h3><a href="/tin/bai-1">{LINK}</a></h3><div><div><div><p>{T1}</p></div></div></div></div>'
    assert items_of(four, [T1]) == {}


def test_a_box_of_two_headline_links_is_no_item_two_of_one_page_is():
    two = f'<div><h3><a href="/tin/bai-1">{LINK}</a></h3><h3><a href="/tin/bai-2">{LINK}</a></h3><p>{T1}</p></div>'
    assert items_of(two, [T1]) == {}
    same = f'<div><h3><a href="/tin/bai-1">{LINK}</a></h3><h3><a href="/tin/bai-1#x">{LINK}</a></h3><p>{T1}</p></div>'
    assert items_of(same.replace("#x", ""), [T1]) == {0: HOST + "/tin/bai-1"}


def test_an_item_holds_at_most_300_characters_besides_its_teaser():
    # the box's text: the link (32 characters), the teaser, and the rest
    rest = "x" * (300 - len(LINK))
    fits = f'<div><h3><a href="/tin/bai-1">{LINK}</a></h3><p>{T1}</p><p>{rest}</p></div>'
    assert items_of(fits, [T1]) == {0: HOST + "/tin/bai-1"}
    over = f'<div><h3><a href="/tin/bai-1">{LINK}</a></h3><p>{T1}</p><p>{rest}x</p></div>'
    assert items_of(over, [T1]) == {}


def test_a_link_to_nowhere_is_no_headline_link():
    body = item("javascript:void(0)", T1)
    assert items_of(body, [T1]) == {}
    assert items_of(item("#", T1), [T1]) == {}


def test_items_linking_the_page_itself_or_holding_its_headline_are_the_article():
    assert items_of(item(URL, T1), [T1]) == {}
    page = index(H1 + item(URL, T1), url=URL + "#binh-luan")  # the page fetched at an anchor
    assert item_lines(page, title_of(page), [T1]) == {}
    canonical = f'<link rel="canonical" href="{HOST}/bai-goc">'
    assert items_of(item("/bai-goc", T1), [T1], head=canonical) == {}
    assert items_of(item("/bai-goc", T1), [T1]) == {0: HOST + "/bai-goc"}
    page = index(f'<div><h1><a href="/tin/bai-1">{HEADLINE}</a></h1><p>{T1}</p></div>')
    assert item_lines(page, title_of(page), [T1]) == {}
    assert item_lines(page, no_title(), [T1]) == {0: HOST + "/tin/bai-1"}


def test_every_line_of_an_item_box_is_the_items():
    body = f'<div><h3><a href="/tin/bai-1">{LINK}</a></h3><p>{T1}</p><p>{T2}</p></div>'
    assert items_of(body, [T1, T2]) == {0: HOST + "/tin/bai-1", 1: HOST + "/tin/bai-1"}


# -- _item directly: the memo of boxes already judged --------------------------------------------------


def test_a_box_judged_once_is_not_judged_again():
    page = index(H1 + item("/tin/bai-1", T1))
    heads = _headline_links(page)
    el = page.by_text[T1][0].el
    box = el.getparent()
    memo: dict = {}
    assert _item(page, heads, el, len(T1), memo) == (box, HOST + "/tin/bai-1")
    assert memo == {box: (box, HOST + "/tin/bai-1")}
    memo = {box: None}
    assert _item(page, heads, el, len(T1), memo) is None
    assert _item(page, heads, el, 0, {}) == (box, HOST + "/tin/bai-1")  # 32 + 34 <= 0 + 300
    assert _item(page, ([], []), el, len(T1), {}) is None  # no headline links


def test_a_box_made_an_item_by_one_line_holds_its_other_lines_three_levels_down():
    t3 = "Dong ba cap"
    deep = "Dong bon cap"
    body = (
        f'<div><h3><a href="/tin/bai-1">{LINK}</a></h3><p>{T1}</p>'
        f"<div><div><p>{t3}</p></div></div><div><div><div><p>{deep}</p></div></div></div></div>"
    )
    assert items_of(body, [T1, t3, deep]) == {0: HOST + "/tin/bai-1", 1: HOST + "/tin/bai-1"}


def test_a_line_four_levels_below_a_headline_does_not_make_its_box_an_item():
    # the line above the link is no teaser; the box is an item only if the deep line made it one
    body = (
        f'<div><p>{T2}</p><h3><a href="/tin/bai-1">{LINK}</a></h3>'
        f"<div><div><div><p>{T1}</p></div></div></div></div>"
    )
    assert items_of(body, [T2, T1]) == {}


def test_the_canonical_address_is_compared_without_its_anchor():
    canonical = f'<link rel="canonical" href="{HOST}/bai-goc#top">'
    assert items_of(item("/bai-goc", T1), [T1], head=canonical) == {}


def test_a_link_to_a_section_of_the_page_itself_is_the_article():
    """A long article's table of contents ("Mục lục") links its own sections by anchor: those
    lines are the article, not teasers of other pages."""
    assert items_of(item("#phan-2", T1), [T1]) == {}
    assert items_of(item(URL + "#phan-2", T1), [T1]) == {}
    assert items_of(item("/bai-khac#phan-2", T1), [T1]) == {0: HOST + "/bai-khac#phan-2"}
