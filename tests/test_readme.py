"""The README's commands and printed outputs, checked against what the commands really print.

The demo's output block and the ``vnarchive diff`` example are run against the replica on
127.0.0.1 and compared line by line, times and ports aside; every ``vnarchive`` subcommand the
README shows must exist. A README that drifts from the code fails here.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import pytest

from archive.cli import cli
from tests.archive_fixtures import free_port

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00")
_PORT = re.compile(r"127\.0\.0\.1:\d+")


def normalise(text: str) -> list[str]:
    return [_PORT.sub("127.0.0.1:PORT", _TIME.sub("TIME", line)) for line in text.strip().splitlines()]


def block_after(marker: str) -> str:
    """The fenced block that starts with ``marker`` (its first line)."""
    start = README.index("```\n" + marker) + 4
    return README[start : README.index("```", start)]


def vnarchive(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from archive.cli import cli; cli(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    db = tmp_path_factory.mktemp("readme") / "archive.db"
    result = vnarchive("demo", "--no-serve", "--port", str(free_port()), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db, result


_FETCHED = re.compile(r"^  pages fetched: (\d+)$")
#: How far a run's "pages fetched" may be from the README's: the crawl probes a few links of URL
#: shapes it has not proven, within a share of its requests, and which it meets while that share
#: lasts depends on the order the responses arrive (one page more or less, run to run).
FETCHED_SLACK = 2


def _fetched_apart(lines: list[str]) -> tuple[list[str], list[int]]:
    """The lines with each "pages fetched" count replaced by N, and the counts."""
    counts = [int(m.group(1)) for line in lines if (m := _FETCHED.match(line))]
    return [_FETCHED.sub("  pages fetched: N", line) for line in lines], counts


@pytest.mark.slow
def test_demo_output_is_the_readmes(demo):
    _, result = demo
    documented = normalise(block_after("Replica portal:"))
    assert documented[-1].startswith("Datasette: ")  # printed when it goes on to serve
    printed, printed_counts = _fetched_apart(normalise(result.stdout))
    expected, documented_counts = _fetched_apart(documented[:-1])
    assert printed == expected
    assert len(printed_counts) == len(documented_counts) == 2
    for got, shown in zip(printed_counts, documented_counts, strict=True):
        assert abs(got - shown) <= FETCHED_SLACK, (printed_counts, documented_counts)


@pytest.mark.slow
def test_diff_example_is_what_diff_prints(demo):
    db, _ = demo
    documented = block_after("$ vnarchive diff").splitlines()
    command = documented[0].removeprefix("$ ").split()
    url = command[2].replace("127.0.0.1:8765", "127.0.0.1:PORT")
    port = re.search(r"127\.0\.0\.1:(\d+)", demo[1].stdout).group(1)
    result = vnarchive("diff", url.replace("PORT", port), "--db", str(db))
    assert result.returncode == 0, result.stderr
    printed = normalise(result.stdout)
    for expected, actual in zip(normalise("\n".join(documented[1:])), printed, strict=False):
        if expected.endswith(" …"):  # the README shortens a long paragraph
            assert actual.startswith(expected.removesuffix(" …"))
        else:
            assert actual == expected
    assert len(printed) == len(documented) - 1


@pytest.mark.slow
def test_one_version_diff_says_so_and_exits_0(demo):
    db, result = demo
    port = re.search(r"127\.0\.0\.1:(\d+)", result.stdout).group(1)
    (url,) = sqlite3.connect(db).execute("select url from articles where version = 1 limit 1").fetchone()
    diff = vnarchive("diff", url, "--db", str(db))
    assert diff.returncode == 0 and "has one version" in diff.stdout and port in url


def test_every_vnarchive_command_in_the_readme_exists():
    shown = set(re.findall(r"(?:^|\$ |\.venv/bin/)vnarchive ([a-z]+)", README, flags=re.M))
    assert shown, "no command found: the pattern is broken"
    assert shown <= set(cli.commands), shown - set(cli.commands)


def test_extract_example_is_what_extract_prints(tmp_path):
    """The Extraction section's record: every field the extractor gives, in its order, and each value
    the README prints whole (the extractor's version included) as the replica's seed article gives it."""
    from replica import ReplicaServer, build_site

    block = block_after("$ vnarchive extract").splitlines()
    command = block[0].removeprefix("$ ").split()
    url = command[command.index("--url") + 1]
    path = url.removeprefix("https://tuyengiao.vn")
    with ReplicaServer(build_site(), port=0) as server:
        (tmp_path / "seed.html").write_bytes(urlopen(server.url + path).read())  # noqa: S310 - 127.0.0.1
    result = vnarchive("extract", str(tmp_path / "seed.html"), "--url", url)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    shown = [re.match(r'\s+"(\w+)": (.*?),?$', line) for line in block[2:-1]]
    assert [m.group(1) for m in shown] == list(record)
    for m in shown:
        if "…" not in m.group(2):
            assert json.loads(m.group(2)) == record[m.group(1)], m.group(1)
