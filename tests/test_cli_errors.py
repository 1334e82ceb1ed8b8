"""Every ``vnarchive`` command given hostile input: one clear line, a non-zero exit, nothing half-written.

Hostile input is: a missing file; a file that is not SQLite; an SQLite file that is not an archive;
an archive written by a newer vnarchive (a schema step this code does not know); an output that
cannot be written; nonsense arguments. The tests run as root, where ``chmod`` blocks nothing, so
unwritable outputs are the ones that fail for root too: a path under a regular file, a path in
/proc, a name longer than the filesystem allows, and a file-size limit (RLIMIT_FSIZE) that makes
writes fail the way a full disk does.

"One clear line" is ``Error: ...`` and nothing else (no traceback, no "Serving..." first), exit 1;
click's own usage errors (exit 2: ``Usage:`` / ``Try ...`` / ``Error: ...``) are accepted for
arguments click itself rejects. "Nothing half-written" is checked on the whole working directory:
no file or directory appears or changes, except SQLite's own ``-wal``/``-shm`` beside a database
and the crawl lock file ``DB.lock`` (archive/lock.py keeps it by design).

Cases the export tests already cover (missing, junk and foreign databases for export, snapshot and
serve; --out under a file; a non-empty --out) are not repeated here. Most cases run in process with
CliRunner; those needing a process of their own (a server, a crawl, a resource limit, a real
stdout) run the installed ``vnarchive``.
"""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from archive.cli import cli
from tests.archive_fixtures import build_archive, free_port, stop, url

VNARCHIVE = Path(sys.executable).with_name("vnarchive")
if not VNARCHIVE.exists():  # pragma: no cover - a python outside the virtualenv
    VNARCHIVE = Path(shutil.which("vnarchive") or "vnarchive")

ARTICLE = url("van-hoa")  # an article of the fixture archive, with two versions
LONG_NAME = "x" * 300  # longer than NAME_MAX (255) on every Linux filesystem
SIDE_FILES = ("-wal", "-shm", ".lock")  # SQLite's own files and the crawl lock, beside a database


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> Path:
    """The hostile files, built once: good.db, newer.db, junk.db, other.db, file.txt, snap/."""
    d = tmp_path_factory.mktemp("hostile")
    build_archive(d / "good.db")
    shutil.copy(d / "good.db", d / "newer.db")
    with sqlite3.connect(d / "newer.db") as conn:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) "
            "values ('vnarchive', 'm999_from_a_newer_vnarchive', '2030-01-01T00:00:00')"
        )
    conn.close()
    (d / "junk.db").write_bytes(b"this is not an SQLite database\n" * 64)
    conn = sqlite3.connect(d / "other.db")  # somebody else's SQLite database
    conn.execute("create table notes (id integer primary key, body text)")
    conn.execute("insert into notes (body) values ('not an archive')")
    conn.commit()
    conn.close()
    (d / "file.txt").write_text("a regular file, so nothing can be created under it\n")
    (d / "page.html").write_text(
        "<html><head><title>Bài viết</title></head><body><p>Nội dung.</p></body></html>"
    )
    return d


@pytest.fixture
def work(originals, tmp_path, monkeypatch) -> Path:
    """A private copy of the hostile files, and the current directory for relative paths."""
    d = tmp_path / "w"
    shutil.copytree(originals, d)
    monkeypatch.chdir(d)
    return d


def state(root: Path) -> dict[str, str]:
    """Every path under root with the sha256 of its content ("dir" for a directory)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        out[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def assert_nothing_written(before: dict[str, str], root: Path) -> None:
    after = state(root)
    appeared = [p for p in after if p not in before and not p.endswith(SIDE_FILES)]
    changed = [p for p in before if p in after and after[p] != before[p] and not p.endswith(SIDE_FILES)]
    vanished = [p for p in before if p not in after]
    assert (appeared, changed, vanished) == ([], [], []), "half-written or modified files"


def assert_one_error_line(output: str, exit_code: int, message: str = "") -> None:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    if exit_code == 2 and lines and lines[0].startswith("Usage: "):
        assert_usage_error(output, exit_code, message)  # click's own form for a bad argument
        return
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert message in lines[0], output
    assert exit_code == 1, (exit_code, output)


def assert_usage_error(output: str, exit_code: int, message: str) -> None:
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and message in errors[0], output
    assert output.splitlines()[0].startswith("Usage: vnarchive"), output
    assert exit_code == 2, (exit_code, output)


def invoke(*args) -> tuple[str, int]:
    """``vnarchive ARGS`` in process; an uncaught exception is reported as a traceback."""
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="vnarchive")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        return "".join(traceback.format_exception(*result.exc_info)), 1
    return result.output, result.exit_code


def run(*args, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    """The installed ``vnarchive ARGS`` as a process of its own."""
    return subprocess.run(
        [str(VNARCHIVE), *map(str, args)], capture_output=True, text=True, timeout=timeout, **kwargs
    )


# -- one clear line, in process -------------------------------------------------------------------

CASES = [
    # a missing file
    pytest.param(
        ["extract", "missing.html", "--url", ARTICLE], "cannot read missing.html", id="extract-missing"
    ),
    pytest.param(["reextract", "--db", "missing.db"], "no archive at missing.db", id="reextract-missing"),
    pytest.param(["diff", ARTICLE, "--db", "missing.db"], "no archive at missing.db", id="diff-missing"),
    # not SQLite
    pytest.param(
        ["crawl", "--db", "junk.db", "--fast"], "junk.db is not an archive database", id="crawl-junk"
    ),
    pytest.param(["reextract", "--db", "junk.db"], "junk.db is not an archive database", id="reextract-junk"),
    pytest.param(["diff", ARTICLE, "--db", "junk.db"], "junk.db is not an archive database", id="diff-junk"),
    pytest.param(
        ["demo", "--no-serve", "--db", "junk.db", "--port", "{port}", "--articles", "3"],
        "junk.db is not an archive database",
        id="demo-junk",
    ),
    # SQLite, but not an archive
    pytest.param(["reextract", "--db", "other.db"], "other.db", id="reextract-foreign"),
    pytest.param(["diff", ARTICLE, "--db", "other.db"], "other.db", id="diff-foreign"),
    # an archive from a newer vnarchive
    pytest.param(["crawl", "--db", "newer.db", "--fast"], "written by a newer vnarchive", id="crawl-newer"),
    pytest.param(["reextract", "--db", "newer.db"], "written by a newer vnarchive", id="reextract-newer"),
    pytest.param(["diff", ARTICLE, "--db", "newer.db"], "written by a newer vnarchive", id="diff-newer"),
    pytest.param(
        ["demo", "--no-serve", "--db", "newer.db", "--port", "{port}", "--articles", "3"],
        "written by a newer vnarchive",
        id="demo-newer",
    ),
    pytest.param(
        ["export", "--db", "newer.db", "--out", "out"],
        "newer vnarchive",
        id="export-newer",
    ),
    pytest.param(
        ["snapshot", "--db", "newer.db", "--out", "snaps"],
        "newer vnarchive",
        id="snapshot-newer",
    ),
    # an output that cannot be written, even by root
    pytest.param(
        ["crawl", "--db", "file.txt/sub/a.db", "--fast"],
        "file.txt",
        id="crawl-db-under-file",
    ),
    pytest.param(
        ["demo", "--no-serve", "--db", "file.txt/sub/a.db", "--port", "{port}", "--articles", "3"],
        "file.txt",
        id="demo-db-under-file",
    ),
    pytest.param(
        ["export", "--db", "good.db", "--out", "/proc/vnarchive-no-such-dir/out"],
        "cannot write to",
        id="export-proc",
    ),
    pytest.param(
        ["snapshot", "--db", "good.db", "--out", "/proc/vnarchive-no-such-dir"],
        "cannot write to",
        id="snapshot-proc",
    ),
    pytest.param(
        ["export", "--db", "good.db", "--out", LONG_NAME],
        "too long",
        id="export-name-too-long",
    ),
    pytest.param(
        ["snapshot", "--db", "good.db", "--out", LONG_NAME],
        "too long",
        id="snapshot-name-too-long",
    ),
    # nonsense arguments
    pytest.param(
        ["extract", "page.html", "--url", "http://[::1/bai-viet"],
        "URL",
        id="extract-bad-url",
    ),
    pytest.param(["diff", "http://[::1/bai-viet", "--db", "good.db"], "URL", id="diff-bad-url"),
    pytest.param(
        ["diff", ARTICLE, "--db", "good.db", "--from", "7"], "has no version 7", id="diff-no-such-version"
    ),
    pytest.param(["diff", url("nowhere"), "--db", "good.db"], "no article", id="diff-no-such-article"),
    pytest.param(
        ["demo", "--no-serve", "--db", "d.db", "--port", "99999", "--articles", "3"],
        "99999",
        id="demo-port-out-of-range",
    ),
    pytest.param(
        ["serve", "--db", "good.db", "--port", "99999"],
        "99999",
        id="serve-port-out-of-range",
    ),
    # verify: a manifest that is valid JSON but not a manifest
    pytest.param(
        ["verify", "bad-manifest-database"],
        "manifest.json",
        id="verify-database-not-object",
    ),
    pytest.param(
        ["verify", "bad-manifest-entry"],
        "manifest.json",
        id="verify-entry-not-object",
    ),
]


@pytest.mark.parametrize(("args", "message"), CASES)
def test_bad_input_is_one_clear_line(work, args, message):
    (work / "bad-manifest-database").mkdir()
    (work / "bad-manifest-database" / "manifest.json").write_text('{"files": {}, "database": "archive.db"}')
    (work / "bad-manifest-entry").mkdir()
    (work / "bad-manifest-entry" / "manifest.json").write_text('{"files": {"a.csv": "sha256"}}')
    (work / "bad-manifest-entry" / "a.csv").write_text("a\n")
    args = [a.replace("{port}", str(free_port())) for a in args]
    before = state(work)
    output, code = invoke(*args)
    assert_one_error_line(output, code, message)
    assert_nothing_written(before, work)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-command"], "No such command"),
        (["export", "--db", "good.db"], "Missing option '--out'"),
        (["diff", ARTICLE, "--db", "good.db", "--from", "abc"], "'abc' is not a valid integer"),
        (["crawl", "--db", "a.db", "-s", "NO_EQUALS_SIGN"], "expected NAME=VALUE"),
        (["extract", ".", "--url", ARTICLE], "is a directory"),
        (["reextract", "--db", "."], "is a directory"),
        (["crawl", "--db", "."], "is a directory"),
        (["serve", "--db", "good.db", "--port", "eighty"], "not a valid integer"),
    ],
)
def test_arguments_click_rejects_are_a_usage_error(work, args, message):
    before = state(work)
    output, code = invoke(*args)
    assert_usage_error(output, code, message)
    assert_nothing_written(before, work)


# -- verify: a manifest cannot vouch for files outside its directory ----------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../elsewhere/articles.csv", id="parent-dir"),
        pytest.param("{elsewhere}/articles.csv", id="absolute"),
        pytest.param("link.csv", id="symlink-out"),
    ],
)
def test_verify_rejects_files_outside_the_directory(work, name):
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    data = b"url,title\r\nhttp://a/b,T\r\n"
    (elsewhere / "articles.csv").write_bytes(data)
    snap = work / "snap"
    snap.mkdir()
    name = name.replace("{elsewhere}", str(elsewhere))
    if name == "link.csv":
        (snap / "link.csv").symlink_to(elsewhere / "articles.csv")
    entry = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "rows": 1}
    (snap / "manifest.json").write_text(json.dumps({"files": {name: entry}}))
    output, code = invoke("verify", snap)
    assert code == 1 and "Traceback" not in output, output
    assert output.startswith("Error: ") and name in output.splitlines()[0], output


# -- the installed command, as processes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reextract", "--db", "missing.db"], "no archive at missing.db"),
        (["diff", ARTICLE, "--db", "junk.db"], "junk.db is not an archive database"),
        (["crawl", "--db", "newer.db", "--fast", "--quiet"], "written by a newer vnarchive"),
        (["export", "--db", "junk.db", "--out", "out"], "is not an SQLite database"),
        (["serve", "--db", "missing.db"], "no database at missing.db"),
        (["verify", "no-such-dir"], "not a directory"),
    ],
)
def test_installed_command_prints_one_line_on_stderr(work, args, message):
    before = state(work)
    proc = run(*args, cwd=work)
    assert proc.stdout == ""
    assert_one_error_line(proc.stderr, proc.returncode, message)
    assert_nothing_written(before, work)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(
            [
                "crawl",
                "no-such-site",
                "--db",
                "new.db",
                "--base-url",
                "http://127.0.0.1:9",
                "--fast",
                "--quiet",
            ],
            id="crawl-unknown-site",
        ),
        pytest.param(
            ["crawl", "--db", "new.db", "--base-url", "not-a-url", "--fast", "--quiet"],
            id="crawl-base-url-no-scheme",
        ),
        pytest.param(
            ["crawl", "--db", "new.db", "--base-url", "http://[::1", "--fast", "--quiet"],
            id="crawl-base-url-unparsable",
        ),
    ],
)
def test_crawl_refuses_nonsense_before_starting(work, args):
    before = state(work)
    proc = run(*args, cwd=work, timeout=120)
    assert_one_error_line(proc.stderr, proc.returncode)
    assert proc.stdout == ""
    assert_nothing_written(before, work)


def serve_outcome(args: list[str], cwd: Path, port: int, timeout: float = 30) -> tuple[str, int | None]:
    """Run ``vnarchive serve ARGS``: (stderr, exit code) if it exits, ("", None) if it serves."""
    proc = subprocess.Popen(
        [str(VNARCHIVE), "serve", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=0.5).raise_for_status()
                return "", None  # it is serving
            except httpx.HTTPError:
                time.sleep(0.1)
        if proc.poll() is None:
            return "", None
        return proc.stderr.read(), proc.returncode
    finally:
        stop(proc)
        proc.stderr.close()


def test_serve_refuses_an_archive_from_a_newer_vnarchive(work):
    port = free_port()
    stderr, code = serve_outcome(["--db", "newer.db", "--port", str(port)], work, port)
    assert code is not None, "it served the newer archive"
    assert_one_error_line(stderr, code, "newer vnarchive")


def test_serve_on_a_port_in_use_is_one_line(work):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        stderr, code = serve_outcome(["--db", "good.db", "--port", str(port)], work, port=free_port())
    assert_one_error_line(stderr, code, str(port))


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize(
    ("command", "message"),
    [
        pytest.param(
            "export",
            "out",
            id="export",
        ),
        pytest.param(
            "snapshot",
            "cannot copy",
            id="snapshot",
        ),
    ],
)
def test_disk_full_leaves_nothing_behind(work, command, message):
    """A file-size limit below the size of articles.csv and of the database copy: writes fail."""
    conn = sqlite3.connect(work / "good.db")  # rollback journal: no -shm to grow past the limit
    conn.execute("pragma journal_mode=delete")
    conn.close()
    before = state(work)
    proc = run(command, "--db", "good.db", "--out", "out", cwd=work, preexec_fn=_file_size_limit(4096))
    assert_one_error_line(proc.stderr, proc.returncode, message)
    assert_nothing_written(before, work)


def test_extract_to_a_full_stdout_is_one_line(work):
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(VNARCHIVE), "extract", "page.html", "--url", ARTICLE],
            cwd=work,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert_one_error_line(proc.stderr, proc.returncode)


def test_demo_refuses_a_negative_article_count(work):
    output, code = invoke("demo", "--no-serve", "--db", "d.db", "--port", free_port(), "--articles", "-1")
    assert_usage_error(output, code, "--articles")
