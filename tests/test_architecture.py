"""The layers of the package: core <- metrics <- registry, dashboard, distributed <- cli.

A metric module imports only ``creditkpi.core`` (never a sibling metric), so a
project can vendor one metric family with the core; the core imports nothing
above it. One exception, on purpose: the ``plot`` method of a result
(``TimeToPay.plot``, ``Forecast.plot``, ``Backtest.plot``) draws with
``creditkpi.dashboard.charts`` (the ``charts`` extra), imported when called.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "creditkpi"


#: what a ``plot`` method may import from above the metrics
PLOTTING = "creditkpi.plotting"


def _creditkpi_imports(path: Path) -> set[str]:
    """Every ``creditkpi...`` module a file imports, at any depth (lazy imports included).

    The charts module imported inside a function named ``plot`` is left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_plot: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "plot":
            in_plot |= {id(inner) for inner in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in in_plot and isinstance(node, ast.ImportFrom) and node.module == PLOTTING:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "creditkpi"}
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] == "creditkpi"
        ):
            found.add(str(node.module))
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((SRC / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("metrics"), ids=lambda p: p.name)
def test_a_metric_module_imports_only_the_core(path: Path) -> None:
    outside = {m for m in _creditkpi_imports(path) if not m.startswith("creditkpi.core")}
    assert outside == set(), f"{path.name} imports {sorted(outside)}"


@pytest.mark.parametrize("path", _modules("core"), ids=lambda p: str(p.relative_to(SRC)))
def test_the_core_imports_nothing_above_it(path: Path) -> None:
    above = {m for m in _creditkpi_imports(path) if not m.startswith("creditkpi.core")}
    assert above == set(), f"{path.relative_to(SRC)} imports {sorted(above)}"


def test_the_checks_see_imports(tmp_path: Path) -> None:
    # top-level, lazy and dotted imports are found (so the tests above can fail) ...
    found = _creditkpi_imports(SRC / "cli" / "inputs.py")
    assert {"creditkpi.cli.common", "creditkpi.core.ingest.files", "creditkpi"} <= found
    # ... and the charts are allowed in a plot method only
    module = tmp_path / "metric.py"
    module.write_text(
        "def plot():\n    from creditkpi.plotting import x\n"
        "def table():\n    from creditkpi.plotting import y\n"
        "from creditkpi.metrics.dso import dso\n",
        encoding="utf-8",
    )
    assert _creditkpi_imports(module) == {"creditkpi.plotting", "creditkpi.metrics.dso"}
