"""Per-site knowledge as data: what one portal's URLs and pages tend to look like.

The portals are listed in ``sites.toml`` at the repository root, so a researcher adds one with
a few lines and no Python. The crawler reads the URL side (which links usually are articles,
where listings and feeds live); the extractor reads the page side (selectors, date formats).
Every rule is a hint: a portal with no entry at all is crawled from its address
(:func:`profile_for_address`). Anything true of Vietnamese portals in general belongs in the
shared heuristics, not here.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import HTMLTranslator, SelectorError

#: The sites file read at import; ``VNARCHIVE_SITES`` names another.
SITES_FILE = Path(os.environ.get("VNARCHIVE_SITES") or Path(__file__).resolve().parent.parent / "sites.toml")
#: Record fields the extractor takes selector hints for.
SELECTOR_FIELDS = frozenset({"title", "lead", "body", "date", "author", "source", "tags", "category"})


class SitesError(ValueError):
    """The sites file cannot be used as it is; the message names the entry and the key."""


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
    #: Optional XPath hints per record field, read by the extractor (see archive.extract):
    #: keys "title", "lead", "body", "date", "author", "source", "tags", "category". A hint
    #: that matches improves the record; one that matches nothing costs nothing, since the
    #: generic heuristics decide without it (the live markup is unverified).
    hints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Offset of the wall-clock times the site prints, in hours east of UTC.
    utc_offset_hours: int = 7
    #: Language of the site's articles (ISO 639-1), used when the page does not say.
    language: str = "vi"
    #: Regex over the URL whose named groups y (or yy), m, d and optionally H, M, S give the
    #: publication time (baochinhphu's IDs encode it); None when URLs carry no date.
    url_date_pattern: str | None = None
    #: The page embeds its article as JSON in ``<script id="__NEXT_DATA__">`` (Next.js).
    next_data: bool = False
    #: Date lines as the site prints them (site-notes §6), with the instant each means; the
    #: extractor's parser (archive.dates) must read every one (tests/test_dates.py checks).
    date_examples: tuple[tuple[str, str], ...] = ()
    #: The portal as a researcher would cite it.
    title: str = ""
    #: Schedule group (``vnarchive crawl --group``): central, army, government, provincial, ...
    group: str = "other"

    def is_article_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(re.search(p, path) for p in self.article_path_patterns)

    def is_listing_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(re.search(p, path) for p in self.listing_path_patterns)


def _strings(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SitesError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _regexes(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    patterns = _strings(entry, key, where)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SitesError(f"{where}: {key} has a bad regex {pattern!r}: {exc}") from exc
    return patterns


def _selectors(entry: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    """CSS selectors of the sites file as the XPath the extractor evaluates."""
    table = entry.get("selectors", {})
    if not isinstance(table, dict):
        raise SitesError(f"{where}: selectors must be a table")
    unknown = set(table) - SELECTOR_FIELDS
    if unknown:
        raise SitesError(f"{where}: selectors for unknown fields {sorted(unknown)}")
    translator = HTMLTranslator()
    hints = {}
    for name in sorted(table):
        try:
            hints[name] = tuple(translator.css_to_xpath(css) for css in _strings(table, name, where))
        except SelectorError as exc:
            raise SitesError(f"{where}: selectors.{name}: {exc}") from exc
    return hints


_KEYS = {
    "title", "base_url", "hosts", "group", "article_paths", "listing_paths", "feeds", "sitemaps",
    "page_param", "url_date", "next_data", "selectors", "date_examples",
}  # fmt: skip


def site_profile(name: str, entry: dict[str, Any]) -> SiteProfile:
    """One ``[name]`` table of the sites file as a profile; SitesError says what is wrong."""
    where = f"sites file [{name}]"
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise SitesError(f"{where}: a name is lowercase letters, digits, - and _")
    unknown = set(entry) - _KEYS
    if unknown:
        raise SitesError(f"{where}: unknown keys {sorted(unknown)}")
    base_url = entry.get("base_url")
    if not isinstance(base_url, str) or urlsplit(base_url).scheme not in ("http", "https"):
        raise SitesError(f"{where}: base_url must be an http(s) URL")
    base_host = (urlsplit(base_url).hostname or "").removeprefix("www.")
    examples = entry.get("date_examples", [])
    if not all(isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e) for e in examples):
        raise SitesError(f"{where}: date_examples must be [printed, ISO instant] pairs")
    url_date = entry.get("url_date")
    if url_date is not None:
        _regexes({"url_date": [url_date]}, "url_date", where)
    defaults = SiteProfile(name=name, hosts=(), base_url=base_url)
    return SiteProfile(
        name=name,
        hosts=tuple(dict.fromkeys((base_host, *_strings(entry, "hosts", where)))),
        base_url=base_url.rstrip("/"),
        article_path_patterns=_regexes(entry, "article_paths", where),
        listing_path_patterns=_regexes(entry, "listing_paths", where),
        feed_paths=_strings(entry, "feeds", where) or defaults.feed_paths,
        sitemap_paths=_strings(entry, "sitemaps", where) or defaults.sitemap_paths,
        page_param=str(entry.get("page_param", defaults.page_param)),
        hints=_selectors(entry, where),
        url_date_pattern=url_date,
        next_data=bool(entry.get("next_data", False)),
        date_examples=tuple((raw, iso) for raw, iso in examples),
        title=str(entry.get("title", "")),
        group=str(entry.get("group", defaults.group)),
    )


def load_sites(path: Path = SITES_FILE) -> dict[str, SiteProfile]:
    """Every portal of the sites file, by name; an absent file lists none."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SitesError(f"cannot read the sites file {path}: {exc}") from exc
    profiles = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise SitesError(f"sites file: {name} must be a table ([{name}])")
        profiles[name] = site_profile(name, entry)
    return profiles


PROFILES: dict[str, SiteProfile] = load_sites()


def profile_for_url(url: str) -> SiteProfile | None:
    """The profile whose host matches ``url``, or None for a site without an entry.

    Portals told apart only by their port (test instances, replicas on one machine) are told
    apart by it: an entry whose base URL has the URL's host and port wins over one that only
    shares the host.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    matching = [
        profile
        for profile in PROFILES.values()
        if host in profile.hosts or any(host.endswith("." + h) for h in profile.hosts)
    ]
    if len(matching) > 1 and parts.port is not None:
        same_port = [p for p in matching if urlsplit(p.base_url).port == parts.port]
        matching = same_port or matching
    return matching[0] if matching else None


def site_name(host: str) -> str:
    """The name a portal without an entry goes by: its host (``bantuyengiao.cantho.gov.vn``)."""
    return host.lower().removeprefix("www.")


def profile_for_address(url: str) -> SiteProfile:
    """The profile of the portal at ``url``: its entry, or one made from the address alone."""
    known = profile_for_url(url)
    if known is not None:
        return known
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise SitesError(f"not a portal address: {url!r} (give http(s)://host/)")
    return SiteProfile(
        name=site_name(host), hosts=(site_name(host),), base_url=f"{parts.scheme}://{parts.netloc}"
    )
