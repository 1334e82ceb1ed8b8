"""One article, one row: print, AMP and mobile renderings and rel=canonical lead to the article.

Portals print a "print this" link on every article; followed and archived, it made a second row
for every article of a site. And a site's own sitemap or feed vouches that a page is an article:
a "not an article" verdict on such a page is counted, named in the run summary and, past a
share, turns the run's exit code to "coverage".
"""

from __future__ import annotations

import json

import pytest

from archive import runs, store
from archive.urls import article_key, variant_base
from tests.test_store import page, record

ARTICLE = "https://tuyengiao.vn/van-hoa-xa-hoi/khong-gian-van-hoa-113371"
#: Long enough that the run's field-coverage check has nothing to say about these articles.
TEXT = "Đảng bộ Quận 1 đã tham gia học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh. " * 4


@pytest.mark.parametrize(
    ("url", "base"),
    [
        (ARTICLE + "?print=1", ARTICLE),
        (ARTICLE + "?print", ARTICLE),
        (ARTICLE + "?view=print", ARTICLE),
        ("https://www.qdnd.vn/chinh-tri/bai-123?amp=1&utm_source=x", "https://www.qdnd.vn/chinh-tri/bai-123"),
        ("https://nhandan.vn/amp/bai-viet-post8123.html", "https://nhandan.vn/bai-viet-post8123.html"),
        ("https://nhandan.vn/bai-viet-post8123.amp.html", "https://nhandan.vn/bai-viet-post8123.html"),
        ("https://baochinhphu.vn/bai-102250101.htm/print", "https://baochinhphu.vn/bai-102250101.htm"),
        ("https://m.baochinhphu.vn/bai-102250101.htm", "https://baochinhphu.vn/bai-102250101.htm"),
        ("https://amp.example.vn/x/bai-1.amp", "https://example.vn/x/bai-1"),
        (
            "https://dangcongsan.vn/tin-hoat-dong/bai.html?categoryId=1902448&print=true",
            "https://dangcongsan.vn/tin-hoat-dong/bai.html?categoryId=1902448",
        ),
        ("http://127.0.0.1:8765/kinh-te/bai-110001?print=1", "http://127.0.0.1:8765/kinh-te/bai-110001"),
    ],
)
def test_renderings_name_their_article(url, base):
    assert variant_base(url) == base


@pytest.mark.parametrize(
    "url",
    [
        ARTICLE,
        "https://tuyengiao.vn/kinh-te?page=2",
        "https://tuyengiao.vn/print",  # a section named "print" is not a rendering of anything
        "https://tuyengiao.vn/x?view=list",
        "https://www.nhandan.vn/chinh-tri",
        "https://mediacenter.example.vn/bai-1",  # a host beginning with m is not a mobile edition
    ],
)
def test_other_urls_are_no_renderings(url):
    assert variant_base(url) is None


@pytest.mark.parametrize(
    ("url", "canonical", "key"),
    [
        (ARTICLE + "?print=1", None, ARTICLE),
        (ARTICLE + "?print=1", ARTICLE, ARTICLE),
        # The canonical elsewhere on the same site wins; our scheme and host are kept.
        (
            "http://tuyengiao.vn/bai-113371",
            "https://www.tuyengiao.vn/van-hoa/bai-113371",
            "http://tuyengiao.vn/van-hoa/bai-113371",
        ),
        (
            "https://dangcongsan.vn/tin/bai.html?categoryId=1,2",
            "https://dangcongsan.vn/tin/bai.html",
            "https://dangcongsan.vn/tin/bai.html",
        ),
        # Never followed: another site, the root, a section above the page.
        (ARTICLE, "https://nhandan.vn/bai-1", ARTICLE),
        (ARTICLE, "https://tuyengiao.vn/", ARTICLE),
        (ARTICLE, "https://tuyengiao.vn/van-hoa-xa-hoi", ARTICLE),
    ],
)
def test_article_key(url, canonical, key):
    assert article_key(url, canonical) == key


def test_print_rendering_and_canonical_alias_are_captures_of_one_article(fresh_db):
    first = store.record_page(fresh_db, page(url=ARTICLE), record())
    printed = store.record_page(fresh_db, page(url=ARTICLE + "?print=1"), record())
    alias = store.record_page(
        fresh_db, page(url="https://tuyengiao.vn/bai-113371"), record(canonical_url=ARTICLE)
    )
    assert [first["outcome"], printed["outcome"], alias["outcome"]] == ["new", "unchanged", "unchanged"]
    assert [r[0] for r in fresh_db.execute("select url from articles")] == [ARTICLE]
    captures = fresh_db.execute("select url, requested_url from captures order by id").fetchall()
    assert {c[0] for c in captures} == {ARTICLE}
    # Provenance keeps the address each capture was really fetched from.
    assert [c[1] for c in captures] == [ARTICLE, ARTICLE + "?print=1", "https://tuyengiao.vn/bai-113371"]


def test_a_listing_page_keeps_its_own_key_whatever_its_canonical(fresh_db):
    listing = page(url="https://tuyengiao.vn/kinh-te?print=1", kind="listing")
    assert store.record_page(fresh_db, listing)["url"] == "https://tuyengiao.vn/kinh-te?print=1"


class Counters(dict):
    """The three calls of Scrapy's stats collector that runs.count_listed_verdict makes."""

    def get_value(self, key, default=None):
        return self.get(key, default)

    def set_value(self, key, value):
        self[key] = value

    def inc_value(self, key, count=1, start=0):
        self[key] = self.get(key, start) + count


def _crawl(db, pages: list[tuple[str, dict | None, str]]) -> tuple[dict, Counters]:
    """Record (url, record or None, listed_by) pages as one run of the archive pipeline does."""
    stats = Counters()
    run = runs.start_run(db, "tuyengiao", "https://tuyengiao.vn")
    for url, rec, listed_by in pages:
        fetched = {**page(url=url), "note": None if rec else "not an article: listing"}
        runs.count_listed_verdict(stats, listed_by, store.record_page(db, fetched, rec, run_id=run))
    return runs.close_run(db, run, reason="finished", stats=stats), stats


def test_listed_pages_all_articles_make_an_ok_run(fresh_db):
    row, stats = _crawl(
        fresh_db,
        [(f"https://tuyengiao.vn/a/b-{n}", record(title=f"B {n}", text=TEXT), "sitemap") for n in range(40)],
    )
    assert runs.listed_rejected(stats) == (40, 0)
    assert row["status"] == "ok"
    assert "judged not articles" not in runs.summary(row)


def test_listed_pages_judged_not_articles_are_counted_named_and_raise_the_exit_code(fresh_db):
    rejected = [
        (f"https://tuyengiao.vn/tin-ngan-{n}", None, "feed" if n % 2 else "sitemap") for n in range(12)
    ]
    kept = [
        (f"https://tuyengiao.vn/tin-{n}", record(title=f"Tin {n}", text=TEXT), "sitemap") for n in range(28)
    ]
    row, stats = _crawl(fresh_db, rejected + kept)
    assert runs.listed_rejected(stats) == (40, 12)
    assert (row["status"], row["exit_code"]) == ("coverage", 6)
    saved = json.loads(row["stats"])
    assert len(saved["articlehood/listed_not_article_examples"]) == runs.LISTED_REJECT_EXAMPLES
    text = runs.summary(row)
    assert "WARNING: 12 of 40 pages that the site's sitemap or feed lists as articles" in text
    assert "https://tuyengiao.vn/tin-ngan-0 (sitemap: not an article: listing)" in text


def test_a_few_listed_non_articles_are_reported_without_failing_the_run(fresh_db):
    pages = [
        (f"https://tuyengiao.vn/tin-{n}", record(title=f"Tin {n}", text=TEXT), "sitemap") for n in range(39)
    ]
    row, _ = _crawl(fresh_db, [*pages, ("https://tuyengiao.vn/video-1", None, "sitemap")])
    assert row["status"] == "ok"
    text = runs.summary(row)
    assert "  1 of 40 pages that the site's sitemap or feed lists as articles" in text
    assert "WARNING" not in text


def test_a_request_url_keeps_the_query_as_the_site_wrote_it():
    from archive.urls import clean_url

    url = "https://dangcongsan.vn/tin-hoat-dong/bai.html?categoryId=1902448,1902446&utm_source=fb"
    assert clean_url(url) == "https://dangcongsan.vn/tin-hoat-dong/bai.html?categoryId=1902448,1902446"
    assert clean_url("http://a.vn/tim?q=c%C3%B4ng+an&fbclid=x") == "http://a.vn/tim?q=c%C3%B4ng+an"


def test_a_candidate_link_to_nothing_is_the_sites_dead_link_not_our_failure(fresh_db):
    dead = store.record_page(
        fresh_db, page(b"Not found", status=404, url="https://tuyengiao.vn/tag/x", kind="page")
    )
    assert (dead["outcome"], dead["reason"]) == ("stored", "dead link: HTTP 404")
    gone = store.record_page(
        fresh_db, page(b"", status=404, url="https://tuyengiao.vn/a/b-1", kind="page", removed="http-404")
    )
    assert (gone["outcome"], gone["reason"]) == ("stored", "dead link: http-404")
    # An article link that answers 404 before we ever had it is still a failure of the run.
    lost = store.record_page(
        fresh_db, page(b"", status=404, url="https://tuyengiao.vn/a/c-2", removed="http-404")
    )
    assert lost["outcome"] == "failed"


def test_google_news_sitemap_fields_are_kept_with_the_capture(fresh_db):
    from crawler.discovery import parse_sitemap

    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        b' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://nhandan.vn/a-post1.html</loc>'
        b"<news:news><news:publication><news:name>Nh\xc3\xa2n D\xc3\xa2n</news:name><news:language>vi</news:language>"
        b"</news:publication><news:publication_date>2025-01-14T06:01:00+07:00</news:publication_date>"
        b"<news:title>H\xe1\xbb\x99i ngh\xe1\xbb\x8b   to\xc3\xa0n qu\xe1\xbb\x91c</news:title></news:news></url>"
        b"<url><loc>https://nhandan.vn/b-post2.html</loc></url></urlset>"
    )
    first, second = parse_sitemap(body)
    assert first.news == {"published": "2025-01-14T06:01:00+07:00", "title": "Hội nghị toàn quốc"}
    assert second.news is None
    capture = store.record_page(fresh_db, page(url=first.loc, news=first.news), record())
    stored = fresh_db.execute("select news from captures where id = ?", [capture["id"]]).fetchone()[0]
    assert json.loads(stored) == first.news
