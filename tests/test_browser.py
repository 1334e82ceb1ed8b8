"""The Datasette UI in a real headless Chromium: the monthly chart draws, and looks like a chart."""

from __future__ import annotations

import re
import sqlite3
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from archive.search import build_fts_query
from tests.archive_fixtures import build_archive, running_server
from tests.reading_room_browser import BROWSER_MARKS, HEADLESS_FLAGS, require_chromium

BAR_BLUE = (0x2B, 0x6C, 0xB0)  # the bars' fill in vnchart.js

pytestmark = BROWSER_MARKS


@pytest.fixture(autouse=True)
def chromium_present() -> None:
    require_chromium()


class Server(str):
    """The server's base URL, knowing its database file."""

    db: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = build_archive(tmp_path_factory.mktemp("browser") / "archive.db")
    with running_server("--db", str(db)) as base:
        url = Server(base)
        url.db = db
        yield url


def chromium(tmp_path, *args: str) -> str:
    command = [
        require_chromium(),
        *HEADLESS_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",  # let the chart's fetch finish before the DOM is taken
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


def bars(dom: str) -> dict[str, int]:
    """Month -> count of every bar the chart drew."""
    found = re.findall(r'<rect[^>]*class="vn-bar" data-month="([\d-]+)" data-count="(\d+)"', dom)
    return {month: int(count) for month, count in found}


def test_chart_follows_category_and_search(server, tmp_path):
    dom = chromium(
        tmp_path, "--dump-dom", f"{server}/archive/articles?category=V%C4%83n+h%C3%B3a&_search=van+hoa"
    )
    drawn = bars(dom)
    assert {m: c for m, c in drawn.items() if c} == {"2022-09": 1, "2022-10": 1, "2022-11": 1}
    assert 'data-total="3"' in dom


def test_chart_of_a_plain_search_counts_every_match_from_the_index(server, tmp_path):
    """A search alone is served newest-first without facets; its chart comes from the FTS index."""
    dom = chromium(tmp_path, "--dump-dom", f"{server}/archive/articles?_search=van+hoa")
    assert 'data-plain="1"' in dom  # the fast path served the page (its markers cleaned from the URLs)
    assert "_nofacet" not in dom.split("<script")[0], "internal parameters in the page's links"
    expected = {
        month: count
        for month, count in sqlite3.connect(server.db).execute(
            "select published_month, count(*) from articles where rowid in "
            "(select rowid from articles_fts where articles_fts match ?) group by 1",
            [build_fts_query("van hoa")],
        )
    }
    assert {m: c for m, c in bars(dom).items() if c} == expected
    assert sum(expected.values()) == 4


def test_chart_fills_empty_months(server, tmp_path):
    drawn = bars(chromium(tmp_path, "--dump-dom", f"{server}/archive/articles"))
    assert list(drawn) == [f"2022-{m:02d}" for m in range(9, 13)] + [f"2023-{m:02d}" for m in range(1, 4)]
    assert sum(drawn.values()) == 9 and drawn["2022-12"] == 0


def test_chart_on_mentions_query(server, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", f"{server}/archive/mentions_per_month?q=cong+an&category=")
    assert {m: c for m, c in bars(dom).items() if c} == {"2023-02": 1}


def test_screenshot_shows_the_chart(server, tmp_path):
    png = tmp_path / "articles.png"
    chromium(
        tmp_path,
        f"--screenshot={png}",
        "--window-size=1200,900",
        f"{server}/archive/articles?_search=van+hoa",
    )
    width, height, pixels = decode_png(png.read_bytes())
    assert (width, height) == (1200, 900)
    colours = Counter(pixels)
    assert len(colours) > 10, "the page is one colour"
    assert colours[BAR_BLUE] > 2000, "no chart bars on screen"


# -- a minimal PNG reader (8-bit RGB/RGBA, not interlaced: what Chromium writes) ----------------


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and not interlace
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    previous, pixels = bytearray(stride), []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        pixels += [tuple(line[i : i + 3]) for i in range(0, stride, channels)]
        previous = line
    return width, height, pixels
