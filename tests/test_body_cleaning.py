"""The boilerplate rules of archive/extract/body.py, one at a time, at their bounds.

What clean_body keeps is the text researchers read and diff between versions: a rule that drops
too much loses the article's lines, one that drops too little files the portal's footer, forms
and link boxes as the article's words (and as an "edit" when the footer changes). Each rule is
tried on hand-built lines and pages; the expected lines are written here by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html

from archive.extract.body import (
    _before_title,
    _boxed_teasers,
    _drop_trailing_outside,
    _inline_box_follows,
    _is_noise_block,
    _link_bar,
    _link_runs,
    clean_body,
)
from archive.extract.dom import Block
from archive.extract.page import PageIndex, Related, Title, index_page

NOW = datetime(2026, 12, 3, tzinfo=UTC)
URL = "https://tuyengiao.example.vn/thoi-su/hoi-nghi-giao-ban-110001"
HEADLINE = "Hoi nghi giao ban cong tac tuyen giao"
H1 = f"<h1>{HEADLINE}</h1>"
NO_RELATED = Related(links=[], titles=frozenset(), els=frozenset())


def text(n: int, word: str = "Loi") -> str:
    """Unlinked text of exactly ``n`` characters (ASCII words, then a full stop)."""
    out = (f"{word} " * n)[: n - 1] + "."
    assert len(out) == n
    return out


P150 = text(150, "Mot")
P149 = text(149, "Mot")


def index(body: str) -> PageIndex:
    html = f"<html><head></head><body>{body}</body></html>"
    return index_page(lxml.html.document_fromstring(html), URL, None, NOW, html)


def title_of(page: PageIndex) -> Title:
    b = page.by_text[HEADLINE][0]
    return Title(b, HEADLINE, page.pos[b.el], frozenset([b.el, *b.el.iterancestors()]))


def paras(*lines: str) -> str:
    return "".join(f"<p>{x}</p>" for x in lines)


def clean(
    lines: list[str],
    body: str | None = None,
    *,
    before: str = "",
    lead: str | None = None,
    captions: frozenset[str] = frozenset(),
    crumbs: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    related: Related = NO_RELATED,
) -> tuple[list[str], str | None]:
    """clean_body on ``lines``, each a paragraph under the headline unless ``body`` is given."""
    page = index(before + H1 + (paras(*lines) if body is None else body))
    return clean_body(page, title_of(page), related, lines, lead, set(captions), crumbs, list(tags))


def kept(lines: list[str], body: str | None = None, **kw) -> list[str]:
    return clean(lines, body, **kw)[0]


# -- end headings and footers -----------------------------------------------------------------------


def test_an_end_heading_after_150_characters_ends_the_body():
    assert kept([P150, "Tin khác", text(90)]) == [P150]
    assert kept([P149, "Tin khác", text(90)]) == [P149, text(90)]
    assert kept([P149, "Phản hồi", text(90)]) == [P149, text(90)]
    assert kept([text(100), text(50, "Hai"), "Tin khác", text(90)]) == [
        text(100),
        text(50, "Hai"),
    ]  # 150 in all


def test_a_footer_line_of_60_characters_is_skipped_like_a_heading():
    footer = "Địa chỉ: " + "x" * 51
    assert len(footer) == 60
    assert kept([footer, P150]) == [P150]


def test_a_footer_line_drops_before_the_body_and_ends_it_after():
    footer = "Địa chỉ: 123 đường Nguyễn Trãi"
    assert kept([footer, P150, text(90)]) == [P150, text(90)]
    assert kept([P150, footer, text(90)]) == [P150]
    long_footer = "Địa chỉ: " + "x" * 52  # 61 characters: no heading, a footer still
    assert len(long_footer) == 61
    assert kept([long_footer, P150]) == [long_footer, P150]
    assert kept([P150, long_footer, text(90)]) == [P150]
    assert kept([P149, long_footer, text(90)]) == [P149, long_footer, text(90)]


def test_an_inline_related_box_followed_by_paragraphs_does_not_end_the_body():
    tail = [text(150, "Hai"), text(150, "Ba")]
    lines = [P150, "Tin liên quan", *tail]
    assert kept(lines) == [P150, *tail]
    short_tail = [text(150, "Hai"), text(149, "Ba")]
    assert kept([P150, "Tin liên quan", *short_tail]) == [P150]


# -- lines that are never the article's --------------------------------------------------------------


def test_title_widgets_crumbs_and_invitations_are_dropped():
    invitation = "Mời bạn đọc vào chuyên mục Thời sự xem các tin, bài liên quan."
    lines = [HEADLINE, "Chia sẻ", "Thời sự", invitation, P150]
    assert kept(lines, crumbs=("Thời sự",)) == [P150]
    assert kept(["Thời sự", P150]) == ["Thời sự", P150]


def test_the_first_source_line_is_the_source_and_no_body_line():
    body, source = clean([P150, "Nguồn: TTXVN", "Nguồn: Báo Nhân Dân", text(90)])
    assert (body, source) == ([P150, text(90)], "TTXVN")
    assert clean([P150]) == ([P150], None)


def test_tag_lines_are_dropped_labelled_or_not():
    assert kept([P150, "Từ khóa: tuyên giáo, cơ sở", text(90)]) == [P150, text(90)]
    assert kept([P150, "tuyên giáo, cơ sở"], tags=("Tuyên giáo", "cơ sở")) == [P150]
    assert kept([P150, "tuyên giáo, cơ sở"]) == [P150, "tuyên giáo, cơ sở"]
    assert kept([P150, "tuyên giáo"], tags=("Tuyên giáo", "cơ sở")) == [P150, "tuyên giáo"]


def test_captions_and_related_headlines_are_dropped_folded():
    caption = "quang canh hoi nghi"  # captions come folded
    assert kept([P150, "Quang cảnh hội nghị", text(90)], captions=frozenset({caption})) == [P150, text(90)]
    related = Related([], frozenset({"Tin ve hoat dong co so"}), frozenset())
    assert kept([P150, "Tin về hoạt động cơ sở"], related=related) == [P150]
    assert kept([P150, "Tin về hoạt động cơ sở"]) == [P150, "Tin về hoạt động cơ sở"]


LEAD = "Sang 20/11 Ban Tuyen giao to chuc hoi nghi giao ban quy IV nam 2026 tai Ha Noi"


def test_the_lead_and_its_pieces_are_not_body_lines():
    assert len(LEAD) == 78
    assert kept([LEAD, P150], lead=LEAD) == [P150]
    assert kept([LEAD[:40], P150], lead=LEAD) == [P150]  # a piece of 40 characters
    assert kept([LEAD[:39], P150], lead=LEAD) == [LEAD[:39], P150]
    assert kept([LEAD + " (T)", P150], lead=LEAD) == [P150]  # the lead and four more characters
    assert kept([LEAD + " (TG)", P150], lead=LEAD) == [LEAD + " (TG)", P150]
    short = LEAD[:39]
    assert kept([short + " (T)", P150], lead=short) == [short + " (T)", P150]
    assert kept([short, P150], lead=short) == [P150]
    forty = LEAD[:40]
    assert kept([forty + " (T)", P150], lead=forty) == [P150]
    assert kept([LEAD, P150], lead=None) == [LEAD, P150]
    assert kept([LEAD[:40], P150], lead="") == [LEAD[:40], P150]


def test_blocks_of_the_chrome_and_link_bars_after_the_text_are_dropped():
    nav = "Trang chu Thoi su Kinh te"
    body = f"<nav><p>{nav}</p></nav>" + paras(P150)
    assert kept([nav, P150], body) == [P150]
    bar = '<p><a href="/in">In bai viet</a> <a href="/gui">Gui bai viet</a></p>'
    line = "In bai viet Gui bai viet"
    assert kept([P150, line, text(90)], paras(P150) + bar + paras(text(90))) == [P150, text(90)]
    assert kept([line, P150], bar + paras(P150)) == [line, P150]


def test_short_lines_above_the_headline_are_the_masthead_until_the_body_starts():
    top = "Bao dien tu Tuyen giao"
    assert kept([top, P150], before=paras(top)) == [P150]
    long_top = text(150, "Dau")
    assert kept([long_top, P150], before=paras(long_top)) == [long_top, P150]
    below = "Dong ngan sau tieu de"
    assert kept([below, P150]) == [below, P150]


def test_a_date_line_above_the_body_is_dropped_a_sentence_with_a_date_is_not():
    assert kept(["20/11/2026 08:15", P150]) == [P150]
    assert kept(["Ngay 20/11/2026.", P150]) == ["Ngay 20/11/2026.", P150]
    assert kept([P150, "20/11/2026 08:15"]) == [P150, "20/11/2026 08:15"]
    at100 = "20/11/2026 " + "x" * 89
    at101 = at100 + "x"
    assert kept([at100, P150]) == [P150]
    assert kept([at101, P150]) == [at101, P150]


def test_a_line_repeated_at_once_is_kept_once_and_apart_twice():
    again = "Doan van lap lai."
    assert kept([P150, again, again, text(90)]) == [P150, again, text(90)]
    assert kept([again, P150, again]) == [again, P150, again]


# -- _link_runs: three headline links in a row are a box --------------------------------------------


def headline_block(i: int) -> Block:
    page = index(f'<p><a href="/b{i}">Tin so {i} ve hoat dong co so</a></p>')
    return page.blocks[0]


def test_three_headline_links_in_a_row_are_a_box_two_are_not():
    h = [headline_block(i) for i in range(4)]
    own = index(paras(P150)).blocks[0]
    assert _link_runs([h[0], h[1], h[2]]) == {0, 1, 2}
    assert _link_runs([h[0], h[1], own, h[2]]) == set()
    assert _link_runs([own, h[0], None, h[1], h[2], h[3]]) == {3, 4, 5}
    assert _link_runs([h[0], h[1], h[2], own, h[3]]) == {0, 1, 2}


# -- _link_bar -------------------------------------------------------------------------------------------


def bar(markup: str) -> Block:
    return index(markup).blocks[0]


def test_a_link_bar_is_two_links_over_four_fifths_of_under_80_characters():
    assert _link_bar(bar('<p><a href="/a">aaaa</a>x<a href="/b">aaaaa</a></p>'))  # 9 of 10
    assert not _link_bar(bar('<p><a href="/a">aaaa</a>xx<a href="/b">aaaa</a></p>'))  # 8 of 10
    assert not _link_bar(bar('<p><a href="/a">aaaaaaaaaa</a></p>'))  # one link
    assert _link_bar(bar(f'<p><a href="/a">{"a" * 39}</a><a href="/b">{"b" * 40}</a></p>'))  # 79
    assert not _link_bar(bar(f'<p><a href="/a">{"a" * 40}</a><a href="/b">{"b" * 40}</a></p>'))  # 80


# -- _boxed_teasers: listing items after the article's first paragraph -------------------------------


def item(i: int, teaser: str) -> str:
    return (
        f'<div><h3><a href="/tin/bai-so-{i}">Tin so {i} ve hoat dong tuyen giao</a></h3><p>{teaser}</p></div>'
    )


def test_items_after_the_first_paragraph_are_a_box_and_a_text_opening_with_items_is_left_whole():
    first, t1, t2 = text(80), text(30, "Mot"), text(30, "Hai")
    page = index(H1 + item(1, t1) + paras(first) + item(2, t2))
    assert _boxed_teasers(page, title_of(page), [t1, first, t2]) == {2}
    assert _boxed_teasers(page, title_of(page), [first, t2]) == {1}
    assert _boxed_teasers(page, title_of(page), [t1, t2]) == set()  # no paragraph of 80
    opening = text(80, "Ba")
    page = index(H1 + item(3, opening) + item(4, t2))
    assert _boxed_teasers(page, title_of(page), [opening, t2]) == set()
    page = index(H1 + paras(text(79)) + item(5, t2))
    assert _boxed_teasers(page, title_of(page), [text(79), t2]) == set()


# -- _drop_trailing_outside: short closing lines outside the article's box ----------------------------


def trailing(markup: str, lines: list[str]) -> list[str]:
    page = index(markup)
    out = list(lines)
    _drop_trailing_outside(out, [page.find_block(x) for x in lines])
    return out


A, B = text(80, "Mot"), text(80, "Hai")


def test_short_lines_after_the_articles_box_are_dropped():
    markup = f"<div>{paras(A, B, 'Dong trong hop')}</div><div>{paras('Ban quyen', 'Lien he')}</div>"
    assert trailing(markup, [A, B, "Dong trong hop", "Ban quyen", "Lien he"]) == [A, B, "Dong trong hop"]


def test_nothing_is_dropped_with_one_paragraph_a_box_that_is_the_page_or_a_line_not_on_it():
    markup = f"<div>{paras(A, text(79))}</div><div>{paras('Lien he')}</div>"
    assert trailing(markup, [A, text(79), "Lien he"]) == [A, text(79), "Lien he"]
    markup = paras(A, B) + f"<div>{paras('Lien he')}</div>"
    assert trailing(markup, [A, B, "Lien he"]) == [A, B, "Lien he"]
    markup = f"<div>{paras(A, B)}</div><div>{paras(text(80, 'Ba'), 'Lien he')}</div>"
    assert trailing(markup, [A, B, text(80, "Ba"), "Lien he"]) == [A, B, text(80, "Ba"), "Lien he"]
    markup = f"<div>{paras(A, B)}</div>"
    assert trailing(markup, [A, B, "khong co tren trang"]) == [A, B, "khong co tren trang"]


def test_paragraphs_in_nested_boxes_share_their_common_box():
    markup = f"<div><div>{paras(A)}</div><div>{paras(B)}</div>{paras('Dong cuoi')}</div><p>Ngoai</p>"
    assert trailing(markup, [A, B, "Dong cuoi", "Ngoai"]) == [A, B, "Dong cuoi"]


def test_the_first_line_stays_whatever_follows():
    markup = f"<div>{paras(A)}</div><div>{paras(B)}</div>"
    out = ["Dong dau"]
    page = index(markup + paras("Dong dau"))
    _drop_trailing_outside(out, [page.find_block("Dong dau")])
    assert out == ["Dong dau"]


# -- _before_title, _inline_box_follows -----------------------------------------------------------------


def test_before_the_title_is_a_block_above_the_headline():
    page = index(paras("Tren") + H1 + paras("Duoi"))
    t = title_of(page)
    assert _before_title(t, page.by_text["Tren"][0])
    assert not _before_title(t, page.by_text["Duoi"][0])
    assert not _before_title(t, t.block)
    assert not _before_title(t, None)
    assert not _before_title(Title(None, HEADLINE, None, frozenset()), page.by_text["Tren"][0])


def follows(lines: list[str], markup: str | None = None, related: Related = NO_RELATED) -> bool:
    page = index(H1 + (paras(*lines) if markup is None else markup))
    return _inline_box_follows(page, related, lines, 0)


def test_an_inline_box_needs_300_characters_of_paragraphs_of_100_after_it():
    assert follows(["Tin liên quan", text(150), text(150)])
    assert not follows(["Tin liên quan", text(150), text(149)])
    assert follows(["Tin liên quan", text(100), text(200)])
    assert not follows(["Tin liên quan", text(99), text(201)])
    assert not follows(["Phản hồi", text(150), text(150)])
    assert follows(["Tin liên quan", "Dong ngan", text(150), text(150)])  # short lines are passed over
    assert follows(["Tin liên quan", text(150), text(150), "Phản hồi", text(150)])


def test_an_inline_box_counts_no_link_lines_no_related_lines_nothing_after_an_end_heading():
    lines = ["Tin liên quan", text(150), "Phản hồi", text(150)]
    assert not follows(lines)
    linked = f'<p><a href="/x">{"a" * 31}</a>{"b" * 69}</p>'  # link share 0.31
    three_tenths = f'<p><a href="/x">{"a" * 30}</a>{"b" * 70}</p>'  # 0.3
    assert not follows(
        ["Tin liên quan", "a" * 31 + "b" * 69, text(200)], paras("Tin liên quan") + linked + paras(text(200))
    )
    assert follows(
        ["Tin liên quan", "a" * 30 + "b" * 70, text(200)],
        paras("Tin liên quan") + three_tenths + paras(text(200)),
    )
    markup = paras("Tin liên quan") + f"<div>{paras(text(150))}</div>" + paras(text(150, "Hai"))
    page = index(H1 + markup)
    box = page.by_text[text(150)][0].el.getparent()
    lines = ["Tin liên quan", text(150), text(150, "Hai")]
    assert _inline_box_follows(page, NO_RELATED, lines, 0)
    assert not _inline_box_follows(page, Related([], frozenset(), frozenset([box])), lines, 0)
    markup = (
        paras("Tin liên quan") + f"<div>{paras(text(150))}</div>" + paras(text(150, "Hai"), text(150, "Ba"))
    )
    page = index(H1 + markup)
    box = page.by_text[text(150)][0].el.getparent()
    lines = ["Tin liên quan", text(150), text(150, "Hai"), text(150, "Ba")]
    assert _inline_box_follows(page, Related([], frozenset(), frozenset([box])), lines, 0)  # passed over
    assert not follows(["Tin liên quan", "khong co tren trang " + text(300)], paras("Tin liên quan"))


# -- _is_noise_block --------------------------------------------------------------------------------------


def noise(markup: str, line: str, related: Related = NO_RELATED) -> bool:
    page = index(markup)
    return _is_noise_block(page, title_of(page), related, page.by_text[line][0])


def test_footer_nav_and_small_forms_below_the_title_are_noise():
    assert noise(H1 + "<footer><p>Dong cuoi trang</p></footer>", "Dong cuoi trang")
    assert noise(H1 + "<nav><p>Dong menu</p></nav>", "Dong menu")
    assert not noise(H1 + "<div><p>Dong binh thuong</p></div>", "Dong binh thuong")
    form39 = "<form>" + paras(*[f"Dong {i}" for i in range(39)]) + "</form>"
    form40 = "<form>" + paras(*[f"Dong {i}" for i in range(40)]) + "</form>"
    assert noise(H1 + form39, "Dong 0")
    assert not noise(H1 + form40, "Dong 0")
    assert not noise(f"<form>{H1}{paras('Dong trong form')}</form>", "Dong trong form")  # WebForms page
    assert not noise(f"<footer>{H1}{paras('Chan bai')}</footer>", "Chan bai")


def test_related_sections_are_noise():
    page = index(H1 + "<div><p>Mot dong</p></div>")
    b = page.by_text["Mot dong"][0]
    assert _is_noise_block(page, title_of(page), Related([], frozenset(), frozenset([b.el.getparent()])), b)
    assert not _is_noise_block(page, title_of(page), NO_RELATED, b)


def test_short_link_lines_in_the_chrome_are_noise():
    side = '<div class="sidebar"><p><a href="/x">{}</a>{}</p></div>'
    assert noise(H1 + side.format("a" * 61, "b" * 39), "a" * 61 + "b" * 39)
    assert not noise(H1 + side.format("a" * 60, "b" * 40), "a" * 60 + "b" * 40)
    assert noise(H1 + side.format("a" * 149, ""), "a" * 149)
    assert not noise(H1 + side.format("a" * 150, ""), "a" * 150)
    assert not noise(H1 + '<div><p><a href="/x">{}</a></p></div>'.format("a" * 100), "a" * 100)


def test_link_runs_boxed_teasers_and_small_forms_are_cut_from_the_body():
    heads = [f"Tin so {i} ve hoat dong co so" for i in range(3)]
    markup = (
        paras(P150)
        + "".join(f'<p><a href="/b{i}">{h}</a></p>' for i, h in enumerate(heads))
        + paras(text(90))
    )
    assert kept([P150, *heads, text(90)], markup) == [P150, text(90)]
    teaser = text(40, "Ba")
    markup = (
        paras(P150) + f'<div><h3><a href="/tin/bai-1">Tin so 1 ve hoat dong</a></h3><p>{teaser}</p></div>'
    )
    assert kept([P150, teaser, text(90)], markup + paras(text(90))) == [P150, text(90)]
    markup = paras(P150) + f"<form>{paras('Ho ten nguoi gui y kien')}</form>" + paras(text(90))
    assert kept([P150, "Ho ten nguoi gui y kien", text(90)], markup) == [P150, text(90)]


def test_short_closing_lines_outside_the_articles_box_are_cut_from_the_body():
    markup = f"<div>{paras(A, B)}</div><div>{paras('Dong chan trang')}</div>"
    assert kept([A, B, "Dong chan trang"], markup) == [A, B]
