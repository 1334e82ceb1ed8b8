"""Issue 13, items 5 and 7: robots.txt and sitemaps written to stop a crawl.

Generous bounds: before the fixes, 40,000 blank lines took tens of seconds in the ``Sitemap:``
regex, and a small gzip expanded to every entry it held.
"""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc

from crawler import discovery
from replica import faults


def test_robots_sitemap_lines_are_linear_in_blank_lines():
    for text in ("\n" * 40_000, "\r\n" * 40_000 + "Sitemap: /s.xml", " \n" * 100_000, "\n" * 400_000):
        start = time.monotonic()
        found = discovery.robots_sitemaps(text, "http://h/")
        assert time.monotonic() - start < 5.0
        assert found in ([], ["http://h/s.xml"])


def test_robots_sitemap_lines_still_read():
    text = "User-agent: *\nDisallow: /x\n  Sitemap : /a.xml\nSITEMAP:http://h/b.xml\n# Sitemap: /no\n"
    assert discovery.robots_sitemaps(text, "http://h/") == ["http://h/a.xml", "http://h/b.xml"]


def test_robots_beyond_500_kib_is_ignored():
    text = "\n" * (600 * 1024) + "Sitemap: /late.xml\n"
    assert discovery.robots_sitemaps(text, "http://h/") == []


def test_sitemap_bomb_stops_at_the_protocol_limits_in_bounded_memory():
    body = faults._sitemap_bomb()  # 200,000 entries, then 60 MB of blanks
    tracemalloc.start()
    try:
        start = time.monotonic()
        entries = discovery.parse_sitemap(body)
        elapsed = time.monotonic() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(entries) == discovery.SITEMAP_MAX_URLS
    assert entries[0].loc == "http://bom.invalid/bai-0"
    assert peak < 120 * 1024 * 1024  # entries kept, plus a chunk: not the expanded file
    assert elapsed < 60


def test_sitemap_past_50_mb_uncompressed_is_cut():
    head = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://h/a-1</loc></url>'
    tail = b"<url><loc>http://h/late-2</loc></url></urlset>"
    body = gzip.compress(head + b" " * (51 * 1024 * 1024) + tail, mtime=0)
    assert [e.loc for e in discovery.parse_sitemap(body)] == ["http://h/a-1"]


def test_parsed_ahead_in_a_thread_then_answered_at_once():
    body = faults._sitemap_bomb()
    worker = threading.Thread(target=discovery.parse_sitemap_ahead, args=(body,))
    worker.start()
    worker.join()
    start = time.monotonic()
    entries = discovery.parse_sitemap(body)
    assert time.monotonic() - start < 0.5
    assert len(entries) == discovery.SITEMAP_MAX_URLS
    assert not discovery._parsed  # handed over, not kept
