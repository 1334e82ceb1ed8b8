"""Spiders for the sibling portals, one per site profile: the same discovery, their own URL patterns.

Each is ``scrapy crawl <profile name>`` (nhandan, dangcongsan, qdnd, ...). What differs between
sites is data in ``archive.profiles``; a site that needs different discovery gets its own module.
"""

from archive.profiles import PROFILES
from crawler.spiders.base import PortalSpider


def _spider_class(profile) -> type[PortalSpider]:
    class_name = "".join(part.capitalize() for part in profile.name.split("_")) + "Spider"
    return type(
        class_name, (PortalSpider,), {"name": profile.name, "profile": profile, "__module__": __name__}
    )


for _profile in PROFILES.values():
    if _profile.name != "tuyengiao":  # crawler/spiders/tuyengiao.py
        _cls = _spider_class(_profile)
        globals()[_cls.__name__] = _cls
del _cls, _profile  # only the named classes above are spiders
