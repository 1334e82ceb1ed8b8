"""archive/extract/dating.py rule by rule: which date on a page is its publication date.

A date taken from the wrong line (the masthead's "today", a teaser's date, a line after the
article) files an article on the wrong day, where no researcher looks for it. Each rule is tried
on a hand-built page at its bounds (the block just inside and just outside a window, a link
share at its threshold); the expected instants are written here by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import pytest

from archive.dates import ParsedDate
from archive.extract.dating import (
    _date_from,
    _dateline_ok,
    _htmldate,
    _iso,
    _url_date,
    find_dateline,
    find_dates,
)
from archive.extract.nextdata import NextArticle
from archive.extract.page import PageIndex, Related, Title, index_page
from archive.profiles import SiteProfile

VN = timezone(timedelta(hours=7))
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=VN)
HOST = "https://tuyengiao.example.vn"
URL = HOST + "/thoi-su/hoi-nghi-giao-ban-110001"
HEADLINE = "Hội nghị giao ban công tác tuyên giáo"
BODY = "<p>" + "Nội dung bài viết về công tác tuyên giáo ở cơ sở. " * 4 + "</p>"
NO_RELATED = Related(links=[], titles=frozenset(), els=frozenset())


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def at24(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A day of November 2024: htmldate refuses dates after the machine's own clock."""
    return datetime(2024, 11, day, hour, minute, tzinfo=VN)


def index(
    body: str, *, url: str = URL, head: str = "", profile: SiteProfile | None = None, now: datetime = NOW
) -> PageIndex:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return index_page(lxml.html.document_fromstring(html), url, profile, now, html)


def title_of(page: PageIndex, line: str | None = HEADLINE) -> Title:
    """The title anchor as the extractor makes it: the heading block, its element and ancestors."""
    if line is None:
        return Title(None, HEADLINE, None, frozenset())
    b = page.by_text[line][0]
    return Title(b, line, page.pos[b.el], frozenset([b.el, *b.el.iterancestors()]))


def dateline(body: str, **kw) -> tuple[datetime | None, datetime | None]:
    """find_dateline's publish and modified instants on a page."""
    page = index(body, **kw)
    found, modified = find_dateline(page, title_of(page), NO_RELATED)
    if found is not None:
        assert found.source in ("dateline", "time")
    return (found.parsed.value if found else None), (modified.value if modified else None)


def fillers(n: int, start: int = 0) -> str:
    """``n`` short lines that hold no date."""
    return "".join(f"<p>Dòng phụ số {i}</p>" for i in range(start, start + n))


H1 = f"<h1>{HEADLINE}</h1>"


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


# -- _iso: ISO or Vietnamese, not later than two hours from now --------------------------------


def test_iso_reads_iso_and_vietnamese_dates_up_to_two_hours_ahead():
    page = index(H1)
    assert _iso(page, "2026-12-03T11:00:00+07:00").value == NOW + timedelta(hours=2)
    assert _iso(page, "2026-12-03T04:00:00Z").value == NOW + timedelta(hours=2)
    assert _iso(page, "2026-12-03T11:01:00+07:00") is None
    assert _iso(page, "03/12/2026 10:59").value == at(3, 10, 59, month=12)
    assert _iso(page, "không có ngày") is None


# -- find_dates: the sources, the choice, the modified date ----------------------------------------


def test_jsonld_gives_the_publish_and_the_modified_date():
    head = ld(
        '{"@type": "NewsArticle", "datePublished": "2026-11-20T08:15:00+07:00", "dateModified": "2026-11-21T10:00:00+07:00"}'
    )
    dating = find_dates(index(H1 + BODY, head=head), title_of(index(H1 + BODY)), NO_RELATED, None)
    assert dating.published.source == "jsonld"
    assert dating.published.parsed.value == at(20, 8, 15)
    assert dating.modified.value == at(21, 10)


def test_a_modified_date_before_the_publish_date_is_dropped_and_an_equal_one_kept():
    for modified, kept in (("2026-11-20T08:14:00+07:00", None), ("2026-11-20T08:15:00+07:00", at(20, 8, 15))):
        head = ld(
            f'{{"@type": "NewsArticle", "datePublished": "2026-11-20T08:15:00+07:00", "dateModified": "{modified}"}}'
        )
        page = index(H1 + BODY, head=head)
        dating = find_dates(page, title_of(page), NO_RELATED, None)
        assert dating.published.parsed.value == at(20, 8, 15)
        assert (dating.modified.value if dating.modified else None) == kept


def test_jsonld_dates_that_are_not_strings_or_in_the_future_are_skipped():
    head = ld(
        '{"@type": "NewsArticle", "datePublished": 20261120, "dateModified": "2026-12-05T08:00:00+07:00"}'
    )
    head += '<meta property="article:published_time" content="2026-11-19T07:00:00+07:00">'
    page = index(H1 + BODY, head=head)
    dating = find_dates(page, title_of(page), NO_RELATED, None)
    assert (dating.published.source, dating.published.parsed.value) == ("meta", at(19, 7))
    assert dating.modified is None


def test_the_jsonld_modified_date_wins_over_the_meta_one_and_the_meta_one_serves_alone():
    meta = '<meta property="article:modified_time" content="2026-11-22T09:00:00+07:00">'
    jsonld = ld(
        '{"@type": "NewsArticle", "datePublished": "2026-11-20T08:15:00+07:00", "dateModified": "2026-11-21T10:00:00+07:00"}'
    )
    page = index(H1 + BODY, head=jsonld + meta)
    assert find_dates(page, title_of(page), NO_RELATED, None).modified.value == at(21, 10)
    alone = ld('{"@type": "NewsArticle", "datePublished": "2026-11-20T08:15:00+07:00"}')
    page = index(H1 + BODY, head=alone + meta)
    assert find_dates(page, title_of(page), NO_RELATED, None).modified.value == at(22, 9)


def test_the_first_source_with_a_time_of_day_wins_else_the_first():
    date_only = ld('{"@type": "NewsArticle", "datePublished": "2026-11-20"}')
    timed_meta = '<meta property="article:published_time" content="2026-11-19T07:00:00+07:00">'
    page = index(H1 + BODY, head=date_only + timed_meta)
    chosen = find_dates(page, title_of(page), NO_RELATED, None).published
    assert (chosen.source, chosen.parsed.value) == ("meta", at(19, 7))
    date_meta = '<meta property="article:published_time" content="2026-11-19">'
    page = index(H1 + BODY, head=date_only + date_meta)
    chosen = find_dates(page, title_of(page), NO_RELATED, None).published
    assert (chosen.source, chosen.parsed.value, chosen.parsed.has_time) == ("jsonld", at(20), False)
    timed = ld('{"@type": "NewsArticle", "datePublished": "2026-11-20T08:15:00+07:00"}')
    page = index(H1 + BODY, head=timed + timed_meta)
    assert find_dates(page, title_of(page), NO_RELATED, None).published.source == "jsonld"


def test_embedded_json_dates_in_epoch_milliseconds():
    nxt = NextArticle(
        published_raw="1763601300000", modified_raw="1763690400"
    )  # 2025-11-20 08:15, 11-21 09:00 VN
    page = index(H1 + BODY)
    dating = find_dates(page, title_of(page), NO_RELATED, nxt)
    assert dating.published.source == "nextdata"
    assert dating.published.parsed.value == datetime(2025, 11, 20, 8, 15, tzinfo=VN)
    assert dating.published.parsed.raw == "1763601300000"
    assert dating.modified.value == datetime(2025, 11, 21, 9, 0, tzinfo=VN)
    iso = NextArticle(published_raw="2026-11-20T08:15:00+07:00")
    dating = find_dates(page, title_of(page), NO_RELATED, iso)
    assert (dating.published.source, dating.published.parsed.value) == ("nextdata", at(20, 8, 15))
    assert find_dates(page, title_of(page), NO_RELATED, NextArticle(published_raw="x")).published is None


def test_embedded_json_modified_date_does_not_replace_an_earlier_one():
    meta = '<meta property="article:modified_time" content="2026-11-22T09:00:00+07:00">'
    nxt = NextArticle(published_raw="2026-11-20T08:15:00+07:00", modified_raw="2026-11-23T09:00:00+07:00")
    page = index(H1 + BODY, head=meta)
    assert find_dates(page, title_of(page), NO_RELATED, nxt).modified.value == at(22, 9)


def test_the_date_line_and_its_update_serve_when_metadata_is_silent():
    page = index(H1 + "<p>20/11/2026 08:15 Cập nhật: 21/11/2026 10:00</p>" + BODY)
    dating = find_dates(page, title_of(page), NO_RELATED, None)
    assert (dating.published.source, dating.published.parsed.value) == ("dateline", at(20, 8, 15))
    assert dating.modified.value == at(21, 10)
    meta = '<meta property="article:modified_time" content="2026-11-22T09:00:00+07:00">'
    page = index(H1 + "<p>20/11/2026 08:15 Cập nhật: 21/11/2026 10:00</p>" + BODY, head=meta)
    assert find_dates(page, title_of(page), NO_RELATED, None).modified.value == at(22, 9)


def test_the_url_dates_a_page_last_and_htmldate_only_when_nothing_else_does():
    page = index(H1 + BODY, url=HOST + "/2026/11/20/bai-viet")
    chosen = find_dates(page, title_of(page), NO_RELATED, None).published
    assert (chosen.source, chosen.parsed.value, chosen.parsed.has_time) == ("url", at(20), False)
    page = index(H1 + "<p>19/11/2026</p>" + BODY, url=HOST + "/2026/11/20/bai-viet")
    assert find_dates(page, title_of(page), NO_RELATED, None).published.source == "dateline"
    abbr = '<abbr class="published" title="2024-11-18T07:30:00+07:00">x</abbr>'
    page = index(H1 + abbr + BODY)
    chosen = find_dates(page, title_of(page), NO_RELATED, None).published
    assert (chosen.source, chosen.parsed.value, chosen.parsed.has_time) == ("htmldate", at24(18, 7, 30), True)
    page = index(H1 + BODY)
    dating = find_dates(page, title_of(page), NO_RELATED, None)
    assert (dating.published, dating.modified) == (None, None)


# -- find_dateline: the window around the headline ------------------------------------------------


def test_the_line_under_the_headline_with_its_update():
    assert dateline(H1 + "<p>20/11/2026 08:15</p>" + BODY) == (at(20, 8, 15), None)
    assert dateline(H1 + "<p>20/11/2026 08:15 | Cập nhật 21/11/2026 10:00</p>") == (at(20, 8, 15), at(21, 10))


def test_without_a_headline_block_no_date_line():
    page = index(H1 + "<p>20/11/2026 08:15</p>")
    assert find_dateline(page, title_of(page, None), NO_RELATED) == (None, None)


def test_a_profile_date_hint_is_read_first():
    profile = SiteProfile(
        name="tg", hosts=("tuyengiao.example.vn",), base_url=HOST, hints={"date": ("//p[@class='ngay']",)}
    )
    body = H1 + "<p>20/11/2026 08:15</p>" + fillers(30) + "<p class='ngay'>18/11/2026 07:00</p>"
    assert dateline(body, profile=profile) == (at(18, 7), None)
    profile = SiteProfile(
        name="tg",
        hosts=("tuyengiao.example.vn",),
        base_url=HOST,
        hints={"date": ("//p[@class='ngay']", "//p[@class='khac']")},
    )
    body = H1 + "<p>20/11/2026 08:15</p><p class='ngay'>không có ngày</p>"
    assert dateline(body, profile=profile) == (at(20, 8, 15), None)


def test_the_window_after_the_headline_is_twenty_four_blocks():
    assert dateline(H1 + fillers(23) + "<p>20/11/2026 08:15</p>") == (at(20, 8, 15), None)
    assert dateline(H1 + fillers(24) + "<p>20/11/2026 08:15</p>") == (None, None)


def test_an_end_heading_closes_the_window():
    assert dateline(H1 + fillers(2) + "<h3>Tin khác</h3><p>20/11/2026 08:15</p>") == (None, None)


LONG = "<p>" + "x" * 151 + "</p>"
EXACT = "<p>" + "x" * 150 + "</p>"


def test_a_paragraph_after_the_fourth_block_leaves_three_more_blocks():
    # the paragraph is block t+5: the date line may be t+8 at most
    assert dateline(H1 + fillers(4) + LONG + fillers(2) + "<p>20/11/2026 08:15</p>") == (at(20, 8, 15), None)
    assert dateline(H1 + fillers(4) + LONG + fillers(3) + "<p>20/11/2026 08:15</p>") == (None, None)
    # a paragraph at t+4 leaves t+7; one at t+3 leaves the whole window
    assert dateline(H1 + fillers(3) + LONG + fillers(3) + "<p>20/11/2026 08:15</p>") == (None, None)
    assert dateline(H1 + fillers(2) + LONG + fillers(10) + "<p>20/11/2026 08:15</p>") == (at(20, 8, 15), None)


def test_a_line_of_150_characters_is_not_a_paragraph():
    assert dateline(H1 + fillers(4) + EXACT + fillers(5) + "<p>20/11/2026 08:15</p>") == (at(20, 8, 15), None)


def test_a_long_block_with_a_time_element_is_a_candidate():
    tm = '<p><time datetime="2026-11-20T08:15:00+07:00">20/11</time> ' + "x" * 200 + "</p>"
    assert dateline(H1 + tm + BODY) == (at(20, 8, 15), None)


def test_twelve_blocks_before_the_headline_are_searched():
    assert dateline("<p>20/11/2026 08:15</p>" + fillers(11) + H1) == (at(20, 8, 15), None)
    assert dateline("<p>20/11/2026 08:15</p>" + fillers(12) + H1) == (None, None)
    assert dateline("<p>20/11/2026 08:15</p>" + H1) == (at(20, 8, 15), None)


def menu(n: int, share_text: str = "") -> str:
    return "".join(f'<p><a href="/muc-{i}">{"m" * 10}</a>{share_text}</p>' for i in range(n))


def test_five_links_between_a_date_and_the_headline_end_the_search_upwards():
    assert dateline("<p>20/11/2026 08:15</p>" + menu(4) + H1) == (at(20, 8, 15), None)
    assert dateline("<p>20/11/2026 08:15</p>" + menu(5) + H1) == (None, None)
    # a line three fifths linked is no link: five of them do not stop the search, and more do
    three_fifths = "".join(f'<p><a href="/m{i}">mmmmmm</a>nnnn</p>' for i in range(5))
    assert dateline("<p>20/11/2026 08:15</p>" + three_fifths + H1) == (at(20, 8, 15), None)
    more = "".join(f'<p><a href="/m{i}">mmmmmmm</a>nnnn</p>' for i in range(5))
    assert dateline("<p>20/11/2026 08:15</p>" + more + H1) == (None, None)


def test_the_nearest_timed_line_wins_and_below_wins_a_tie():
    # above at t-1 is distance 2; below at t+1 is 1, at t+2 is 2 (a tie: below first), at t+3 is 3
    above = "<p>18/11/2026 07:00</p>"
    assert dateline(above + H1 + "<p>20/11/2026 08:15</p>") == (at(20, 8, 15), None)
    assert dateline(above + H1 + fillers(1) + "<p>20/11/2026 08:15</p>") == (at(20, 8, 15), None)
    assert dateline(above + H1 + fillers(2) + "<p>20/11/2026 08:15</p>") == (at(18, 7), None)


def test_a_time_of_day_beats_a_nearer_bare_date():
    assert dateline(H1 + "<p>19/11/2026</p>" + fillers(3) + "<p>20/11/2026 08:15</p>") == (
        at(20, 8, 15),
        None,
    )
    assert dateline(H1 + "<p>19/11/2026</p>" + fillers(3) + "<p>20/11/2026</p>") == (at(19), None)


def test_todays_bare_date_above_the_headline_is_the_masthead():
    today = "<p>Thứ Năm, 03/12/2026</p>"
    assert dateline(today + H1 + BODY) == (None, None)
    assert dateline(today + H1 + "<p>02/12/2026</p>") == (at(2, month=12), None)
    assert dateline("<p>02/12/2026</p>" + H1 + BODY) == (at(2, month=12), None)
    assert dateline("<p>03/12/2026 07:00</p>" + H1 + BODY) == (at(3, 7, month=12), None)
    assert dateline(H1 + today + BODY) == (at(3, month=12), None)


def test_a_lone_update_line_is_the_modified_date_the_nearest_first():
    assert dateline(H1 + "<p>Cập nhật: 21/11/2026 10:00</p>" + BODY) == (None, at(21, 10))
    two = "<p>Cập nhật: 21/11/2026 10:00</p><p>Cập nhật: 22/11/2026 10:00</p>"
    assert dateline(H1 + two + "<p>20/11/2026 08:15</p>") == (at(20, 8, 15), at(21, 10))
    both = "<p>20/11/2026 08:15 Cập nhật: 23/11/2026 10:00</p>"
    assert dateline(H1 + "<p>Cập nhật: 21/11/2026 10:00</p>" + both) == (at(20, 8, 15), at(23, 10))


# -- _dateline_ok: short, not a sentence, a caption, a teaser or chrome ----------------------------


def ok(body: str, line: str, *, related: bool = False) -> bool:
    page = index(H1 + body)
    b = page.by_text[line][0]
    rel = Related([], frozenset(), frozenset([b.el.getparent()])) if related else NO_RELATED
    return _dateline_ok(page, title_of(page), rel, b)


def test_a_date_line_is_at_most_half_linked():
    assert ok('<p><a href="/x">aaaaa</a>bbbbb</p>', "aaaaabbbbb")
    assert not ok('<p><a href="/x">aaaaaa</a>bbbb</p>', "aaaaaabbbb")


def test_a_date_line_is_at_most_120_characters_without_a_time_element():
    assert ok(f"<p>{'x' * 120}</p>", "x" * 120)
    assert not ok(f"<p>{'x' * 121}</p>", "x" * 121)
    line = "20/11 " + "x" * 150
    assert ok(f'<p><time datetime="2026-11-20">20/11</time> {"x" * 150}</p>', line)


def test_a_sentence_a_caption_or_a_figure_is_no_date_line():
    assert not ok("<p>Ngày 20/11/2026.</p>", "Ngày 20/11/2026.")
    assert not ok('<p class="caption">20/11/2026</p>', "20/11/2026")
    assert not ok("<figure><p>20/11/2026</p></figure>", "20/11/2026")
    assert not ok("<figcaption>20/11/2026</figcaption>", "20/11/2026")


def test_a_line_beside_a_headline_link_of_six_words_is_a_teaser():
    six, five = "Một hai ba bốn năm sáu", "Một hai ba bốn năm"
    when = "Đăng lúc 08:15 ngày 20/11/2026"  # more text than link: the line is not half linked
    assert not ok(f'<p><a href="/x">{six}</a> {when}</p>', f"{six} {when}")
    assert ok(f'<p><a href="/x">{five}</a> {when}</p>', f"{five} {when}")
    assert not ok(f'<div><h3><a href="/x">{six}</a></h3><p>20/11/2026</p></div>', "20/11/2026")
    assert ok(f'<div><h3><a href="/x">{five}</a></h3><p>20/11/2026</p></div>', "20/11/2026")


def test_a_headline_link_in_the_title_box_does_not_make_the_date_a_teaser():
    six = "Một hai ba bốn năm sáu"
    page = index(f'<div><h1>{HEADLINE}</h1><p>20/11/2026</p><p><a href="/x">{six}</a></p></div>')
    b = page.by_text["20/11/2026"][0]
    assert _dateline_ok(page, title_of(page), NO_RELATED, b)


def test_a_related_box_or_the_chrome_holds_no_date_line():
    assert ok("<div><p>20/11/2026</p></div>", "20/11/2026")
    assert not ok("<div><p>20/11/2026</p></div>", "20/11/2026", related=True)
    assert not ok("<header><p>20/11/2026</p></header>", "20/11/2026")
    page = index(f"<header><h1>{HEADLINE}</h1><p>20/11/2026</p></header>")
    b = page.by_text["20/11/2026"][0]
    assert _dateline_ok(page, title_of(page), NO_RELATED, b)  # the chrome the headline sits in


# -- _date_from: a <time>, else the text -----------------------------------------------------------


def test_a_time_element_wins_over_the_text_unless_in_the_future():
    page = index('<p><time datetime="2026-11-20T08:15:00+07:00">x</time> 19/11/2026 07:00</p>')
    b = page.blocks[0]
    dated, modified = _date_from(page, b.el, b.text, b)
    assert (dated.source, dated.parsed.value, modified) == ("time", at(20, 8, 15), None)
    dated, _ = _date_from(page, b.el, b.text)  # no block: the element's own <time>s
    assert (dated.source, dated.parsed.value) == ("time", at(20, 8, 15))
    page = index('<p><time datetime="2026-12-24T08:15:00+07:00">x</time><time>y</time> 19/11/2026 07:00</p>')
    b = page.blocks[0]
    dated, _ = _date_from(page, b.el, b.text, b)
    assert (dated.source, dated.parsed.value, dated.parsed.raw) == ("dateline", at(19, 7), b.text)


def test_a_text_of_200_characters_is_read_and_201_is_not():
    page = index(H1)
    el = page.blocks[0].el
    line = "20/11/2026 08:15 " + "x" * 183
    assert len(line) == 200
    assert _date_from(page, el, line)[0].parsed.value == at(20, 8, 15)
    assert _date_from(page, el, line + "x") is None
    assert _date_from(page, el, "") is None
    assert _date_from(page, el, "không có ngày") is None


def test_an_update_alone_gives_only_the_modified_date():
    page = index(H1)
    el = page.blocks[0].el
    dated, modified = _date_from(page, el, "Cập nhật: 21/11/2026 10:00")
    assert dated is None and modified.value == at(21, 10)
    dated, modified = _date_from(page, el, "20/11/2026 08:15")
    assert dated.parsed.value == at(20, 8, 15) and modified is None


# -- _url_date ---------------------------------------------------------------------------------------


def url_date(url: str, profile: SiteProfile | None = None) -> tuple[datetime, bool] | None:
    d = _url_date(index(H1, url=url, profile=profile))
    if d is None:
        return None
    assert d.source == "url" and d.parsed.raw == url
    return d.parsed.value, d.parsed.has_time


def test_a_vccorp_id_holds_the_publication_time():
    assert url_date(HOST + "/bai-viet-1012611201030450.htm") == (at(20, 10, 30) + timedelta(seconds=45), True)
    assert url_date(HOST + "/bai-viet-1012612031100000.htm") == (
        at(3, 11, 0, month=12),
        True,
    )  # two hours ahead
    assert url_date(HOST + "/bai-viet-1012612031100010.htm") is None


def test_a_profile_url_pattern_with_a_full_year_and_no_seconds():
    pattern = r"/(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?P<H>\d{2})(?P<M>\d{2})-"
    profile = SiteProfile(name="tg", hosts=("tuyengiao.example.vn",), base_url=HOST, url_date_pattern=pattern)
    assert url_date(HOST + "/202611200815-bai", profile) == (at(20, 8, 15), True)
    day_only = SiteProfile(
        name="tg",
        hosts=("tuyengiao.example.vn",),
        base_url=HOST,
        url_date_pattern=r"/d(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})/",
    )
    assert url_date(HOST + "/d20261120/bai", day_only) == (at(20), False)


def test_a_year_month_day_path_is_a_bare_date_not_after_today():
    assert url_date(HOST + "/2026/11/5/bai") == (at(5), False)
    assert url_date(HOST + "/2026/12/3/bai") == (at(3, month=12), False)
    assert url_date(HOST + "/2026/12/4/bai") is None
    assert url_date(HOST + "/bai-viet-110001") is None


# -- _htmldate: what htmldate reads, never today or a teaser's day ----------------------------------


def test_htmldate_gives_a_time_only_when_it_found_one():
    page = index(H1 + '<abbr class="published" title="2024-11-18T07:30:00+07:00">x</abbr>' + BODY)
    d = _htmldate(page)
    assert (d.source, d.parsed.value, d.parsed.has_time) == ("htmldate", at24(18, 7, 30), True)
    assert d.parsed.raw == "2024-11-18T07:30:00+0700"
    page = index(H1 + '<abbr class="published" title="2024-11-18T00:00:00+07:00">x</abbr>' + BODY)
    assert _htmldate(page).parsed.has_time is False
    page = index(H1 + '<div class="date">18/11/2024</div>' + BODY)
    d = _htmldate(page)
    assert (d.parsed.value, d.parsed.has_time) == (at24(18), False)


def test_htmldate_never_gives_today_or_a_listed_articles_day():
    on_the_day = datetime(2024, 11, 18, 9, 0, tzinfo=VN)
    assert _htmldate(index(H1 + '<div class="date">18/11/2024</div>' + BODY, now=on_the_day)) is None
    assert _htmldate(index(H1 + BODY)) is None
    teaser = '<p><a href="/bai-khac">Tin về hoạt động tuyên giáo cơ sở</a> 18/11/2024</p>'
    assert _htmldate(index(H1 + '<div class="date">18/11/2024</div>' + teaser)) is None
    other = '<p><a href="/bai-khac">Tin về hoạt động tuyên giáo cơ sở</a> 17/11/2024</p>'
    assert _htmldate(index(H1 + '<div class="date">18/11/2024</div>' + other)).parsed.value == at24(18)


@pytest.mark.parametrize("raw", ["2026-11-20T08:15:00+07:00", "20/11/2026 08:15"])
def test_parsed_date_values_keep_their_raw_text(raw):
    assert _iso(index(H1), raw) == ParsedDate(at(20, 8, 15), True, raw)


# -- the site's own offset, and "today" where the site is ---------------------------------------------

PLUS8 = timezone(timedelta(hours=8))
UTC0 = UTC


def offset_site(hours: int, **kw) -> SiteProfile:
    return SiteProfile(
        name="tg", hosts=("tuyengiao.example.vn",), base_url=HOST, utc_offset_hours=hours, **kw
    )


def test_times_without_an_offset_are_the_sites_own():
    page = index(H1, profile=offset_site(8))
    assert _iso(page, "2026-11-20T08:15:00").value == datetime(2026, 11, 20, 8, 15, tzinfo=PLUS8)
    assert _iso(page, "20/11/2026 08:15").value == datetime(2026, 11, 20, 8, 15, tzinfo=PLUS8)
    dated, modified = _date_from(page, page.blocks[0].el, "20/11/2026 08:15 Cập nhật: 21/11/2026 10:00")
    assert dated.parsed.value == datetime(2026, 11, 20, 8, 15, tzinfo=PLUS8)
    assert modified.value == datetime(2026, 11, 21, 10, 0, tzinfo=PLUS8)
    vccorp = _url_date(index(H1, url=HOST + "/bai-1012611201030450.htm", profile=offset_site(8)))
    assert vccorp.parsed.value == datetime(2026, 11, 20, 10, 30, 45, tzinfo=PLUS8)
    path = _url_date(index(H1, url=HOST + "/2026/11/20/bai", profile=offset_site(8)))
    assert path.parsed.value == datetime(2026, 11, 20, tzinfo=PLUS8)


def test_a_date_line_in_the_future_is_no_date():
    page = index(H1)
    el = page.blocks[0].el
    assert _date_from(page, el, "24/12/2026 08:00") is None
    dated, modified = _date_from(page, el, "20/11/2026 08:15 Cập nhật: 24/12/2026 10:00")
    assert (dated.parsed.value, modified) == (at(20, 8, 15), None)


def test_a_path_date_of_today_is_read_from_midnight():
    midnight = datetime(2026, 12, 3, 0, 0, tzinfo=VN)
    d = _url_date(index(H1, url=HOST + "/2026/12/3/bai", now=midnight))
    assert d.parsed.value == midnight


def test_today_is_the_sites_day_for_htmldate_and_the_masthead():
    # 20:00 UTC on 18 November: still the 18th on a UTC site, already the 19th in Vietnam
    late = datetime(2024, 11, 18, 20, 0, tzinfo=UTC0)
    stamp = '<time datetime="2024-11-18">x</time>'
    assert _htmldate(index(H1 + stamp + BODY, profile=offset_site(0), now=late)) is None
    yesterday = '<time datetime="2024-11-17">x</time>'
    assert _htmldate(index(H1 + yesterday + BODY, profile=offset_site(0), now=late)) is not None
    page = index("<p>Thứ Hai, 18/11/2024</p>" + H1 + BODY, profile=offset_site(0), now=late)
    assert find_dateline(page, title_of(page), NO_RELATED) == (None, None)
    # 00:30 on 19 November in Vietnam (17:30 UTC on the 18th): the 19th is today
    early = datetime(2024, 11, 19, 0, 30, tzinfo=VN)
    stamp = '<time datetime="2024-11-19">x</time>'
    assert _htmldate(index(H1 + stamp + BODY, now=early)) is None
    page = index("<p>Thứ Ba, 19/11/2024</p>" + H1 + BODY, now=early)
    assert find_dateline(page, title_of(page), NO_RELATED) == (None, None)
    page = index("<p>Thứ Hai, 18/11/2024</p>" + H1 + BODY, now=early)
    assert find_dateline(page, title_of(page), NO_RELATED)[0].parsed.value == at24(18)


# -- more of find_dateline -------------------------------------------------------------------------------


def test_the_masthead_is_passed_over_for_a_date_further_down():
    today = "<p>Thứ Năm, 03/12/2026</p>"
    assert dateline(today + H1 + fillers(2) + "<p>02/12/2026</p>") == (at(2, month=12), None)


def test_distance_above_the_headline_counts_from_the_headline_not_the_top():
    above = "<p>18/11/2026 07:00</p>"
    body = fillers(3) + above + H1 + fillers(2) + "<p>20/11/2026 08:15</p>"  # above: 2, below: 3
    assert dateline(body) == (at(18, 7), None)


def test_no_date_line_is_none_and_none():
    page = index(H1 + BODY)
    assert find_dateline(page, title_of(page), NO_RELATED) == (None, None)
    page = index(H1 + "<p>20/11/2026 08:15</p>")
    found, modified = find_dateline(page, title_of(page), NO_RELATED)
    assert found.parsed.value == at(20, 8, 15) and modified is None


def test_only_the_blocks_own_time_elements_count():
    nested = '<div>19/11/2026 07:00<p><time datetime="2026-11-20T08:15:00+07:00">x</time></p></div>'
    assert dateline(H1 + nested) == (at(19, 7), None)
    page = index(nested)
    b = page.by_text["19/11/2026 07:00"][0]
    dated, _ = _date_from(page, b.el, b.text, b)
    assert (dated.source, dated.parsed.value) == ("dateline", at(19, 7))


def test_without_a_block_only_time_elements_count_not_other_datetime_attributes():
    page = index('<p><ins datetime="2026-11-20T08:15:00+07:00">x</ins> 19/11/2026 07:00</p>')
    el = page.blocks[0].el
    dated, _ = _date_from(page, el, "19/11/2026 07:00")
    assert (dated.source, dated.parsed.value) == ("dateline", at(19, 7))


def test_a_line_deep_in_a_figcaption_is_no_date_line():
    assert not ok("<figcaption><div><div><div><p>20/11/2026</p></div></div></div></figcaption>", "20/11/2026")


def test_plain_text_beside_a_date_line_is_no_teaser():
    assert ok("<div><p>20/11/2026</p><p>Mot hai ba bon nam sau bay</p></div>", "20/11/2026")


def test_embedded_json_with_a_time_wins_over_a_later_date_line():
    nxt = NextArticle(published_raw="2026-11-20T08:15:00+07:00")
    page = index(H1 + "<p>19/11/2026 07:00</p>" + BODY)
    chosen = find_dates(page, title_of(page), NO_RELATED, nxt).published
    assert (chosen.source, chosen.parsed.value, chosen.parsed.has_time) == ("nextdata", at(20, 8, 15), True)


def test_a_teaser_dated_beyond_the_slack_does_not_veto_htmldates_day():
    # 23:00 on 18 November: htmldate's 19 November (midnight) is within two hours, a teaser's
    # 19 November 10:00 is not, so it names no listed article's day
    late = datetime(2024, 11, 18, 23, 0, tzinfo=VN)
    stamp = '<time datetime="2024-11-19">x</time>'
    teaser = '<p><a href="/bai-khac">Tin về hoạt động tuyên giáo cơ sở</a> 19/11/2024 10:00</p>'
    assert _htmldate(index(H1 + stamp + teaser, now=late)).parsed.value == at24(19)
    teaser = '<p><a href="/bai-khac">Tin về hoạt động tuyên giáo cơ sở</a> 19/11/2024 00:30</p>'
    assert _htmldate(index(H1 + stamp + teaser, now=late)) is None


def test_a_teasers_day_is_the_sites_day():
    # a teaser stamped 23:30 at +07:00 is on the 20th at a +08:00 site: htmldate's 20th is its day
    now = datetime(2024, 11, 21, 9, 0, tzinfo=PLUS8)
    stamp = '<time datetime="2024-11-20">x</time>'
    teaser = '<p><a href="/bai-khac">Tin về hoạt động tuyên giáo cơ sở</a> 19/11/2024 23:30 GMT+7</p>'
    assert _htmldate(index(H1 + stamp + teaser, profile=offset_site(8), now=now)) is None
    stamp = '<time datetime="2024-11-19">x</time>'
    found = _htmldate(index(H1 + stamp + teaser, profile=offset_site(8), now=now))
    assert found.parsed.value == datetime(2024, 11, 19, tzinfo=PLUS8)
