"""The crawl's stats collector keeps Scrapy's stats as Scrapy's own collector does."""

from __future__ import annotations

from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.stats import PlainStatsCollector


def _crawler():  # noqa: ANN202 - scrapy.crawler.Crawler
    """A crawler with the project's stats collector (its other settings want a running reactor)."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return get_crawler(Spider, settings_dict={"STATS_CLASS": settings["STATS_CLASS"]})


def test_the_crawl_counts_with_scrapys_methods_and_keeps_the_run_s_stats():
    crawler = _crawler()
    stats = crawler.stats
    assert type(stats) is PlainStatsCollector
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.inc_value("bytes", 10, start=100)
    stats.max_value("largest", 5)
    stats.max_value("largest", 3)
    stats.min_value("smallest", 5)
    stats.min_value("smallest", 3)
    stats.set_value("status", "ok")
    assert stats.get_value("missing", "none") == "none"
    assert stats.get_stats() == {"pages": 3, "bytes": 110, "largest": 5, "smallest": 3, "status": "ok"}
    crawler.spider = Spider("portal")
    stats.close_spider(reason="finished")
    assert stats.spider_stats["portal"]["pages"] == 3
    stats.clear_stats()
    assert stats.get_stats() == {}
