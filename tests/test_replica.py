"""The replica portal over real HTTP on 127.0.0.1: what crawlers and extractors will meet."""

from __future__ import annotations

import gzip
import http.client
import re
import socket
import subprocess
import sys
import threading
import unicodedata
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.error import HTTPError

import pytest

from replica import Article, ReplicaServer, build_site, faults
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
    site, server = served
    status, headers, body = fetch(server.url + "/khong-co-trang-nay/that-su-khong-co")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and b"<html" in body
    article = site.articles[0]
    short = fetch(f"{server.url}/{article.slug}-{article.id}")  # the portal's short form redirects
    assert short[0] == 301 and short[1]["Location"] == article.path


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


def _shingled(site) -> dict[int, set]:
    from archive.propagation_text import shingles, syllables

    return {a.id: shingles(syllables("\n".join(a.paragraphs))) for a in site.articles}


def _near_pairs(sets: list[set], threshold: float = 0.5) -> int:
    """Pairs whose Jaccard similarity reaches archive.propagation's NEAR_JACCARD."""
    return sum(1 for i, a in enumerate(sets) for b in sets[i + 1 :] if len(a & b) >= threshold * len(a | b))


def test_distinct_texts_share_no_text_across_seeds_and_keep_the_pages_shape():
    """crawl_many's portals: unlike the shared bank's variants, no two bodies are near-duplicates."""
    shared = [build_site(n_articles=40, seed=s) for s in range(3)]
    distinct = [build_site(n_articles=40, seed=s, texts="distinct") for s in range(3)]
    shared_sets = [x for site in shared for x in _shingled(site).values()]
    distinct_sets = [x for site in distinct for x in _shingled(site).values()]
    assert _near_pairs(shared_sets) > 100  # why: the base's variants, within and across seeds
    assert _near_pairs(distinct_sets) == 0
    owner: dict[str, int] = {}
    for s, site in enumerate(distinct):
        for article in site.articles:
            for piece in {*article.paragraphs, *([article.lead] if article.lead else [])}:
                assert owner.setdefault(piece, (s, article.id)) == (s, article.id), piece[:80]
    # Same URLs, titles, dates, paragraph count and about the same length: only the text differs.
    for plain, other in zip(shared, distinct, strict=True):
        for a, b in zip(plain.articles, other.articles, strict=True):
            assert (a.path, a.title, a.published, a.images) == (b.path, b.title, b.published, b.images)
            assert len(a.paragraphs) == len(b.paragraphs) and (a.lead is None) == (b.lead is None)
        size = sum(len(p) for a in plain.articles for p in a.paragraphs)
        assert 0.8 < sum(len(p) for a in other.articles for p in a.paragraphs) / size < 1.25
    again = build_site(n_articles=40, seed=1, texts="distinct")
    assert [a.paragraphs for a in again.articles] == [a.paragraphs for a in distinct[1].articles]


def test_syndication_copies_a_shared_original_onto_the_seeds_that_pick_it():
    from replica.texts import SHARED_ORIGIN

    seeds, n, rate = 8, 60, 0.2
    sites = [build_site(n_articles=n, seed=s, texts="distinct", syndication=rate) for s in range(seeds)]
    picked = [a for site in sites for a in site.articles if a._writer.origin(a._k) == SHARED_ORIGIN]
    assert 0.12 < len(picked) / (seeds * n) < 0.28  # about the rate
    texts: dict[int, set[tuple[str, ...]]] = {}
    for article in picked:  # the same text wherever picked (a portal's own no-break space aside)
        texts.setdefault(article._k, set()).add(tuple(p.replace("\u00a0", " ") for p in article.paragraphs))
    assert all(len(t) == 1 for t in texts.values())
    # Everything else stays distinct: the only near-duplicates are the copies of one original.
    copies = sum(m * (m - 1) // 2 for m in Counter(a._k for a in picked).values())
    assert copies > 10
    sets = [x for site in sites for x in _shingled(site).values()]
    assert _near_pairs(sets) == copies
    with pytest.raises(ValueError, match="syndication needs"):
        build_site(n_articles=10, syndication=0.1)


def test_fifty_thousand_articles_build():
    """The build time itself is a figure for bench/ (crawl_scale.py builds 50k), not a test."""
    site = build_site(n_articles=50_000)
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


# --- fault mode -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def faulty():
    site = build_site(today=TODAY, faults=True)
    with ReplicaServer(site) as server:
        yield site, server


def fault_path(site, kind: str) -> str:
    return next(p for p, k in site.faults.items() if k == kind)


def raw_get(server: ReplicaServer, target: str, host: str | None = None, timeout: float = 5):
    """One GET over a bare socket: (status, headers, body, how the read ended); nothing hidden."""
    host = host or f"{server.host}:{server.port}"
    with socket.create_connection((server.host, server.port), timeout=timeout) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data, ended = b"", "eof"
        try:
            while chunk := conn.recv(1 << 16):
                data += chunk
        except OSError as e:
            ended = type(e).__name__
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0] else 0
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body, ended


def test_default_site_is_unchanged_by_fault_mode(faulty):
    site, server = faulty
    plain = build_site(today=TODAY)
    assert plain.faults == {} and plain.articles == site.articles
    with ReplicaServer(plain) as clean:
        assert (
            "/loi-kiem-thu" not in text(clean.url + "/")
            and b"sitemap-gz" not in fetch(clean.url + "/sitemap.xml")[2]
        )
        assert fetch(clean.url + "/loi-kiem-thu")[0] == 404
    assert 'href="/loi-kiem-thu"' in text(server.url + "/")


def test_fault_listing_links_every_fault_and_the_index_lists_the_odd_sitemaps(faulty):
    site, server = faulty
    page = text(server.url + "/loi-kiem-thu")
    for path, kind in site.faults.items():
        assert f'href="{path}"' in page
        if kind not in ("sitemap-gz", "sitemap-malformed"):
            assert path.startswith("/kiem-thu/loi-") and re.search(r"-9\d{4}[/?]?", path)
    assert set(site.faults.values()) == set(faults.KINDS) | set(faults.SITEMAPS.values())
    index = fetch(server.url + "/sitemap.xml")[2].decode()
    assert f"{server.url}/sitemap-gz.xml.gz" in index and f"{server.url}/sitemap-hong.xml" in index


@pytest.mark.parametrize(
    ("kind", "status"), [("404", 404), ("410", 410), ("redirect-offsite", 302), ("empty-200", 200)]
)
def test_plain_status_faults(faulty, kind, status):
    site, server = faulty
    got, headers, body, _ = raw_get(server, fault_path(site, kind))
    assert got == status
    if kind == "redirect-offsite":
        assert headers["location"].startswith("http://example.invalid/")
    if kind == "empty-200":
        assert body == b"" and headers["content-length"] == "0"


def test_500_then_200(faulty):
    site, server = faulty
    path = fault_path(site, "500-then-200")
    assert raw_get(server, path)[0] == 500
    status, _, body, _ = raw_get(server, path)
    assert status == 200 and "Phản hồi" in body.decode() and "'(GMT+7)" in body.decode()


@pytest.mark.parametrize("kind", ["503", "429"])
def test_retry_after_faults_recover_on_the_third_request(faulty, kind):
    site, server = faulty
    path = fault_path(site, kind)
    for _ in range(2):
        status, headers, _, _ = raw_get(server, path)
        assert status == int(kind) and headers["retry-after"] == "1"
    assert raw_get(server, path)[0] == 200


def test_never_answers_holds_the_connection_until_stop():
    site = build_site(n_articles=12, faults=True)
    server = ReplicaServer(site).start()
    with socket.create_connection((server.host, server.port), timeout=5) as conn:
        conn.sendall(f"GET {fault_path(site, 'never-answers')} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        conn.settimeout(1)
        with pytest.raises(TimeoutError):
            conn.recv(1)
        stopper = threading.Thread(target=server.stop, daemon=True)
        stopper.start()
        stopper.join(60)  # generous: a stop that waits for the held request never returns
        assert not stopper.is_alive(), "stop() hangs on a connection that never got an answer"
        conn.settimeout(10)
        try:
            answer = conn.recv(1)
        except ConnectionResetError:
            answer = b""  # reset: closed too, and without an answer
        assert answer == b""  # closed without a single byte of answer (a hang raises TimeoutError)


@pytest.mark.parametrize(
    ("kind", "ended"), [("reset-mid-body", "ConnectionResetError"), ("truncated-body", "eof")]
)
def test_bodies_cut_short(faulty, kind, ended):
    site, server = faulty
    status, headers, body, how = raw_get(server, fault_path(site, kind))
    assert status == 200 and how == ended
    assert 0 < len(body) < int(headers["content-length"])


def test_truncated_body_is_an_incomplete_read_for_http_clients(faulty):
    site, server = faulty
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("GET", fault_path(site, "truncated-body"))
    with pytest.raises(http.client.IncompleteRead):
        conn.getresponse().read()
    conn.close()


def test_redirect_loop_and_long_chain(faulty):
    site, server = faulty
    loop = fault_path(site, "redirect-loop")
    first = raw_get(server, loop)
    assert first[0] == 302 and raw_get(server, first[1]["location"])[1]["location"] == loop
    target, hops = fault_path(site, "redirect-chain"), 0
    while (answer := raw_get(server, target))[0] == 301:
        target, hops = answer[1]["location"], hops + 1
    assert hops == 12 and answer[0] == 200


def test_huge_page(faulty):
    site, server = faulty
    status, headers, body, _ = raw_get(server, fault_path(site, "huge-page"), timeout=20)
    assert status == 200 and int(headers["content-length"]) == len(body) > 10_000_000


def test_binary_and_invalid_utf8_served_as_utf8_html(faulty):
    site, server = faulty
    for kind in ("binary-as-html", "invalid-utf8"):
        status, headers, body, _ = raw_get(server, fault_path(site, kind))
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    assert body.decode("utf-8", errors="replace").count("Phản hồi") == 1
    assert raw_get(server, fault_path(site, "binary-as-html"))[2].startswith(b"\x89PNG")


def test_windows_1258_page_uses_combining_tones(faulty):
    site, server = faulty
    status, headers, body, _ = raw_get(server, fault_path(site, "windows-1258"))
    assert status == 200 and headers["content-type"] == "text/html; charset=windows-1258"
    assert b'<meta charset="windows-1258">' in body
    decoded = body.decode("cp1258")
    assert not unicodedata.is_normalized("NFC", decoded) and "\u0301" in decoded
    nfc = unicodedata.normalize("NFC", decoded)
    assert "Ban Tuyên giáo Trung ương" in nfc and "Phản hồi" in nfc and "&#" not in decoded
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_pages_missing_their_title_or_body_and_malformed_html(faulty):
    site, server = faulty
    no_title = raw_get(server, fault_path(site, "no-title"))[2].decode()
    assert "<title>" not in no_title and "bt-detail__heading" not in no_title and "'(GMT+7)" in no_title
    no_body = raw_get(server, fault_path(site, "no-body"))[2].decode()
    assert "<title>" in no_body and 'style="text-align: justify;"' not in no_body and "Phản hồi" in no_body
    malformed = raw_get(server, fault_path(site, "malformed-html"))[2].decode()
    assert "\x00" in malformed and malformed.count("<p") > malformed.count("</p>")


def test_one_article_under_several_urls(faulty):
    site, server = faulty
    paths = [p for p, k in site.faults.items() if k == "duplicate"]
    assert {p[len(paths[0]) :] for p in paths} == {"", "?utm_source=x", "/"}
    alias = raw_get(server, paths[0], host=f"www.{server.host}:{server.port}")[2]
    bodies = {raw_get(server, p)[2] for p in paths} | {alias.replace(b"http://www.", b"http://")}
    assert len(bodies) == 1 and f'rel="canonical" href="{server.url}{paths[0]}"'.encode() in bodies.pop()


def test_gzip_and_malformed_sitemaps(faulty):
    site, server = faulty
    status, headers, body, _ = raw_get(server, "/sitemap-gz.xml.gz")
    assert status == 200 and headers["content-type"] == "application/x-gzip" and body[:2] == b"\x1f\x8b"
    locs = [u.text for u in ET.fromstring(gzip.decompress(body)).iter(SM + "loc")]
    assert server.url + fault_path(site, "500-then-200") in locs
    with pytest.raises(ET.ParseError):
        ET.fromstring(raw_get(server, "/sitemap-hong.xml")[2])


def test_fault_articles_repeat_no_paragraph_of_the_site(faulty):
    site, _ = faulty
    seen = {p for a in site.articles for p in a.paragraphs}
    for kind in faults.KINDS:
        assert not seen & set(faults.fault_article(site, kind).paragraphs), kind
