"""Fields of generated pages that once failed, each pinned by the variant that showed it.

The variants come from ``replica.generator`` (truth by construction); each test names the
behaviour, the variant is the smallest page that needs it.
"""

from __future__ import annotations

from datetime import datetime
from datetime import time as dtime

from archive.extract import extract
from replica.generator import variant
from replica.generator.generate import Variant
from replica.vn import VN_TZ


def _record(v: Variant) -> dict:
    return extract(v.html, v.url, content_type=v.content_type)


def _paragraphs(v: Variant) -> list[str]:
    return [p.replace("\xa0", " ") for p in v.truth.paragraphs]


def test_closing_theo_line_outside_the_body_box_is_the_source() -> None:
    v = variant(3, source="theo")
    assert v.truth.source == "Báo Hà Tĩnh"
    assert _record(v)["source"] == "Báo Hà Tĩnh"


def test_caption_printed_again_under_its_image_is_no_sapo() -> None:
    v = variant(1, sapo="absent", images="many-twice")
    record = _record(v)
    assert record["lead"] is None
    assert record["text"].split("\n")[0] == _paragraphs(v)[0]


def test_first_paragraph_cut_as_description_among_its_siblings_is_body() -> None:
    """The description is the first paragraph's first 160 characters; that paragraph is body."""
    for seed in (68, 79):
        v = variant(seed, sapo="absent")
        record = _record(v)
        assert record["lead"] is None, seed
        assert record["text"].split("\n")[0] == _paragraphs(v)[0], seed


def test_dated_teasers_of_a_box_below_the_article_are_not_body() -> None:
    """Classless boxes of other articles (headline link, date, teaser) after the article's text."""
    v = variant(5)
    assert v.axes["classless"] == "yes"
    record = _record(v)
    assert record["text"].split("\n") == _paragraphs(v)
    assert record["author"] == "Hữu Phước"
    assert record["source"] == "Báo Nhân Dân"


def test_placeholder_byline_closing_the_body_is_the_author() -> None:
    v = variant(0)
    assert v.truth.byline == "Ban biên tập"
    record = _record(v)
    assert record["author"] == "Ban biên tập"
    assert "Ban biên tập" not in record["text"].split("\n")


def test_byline_above_the_body_without_classes() -> None:
    for seed in (33, 46, 62):
        v = variant(seed)
        assert v.axes["byline"] == "start" and v.axes["classless"] == "yes"
        record = _record(v)
        assert record["author"] == v.truth.byline, seed
        assert v.truth.byline not in record["text"].split("\n"), seed


def test_vccorp_id_gives_the_publication_time() -> None:
    """A VCCorp id is "102" + yymmddHHMMSS: the time when the page prints no date."""
    v = variant(0, family="vccorp", date="none")
    record = _record(v)
    assert record["published_source"] == "url"
    assert record["published"] == v.truth.published.isoformat()


def test_box_item_date_is_not_the_publication_date() -> None:
    """htmldate reads a date beside a headline link in a box; the page itself states none."""
    v = variant(8, date="none")
    now = datetime.combine(v.story.today, dtime(23, 59), VN_TZ)
    record = extract(v.html, v.url, content_type=v.content_type, now=now)
    assert record["published"] is None


def test_classless_headline_span_under_the_breadcrumb() -> None:
    """tuyengiao (a) without classes: the headline is a <span> between the breadcrumb and the body."""
    for seed in (31, 51):
        v = variant(seed)
        assert v.axes["family"] == "tuyengiao_a" and v.axes["classless"] == "yes"
        record = _record(v)
        assert record["title"] == v.truth.title, seed
        assert record["category"] == v.truth.category, seed
