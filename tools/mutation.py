"""`make mutation`: mutmut over the core modules, one module at a time, and a report per module.

    python tools/mutation.py [MODULE ...] [--jobs N] [--report-only] [--diff]

MODULE is one of the keys of MODULES (all of them by default). mutmut's settings are in
pyproject.toml [tool.mutmut]: it copies the tree to ./mutants/, runs the selected fast tests
once to record which tests execute which function, and then runs each mutant against only
those tests. Every run re-runs all the mutants of the modules it is given (their results
are kept in ./mutants/ for `--report-only`).
Prints each module's surviving mutants and its kill ratio; exits 1 when a measured module
is under TARGET.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
TARGET = 0.80

# module -> the mutant names (fnmatch) that are measured. scheduler.py: its pure decisions
# only (schedules, backoff, skips, status), not the Scheduler class's threads and signals.
_DECISIONS = ("make_trigger", "interval_s", "backoff_delay_s", "misfire_grace_s", "feed_urls", "why_skip",
              "source_status")
MODULES: dict[str, list[str]] = {
    "pagekind": ["ingest.pagekind.*"],
    "saving": ["storage.saving.*"],
    "search": ["storage.search.*"],
    "scheduler": [f"ingest.run.scheduler.x_{name}__mutmut_*" for name in _DECISIONS],
    "clean": ["ingest.clean.*"],
    "metadata": ["ingest.metadata.*"],
}

# The tests that cover each module (documentation of pyproject's test selection, which is
# their union; mutmut narrows it per function from its stats run).
COVERING_TESTS = {
    "pagekind": ["test_body_choice", "test_pins_pagekind"],
    "saving": ["test_archive", "test_search", "test_reextract", "test_optimize", "test_pins_saving"],
    "search": ["test_search", "test_date_languages", "test_archive", "test_pins_search"],
    "scheduler": ["test_pins_scheduler"],
    "clean": ["test_extract", "test_boilerplate", "test_clean_multilingual", "test_quality_fixtures",
              "test_body_choice", "test_pins_clean"],
    "metadata": ["test_extract", "test_date_languages", "test_quality_fixtures", "test_body_choice",
                 "test_pins_metadata"],
}

KILLED = {"killed", "timeout", "segfault", "caught by type check"}
NOT_RUN = {"not checked", "skipped", "check was interrupted by user"}


def _results() -> dict[str, str]:
    out = subprocess.run([MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status
    return found


def _matches(name: str, patterns: list[str]) -> bool:
    from fnmatch import fnmatchcase
    return any(fnmatchcase(name, p) for p in patterns)


def _change(name: str) -> str:
    """The mutated line(s) of a mutant, as `mutmut show` gives them."""
    shown = subprocess.run([MUTMUT, "show", name], cwd=ROOT, capture_output=True, text=True).stdout
    lines = [line for line in shown.splitlines()
             if re.match(r"^[-+](?![-+])", line)]
    return "\n".join("        " + " ".join(line.split()) for line in lines)


def report(modules: list[str], diff: bool) -> bool:
    results = _results()
    ok = True
    summary = []
    for module in modules:
        mine = {n: s for n, s in results.items() if _matches(n, MODULES[module])}
        counts = Counter(mine.values())
        run = {n: s for n, s in mine.items() if s not in NOT_RUN}
        killed = sum(1 for s in run.values() if s in KILLED)
        survivors = sorted((n for n, s in run.items() if s not in KILLED),
                           key=lambda n: (n.rsplit("__mutmut_", 1)[0], int(n.rsplit("_", 1)[1])))
        print(f"\n== {module}: {MODULES[module][0].split('.x_')[0].rstrip('.*')}  "
              f"(tests: {', '.join(COVERING_TESTS[module])})")
        for name in survivors:
            print(f"    {run[name]:<10} {name}")
            if diff:
                print(_change(name))
        if not run:
            line = f"{module:<10} not measured ({counts.get('not checked', 0)} mutants not checked)"
        else:
            ratio = killed / len(run)
            ok &= ratio >= TARGET
            unrun = sum(counts[s] for s in NOT_RUN)
            line = (f"{module:<10} {killed}/{len(run)} killed = {ratio:.1%}"
                    + ("" if ratio >= TARGET else f"  (under {TARGET:.0%})")
                    + (f"; {unrun} not run" if unrun else ""))
        summary.append(line)
    print("\n== kill ratio per module")
    print("\n".join("    " + line for line in summary))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", metavar="MODULE",
                        help=f"any of: {', '.join(MODULES)} (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--report-only", action="store_true", help="report the stored results, run nothing")
    parser.add_argument("--diff", action="store_true", help="show each survivor's changed line")
    args = parser.parse_args()
    modules = args.modules or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    if not args.report_only:
        for module in modules:
            print(f"== mutmut run: {module}", flush=True)
            subprocess.run([MUTMUT, "run", "--max-children", str(args.jobs), *MODULES[module]], cwd=ROOT,
                           check=True)
    return 0 if report(modules, args.diff) else 1


if __name__ == "__main__":
    sys.exit(main())
