"""Sites are data: sites.toml names the portals, and every fact known of the live sites' URLs,
feeds and hosts (../shared/research/live-markup.md) is a case here.

URL rules are hints that order the crawl, never a law; still, a hint that contradicts the live
site would put its articles last, so each is checked against what is known.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime

import pytest

from archive.profiles import PROFILES, SitesError, load_sites, profile_for_address, profile_for_url
from crawler import discovery
from replica import ReplicaServer, build_site
from tests.crawling import vnarchive

ARTICLES = [
    # dangcongsan.vn 2026: no numeric id, categories in the query.
    (
        "dangcongsan",
        "https://dangcongsan.vn/tin-hoat-dong/hoi-nghi-toan-quoc-quan-triet-nghi-quyet.html?categoryId=1902448,1902446",
    ),
    ("dangcongsan", "https://dangcongsan.vn/thoi-su/hoi-nghi-trung-uong-662290.html"),
    # baochinhphu.vn: 18-digit ids and the 15-17-digit ones whose millisecond part lost its zeros.
    ("baochinhphu", "https://baochinhphu.vn/thu-tuong-chu-tri-phien-hop-102251029120855211.htm"),
    ("baochinhphu", "https://baochinhphu.vn/thu-tuong-chu-tri-phien-hop-102260102152107.htm"),
    ("baochinhphu", "https://baochinhphu.vn/thu-tuong-chu-tri-phien-hop-1022601021521075.htm"),
    ("baochinhphu", "https://baochinhphu.vn/thu-tuong-chu-tri-phien-hop-10226010215210755.htm"),
    ("baochinhphu", "https://baochinhphu.vn/Tin-noi-bat/Thu-tuong/12345.vgp"),
    # tuyengiaodanvan.vn: articles under /blogs/.
    ("tuyengiaodanvan", "https://tuyengiaodanvan.vn/blogs/trien-khai-nhiem-vu-cong-tac-dan-van-nam-2026"),
    # tapchicongsan.org.vn: media-story asset_publisher articles, and the classic Liferay ones.
    (
        "tapchicongsan",
        "https://www.tapchicongsan.org.vn/media-story/-/asset_publisher/V8hhp4dK31Gf/content/bao-ve-nen-tang",
    ),
    (
        "tapchicongsan",
        "https://www.tapchicongsan.org.vn/web/guest/chi-tiet/-/asset_publisher/abc/content/bai-viet",
    ),
    (
        "tapchicongsan",
        "https://www.tapchicongsan.org.vn/web/guest/van_hoa_xa_hoi/-/2018/825101/bai-viet.aspx",
    ),
    # tuyengiao.vn (a) 2020: two category levels, extensionless.
    ("tuyengiao", "https://tuyengiao.vn/nhip-cau-tuyen-giao/tuyen-giao-cac-cap/hoi-nghi-bao-cao-vien-130693"),
    (
        "tuyengiao",
        "https://tuyengiao.vn/hoc-va-lam-theo-bac/tung-buoc-xay-dung-khong-gian-van-hoa-ho-chi-minh-110147",
    ),
    # nhandan.vn: -post<id>.html, long-form /special/ pages, old hosts.
    ("nhandan", "https://nhandan.vn/xuat-khau-gao-post812345.html"),
    ("nhandan", "https://nhandan.vn/special/chien-thang-dien-bien-phu/index.html"),
    ("nhandan", "https://nhandan.com.vn/tin-tuc-su-kien/bai-viet-post123.html"),
    ("qdnd", "https://www.qdnd.vn/quoc-phong-an-ninh/tin-tuc/dien-tap-phong-thu-675020"),
]

LISTINGS = [
    ("tuyengiaodanvan", "https://tuyengiaodanvan.vn/vn/bao-ve-nen-tang-tu-tuong-cua-dang"),
    ("tuyengiaodanvan", "https://tuyengiaodanvan.vn/blogs/category/type/tin-tuc"),
    ("tapchicongsan", "https://www.tapchicongsan.org.vn/web/guest/van_hoa_xa_hoi"),
    ("baochinhphu", "https://baochinhphu.vn/chinh-sach-moi.htm"),
    ("dangcongsan", "https://dangcongsan.vn/noidung/tintuc/Lists/Tinhoatdong/View.aspx"),
    ("qdnd", "https://www.qdnd.vn/chinh-tri/p/3"),
]


@pytest.mark.parametrize(("site", "url"), ARTICLES)
def test_known_article_urls_are_hinted_as_articles_of_their_site(site, url):
    profile = profile_for_url(url)
    assert profile is not None and profile.name == site
    assert profile.is_article_url(url)
    assert not profile.is_listing_url(url)


@pytest.mark.parametrize(("site", "url"), LISTINGS)
def test_known_listing_urls_are_hinted_as_listings(site, url):
    profile = PROFILES[site]
    assert profile.is_listing_url(url)
    assert not profile.is_article_url(url)


@pytest.mark.parametrize(
    ("url", "published"),
    [
        ("https://baochinhphu.vn/a-102251029120855211.htm", "2025-10-29T12:08:55"),
        ("https://baochinhphu.vn/a-102260102152107.htm", "2026-01-02T15:21:07"),  # ms 0: no digits
        ("https://baochinhphu.vn/a-1022601021521075.htm", "2026-01-02T15:21:07"),  # ms 5
        ("https://baochinhphu.vn/a-10226010215210755.htm", "2026-01-02T15:21:07"),  # ms 55
    ],
)
def test_baochinhphu_ids_date_the_article_whatever_their_length(url, published):
    match = re.search(PROFILES["baochinhphu"].url_date_pattern, url)
    assert match is not None
    g = match.groupdict()
    when = datetime(2000 + int(g["yy"]), int(g["m"]), int(g["d"]), int(g["H"]), int(g["M"]), int(g["S"]))
    assert when.isoformat() == published


def test_hosts_feeds_and_sitemaps_of_the_live_sites():
    assert {"nhandan.vn", "nhandan.com.vn", "nhandan.org.vn"} <= set(PROFILES["nhandan"].hosts)
    assert profile_for_url("https://www.nhandan.org.vn/chinhtri/item/1.html").name == "nhandan"
    assert "/rss/home.rss" in PROFILES["nhandan"].feed_paths
    assert "/sitemaps/google-news.xml" in PROFILES["nhandan"].sitemap_paths
    assert {"/rss", "/rss/cate/tin-tuc-moi-nhat.rss", "/rss/cate/chinh-tri-3429.rss"} <= set(
        PROFILES["qdnd"].feed_paths
    )
    assert {"/sitemaps/0/top300article.xml", "/sitemaps/pid/feed-0.xml"} <= set(
        PROFILES["qdnd"].sitemap_paths
    )
    assert "/home.rss" in PROFILES["baochinhphu"].feed_paths
    assert PROFILES["dangcongsan"].page_param == "Page"
    assert (
        discovery.page_number(
            "https://dangcongsan.vn/noidung/tintuc/Lists/Tinhoatdong/View.aspx?Page=4", "Page"
        )
        == 4
    )
    assert discovery.page_number("https://www.qdnd.vn/chinh-tri/p/3", "page") == 3
    groups = {p.name: p.group for p in PROFILES.values()}
    assert (
        groups["qdnd"] == "army" and groups["baochinhphu"] == "government" and groups["nhandan"] == "central"
    )


def test_a_portal_without_an_entry_is_named_by_its_host():
    profile = profile_for_address("https://www.bantuyengiao.cantho.gov.vn/vi/news/thoi-su")
    assert profile.name == "bantuyengiao.cantho.gov.vn"
    assert profile.hosts == ("bantuyengiao.cantho.gov.vn",)
    assert profile.base_url == "https://www.bantuyengiao.cantho.gov.vn"
    assert profile.article_path_patterns == ()
    with pytest.raises(SitesError, match="not a portal address"):
        profile_for_address("bantuyengiao.cantho.gov.vn")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[x]\nbase_url = "https://x.vn"\narticle_paths = ["(unclosed"]\n',
            r"\[x\]: article_paths has a bad regex",
        ),
        ('[x]\nbase_url = "https://x.vn"\nfeeed = ["/rss"]\n', r"\[x\]: unknown keys \['feeed'\]"),
        ('[x]\nbase_url = "x.vn"\n', r"\[x\]: base_url must be an http\(s\) URL"),
        ('["X Y"]\nbase_url = "https://x.vn"\n', r"a name is lowercase"),
        ('[x]\nbase_url = "https://x.vn"\n[x.selectors]\ntitle = ["h1[["]\n', r"selectors.title"),
        (
            '[x]\nbase_url = "https://x.vn"\n[x.selectors]\nheadline = ["h1"]\n',
            r"unknown fields \['headline'\]",
        ),
        ("[x\n", r"cannot read the sites file"),
    ],
)
def test_a_broken_sites_file_says_what_is_wrong_in_one_line(tmp_path, text, message):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SitesError, match=message) as error:
        load_sites(path)
    assert "\n" not in str(error.value)


def test_a_site_added_in_a_few_lines_gets_hosts_hints_and_selectors(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(
        '[bantuyengiao-cantho]\nbase_url = "https://bantuyengiao.cantho.gov.vn"\ngroup = "provincial"\n'
        "article_paths = ['^/vi/news/[^/]+/[a-z0-9-]+-\\d+\\.html$']\n"
        '[bantuyengiao-cantho.selectors]\ntitle = ["h1.post-title"]\n',
        encoding="utf-8",
    )
    profile = load_sites(path)["bantuyengiao-cantho"]
    assert profile.hosts == ("bantuyengiao.cantho.gov.vn",) and profile.group == "provincial"
    assert profile.is_article_url("https://bantuyengiao.cantho.gov.vn/vi/news/thoi-su/hoi-nghi-123.html")
    assert "post-title" in profile.hints["title"][0]


def test_crawl_a_portal_by_its_address_then_list_the_sites(tmp_path):
    db = tmp_path / "archive.db"
    site = build_site(n_articles=8)
    with ReplicaServer(site, port=0) as server:
        result = vnarchive("crawl", server.url, "--db", str(db), "--fast", "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "run 1 (127.0.0.1 " in result.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("select spider from crawl_runs").fetchone()[0] == "127.0.0.1"
    archived = [r[0] for r in conn.execute("select url from articles")]
    # Every article once, and no listing or other page among them.
    assert sorted(archived) == sorted(server.url + a.path for a in site.articles)
    listed = vnarchive("sites", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[1:]}
    assert set(PROFILES) < set(lines)
    assert lines["127.0.0.1"][1] == "other" and lines["127.0.0.1"][2] == str(len(archived))
    assert lines["127.0.0.1"][3:5] == ["1", "ok"]
    assert lines["nhandan"][1:4] == ["central", "0", "never"]


def test_a_hint_never_forbids_a_page_the_site_lists(tmp_path, monkeypatch):
    """A sites file whose listing pattern claims every address, and no article pattern at all:
    the pages the site's sitemap names are still fetched, and their content makes them articles."""
    sites = tmp_path / "sites.toml"
    sites.write_text(
        '[tuyengiao]\nbase_url = "https://tuyengiao.vn"\nlisting_paths = [".*"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("VNARCHIVE_SITES", str(sites))
    db = tmp_path / "archive.db"
    site = build_site(n_articles=6)
    with ReplicaServer(site, port=0) as server:
        result = vnarchive(
            "crawl", "tuyengiao", "--base-url", server.url, "--db", str(db), "--fast", "--quiet"
        )
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    conn = sqlite3.connect(db)
    assert {r[0] for r in conn.execute("select url from articles")} == {
        server.url + a.path for a in site.articles
    }


BODY_P = "".join(
    f"<p>Đoạn {i}: Hội nghị quán triệt, triển khai thực hiện Nghị quyết của Đảng tại địa phương, với nhiều ý kiến đóng góp.</p>"
    for i in range(4)
)
#: The live markup of each portal as live-markup.md records it, with a decoy headline and date in
#: a sidebar: the hints must pick the article's own.
LIVE_PAGES = {
    "tuyengiao": (
        "https://tuyengiao.vn/thoi-su/hoi-nghi-bao-cao-vien-130693",
        '<div class="flex-fill"><div class="ml-lg-auto">Thứ Sáu, 10/5/2024 10:50\'(GMT+7)</div></div>'
        '<h1 class="story-headline">Hội nghị báo cáo viên Trung ương tháng 5</h1>'
        '<div class="story-teaser">(TG) - Sáng 10/5, tại Hà Nội, Ban Tuyên giáo Trung ương tổ chức hội nghị.</div>'
        f'<div class="story-body">{BODY_P}</div>',
        "2024-05-10T10:50:00+07:00",
    ),
    "dangcongsan": (
        "https://dangcongsan.vn/tin-hoat-dong/hoi-nghi-bao-cao-vien.html?categoryId=1902448",
        '<h1 id="contenttitle">Hội nghị báo cáo viên Trung ương tháng 5</h1><div id="ngaytao">14/09/2022 10:10</div>'
        '<div id="description">(ĐCSVN) - Sáng 14/9, tại Hà Nội, Ban Tuyên giáo Trung ương tổ chức hội nghị.</div>'
        f'<div class="noidungtt">{BODY_P}</div><b id="tacgia">Nguyễn Văn A</b>',
        "2022-09-14T10:10:00+07:00",
    ),
    "qdnd": (
        "https://www.qdnd.vn/chinh-tri/tin-tuc/hoi-nghi-bao-cao-vien-675020",
        '<h1 class="post-title">Hội nghị báo cáo viên Trung ương tháng 5</h1>'
        '<span class="post-subinfo"><span>15/09/2022 01:30</span></span>'
        '<div class="post-summary">QĐND - Sáng 15/9, tại Hà Nội, Ban Tuyên giáo Trung ương tổ chức hội nghị.</div>'
        f'<div itemprop="articleBody">{BODY_P}<p><strong>SƠN BÌNH</strong></p></div>',
        "2022-09-15T01:30:00+07:00",
    ),
    "baochinhphu": (
        "https://baochinhphu.vn/hoi-nghi-bao-cao-vien-102260102152107.htm",
        '<h1 class="detail-title" data-role="title">Hội nghị báo cáo viên Trung ương tháng 5</h1>'
        '<div data-role="publishdate">02/01/2026 15:21</div>'
        '<h2 class="detail-sapo" data-role="sapo">(Chinhphu.vn) - Sáng 2/1, tại Hà Nội, Ban Tuyên giáo tổ chức hội nghị.</h2>'
        f'<div class="detail-content afcbc-body" data-role="content">{BODY_P}</div>',
        "2026-01-02T15:21:00+07:00",
    ),
    "tapchicongsan": (
        "https://www.tapchicongsan.org.vn/media-story/-/asset_publisher/V8hhp4dK31Gf/content/hoi-nghi",
        '<h4 class="titleNews">Hội nghị báo cáo viên Trung ương tháng 5</h4><div class="publishdate">22:45, ngày 22-11-2020</div>'
        '<div class="sumary">TCCS - Sáng 22/11, tại Hà Nội, Ban Tuyên giáo Trung ương tổ chức hội nghị.</div>'
        f'<div class="detailContent">{BODY_P}</div>',
        "2020-11-22T22:45:00+07:00",
    ),
}


@pytest.mark.parametrize("site", sorted(LIVE_PAGES))
def test_the_live_markup_of_each_portal_gives_its_fields(site):
    from archive.extract import extract, is_article

    url, main, published = LIVE_PAGES[site]
    decoy = (
        '<aside><h2>Tin mới nhất</h2><ul><li><a href="/x-1">Một tin khác hoàn toàn về chủ đề khác</a>'
        " <span>11/05/2024 08:00</span></li></ul></aside>"
    )
    html = f'<html><head><meta charset="utf-8"><title>Trang</title></head><body>{decoy}<main>{main}</main></body></html>'
    record = extract(html.encode(), url)
    assert is_article(record), record.get("flags")
    assert record["title"] == "Hội nghị báo cáo viên Trung ương tháng 5"
    assert record["published"] == published
    assert record["lead"] and "Ban Tuyên giáo" in record["lead"]
    assert record["text"].startswith("Đoạn 0:") and "Tin mới nhất" not in record["text"]
