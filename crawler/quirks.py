"""Real-world fetch behaviour that Scrapy's defaults get wrong for these portals.

- A feed that redirects to itself while setting a cookie (qdnd.vn's ``/rss``): Scrapy follows the
  redirect, and its duplicate filter drops the request for the URL it has just fetched. Here the
  request is made once more, at once, with the cookie the answer set.
- A body compressed with gzip but sent without ``Content-Encoding`` (servers that gzip whatever
  the client asked, with a header lost on the way): decoded when it plainly is gzip.
"""

from __future__ import annotations

import zlib
from http.cookies import SimpleCookie

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.httpobj import urlparse_cached

#: Largest body a sniffed gzip may expand to (the download limit's order of size).
MAX_SNIFFED = 16 * 1024 * 1024


class FetchQuirksMiddleware:
    """Downloader middleware placed before Scrapy's redirect middleware sees the response."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE", MAX_SNIFFED) or MAX_SNIFFED

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchQuirksMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if 300 <= response.status < 400 and not request.meta.get("cookie_retry"):
            retry = self._self_redirect_with_cookie(request, response)
            if retry is not None:
                return retry
        if response.body[:2] == b"\x1f\x8b" and not response.headers.get("Content-Encoding"):
            return self._gunzipped(response)
        return response

    def _self_redirect_with_cookie(self, request: Request, response: Response) -> Request | None:
        location = response.headers.get("Location")
        cookies = response.headers.getlist("Set-Cookie")
        if not location or not cookies:
            return None
        target = response.urljoin(location.decode("latin-1"))
        here = urlparse_cached(request)
        if target.split("#")[0] != f"{here.scheme}://{here.netloc}{here.path}" + (
            f"?{here.query}" if here.query else ""
        ):
            return None
        jar = SimpleCookie()
        for raw in cookies:
            jar.load(raw.decode("latin-1").split(";", 1)[0])
        cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
        if not cookie:
            return None
        self.stats.inc_value("quirks/self_redirect_cookie")
        headers = {**request.headers.to_unicode_dict(), "Cookie": cookie}
        return request.replace(headers=headers, dont_filter=True, meta={**request.meta, "cookie_retry": True})

    def _gunzipped(self, response: Response) -> Response:
        try:
            body = zlib.decompressobj(wbits=31).decompress(response.body, self.max_size)
        except zlib.error:
            return response
        self.stats.inc_value("quirks/gzip_without_header")
        cls = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
        return response.replace(cls=cls, body=body)
