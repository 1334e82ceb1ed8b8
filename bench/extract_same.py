"""Are extract()'s records unchanged by a change? The current tree against a git revision, field by field.

A speed change to the extractor must not change a record (else ``EXTRACTOR_VERSION`` is bumped
and every page is re-extracted). This extracts the same pages with the current ``archive.extract``
and with the one of git revision REV (imported beside it as ``archive_baseline``, as
``extract_speed.py --baseline`` does) and compares the two records of each page field by field:

- the Zyte benchmark's pages (if present), ``now`` fixed;
- N replica article pages, ``now`` fixed;
- the fixture pages of ``tests/pages`` (``evaldata.json``'s URL, Content-Type and ``now``);
- generated variants (``replica.generator``, a balanced sample, ``now`` the page's own day).

The two trees run page by page in one process, their caches warm (as in a crawl's worker), so a
cache that changed an answer would show too.

Usage::

    .venv/bin/python bench/extract_same.py --baseline REV [--pages 150] [--variants 1500]

Prints the differing pages per set (their fields, the first few in full); exits 1 if any differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extract_speed import baseline_package, render_pages, zyte_pages  # noqa: E402

from archive.extract import extract  # noqa: E402
from replica.generator import variant  # noqa: E402
from replica.generator.axes import balanced  # noqa: E402
from replica.vn import VN_TZ  # noqa: E402

#: The reference time of the Zyte and replica pages (any fixed instant: both trees get the same).
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone(timedelta(hours=7)))
FIXTURES = ROOT / "tests" / "pages"

#: (label, bytes, url, content type, now) of one page.
Page = tuple[str, bytes, str, str | None, datetime]


def fixture_pages() -> list[Page]:
    """The fixture pages, as ``tests/test_extract.py`` extracts them."""
    evaldata = json.loads((FIXTURES / "evaldata.json").read_text(encoding="utf-8"))
    default_now = datetime.fromisoformat("2026-11-20T09:00:00+07:00")
    return [
        (
            name,
            (FIXTURES / name).read_bytes(),
            entry["url"],
            entry.get("content_type"),
            datetime.fromisoformat(entry["now"]) if "now" in entry else default_now,
        )
        for name, entry in sorted(evaldata.items())
    ]


def variant_pages(n: int, seed: int = 0) -> list[Page]:
    """``n`` generated variants, a balanced sample as ``bench/variants.py`` draws it."""
    out = []
    for i, axes in enumerate(balanced(n, seed)):
        v = variant(seed * 1_000_003 + i, **axes)
        now = datetime.combine(v.story.today, dtime(23, 59), VN_TZ)
        out.append((f"variant({seed * 1_000_003 + i}, **{axes})", v.html, v.url, v.content_type, now))
    return out


def compare(name: str, pages: list[Page], baseline: object) -> int:
    """Extract each page with both trees; print the differences; how many pages differ."""
    differ: Counter[str] = Counter()
    shown = 0
    bad = 0
    for label, body, url, content_type, now in pages:
        new = extract(body, url, content_type=content_type, now=now)
        old = baseline.extract(body, url, content_type=content_type, now=now)
        fields = sorted(k for k in new.keys() | old.keys() if new.get(k) != old.get(k))
        if not fields:
            continue
        bad += 1
        differ.update(fields)
        if shown < 3:
            shown += 1
            print(f"  {name} {label} {url}")
            for f in fields:
                print(f"    {f}: before {old.get(f)!r:.300}\n    {' ' * len(f)}  after  {new.get(f)!r:.300}")
    print(f"{name}: {len(pages)} pages, {bad} differ" + (f" ({dict(differ)})" if bad else ""))
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", metavar="REV", required=True, help="git revision to compare with")
    parser.add_argument("--pages", type=int, default=150, help="replica article pages (default 150)")
    parser.add_argument("--variants", type=int, default=1500, help="generated variants (default 1500)")
    parser.add_argument(
        "--zyte",
        type=Path,
        default=ROOT / ".." / "shared" / "benchmarks" / "zyte",
        help="Zyte benchmark folder",
    )
    args = parser.parse_args(argv)
    baseline = baseline_package(args.baseline)
    replica, _ = render_pages(args.pages, "http://127.0.0.1:8000")
    sets = {
        "zyte": [(u, b, u, "text/html; charset=utf-8", NOW) for u, b in zyte_pages(args.zyte.resolve())],
        "replica": [(u, b, u, "text/html; charset=utf-8", NOW) for u, b in replica],
        "fixtures": fixture_pages(),
        "variants": variant_pages(args.variants),
    }
    bad = sum(compare(name, pages, baseline) for name, pages in sets.items())
    print("records identical" if not bad else f"{bad} pages differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
