"""The replica portal over real HTTP on 127.0.0.1: what crawlers and extractors will meet."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.error import HTTPError

import pytest

from replica import Article, ReplicaServer, build_site
from replica.pages import teaser
from replica.vn import date_line, header_date

TODAY = date(2024, 5, 23)
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects; error statuses are returned, not raised."""
    try:
        with _OPENER.open(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except HTTPError as e:
        return e.code, dict(e.headers), e.read()


def text(url: str) -> str:
    status, _, body = fetch(url)
    assert status == 200, url
    return body.decode("utf-8")


@pytest.fixture(scope="module")
def served():
    """A read-only default site for tests that change nothing."""
    site = build_site(today=TODAY)
    with ReplicaServer(site) as server:
        yield site, server


@pytest.fixture()
def fresh():
    """A site of its own for tests that edit or remove articles."""
    site = build_site(today=TODAY)
    with ReplicaServer(site) as server:
        yield site, server


def sitemap_urls(server: ReplicaServer) -> list[tuple[str, str]]:
    index = ET.fromstring(fetch(server.url + "/sitemap.xml")[2])
    urls = []
    for sm in index.iter(SM + "sitemap"):
        assert sm.find(SM + "lastmod") is not None
        chunk = ET.fromstring(fetch(sm.find(SM + "loc").text)[2])
        urls += [(u.find(SM + "loc").text, u.find(SM + "lastmod").text) for u in chunk.iter(SM + "url")]
    return urls


def listing_paths(server: ReplicaServer, slug: str) -> list[str]:
    """Walk a category by its "Trang sau" links, as a crawler would."""
    paths, url, pages = [], f"{server.url}/{slug}", 0
    while url:
        page = text(url)
        pages += 1
        paths += re.findall(rf'<h3 class="[^"]*"><a href="(/{slug}/[^"]+)"', page)
        nxt = re.search(r'<a href="([^"]+)">Trang sau</a>', page)
        url = server.url + nxt.group(1) if nxt else None
        assert pages < 50
    return paths


def test_robots_txt_blocks_internal_pages_and_names_the_sitemap(served):
    _, server = served
    robots = text(server.url + "/robots.txt")
    assert "User-agent: *" in robots
    assert "Disallow: /noi-bo/" in robots and "Disallow: /tim-kiem" in robots
    assert f"Sitemap: {server.url}/sitemap.xml" in robots


def test_sitemaps_list_every_live_article_once_with_lastmod(served):
    site, server = served
    urls = sitemap_urls(server)
    assert Counter(u for u, _ in urls) == Counter(server.url + a.path for a in site.articles)
    lastmods = {u: m for u, m in urls}
    for a in site.articles:
        assert datetime.fromisoformat(lastmods[server.url + a.path]) == a.modified
        assert lastmods[server.url + a.path].endswith("+07:00")


def test_rss_has_the_newest_20(served):
    site, server = served
    rss = ET.fromstring(fetch(server.url + "/rss")[2])
    items = rss.findall("./channel/item")
    assert [i.findtext("link") for i in items] == [server.url + a.path for a in site.articles[:20]]
    first = site.articles[0]
    assert parsedate_to_datetime(items[0].findtext("pubDate")) == first.published
    assert items[0].findtext("description") == (first.lead or teaser(first))
    assert 'type="application/rss+xml" title="Ban Tuyên giáo Trung ương" href="/rss"' in text(
        server.url + "/"
    )


def test_listings_page_through_each_category_exactly_once(served):
    site, server = served
    assert len(site.categories) >= 4
    for category in site.categories:
        expected = [a.path for a in site.articles if a.category == category]
        assert listing_paths(server, category.slug) == expected
        pages = -(-len(expected) // 10)
        assert fetch(f"{server.url}/{category.slug}?page={pages + 1}")[0] == 404
    assert max(Counter(a.category for a in site.articles).values()) > 10  # pagination really happens
    listing = text(f"{server.url}/{site.categories[0].slug}")
    assert 'href="/noi-bo/tai-lieu-noi-bo-99999"' in listing and 'href="/tim-kiem?q=' in listing


def test_article_page_carries_the_portals_clutter_in_order(served):
    site, server = served
    article = next(a for a in site.articles if a.images and a.author and a.lead)
    page = text(server.url + article.path)
    plain = re.sub(r"<[^>]+>", "\n", page)
    caption = article.images[0].caption
    marks = [
        header_date(TODAY), "Ban Tuyên giáo Trung ương", article.category.name, date_line(article.published),
        article.title, article.lead, caption, caption, article.paragraphs[-1], article.author, "Phản hồi",
        "Ý kiến phản hồi của bạn:(Không quá 1000 ký tự)", "Các tin khác", "Thư viện ảnh", "Liên kết website",
        "Mới nhất",
    ]  # fmt: skip
    flat = re.sub(r"\s*\n\s*", "", plain)
    at = 0
    for mark in marks:
        found = flat.find(mark, at)
        assert found >= 0, f"{mark!r} missing or out of order"
        at = found + len(mark)
    assert header_date(TODAY) == "Thứ Năm, 23/5/2024"
    assert article.published.strftime("%-d/%-m/%Y") not in header_date(TODAY)
    for other in map(site.article, article.related):
        assert f"({other.published.day}/{other.published.month}/{other.published.year})" in page
    assert "article:published_time" not in page and "application/ld+json" not in page and "<time" not in page


def test_seed_article_is_verbatim_and_dated_like_the_real_page(served):
    site, server = served
    seed = next(a for a in site.articles if a.title == 'Từng bước xây dựng "không gian văn hóa Hồ Chí Minh”')
    page = text(server.url + seed.path)
    assert "Thứ Tư, 14/9/2022 10:10'(GMT+7)" in page and seed.author == "Trọng Đạt"
    assert "6.551 đảng viên trên tổng số 6.949" in page


def test_etag_and_last_modified_answer_304(served):
    site, server = served
    url = server.url + site.articles[5].path
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert parsedate_to_datetime(last_modified) == site.articles[5].modified
    assert fetch(url, **{"If-None-Match": etag})[0] == 304
    assert fetch(url, **{"If-None-Match": '"other"'})[0] == 200
    assert fetch(url, **{"If-Modified-Since": last_modified})[0] == 304
    older = format_datetime(parsedate_to_datetime(last_modified).replace(year=2020), usegmt=True)
    assert fetch(url, **{"If-Modified-Since": older})[0] == 200
    assert fetch(url)[1]["ETag"] == etag  # stable while nothing changes, whatever the header date


def test_edit_changes_etag_page_and_sitemap_lastmod(fresh):
    site, server = fresh
    article = site.articles[3]
    url = server.url + article.path
    _, before, _ = fetch(url)
    site.edit(article.id, title="Tiêu đề đã được biên tập lại", paragraphs=["Đoạn văn mới duy nhất."])
    status, after, body = fetch(url, **{"If-None-Match": before["ETag"]})
    assert status == 200 and after["ETag"] != before["ETag"]
    assert "Tiêu đề đã được biên tập lại" in body.decode() and article.path == site.article(article.id).path
    assert parsedate_to_datetime(after["Last-Modified"]) > parsedate_to_datetime(before["Last-Modified"])
    assert dict(sitemap_urls(server))[url] == site.article(article.id).modified.isoformat()


@pytest.mark.parametrize(
    ("how", "status", "needle"),
    [("404", 404, "Không tìm thấy trang"), ("410", 410, "đã bị gỡ"), ("redirect-home", 302, ""),
     ("soft-404", 200, "Bài viết không tồn tại hoặc đã bị gỡ")],
)  # fmt: skip
def test_removal_modes_and_restore(fresh, how, status, needle):
    site, server = fresh
    article = next(a for a in site.articles[10:] if a.category == site.categories[0])
    url = server.url + article.path
    site.remove(article.id, how=how)
    got, headers, body = fetch(url)
    assert got == status and needle in body.decode()
    if how == "redirect-home":
        assert headers["Location"] == "/"
    if how == "soft-404":
        assert article.title not in body.decode()
    assert url not in dict(sitemap_urls(server))
    assert article.path not in listing_paths(server, article.category.slug)
    assert url.encode() not in fetch(server.url + "/rss")[2]
    site.restore(article.id)
    assert fetch(url)[0] == 200 and url in dict(sitemap_urls(server))
    assert article.path in listing_paths(server, article.category.slug)


def test_unknown_paths_are_html_404s(served):
    _, server = served
    status, headers, body = fetch(server.url + "/khong-co-trang-nay/that-su-khong-co")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and b"<html" in body


def test_requests_are_recorded_in_order(fresh):
    _, server = fresh
    fetch(server.url + "/robots.txt", **{"User-Agent": "replica-test"})
    fetch(server.url + "/rss?x=1")
    assert [r[:2] for r in server.requests[-2:]] == [("GET", "/robots.txt"), ("GET", "/rss?x=1")]
    assert server.requests[-2][2]["User-Agent"] == "replica-test"


def test_timeline_is_local_and_awkward_on_purpose():
    site = build_site()
    times = [a.published for a in site.articles]
    assert times == sorted(times, reverse=True) and all(
        t.utcoffset().total_seconds() == 7 * 3600 for t in times
    )
    assert {t.year for t in times} == {2022, 2023, 2024} and all(t.second == 0 for t in times)
    assert any(t.hour < 7 for t in times) and any(t.day <= 12 for t in times)
    ids = [a.id for a in site.articles]
    assert ids == sorted(ids, reverse=True) and min(ids) >= 110000
    for a in site.articles:
        assert a.path == f"/{a.category.slug}/{a.slug}-{a.id}" and a.slug.isascii()


def test_optional_parts_vary_across_pages():
    site = build_site()
    combos = Counter(
        (a.lead is not None, a.author is not None, bool(a.tags), bool(a.images), a.source is not None)
        for a in site.articles
    )
    assert len(combos) >= 24 and all(part in {True, False} for combo in combos for part in combo)
    for i in range(5):
        assert sum(n for combo, n in combos.items() if combo[i]) >= 3
        assert sum(n for combo, n in combos.items() if not combo[i]) >= 3


def test_same_inputs_give_the_same_site():
    one, two = build_site(n_articles=60, seed=3), build_site(n_articles=60, seed=3)
    assert one.articles == two.articles
    assert [a.paragraphs for a in one.articles] == [a.paragraphs for a in two.articles]
    assert one.articles != build_site(n_articles=60, seed=4).articles


def test_no_paragraph_appears_on_two_pages():
    owner: dict[str, int] = {}
    for article in build_site(n_articles=300).articles:
        captions = [i.caption for i in article.images if i.caption]
        for piece in {*article.paragraphs, *captions, *([article.lead] if article.lead else [])}:
            assert owner.setdefault(piece, article.id) == article.id, piece[:80]
    assert len(owner) > 2000


def test_fifty_thousand_articles_build_fast():
    start = time.perf_counter()
    site = build_site(n_articles=50_000)
    assert time.perf_counter() - start < 6
    assert len(site.articles) == 50_000 and isinstance(site.articles[-1], Article)
    assert len(site.articles[25_000].paragraphs) >= 4


def test_cli_prints_its_url_and_serves():
    proc = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", "0", "--articles", "20"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = re.fullmatch(r"Replica portal serving at (http://127\.0\.0\.1:\d+)\n", line).group(1)
        assert "Disallow: /noi-bo/" in text(url + "/robots.txt")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
