"""Package the archive's WARC files as one WACZ 1.2 file (read-only on the archive).

A WACZ is what ReplayWeb.page, Browsertrix and pywb open as a single file: the WARCs, a CDXJ
index of every record (so a reader seeks straight to a capture), the list of pages worth
opening, and ``datapackage.json`` with the sha256 of every file, which makes the package
checkable and citable as a whole. Made from a snapshot, it names the snapshot and its
manifest's sha256, so a citation of either leads to the other.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer

from archive import warc

WACZ_VERSION = "1.1.1"  # the datapackage's "wacz_version" field of WACZ 1.2 packages (py-wacz too)
INDEX = "indexes/index.cdxj"
PAGES = "pages/pages.jsonl"


def cdxj_lines(warc_files: list[Path]) -> list[str]:
    """The CDXJ index of ``warc_files`` (cdxj-indexer, as py-wacz builds it), sorted by SURT key and time."""
    out = io.StringIO()
    CDXJIndexer(out, [str(p) for p in warc_files]).process_all()
    lines = [line for line in out.getvalue().splitlines() if line and not line.startswith("!")]
    return sorted(lines)


def pages(db_path: Path) -> list[dict[str, Any]]:
    """One page per article capture that carried the article's record: URL, capture time, title."""
    conn = warc.open_archive(db_path)
    try:
        rows = conn.execute(
            """
            select c.id, coalesce(c.final_url, c.url) as url, c.fetched_at, v.title
            from captures c join article_versions v on v.capture_id = c.id
            where c.status = 200 and c.sha256 is not null
            group by c.id order by c.id
            """
        ).fetchall()
    finally:
        conn.close()
    return [
        {
            "id": f"capture-{r['id']}",
            "url": r["url"],
            "ts": warc.warc_date(r["fetched_at"]),
            "title": r["title"],
        }
        for r in rows
    ]


def _snapshot(db_path: Path) -> dict[str, str] | None:
    """The snapshot ``db_path`` belongs to (its id and manifest sha256), if it is one's database."""
    manifest = db_path.parent / "manifest.json"
    if not manifest.is_file():
        return None
    return {"id": db_path.parent.name, "manifest_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_wacz(db_path: str | Path, out_path: str | Path, *, title: str | None = None) -> Path:
    """Write every capture of the archive at ``db_path`` as one WACZ at ``out_path``.

    The WARCs are written to a temporary directory, then stored (not compressed again: they
    are gzip already, and readers seek into them by offset) under ``archive/``.
    """
    db = Path(db_path)
    out = Path(out_path)
    snapshot = _snapshot(db)
    with tempfile.TemporaryDirectory(prefix="vnarchive-wacz-") as tmp:
        summary = warc.export_warc(db, tmp, prefix="data")
        files = {f"archive/{p.name}": p for p in summary.files}
        extra = Path(tmp) / "extra"
        extra.mkdir()
        (extra / "index.cdxj").write_text("".join(f"{line}\n" for line in cdxj_lines(summary.files)))
        page_list = pages(db)
        header = {"format": "json-pages-1.0", "id": "pages", "title": "Article captures"}
        (extra / "pages.jsonl").write_text(
            "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in [header, *page_list])
        )
        files[INDEX] = extra / "index.cdxj"
        files[PAGES] = extra / "pages.jsonl"
        package: dict[str, Any] = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title or (f"vnarchive snapshot {snapshot['id']}" if snapshot else "vnarchive archive"),
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "software": f"vnarchive {version('vnarchive')}, warcio {version('warcio')}",
            "resources": [
                {
                    "name": Path(name).name,
                    "path": name,
                    "hash": f"sha256:{_sha256(path)}",
                    "bytes": path.stat().st_size,
                }
                for name, path in files.items()
            ],
        }
        if page_list:
            package["mainPageUrl"], package["mainPageDate"] = page_list[0]["url"], page_list[0]["ts"]
        if snapshot:
            package["vnarchive_snapshot"] = snapshot
        data = json.dumps(package, ensure_ascii=False, indent=2).encode()
        digest = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(out.name + ".open")
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as zf:
                for name, path in files.items():
                    zf.write(path, name)
                zf.writestr("datapackage.json", data)
                zf.writestr("datapackage-digest.json", json.dumps(digest))
            os.replace(partial, out)
        except OSError as exc:
            raise warc.WarcError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return out


def read_package(path: str | Path) -> dict[str, Any]:
    """A WACZ's ``datapackage.json``, after checking every listed file against its sha256."""
    try:
        with zipfile.ZipFile(path) as zf:
            package = json.loads(zf.read("datapackage.json"))
            for resource in package["resources"]:
                algo, _, expected = resource["hash"].partition(":")
                if hashlib.new(algo, zf.read(resource["path"])).hexdigest() != expected:
                    raise warc.WarcError(f"{path}: {resource['path']} does not match its {algo}")
    except (zipfile.BadZipFile, KeyError, ValueError, sqlite3.Error) as exc:
        raise warc.WarcError(f"{path} is not a WACZ package ({exc})") from exc
    return package
