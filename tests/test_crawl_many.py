"""Many portals at once (``vnarchive crawl --all`` / ``--group``): one process, one run per
portal, one summary each; a portal that does not answer stalls none of the others."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from replica import ReplicaServer, build_site
from tests.crawling import vnarchive


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_group_of_portals_is_crawled_at_once(tmp_path, monkeypatch):
    sites = [build_site(n_articles=n, seed=n) for n in (5, 7, 9)]
    with (
        ReplicaServer(sites[0], port=0) as a,
        ReplicaServer(sites[1], port=0) as b,
        ReplicaServer(sites[2], port=0) as c,
    ):
        servers = {"tinh-a": a, "tinh-b": b, "tinh-c": c}
        entries = [f'[{name}]\nbase_url = "{s.url}"\ngroup = "thu-nghiem"\n' for name, s in servers.items()]
        entries.append(f'[tinh-chet]\nbase_url = "http://127.0.0.1:{_closed_port()}"\ngroup = "thu-nghiem"\n')
        entries.append('[trung-uong]\nbase_url = "http://127.0.0.1:9"\ngroup = "central"\n')
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text("\n".join(entries), encoding="utf-8")
        monkeypatch.setenv("VNARCHIVE_SITES", str(sites_file))
        db = tmp_path / "archive.db"
        result = vnarchive(
            "crawl", "--group", "thu-nghiem", "--db", str(db), "--fast", "--quiet", "-s", "RETRY_TIMES=0"
        )
    conn = sqlite3.connect(db)
    runs = dict(conn.execute("select spider, status from crawl_runs"))
    assert set(runs) == {"tinh-a", "tinh-b", "tinh-c", "tinh-chet"}  # the group, not the central portal
    assert [runs[n] for n in ("tinh-a", "tinh-b", "tinh-c")] == ["ok", "ok", "ok"]
    assert runs["tinh-chet"] != "ok"
    assert result.returncode != 0  # the worst run's exit code
    for name, server in servers.items():
        got = {r[0] for r in conn.execute("select url from articles where url like ?", [server.url + "/%"])}
        assert got == {server.url + art.path for art in server.site.articles}, name
        # portals told apart by their port only: each article is its own portal's
        sites = {
            r[0] for r in conn.execute("select site from articles where url like ?", [server.url + "/%"])
        }
        assert sites == {name}
    assert "4 portals: " in result.stdout and result.stdout.count("run ") == 4


def test_an_unknown_group_is_a_usage_error():
    result = vnarchive("crawl", "--group", "khong-co", "--db", "unused.db")
    assert result.returncode == 2
    assert "no portal in group 'khong-co'" in result.stderr


def test_the_crawl_main_module_imports_no_scrapy():
    """Each extraction worker is spawned, and so imports ``crawler.many`` (the crawl's main
    module) again: Scrapy's import there would cost every worker its start-up time and memory."""
    code = "import sys, crawler.many; assert not [m for m in sys.modules if m.split('.')[0] == 'scrapy']"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def test_items_of_a_response_leave_room_for_its_link_requests():
    """Scrapy processes a response's output on CONCURRENT_ITEMS tasks made per response (the
    default 100 cost a fifth of the Scrapy thread). One of them waits while the page item is
    extracted; with a single one, the page's link requests would wait for the extraction."""
    from crawler import settings

    assert 2 <= settings.CONCURRENT_ITEMS <= 8
