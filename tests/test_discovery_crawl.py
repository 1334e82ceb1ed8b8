"""A generated portal of another CMS family, crawled from its address alone, then again.

No profile, no URL rule: the crawler learns the site's shapes, fetches no print rendering, keys
every article once, and a second run of the unchanged site fetches no article body again (its
articles by their validators, the pages it judged not articles by that verdict).
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from archive.urls import canonical_url
from replica import ReplicaServer
from replica.generator.site import GeneratedSite
from tests.crawling import vnarchive

#: Two families unlike the hand-made replica: VCCorp (timestamp ids, "Xem thêm" listings) and a
#: provincial board on DNN (/vi/news/<cat>/<slug>-<id>.html and id-less ?categoryId= articles).
FAMILIES = {
    "vccorp": ["/{slug}-{id}.htm"],
    "dnn": ["/vi/news/{slug}/{slug}-{id}.html", "/{slug}/{slug}.html?categoryid"],
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_portal_of_another_family_from_its_address_twice(tmp_path, family):
    db = tmp_path / "archive.db"
    site = GeneratedSite(family, n_articles=30)
    with ReplicaServer(site, port=0) as server:
        first = vnarchive("crawl", server.url, "--db", str(db), "--fast", "--quiet")
        assert first.returncode in (0, 6), first.stderr[-2000:]  # 6: undated variants lack a date
        first_requests = len(server.requests)
        second = vnarchive("crawl", server.url, "--db", str(db), "--fast", "--quiet")
        assert second.returncode == 0, second.stdout + second.stderr[-2000:]
        paths = [p for _, p, _ in server.requests]
    assert not [p for p in paths if "print=1" in p]
    conn = sqlite3.connect(db)
    truth = {canonical_url(server.url + e.path) for e in site.entries}
    archived = [r[0] for r in conn.execute("select url from articles")]
    assert sorted(archived) == sorted(truth)  # every article, once, and nothing else
    # The second run: no article body fetched again, no page judged not an article fetched again.
    again = conn.execute(
        "select count(*) from captures where run_id = 2 and status = 200 and kind in ('article', 'page')"
        " and (url in (select url from articles) or url in (select url from captures where run_id = 1 and outcome = 'not-article'))"
    ).fetchone()[0]
    assert again == 0
    assert len(paths) - first_requests < first_requests / 2
    # What was learned is kept: this CMS's article shapes hold every article, the likeliest first.
    shapes = dict(conn.execute("select shape, articles from url_shapes"))
    assert sum(shapes.get(shape, 0) for shape in FAMILIES[family]) == len(truth)
    stats = json.loads(conn.execute("select stats from crawl_runs where id = 1").fetchone()[0])
    assert stats["url_shapes"][0]["shape"] == FAMILIES[family][0]


@pytest.mark.slow
def test_1500_short_articles_with_print_links_and_heavy_sidebars_each_archived_once(tmp_path):
    """Issue 11's portal: short news items in heavy sidebars, a print link on every article.
    Every article is archived once, under its own address, and no print rendering is fetched."""
    db = tmp_path / "archive.db"
    site = GeneratedSite("tuyengiao_b", n_articles=1500, length="brief", sidebars="many")
    with ReplicaServer(site, port=0) as server:
        result = vnarchive(
            "crawl", "tuyengiao", "--base-url", server.url, "--db", str(db), "--fast", "--quiet"
        )
        assert result.returncode in (0, 6), result.stdout + result.stderr[-2000:]  # 6: undated variants
        paths = [p for _, p, _ in server.requests]
    assert not [p for p in paths if "print=1" in p]
    conn = sqlite3.connect(db)
    archived = sorted(r[0] for r in conn.execute("select url from articles"))
    assert archived == sorted(canonical_url(server.url + e.path) for e in site.entries)
    rejected = conn.execute("select count(*) from captures where outcome = 'not-article'").fetchone()[0]
    assert rejected == 0
