"""Crawl many portals at once, in one process: ``python -m crawler.many --db PATH SITE [SITE ...]``.

Each SITE is a name from the sites file or a portal's address. Every portal gets its own spider,
politeness (robots.txt, AutoThrottle and the per-site concurrency are per crawler and per host),
incremental state and ``crawl_runs`` row; they share the reactor, so a slow or blocking portal
only waits on itself, and one pool of ``EXTRACT_WORKERS`` extraction processes handed out fairly
(``crawler.extract_pool``), so memory does not grow with the number of portals' workers.
``vnarchive crawl --all`` / ``--group`` run this under the archive's lock.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("-s", "--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument(
        "sites", nargs="+", help="names from the sites file, or addresses (NAME=URL points a name elsewhere)"
    )
    args = parser.parse_args(argv)
    # Imported here, not at the top: an extraction worker (spawned) imports this main module
    # again, and needs none of Scrapy.
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.portals import AnyPortalSpider

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("ARCHIVE_DB_PATH", args.db, priority="cmdline")
    for override in args.overrides:
        name, _, value = override.partition("=")
        settings.set(name, value, priority="cmdline")
    share_response_budget(settings, len(args.sites))
    process = CrawlerProcess(settings)
    for site in args.sites:
        name, sep, base_url = site.partition("=")
        if "://" in name:
            process.crawl(AnyPortalSpider, url=name)
        else:
            process.crawl(AnyPortalSpider, site=name, base_url=base_url if sep else None)
    profile = settings.get("PROFILE_MAIN_THREAD")
    if not profile:
        process.start()
        return
    import cProfile

    # bench/: where the Scrapy process's main thread spends its CPU (the reactor, the spiders,
    # the pipelines, the store). cProfile sees only the thread it is enabled in.
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    try:
        process.start()
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


def share_response_budget(settings: Settings, portals: int) -> None:
    """Divide Scrapy's bound on the responses a crawler holds for processing among the portals.

    A response waiting for an extraction worker keeps its body and the tree the spider parsed
    for links; Scrapy stops downloading for a crawler whose held responses pass
    SCRAPER_SLOT_MAX_ACTIVE_SIZE. With one crawler per portal sharing one pool of workers, each
    portal's backlog would grow to that bound, and memory with the number of portals: shared,
    the process holds about what one crawler does (at least one response per portal is always
    let through). A value given with -s is each portal's own.
    """
    from scrapy.settings import SETTINGS_PRIORITIES

    if settings.getpriority("SCRAPER_SLOT_MAX_ACTIVE_SIZE") < SETTINGS_PRIORITIES["cmdline"]:
        share = settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") // max(portals, 1)
        settings.set("SCRAPER_SLOT_MAX_ACTIVE_SIZE", share, priority="cmdline")


if __name__ == "__main__":
    main()
