"""Category pages are listings and articles stay articles, whatever the site's classes.

Crawls let the page decide what it is: a category page (a heading over many dated teasers,
each under its headline link) must not be archived as an article, even its last page with a
single teaser, and a one-paragraph article with sidebars, no sapo or no date must not be
judged a listing. Pages come from the hand-made replica and from every generated family.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import cache

import pytest

from archive.extract import extract, is_article
from replica import build_site
from replica import pages as replica_pages
from replica.generator.families import FAMILIES
from replica.generator.generate import Variant
from replica.generator.site import GeneratedSite

BASE = "http://127.0.0.1:8765"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone(timedelta(hours=7)))
_CLASS_ID = re.compile(r'\s(?:class|id)="[^"]*"')


def _strip(html: str, classless: bool) -> str:
    return _CLASS_ID.sub("", html) if classless else html


@cache
def _generated(family: str) -> GeneratedSite:
    return GeneratedSite(family, n_articles=60)


def _served(family: str, seed: int) -> Variant:
    """The article of a generated site (with its link boxes) whose seed is ``seed``."""
    site = _generated(family)
    entry = next(e for e in site.entries if e.seed == seed)
    return site.article(entry.path, BASE)


def _judged(html: str | bytes, url: str) -> dict:
    record = extract(html, url, now=NOW)
    assert "extraction-error" not in record["flags"]
    return record


@pytest.mark.parametrize("classless", [False, True], ids=["classes", "classless"])
def test_replica_category_pages_are_listings(classless: bool) -> None:
    site = build_site(n_articles=60)
    seen = 0
    for category in site.categories:
        for page in (1, 2):
            html = replica_pages.listing(site, category, page)
            if html is None:
                continue
            url = f"{BASE}/{category.slug}" + (f"?page={page}" if page > 1 else "")
            record = _judged(_strip(html, classless), url)
            assert not is_article(record), (url, record["flags"], record["text"][:200])
            seen += 1
    assert seen >= 8


@pytest.mark.parametrize("classless", [False, True], ids=["classes", "classless"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_category_pages_are_listings(family: str, classless: bool) -> None:
    site = _generated(family)
    pages = [
        (cat, n, html)
        for cat in site.categories
        for n in (1, 2)
        if (html := site.listing_page(cat, n)) is not None
    ]
    assert any(n == 2 for _, n, _ in pages)
    for cat, n, html in pages:
        record = _judged(_strip(html, classless), BASE + site.listing(cat))
        assert not is_article(record), (cat.slug, n, record["flags"], record["text"][:200])
        assert "listing" in record["flags"]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_brief_articles_stay_articles(family: str) -> None:
    """The one- and two-paragraph items: the pages a listing rule could take (the property test
    in test_extract_variants.py covers the rest)."""
    site = _generated(family)
    for entry in (e for e in site.entries if e.axes["length"] == "brief"):
        v = site.article(entry.path, BASE)
        record = _judged(v.html, v.url)
        assert is_article(record), (entry.seed, entry.axes, record["flags"], record["text"][:200])


@pytest.mark.parametrize("family", ["zcms", "dnn"])
def test_undated_brief_item_declared_an_article(family: str) -> None:
    """One paragraph, no sapo, no date anywhere: og:type says article, the headline is over it."""
    v = _served(family, 44)
    record = _judged(v.html, v.url)
    assert record["published_source"] not in ("dateline", "time", "meta", "jsonld")
    assert "declared-article" in record["flags"]
    assert is_article(record)


def test_undeclared_short_page_is_no_article() -> None:
    """The same short text without og:type or a date: nothing says it is an article."""
    v = _served("zcms", 44)
    html = v.html.decode(v.charset).replace('<meta property="og:type" content="article">', "")
    record = _judged(html, v.url)
    assert "declared-article" not in record["flags"]
    assert not is_article(record)


def test_rescued_text_out_of_order_is_not_the_body() -> None:
    """trafilatura's rescue of a short item appends masthead, sapo and boxes: the DOM's body wins."""
    v = _served("tuyengiao_b", 39)
    record = _judged(v.html, v.url)
    assert record["text"].split("\n") == [p.replace("\xa0", " ") for p in v.truth.paragraphs]
    assert record["lead"] == v.truth.lead


def test_box_of_headline_links_without_heading_is_not_body() -> None:
    """Classless boxes whose heading trafilatura dropped: their dated headline links are not text."""
    v = _served("tuyengiao_b", 31)
    record = _judged(v.html, v.url)
    assert record["text"].split("\n") == [p.replace("\xa0", " ") for p in v.truth.paragraphs]
    assert "listing" not in record["flags"]


def test_image_table_without_caption_takes_no_paragraph_as_caption() -> None:
    v = _served("dnn", 39)
    record = _judged(v.html, v.url)
    assert record["images"] and all(i["caption"] is None for i in record["images"])
    assert record["text"].startswith(v.truth.paragraphs[0][:40])


def test_sole_paragraph_matching_the_description_is_body_not_sapo() -> None:
    """A description cut from the only paragraph: that paragraph is the body, there is no sapo."""
    v = _served("zcms", 6)
    record = _judged(v.html, v.url)
    assert record["lead"] is None
    assert record["text"].startswith(v.truth.paragraphs[0][:40])
