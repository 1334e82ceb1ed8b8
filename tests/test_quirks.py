"""Real-world fetch behaviour, on the replica's quirks: a feed that redirects to itself while
setting a cookie, gzip without Content-Encoding, cookie walls and JavaScript challenges.
"""

from __future__ import annotations

import json
import sqlite3

from archive import runs
from archive.walls import wall_reason
from replica import ReplicaServer, build_site
from replica.faults import QUIRK_FEED, install_quirks, quirk_path
from tests.crawling import scrapy_crawl


def test_wall_pages_are_recognised_and_articles_are_not():
    assert wall_reason(b'<script>document.cookie="a=1"; location.reload();</script>') == "cookie wall"
    assert wall_reason(b"<h1>Checking your browser</h1>") == "javascript challenge"
    assert wall_reason("<p>Vui lòng bật cookie để tiếp tục</p>".encode()) == "cookie wall"
    article = "<article><p>" + "Đảng bộ tỉnh tổ chức hội nghị quán triệt. " * 2000 + "</p></article>"
    assert (
        wall_reason((article + "<script>document.cookie='x=1';location.reload()</script>").encode()) is None
    )
    assert wall_reason(b"<html><body><p>Tin ngan</p></body></html>") is None
    assert wall_reason(None) is None


def test_quirks_are_fetched_right_and_walls_reported(db_path):
    site = build_site(n_articles=12)
    install_quirks(site)
    with ReplicaServer(site, port=0) as server:
        result = scrapy_crawl(db_path, server.url)
        assert result.returncode == 0, result.stderr[-2000:]
        requested = [(p, h) for _, p, h in server.requests]
    conn = sqlite3.connect(db_path)
    rows = {
        r[0].removeprefix(server.url): r[1:]
        for r in conn.execute("select url, outcome, reason from captures")
    }
    assert rows[QUIRK_FEED] == ("stored", None)
    # Fetched twice: once without the cookie (302 to itself), once with it; and read.
    feed = [h for p, h in requested if p == QUIRK_FEED]
    assert len(feed) == 2 and "vnx=1" in {k.lower(): v for k, v in feed[1].items()}.get("cookie", "")
    assert rows[quirk_path("gzip-no-header")][0] == "new"
    title = conn.execute("select title from articles where url like '%la-gzip-no-header%'").fetchone()[0]
    assert title and "\ufffd" not in title
    assert rows[quirk_path("cookie-wall")] == ("failed", "blocked: cookie wall")
    assert rows[quirk_path("js-challenge")] == ("failed", "blocked: javascript challenge")
    assert (
        conn.execute(
            "select count(*) from articles where url like '%/la-%wall%' or url like '%challenge%'"
        ).fetchone()[0]
        == 0
    )
    stats = json.loads(conn.execute("select stats from crawl_runs").fetchone()[0])
    assert stats["quirks/self_redirect_cookie"] == 1 and stats["quirks/gzip_without_header"] == 1
    assert stats["blocked/cookie_wall"] == 1 and stats["blocked/javascript_challenge"] == 1
    run = dict(
        zip(
            [d[0] for d in conn.execute("select * from crawl_runs").description],
            conn.execute("select * from crawl_runs").fetchone(),
            strict=True,
        )
    )
    assert "the site blocked pages: 1 behind a cookie wall, 1 behind a javascript challenge" in runs.summary(
        run
    )
