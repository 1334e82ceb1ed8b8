"""One pool of extraction workers per crawl process, shared by every portal (issue 15).

Real worker processes, real replica pages rendered in-process: every portal's pipeline borrows
the same ``EXTRACT_WORKERS`` processes, the last one out stops them, and a portal whose pages
are slow to extract does not keep the others waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from pathlib import Path

from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

import replica
from crawler.extract_pool import ExtractPool, ExtractTimeout
from crawler.items import PageItem
from crawler.many import share_response_budget
from crawler.pipelines import ExtractPipeline
from replica import faults, pages

BASE = "http://127.0.0.1:8765"
ROOT = Path(__file__).resolve().parent.parent


def _site():  # noqa: ANN202 - replica.Site
    site = replica.build_site(n_articles=12)
    faults.install_hostile(site)
    return site


def _task(site, n: int) -> tuple[bytes, str, str]:  # noqa: ANN001 - replica.Site
    article = site.articles[n]
    return pages.article_page(site, article).encode("utf-8"), BASE + article.path, "text/html; charset=utf-8"


def _slow_task(site) -> tuple[bytes, str, str]:  # noqa: ANN001 - replica.Site
    """The hostile replica's slow page: seconds of extraction, longer than the timeouts below."""
    path = faults.hostile_path("slow-extract")
    response = faults.answer(site, path, path, {}, BASE)
    return response.body, BASE + path, response.content_type


def _pipeline(workers: int) -> tuple[ExtractPipeline, object]:
    crawler = get_crawler(settings_dict={"EXTRACT_WORKERS": workers, "EXTRACT_TIMEOUT": 120})
    return ExtractPipeline.from_crawler(crawler), crawler.stats


async def test_every_portal_shares_one_pool_and_the_last_out_stops_it():
    site = _site()
    (first, first_stats), (second, second_stats) = _pipeline(2), _pipeline(2)
    first.open_spider()
    second.open_spider()
    try:
        assert first.pool is second.pool and len(first.pool.slots) == 2
        processes = [slot.process for slot in first.pool.slots]
        for pipeline, n in ((first, 0), (second, 1)):
            body, url, content_type = _task(site, n)
            item = PageItem(
                url, url, url, "2026-12-02T00:00:00+00:00", 200, "article", content_type, body=body
            )
            item = await pipeline.process_item(item)
            assert item.record["title"] == site.articles[n].title
        first.close_spider()  # one portal done: the others keep their workers
        pool = second.pool
        assert all(p.is_alive() for p in processes)
        assert first not in pool.busy  # nor does the pool keep the finished portal's crawler alive
        record, note = await pool.extract(second, _task(site, 2), 120)
        assert record["title"] == site.articles[2].title and note is None
    finally:
        first.close_spider()
        second.close_spider()
    assert not any(p.is_alive() for p in processes)
    assert first_stats.get_value("extract/article") == 1 and second_stats.get_value("extract/article") == 1
    # The next crawl in this process gets a new pool.
    third, _ = _pipeline(1)
    third.open_spider()
    try:
        assert third.pool is not pool and len(third.pool.slots) == 1
    finally:
        third.close_spider()


async def test_a_portal_of_slow_pages_does_not_hold_every_worker():
    """Before: one queue in arrival order; the fast portal's pages waited behind all slow ones."""
    site = _site()
    pool = ExtractPool(2)
    finished: list[str] = []

    async def page(client: str, task: tuple, timeout: float) -> None:
        with contextlib.suppress(ExtractTimeout):
            await pool.extract(client, task, timeout)
        finished.append(client)

    try:
        # both workers ready, so that the timeouts below count pages only
        await asyncio.gather(*(pool.extract("warm-up", _task(site, n), 120) for n in (0, 1)))
        slow = [asyncio.create_task(page("slow", _slow_task(site), 1.0)) for _ in range(6)]
        await asyncio.sleep(0.1)  # the slow portal's pages came first and hold both workers
        fast = [asyncio.create_task(page("fast", _task(site, n), 120)) for n in range(2, 12)]
        await asyncio.gather(*slow, *fast)
    finally:
        pool.stop()
    order = finished
    assert order.count("fast") == 10 and order.count("slow") == 6
    # Fair: once a worker frees, the fast portal keeps one while the slow one's pages take turns
    # on the other, so every fast page is done before the slow portal's fourth.
    fourth_slow = [i for i, client in enumerate(order) if client == "slow"][3]
    assert max(i for i, client in enumerate(order) if client == "fast") < fourth_slow, order
    assert pool.busy == {"warm-up": 0, "slow": 0, "fast": 0} and len(pool.idle) == 2


def test_the_responses_held_for_extraction_are_one_budget_shared_by_the_portals():
    """Each portal's crawler holds responses up to SCRAPER_SLOT_MAX_ACTIVE_SIZE while they wait for
    the shared workers: divided among the portals, the process holds about one crawler's worth."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    one_crawler = settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE")
    share_response_budget(settings, 50)
    assert settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == one_crawler // 50
    given = Settings({"SCRAPER_SLOT_MAX_ACTIVE_SIZE": 123}, priority="cmdline")
    share_response_budget(given, 50)
    assert given.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == 123  # -s is each portal's own


def test_a_worker_settles_its_garbage_collector_before_its_first_page():
    """A worker's full collections must not walk its imports (issue 11: 20-30 ms each, warm),
    nor its young collections a page's blocks several times a page.

    The worker's own loop (``_worker_main``) in a fresh interpreter, as ``spawn`` starts it,
    told to stop at once: after it, the objects its imports made are frozen (out of every
    collection's walk), few are left for the collector to walk, and the young generation's
    threshold is raised.
    """
    probe = (
        "import gc, multiprocessing\n"
        "from crawler.extract_pool import _worker_main\n"
        "ours, theirs = multiprocessing.Pipe()\n"
        "ours.send(None)\n"
        "_worker_main(theirs)\n"
        "assert ours.recv() == 'ready'\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()), gc.get_threshold()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    frozen, walked, young = map(int, done.stdout.split())
    assert frozen > 10_000  # trafilatura's and our imports
    assert walked < frozen / 20
    assert young >= 10_000  # a page's blocks die with it, not walked by a collection of their own
