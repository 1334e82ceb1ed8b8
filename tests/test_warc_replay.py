"""pywb, a standard replay engine, replays an archived article from our WACZ's WARCs and CDXJ index.

pywb lives in its own virtualenv (``make replay``: it ships a top-level ``tests`` package that
would shadow ours); outside CI a missing pywb skips this test, with CI=true it fails.
"""

from __future__ import annotations

import html
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from archive.wacz import write_wacz
from archive.warc import warc_date
from tests.warc_crawl import crawled_archive, rows

WAYBACK = Path(sys.prefix) / "replay" / "bin" / "wayback"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pywb(tmp_path_factory):
    if not WAYBACK.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{WAYBACK} missing in CI: make replay installs pywb")
        pytest.skip("pywb not installed (make replay)")
    db_path = crawled_archive(tmp_path_factory)
    root = tmp_path_factory.mktemp("pywb")
    collection = root / "collections" / "vn"
    wacz = write_wacz(db_path, root / "archive.wacz")
    with zipfile.ZipFile(wacz) as zf:  # the WACZ's own WARCs and CDXJ index, as pywb lays them out
        for name in zf.namelist():
            if name.startswith(("archive/", "indexes/")):
                zf.extract(name, collection)
    port = _free_port()
    process = subprocess.Popen(
        [str(WAYBACK), "-b", "127.0.0.1", "-p", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"pywb exited: {process.stderr.read().decode()[-1000:]}")
                time.sleep(0.1)
        yield base, db_path
    finally:
        process.terminate()
        process.wait(timeout=10)


def _replay(base: str, at: str, url: str) -> tuple[str, dict]:
    timestamp = warc_date(at).translate(str.maketrans("", "", "-:TZ"))
    # mp_: the archived page itself (rewritten for replay), not pywb's frame around it
    with urllib.request.urlopen(f"{base}/vn/{timestamp}mp_/{url}", timeout=10) as response:
        return html.unescape(response.read().decode("utf-8")), dict(response.headers)


def test_pywb_replays_each_version_of_an_edited_article_at_its_time(pywb):
    base, db_path = pywb
    (url,) = rows(db_path, "select url from article_versions where version = 2")[0]
    versions = rows(
        db_path,
        f"select v.title, c.fetched_at, c.final_url, substr(v.text, 1, 80) from article_versions v join captures c on c.id = v.capture_id "
        f"where v.url = '{url}' order by v.version",
    )
    assert len(versions) == 2
    for title, fetched_at, final_url, text in versions:
        page, headers = _replay(base, fetched_at, final_url)
        assert title in page and text in page
        assert headers["Memento-Datetime"]  # pywb answered from the archive, as of the capture
    assert versions[1][0] not in _replay(base, versions[0][1], versions[0][2])[0]  # the title before the edit
