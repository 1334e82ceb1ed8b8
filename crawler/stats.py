"""The crawl's stats collector: Scrapy's in-memory one, without a wrapper around every call.

Scrapy 2.19's ``StatsCollector`` answers every attribute lookup through its own
``__getattribute__``, which wraps the stats methods to warn about a deprecated ``spider``
argument, and, for any other attribute (its own ``_stats`` dict, read by each ``inc_value``),
first fails a lookup of a cached name. A page makes a dozen stats calls (Scrapy's downloader,
scheduler and scraper, and ours), in the thread every portal of a crawl shares. Nothing here
passes ``spider``; the methods, their arguments and what they store are Scrapy's own.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStatsCollector(MemoryStatsCollector):
    """``MemoryStatsCollector`` with the plain attribute lookup (``STATS_CLASS``)."""

    __getattribute__ = object.__getattribute__
