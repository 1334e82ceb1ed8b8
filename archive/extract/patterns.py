"""Selectors and patterns of the extractor, as data (cf. trafilatura's ``xpaths.py``).

Class and id names are hints only: each pattern below raises or lowers a candidate's score, or
narrows where a finder looks, but the finders also work on pages stripped of every class and id.
Every pattern that runs over page text is linear: no nested or adjacent unbounded quantifiers
over the same characters.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- input sniffing
#: Openings of binary files a crawler may receive with an HTML content type.
BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
)
#: Content types that may hold a page (octet-stream: servers that do not know better).
HTML_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/octet-stream",
)
#: Bulky parts of oversized pages: script and style openings, inline data: URIs.
BULKY_OPEN = re.compile(r"<(script|style)\b", re.I)
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]{64,}")
XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

# ---------------------------------------------------------------- class/id hints
TITLEISH = re.compile(r"title|headline|tieu-?de")
LEADISH = re.compile(
    r"sapo|sumary|summary|lead|teaser|excerpt|desc|intro|chapeau|standfirst|tomtat|tom-tat|abstract"
)
AUTHORISH = re.compile(r"(?:^|[-_])(?:author|authors|byline|tac-?gia|writer)(?:[-_]|$)")
CATEGORYISH = re.compile(r"cate|chuyen-?muc|section|zone")
BREADCRUMBISH = re.compile(r"breadcrumb|duong-?dan|crumbs")
CAPTIONISH = re.compile(
    r"caption|chu-?thich|(?:image|img|photo|pic)[-_]*(?:desc|note)|desc[-_]*(?:image|img|photo|pic)|figcaption"
)
TAGSISH = re.compile(r"(?:^|[-_])tags?(?:[-_]|$)|keyword|tu-?khoa")
ICONISH = re.compile(
    r"(?<![a-z])(?:icons?|logo|sprite|spacer|blank|pixel|loading|banner|qc|quang-?cao|ads?)(?![a-z])", re.I
)

# ---------------------------------------------------------------- text shapes
#: Separators between a page title and the site name in <title>.
#: A match starts at the first space of a run or off spaces, never inside a run (which made the
#: search quadratic on runs of newlines); the splits are the same.
TITLE_SPLIT = re.compile(r"(?:(?<!\s)|(?!\s))(?:\s+[|\-–—:»]\s+|\s*[|]\s*)")
NON_WORD = re.compile(r"[\W_]+")
LIST_MARK = re.compile(r"^[-•*]\s+")
SEPARATOR_ONLY = re.compile(r"^[\s»›>/|\\→·•\-–—]*$")
CRUMB_SEPARATOR = re.compile(r"[»›>/|→]")
BARE_URL = re.compile(r"https?://\S+")
IMAGE_HREF = re.compile(r"\.(?:jpe?g|png|gif|webp)(?:\?|$)", re.I)
#: A short bracketed note after a name in a byline: "(tổng hợp)", "(TTXVN)".
NAME_NOTE = re.compile(r"\([^()]{1,40}\)")
#: A VCCorp article id (baochinhphu, tuoitre): "102" + yymmddHHMMSS (+ milliseconds) before ".htm".
VCCORP_URL_ID = re.compile(
    r"-10\d(?P<yy>\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?P<H>[0-2]\d)(?P<M>[0-5]\d)(?P<S>[0-5]\d)\d{0,3}\.htm$"
)
GENERIC_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/")
VI_ONLY = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
ORG_WORDS = re.compile(
    r"\b(?:bao|tap chi|ban tuyen giao|cong thong tin|trang tin|dang cong san|ttxvn|\w+\.vn)\b"
)
LANG_SPLIT = re.compile(r"[-_,; ]")
LANG_CODE = re.compile(r"[a-z]{2,3}")
TABLE_CELL_SPLIT = re.compile(r"(?<!\\)\|")
TABLE_RULE = re.compile(r"[-:\s|]*")
ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\s*$")
LIST_SPLIT = re.compile(r"[,;|]")
KEYWORD_SPLIT = re.compile(r"[,;]")

# ---------------------------------------------------------------- metadata keys
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "pubdate", "publishdate", "publish-date", "publish_date", "article.published", "dc.date.issued",
    "dcterms.created", "dc.date", "date", "sailthru.date", "parsely-pub-date", "created",
)  # fmt: skip
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "lastmod",
    "last-modified",
    "dcterms.modified",
)
TITLE_META = ("og:title", "twitter:title", "title", "dc.title")
DESCRIPTION_META = ("og:description", "description", "twitter:description")
AUTHOR_META = ("author", "article:author", "dc.creator", "sailthru.author")
LANGUAGE_META = ("content-language", "og:locale", "language", "dc.language")
#: Image attributes holding the picture, lazy-loading ones first.
IMAGE_SOURCES = ("data-src", "data-original", "data-lazy-src", "data-srcset", "src", "srcset")
#: JSON-LD types that are the article itself.
ARTICLE_LD_SUFFIXES = ("Article", "BlogPosting", "NewsArticle")
