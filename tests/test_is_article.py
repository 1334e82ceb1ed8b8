"""is_article's verdict on a record, rule by rule, at each rule's bounds.

The crawl stores a page as an article only if this says so, so each bound decides whether a
short "tin ngắn" is archived or dropped as a non-article. Records are written by hand; the
texts are counted here, not taken from the extractor.
"""

from __future__ import annotations

import pytest

from archive.extract import extract, is_article
from archive.extract.kind import NOT_ARTICLE_FLAGS


def sentence(n: int) -> str:
    """A sentence of exactly ``n`` characters, its full stop included."""
    return ("Tin " + "x" * n)[: n - 1] + "."


def record(text: str, **changes) -> dict:
    return {"title": "Một tiêu đề", "text": text, "flags": [], "published_source": None, **changes}


def test_a_long_text_with_a_title_is_an_article():
    assert len(sentence(200)) == 200
    assert is_article(record(sentence(200)))
    assert not is_article(record(sentence(200), title=""))
    assert not is_article(record(sentence(200), title=None))


@pytest.mark.parametrize("flag", sorted(NOT_ARTICLE_FLAGS))
def test_a_not_article_flag_wins_over_any_text(flag):
    assert not is_article(record(sentence(5000), flags=[flag], published_source="dateline"))


def test_other_flags_do_not_count():
    assert is_article(record(sentence(200), flags=["date-only", "declared-article"]))


@pytest.mark.parametrize("source", ["dateline", "time", "meta", "jsonld", "nextdata"])
def test_one_sentence_of_forty_characters_is_an_article_when_dated_as_one(source):
    assert is_article(record(sentence(40), published_source=source))
    assert not is_article(record(sentence(39), published_source=source))


@pytest.mark.parametrize("source", ["url", "htmldate", None])
def test_a_date_from_elsewhere_does_not_make_a_short_text_an_article(source):
    assert not is_article(record(sentence(199), published_source=source))


def test_a_page_that_declares_itself_an_article_needs_forty_characters():
    assert is_article(record(sentence(40), flags=["declared-article"]))
    assert not is_article(record(sentence(39), flags=["declared-article"]))


def test_an_undated_text_needs_two_hundred_characters_or_three_sentences_in_120():
    assert not is_article(record(sentence(199)))
    three = " ".join([sentence(40), sentence(39), sentence(39)])  # 120 characters, 3 sentences
    assert len(three) == 120
    assert is_article(record(three))
    assert not is_article(record(three[1:]))  # 119 characters
    two = " ".join([sentence(99), sentence(99)])  # 199 characters, 2 sentences
    assert not is_article(record(two))
    assert not is_article(record(None))


HEADLINE = "Hà Nội khai mạc hội chợ sách mùa thu năm nay"
BRIEF = "Sáng nay, hội chợ sách mùa thu khai mạc tại công viên Thống Nhất, Hà Nội."  # 73 characters


def brief_page(head: str) -> bytes:
    """An undated one-sentence "tin ngắn" under its headline: only a declaration can make it an article."""
    return f"""<html><head><title>{HEADLINE}</title>{head}</head><body>
    <div class="menu"><a href="/">Trang chủ</a></div><h1>{HEADLINE}</h1>
    <div class="content"><p>{BRIEF}</p></div></body></html>""".encode()


@pytest.mark.parametrize(
    ("head", "declared"),
    [
        ('<meta property="og:type" content="article">', True),
        ('<meta property="og:type" content="Article">', True),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}</script>', True),
        ('<meta property="og:type" content="website">', False),
        ('<script type="application/ld+json">{"@type": "WebPage"}</script>', False),
        ("", False),
    ],
)
def test_an_undated_brief_is_an_article_when_the_page_declares_one(head, declared):
    rec = extract(brief_page(head), "https://example.vn/van-hoa/hoi-cho-sach-123")
    assert "extraction-error" not in rec["flags"]  # a verdict, not a crash the contract swallowed
    assert rec["text"] == BRIEF and rec["published_source"] is None
    assert is_article(rec) is declared
    assert ("declared-article" in rec["flags"]) is declared


def test_a_declared_home_page_is_no_article():
    """The home page's "headline" is the site's name, whatever its og:type says."""
    rec = extract(brief_page('<meta property="og:type" content="article">'), "https://example.vn/")
    assert "extraction-error" not in rec["flags"]
    assert not is_article(rec)
