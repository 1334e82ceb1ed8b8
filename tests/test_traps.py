"""Crawler traps are contained: each kind costs a bounded number of fetches, is reported in the
run's stats, and the real articles are all archived beside them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from archive import shapes
from replica import ReplicaServer, build_site
from replica.traps import KINDS, install_traps
from tests.crawling import scrapy_crawl, vnarchive

#: Fetches a trap may cost: the shape's probe budget twice over (a trap's pages may fall into
#: two shapes), plus its start.
BOUND = 2 * 5 + 1


@pytest.mark.parametrize("by_address", [False, True], ids=["profile", "address"])
def test_every_trap_is_contained_and_every_article_archived(tmp_path, by_address):
    db = tmp_path / "archive.db"
    site = build_site(n_articles=24)
    install_traps(site)
    with ReplicaServer(site, port=0) as server:
        if by_address:
            result = vnarchive("crawl", server.url, "--db", str(db), "--fast", "--quiet")
        else:
            # Per-shape budgets alone (the share cap's refusals depend on request order): every
            # trap is then entered, whatever order the requests are made in.
            result = scrapy_crawl(db, server.url, SHAPE_PROBE_SHARE="1.0")
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    hits = {kind: site.fault_hits[kind] for kind in KINDS}
    assert all(n <= BOUND for n in hits.values()), hits
    if not by_address:
        # The hints make the fault listing a listing: every trap is entered, and left.
        assert all(n >= 1 for n in hits.values()), hits
    # (By address, the shape of the listing that links to the traps was given up before it:
    # its kind of page had led to no article the sitemap had not already named.)
    conn = sqlite3.connect(db)
    archived = {r[0] for r in conn.execute("select url from articles")}
    assert {server.url + a.path for a in site.articles} <= archived
    assert not [u for u in archived if "/bay" in u]
    stats = json.loads(conn.execute("select stats from crawl_runs").fetchone()[0])
    assert stats.get("crawl/shape_refused", 0) > 0
    if by_address:
        # Probes of unproven shapes stay a bounded share of the fetches (SHAPE_PROBE_SHARE past its floor).
        assert stats.get("crawl/shape_probe", 0) <= max(20, 0.15 * stats["downloader/request_count"]) + 1
    if not by_address:
        assert stats.get("crawl/trap/repeated-segment", 0) >= 1
        assert stats.get("crawl/pagination_stopped", 0) >= 1


def test_shapes_see_through_growing_queries_and_session_ids():
    assert shapes.shape("http://a.vn/bay/tim?q=x&trang1=1&trang2=2") == shapes.shape(
        "http://a.vn/bay/tim?q=x&trang1=1"
    )
    assert shapes.shape("http://a.vn/bay/phien;jsessionid=1000/tin") == shapes.shape(
        "http://a.vn/bay/phien;jsessionid=1001/tin"
    )
    assert shapes.shape("http://a.vn/bay/lien-ket?page=1%2Fen%2Fvi") == shapes.shape(
        "http://a.vn/bay/lien-ket?page=1%2Fen"
    )
    assert shapes.trap_reason("http://a.vn/bay/x/y/x/y/x/y") == "repeated-segment"
