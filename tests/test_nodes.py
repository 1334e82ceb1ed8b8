"""More than one machine: portal runs over three scrapyd nodes, one archive, one writer.

Everything is real and on loopback: three stock scrapyd daemons (each in its own working
directory and process group, as on three machines), replica portals, the ``vnarchive dispatch``
coordinator and ``vnarchive ingest`` as the writer. Faults: a node killed with SIGKILL mid-run,
and the writer killed mid-ingest.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest

from archive import leases, store
from archive.handoff import write_handoff, write_seed
from archive.nodes import Node, NodeError, write_node_config
from archive.profiles import PROFILES
from replica import ReplicaServer, build_site
from tests.crawling import ROOT, scrapy_crawl, vnarchive

#: Seconds a node holds a portal: long enough for a replica run on a loaded machine, short
#: enough that the test waits little for a killed node's lease.
LEASE = 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_node(directory: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    write_node_config(directory, port, poll=0.2)
    log = (directory / "scrapyd.out").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"],
        cwd=directory,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the node and its jobs die together
    )
    return process, f"http://127.0.0.1:{port}"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def portals(tmp_path, monkeypatch) -> Iterator[dict[str, ReplicaServer]]:
    """Three small replica portals, named in a sites file the nodes and the coordinator share."""
    with ExitStack() as stack:
        servers = {
            f"tinh-{c}": stack.enter_context(ReplicaServer(build_site(n_articles=n, seed=n), port=0))
            for c, n in zip("abc", (5, 6, 7), strict=True)
        }
        sites = tmp_path / "sites.toml"
        sites.write_text(
            "\n".join(
                f'[{name}]\nbase_url = "{s.url}"\ngroup = "thu-nghiem"\n' for name, s in servers.items()
            ),
            encoding="utf-8",
        )
        monkeypatch.setenv("VNARCHIVE_SITES", str(sites))
        yield servers


@pytest.fixture
def nodes(tmp_path, portals) -> Iterator[list[tuple[subprocess.Popen, str]]]:
    """Three scrapyd daemons, each with its own working directory, answering."""
    started = [_start_node(tmp_path / f"node-{i}", dict(os.environ)) for i in range(3)]
    try:
        deadline = time.monotonic() + 30
        for _, url in started:
            while True:
                try:
                    Node(url).check()
                    break
                except NodeError:
                    assert time.monotonic() < deadline, f"{url} did not start"
                    time.sleep(0.1)
        yield started
    finally:
        for process, _ in started:
            _stop(process)


def _running_job(nodes: list[tuple[subprocess.Popen, str]], tmp_path: Path) -> int:
    """The index of a node whose job has stored captures in its working copy (it is mid-run)."""
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        for i in range(len(nodes)):
            for copy in (tmp_path / f"node-{i}" / "runs").glob("*.db"):
                try:
                    with sqlite3.connect(copy, timeout=0.2) as conn:
                        if conn.execute("select count(*) from captures where status is not null").fetchone()[
                            0
                        ]:
                            return i
                except sqlite3.Error:
                    pass
        time.sleep(0.05)
    raise AssertionError("no node started crawling")


def test_a_node_killed_mid_run_is_retried_elsewhere_and_every_article_is_archived_once(
    tmp_path, portals, nodes
):
    db = tmp_path / "archive.db"
    args = [f"--node={url}" for _, url in nodes]
    command = [str(Path(sys.executable).with_name("vnarchive")), "dispatch", "--group", "thu-nghiem", *args]
    command += ["--db", str(db), "--fast", "--lease", str(LEASE), "--stop-margin", "4", "--poll", "0.3"]
    # Slow enough that the kill lands mid-run.
    command += ["-s", "PROGRESS=never", "-s", "EXTRACT_WORKERS=0", "-s", "DOWNLOAD_DELAY=0.1"]
    command += ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as coordinator:
        victim = _running_job(nodes, tmp_path)
        os.killpg(nodes[victim][0].pid, signal.SIGKILL)
        out, err = coordinator.communicate(timeout=LEASE + 60)
    assert coordinator.returncode == 0, err
    lost = nodes[victim][1]
    assert f"node {lost} is unreachable" in err
    (victim_portal,) = [
        line.split(":")[0] for line in err.splitlines() if f"attempt 1 scheduled on {lost}" in line
    ]
    retried = [
        line for line in err.splitlines() if line.startswith(f"{victim_portal}: attempt 2 scheduled on")
    ]
    assert len(retried) == 1 and lost not in retried[0], err  # once, on another node

    conn = sqlite3.connect(db)
    for name, server in portals.items():
        expected = {server.url + article.path for article in server.site.articles}
        got = [u for (u,) in conn.execute("select url from articles where url like ?", [server.url + "/%"])]
        assert sorted(got) == sorted(expected), name
    # Exactly once: one version and one first capture per article, one run per portal.
    assert conn.execute("select count(*), count(distinct url) from article_versions").fetchone() == (18, 18)
    assert conn.execute("select count(*) from captures where outcome = 'new'").fetchone()[0] == 18
    runs = conn.execute("select spider, status from crawl_runs order by spider").fetchall()
    assert runs == [("tinh-a", "ok"), ("tinh-b", "ok"), ("tinh-c", "ok")]
    assert conn.execute("select count(*) from node_leases").fetchone()[0] == 0
    # What the nodes' crawls judged travels with the captures: listings, sitemaps, feeds.
    kinds = {k for (k,) in conn.execute("select distinct kind from captures")}
    assert {"robots", "sitemap", "home", "page"} <= kinds
    assert out.count("run ") == 3


#: The tables that make the archive, without the run ids and row ids an ingest assigns.
CANONICAL = {
    "articles": "select url, site, version, record_hash, status, first_seen, last_seen, last_checked, etag "
    "from articles order by url",
    "article_versions": "select url, version, record_hash, captured_at, change_kind from article_versions "
    "order by url, version",
    "captures": "select url, requested_url, final_url, fetched_at, status, kind, sha256, outcome, reason "
    "from captures order by fetched_at, url, status",
    "bodies": "select sha256, size from bodies order by sha256",
    "article_events": "select url, at, event, detail from article_events order by url, at, event",
    "warc_sources": "select warc_file, record_id, target_uri, warc_date from warc_sources order by record_id",
    "url_shapes": "select site, shape, articles, others, leads from url_shapes order by site, shape",
    "crawl_runs": "select spider, status, exit_code, started_at, pages_fetched, articles_new from crawl_runs",
}


def _dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {table: conn.execute(sql).fetchall() for table, sql in CANONICAL.items()}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Iterator[tuple[ReplicaServer, Path]]:
    """A replica portal, still serving, and a node's working copy of one run over it."""
    node_copy = tmp_path_factory.mktemp("node") / "run.db"
    with ReplicaServer(build_site(n_articles=25, seed=3), port=0) as server:
        result = scrapy_crawl(node_copy, server.url)
        assert result.returncode == 0, result.stderr[-2000:]
        yield server, node_copy


def test_a_seed_makes_the_nodes_run_as_incremental_as_the_archive_hosts(crawled, tmp_path):
    server, archive = crawled  # the archive host's archive, for this test
    profile = replace(PROFILES["tuyengiao"], base_url=server.url)
    with store.open_db(archive) as db:
        seed = write_seed(db, profile, tmp_path / "seed.db")
    again = scrapy_crawl(seed, server.url)
    assert again.returncode == 0, again.stderr[-2000:]
    conn = sqlite3.connect(seed)
    assert conn.execute("select count(*) from articles").fetchone()[0] == 25
    assert conn.execute("select count(*) from articles where text is not null").fetchone()[0] == 0  # no text
    run = conn.execute(
        "select articles_new, pages_fetched from crawl_runs order by id desc limit 1"
    ).fetchone()
    first = (
        sqlite3.connect(archive)
        .execute("select pages_fetched from crawl_runs order by id limit 1")
        .fetchone()
    )
    assert run[0] == 0 and run[1] <= first[0] - 25  # nothing new, no known article fetched again


def test_a_writer_killed_mid_ingest_ingests_again_to_the_same_archive(crawled, tmp_path):
    _, node_copy = crawled
    records = write_handoff(node_copy, tmp_path / "handoff" / "job", "token-1", "tuyengiao")

    clean = tmp_path / "clean.db"
    assert vnarchive("ingest", str(records), "--db", str(clean)).returncode == 0
    total = _dump(clean)["captures"]

    killed = tmp_path / "killed.db"
    exe = str(Path(sys.executable).with_name("vnarchive"))
    writer = subprocess.Popen([exe, "ingest", str(records), "--db", str(killed)], cwd=ROOT)
    stored = 0
    while writer.poll() is None and stored < len(total) // 3:
        if killed.exists():
            try:
                with sqlite3.connect(killed, timeout=0.1) as conn:
                    stored = conn.execute("select count(*) from captures").fetchone()[0]
            except sqlite3.Error:
                pass
        time.sleep(0.005)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert 0 < stored < len(total), "the writer was not killed mid-ingest"
    assert len(_dump(killed)["captures"]) < len(total)

    again = vnarchive("ingest", str(records), "--db", str(killed))
    assert again.returncode == 0, again.stderr
    assert _dump(killed) == _dump(clean)
    twice = vnarchive("ingest", str(records), "--db", str(killed))
    assert twice.returncode == 0 and _dump(killed) == _dump(clean)


def test_an_unreachable_node_is_one_line_and_nothing_is_leased(tmp_path, portals):
    db = tmp_path / "archive.db"
    dead = f"http://127.0.0.1:{_free_port()}"
    result = vnarchive("dispatch", "tinh-a", "--node", dead, "--db", str(db))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: node {dead} is unreachable ([Errno 111] Connection refused)"
    ]
    assert sqlite3.connect(db).execute("select count(*) from node_leases").fetchone()[0] == 0


def test_a_lease_is_held_once_until_it_expires_or_is_released(tmp_path):
    db = store.open_db(tmp_path / "archive.db")
    first = leases.acquire(db, "tinh-a", "http://n1", 60, 1)
    assert first is not None
    assert leases.acquire(db, "tinh-a", "http://n2", 60, 2) is None  # held
    assert leases.acquire(db, "tinh-b", "http://n2", 60, 1) is not None  # another portal
    assert leases.release(db, first) and not leases.release(db, first)
    short = leases.acquire(db, "tinh-a", "http://n2", 1, 2)
    time.sleep(1.1)
    assert short.expired()
    taken = leases.acquire(db, "tinh-a", "http://n3", 60, 3)  # an expired lease is given again
    assert taken is not None and not leases.release(db, short)  # the old holder cannot end it
    assert [(lease.site, lease.node) for lease in leases.held(db)] == [
        ("tinh-a", "http://n3"),
        ("tinh-b", "http://n2"),
    ]
