"""archive.extract on recorded-style fixture pages: golden records and a pinned evaluation floor.

Each ``tests/pages/<site>/<name>.html`` has an entry in ``tests/pages/evaldata.json`` (URL,
hand-written title/published/author/lead, sentences that must be in the text, boilerplate that
must not) and a golden record ``<name>.json`` (the exact extract() output, reviewed). The
hand-written expectations are the primary check; a golden record that no longer matches fails
with the diff, and is rewritten only with ``UPDATE_GOLDEN=accept``.
"""

from __future__ import annotations

import difflib
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import html as lxml_html
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata

from archive.encoding import decode_html
from archive.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract, is_article
from archive.extract.bridge import (
    TRAFILATURA_FIELDS,
    parses_like_trafilatura,
    trafilatura_field,
    trafilatura_meta_tags,
)

PAGES = Path(__file__).parent / "pages"
EVALDATA = json.loads((PAGES / "evaldata.json").read_text(encoding="utf-8"))
VN = timezone(timedelta(hours=7))
#: Reference "now" of the fixtures (the day they were "crawled"), unless an entry says otherwise.
DEFAULT_NOW = "2026-11-20T09:00:00+07:00"
#: Share of evaldata checks that must pass; pinned at the achieved rate so a regression fails.
PASS_RATE_FLOOR = 1.0
RECORD_KEYS = {
    "url", "canonical_url", "site", "title", "lead", "lead_tag", "text", "author", "bylines", "source", "category", "tags", "images",
    "related", "language", "published", "published_source", "published_raw", "modified", "encoding", "flags",
    "extractor", "extractor_version", "trafilatura_version",
}  # fmt: skip


def run(name: str) -> dict:
    """extract() on one evaldata entry, as the crawler would call it."""
    entry = EVALDATA[name]
    data = (PAGES / name).read_bytes()
    now = datetime.fromisoformat(entry.get("now", DEFAULT_NOW))
    return extract(data, entry["url"], content_type=entry.get("content_type"), now=now)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


#: Record fields an evaldata entry may state exactly.
CHECKED_FIELDS = ("title", "published", "author", "bylines", "lead", "lead_tag", "category", "source", "site")


def checks(name: str, record: dict) -> list[tuple[str, bool]]:
    """(description, passed) for every expectation of one page."""
    entry = EVALDATA[name]
    out = []
    for field in CHECKED_FIELDS:
        if field in entry:
            out.append(
                (f"{field} == {entry[field]!r} (got {record[field]!r})", record[field] == entry[field])
            )
    if "is_article" in entry:
        out.append((f"is_article == {entry['is_article']}", is_article(record) == entry["is_article"]))
    for field in ("tags",):
        if field in entry:
            out.append(
                (f"{field} == {entry[field]!r} (got {record[field]!r})", record[field] == entry[field])
            )
    if "images" in entry:
        got = [(i["src"], i["caption"]) for i in record["images"]]
        want = [(i["src"], i["caption"]) for i in entry["images"]]
        out.append((f"images == {want!r} (got {got!r})", got == want))
    if "related" in entry:
        got_urls = [r["url"] for r in record["related"]]
        out.append((f"related urls == {entry['related']!r} (got {got_urls!r})", got_urls == entry["related"]))
    for flag in entry.get("flags", ()):
        out.append((f"flag {flag!r} in {record['flags']!r}", flag in record["flags"]))
    text = _squeeze(record["text"] or "")
    for snippet in entry.get("with", ()):
        out.append((f"text has {snippet!r}", _squeeze(snippet) in text))
    for snippet in entry.get("without", ()):
        out.append((f"text lacks {snippet!r}", _squeeze(snippet) not in text))
    return out


def _golden_diff(name: str, record: dict) -> str:
    """A unified diff from the reviewed golden record to ``record`` ("" when equal)."""
    golden = (PAGES / name).with_suffix(".json")
    old = golden.read_text(encoding="utf-8") if golden.exists() else ""
    new = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    if old and json.loads(old) == record:
        return ""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), str(golden), "extract()", lineterm="")
    return "\n".join(lines)


@pytest.mark.parametrize("name", sorted(EVALDATA))
def test_page(name: str) -> None:
    """Hand-written expectations first; then the reviewed golden record, changed only on acceptance."""
    record = run(name)
    assert set(record) == RECORD_KEYS
    failed = [desc for desc, ok in checks(name, record) if not ok]
    assert not failed, "tests/pages/evaldata.json expectations:\n" + "\n".join(failed)
    diff = _golden_diff(name, record)
    if diff and os.environ.get("UPDATE_GOLDEN") == "accept":
        (PAGES / name).with_suffix(".json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"accepted:\n{diff}")
        return
    assert not diff, (
        f"{name}: the record differs from its reviewed golden record. Read the diff; if every change "
        f"is right, rewrite it with UPDATE_GOLDEN=accept.\n{diff}"
    )


def test_pass_rate() -> None:
    results = [(name, desc, ok) for name in sorted(EVALDATA) for desc, ok in checks(name, run(name))]
    passed = sum(ok for _, _, ok in results)
    rate = passed / len(results)
    failures = "\n".join(f"{name}: {desc}" for name, desc, ok in results if not ok)
    print(f"evaldata: {passed}/{len(results)} checks passed ({rate:.3f})\n{failures}")
    assert rate >= PASS_RATE_FLOOR, failures


def test_record_identity() -> None:
    record = extract("<html><body><p>x</p></body></html>", "https://example.org/a")
    assert record["extractor"] == EXTRACTOR_NAME == "vnarchive"
    assert record["extractor_version"] == EXTRACTOR_VERSION
    assert set(record) == RECORD_KEYS


def test_trafilatura_fields_are_extract_metadata_fields() -> None:
    """The fallbacks read one field at a time must be what trafilatura's whole metadata pass gives."""
    found = dict.fromkeys(TRAFILATURA_FIELDS, 0)
    for name, entry in sorted(EVALDATA.items()):
        text = decode_html((PAGES / name).read_bytes(), entry.get("content_type")).text
        parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
        root = lxml_html.document_fromstring(text, parser=parser)
        whole = extract_metadata(root, entry["url"])
        meta_tags = trafilatura_meta_tags(root)
        for field in TRAFILATURA_FIELDS:
            assert trafilatura_field(root, field, meta_tags) == getattr(whole, field), (name, field)
            found[field] += bool(getattr(whole, field))
    assert all(found.values()), found  # every field compared on pages that have it


def test_trafilatura_given_our_tree_reads_what_it_reads_from_the_text() -> None:
    """Where extract() hands trafilatura its own parsed tree, trafilatura's text is unchanged."""
    compared = 0
    for name, entry in sorted(EVALDATA.items()):
        text = decode_html((PAGES / name).read_bytes(), entry.get("content_type")).text
        if not parses_like_trafilatura(text):
            continue
        parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
        root = lxml_html.document_fromstring(text, parser=parser)
        from_tree = bare_extraction(root, url=entry["url"], fast=True, include_comments=False)
        from_text = bare_extraction(text, url=entry["url"], fast=True, include_comments=False)
        assert (from_tree and from_tree.text) == (from_text and from_text.text), name
        compared += 1
    assert compared >= len(EVALDATA) - 3, compared
    assert not parses_like_trafilatura("<p>a fragment</p>")
    assert not parses_like_trafilatura("<html><body><p>a control character \x01</p></body></html>")
    assert not parses_like_trafilatura("<html lang='vi' />\n<body><p>self-closing html</p></body>")
    assert parses_like_trafilatura("<!DOCTYPE html>\n<html lang='vi'><body><p>plain</p></body></html>")
