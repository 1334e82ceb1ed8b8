"""robots.txt obeyed by every request, however many arrive before the file is read.

Scrapy's ``RobotsTxtMiddleware`` (2.13 and later) makes each request that arrives while
robots.txt is still downloading await the same Deferred through ``maybe_deferred_to_future``.
Under the asyncio reactor that adds a callback which hands the parser to its own waiter and
returns None, so the Deferred's result is None for every later waiter: the first request
waiting gets the parser, the second and later ones are let through unchecked. A resumed run,
which queues its whole frontier at once, then fetched disallowed URLs. Here each waiter gets
its own Deferred fed by a callback that passes the parser on unchanged.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's middleware, with every request waiting for robots.txt given the parsed file."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred[RobotParser | None] = Deferred()

        def relay(parser: RobotParser | None) -> RobotParser | None:
            waiter.callback(parser)
            return parser

        pending.addCallback(relay)
        return await maybe_deferred_to_future(waiter)
