"""A small replica crawled twice (an edit between the runs), shared by the WARC and ingest tests.

Crawling costs seconds; every test of the WARC writer and reader reads the same archive, so it
is made once per test process and never written to afterwards.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from replica import ReplicaServer, build_site
from tests.crawling import scrapy_crawl

_CACHE: dict[str, Path] = {}


def crawled_archive(factory: pytest.TempPathFactory) -> Path:
    """The path of an archive of 6 replica articles: run 1 new, run 2 one edit, the rest 304."""
    if "db" not in _CACHE:
        db_path = factory.mktemp("crawled") / "archive.db"
        site = build_site(n_articles=6)
        with ReplicaServer(site, port=0) as server:
            first = scrapy_crawl(db_path, server.url)
            assert first.returncode == 0, first.stderr[-2000:]
            edited = site.articles[0]
            site.edit(edited.id, title=edited.title + " (cập nhật)")
            second = scrapy_crawl(db_path, server.url, RECHECK_ALL="True")
            assert second.returncode == 0, second.stderr[-2000:]
        _CACHE["db"] = db_path
    return _CACHE["db"]


def rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
