"""One URL per article: the identity the archive keys on, whatever link form led to it."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only track where a click came from; they never select content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "zarsrc",
        "zarsrc_id",
        "_ga",
        "mc_cid",
        "mc_eid",
        "ref",
        "refsrc",
    }
)


def _keep_param(name: str) -> bool:
    return not (name.lower().startswith("utm_") or name.lower() in TRACKING_PARAMS)


# Menus and sidebars repeat the same few hundred links on every page of a crawl; each article's
# own URL comes back only a few times. A small cache catches the repeats: a 65,536-entry one
# held ~36 MB of a 50k-article crawl's Scrapy process (bench/crawl_memory.py: peak 179.5 -> 140.3
# MB with this size) to save ~70,000 misses, under a second of CPU.
URL_CACHE_SIZE = 4096


@lru_cache(maxsize=URL_CACHE_SIZE)
def clean_url(url: str) -> str:
    """The URL to request: no fragment, no tracking parameters, host lowercased, default port dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _keep_param(k)])
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


@lru_cache(maxsize=URL_CACHE_SIZE)
def canonical_url(url: str) -> str:
    """The archive's key for a page: ``clean_url`` plus no ``www.``, no trailing slash, sorted query.

    The same article reached through a tracking link, a trailing slash or the ``www.`` host
    must land on one row, not three.
    """
    parts = urlsplit(clean_url(url))
    netloc = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme, netloc, path, query, ""))
