"""Stopping a crawl with signals: one stop per signal delivered twice, and a forced stop that ends.

Both failed together once in CI: the copy of a SIGTERM sent to the process group reached Scrapy's
unclean-stop handler while its clean-stop handler was still logging, and the forced stop then
never ended, multiprocessing waiting at exit for an extraction worker that ignores SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from archive.crawl import FAST_SETTINGS
from crawler.extensions import OneStopPerSignal
from replica import ReplicaServer, build_site, faults
from tests.crawling import ROOT


def test_a_copy_arriving_while_scrapys_handler_runs_is_the_same_stop():
    """Scrapy's handler installs its successor first; a copy arriving then must not reach it."""
    calls = []

    def unclean(signum, frame):
        calls.append("unclean")

    def graceful(signum, frame):  # what Scrapy's first handler does, with the copy arriving meanwhile
        calls.append("graceful")
        signal.signal(signal.SIGTERM, unclean)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)

    previous = {s: signal.getsignal(s) for s in OneStopPerSignal.SIGNALS}
    signal.signal(signal.SIGTERM, graceful)
    try:
        extension = OneStopPerSignal(window=0.5)
        extension.install()
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
        assert calls == ["graceful"]
        assert signal.getsignal(signal.SIGTERM) == extension.handle
        time.sleep(0.6)  # a deliberate second signal, later: the forced stop
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
        assert calls == ["graceful", "unclean"]
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def test_a_forced_stop_ends_the_crawl_and_its_workers_and_says_interrupted(tmp_path):
    """A second SIGTERM while the clean stop waits for a page that never answers."""
    site = build_site(n_articles=40)
    faults.install(site)
    db_path = tmp_path / "archive.db"
    with ReplicaServer(site, port=0) as replica:
        exe = Path(sys.executable).with_name("vnarchive")
        cmd = [str(exe), "crawl", "--base-url", replica.url, "--db", str(db_path)]
        settings = {**FAST_SETTINGS, "EXTRACT_WORKERS": "1", "DOWNLOAD_TIMEOUT": "120", "RETRY_TIMES": "0"}
        for key, value in settings.items():
            cmd += ["--set", f"{key}={value}"]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        hanging = faults.path_of("never-answers")
        try:
            deadline = time.monotonic() + 120
            while not any(path == hanging for _, path, _ in list(replica.requests)):
                assert proc.poll() is None and time.monotonic() < deadline, (
                    "the crawl never asked for the page"
                )
                time.sleep(0.1)
            os.killpg(proc.pid, signal.SIGTERM)
            time.sleep(2.0)  # past SIGNAL_COALESCE_SECONDS: a deliberate second signal
            assert proc.poll() is None, "the clean stop did not wait for the page in flight"
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                out, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
                raise AssertionError(f"the forced stop never ended; stderr ends:\n{err[-3000:]}") from None
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        time.sleep(0.5)
        assert not _alive_in_group(proc.pid), "a process of the crawl outlived it"
    assert "forcing unclean shutdown" in err
    assert proc.returncode == 7, (out, err[-2000:])
    assert "killed, exit code 7" in out
    status = sqlite3.connect(db_path).execute("select status, exit_code from crawl_runs").fetchall()
    assert status == [("killed", 7)]


def _alive_in_group(pgid: int) -> list[str]:
    """The group's processes still running (not zombies: nobody reaps an orphan in a container)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(stat.parent.name)
    return alive
