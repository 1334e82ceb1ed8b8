"""Per-site knowledge as data: what one portal's URLs and pages look like.

The crawler reads the URL side (which links are articles, where listings and feeds live);
the extractor reads the page side (date formats, where the byline sits). Anything that is
true of Vietnamese portals in general belongs in the shared heuristics, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SiteProfile:
    #: Slug used end to end: spider name, ``articles.site``, fixture folder.
    name: str
    #: Hostnames (without ``www.``) that belong to this site.
    hosts: tuple[str, ...]
    #: Default base URL of the live site (the crawler's default target).
    base_url: str
    #: Regexes over the URL *path* (query stripped) that identify an article page.
    article_path_patterns: tuple[str, ...] = ()
    #: Regexes over the path that identify listing (category) pages worth walking.
    listing_path_patterns: tuple[str, ...] = ()
    #: Feed paths tried when the home page advertises none.
    feed_paths: tuple[str, ...] = ("/rss", "/rss.xml", "/feed")
    #: Sitemap paths tried when robots.txt names none.
    sitemap_paths: tuple[str, ...] = ("/sitemap.xml",)
    #: Query parameter that pages a listing (``?page=N``).
    page_param: str = "page"
    #: Extra extraction hints, read by the extractor (see archive.extract).
    hints: dict = field(default_factory=dict)

    def is_article_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(re.search(p, path) for p in self.article_path_patterns)

    def is_listing_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(re.search(p, path) for p in self.listing_path_patterns)


#: A slug path segment: lowercase ASCII words joined by hyphens (Vietnamese slugs drop diacritics).
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)+"

TUYENGIAO = SiteProfile(
    name="tuyengiao",
    hosts=("tuyengiao.vn",),
    base_url="https://tuyengiao.vn",
    # /<category-slug>/<article-slug>-<numeric id> and the short /<article-slug>-<numeric id>
    article_path_patterns=(rf"^/(?:[a-z0-9-]+/)?{_SLUG}-\d{{3,}}/?$",),
    listing_path_patterns=(r"^/[a-z0-9]+(?:-[a-z0-9]+)*/?$",),
)

PROFILES: dict[str, SiteProfile] = {p.name: p for p in (TUYENGIAO,)}


def profile_for_url(url: str) -> SiteProfile | None:
    """The profile whose host matches ``url``, or None for an unknown site."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    for profile in PROFILES.values():
        if host in profile.hosts or any(host.endswith("." + h) for h in profile.hosts):
            return profile
    return None
