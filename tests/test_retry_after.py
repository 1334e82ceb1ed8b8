"""``Retry-After`` on 429/503: both header forms, and the give-up on waits longer than allowed.

tests/test_faults.py sees the middleware honour "1" second in a real crawl; these check what a
crawl of the replica never sends: an HTTP date, a date in the past, junk, and a wait too long.
The middleware is built by Scrapy's own factory from a crawler with the project's settings.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.retry_after import RetryAfterMiddleware, retry_after_seconds

NOW = datetime(2024, 5, 23, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30", 30.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Thu, 23 May 2024 12:00:45 GMT", 45.0),  # HTTP date, 45 s from now
        ("Thu, 23 May 2024 14:00:45 +0200", 45.0),  # the same instant with an offset
        ("Thu, 23 May 2024 12:00:45", 45.0),  # no zone: taken as GMT
        ("Thu, 23 May 2024 11:00:00 GMT", 0.0),  # already past: retry now, never a negative wait
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),  # delta-seconds are whole digits only (RFC 9110)
    ],
)
def test_retry_after_seconds(value, seconds):
    assert retry_after_seconds(value, now=NOW) == seconds


def test_an_http_date_is_measured_from_the_present_without_now():
    assert retry_after_seconds("Thu, 01 Jan 2099 00:00:00 GMT") > 365 * 24 * 3600
    assert retry_after_seconds("Thu, 01 Jan 2004 00:00:00 GMT") == 0.0


def middleware(**settings) -> RetryAfterMiddleware:
    """The middleware as a crawl builds it: the project's settings (crawler/settings.py), then ours."""
    project = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    crawler = get_crawler(Spider, {**project, "RETRY_TIMES": 2, **settings})
    crawler.spider = crawler._create_spider("t")
    return build_from_crawler(RetryAfterMiddleware, crawler)


def answer(status: int, retry_after: str | None) -> tuple[Request, Response]:
    request = Request("http://127.0.0.1:1/a-1")
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return request, Response(request.url, status=status, headers=headers, request=request)


def test_max_wait_comes_from_the_setting_and_retry_disabled_turns_it_off():
    assert middleware().max_wait == project_settings.RETRY_AFTER_MAX == 120  # the one default, in settings.py
    assert middleware(RETRY_AFTER_MAX=3).max_wait == 3
    with pytest.raises(NotConfigured):
        middleware(RETRY_ENABLED=False)


@pytest.mark.parametrize("status", [429, 503])
async def test_an_http_date_within_the_limit_is_waited_then_retried(status):
    mw = middleware(RETRY_AFTER_MAX=5)
    request, response = answer(status, "Thu, 01 Jan 2004 00:00:00 GMT")  # past: wait 0 s
    retry = await mw.process_response(request, response)
    assert isinstance(retry, Request) and retry.url == request.url and retry.dont_filter
    assert retry.meta["retry_times"] == 1
    assert mw.crawler.stats.get_value("retry_after/waited_seconds") == 0
    assert mw.crawler.stats.get_value(f"retry/reason_count/{status} Retry-After 0s") == 1


async def test_a_delta_wait_is_slept_and_counted():
    mw = middleware(RETRY_AFTER_MAX=5)
    retry = await mw.process_response(*answer(503, "0"))
    assert isinstance(retry, Request)
    retry = await mw.process_response(retry, Response(retry.url, status=503, headers={"Retry-After": "0"}))
    assert retry.meta["retry_times"] == 2
    assert mw.crawler.stats.get_value("retry/count") == 2


@pytest.mark.parametrize(
    "retry_after",
    [
        "6",  # longer than RETRY_AFTER_MAX: give up at once, no retry, no wait
        "Thu, 01 Jan 2099 00:00:00 GMT",  # an HTTP date decades away
        "soon",  # unreadable
        None,  # no header: RetryMiddleware's own retry applies
    ],
)
async def test_waits_too_long_or_unreadable_give_the_response_back(retry_after):
    mw = middleware(RETRY_AFTER_MAX=5)
    request, response = answer(503, retry_after)
    assert await mw.process_response(request, response) is response
    assert mw.crawler.stats.get_value("retry_after/waited_seconds") is None
    assert mw.crawler.stats.get_value("retry/count") is None


async def test_the_limit_itself_is_still_honoured():
    mw = middleware(RETRY_AFTER_MAX=0)
    assert isinstance(await mw.process_response(*answer(429, "0")), Request)


async def test_other_statuses_and_exhausted_retries_pass_through():
    mw = middleware(RETRY_AFTER_MAX=5)
    request, response = answer(500, "0")
    assert await mw.process_response(request, response) is response
    request, response = answer(429, "0")
    request.meta["retry_times"] = 2  # RETRY_TIMES reached: RetryMiddleware's count bounds ours
    assert await mw.process_response(request, response) is response
    assert mw.crawler.stats.get_value("retry_after/waited_seconds") is None
