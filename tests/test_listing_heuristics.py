"""The listing and soft-404 heuristics of archive/extract/kind.py, one rule at a time, at its bounds.

Whole pages (tests/test_extract_articlehood.py) show the verdicts, but a page far from every
threshold keeps its verdict when a threshold moves; a changed bound decides whether a short
article is archived or dropped as a category page. Here each function gets a hand-built page
just above and just below each of its bounds; the lengths are counted here, not taken from the
extractor's output.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest

from archive.extract.dom import Block
from archive.extract.kind import (
    _main_region_teasers,
    _teaser,
    _teasers_make_body,
    has_article_evidence,
    has_headline_over_text,
    looks_listing,
    looks_not_found,
)
from archive.extract.page import PageIndex, Title, index_page
from archive.profiles import SiteProfile
from archive.record import Record

NOW = datetime(2026, 12, 3, tzinfo=UTC)
HOST = "https://tuyengiao.example.vn"
URL = HOST + "/thoi-su/hoi-nghi-giao-ban-110001"
HEADLINE = "Hội nghị giao ban công tác tuyên giáo"  # six words


def text(n: int, word: str = "Lời") -> str:
    """Unlinked text of exactly ``n`` characters (words, then a full stop)."""
    out = (f"{word} " * n)[: n - 1] + "."
    assert len(out) == n
    return out


def teaser(i: int) -> str:
    """A headline link alone in its paragraph: eight words, all linked."""
    return f'<p><a href="/tin/bai-so-{i}">Tin số {i} về hoạt động tuyên giáo cơ sở</a></p>'


def index(body: str, *, url: str = URL, head: str = "", profile: SiteProfile | None = None) -> PageIndex:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return index_page(lxml.html.document_fromstring(html), url, profile, NOW, html)


def title_of(page: PageIndex, line: str | None = HEADLINE) -> Title:
    """The title anchor on the block showing ``line``; no block when ``line`` is None."""
    block = page.by_text[line][0] if line is not None else None
    return Title(block=block, text=line or HEADLINE, pos=None, ancestors=frozenset())


def block(text_: str, link_chars: int) -> Block:
    return Block(lxml.html.fromstring("<p>x</p>"), text_, 0, link_chars)


# -- _teaser: a block mostly linked, of headline length ----------------------------------------


def test_a_teaser_is_more_than_four_fifths_linked():
    line = "Một hai ba bốn năm sáu"  # 22 characters, six words
    assert _teaser(block(line, 18))  # 0.818
    assert not _teaser(block(line, 17))  # 0.773
    exact = text(60)
    assert _teaser(block(exact, 49))
    assert not _teaser(block(exact, 48))  # exactly 0.8


def test_a_teaser_has_six_words():
    assert _teaser(block("Một hai ba bốn năm sáu", 22))
    assert not _teaser(block("Một hai ba bốn năm", 18))
    assert not _teaser(block("Mộthaiba bốnnămsáu bảy tám chín", 0))


# -- _main_region_teasers: outside the chrome, outside the boxes under end headings -------------


def test_teasers_under_an_end_heading_do_not_count_until_a_paragraph_ends_the_box():
    page = index(
        teaser(1)
        + "<h3>Tin khác</h3>"
        + teaser(2)
        + f"<p>{text(79)}</p>"  # too short to end the box
        + teaser(3)
        + f"<p>{text(80)}</p>"  # a paragraph: the box is over
        + teaser(4)
    )
    found = [b.text for b in _main_region_teasers(page)]
    assert found == [
        "Tin số 1 về hoạt động tuyên giáo cơ sở",
        "Tin số 4 về hoạt động tuyên giáo cơ sở",
    ]


def test_a_paragraph_half_linked_ends_the_box_and_one_more_linked_does_not():
    half = f'<p><a href="/x">{"a" * 40}</a>{"b" * 40}</p>'  # 80 characters, link share 0.5
    more = f'<p><a href="/x">{"a" * 41}</a>{"b" * 39}</p>'  # 0.5125
    page = index("<h3>Tin khác</h3>" + more + teaser(1) + half + teaser(2))
    assert [b.text for b in _main_region_teasers(page)] == ["Tin số 2 về hoạt động tuyên giáo cơ sở"]


def test_teasers_in_the_chrome_do_not_count_and_other_blocks_are_not_teasers():
    page = index(
        f"<nav>{teaser(1)}</nav><div class='sidebar'>{teaser(2)}</div>"
        + f"<p>{text(120)}</p><p><a href='/y'>Năm chữ một liên kết</a></p>"
        + teaser(3)
    )
    assert [b.text for b in _main_region_teasers(page)] == ["Tin số 3 về hoạt động tuyên giáo cơ sở"]


# -- has_headline_over_text ---------------------------------------------------------------------

ARTICLE = f"<h1>{HEADLINE}</h1><p>{text(40)}</p>"


def test_a_headline_of_four_words_over_forty_characters_of_own_text():
    page = index(ARTICLE)
    assert has_headline_over_text(page, title_of(page), [text(40)])
    assert not has_headline_over_text(page, title_of(page), [text(39)])
    assert not has_headline_over_text(page, title_of(page), [])
    four = index(f"<h1>Hội nghị giao ban</h1><p>{text(40)}</p>")
    assert has_headline_over_text(four, title_of(four, "Hội nghị giao ban"), [text(40)])
    three = index(f"<h1>Hội nghị tuyên</h1><p>{text(40)}</p>")
    assert not has_headline_over_text(three, title_of(three, "Hội nghị tuyên"), [text(40)])


@pytest.mark.parametrize("path", ["/X", "/x/", "/thoi-su"])
def test_a_page_below_the_home_page_may_show_a_headline(path):
    page = index(ARTICLE, url=HOST + path)
    assert has_headline_over_text(page, title_of(page), [text(40)])


def test_no_headline_block_no_headline():
    page = index(ARTICLE)
    assert not has_headline_over_text(page, title_of(page, None), [text(40)])


def test_one_long_line_is_enough_among_short_ones():
    page = index(f"<h1>{HEADLINE}</h1><p>Ngắn.</p><p>{text(40)}</p>")
    assert has_headline_over_text(page, title_of(page), ["Ngắn.", text(40)])


@pytest.mark.parametrize("url", [HOST, HOST + "/", HOST + "//"])
def test_the_home_page_has_no_headline(url):
    page = index(ARTICLE, url=url)
    assert not has_headline_over_text(page, title_of(page), [text(40)])


def test_a_headline_that_is_the_site_name_is_no_headline():
    head = f'<meta property="og:site_name" content="{HEADLINE.upper()}!">'
    page = index(ARTICLE, head=head)
    assert not has_headline_over_text(page, title_of(page), [text(40)])
    other = index(ARTICLE, head='<meta property="og:site_name" content="Báo điện tử Tuyên giáo">')
    assert has_headline_over_text(other, title_of(other), [text(40)])


def test_a_linked_line_is_not_own_text_and_a_line_at_three_fifths_linked_is():
    linked = f'<p><a href="/x">{"a" * 60}</a>{"b" * 40}</p>'  # link share 0.6: own text
    more = f'<p><a href="/x">{"a" * 61}</a>{"b" * 39}</p>'  # 0.61: a link
    page = index(f"<h1>{HEADLINE}</h1>" + linked)
    assert has_headline_over_text(page, title_of(page), ["a" * 60 + "b" * 40])
    page = index(f"<h1>{HEADLINE}</h1>" + more)
    assert not has_headline_over_text(page, title_of(page), ["a" * 61 + "b" * 39])
    page = index(f'<h1>{HEADLINE}</h1><p><a href="/x">{text(100)}</a></p>')
    assert not has_headline_over_text(page, title_of(page), [text(100)])


def test_article_evidence_is_a_headline_dated_as_an_article_or_typed_newsarticle():
    page = index(ARTICLE)
    t = title_of(page)
    assert has_article_evidence(page, t, "dateline", [text(40)])
    assert not has_article_evidence(page, t, "url", [text(40)])
    assert not has_article_evidence(page, t, None, [text(40)])
    assert not has_article_evidence(page, t, "dateline", [text(39)])
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}</script>'
    typed = index(ARTICLE, head=ld)
    assert has_article_evidence(typed, title_of(typed), None, [text(40)])
    webpage = (
        '<script type="application/ld+json">{"@type": "WebPage", "datePublished": "2026-12-01"}</script>'
    )
    untyped = index(ARTICLE, head=webpage)
    assert untyped.ld_article is not None
    assert not has_article_evidence(untyped, title_of(untyped), "htmldate", [text(40)])


# -- _teasers_make_body: the main text is other pages' teasers ---------------------------------


def item(i: int, teaser_text: str, href: str | None = None) -> str:
    """A listing item: a headline link to another page over that page's teaser."""
    href = href or f"/tin/bai-so-{i}"
    return f'<div class="item"><h3><a href="{href}">Tin số {i} về hoạt động tuyên giáo</a></h3><p>{teaser_text}</p></div>'


def teasers_page(lines: list[str], hrefs: list[str] | None = None) -> PageIndex:
    hrefs = hrefs or [f"/tin/bai-so-{i}" for i in range(len(lines))]
    return index(
        f"<h1>{HEADLINE}</h1>"
        + "".join(item(i, x, h) for i, (x, h) in enumerate(zip(lines, hrefs, strict=True)))
    )


def test_three_items_make_a_listing_when_they_are_half_the_text():
    lines = [text(30, "Một"), text(30, "Hai"), text(30, "Ba")]  # 90 characters of teasers
    page = teasers_page(lines)
    t = title_of(page)
    assert _teasers_make_body(page, t, lines, 180)  # exactly half
    assert not _teasers_make_body(page, t, lines, 181)
    assert not _teasers_make_body(page, t, lines, 0)


def test_two_items_must_be_nine_tenths_of_the_text():
    lines = [text(45, "Một"), text(45, "Hai")]
    page = teasers_page(lines)
    t = title_of(page)
    assert not _teasers_make_body(page, t, lines, 180)
    assert _teasers_make_body(page, t, lines, 100)  # 90 of 100: exactly nine tenths
    assert not _teasers_make_body(page, t, lines, 101)


def test_three_teasers_of_one_page_are_one_item():
    lines = [text(30, "Một"), text(30, "Hai"), text(30, "Ba")]
    page = teasers_page(lines, ["/tin/mot-bai"] * 3)
    t = title_of(page)
    assert not _teasers_make_body(page, t, lines, 180)
    assert _teasers_make_body(page, t, lines, 100)


def test_paragraphs_that_are_no_item_make_no_listing():
    lines = [text(90)]
    page = index(f"<h1>{HEADLINE}</h1><p>{lines[0]}</p>")
    assert not _teasers_make_body(page, title_of(page), lines, 90)
    assert not _teasers_make_body(page, title_of(page, None), lines, 90)


# -- looks_listing --------------------------------------------------------------------------------


def listing_page(n_teasers: int, own: str, *, where: str = "{}", url: str = URL, profile=None) -> PageIndex:
    teasers = "".join(teaser(i) for i in range(n_teasers))
    return index(f"<h1>{HEADLINE}</h1><p>{own}</p>" + where.format(teasers), url=url, profile=profile)


def test_main_text_two_fifths_linked_is_a_listing():
    linked, own = "a" * 40, "b" * 60
    page = index(f'<h1>{HEADLINE}</h1><p><a href="/x">{linked}</a></p><p>{own}</p>')
    t = title_of(page)
    assert looks_listing(page, t, [linked, own])
    assert looks_listing(page, t, [linked, own], evidence=True)
    page = index(f'<h1>{HEADLINE}</h1><p><a href="/x">{linked}</a></p><p>{own}b</p>')
    assert not looks_listing(page, t, [linked, own + "b"])  # 40 of 101
    assert not looks_listing(page, t, [])


def test_teasers_as_the_main_text_make_a_listing_even_with_article_evidence():
    lines = [text(30, "Một"), text(30, "Hai"), text(30, "Ba")]
    page = teasers_page(lines)
    assert looks_listing(page, title_of(page), lines, evidence=True)


def test_fifteen_teasers_and_under_four_hundred_characters_of_text():
    own = text(399)
    page = listing_page(15, own)
    t = title_of(page)
    assert looks_listing(page, t, [own])
    assert not looks_listing(page, t, [own], evidence=True)
    page = listing_page(14, own)
    assert not looks_listing(page, title_of(page), [own])
    page = listing_page(15, text(400))
    assert not looks_listing(page, title_of(page), [text(400)])


def test_with_a_headline_only_the_main_region_teasers_count():
    own = text(100)
    page = listing_page(15, own, where="<aside>{}</aside>")
    assert not looks_listing(page, title_of(page), [own])
    assert looks_listing(page, title_of(page, None), [own])  # no headline: every teaser counts
    page = listing_page(15, own, where="<h3>Tin khác</h3><div>{}</div>")
    assert not looks_listing(page, title_of(page), [own])


def site(listing: str, article: str = r"-\d+$") -> SiteProfile:
    return SiteProfile(
        name="tg",
        hosts=("tuyengiao.example.vn",),
        base_url=HOST,
        listing_path_patterns=(listing,),
        article_path_patterns=(article,),
    )


def test_on_a_listing_address_eight_teasers_and_under_two_thousand_characters():
    url, profile = HOST + "/thoi-su", site(r"^/thoi-su$")
    own = text(1999)
    page = listing_page(8, own, url=url, profile=profile)
    assert looks_listing(page, title_of(page), [own])
    page = listing_page(7, text(100), url=url, profile=profile)
    assert not looks_listing(page, title_of(page), [text(100)])
    page = listing_page(8, text(2000), url=url, profile=profile)
    assert not looks_listing(page, title_of(page), [text(2000)])


def test_an_address_that_is_also_an_article_one_or_no_listing_one_needs_fifteen():
    own = text(100)
    both = site(r"^/thoi-su/", r"-\d+$")
    page = listing_page(8, own, profile=both)  # URL ends in -110001: an article address too
    assert not looks_listing(page, title_of(page), [own])
    neither = site(r"^/chuyen-muc/", r"\.html$")
    page = listing_page(8, own, profile=neither)
    assert not looks_listing(page, title_of(page), [own])
    page = listing_page(14, own, profile=neither)
    assert not looks_listing(page, title_of(page), [own])
    page = listing_page(15, own, profile=neither)
    assert looks_listing(page, title_of(page), [own])


# -- looks_not_found -------------------------------------------------------------------------------


def test_error_wording_in_the_title_with_under_six_hundred_characters():
    page = index(f"<h1>{HEADLINE}</h1>")
    assert looks_not_found(page, Record(url=URL, title="Không tìm thấy trang", text=text(599)))
    assert not looks_not_found(page, Record(url=URL, title="Không tìm thấy trang", text=text(600)))
    assert not looks_not_found(page, Record(url=URL, title=HEADLINE, text=text(100)))
    assert not looks_not_found(page, Record(url=URL, title=None, text=""))


@pytest.mark.parametrize("tag", ["h1", "h2"])
def test_error_wording_in_the_first_three_top_headings(tag):
    heads = "".join(f"<{tag}>Tiêu đề số {i}</{tag}>" for i in range(2))
    page = index(heads + f"<{tag}>Lỗi 404</{tag}>")
    assert looks_not_found(page, Record(url=URL, title=HEADLINE, text=text(100)))
    page = index(heads + f"<{tag}>Tiêu đề số 2</{tag}><{tag}>Lỗi 404</{tag}>")  # the fourth
    assert not looks_not_found(page, Record(url=URL, title=HEADLINE, text=text(100)))


def test_error_wording_in_a_lower_heading_does_not_count():
    page = index("<h3>Lỗi 404</h3>")
    assert not looks_not_found(page, Record(url=URL, title=HEADLINE, text=text(100)))


def test_error_wording_in_a_text_under_two_hundred_characters():
    page = index(f"<h1>{HEADLINE}</h1>")
    wording = "Trang bạn yêu cầu không tồn tại. "
    assert looks_not_found(page, Record(url=URL, title=HEADLINE, text=wording + text(199 - len(wording))))
    assert not looks_not_found(page, Record(url=URL, title=HEADLINE, text=wording + text(200 - len(wording))))
