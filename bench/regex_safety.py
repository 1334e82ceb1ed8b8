"""How long each regex applied to untrusted text takes on 1 MB adversarial inputs.

Untrusted: page content, feeds, sitemaps, robots.txt, URLs and search queries. Each compiled
pattern at module level in ``crawler/`` and ``archive/`` (the extractor's modules included) is
run with ``findall`` over a family of inputs built to make a backtracking engine retry from
every position (long runs of blanks, letters, digits, quotes, separators, and of the pattern's
own literal fragments, each without the ending the pattern needs); the entry points that apply
patterns to untrusted input (robots_sitemaps, page_number, build_fts_query...) are run too.
A pattern that is quadratic shows as seconds here where the linear ones take milliseconds.

Patterns the code applies to a bounded slice (``BOUNDED``) are timed at that bound, and those it
only ever fullmatches (``FULLMATCH_ONLY``) with fullmatch: findall over 1 MB would time a use
the code never makes.

It asserts nothing: it prints one line per pattern (the slowest input and its time), slowest
first. tests/test_hostile_regex.py runs the same at 100 KB with generous bounds.

Usage::

    .venv/bin/python bench/regex_safety.py [--size 1000000] [--top 30]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import pkgutil
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Modules whose module-level compiled patterns see untrusted text (replica/ does not); the
#: extractor package's modules are added by extract_modules().
MODULES = (
    "crawler.discovery", "crawler.middlewares", "crawler.robots", "crawler.retry_after", "crawler.spiders.base",
    "archive.search", "archive.encoding", "archive.profiles", "archive.urls", "archive.shapes",
    "archive.heuristics", "archive.vntext", "archive.dates", "archive.datasette_plugins.vnpragma",
)  # fmt: skip


def extract_modules() -> list[str]:
    """archive.extract and each of its modules, as the package is today (it is being reorganised)."""
    import archive.extract

    names = ["archive.extract"]
    names += [f"archive.extract.{m.name}" for m in pkgutil.iter_modules(archive.extract.__path__)]
    return names


#: Patterns applied only to a bounded slice of their input, with the bound they get: timed at it.
BOUNDED = {"archive.encoding._META_CHARSET": 4096}
#: Patterns the code applies only with fullmatch (one start, not every position): timed so.
FULLMATCH_ONLY = frozenset({"archive.shapes._SLUG_ID"})

_PIECES = (
    "\n",
    " ",
    "\t",
    "a",
    "1",
    "-",
    '"',
    "'",
    "<",
    ">",
    "/",
    ".",
    ":",
    "=",
    "&",
    "đ",
    "\u0301",
    "*",
    "<p>",
)


def compiled_patterns() -> Iterator[tuple[str, re.Pattern]]:
    """Every re.Pattern bound at module level in MODULES (modules that fail to import are skipped)."""
    for name in (*MODULES, *extract_modules()):
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a module being rewritten elsewhere
            print(f"# skipped {name}: {exc!r}", file=sys.stderr)
            continue
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{name}.{attr}", value


def literal_fragments(pattern: re.Pattern) -> list[str]:
    """Runs of plain characters in the pattern's source: what makes a match start and run on."""
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    return [f for f in re.findall(r"[A-Za-z<>/:=&@#%\-_.,;]{2,}", source) if "\\" not in f][:6]


def adversarial_inputs(pattern: re.Pattern, size: int) -> Iterator[tuple[str, str]]:
    """(label, text) pairs of about ``size`` characters."""
    for piece in _PIECES:
        yield repr(piece), piece * (size // len(piece))
    for a, b in (("\n", " "), (" ", "a"), ("a", "-"), ("1", "/"), ("\r", "\n"), ("a", " ")):
        yield f"{a!r}{b!r}", (a + b) * (size // 2)
    for fragment in literal_fragments(pattern):
        for tail in ("", " ", "1", "a", "\n"):
            unit = fragment + tail
            yield f"{unit!r}*", unit * (size // len(unit))


def time_call(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def pattern_timings(size: int) -> Iterator[tuple[str, str, float]]:
    """(name, slowest input, seconds) per pattern, applied as the code applies it (see BOUNDED)."""
    for name, pattern in compiled_patterns():
        worst = ("", 0.0)
        apply = pattern.fullmatch if name in FULLMATCH_ONLY else pattern.findall
        for label, text in adversarial_inputs(pattern, BOUNDED.get(name, size)):
            subject: str | bytes = text if isinstance(pattern.pattern, str) else text.encode("utf-8")
            elapsed = time_call(lambda a=apply, s=subject: a(s))
            if elapsed > worst[1]:
                worst = (label, elapsed)
        yield name, *worst


def entry_point_calls(size: int) -> list[tuple[str, Callable[[], object]]]:
    """The functions that apply patterns to untrusted input, on adversarial input of ``size``."""
    from archive import encoding, heuristics, search
    from archive.datasette_plugins import vnpragma
    from archive.profiles import PROFILES
    from crawler import discovery

    profile = PROFILES["tuyengiao"]
    n = size
    return [
        (
            "robots_sitemaps(blank lines)",
            lambda: discovery.robots_sitemaps("\n" * n + "Sitemap: /s", "http://h/"),
        ),
        ("robots_sitemaps(spaces)", lambda: discovery.robots_sitemaps(" " * n, "http://h/")),
        (
            "page_number(path digits)",
            lambda: discovery.page_number("http://h/" + "-p1" * (n // 3) + "x", "page"),
        ),
        ("listing_root(path)", lambda: discovery.listing_root("http://h/" + "/trang-" * (n // 7))),
        (
            "page_number(query)",
            lambda: discovery.page_number("http://h/?" + "page=1&" * (n // 7) + "x", "page"),
        ),
        ("is_article_url(path)", lambda: profile.is_article_url("http://h/" + "a-" * (n // 2) + "x")),
        ("build_fts_query(quotes)", lambda: search.build_fts_query('"' * n)),
        ("build_fts_query(words)", lambda: search.build_fts_query("đảng " * (n // 5))),
        ("check_query(words)", lambda: _swallow(search.check_query, "a " * (n // 2))),
        ("snippet(marks)", lambda: search.sql_snippet("a" * n, "\x01a\x02" * (n // 3), None)),
        ("detect charset(<meta)", lambda: encoding.decode_html(b"<meta " * (n // 6), None)),
        ("detect charset(header)", lambda: encoding.decode_html(b"x", "text/html; charset=" + " " * n)),
        ("sitemap(xml)", lambda: _swallow(discovery.parse_sitemap, b"<urlset>" + b"<url><loc>x" * (n // 11))),
        ("feed_links(xml)", lambda: discovery.feed_links(b"<rss><channel>" + b"<link>" * (n // 6))),
        ("strip_paren_tail(blanks)", lambda: heuristics.strip_paren_tail("a" + " " * n + "(b)x")),
        ("strip_paren_tail(brackets)", lambda: heuristics.strip_paren_tail("(b) " * (n // 4) + "x")),
        ("is_placeholder_byline(blanks)", lambda: heuristics.is_placeholder_byline(" " * n + "PV")),
        ("check_printf(directives)", lambda: vnpragma.check_printf("%-" * (n // 2), ())),
        ("check_printf(flags)", lambda: vnpragma.check_printf("%" + "-" * n, ())),
    ]


def _swallow(func: Callable, *args: object) -> None:
    with contextlib.suppress(ValueError):
        func(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters per input (default 1 MB)")
    parser.add_argument("--top", type=int, default=30, help="lines to print per table")
    args = parser.parse_args()
    rows = sorted(pattern_timings(args.size), key=lambda r: -r[2])
    print(f"compiled patterns, findall over {args.size:,}-character inputs (slowest input each):")
    for name, label, elapsed in rows[: args.top]:
        print(f"  {elapsed * 1000:10.1f} ms  {name}  [{label[:30]}]")
    print(f"  ({len(rows)} patterns)")
    print("entry points:")
    for name, call in entry_point_calls(args.size):
        print(f"  {time_call(call) * 1000:10.1f} ms  {name}")


if __name__ == "__main__":
    main()
