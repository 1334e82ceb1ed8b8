"""Propagation as a researcher sees it in a real browser: "Also published by" on an article page,
a text cluster's members in publication order, and its spread drawn per day.

The archive holds generated republications whose truth is known (replica/propagation.py), placed
by the same step a crawl runs after each run; the pages are served by a real Datasette and read
in headless Chromium at 1,400 and 800 px (screenshots in tests/artefacts/).
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from datasette.utils import tilde_encode

from archive import store
from archive.propagation import propagate
from replica.propagation import archive_corpus, generate
from tests.archive_fixtures import running_server
from tests.reading_room_browser import BROWSER_MARKS, open_page, visible_text

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("propagation") / "archive.db"
    db = store.open_db(path)
    archive_corpus(db, generate(120, seed=6))
    propagate(db)
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def server(archive):
    with running_server("--db", str(archive)) as base:
        yield base


@pytest.fixture(scope="module")
def widest(archive) -> tuple[int, list[dict]]:
    """The cluster that reached the most portals, and its members in publication order."""
    conn = sqlite3.connect(archive)
    conn.row_factory = sqlite3.Row
    cluster = conn.execute(
        "select id from text_clusters order by sites desc, members desc, id limit 1"
    ).fetchone()[0]
    members = [
        dict(row)
        for row in conn.execute(
            "select m.*, a.title from text_cluster_members m join articles a on a.url = m.url"
            " where cluster_id = ? order by position",
            (cluster,),
        )
    ]
    conn.close()
    assert len({m["site"] for m in members}) >= 3, "the generated archive has no cluster worth reading"
    return cluster, members


@pytest.mark.parametrize("width", [1400, 800])
def test_article_page_says_where_else_the_text_appeared(server, browser, widest, width):
    _, members = widest
    first, follower = members[0], members[-1]
    page = open_page(
        browser, server, f"/archive/articles/{tilde_encode(follower['url'])}", width, "also-published"
    )
    try:
        text = visible_text(page)
        assert "Also published by" in text
        assert f"{first['site']} (first)" in text
        for member in members:
            if member["url"] != follower["url"]:
                assert member["site"] in text
        links = page.js("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
        assert f"/archive/articles/{tilde_encode(first['url'])}" in links
    finally:
        page.close()


def test_cluster_spread_lists_the_members_in_publication_order(server, browser, widest):
    cluster, members = widest
    page = open_page(browser, server, f"/archive/cluster_spread?cluster={cluster}", 1400, "cluster-spread")
    try:
        rows = page.js(
            "Array.from(document.querySelectorAll('table.rows-and-columns tbody tr'))"
            ".map(tr => tr.querySelector('td.col-site').innerText.trim())"
        )
        assert rows == [m["site"] for m in members]
        assert "select m.position" not in visible_text(page), "the SQL is shown before it is asked for"
    finally:
        page.close()


def test_spread_per_day_draws_every_day_from_the_first_to_the_last(server, browser, widest):
    cluster, members = widest
    days = sorted({m["published"][:10] for m in members if m["published"]})
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    every_day = [(first + timedelta(d)).isoformat() for d in range((last - first).days + 1)]
    page = open_page(
        browser, server, f"/archive/cluster_spread_per_day?cluster={cluster}", 1400, "cluster-per-day"
    )
    try:
        page.settle()
        bars = page.js(
            "Array.from(document.querySelectorAll('#vn-chart rect.vn-bar'))"
            ".map(r => [r.getAttribute('data-month'), +r.getAttribute('data-count')])"
        )
        assert [day for day, _ in bars] == every_day
        assert sum(count for _, count in bars) == sum(1 for m in members if m["published"])
        assert dict(bars)[days[0]] >= 1
        assert "Articles per day:" in visible_text(page)
    finally:
        page.close()
    page = open_page(browser, server, "/archive/cluster_spread_per_day", 1400, "cluster-per-day-empty")
    try:
        assert page.js("document.getElementById('vn-chart')") is None
        assert "0 results" not in visible_text(page)
    finally:
        page.close()


def test_unnamed_republishers_ranks_portals_by_copies_without_a_source(server, browser, archive):
    conn = sqlite3.connect(archive)
    expected = conn.execute(
        "select site, count(*), sum(names_source = 0) from text_cluster_members where is_first = 0"
        " group by site order by 3 desc, 2 desc, site"
    ).fetchall()
    conn.close()
    page = open_page(browser, server, "/archive/unnamed_republishers", 1400, "unnamed-republishers")
    try:
        rows = page.js(
            "Array.from(document.querySelectorAll('table.rows-and-columns tbody tr')).map(tr =>"
            " ['site', 'republished', 'without_source'].map(c => tr.querySelector('td.col-' + c).innerText.trim()))"
        )
        assert len(rows) == len(expected) > 3
        assert {tuple(r) for r in rows} == {(s, str(n), str(w)) for s, n, w in expected}
        without = [int(r[2]) for r in rows]
        assert without == sorted(without, reverse=True)
    finally:
        page.close()
