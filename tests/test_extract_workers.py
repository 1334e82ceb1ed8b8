"""The extraction workers recover: a failed page is one failed capture, never a broken crawl.

Real worker processes (``crawler.pipelines``), pages fetched from the replica on 127.0.0.1, and a
worker killed from outside with SIGKILL, as the kernel's OOM killer or an operator would. Each
test checks that the page after the failure is extracted again, which is what "recovery" means
to a crawl: with one worker, a slot left broken fails every page that follows.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import urllib.request

import pytest
from scrapy.utils.test import get_crawler

import replica
from archive.vntext import nfc
from crawler.extract_pool import ExtractPool
from crawler.items import PageItem
from crawler.pipelines import ExtractPipeline
from replica import ReplicaServer, faults


@pytest.fixture(scope="module")
def server():
    site = replica.build_site()
    faults.install_hostile(site)
    with ReplicaServer(site, port=0) as server:
        yield server


def fetch(server, path: str) -> PageItem:  # noqa: ANN001 - replica.ReplicaServer
    """The page as the spider hands it to the pipeline (fetched over HTTP, not rendered here)."""
    with urllib.request.urlopen(server.url + path, timeout=60) as response:
        body, content_type = response.read(), response.headers["Content-Type"]
    return PageItem(
        url=server.url + path,
        requested_url=server.url + path,
        final_url=server.url + path,
        fetched_at="2026-12-02T00:00:00+00:00",
        status=200,
        kind="article",
        content_type=content_type,
        body=body,
    )


def title(server, n: int) -> str:  # noqa: ANN001
    return nfc(server.site.articles[n].title)


@pytest.fixture
async def one_worker():
    """An ExtractPipeline with one worker process, as a crawl with EXTRACT_WORKERS=1 has."""
    crawler = get_crawler(settings_dict={"EXTRACT_WORKERS": 1, "EXTRACT_TIMEOUT": 120})
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    yield pipeline, crawler.stats
    pipeline.close_spider()


def workers() -> set[int]:
    """The pids of this process's live children: the pipeline's workers (the replica is a thread)."""
    return {p.pid for p in multiprocessing.active_children()}


async def new_worker(old: set[int]) -> int:
    """Wait for a worker that was not among ``old`` (a replacement being started)."""
    for _ in range(600):
        if fresh := workers() - old:
            return fresh.pop()
        await asyncio.sleep(0.1)
    raise AssertionError(f"no new worker after 60 s: {workers()}")


def kill(pid: int) -> None:
    """SIGKILL, then wait until it is gone: the worker is dead before the next step."""
    os.kill(pid, signal.SIGKILL)
    for p in multiprocessing.active_children():
        if p.pid == pid:
            p.join(30)


async def test_a_worker_killed_between_pages_costs_no_page(server, one_worker):
    """Before: the dead worker's pipe raised BrokenPipeError for the next page and every later one."""
    pipeline, stats = one_worker
    first = await pipeline.process_item(fetch(server, server.site.articles[0].path))
    assert first.record["title"] == title(server, 0)
    [dead] = workers()
    kill(dead)
    for n in (1, 2):
        item = await pipeline.process_item(fetch(server, server.site.articles[n].path))
        assert item.error is None, item.error
        assert item.record["title"] == title(server, n)
    assert dead not in workers() and len(workers()) == 1
    assert stats.get_value("extract/article") == 3
    assert stats.get_value("extract/error") is None


async def test_a_page_that_kills_its_workers_is_one_failed_capture(server, one_worker):
    """The page is tried on a second worker; killed again, it is a failed capture saying so, and the
    page after it has a worker of its own."""
    pipeline, stats = one_worker
    await pipeline.process_item(fetch(server, server.site.articles[0].path))  # the worker is up
    [first] = workers()
    slow = asyncio.ensure_future(pipeline.process_item(fetch(server, faults.hostile_path("slow-extract"))))
    await asyncio.sleep(1.5)  # the slow page takes its worker over ten seconds of CPU
    kill(first)
    second = await new_worker({first})
    await asyncio.sleep(1.5)
    assert not slow.done()
    kill(second)
    failed = await asyncio.wait_for(slow, timeout=120)
    assert failed.record is None
    assert failed.error.startswith("extraction failed: WorkerDied: "), failed.error
    assert stats.get_value("extract/error") == 1
    after = await pipeline.process_item(fetch(server, server.site.articles[1].path))
    assert after.error is None and after.record["title"] == title(server, 1)
    assert workers().isdisjoint({first, second})
    assert stats.get_value("extract/article") == 2


async def test_an_exception_in_the_worker_comes_back_and_the_worker_stays(server):
    """The worker loop answers any exception with a message and takes the next page in the same process.

    ``extract`` itself never raises, so the task is malformed on purpose (an argument missing):
    what is tested is the worker's answer to an exception, not a way pages fail.
    """
    pool = ExtractPool(1)
    try:
        item = fetch(server, server.site.articles[0].path)
        with pytest.raises(RuntimeError, match=r"^TypeError: extract_page\(\) missing 1 required"):
            await pool.extract("portal", (item.body, item.final_url), 60)
        [worker] = workers()
        record, note = await pool.extract("portal", (item.body, item.final_url, item.content_type), 60)
        assert note is None and record["title"] == title(server, 0)
        assert workers() == {worker}
    finally:
        pool.stop()
