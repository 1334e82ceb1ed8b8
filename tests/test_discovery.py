import gzip
from collections import Counter

import pytest
from sqlite_utils import Database

from crawler import discovery
from replica import ReplicaServer, build_site, feeds
from tests.crawling import scrapy_crawl

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>http://h/sitemap-articles-1.xml</loc><lastmod>2024-05-01T10:00:00+07:00</lastmod></sitemap>
</sitemapindex>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://h/kinh-te/tang-truong-kinh-te-110001</loc><lastmod>2024-05-01T10:00:00+07:00</lastmod></url>
  <url><loc> http://h/van-hoa-xa-hoi/le-hoi-110002 </loc></url>
</urlset>"""


def test_robots_sitemaps_are_absolute():
    text = "User-agent: *\nDisallow: /noi-bo/\nSitemap: /sitemap.xml\nsitemap: http://h/news.xml\n"
    assert discovery.robots_sitemaps(text, "http://h") == ["http://h/sitemap.xml", "http://h/news.xml"]


def test_sitemap_index_and_urlset():
    [entry] = discovery.parse_sitemap(SITEMAP_INDEX)
    assert entry.is_sitemap and entry.loc == "http://h/sitemap-articles-1.xml"
    entries = discovery.parse_sitemap(URLSET)
    assert [e.loc for e in entries] == [
        "http://h/kinh-te/tang-truong-kinh-te-110001",
        "http://h/van-hoa-xa-hoi/le-hoi-110002",
    ]
    assert entries[0].lastmod == "2024-05-01T10:00:00+07:00" and entries[1].lastmod is None
    assert not any(e.is_sitemap for e in entries)


def test_gzip_sitemap():
    assert [e.loc for e in discovery.parse_sitemap(gzip.compress(URLSET))][0].endswith("-110001")


@pytest.mark.parametrize("body", [b"", b"<html><body>Not found</body></html>", b"\x1f\x8b\x08broken"])
def test_unreadable_sitemap_raises(body):
    with pytest.raises(discovery.SitemapError):
        discovery.parse_sitemap(body)


def test_truncated_sitemap_keeps_what_it_can():
    entries = discovery.parse_sitemap(URLSET[: URLSET.index(b"<url><loc> http://h/van")])
    assert [e.loc for e in entries] == ["http://h/kinh-te/tang-truong-kinh-te-110001"]


def test_feed_links_rss_and_atom():
    rss = b"""<rss version="2.0"><channel><title>T</title><link>http://h/</link>
      <item><title>A</title><link>http://h/kinh-te/a-1001</link></item>
      <item><title>B</title><link>http://h/kinh-te/b-1002</link></item></channel></rss>"""
    assert discovery.feed_links(rss) == ["http://h/kinh-te/a-1001", "http://h/kinh-te/b-1002"]
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="http://h/x/c-1003"/></entry></feed>"""
    assert discovery.feed_links(atom) == ["http://h/x/c-1003"]


def test_page_links_same_site_cleaned_no_files():
    hrefs = [
        "/kinh-te/a-1001#top",
        "http://www.h/kinh-te/a-1001?utm_source=x",
        "http://other.vn/x-1",
        "/a.jpg",
        "mailto:x@h",
    ]
    assert discovery.page_links(hrefs, "http://h/", {"h"}) == [
        "http://h/kinh-te/a-1001",
        "http://www.h/kinh-te/a-1001",
    ]


def test_page_links_resolve_each_page_against_its_own_address():
    """Links are resolved once per site and href (a cache): never against another page's address."""
    hrefs = ["/kinh-te", "a-1001", "../b-1002", "?page=2", "//h:81/c", "http://h:81/../d", "https://h/e"]
    one = discovery.page_links(hrefs, "http://h:80/x/y?page=1", {"h"})
    two = discovery.page_links(hrefs, "http://h:81/z/", {"h"})
    three = discovery.page_links(hrefs, "https://h/x/", {"h"})
    assert one == [
        "http://h/kinh-te", "http://h/x/a-1001", "http://h/b-1002", "http://h/x/y?page=2",
        "http://h:81/c", "http://h:81/../d", "https://h/e",
    ]  # fmt: skip
    assert two == [
        "http://h:81/kinh-te", "http://h:81/z/a-1001", "http://h:81/b-1002", "http://h:81/z/?page=2",
        "http://h:81/c", "http://h:81/../d", "https://h/e",
    ]  # fmt: skip
    assert three[:4] == ["https://h/kinh-te", "https://h/x/a-1001", "https://h/b-1002", "https://h/x/?page=2"]
    assert discovery.page_links(hrefs, "http://h:80/x/y?page=1", {"h"}) == one


def test_pagination():
    assert discovery.is_pagination_of("http://h/kinh-te?page=3", "http://h/kinh-te", "page")
    assert not discovery.is_pagination_of("http://h/van-hoa?page=3", "http://h/kinh-te", "page")
    assert discovery.page_number("http://h/kinh-te?x=1&page=12", "page") == 12


def test_every_site_profile_has_a_spider(monkeypatch):
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from archive.profiles import PROFILES

    loader = SpiderLoader.from_settings(get_project_settings())
    assert set(loader.list()) == {*PROFILES, "portal"}
    spider = loader.load("nhandan")(base_url="http://127.0.0.1:9")
    assert spider.profile.is_article_url("http://127.0.0.1:9/chinh-tri/hoi-nghi-post812345.html")
    assert spider.allowed_domains == ["127.0.0.1", "nhandan.com.vn", "nhandan.org.vn", "nhandan.vn"]
    by_name = loader.load("portal")(site="nhandan")
    assert (by_name.name, by_name.profile) == ("nhandan", PROFILES["nhandan"])
    by_address = loader.load("portal")(url="https://www.bantuyengiao.cantho.gov.vn")
    assert by_address.name == "bantuyengiao.cantho.gov.vn"
    assert by_address.allowed_domains == ["bantuyengiao.cantho.gov.vn"]


@pytest.mark.parametrize(
    ("link", "listing", "number"),
    [
        ("http://h/kinh-te?page=3", "http://h/kinh-te", 3),
        ("http://h/kinh-te?trang=3", "http://h/kinh-te?trang=2", 3),
        ("http://h/kinh-te/page/3", "http://h/kinh-te", 3),
        ("http://h/kinh-te/trang-3", "http://h/kinh-te/trang-2", 3),
        ("http://h/kinh-te/p3", "http://h/kinh-te", 3),
        ("http://h/kinh-te.htm?page=4", "http://h/kinh-te.htm", 4),
    ],
)
def test_pagination_forms_of_the_family(link, listing, number):
    assert discovery.is_pagination_of(link, listing, "page")
    assert discovery.page_number(link, "page") == number


def test_not_pagination():
    assert not discovery.is_pagination_of("http://h/kinh-te/bai-viet-12345", "http://h/kinh-te", "page")
    assert not discovery.is_pagination_of("http://h/the-gioi/page/2", "http://h/kinh-te", "page")


@pytest.fixture(scope="module")
def paced_crawl(tmp_path_factory):
    """A site of three sitemap chunks (1000, 1000, 50 articles) crawled with a short pacing queue."""
    with ReplicaServer(build_site(n_articles=2050), port=0) as server:
        db_path = tmp_path_factory.mktemp("paced") / "archive.db"
        result = scrapy_crawl(db_path, server.url, SITEMAP_PACE_QUEUE="100", EXTRACT_WORKERS="2")
        assert result.returncode == 0, result.stderr[-3000:]
        yield server, db_path


def test_paced_sitemaps_every_article_once(paced_crawl):
    server, db_path = paced_crawl
    live = {a.path for a in server.site.live()}
    fetched = Counter(path for method, path, _ in server.requests if method == "GET" and path in live)
    assert set(fetched) == live and set(fetched.values()) == {1}
    archived = Database(db_path).execute("select count(*) from articles").fetchone()[0]
    assert archived == len(live)


def test_next_sitemap_chunk_only_once_the_last_is_mostly_fetched(paced_crawl):
    """Chunk n+1 is requested only when the queue is short: after most of chunk n's articles (not all at once)."""
    server, _ = paced_crawl
    paths = [path for method, path, _ in server.requests if method == "GET"]
    chunks = feeds._chunks(server.site)
    assert len(chunks) == 3
    for n in (1, 2):
        chunk = {a.path for a in chunks[n - 1]}
        requested_before_next = len(
            chunk.intersection(paths[: paths.index(f"/sitemap-articles-{n + 1}.xml")])
        )
        # Queue under 100 when the next chunk is released, at most 32 requests in flight.
        assert requested_before_next >= len(chunk) - 100 - 32
