"""Mutation testing of the modules that decide what researchers see: do the tests notice a bug?

mutmut changes one operator, constant or call at a time in a module (a mutant) and runs the tests
that cover the changed function; a mutant that no test fails on "survived", and names a behaviour
the suite does not check. Coverage says a line ran; this says a test would fail if it were wrong.

Each module runs in its own throwaway copy of the working tree (mutmut writes a ``mutants/`` folder
beside the code, and other work in this tree must not see it), against a small set of test files
chosen for it, so a module takes minutes, not the whole suite's time. Not part of ``make test``.

    .venv/bin/python bench/mutation.py                         # every default target
    .venv/bin/python bench/mutation.py crawler/policy.py       # one module, its default tests
    .venv/bin/python bench/mutation.py archive/extract/captions.py=tests/test_extract.py
    .venv/bin/python bench/mutation.py 'archive/export.py:verify'   # only mutants in verify()

A target is ``PATH[:FUNCTION,...][=TEST_FILE,...]``; without ``=`` the tests come from
``DEFAULT_TESTS``, or from every ``tests/test_*.py`` that imports the module. Prints, per module,
mutants / killed / survived / score and the diff of every survivor; writes
``bench/results/mutation.json``. The report and the explanation of each surviving mutant are in
bench/README.md ("Mutation testing").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

#: Module -> the test files that check it. Kept small on purpose: a run re-executes them per mutant.
DEFAULT_TESTS: dict[str, list[str]] = {
    "archive/dates.py": ["tests/test_dates.py", "tests/test_dates_rules.py"],
    "crawler/policy.py": ["tests/test_policy_lock.py"],
    "archive/history.py": ["tests/test_history.py", "tests/test_word_diff.py"],
    "archive/vntext.py:fold,_fold_map,_fold_table": ["tests/test_vntext.py"],
    "archive/search.py": ["tests/test_search.py"],
    # the query side alone (what a typed search becomes, bounds, the wide lane): no server per mutant
    "archive/search.py:new_style_tones,_has_diacritics,_typed_with_accents,_quote,_phrase,check_query,"
    "is_wide,_build_fts_query,build_fts_query,_join,sql_escape_fts": ["tests/test_search_query.py"],
    "archive/store.py": [
        "tests/test_store_versions.py",
        "tests/test_store_pages.py",
        "tests/test_store.py",
        "tests/test_history.py",
    ],
    # the runs table (killed, finished and counted runs), moved out of store.py
    "archive/runs.py:start_run,mark_killed_runs,_alive,finish_run,run_counts,merge_run_stats": [
        "tests/test_store_pages.py",
        "tests/test_runs.py",
    ],
    "archive/export.py:verify,_check_entry": ["tests/test_export.py", "tests/test_export_verify.py"],
    "crawler/retry_after.py": ["tests/test_retry_after.py"],
    # the extractor: only what decides a caption, a date, articlehood (each test extracts pages)
    "archive/extract/media.py:caption,image_src,once,dedupe_images": [
        "tests/test_extract_media.py",
        "tests/test_extract_stages.py",
    ],
    "archive/extract/media.py:find_images": ["tests/test_find_images.py", "tests/test_extract_media.py"],
    "archive/extract/kind.py": [
        "tests/test_listing_heuristics.py",
        "tests/test_extract_articlehood.py",
        "tests/test_is_article.py",
    ],
    "archive/extract/dating.py": [
        "tests/test_extract_dating.py",
        "tests/test_dates.py",
        "tests/test_extract_generated_fields.py",
    ],
    # which text is read as the body (test_body_lines) and what of it is cut (test_body_cleaning)
    "archive/extract/body.py": [
        "tests/test_body_cleaning.py",
        "tests/test_body_lines.py",
        "tests/test_extract_articlehood.py",
    ],
    "archive/extract/teasers.py": [
        "tests/test_teasers.py",
        "tests/test_listing_heuristics.py",
        "tests/test_body_cleaning.py",
    ],
}
#: What a test run needs beside the packages mutmut copies.
ALSO_COPY = ["replica", "tests", "metadata.yml", "scrapy.cfg", "pyproject.toml", "sites.toml"]
PACKAGES = ["archive", "crawler"]
#: A mutant that makes the tests hang (a wait never capped) was noticed too: mutmut ends it on a timeout.
KILLED = {"killed", "caught by type check", "timeout"}


def parse_target(spec: str) -> tuple[str, list[str], list[str]]:
    """``PATH[:FUNC,...][=TESTS,...]`` -> (path, functions, tests)."""
    spec, _, tests = spec.partition("=")
    path, _, funcs = spec.partition(":")
    defaults = {key.partition(":")[0]: files for key, files in DEFAULT_TESTS.items()}
    test_files = [t for t in tests.split(",") if t] or DEFAULT_TESTS.get(spec) or defaults.get(path)
    if not test_files:
        module = path.removesuffix(".py").replace("/", ".")
        test_files = sorted(
            str(p.relative_to(ROOT))
            for p in (ROOT / "tests").glob("test_*.py")
            if re.search(rf"\b{re.escape(module.rpartition('.')[2])}\b", p.read_text(encoding="utf-8"))
        )
    return path, [f for f in funcs.split(",") if f], test_files


def _copy_tree(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "mutants", "results")
    for name in PACKAGES + ALSO_COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dest / name)


def _config(path: str, tests: list[str]) -> str:
    """The ``[tool.mutmut]`` table for one module: mutate only it, run only its tests."""
    quoted = lambda items: "[" + ", ".join(json.dumps(i) for i in items) + "]"  # noqa: E731
    return (
        "\n[tool.mutmut]\n"
        f"source_paths = {quoted(PACKAGES)}\n"
        f"only_mutate = {quoted([path])}\n"
        f"also_copy = {quoted([a for a in ALSO_COPY if a != 'tests'])}\n"
        f"pytest_add_cli_args_test_selection = {quoted(tests)}\n"
        'pytest_add_cli_args = ["-q", "-p", "no:cacheprovider", "-m", "not browser"]\n'
    )


def _mutant_function(name: str) -> str:
    """``archive.export.x_verify__mutmut_3`` -> ``verify`` (methods: ``xǁClassǁmethod__mutmut_1``)."""
    last = name.rsplit(".", 1)[-1]
    return re.sub(r"__mutmut_\d+$", "", last).removeprefix("x_").split("ǁ")[-1]


def _run_patterns(path: str, funcs: list[str]) -> list[str]:
    """mutmut ``run`` filters: only the named functions' mutants are run, not the whole module's.

    mutmut matches them against mutant names (``archive.export.x_verify__mutmut_3``) and against
    the function names its test map is keyed by (``archive.export.x_verify``), so each pattern
    ends in ``*``; a method is ``xǁClassǁname``. A pattern may also catch a longer name
    (``x_verify_manifest``): those mutants run too, and the report leaves them out.
    """
    module = path.removesuffix(".py").replace("/", ".")
    return [p for f in funcs for p in (f"{module}.x_{f}*", f"{module}.xǁ*ǁ{f}*")]


#: Prints the diff of each mutant named on stdin: what ``mutmut show`` prints, in one process for
#: all of them (``show`` starts Python and reads the mutants' index once per mutant: minutes for
#: a module with a few hundred survivors).
_SHOW = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
path, names = json.load(sys.stdin)
print(json.dumps({name: get_diff_for_mutant(name, path=path) for name in names}))
"""


def _diffs(work: Path, env: dict[str, str], path: str, names: list[str]) -> dict[str, str]:
    """Each surviving mutant's diff against the original function."""
    if not names:
        return {}
    shown = subprocess.run(
        [sys.executable, "-c", _SHOW],
        cwd=work,
        env=env,
        input=json.dumps([path, names]),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(shown.stdout)


def run_target(path: str, funcs: list[str], tests: list[str], max_children: int) -> dict:
    """Mutate one module in a copy of the tree; return counts and the survivors' diffs."""
    work = Path(tempfile.mkdtemp(prefix="vnarchive-mutation-"))
    try:
        _copy_tree(work)
        with (work / "pyproject.toml").open("a", encoding="utf-8") as f:
            f.write(_config(path, tests))
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        mutmut = [sys.executable, "-m", "mutmut"]
        start = time.monotonic()
        run = subprocess.run(
            [*mutmut, "run", "--max-children", str(max_children), *_run_patterns(path, funcs)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - start
        if run.returncode != 0:  # e.g. a test failing before any mutant: every mutant "not checked"
            raise SystemExit(f"{path}: mutmut run failed\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
        listed = subprocess.run(
            [*mutmut, "results", "--all", "true"], cwd=work, env=env, capture_output=True, text=True
        )
        statuses: dict[str, str] = {}
        for line in listed.stdout.splitlines():
            name, sep, status = line.strip().rpartition(": ")
            if sep and "__mutmut_" in name:
                statuses[name] = status
        if funcs:
            statuses = {n: s for n, s in statuses.items() if _mutant_function(n) in funcs}
        if not statuses:
            raise SystemExit(f"{path}: no mutants reported\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
        left = sorted(name for name, status in statuses.items() if status not in KILLED)
        diffs = _diffs(work, env, path, left)
        survivors = {name: {"status": statuses[name], "diff": diffs[name]} for name in left}
        killed = sum(1 for s in statuses.values() if s in KILLED)
        return {
            "module": path + (":" + ",".join(funcs) if funcs else ""),
            "tests": tests,
            "mutants": len(statuses),
            "killed": killed,
            "survived": len(statuses) - killed,
            "score": killed / len(statuses),
            "seconds": round(seconds),
            "survivors": survivors,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="PATH[:FUNC,...][=TEST,...]; default: DEFAULT_TESTS")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs (default 2)")
    parser.add_argument("--floor", type=float, default=0.9, help="exit 1 if a module scores below (0.9)")
    args = parser.parse_args(argv)
    targets = [parse_target(t) for t in (args.targets or list(DEFAULT_TESTS))]
    reports = []
    for path, funcs, tests in targets:
        print(f"== {path} {','.join(funcs)} <- {' '.join(tests)}", flush=True)
        report = run_target(path, funcs, tests, args.max_children)
        reports.append(report)
        for name, s in report["survivors"].items():
            print(f"-- {name} ({s['status']})\n{s['diff']}\n", flush=True)
    print(f"\n| module | mutants | killed | survived | score | seconds |\n|{' --- |' * 6}")
    for r in reports:
        print(
            f"| `{r['module']}` | {r['mutants']} | {r['killed']} | {r['survived']} | {r['score']:.0%} | {r['seconds']} |"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "mutation.json").write_text(
        json.dumps(reports, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return 0 if all(r["score"] >= args.floor for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
