"""Which text archive/extract/body.py reads as the body, before any of it is cut.

trafilatura's main text is the first choice; when it found too little, or appended the page's
other text out of order, the DOM's paragraphs under the headline are read instead. A wrong
choice at a bound loses an article's paragraphs or files a sidebar as its text. Each rule is
tried on a hand-built page at its bounds; the expected lines are written here by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

from archive.extract.body import (
    _explode,
    _paragraph_chars,
    _rescued,
    dom_body_lines,
    main_lines,
    next_body,
    table_line,
)
from archive.extract.page import PageIndex, Title, index_page
from archive.profiles import SiteProfile

NOW = datetime(2026, 12, 3, tzinfo=UTC)
HOST = "https://tuyengiao.example.vn"
URL = HOST + "/thoi-su/hoi-nghi-giao-ban-110001"
HEADLINE = "Hoi nghi giao ban cong tac tuyen giao"
H1 = f"<h1>{HEADLINE}</h1>"


def text(n: int, word: str = "Loi") -> str:
    """Unlinked text of exactly ``n`` characters (ASCII words, then a full stop)."""
    out = (f"{word} " * n)[: n - 1] + "."
    assert len(out) == n
    return out


def paras(*lines: str) -> str:
    return "".join(f"<p>{x}</p>" for x in lines)


def index(body: str, profile: SiteProfile | None = None) -> PageIndex:
    html = f"<html><head></head><body>{body}</body></html>"
    return index_page(lxml.html.document_fromstring(html), URL, profile, NOW, html)


def title_of(page: PageIndex) -> Title:
    b = page.by_text[HEADLINE][0]
    return Title(b, HEADLINE, page.pos[b.el], frozenset([b.el, *b.el.iterancestors()]))


NO_TITLE = Title(None, HEADLINE, None, frozenset())


# -- table_line ----------------------------------------------------------------------------------------


def test_table_rows_keep_their_non_empty_cells():
    assert table_line("| Tỉnh | Số hội nghị |") == "Tỉnh | Số hội nghị"
    assert table_line("| Tỉnh |  | 12 |") == "Tỉnh | 12"
    assert table_line("|a|") == "a"
    assert table_line(r"| 1 \| 2 | ba |") == "1 | 2 | ba"
    assert table_line("|Xã|Yên|") == "Xã | Yên"


def test_a_table_rule_is_no_line_and_other_lines_pass():
    assert table_line("| --- | :-: |") is None
    assert table_line("|  |  |") is None
    assert table_line("Một dòng | có gạch") == "Một dòng | có gạch"
    assert table_line("") == ""
    assert table_line(None) is None


# -- _paragraph_chars, _rescued --------------------------------------------------------------------------


def test_paragraph_chars_count_lines_of_80_or_more():
    assert _paragraph_chars([text(79), text(80), text(100)]) == 180
    assert _paragraph_chars([]) == 0


def test_lines_that_go_back_up_the_page_are_a_rescue():
    a, b, c = text(90, "Mot"), text(90, "Hai"), text(90, "Ba")
    page = index(H1 + paras(a, b, c))
    assert not _rescued(page, [a, b, c])
    assert _rescued(page, [a, c, b])
    assert not _rescued(page, [a, "khong co tren trang", b])
    assert not _rescued(page, [b, b, c])  # one block read twice goes nowhere back
    assert _rescued(page, [a, "khong co tren trang", c, b])  # an unknown line is passed over
    top = index(paras(a, b))  # a is the page's first block
    assert not _rescued(top, [a, b])


def test_repeated_lines_have_no_position():
    a, b = text(90, "Mot"), text(90, "Hai")
    page = index(H1 + paras(a, b, a))
    assert not _rescued(page, [b, a])  # a is on the page twice: no position to go back to
    page = index(H1 + paras(a, b))
    assert _rescued(page, [b, a])


# -- dom_body_lines ---------------------------------------------------------------------------------------


def test_the_dom_body_is_the_unlinked_blocks_under_the_headline_up_to_an_end_heading():
    half = f'<p><a href="/x">{"a" * 10}</a>{"b" * 10}</p>'  # link share 0.5: out
    under = f'<p><a href="/x">{"a" * 9}</a>{"b" * 11}</p>'  # 0.45: in
    page = index(
        paras("Tren tieu de") + H1 + paras("Mot") + half + under + "<nav><p>Menu</p></nav>" + paras("Hai")
    )
    assert dom_body_lines(page, title_of(page)) == ["Mot", "a" * 9 + "b" * 11, "Hai"]
    page = index(H1 + paras("Mot") + "<h3>Tin khác</h3>" + paras("Hai"))
    assert dom_body_lines(page, title_of(page)) == ["Mot"]
    assert dom_body_lines(page, NO_TITLE) == []


def test_a_hinted_body_of_150_characters_wins():
    site = SiteProfile(
        name="tg", hosts=("tuyengiao.example.vn",), base_url=HOST, hints={"body": ("//div[@id='noi-dung']",)}
    )
    linked = '<p><a href="/x">Lien ket</a></p>'
    page = index(
        paras("Ngoai")
        + f"<div id='noi-dung'>{paras(text(100), text(50, 'Hai'))}{linked}</div>"
        + H1
        + paras("Sau"),
        site,
    )
    assert dom_body_lines(page, title_of(page)) == [text(100), text(50, "Hai")]
    half = f'<p><a href="/x">{"a" * 10}</a>{"b" * 10}</p>'  # link share 0.5: not body text
    page = index(
        f"<div id='noi-dung'>{paras(text(100), text(49, 'Hai'))}{half}</div>" + H1 + paras("Sau"), site
    )
    assert dom_body_lines(page, title_of(page)) == ["Sau"]


# -- main_lines ---------------------------------------------------------------------------------------------


def test_trafilaturas_lines_in_page_order_are_the_body():
    a, b = text(100, "Mot"), text(100, "Hai")
    page = index(H1 + paras(a, b, "Dong them"))
    assert main_lines(page, title_of(page), f"{a}\n\n  {b}  \n| --- |") == [a, b]


def test_a_rescue_is_replaced_by_the_dom_when_its_paragraphs_are_as_long():
    a = text(160, "Mot")
    page = index(paras("Tren") + H1 + paras(a))
    assert main_lines(page, title_of(page), f"{a}\nTren") == [a]  # dom: 160 against 160
    assert main_lines(page, NO_TITLE, f"{a}\nTren") == [a, "Tren"]  # no headline: no rescue known
    page = index(paras("Tren") + H1 + paras(text(159, "Hai")))
    assert main_lines(page, title_of(page), f"{a}\nTren") == [a, "Tren"]
    above = text(100, "Tren")  # a paragraph, but only the first line is weighed
    page = index(paras(above) + H1 + paras(a))
    assert main_lines(page, title_of(page), f"{a}\n{above}") == [a]


def test_under_150_characters_the_dom_is_read():
    extra = "Dong them"
    page = index(H1 + paras(text(150), extra))
    assert main_lines(page, title_of(page), text(150)) == [text(150)]
    page = index(H1 + paras(text(149), extra))
    assert main_lines(page, title_of(page), text(149)) == [text(149), extra]
    assert main_lines(page, NO_TITLE, text(149)) == [text(149)]  # no dom: the lines stay


def test_short_lines_only_give_way_to_longer_dom_paragraphs():
    short = [text(70, "Mot"), text(70, "Hai"), text(70, "Ba")]  # 210 characters, no paragraph
    page = index(H1 + paras(text(100)))
    assert main_lines(page, title_of(page), "\n".join(short)) == [text(100)]
    page = index(H1 + paras(text(70, "Mot"), text(70, "Hai"), text(70, "Ba")))
    assert main_lines(page, title_of(page), "\n".join(short)) == short  # the dom has none either
    lines = [text(149), text(60, "Hai")]  # 149 of paragraph
    page = index(H1 + paras(text(150, "Ba")))
    assert main_lines(page, title_of(page), "\n".join(lines)) == [text(150, "Ba")]
    page = index(H1 + paras(text(149, "Ba")))
    assert main_lines(page, title_of(page), "\n".join(lines)) == lines
    lines = [text(150), text(60, "Hai")]
    page = index(H1 + paras(text(300, "Ba")))
    assert main_lines(page, title_of(page), "\n".join(lines)) == lines


# -- _explode: a table cell printed as one line -------------------------------------------------------------


def test_a_long_line_of_blocks_run_together_is_split_into_them():
    a, b = text(120, "Mot"), text(80, "Hai")
    page = index(H1 + f"<table><tr><td>{paras(a, b)}</td></tr></table>")
    assert _explode(page, f"{a} {b}") == [a, b]
    assert _explode(page, f"{a} | {b}") == [a, b]
    assert main_lines(page, title_of(page), f"{a} {b}") == [a, b]
    b79 = text(79, "Hai")
    page = index(H1 + paras(a, b79))
    assert _explode(page, f"{a} {b79}") == [a, b79]  # 200 characters
    x = text(80, "Xa")  # a block opening with X after the separator
    page = index(H1 + paras(a, x))
    assert _explode(page, f"{a} | {x}") == [a, x]


def test_a_line_under_200_characters_on_the_page_or_not_made_of_blocks_stays_whole():
    a, b = text(120, "Mot"), text(78, "Hai")
    page = index(H1 + paras(a, b))
    assert _explode(page, f"{a} {b}") == [f"{a} {b}"]  # 199 characters
    long = text(250)
    page = index(H1 + paras(long))
    assert _explode(page, long) == [long]
    a, b = text(120, "Mot"), text(80, "Hai")
    page = index(H1 + paras(a, b))
    assert _explode(page, f"{a} {b} them") == [f"{a} {b} them"]  # more than the blocks
    assert _explode(page, f"{a} khac {b}") == [f"{a} khac {b}"]
    assert _explode(page, f"khac {a} {b}") == [f"khac {a} {b}"]


def test_the_split_starts_at_the_first_block_the_line_opens_with():
    a, b = text(120, "Mot"), text(80, "Hai")
    page = index(H1 + paras("Mot") + paras(a, b))  # "Mot" opens the line too, but is no run
    assert _explode(page, f"{a} {b}") == [a, b]


# -- next_body: an article body given as HTML in JSON ------------------------------------------------------


def test_an_embedded_body_gives_its_lines_and_images_without_captions():
    page = index(H1)
    markup = (
        "<p>Doan mot.</p><figure><img src='/anh/1.jpg'><figcaption>Chu thich anh</figcaption></figure>"
        "<p>Doan hai.</p><img src='data:image/png;base64,xx'><img src='/anh/1.jpg'>"
    )
    lines, images = next_body(page, markup)
    assert lines == ["Doan mot.", "Doan hai."]
    assert images == [{"src": HOST + "/anh/1.jpg", "caption": "Chu thich anh"}]


def test_a_caption_printed_outside_a_figcaption_is_no_line_either():
    page = index(H1)
    markup = "<p>Doan mot.</p><div class='image'><img src='/anh/2.jpg'><p class='caption'>Chu thich</p></div>"
    lines, images = next_body(page, markup)
    assert images == [{"src": HOST + "/anh/2.jpg", "caption": "Chu thich"}]
    assert lines == ["Doan mot."]
    assert next_body(page, "<p>Chi mot doan.</p>") == (["Chi mot doan."], [])


def test_a_figcaption_without_a_picture_and_frames_are_not_the_body_or_images():
    page = index(H1)
    markup = (
        "<p>Doan mot.</p><figure><figcaption>Anh: TTXVN</figcaption></figure><iframe src='/video/1'></iframe>"
    )
    assert next_body(page, markup) == (["Doan mot."], [])
