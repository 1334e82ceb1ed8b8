"""Ban Tuyên giáo Trung ương's portal, tuyengiao.vn (generation (b), 2022-2024, and its replica)."""

from archive.profiles import TUYENGIAO
from crawler.spiders.base import PortalSpider


class TuyengiaoSpider(PortalSpider):
    name = "tuyengiao"
    profile = TUYENGIAO
