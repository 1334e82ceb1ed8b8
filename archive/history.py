"""Reading an article's history: its versions, and what changed between two of them."""

from __future__ import annotations

import contextlib
import difflib
import json
from typing import Any

from sqlite_utils import Database

#: Fields shown in a diff, in reading order.
DIFF_FIELDS = ("title", "lead", "author", "published", "category", "tags", "source", "text")


def versions(db: Database, url: str) -> list[dict[str, Any]]:
    return list(db["article_versions"].rows_where("url = ?", [url], order_by="version"))


def diff_versions(old: dict[str, Any], new: dict[str, Any], *, context: int = 1) -> str:
    """A unified diff, field by field, of two versions of one article; empty when equal."""
    out = [f"--- version {old['version']} (captured {old['captured_at']})"]
    out.append(f"+++ version {new['version']} (captured {new['captured_at']}, {new['change_kind']})")
    changed = False
    for field in DIFF_FIELDS:
        a, b = _lines(old.get(field)), _lines(new.get(field))
        if a == b:
            continue
        changed = True
        out.append(f"@@ {field} @@")
        body = list(difflib.unified_diff(a, b, lineterm="", n=context))[2:]
        out.extend(line for line in body if not line.startswith("@@"))
    return "\n".join(out) if changed else ""


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) and value.startswith("["):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).split("\n")
