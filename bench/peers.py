"""Peers on the same replica: news-please and trafilatura's sitemap mode and crawler vs vnarchive.

What it measures, on one replica portal (``python -m replica``, 1,000 articles by default):

- **vnarchive**: ``vnarchive crawl tuyengiao --fast`` into a fresh archive (the reference);
- **news-please** (Scrapy-based crawler + newspaper4k/readability extraction): its per-site
  crawler process (``newsplease/single_crawler.py``, what the ``news-please`` command starts for
  each site, without the command's 10 s polling loop) with ``SitemapCrawler``, the replica's
  sitemaps, the same concurrency as our fast settings (32 requests, 16 per domain, no delay),
  its default pipelines (extraction, HTML and JSON files);
- **trafilatura --sitemap**: ``trafilatura --sitemap URL --list`` (its sitemap discovery), then
  ``trafilatura -i LIST --json --with-metadata -o DIR`` (its download queue and extraction),
  timed together, with a settings file that sets ``SLEEP_TIME = 0`` (default 5 s between
  requests to a host) and ``SSRF_PROTECTION = off`` (default: refuses loopback addresses). The
  one-step ``--sitemap URL -o DIR`` never ends with trafilatura 2.3.1 + courlan 1.4.0 (see
  ``run_trafilatura_sitemap``). trafilatura fetches one URL per host at a time by design, so
  this is a sequential crawl; and courlan rejects an IP host with a port, hence port 80;
- **trafilatura crawler**: ``trafilatura.spider.focused_crawler`` from the home page, bounded by
  the site's page count; it only discovers URLs (it extracts nothing), so only its pages/s and
  how many article URLs it found are reported.

Each peer is installed into its own throwaway virtualenv under bench/results/envs/ (created on
first use; ``--reinstall`` recreates them). Reported per system: articles extracted, wall time,
articles/s, CPU (user+sys of its process tree), peak RSS; and, on the articles both it and
vnarchive got (matched by URL path), the title exact-match rate (after NFC and whitespace
squeezing) and the body token F1 (``\\w+`` tokens, lowercased, multiset overlap; our body is
``lead + text``, since the peers keep the sapo in the body), plus the same two scores against
the replica's own truth (the model that generated the pages).

news-please refuses pages served on a non-default port (the port ends up in Scrapy's
``allowed_domains``) and courlan (trafilatura's URL filter) rejects ``127.0.0.1:PORT``, so the
replica is served on 127.0.0.1:80 (root) for every system; with
``--port N`` (N != 80) news-please's ``UrlExtractor.get_allowed_domain`` is patched to drop the
port, via a ``sitecustomize.py`` in its throwaway venv. news-please's default article heuristic
needs ``og:type``, which the replica (like the real portal) does not have: the site entry uses
``crawler_contains_only_article_alikes``, its heuristic for sitemap crawls.

Usage::

    .venv/bin/python bench/peers.py [--articles 1000] [--only vnarchive newsplease ...]

About 5 minutes for 1,000 articles (plus the first installs). Loopback only. Each system has a
time limit (0.5 s per article + 180 s). Writes bench/results/peers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path
from statistics import mean
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proc import ROOT, Replica, SystemCPU, TreeSampler, kill_group, machine  # noqa: E402

sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
ENVS = RESULTS / "envs"
VNARCHIVE = str(ROOT / ".venv" / "bin" / "vnarchive")
NEWSPLEASE_VERSION = "1.6.16"
SYSTEMS = ("vnarchive", "newsplease", "trafilatura-sitemap", "trafilatura-crawler")
_TOKEN = re.compile(r"\w+")


# -- throwaway environments --------------------------------------------------------------------


def trafilatura_version() -> str:
    import trafilatura

    return trafilatura.__version__


#: The same trafilatura as ours; lxml_html_clean is needed by its jusText fallback (lxml >= 5.2).
TRAFILATURA_REQUIREMENTS = [f"trafilatura=={trafilatura_version()}", "lxml_html_clean"]


def ensure_env(name: str, requirements: list[str], reinstall: bool) -> Path:
    """A venv under bench/results/envs/NAME with ``requirements`` installed; its python."""
    env = ENVS / name
    stamp = env / ".bench-installed"
    wanted = "\n".join(requirements)
    if reinstall and env.exists():
        shutil.rmtree(env)
    if stamp.exists() and stamp.read_text() == wanted:
        return env / "bin" / "python"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--clear", str(env)], check=True)
    print(f"  installing {' '.join(requirements)} into {env} ...", flush=True)
    subprocess.run(
        [str(env / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *requirements],
        check=True,
        timeout=1800,
    )
    stamp.write_text(wanted)
    return env / "bin" / "python"


def site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


# -- running a system ------------------------------------------------------------------------


def classify(cmd: str) -> str:
    if "multiprocessing" in cmd:
        return "worker"
    for word in ("scrapy", "single_crawler", "trafilatura", "vnarchive"):
        if word in cmd:
            return word
    return "other"


def run_measured(cmd: list[str], timeout: float, env: dict | None = None, cwd: Path = ROOT) -> dict:
    """Run a command to the end; wall time, CPU of its tree, peak RSS, output tails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    system = SystemCPU()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    sampler = TreeSampler(proc.pid, classify)
    sampler.start()
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(proc)
        out, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 1),
        "others_cores_busy": round(max(0.0, system.busy_since_start() - cpu) / wall, 2),
        "peak_tree_rss_mb": round(sampler.peak_tree_rss_kb / 1024, 1),
        "exit_code": proc.returncode,
        "timed_out": timed_out,
        "stdout_tail": (out or "")[-1500:],
        "stdout_tail_full": out or "",
        "stderr_tail": (err or "")[-1500:],
    }


def run_vnarchive(url: str, work: Path, timeout: float) -> tuple[dict, dict[str, dict]]:
    db = work / "vnarchive.db"
    cmd = [VNARCHIVE, "crawl", "tuyengiao", "--base-url", url, "--db", str(db), "--fast", "--quiet"]
    cmd += ["-s", "PROGRESS=never"]
    m = run_measured(cmd, timeout, env={**os.environ, "SCRAPY_LOG_LEVEL": "WARNING"})
    m.pop("stdout_tail_full")
    conn = sqlite3.connect(db)
    rows = conn.execute("select url, title, lead, text from articles").fetchall()
    pages = conn.execute("select count(*) from captures").fetchone()[0]
    conn.close()
    m["pages"] = pages
    records = {
        urlsplit(u).path: {"title": t, "body": "\n".join(x for x in (lead, text) if x)}
        for u, t, lead, text in rows
    }
    return m, records


NEWSPLEASE_PATCH = '''
"""bench/peers.py: let news-please crawl a site served on a non-default port (drop it from allowed_domains)."""
try:
    import re as _re

    from newsplease.helper_classes import url_extractor as _ue

    _orig = _ue.UrlExtractor.get_allowed_domain

    def _no_port(url, allow_subdomains=True):
        return _re.sub(r":\\d+$", "", _orig(url, allow_subdomains))

    _ue.UrlExtractor.get_allowed_domain = staticmethod(_no_port)
except Exception:  # noqa: BLE001
    pass
'''


def newsplease_config(cfg_dir: Path, data_dir: Path, url: str, package_dir: Path) -> None:
    """config.cfg (defaults, with our fast settings and file storage here) and sitelist.hjson."""
    text = (package_dir / "config" / "config.cfg").read_text(encoding="utf-8")
    replacements = {
        r"(?m)^working_path = .*$": f"working_path = {data_dir}/",
        r"(?m)^CONCURRENT_REQUESTS=.*$": "CONCURRENT_REQUESTS=32",
        r"(?m)^CONCURRENT_REQUESTS_PER_DOMAIN=.*$": "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        r"(?m)^LOG_LEVEL = .*$": "LOG_LEVEL = WARNING",
        r"(?m)^check_certificate = .*$": "check_certificate = False",
    }
    for pattern, value in replacements.items():
        text, n = re.subn(pattern, value.replace("\\", "\\\\"), text, count=1)
        if not n:
            raise RuntimeError(f"news-please config.cfg has no line matching {pattern}")
    text = text.replace(
        "[Scrapy]\n", "[Scrapy]\nDOWNLOAD_DELAY=0\nAUTOTHROTTLE_ENABLED=False\nRETRY_TIMES=1\n", 1
    )
    cfg_dir.mkdir(parents=True, exist_ok=True)
    (cfg_dir / "config.cfg").write_text(text, encoding="utf-8")
    site = {
        "base_urls": [
            {
                "url": url + "/",
                "crawler": "SitemapCrawler",
                "overwrite_heuristics": {
                    "og_type": False,
                    "linked_headlines": False,
                    "self_linked_headlines": False,
                    "crawler_contains_only_article_alikes": True,
                },
                "pass_heuristics_condition": "crawler_contains_only_article_alikes",
            }
        ]
    }
    (cfg_dir / "sitelist.hjson").write_text(json.dumps(site, indent=2), encoding="utf-8")


def run_newsplease(url: str, port: int, work: Path, timeout: float, reinstall: bool) -> tuple[dict, dict]:
    python = ensure_env("newsplease", [f"news-please=={NEWSPLEASE_VERSION}"], reinstall)
    packages = site_packages(python)
    patch = packages / "sitecustomize.py"
    if port != 80:
        patch.write_text(NEWSPLEASE_PATCH, encoding="utf-8")
    elif patch.exists():
        patch.unlink()
    package_dir = packages / "newsplease"
    cfg_dir, data_dir = work / "newsplease-config", work / "newsplease-data"
    newsplease_config(cfg_dir, data_dir, url, package_dir)
    cmd = [
        str(python),
        str(package_dir / "single_crawler.py"),
        str(cfg_dir / "config.cfg"),
        str(cfg_dir / "sitelist.hjson"),
        "0",
        "False",
        "False",
    ]
    env = {**os.environ, "CColon": str(package_dir), "PYTHONNOUSERSITE": "1"}
    m = run_measured(cmd, timeout, env=env, cwd=work)
    m.pop("stdout_tail_full")
    records = {}
    for path in data_dir.rglob("*.json"):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and doc.get("url"):
            records[urlsplit(doc["url"]).path] = {
                "title": doc.get("title"),
                "body": doc.get("maintext") or "",
            }
    m["patched_allowed_domains"] = port != 80
    return m, records


TRAFILATURA_CFG = """[DEFAULT]
DOWNLOAD_TIMEOUT = 30
MAX_FILE_SIZE = 20000000
MIN_FILE_SIZE = 10
SLEEP_TIME = 0
USER_AGENTS =
COOKIE =
MAX_REDIRECTS = 2
SSRF_PROTECTION = off
INSECURE_SSL_FALLBACK = on
MIN_EXTRACTED_SIZE = 250
MIN_OUTPUT_SIZE = 1
MIN_OUTPUT_COMM_SIZE = 1
MAX_TREE_SIZE =
EXTRACTION_TIMEOUT = 0
MIN_DUPLCHECK_SIZE = 100
MAX_REPETITIONS = 2
EXTENSIVE_DATE_SEARCH = on
EXTERNAL_URLS = off
"""


def run_trafilatura_sitemap(url: str, work: Path, timeout: float, reinstall: bool) -> tuple[dict, dict]:
    """``--sitemap URL --list`` (discovery), then ``-i LIST`` (download + extraction), timed together.

    ``trafilatura --sitemap URL -o DIR`` in one step never finishes: with trafilatura 2.3.1 and
    courlan 1.4.0, the compressed UrlStore it uses for sitemap runs does not keep the "visited"
    mark (``UrlStore.get_url`` marks a decompressed copy), so it downloads the first URL
    forever. The two-step form uses an uncompressed store and is trafilatura's documented
    alternative (list the URLs, then process the list).
    """
    python = ensure_env("trafilatura", TRAFILATURA_REQUIREMENTS, reinstall)
    cfg = work / "trafilatura.cfg"
    cfg.write_text(TRAFILATURA_CFG, encoding="utf-8")
    out_dir, url_list = work / "trafilatura-out", work / "urls.txt"
    exe = str(python.with_name("trafilatura"))
    started = time.perf_counter()
    listing = run_measured([exe, "--sitemap", url + "/", "--list", "--config-file", str(cfg)], timeout)
    urls = [u for u in listing.pop("stdout_tail_full", "").split() if u.startswith("http")]
    url_list.write_text("\n".join(urls) + "\n", encoding="utf-8")
    remaining = max(10.0, timeout - (time.perf_counter() - started))
    cmd = [exe, "-i", str(url_list), "--json", "--with-metadata", "-o", str(out_dir)]
    cmd += ["--config-file", str(cfg), "--parallel", "16"]
    m = run_measured(cmd, remaining)
    m.pop("stdout_tail_full")
    m["urls_listed"] = len(urls)
    m["list_step"] = {k: listing[k] for k in ("wall_s", "cpu_s", "exit_code", "timed_out")}
    m["wall_s"] = round(m["wall_s"] + listing["wall_s"], 2)
    m["cpu_s"] = round(m["cpu_s"] + listing["cpu_s"], 1)
    m["peak_tree_rss_mb"] = max(m["peak_tree_rss_mb"], listing["peak_tree_rss_mb"])
    m["timed_out"] = m["timed_out"] or listing["timed_out"]
    records = {}
    for path in out_dir.rglob("*.json") if out_dir.exists() else ():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        source = doc.get("source") or doc.get("url")
        if source:
            records[urlsplit(source).path] = {"title": doc.get("title"), "body": doc.get("text") or ""}
    return m, records


CRAWLER_SCRIPT = """
import json, sys, time
from pathlib import Path
from trafilatura.settings import use_config
from trafilatura.spider import focused_crawler
cfg = use_config(sys.argv[2])
t = time.perf_counter()
to_visit, known = focused_crawler(sys.argv[1], max_seen_urls=int(sys.argv[3]), max_known_urls=int(sys.argv[4]), config=cfg)
Path(sys.argv[5]).write_text(json.dumps({"seconds": time.perf_counter() - t, "to_visit": len(to_visit), "known": sorted(known)}))
"""


def run_trafilatura_crawler(url: str, work: Path, timeout: float, pages: int, reinstall: bool) -> dict:
    python = ensure_env("trafilatura", TRAFILATURA_REQUIREMENTS, reinstall)
    cfg = work / "trafilatura.cfg"
    cfg.write_text(TRAFILATURA_CFG, encoding="utf-8")
    result = work / "crawler.json"
    cmd = [str(python), "-c", CRAWLER_SCRIPT, url + "/", str(cfg), str(pages), str(pages * 20), str(result)]
    m = run_measured(cmd, timeout)
    m.pop("stdout_tail_full")
    try:
        found = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        m["note"] = "the crawler wrote no result"
        return m
    m["crawler_seconds"] = round(found["seconds"], 2)
    m["known_urls"] = len(found["known"])
    m["known_article_urls"] = sum(1 for u in found["known"] if re.search(r"-\d+$", urlsplit(u).path))
    m["max_seen_urls"] = pages
    return m


# -- scoring ----------------------------------------------------------------------------------


def norm_title(title: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", title or "").split())


def token_f1(a: str, b: str) -> float:
    ta = Counter(_TOKEN.findall(unicodedata.normalize("NFC", a or "").lower()))
    tb = Counter(_TOKEN.findall(unicodedata.normalize("NFC", b or "").lower()))
    if not ta and not tb:
        return 1.0
    overlap = sum((ta & tb).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(tb.values()), overlap / sum(ta.values())
    return 2 * p * r / (p + r)


def agreement(reference: dict[str, dict], records: dict[str, dict]) -> dict:
    both = sorted(set(reference) & set(records))
    if not both:
        return {"pages_both": 0}
    return {
        "pages_both": len(both),
        "title_exact": round(
            mean(norm_title(reference[p]["title"]) == norm_title(records[p]["title"]) for p in both), 3
        ),
        "body_f1": round(mean(token_f1(reference[p]["body"], records[p]["body"]) for p in both), 3),
    }


def truth_records(n: int) -> dict[str, dict]:
    from replica import build_site

    site = build_site(n_articles=n, today=date(2024, 5, 23))
    out = {}
    for a in site.articles:
        body = a.body()
        text = "\n".join(" ".join(p.split()) for p in body.paragraphs)
        out[a.path] = {"title": a.title, "body": "\n".join(x for x in (body.lead, text) if x)}
    return out


# -- main --------------------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the replica's server does
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--port", type=int, default=80, help="replica port (80: no patch for news-please)")
    parser.add_argument("--only", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--reinstall", action="store_true", help="recreate the peers' virtualenvs")
    parser.add_argument("--keep", action="store_true", help="keep the outputs")
    parser.add_argument("--out", type=Path, default=RESULTS / "peers.json")
    args = parser.parse_args(argv)
    port = args.port
    if port == 80 and not port_free(80):
        print("port 80 is taken: serving on a free port and patching news-please's allowed_domains")
        port = 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="peers-", dir=RESULTS))
    timeout = 0.5 * args.articles + 180
    results: dict = {"machine": machine(), "articles_in_site": args.articles, "systems": {}}
    truth = truth_records(args.articles)
    outputs: dict[str, dict] = {}
    try:
        for name in ("trafilatura-sitemap", "newsplease", "trafilatura-crawler"):  # install before timing
            if name in args.only:
                if name == "newsplease":
                    ensure_env("newsplease", [f"news-please=={NEWSPLEASE_VERSION}"], args.reinstall)
                else:
                    ensure_env("trafilatura", TRAFILATURA_REQUIREMENTS, args.reinstall)
        with Replica(args.articles, port=port) as replica:
            real_port = urlsplit(replica.url).port or 80
            url = replica.url.removesuffix(":80")  # the default port is not written
            results["replica_url"] = url
            print(f"replica of {args.articles} articles at {url}", flush=True)
            for name in args.only:
                print(f"running {name} ...", flush=True)
                sub = work / name
                sub.mkdir()
                if name == "vnarchive":
                    m, recs = run_vnarchive(url, sub, timeout)
                elif name == "newsplease":
                    m, recs = run_newsplease(url, real_port, sub, timeout, False)
                elif name == "trafilatura-sitemap":
                    m, recs = run_trafilatura_sitemap(url, sub, timeout, False)
                else:
                    pages = int(args.articles * 1.15) + 20
                    m, recs = run_trafilatura_crawler(url, sub, timeout, pages, False), None
                if recs is not None:
                    outputs[name] = recs
                    m["articles"] = sum(1 for p in recs if p in truth)
                    m["articles_per_s"] = round(m["articles"] / m["wall_s"], 1)
                    m["vs_truth"] = agreement(truth, recs)
                elif "known_urls" in m:
                    m["pages_per_s"] = round(m["max_seen_urls"] / m["wall_s"], 1)
                results["systems"][name] = m
                print(
                    f"  {m.get('articles', '-')} articles in {m['wall_s']} s, exit {m['exit_code']}"
                    + (" (timed out)" if m["timed_out"] else ""),
                    flush=True,
                )
                args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if "vnarchive" in outputs:
        for name, recs in outputs.items():
            if name != "vnarchive":
                results["systems"][name]["vs_vnarchive"] = agreement(outputs["vnarchive"], recs)

    print(f"\nreplica of {args.articles} articles; machine: {results['machine']['cpus']} CPUs")
    print(
        f"{'system':<20} {'articles':>8} {'wall s':>7} {'art/s':>6} {'cpu s':>6} {'RSS MB':>7} | "
        f"{'title=ours':>10} {'F1 ours':>7} | {'title=truth':>11} {'F1 truth':>8}"
    )
    for name, m in results["systems"].items():
        ours, tr = m.get("vs_vnarchive", {}), m.get("vs_truth", {})
        print(
            f"{name:<20} {m.get('articles', '-'):>8} {m['wall_s']:>7} {m.get('articles_per_s', '-'):>6} "
            f"{m['cpu_s']:>6} {m['peak_tree_rss_mb']:>7} | {ours.get('title_exact', '-'):>10} "
            f"{ours.get('body_f1', '-'):>7} | {tr.get('title_exact', '-'):>11} {tr.get('body_f1', '-'):>8}"
        )
    crawler = results["systems"].get("trafilatura-crawler")
    if crawler and "known_urls" in crawler:
        print(
            f"trafilatura focused crawler: {crawler['max_seen_urls']} pages visited in {crawler['wall_s']} s "
            f"({crawler['pages_per_s']} pages/s), {crawler['known_article_urls']} article URLs found"
        )
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
