"""The article object embedded by Next.js pages (``<script id="__NEXT_DATA__">``).

tuyengiaodanvan.vn (generation (c)) renders with Next.js; when the page ships its article as
JSON, that JSON is the publisher's own record and beats reading the DOM. Its schema is
unknown (site-notes §7), so the article is found by shape: the object with a title-like key
and the longest HTML/text content, and fields are read under the usual key spellings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from archive.extract.jsonld import ld_name
from archive.vntext import clean_line

_TITLE_KEYS = ("title", "headline", "name", "tieuDe", "tieu_de", "subject")
_CONTENT_KEYS = (
    "content",
    "body",
    "contentHtml",
    "content_html",
    "html",
    "noiDung",
    "noi_dung",
    "detail",
    "fullContent",
)
_LEAD_KEYS = (
    "sapo",
    "description",
    "summary",
    "excerpt",
    "shortDescription",
    "short_description",
    "lead",
    "abstract",
    "intro",
    "moTa",
    "tomTat",
)
_PUBLISHED_KEYS = (
    "publishedAt", "published_at", "publishDate", "publish_date", "publishedDate", "publishedTime", "datePublished",
    "publicDate", "postDate", "releaseDate", "createdAt", "created_at", "createdDate", "date",
)  # fmt: skip
_MODIFIED_KEYS = (
    "updatedAt",
    "updated_at",
    "modifiedAt",
    "modified_at",
    "dateModified",
    "lastModified",
    "updatedDate",
)
_AUTHOR_KEYS = (
    "author",
    "authorName",
    "author_name",
    "authors",
    "tacGia",
    "tac_gia",
    "writer",
    "byline",
    "butDanh",
)
_SOURCE_KEYS = ("source", "sourceName", "nguon")
_TAG_KEYS = ("tags", "keywords", "tagList", "tag")
_CATEGORY_KEYS = ("category", "categoryName", "category_name", "categories", "chuyenMuc", "section")


@dataclass
class NextArticle:
    """Fields read from the embedded article; None/empty when the JSON lacks them."""

    title: str | None = None
    content_html: str | None = None
    lead: str | None = None
    published_raw: str | None = None
    modified_raw: str | None = None
    author: str | None = None
    source: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)


def next_data(root: _Element) -> object | None:
    """The parsed JSON of ``script#__NEXT_DATA__``, or None."""
    for script in root.iter("script"):
        if script.get("id") == "__NEXT_DATA__":
            try:
                return json.loads(script.text or "")
            except (ValueError, RecursionError):
                return None
    return None


def find_article(data: object) -> NextArticle | None:
    """The embedded article: the dict with a title and the longest content (>= 200 chars)."""
    best: tuple[int, dict] | None = None
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > 20:
            continue
        if isinstance(node, dict):
            title = _first_str(node, _TITLE_KEYS)
            content = _first_str(node, _CONTENT_KEYS)
            if title and content and len(content) >= 200 and (best is None or len(content) > best[0]):
                best = (len(content), node)
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    if best is None:
        return None
    obj = best[1]
    return NextArticle(
        title=clean_line(_first_str(obj, _TITLE_KEYS)),
        content_html=_first_str(obj, _CONTENT_KEYS),
        lead=clean_line(_strip_markup(_first_str(obj, _LEAD_KEYS))),
        published_raw=_first_scalar(obj, _PUBLISHED_KEYS),
        modified_raw=_first_scalar(obj, _MODIFIED_KEYS),
        author=_named(obj, _AUTHOR_KEYS),
        source=_named(obj, _SOURCE_KEYS),
        category=_named(obj, _CATEGORY_KEYS, first_only=True),
        tags=_names(obj, _TAG_KEYS),
    )


def _first_str(obj: dict, keys: tuple[str, ...]) -> str | None:
    for k in keys:
        v = obj.get(k)
        if isinstance(v, str) and v.strip():
            return v
    return None


def _first_scalar(obj: dict, keys: tuple[str, ...]) -> str | None:
    for k in keys:
        v = obj.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
            return str(v)
    return None


def _named(obj: dict, keys: tuple[str, ...], *, first_only: bool = False) -> str | None:
    for k in keys:
        v = obj.get(k)
        if first_only and isinstance(v, list):
            v = v[0] if v else None
        name = ld_name(v) if v else None
        if name:
            return name
    return None


def _names(obj: dict, keys: tuple[str, ...]) -> list[str]:
    for k in keys:
        v = obj.get(k)
        if isinstance(v, str):
            items = [clean_line(x) for x in v.split(",")]
        elif isinstance(v, list):
            items = [ld_name(x) for x in v]
        else:
            continue
        out = [x for x in dict.fromkeys(items) if x]
        if out:
            return out
    return []


def _strip_markup(text: str | None) -> str | None:
    if not text or "<" not in text:
        return text
    try:
        return lxml_html.fromstring(f"<div>{text}</div>").text_content()
    except (ValueError, TypeError, ParserError):
        return text


def epoch_to_iso(raw: str) -> str | None:
    """Millisecond or second epoch timestamps (JSON APIs) as ISO UTC; None for anything else."""
    if not raw.isdigit() or len(raw) not in (10, 13):
        return None
    seconds = int(raw) / (1000 if len(raw) == 13 else 1)
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
