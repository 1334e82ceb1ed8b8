"""How to cite an archived article: plain text, CSL-JSON (Zotero, Pandoc) and BibTeX.

A citation names the article as published (outlet, title, date, URL) and the evidence the
archive holds for it (when it was captured, the sha256 of the captured bytes) and, when the
page is served from a snapshot, that snapshot's id and manifest sha256, which is what lets a
reader check years later that they see the same bytes.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")


def _day(timestamp: str | None) -> str | None:
    return timestamp[:10] if timestamp and re.match(r"\d{4}-\d{2}-\d{2}", timestamp) else None


def _date_parts(day: str | None) -> dict[str, list] | None:
    return {"date-parts": [[int(p) for p in day.split("-")]]} if day else None


def evidence_note(article: dict[str, Any], snapshot: dict[str, str] | None) -> str:
    capture = article.get("capture") or {}
    note = f"Archived by vnarchive: captured {capture.get('fetched_at')}, sha256 {capture.get('sha256')}"
    if snapshot:
        note += f"; snapshot {snapshot['id']}, manifest sha256 {snapshot['manifest_sha256']}"
    return note


def as_text(article: dict[str, Any], snapshot: dict[str, str] | None) -> str:
    """One paragraph in the usual order: outlet. "Title." Date. URL. Then the evidence."""
    author = f"{article['author']}. " if article.get("author") else ""
    published = _day(article.get("published")) or "undated"
    return (
        f"{author}{article['outlet']['title']}. \u201c{article.get('title') or article['url']}.\u201d"
        f" {published}. {article['url']}. {evidence_note(article, snapshot)}."
    )


def as_csl(article: dict[str, Any], snapshot: dict[str, str] | None, archive_url: str) -> dict[str, Any]:
    """A CSL-JSON item (the format Zotero and citeproc read)."""
    capture = article.get("capture") or {}
    item: dict[str, Any] = {
        "id": cite_key(article),
        "type": "article-newspaper",
        "title": article.get("title") or article["url"],
        "container-title": article["outlet"]["title"],
        "URL": article["url"],
        "language": article.get("language") or "vi",
        "archive": f"vnarchive snapshot {snapshot['id']}" if snapshot else "vnarchive",
        "archive_location": archive_url,
        "note": evidence_note(article, snapshot),
    }
    if article.get("author"):
        item["author"] = [{"literal": article["author"]}]
    issued = _date_parts(_day(article.get("published")))
    if issued:
        item["issued"] = issued
    accessed = _date_parts(_day(capture.get("fetched_at")))
    if accessed:
        item["accessed"] = accessed
    return item


def as_csl_json(article: dict[str, Any], snapshot: dict[str, str] | None, archive_url: str) -> str:
    return json.dumps([as_csl(article, snapshot, archive_url)], ensure_ascii=False, indent=2)


def _bib(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", value)


def cite_key(article: dict[str, Any]) -> str:
    """outlet + publication day + the URL's last number: stable, and unique enough to edit by hand."""
    digits = re.findall(r"\d+", article["url"])
    day = (_day(article.get("published")) or "nd").replace("-", "")
    return re.sub(r"[^A-Za-z0-9_-]", "", f"{article['outlet']['name']}_{day}_{digits[-1] if digits else 'x'}")


def as_bibtex(article: dict[str, Any], snapshot: dict[str, str] | None) -> str:
    """A biblatex ``@online`` entry (UTF-8: biber and modern bibtex read Vietnamese as is)."""
    capture = article.get("capture") or {}
    fields = {
        "title": article.get("title") or article["url"],
        "author": article.get("author"),
        "organization": article["outlet"]["title"],
        "date": _day(article.get("published")),
        "url": article["url"],
        "urldate": _day(capture.get("fetched_at")),
        "langid": "vietnamese",
        "note": evidence_note(article, snapshot),
    }
    body = ",\n".join(
        f"  {name} = {{{value if name == 'url' else _bib(value)}}}" for name, value in fields.items() if value
    )
    return f"@online{{{cite_key(article)},\n{body}\n}}"
