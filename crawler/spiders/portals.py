"""The spiders: ``portal`` for any portal by name or address, and one named spider per known site.

``scrapy crawl portal -a url=https://any-portal.example.vn`` crawls a portal with no entry in the
sites file; ``scrapy crawl portal -a site=nhandan`` and ``scrapy crawl nhandan`` crawl a known
one. What differs between sites is data (``sites.toml``, read by ``archive.profiles``), never a
spider of its own.
"""

from __future__ import annotations

from typing import Any

from archive.profiles import PROFILES, SiteProfile, profile_for_address
from crawler.spiders.base import PortalSpider


class AnyPortalSpider(PortalSpider):
    """A portal named by ``site`` (an entry of the sites file) or by its address, ``url``."""

    name = "portal"

    def __init__(
        self, site: str | None = None, url: str | None = None, base_url: str | None = None, **kwargs: Any
    ) -> None:
        self.profile = _profile(site, url)
        super().__init__(base_url=base_url or url, **kwargs)
        # Runs, stats and the archive know the portal by its own name, not by "portal".
        self.name = self.profile.name


def _profile(site: str | None, url: str | None) -> SiteProfile:
    if bool(site) == bool(url):
        raise ValueError("give the portal as -a site=NAME or -a url=https://its.address/, one of them")
    if site:
        if site not in PROFILES:
            raise ValueError(f"no site {site!r} in the sites file (known: {', '.join(sorted(PROFILES))})")
        return PROFILES[site]
    return profile_for_address(url or "")


def _spider_class(profile: SiteProfile) -> type[PortalSpider]:
    class_name = "".join(part.capitalize() for part in profile.name.replace("-", "_").split("_")) + "Spider"
    return type(
        class_name, (PortalSpider,), {"name": profile.name, "profile": profile, "__module__": __name__}
    )


for _profile_entry in PROFILES.values():
    _cls = _spider_class(_profile_entry)
    globals()[_cls.__name__] = _cls
del _cls, _profile_entry  # only the named classes above are spiders
