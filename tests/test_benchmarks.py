"""The benchmark scripts run, at a tiny size, so that one cannot rot unseen.

Each script of ``benchmarks/`` with a size option runs in a subprocess (this
interpreter, the repository as working directory, temporary files under the
test's own folder) at a few thousand invoices: it must exit with 0 and print
the line that shows its equality check or its result. A script needing an
optional package that is not installed is skipped, naming the package. The
figures are not checked: at this size they measure nothing.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"

#: the options that set a benchmark's size (a script with one is run here)
SIZE_OPTIONS = {"--invoices", "--lines", "--customers"}


@dataclass(frozen=True)
class Script:
    name: str
    #: its options, split on spaces (``{tmp}``: the test's temporary folder)
    args: str
    #: optional packages it imports (beyond the library's own dependencies)
    needs: tuple[str, ...]
    #: the line that shows its check or result (a regular expression, searched per line)
    shows: str


SCRIPTS = [
    # results checked against the per-part summaries added with combine (exit 1 if not)
    Script(
        "bench_beyond_memory.py",
        "--invoices 2000 --parts 2 --chunk 1000 --workers 1 --memory-limit 1GiB --dir {tmp}/book",
        ("pyarrow", "dask", "distributed"),
        r"^ +aging36: Dask == sum of per-part summaries: True$",
    ),
    # asserts the balances equal the pandas baseline's
    Script(
        "bench_core.py",
        "--invoices 2000 --repeat 1",
        ("pyarrow",),
        r"^receivables \+ aging buckets at 36 month-ends +\d+ms +\d+ms",
    ),
    # every convention of writing the FEC, each read back and compared with from_frames
    Script(
        "bench_fec.py",
        "--lines 2000 --repeat 1 --convention all",
        ("pyarrow",),
        r"^same receivables at 36 month-ends: True; same aged balance at 6 of them: True$",
    ),
    # asserts the backtest's forecasts equal the ones made from scratch
    Script(
        "bench_forecast.py",
        "--customers 50 --months 12 --origins 4 --scratch-origins 2",
        (),
        r"same forecasts: yes$",
    ),
    Script(
        "bench_fx.py",
        "--invoices 2000",
        ("pyarrow",),
        r"^ratio \(translate \+ dashboard\) / one-currency dashboard: \d+\.\d\d$",
    ),
    # the installed command line, four times
    Script(
        "bench_groups.py",
        "--invoices 2000 --customers 200",
        ("pyarrow",),
        r"^by customer / by country \(csv\): \d+\.\d\d$",
    ),
    # statsmodels and lifelines are optional inside (a line says so when absent)
    Script(
        "bench_profiles.py",
        "--invoices 2000",
        (),
        r"^IBM-style one-table export: [\d,]+ invoices, [\d,]+ customers profiled$",
    ),
    # asserts the loss rates and the allowance equal the pandas baseline's
    Script(
        "bench_provision.py",
        "--invoices 2000 --repeat 1",
        ("pyarrow",),
        r"^ +2000 provision matrix \(rates\) +\d+\.\d+ +\d+\.\d+ +\d+\.\d$",
    ),
    # raises when creditkpi, DuckDB and pandas disagree
    Script(
        "run.py",
        "--invoices 2000 --repeat 1",
        ("pyarrow", "duckdb", "polars"),
        r"^d dashboard on a built ledger +\d+\.\d+ s .*DuckDB SQL",
    ),
]


def _options(path: Path) -> set[str]:
    """The ``--options`` a script's argument parser declares."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument"
        ):
            found |= {
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and str(a.value).startswith("--")
            }
    return found


def test_every_benchmark_with_a_size_is_run_here() -> None:
    sized = {p.name for p in BENCHMARKS.glob("*.py") if _options(p) & SIZE_OPTIONS}
    assert sized == {s.name for s in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.name)
def test_a_benchmark_runs_at_a_tiny_size(script: Script, tmp_path: Path) -> None:
    absent = [m for m in script.needs if importlib.util.find_spec(m) is None]
    if absent:
        pytest.skip(f"{script.name} needs {', '.join(absent)} (not installed)")
    args = [a.replace("{tmp}", str(tmp_path)) for a in script.args.split()]
    env = {**os.environ, "TMPDIR": str(tmp_path), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script.name), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = f"{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, output
    assert re.search(script.shows, done.stdout, re.MULTILINE), output
