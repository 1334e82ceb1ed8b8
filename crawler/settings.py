"""Scrapy settings for the archive's crawls: polite by default, tuned per run with -s."""

import os

BOT_NAME = "vnarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves; portals' operators should be able to tell who is crawling and why.
USER_AGENT = "vnarchive/0.1 (research archive of public Vietnamese portals; +https://github.com/vnarchive)"
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts to the server; one or two requests in flight per site.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = float(os.getenv("AUTOTHROTTLE_START_DELAY", "1.0"))
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
# Scrapy hands each response's spider output to this many asyncio tasks (created per response;
# the default, 100, made about 100 tasks per page, a fifth of the Scrapy thread's CPU). Every
# callback yields at most one item (the page), the rest Requests, which never wait: two would
# do, four leave a margin; an item's pipelines wait for its extraction on one of them.
CONCURRENT_ITEMS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5

# A page over a few MB is not an article; a hung server must not hang the run.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
REDIRECT_MAX_TIMES = 10
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Wait as long as a 429/503's Retry-After asks (up to RETRY_AFTER_MAX seconds) before retrying.
RETRY_AFTER_MAX = 120
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's own lets requests through unchecked while robots.txt downloads (crawler/robots.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxtMiddleware": 100,
    # Sitemaps parsed off Scrapy's thread, last of all middlewares to see the response.
    "crawler.extensions.SitemapReader": 50,
    "crawler.retry_after.RetryAfterMiddleware": 560,
    # Self-redirects that set a cookie, gzip without Content-Encoding: before RedirectMiddleware.
    "crawler.quirks.FetchQuirksMiddleware": 650,
}
# Every status reaches the spider: a 404 for a known article is evidence of its removal.
HTTPERROR_ALLOW_ALL = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs Python sent over HTTP (token in a file under $HOME): an
# unattended crawl has no use for it, and anything on the machine could talk to it.
REMOTE_CONTROL_ENABLED = False

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 500,
    "crawler.pipelines.ArchivePipeline": 900,
}

# The archive this run writes to (also -s ARCHIVE_DB_PATH=... or the VNARCHIVE_DB variable).
ARCHIVE_DB_PATH = os.getenv("VNARCHIVE_DB", "data/archive.db")
# At the end of each run, place its new and changed articles in the propagation index (the
# same text on other portals: archive/propagation.py); False leaves it to `vnarchive propagate`.
PROPAGATE_AFTER_RUN = True
# Stop walking a listing after this many pages (0: walk to the end).
LISTING_MAX_PAGES = 0

LOG_LEVEL = os.getenv("SCRAPY_LOG_LEVEL", "INFO")
FEED_EXPORT_ENCODING = "utf-8"

# The pacer sits after the incremental middleware (nearer the engine), holding back sitemaps.
SPIDER_MIDDLEWARES = {"crawler.middlewares.IncrementalMiddleware": 50, "crawler.pacing.SitemapPacer": 40}
# Read the next sitemap chunk only when the scheduler holds fewer requests than this (0: no pacing).
SITEMAP_PACE_QUEUE = 500
EXTENSIONS = {
    "crawler.extensions.ProgressExtension": 500,
    "crawler.extensions.OneStopPerSignal": 0,
    "crawler.node.NodeRun": 10,
}
# Scrapy's in-memory stats, without its per-call wrapper (crawler/stats.py).
STATS_CLASS = "crawler.stats.PlainStatsCollector"
# A shutdown signal this soon after the last one is the same stop (see OneStopPerSignal).
SIGNAL_COALESCE_SECONDS = 1.0
# Incremental runs: skip known articles not due for a re-check; cap re-checks per run.
INCREMENTAL = True
RECHECK_MAX_PER_RUN = 500
# Every known article is due for a re-check (within the cap above).
RECHECK_ALL = False
# Discovered articles written to the frontier in batches of this many.
FRONTIER_FLUSH_EVERY = 50
# Pages of a URL shape that never yielded an article fetched before the shape is given up.
SHAPE_PROBE_BUDGET = 5
# However many unproven shapes a site has, probing them takes at most this share of all requests
# (once this many probes are made): the bounded share of fetches on shapes that yield nothing.
SHAPE_PROBE_SHARE = 0.15
SHAPE_PROBE_FLOOR = 20
# Extraction runs in this many worker processes (0: in the crawl's own thread), one pool for the
# whole crawl process, shared by every portal of a `crawl --all`.
EXTRACT_WORKERS = 2
# A page whose extraction takes longer (seconds) is a failed capture; its worker is replaced.
EXTRACT_TIMEOUT = 60.0
# The progress line: "auto" (on a terminal), "always" or "never"; refreshed every few seconds.
PROGRESS = "auto"
PROGRESS_INTERVAL = 2.0
# A run dispatched to a crawl node (crawler/node.py; set by `vnarchive dispatch`, empty otherwise):
# where its seed is fetched from, its hand-off's id, the lease's deadline (Unix time, 0: none)
# and how long before it the run stops, to leave time for writing the hand-off.
NODE_SEED_URL = ""
NODE_TOKEN = ""
NODE_DEADLINE = 0.0
NODE_STOP_MARGIN = 60.0
