"""robots.txt is obeyed by every request, whichever path scheduled it and however many wait for it.

Deterministic on purpose: a resumed run queues its whole frontier (and its due re-checks) before
robots.txt has been read, so every one of those requests waits for the file at once. Scrapy's
own middleware let the second and later waiters through unchecked; a crash test caught it only
when a kill happened to leave a disallowed URL deep in the frontier.
"""

from __future__ import annotations

import json
import sqlite3

from archive import store
from archive.crawlstate import add_to_frontier
from archive.extract import extract
from replica import ReplicaServer, build_site
from replica.pages import INTERNAL_PATH, article_page
from tests.crawling import scrapy_crawl

#: Disallowed by the replica's robots.txt (``Disallow: /noi-bo/`` and ``/tim-kiem``).
DISALLOWED = [INTERNAL_PATH, "/noi-bo/ban-thao-110001", "/tim-kiem?q=a", "/noi-bo/ban-thao-110002"]


def test_resumed_frontier_and_due_rechecks_obey_robots(db_path):
    site = build_site(n_articles=12)
    with ReplicaServer(site, port=0) as server:
        allowed = [server.url + a.path for a in site.articles[:6]]
        # Disallowed URLs between allowed ones, so several wait behind the first request.
        queued = [allowed[0], allowed[1], server.url + DISALLOWED[0], allowed[2]]
        queued += [server.url + p for p in DISALLOWED[1:]] + allowed[3:]
        db = store.open_db(db_path)
        add_to_frontier(
            db, [{"url": u, "request_url": u, "kind": "article", "lastmod": None} for u in queued], None
        )
        # A known article whose path robots.txt now disallows is due for a re-check.
        recheck_url = server.url + "/noi-bo/bai-cu-110003"
        html = article_page(site, site.articles[7]).encode()
        record = extract(html, recheck_url)
        store.record_page(
            db,
            {
                "url": recheck_url,
                "status": 200,
                "kind": "article",
                "body": html,
                "content_type": "text/html",
                "fetched_at": "2020-01-01T00:00:00+00:00",
            },
            record,
        )
        db.close()

        result = scrapy_crawl(db_path, server.url, RECHECK_ALL="True")
        assert result.returncode == 0, result.stderr[-2000:]

        requested = [path for _, path, _ in server.requests]
        assert [p for p in requested if p.startswith(("/noi-bo/", "/tim-kiem"))] == []
        # The allowed ones around them were fetched, so the disallowed ones were really queued.
        assert {a.removeprefix(server.url) for a in allowed} <= set(requested)
        conn = sqlite3.connect(db_path)
        stats = conn.execute("select stats from crawl_runs order by id desc limit 1").fetchone()[0]
        assert json.loads(stats)["incremental/resumed"] == len(queued)
        assert json.loads(stats)["robotstxt/forbidden"] >= len(DISALLOWED) + 1
        assert conn.execute("select count(*) from captures where url like '%/noi-bo/%'").fetchone()[0] == 1
