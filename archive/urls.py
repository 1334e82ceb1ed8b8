"""One URL per article: the identity the archive keys on, whatever link form led to it."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

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
    # The query keeps its own encoding: a server may compare it byte for byte (an id-less
    # ``?categoryId=1902448,1902446`` re-encoded as ``%2C`` answered 404).
    pieces = [p for p in parts.query.split("&") if p and _keep_param(unquote_plus(p.partition("=")[0]))]
    return urlunsplit((scheme, host, parts.path or "/", "&".join(pieces), ""))


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


#: Query parameters that ask for another rendering of the same page (print, AMP, mobile), with the
#: values that do; ``None`` means any value, or none at all (``?print``, ``?amp``).
VARIANT_PARAMS: dict[str, frozenset[str] | None] = {
    "print": None,
    "printable": None,
    "amp": None,
    "view": frozenset({"print", "amp", "mobile"}),
    "layout": frozenset({"print", "amp", "mobile"}),
    "output": frozenset({"print", "amp"}),
    "outputtype": frozenset({"print", "amp"}),
    "type": frozenset({"print", "amp"}),
    "mode": frozenset({"print", "amp"}),
    "format": frozenset({"print", "amp"}),
}
#: Path segments that mark a rendering of the article rather than the article (``/amp/<path>``,
#: ``<path>/print``, ``/in-bai/<path>``).
VARIANT_SEGMENTS = frozenset({"amp", "print", "in-bai", "printer", "mobile"})
#: Host prefixes of mobile and AMP editions (``m.nhandan.vn``, ``amp.baochinhphu.vn``).
VARIANT_HOST_PREFIXES = ("m.", "amp.", "mobile.")


def _variant_param(name: str, value: str) -> bool:
    values = VARIANT_PARAMS.get(name.lower(), False)
    return values is None or (values is not False and value.lower() in values)


def site_host(host: str) -> str:
    """A host without the prefixes that name an edition of the same site (``www.``, ``m.``, ``amp.``)."""
    host = host.lower().removeprefix("www.")
    for prefix in VARIANT_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


@lru_cache(maxsize=URL_CACHE_SIZE)
def variant_base(url: str) -> str | None:
    """The URL of the article a print, AMP or mobile rendering stands for, or None for any other URL.

    Portals put a print link (``?print=1``, ``/print/<path>``) and often an AMP link on every
    article, and some serve a mobile host: fetched, each would be archived as a second article.
    """
    parts = urlsplit(clean_url(url))
    host = parts.hostname or ""
    query = [p for p in parts.query.split("&") if p]
    kept = [p for p in query if not _variant_param(*(unquote_plus(x) for x in p.partition("=")[::2]))]
    segments = [s for s in parts.path.split("/") if s]
    path = parts.path
    if segments and segments[-1].lower().endswith(".amp"):
        path = path[: -len(".amp")]
    elif segments and segments[-1].lower().endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    elif len(segments) > 1 and segments[0].lower() in VARIANT_SEGMENTS:
        path = "/" + "/".join(segments[1:])
    elif len(segments) > 1 and segments[-1].lower() in VARIANT_SEGMENTS:
        path = "/" + "/".join(segments[:-1])
    base_host = site_host(host)
    if base_host == host.removeprefix("www."):
        base_host = host  # keep the ``www.`` the site uses
    if len(kept) == len(query) and path == parts.path and base_host == host:
        return None
    netloc = base_host if parts.port is None else f"{base_host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, path, "&".join(kept), ""))


def article_key(url: str, canonical: str | None) -> str:
    """The archive key of an article fetched at ``url`` whose page names ``canonical``.

    One article, one row: a print/AMP/mobile rendering belongs to its article, and a
    ``rel=canonical`` elsewhere on the same site wins over the address we happened to use.
    A canonical that is the site's root or a section above the page (a CMS default some
    portals print on every article) would merge unrelated articles, so it is not followed.
    """
    own = canonical_url(url)
    fallback = canonical_url(variant_base(own) or own)
    if not canonical:
        return fallback
    target = canonical_url(variant_base(canonical) or canonical)
    here, there = urlsplit(own), urlsplit(target)
    if site_host(here.hostname or "") != site_host(there.hostname or "") or there.path in ("", "/"):
        return fallback
    if here.path != there.path and here.path.startswith(there.path.rstrip("/") + "/"):
        return fallback
    # The address we fetched keeps its scheme and host: a canonical naming https (or www.) for
    # the page we reached over http must not split one article into two rows.
    return urlunsplit(urlsplit(fallback)[:2] + (there.path, there.query, ""))
