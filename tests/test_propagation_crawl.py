"""Propagation kept current by the crawl itself: each run places its new and changed articles.

Real crawls of replica portals over HTTP into one archive; the propagation tables read back.
"""

from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from replica import ReplicaServer, build_site
from tests.crawling import scrapy_crawl


@pytest.fixture
def twins():
    """Two portals on two ports printing the same articles (the same site built twice)."""
    with (
        ReplicaServer(build_site(n_articles=12), port=0) as first,
        ReplicaServer(build_site(n_articles=12), port=0) as second,
    ):
        yield first, second


def _placed(db: Database) -> dict[str, str]:
    return dict(db.execute("select url, record_hash from propagation_state").fetchall())


def _current(db: Database) -> dict[str, str]:
    return dict(db.execute("select url, record_hash from articles").fetchall())


def _last_stats(db: Database) -> dict:
    return json.loads(db.execute("select stats from crawl_runs order by id desc limit 1").fetchone()[0])


def test_each_run_places_what_it_archived_and_a_republication_joins_its_original(twins, db_path):
    first, second = twins
    assert scrapy_crawl(db_path, first.url).returncode == 0
    db = Database(db_path)
    assert len(_current(db)) == 12 and _placed(db) == _current(db)
    assert _last_stats(db)["propagation/placed"] + _last_stats(db)["propagation/short"] == 12

    result = scrapy_crawl(db_path, second.url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(_current(db)) == 24 and _placed(db) == _current(db)
    # every article of the second portal is in one cluster with its twin, first crawled = first
    members = dict(db.execute("select url, cluster_id from text_cluster_members").fetchall())
    for article in first.site.articles:
        original, copy = first.url + article.path, second.url + article.path
        assert members[original] == members[copy], article.path
        first_url = db.execute(
            "select first_url from text_clusters where id = ?", [members[original]]
        ).fetchone()[0]
        assert first_url == original  # same published time: the tie goes to the copy seen first

    # an edit is placed again at the next run, and only it
    edited = first.site.articles[0]
    first.site.edit(
        edited.id,
        paragraphs=[f"Đoạn {i} của một bài viết lại từ đầu, khác hẳn bản cũ." * 3 for i in range(8)],
    )
    assert scrapy_crawl(db_path, first.url, RECHECK_ALL="True").returncode == 0
    assert _placed(db) == _current(db)
    assert _last_stats(db)["propagation/placed"] == 1
    url = first.url + edited.path
    assert url not in dict(db.execute("select url, cluster_id from text_cluster_members").fetchall())


def test_the_setting_leaves_it_to_the_batch_command(twins, db_path):
    first, _ = twins
    assert scrapy_crawl(db_path, first.url, PROPAGATE_AFTER_RUN="False").returncode == 0
    db = Database(db_path)
    assert _placed(db) == {} and "propagation/placed" not in _last_stats(db)
