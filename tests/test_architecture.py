"""The shape of the package, checked on every module.

* layers: ``core <- metrics <- registry, dashboard, distributed <- cli``; a
  metric module imports only ``creditkpi.core`` (never a sibling metric), so
  a project can vendor one metric family with the core; the core imports
  nothing above it; ``creditkpi.plotting`` is a leaf (it imports nothing of
  creditkpi), which a result's ``plot`` method may import when called, and
  so is ``creditkpi.printing`` (HTML to PDF);
* no import circle, lazy imports included (imports under ``TYPE_CHECKING``
  are not run and do not count);
* rooms that hold one thing: no module over 800 lines, no function over 100
  lines of code (the docstring, blank and comment lines left out);
* a sealed ledger: nothing outside ``creditkpi/core/`` reads ``ledger._cols``;
* an underscore means "this module only": no private name is imported from
  another module.

The few exceptions are named below, each with why, and a test fails when one
is no longer needed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "creditkpi"

#: what a ``plot`` method may import from outside the core
PLOTTING = "creditkpi.plotting"

#: modules over 800 lines, and why they may be
LONG_MODULES: dict[str, str] = {}
#: functions over 100 lines of code, and why they may be
LONG_FUNCTIONS = {
    "datasets/_synthetic.py:generate": "the synthetic data generator, one seeded story",
}
#: import circles allowed (none: the ingest builders return columns the Ledger wraps)
CIRCLES: list[set[str]] = []

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 100


def _files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _name(path: Path) -> str:
    """The dotted module name of a file (``creditkpi.core.parts`` for its ``__init__``)."""
    if not path.is_relative_to(SRC.parent):
        return path.stem
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_name(p): p for p in _files()}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The nodes inside ``if TYPE_CHECKING:`` blocks (imports there never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                out |= {id(n) for n in ast.walk(inner)}
    return out


def _imports(path: Path) -> Iterator[tuple[ast.stmt, str, list[str], bool]]:
    """Every import of a file that runs: (node, module, names, inside a ``plot`` function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    in_plot: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "plot":
            in_plot |= {id(inner) for inner in ast.walk(node)}
    this = _name(path)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, [], id(node) in in_plot
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = this.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([module] if module else [])])
            yield node, module, [a.name for a in node.names], id(node) in in_plot


def _targets(module: str, names: list[str]) -> set[str]:
    """The creditkpi modules an import runs: the module (or submodules named) and its parents."""
    if module.split(".")[0] != "creditkpi":
        return set()
    found = {f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES}
    found.add(module)
    out: set[str] = set()
    for target in found:
        parts = target.split(".")
        out |= {".".join(parts[:k]) for k in range(1, len(parts) + 1)}
    return {m for m in out if m in MODULES}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges: set[str] = set()
        for _, module, names, _ in _imports(path):
            edges |= _targets(module, names)
        graph[name] = {m for m in edges if m != name and not name.startswith(m + ".")}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _creditkpi_imports(path: Path) -> set[str]:
    """The ``creditkpi`` modules a file imports (a charts import in ``plot`` left out)."""
    found = set()
    for _, module, _, in_plot in _imports(path):
        if module.split(".")[0] != "creditkpi" or (in_plot and module == PLOTTING):
            continue
        found.add(module)
    return found


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """Lines of code of a function's body: no docstring, blank or comment-only line."""
    body = node.body
    skip: set[int] = set()
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        skip = set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    end = node.end_lineno or node.lineno
    return sum(
        1
        for n in range(body[0].lineno, end + 1)
        if n not in skip and lines[n - 1].strip() and not lines[n - 1].strip().startswith("#")
    )


# ----------------------------------------------------------------------------------
# layers
# ----------------------------------------------------------------------------------


def _in(folder: str) -> list[Path]:
    return sorted((SRC / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _in("metrics"), ids=lambda p: p.name)
def test_a_metric_module_imports_only_the_core(path: Path) -> None:
    outside = {m for m in _creditkpi_imports(path) if not m.startswith("creditkpi.core")}
    assert outside == set(), f"{path.name} imports {sorted(outside)}"


@pytest.mark.parametrize("path", _in("core"), ids=lambda p: str(p.relative_to(SRC)))
def test_the_core_imports_nothing_above_it(path: Path) -> None:
    above = {m for m in _creditkpi_imports(path) if not m.startswith("creditkpi.core")}
    assert above == set(), f"{path.relative_to(SRC)} imports {sorted(above)}"


@pytest.mark.parametrize("path", _in("plotting"), ids=lambda p: p.name)
def test_plotting_is_a_leaf(path: Path) -> None:
    outside = {m for m in _creditkpi_imports(path) if not m.startswith(PLOTTING)}
    assert outside == set(), f"{path.name} imports {sorted(outside)}"


def test_printing_is_a_leaf() -> None:
    # the statement and the credit pack print through it: it depends on neither
    assert _creditkpi_imports(SRC / "printing.py") == set()


def test_no_import_circle() -> None:
    circles = _circles(_graph())
    unexpected = [sorted(c) for c in circles if c not in CIRCLES]
    assert unexpected == [], f"import circles: {unexpected}"


# ----------------------------------------------------------------------------------
# rooms that hold one thing
# ----------------------------------------------------------------------------------


def test_no_module_over_800_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in _files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert set(long) <= set(LONG_MODULES), {k: v for k, v in long.items() if k not in LONG_MODULES}


def test_no_function_over_100_lines_of_code() -> None:
    long = {}
    for path in _files():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = _code_lines(node, lines)
                if n > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(SRC)}:{node.name}"] = n
    unexpected = {k: v for k, v in long.items() if k not in LONG_FUNCTIONS}
    assert unexpected == {}, f"functions over {MAX_FUNCTION_LINES} lines of code: {unexpected}"


def test_the_exceptions_are_still_needed() -> None:
    """An exception that no longer applies is taken off its list (the lists only shrink)."""
    modules = {
        k for k in LONG_MODULES if len((SRC / k).read_text(encoding="utf-8").splitlines()) > 800
    }
    assert modules == set(LONG_MODULES)
    functions = set()
    for key in LONG_FUNCTIONS:
        file, name = key.split(":")
        text = (SRC / file).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.FunctionDef)
                and node.name == name
                and _code_lines(node, text.splitlines()) > MAX_FUNCTION_LINES
            ):
                functions.add(key)
    assert functions == set(LONG_FUNCTIONS)
    assert all(c in _circles(_graph()) for c in CIRCLES)


# ----------------------------------------------------------------------------------
# a sealed ledger, private names kept private
# ----------------------------------------------------------------------------------


def test_nothing_outside_the_core_reads_the_ledger_columns() -> None:
    readers = [
        str(p.relative_to(SRC))
        for p in _files()
        if not p.is_relative_to(SRC / "core") and "._cols" in p.read_text(encoding="utf-8")
    ]
    assert readers == []


def test_no_private_name_is_imported_from_another_module() -> None:
    found = [
        f"{_name(path)}: from {module} import {name}"
        for path in _files()
        for _, module, names, _ in _imports(path)
        for name in names
        if name.startswith("_") and module.split(".")[0] == "creditkpi"
    ]
    assert found == []


# ----------------------------------------------------------------------------------
# the checks can fail
# ----------------------------------------------------------------------------------


def test_the_checks_see_imports(tmp_path: Path) -> None:
    # top-level, lazy and dotted imports are found (so the tests above can fail) ...
    found = _creditkpi_imports(SRC / "cli" / "inputs.py")
    assert {"creditkpi.cli.common", "creditkpi.core.ingest.files", "creditkpi"} <= found
    # ... the charts are allowed in a plot method only, and type-checking imports never run
    module = tmp_path / "metric.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from creditkpi.dashboard import Dashboard\n"
        "def plot():\n    from creditkpi.plotting import x\n"
        "def table():\n    from creditkpi.plotting import y\n"
        "from creditkpi.metrics.dso import dso\n",
        encoding="utf-8",
    )
    assert _creditkpi_imports(module) == {"creditkpi.plotting", "creditkpi.metrics.dso"}


def test_the_checks_see_circles_and_long_functions() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    source = "def f():\n    '''doc\n    more'''\n" + "    x = 1\n" * 3 + "\n    # note\n"
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    assert _code_lines(node, source.splitlines()) == 3
    # importing a submodule runs its package: the package counts as imported
    assert "creditkpi.dashboard" in _targets("creditkpi.dashboard.charts", ["FILES"])
    assert _targets("creditkpi.core", ["kpi"]) == {
        "creditkpi",
        "creditkpi.core",
        "creditkpi.core.kpi",
    }
