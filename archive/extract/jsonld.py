"""The page's JSON-LD: every typed object, however the page nests it, and its names.

Portals print their JSON-LD by hand: trailing commas, HTML comments around it, @graph and
mainEntity nesting; what parses is kept, what does not is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from lxml.etree import _Element

from archive.vntext import clean_line


def json_ld(scripts: Iterable[_Element]) -> list[dict]:
    """Every JSON-LD object with an @type, @graph and nesting flattened; bad JSON skipped.

    ``scripts``: the page's ``<script>`` elements, in document order."""
    objects: list[dict] = []
    for script in scripts:
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _loads(script.text or "")
        if data is not None:
            _collect(data, objects, 0)
    return objects


def _loads(raw: str) -> object | None:
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip()
    for attempt in (raw, re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " ").replace("\t", " "))):
        try:
            return json.loads(attempt)
        except (ValueError, RecursionError):
            continue
    return None


def _collect(data: object, out: list[dict], depth: int) -> None:
    if depth > 8:
        return
    if isinstance(data, list):
        for item in data:
            _collect(item, out, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            out.append(data)
        for k, v in data.items():
            if k in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "item", "hasPart"):
                _collect(v, out, depth + 1)


def ld_types(obj: dict) -> set[str]:
    """The object's @type values as a set."""
    t = obj.get("@type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


def ld_name(value: object) -> str | None:
    """A person/organisation/thing name from a JSON-LD value (string, dict or list)."""
    if isinstance(value, str):
        return clean_line(value)
    if isinstance(value, dict):
        for k in ("name", "fullName", "title", "headline"):
            if isinstance(value.get(k), str):
                return clean_line(value[k])
    if isinstance(value, list):
        names = [n for n in (ld_name(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None
