"""Real crawls of the replica portal over HTTP on 127.0.0.1, into real SQLite files."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from sqlite_utils import Database

from replica import ReplicaServer, build_site
from tests.crawling import scrapy_crawl


@pytest.fixture(scope="module")
def replica():
    with ReplicaServer(build_site(), port=0) as server:
        yield server


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("crawl") / "archive.db"
    # PROGRESS=always: the progress line is checked on this crawl's stderr (a pipe, so "auto" is off).
    # DEPTH_STATS_VERBOSE: Scrapy's depth middleware, which sees every Request the spider yields
    # before any other middleware drops it, counts them (request_depth_count/N).
    result = scrapy_crawl(
        db_path, replica.url, PROGRESS="always", PROGRESS_INTERVAL="0.05", DEPTH_STATS_VERBOSE="True"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return db_path, result


def url_of(replica, article) -> str:
    return replica.url + article.path


def test_every_article_exactly_once_with_its_fields(replica, crawled):
    db = Database(crawled[0])
    live = [a for a in replica.site.articles if a.status == "live"]
    rows = {row["url"]: row for row in db["articles"].rows}
    assert len(rows) == len(live)
    for article in live:
        row = rows[url_of(replica, article)]
        assert row["title"] == article.title
        assert row["published"] == article.published.isoformat(timespec="seconds")
        assert row["author"] == article.author
        assert row["status"] == "live" and row["version"] == 1
        assert row["site"] == "tuyengiao"  # the run's site, not the replica's host


def test_disallowed_path_never_requested(replica, crawled):
    paths = [urlsplit(path).path for _, path, _ in replica.requests]
    assert not [p for p in paths if p.startswith(("/noi-bo/", "/tim-kiem"))]
    assert "/robots.txt" in paths and "/sitemap.xml" in paths and "/rss" in paths


def test_listings_sitemaps_and_feeds_are_captures_not_articles(replica, crawled):
    db = Database(crawled[0])
    kinds = dict(db.execute("select kind, count(*) from captures group by kind").fetchall())
    assert kinds.get("listing", 0) > len(replica.site.categories)  # paginated
    assert kinds.get("sitemap", 0) >= 2 and kinds.get("feed", 0) >= 1 and kinds.get("robots") == 1
    non_articles = db.execute(
        "select count(*) from articles where url not in (select url from captures where kind = 'article')"
    ).fetchone()[0]
    assert non_articles == 0
    assert db.execute("select count(*) from articles where url like '%?page=%'").fetchone()[0] == 0


def test_each_article_fetched_once_and_run_recorded(replica, crawled):
    db = Database(crawled[0])
    dupes = db.execute(
        "select url, count(*) from captures where kind = 'article' group by url having count(*) > 1"
    ).fetchall()
    assert dupes == []
    [run] = db["crawl_runs"].rows
    assert run["status"] == "ok" and run["exit_code"] == 0 and run["finished_at"]
    assert run["articles_new"] == db["articles"].count
    stats = json.loads(run["stats"])
    assert stats["finish_reason"] == "finished"
    assert stats["listing_coverage"]  # per-category listed vs archived
    assert stats["item_scraped_count"] == db["captures"].count  # every fetch is one item, one capture


def requests_built(stats: dict) -> int:
    """Requests the spider yielded for the links of pages, as Scrapy's depth middleware counted
    them (DEPTH_STATS_VERBOSE): it sees each one before any other middleware can drop it."""
    return sum(v for k, v in stats.items() if re.fullmatch(r"request_depth_count/[1-9]\d*", k))


def test_links_to_articles_already_requested_make_no_request(crawled):
    """An article page links to articles the run has requested already (its latest and related
    news, on every page): the spider builds no Request for them, which the incremental middleware
    would only drop as a duplicate."""
    db = Database(crawled[0])
    stats = json.loads(next(db["crawl_runs"].rows)["stats"])
    article_pages = db.execute("select count(*) from captures where kind = 'article'").fetchone()[0]
    skipped = stats["incremental/link_requested_already"]
    assert skipped >= 5 * article_pages
    assert stats.get("incremental/duplicate_url", 0) == 0  # no Request reached it for an article requested
    assert 0 < requests_built(stats) < skipped  # most of what pages link to was requested already


def test_a_portal_without_hints_builds_few_requests_for_its_links(replica, tmp_path):
    """A portal crawled by its address alone (no URL hints, as ``crawl --all`` runs the sites of a
    sites file): every link is a ``page`` its shape decides, and once the probes of unproven
    shapes have their share, the links of its pages are refused before any Request is built
    (about 30 Requests per page were built and dropped before). Every article is archived."""
    db_path = tmp_path / "archive.db"
    result = scrapy_crawl(db_path, replica.url, site=replica.url, DEPTH_STATS_VERBOSE="True")
    assert result.returncode == 0, result.stderr[-3000:]
    db = Database(db_path)
    stats = json.loads(next(db["crawl_runs"].rows)["stats"])
    assert db["articles"].count == len([a for a in replica.site.articles if a.status == "live"])
    assert stats["crawl/shape_refused_share"] > 5 * stats["response_received_count"]
    assert stats.get("incremental/duplicate_url", 0) == 0
    assert requests_built(stats) < 3 * stats["response_received_count"]


def test_links_of_a_barren_shape_make_no_request_before_the_probe_share_is_spent(tmp_path):
    """A bigger portal without hints: before the probes of unproven shapes have their share of
    the requests, the links of a shape whose probe budget is spent without an article (the
    portal's menu pages) are refused before any Request is built, as the middleware would have
    refused each Request (about 12 Requests per page were built and dropped before). The run
    fetches, refuses and archives what it did when the Requests were built."""
    site = build_site(n_articles=200, seed=5)
    with ReplicaServer(site, port=0) as server:
        db_path = tmp_path / "archive.db"
        result = scrapy_crawl(db_path, server.url, site=server.url, DEPTH_STATS_VERBOSE="True")
    assert result.returncode == 0, result.stderr[-3000:]
    db = Database(db_path)
    stats = json.loads(next(db["crawl_runs"].rows)["stats"])
    assert db["articles"].count == len([a for a in site.articles if a.status == "live"])
    assert stats["crawl/shape_refused"] > 5 * stats["response_received_count"]
    assert requests_built(stats) < 3 * stats["response_received_count"]
    shape_rows = {row["shape"]: row for row in json.loads(next(db["crawl_runs"].rows)["stats"])["url_shapes"]}
    assert all(row["others"] <= 5 for shape, row in shape_rows.items() if not row["articles"])  # the budget


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/thoi-su/bai-viet-12.html",
        "http://127.0.0.1:8000/tin-t\u1ee9c/b\u00e0i vi\u1ebft-12.html",
        "http://127.0.0.1:8000/a|b/%zz?q=c\u00e1 ph\u00ea&utm_source=x",
        "http://www.B\u00e1o.vn/Tin/",
    ],
)
def test_a_links_key_is_its_requests_key(url):
    """The middleware's key for a link before its Request exists is the key of the Request Scrapy builds."""
    from scrapy import Request

    from archive.urls import canonical_url
    from crawler.middlewares import _link

    assert _link(url)[:2] == (hash(canonical_url(Request(url).url)), canonical_url(Request(url).url))


def test_progress_line_counts_what_the_crawl_did(crawled):
    """``PROGRESS=always``: lines while crawling, then a last line with the final counts and reason."""
    db = Database(crawled[0])
    stats = json.loads(next(db["crawl_runs"].rows)["stats"])
    stderr = crawled[1].stderr
    # text mode reads the line's leading "\r" as a line end, so each line stands alone
    line = r"^(\d+) pages, (\d+) archived, (\d+) queued, (\d+\.\d) pages/s"
    assert re.search(line + "   $", stderr, re.M), "no progress line while crawling"
    [last] = re.findall(line + r" \((\w+)\)$", stderr, re.M)
    pages, archived, queued, rate, reason = last
    assert (int(pages), int(archived), int(queued), reason) == (
        stats["response_received_count"],
        stats["item_scraped_count"],
        0,
        "finished",
    )
    assert float(rate) > 0


def test_page_hrefs_are_what_a_css_selector_gives():
    """The spider's link reader returns every <a href> as ``response.css("a::attr(href)")`` does."""
    from scrapy.http import HtmlResponse

    from crawler.spiders.base import _hrefs

    body = """<html><head><base href="/x/"><link href="/style.css"></head><body>
    <A HREF="/Upper">Upper</A><a>no href</a><a href="">empty</a><a href=" /spaced ">s</a>
    <a href="/q?a=1&amp;b=2">entity</a><!-- <a href="/commented">c</a> -->
    <script>document.write('<a href="/scripted">x</a>')</script>
    <div><p><a href="/nested"><span>n</span></a></p></div><a href='/single'>'</a><a href=/bare>b</a>
    <svg><a href="/svg">svg</a></svg><a href="/d\u1ea3ng">vi</a></body></html>"""
    response = HtmlResponse("http://127.0.0.1/p", body=body.encode(), encoding="utf-8")
    want = response.css("a::attr(href)").getall()
    assert len(want) == 9  # not the commented nor the scripted one
    assert _hrefs(HtmlResponse("http://127.0.0.1/p", body=body.encode(), encoding="utf-8")) == want
