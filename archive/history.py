"""Reading an article's history: its versions, and what changed between two of them.

Two views of one change: ``diff_versions`` is a line-level unified diff (a paragraph is a line,
as ``diff`` and patch tools expect); ``word_changes`` and ``word_diff_text`` mark the inserted
and deleted words inside a paragraph, which is what a reader needs when an editor changed one
word of a long paragraph (the CLI and the article page's diff view use these).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
from typing import Any

from sqlite_utils import Database

#: Fields shown in a diff, in reading order.
DIFF_FIELDS = ("title", "lead", "author", "published", "category", "tags", "source", "text")

#: A word, a run of spaces, or one punctuation mark: the units a word diff compares.
_TOKEN = re.compile(r"\s+|[^\W_]+|[\W_]", re.UNICODE)

#: One piece of a word diff: ("equal" | "insert" | "delete", text).
Segment = tuple[str, str]


def versions(db: Database, url: str) -> list[dict[str, Any]]:
    return list(db["article_versions"].rows_where("url = ?", [url], order_by="version"))


def diff_versions(old: dict[str, Any], new: dict[str, Any], *, context: int = 1) -> str:
    """A unified diff, field by field, of two versions of one article; empty when equal."""
    out = [_header(old, new)[0], _header(old, new)[1]]
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


def word_segments(old: str, new: str) -> list[Segment]:
    """The words of ``old`` and ``new`` as equal, deleted and inserted runs, in reading order."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("insert", "".join(b[j1:j2])))
    return _merge(out)


def word_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Each changed field of two versions: its name and its changed paragraphs, word-marked.

    Paragraphs are aligned first (so an added paragraph is one insertion, not a rewrite of
    every paragraph after it), then the words of each replaced paragraph are compared. Equal
    paragraphs are left out: ``{"field": "text", "paragraphs": [[("equal", "Đoạn "),
    ("delete", "3"), ("insert", "ba"), ...], ...]}``.
    """
    changes = []
    for field in DIFF_FIELDS:
        a, b = _lines(old.get(field)), _lines(new.get(field))
        if a == b:
            continue
        paragraphs: list[list[Segment]] = []
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            if op == "replace" and i2 - i1 == j2 - j1:
                paragraphs += [word_segments(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            elif op == "replace":
                paragraphs.append(word_segments("\n".join(a[i1:i2]), "\n".join(b[j1:j2])))
            else:
                paragraphs += [[("delete", x)] for x in a[i1:i2]] + [[("insert", y)] for y in b[j1:j2]]
        changes.append({"field": field, "paragraphs": paragraphs})
    return changes


def word_diff_text(old: dict[str, Any], new: dict[str, Any]) -> str:
    """``word_changes`` as text, git's ``--word-diff`` notation: ``[-deleted-]{+inserted+}``."""
    changes = word_changes(old, new)
    if not changes:
        return ""
    out = list(_header(old, new))
    for change in changes:
        out.append(f"@@ {change['field']} @@")
        for paragraph in change["paragraphs"]:
            out.append("".join(_notation(op, text) for op, text in paragraph))
    return "\n".join(out)


def _notation(op: str, text: str) -> str:
    return {"insert": "{+" + text + "+}", "delete": "[-" + text + "-]"}.get(op, text)


def _header(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str]:
    return (
        f"--- version {old['version']} (captured {old['captured_at']})",
        f"+++ version {new['version']} (captured {new['captured_at']}, {new['change_kind']})",
    )


def _merge(segments: list[Segment]) -> list[Segment]:
    """Adjacent runs of one kind joined; a lone space between two changes folded into both.

    Without the second rule "a b" -> "x y" reads ``[-a-]{+x+} [-b-]{+y+}``; with it, ``[-a b-]{+x y+}``.
    """
    out: list[Segment] = []
    for i, (op, text) in enumerate(segments):
        between_changes = (
            op == "equal"
            and text.isspace()
            and 0 < i < len(segments) - 1
            and segments[i - 1][0] != "equal"
            and segments[i + 1][0] != "equal"
        )
        if between_changes:
            out += [("delete", text), ("insert", text)]
            continue
        out.append((op, text))
    merged: list[Segment] = []
    for op, text in out:
        if not text:
            continue
        # deletions gather before insertions, so a run reads [-old words-]{+new words+}
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif op == "delete" and len(merged) >= 2 and merged[-1][0] == "insert" and merged[-2][0] == "delete":
            merged[-2] = ("delete", merged[-2][1] + text)
        else:
            merged.append((op, text))
    return merged


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) and value.startswith("["):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).split("\n")
