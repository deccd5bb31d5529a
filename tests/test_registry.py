"""One definition per KPI: every path to a registry KPI gives the same answer.

For every KPI of :data:`creditkpi.registry.KPIS`, over random ledgers (partial
payments, credit notes larger than the month's invoices, write-offs, unapplied
cash, months without sales), the ledger function, the pure formula on the same
additive parts, the dashboard row and the distributed summary of a
per-customer partition agree: money to the cent, ratios to 1e-12, nan in the
same places. And nothing is forgotten: every public KPI function is in the
registry, with a documentation page, a dashboard row (or a stated reason) and
a distributed column.
"""

from __future__ import annotations

import inspect
import re
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi import datasets, formulas
from creditkpi import distributed as ckd
from creditkpi.core.engine import bucket_labels
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.kpi import known_inputs
from creditkpi.core.parts import (
    EDGE_PARTS,
    PARTS,
    Derived,
    Settings,
    base_parts,
    countback_months,
    period_parts,
    snapshot_parts,
)
from creditkpi.core.period import to_day
from creditkpi.dashboard.compute import inputs_of
from creditkpi.registry import COMPANIONS, KPI, KPIS, TABLE_PARTS, TABLES
from tests.paths import function_value, same
from tests.strategies import START, LedgerSpec, ledger_specs

DOCS = Path(__file__).resolve().parents[1] / "docs"
MONTHS = ck.Period.months(str(START)[:7], "2024-06")


# ----------------------------------------------------------------------------------
# nothing forgotten
# ----------------------------------------------------------------------------------


def _public_functions() -> dict[str, Any]:
    return {name: getattr(ck, name) for name in ck.__all__ if inspect.isfunction(getattr(ck, name))}


def test_every_public_kpi_function_is_in_the_registry() -> None:
    """Like scikit-learn's "we shouldn't forget any metric"."""
    known = {k.function.__name__ for k in KPIS.values()} | {
        t.function.__name__ for t in TABLES.values()
    }
    missing = [
        name
        for name, fn in _public_functions().items()
        if fn.__name__ not in known and name not in COMPANIONS
    ]
    assert missing == []
    # one name per KPI: a KPI with its own function carries the function's name
    for kpi in KPIS.values():
        if not kpi.options and kpi.field is None:
            assert kpi.function.__name__ == kpi.name, kpi.name
            assert getattr(ck, kpi.name) is kpi.function


ROOT = Path(__file__).resolve().parents[1]
SPECS = list(KPIS.values()) + list(TABLES.values())


def test_every_metric_module_is_collected() -> None:
    """A family's module is in the registry's MODULES, or its specs would be forgotten."""
    import pkgutil

    import creditkpi.metrics
    from creditkpi.registry import MODULES

    listed = {m.__name__ for m in MODULES}
    for info in pkgutil.iter_modules(creditkpi.metrics.__path__, "creditkpi.metrics."):
        module = __import__(info.name, fromlist=["_"])
        has_specs = bool(getattr(module, "KPIS", ()) or getattr(module, "TABLES", ()))
        assert not has_specs or info.name in listed, f"{info.name} is not in registry.MODULES"


@pytest.mark.parametrize("kpi", SPECS, ids=lambda k: k.name)
def test_every_kpi_is_in_all_of_its_places(kpi: Any) -> None:
    """The places of a KPI (docs/contributing.md): a test fails when one is missed."""
    name = kpi.function.__name__
    # its function is public, its spec in its module's KPIS or TABLES
    assert getattr(ck, name) is kpi.function, f"ck.{name} is not exported"
    module = __import__(kpi.function.__module__, fromlist=["_"])
    assert kpi in (*getattr(module, "KPIS", ()), *getattr(module, "TABLES", ())), kpi.name
    # its page is in the site's navigation, and the README's KPI table lists its function
    assert kpi.page in (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), kpi.page
    assert f"`{name}`" in _readme_kpi_table(), f"README's KPI table misses {name}"
    # its tests call it
    tests = "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "metrics").glob("*.py")
    )
    assert f"{name}(" in tests, f"no test of tests/metrics calls {name}"
    # what it requires is an input the ledger or an argument gives
    assert set(kpi.requires) <= known_inputs(), kpi.requires


@pytest.mark.parametrize("kpi", SPECS, ids=lambda k: k.name)
def test_every_kpi_has_a_one_line_definition(kpi: Any) -> None:
    """What the credit pack prints under the KPI's label: one sentence, one line."""
    text = kpi.definition
    assert text, f"{kpi.name} has no definition"
    assert "\n" not in text and text == text.strip() and "  " not in text
    assert text[0].isupper() and text.endswith(".") and len(text) <= 120, text
    assert text != kpi.label and not text.startswith(kpi.label + " is")


def _readme_kpi_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## KPIs", 1)[1].split("\n## ", 1)[0]


def test_the_readme_lists_only_public_functions() -> None:
    """The README's KPI table names public KPI functions and companions, nothing stale."""
    import re

    named = set(re.findall(r"`([a-z_]+)`", _readme_kpi_table()))
    known = {s.function.__name__ for s in SPECS} | set(COMPANIONS)
    assert named <= known, sorted(named - known)


@pytest.mark.parametrize("kpi", list(KPIS.values()) + list(TABLES.values()), ids=lambda k: k.name)
def test_every_kpi_has_a_documentation_page(kpi: Any) -> None:
    page = DOCS / kpi.page
    assert page.exists(), kpi.page
    text = page.read_text(encoding="utf-8")
    assert kpi.function.__name__ in text, f"{kpi.page} does not mention {kpi.function.__name__}"
    assert f"`{kpi.name}`" in _kpi_index(), f"the KPI index does not list {kpi.name}"


def _kpi_index() -> str:
    """The KPI index page as the docs build renders it (generated from the registry)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("kpi_index", DOCS / "hooks" / "kpi_index.py")
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    raw = (DOCS / "kpis" / "index.md").read_text(encoding="utf-8")
    assert hook.MARKER in raw
    text: str = hook.on_page_markdown(raw, page=None)
    return text


@pytest.mark.parametrize("kpi", list(KPIS.values()), ids=lambda k: k.name)
def test_every_kpi_has_a_formula_a_dashboard_row_and_a_distributed_column(kpi: KPI) -> None:
    if kpi.formula is not None and not _per_key(kpi):
        # formulas of plain numbers are public; those of whole tables live in their module
        assert kpi.formula in vars(formulas).values(), f"{kpi.name}: formula not in formulas"
    assert kpi.dashboard is None or kpi.dashboard.strip()
    edges = {f"{name}_{side}" for name in EDGE_PARTS for side in ("start", "end")}
    known = set(PARTS) | edges | set(TABLE_PARTS) | {"countback_months", "costs"}
    known |= set(bucket_labels())
    assert set(base_parts(kpi.parts)) <= known
    assert set(kpi.requires) <= known_inputs()
    assert kpi.section in ("Position", "Activity", "Speed", "Collection", "Risk", "Currency")
    assert (
        kpi.label
        and kpi.label_fr
        and kpi.unit
        in (
            "money",
            "ratio",
            "days",
            "count",
            "money_per_money",
        )
    )


def test_the_distributed_columns_are_the_registry() -> None:
    ledger = datasets.sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = ckd.kpis(ckd.summarize(ledger, "2024-06"), costs="1000")
        board = ck.dashboard(ledger, "2024-06", costs="1000")
    assert list(table.columns) == list(KPIS)
    # the sample has no credit limits nor cover: the dashboard leaves their block out
    given = inputs_of(ledger, "1000")
    rows = [k for k in KPIS.values() if k.dashboard is None and set(k.requires) <= given]
    assert list(board.kpis.index) == [k.name for k in rows]
    assert {"over_limit", "covered_share"} - set(board.kpis.index) == {
        "over_limit",
        "covered_share",
    }
    summary = ckd.summarize(ledger, "2024-06")
    for name, spec in TABLES.items():
        if spec.distributed is not None:  # payer profiles, open items: rows, not sums
            with pytest.raises(ck.CreditKPIError) as caught:
                ckd.table(summary, name)
            assert spec.distributed in str(caught.value)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert isinstance(ckd.table(summary, name), pd.DataFrame)


# ----------------------------------------------------------------------------------
# one answer through every path
# ----------------------------------------------------------------------------------


def _flatten(result: Any, periods: list[ck.Period], by: str | None) -> dict[tuple[int, Any], Any]:
    """A function's result (scalar, Series, DataFrame) as ``{(period index, group): value}``."""
    if by is None:
        values = result.tolist() if isinstance(result, pd.Series) else [result]
        return {(j, "all"): v for j, v in enumerate(values)}
    if isinstance(result, pd.Series) and isinstance(result.index, pd.MultiIndex):
        keys = list(result.index.get_level_values(0).unique())
        return {(keys.index(k), g): v for (k, g), v in result.items()}
    if isinstance(result, pd.Series):
        return {(0, g): v for g, v in result.items()}
    return {(j, g): result.iloc[j][g] for j in range(len(periods)) for g in result.columns}


def _scalar(name: str, cents: Any, digits: int) -> Any:
    """A part's cell as the plain number a user would give the formula."""
    base = name.rsplit("_", 1)[0] if name not in PARTS else name
    unit = PARTS[base][1] if base in PARTS else "money"
    if unit.startswith("money"):
        return Decimal(int(cents)).scaleb(-digits)
    return int(cents)


def _per_key(kpi: KPI) -> bool:
    """Whether the KPI's formula reads whole tables (a table or derived part), key by key."""
    return any(isinstance(p, Derived) or p in TABLE_PARTS for p in kpi.parts)


def _part_value(
    part: Any, ledger: ck.Ledger, day: int, groups: Groups, memo: dict[Any, Any]
) -> Any:
    """A table or derived part at one day, computed the plain way (no source, no cache)."""
    if isinstance(part, Derived):
        values = [_part_value(p, ledger, day, groups, memo) for p in part.parts]
        return part.compute(*values, groups=list(groups.labels))
    return TABLE_PARTS[part].compute(ledger, day, groups, Settings(), memo)


def _formula_values(
    ledger: ck.Ledger, kpi: KPI, periods: list[ck.Period], by: str | None, costs: dict[str, str]
) -> dict[tuple[int, Any], Any]:
    """The formula called with plain Decimals taken from the parts (whole tables key by key)."""
    groups = group_codes(ledger, by)
    digits = ledger.digits
    if _per_key(kpi):
        # a formula on whole tables (a survival estimate, a provision matrix, a forecast)
        out: dict[tuple[int, Any], Any] = {}
        for j, p in enumerate(periods):
            memo: dict[Any, Any] = {}
            values = [_part_value(a, ledger, to_day(p.end), groups, memo) for a in kpi.parts]
            cells = kpi.formula(*values)  # type: ignore[misc]
            for g, label in enumerate(groups.labels):
                value = cells[g]
                if kpi.unit == "money" and not (isinstance(value, float) and np.isnan(value)):
                    value = Decimal(int(value)).scaleb(-digits)
                out[(j, label)] = value
        return out
    names = [a for a in kpi.arguments if a not in ("countback_months", "costs")]
    if kpi.basis == "as_of":
        days = [to_day(p.end) for p in periods]
        parts: dict[str, Any] = snapshot_parts(ledger, days, groups, names)
    else:
        parts = period_parts(ledger, periods, groups, names)
    out = {}
    for j, _ in enumerate(periods):
        for g, label in enumerate(groups.labels):
            args: list[Any] = []
            for name in kpi.arguments:
                if name == "countback_months":
                    walk = countback_months(ledger, [periods[j].end], groups)[0]
                    args.append([(_scalar("sales", s[g], digits), d) for s, d in walk])
                elif name == "costs":
                    args.append(Decimal(costs[str(periods[j])]))
                elif name == "days":
                    args.append(periods[j].days)
                else:
                    args.append(_scalar(name, parts[name][j, g], digits))
            out[(j, label)] = args[0] if kpi.formula is None else kpi.formula(*args)
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[LedgerSpec, list[ck.Period], str | None]:
    spec = draw(ledger_specs(max_invoices=14, applied=True))
    periods = draw(st.lists(st.sampled_from(MONTHS), min_size=1, max_size=2, unique=True))
    by = draw(st.sampled_from([None, "country", "segment", "customer_id"]))
    return spec, periods, by


@settings(max_examples=25)
@given(cases())
def test_every_kpi_one_answer_through_every_path(
    case: tuple[LedgerSpec, list[ck.Period], str | None],
) -> None:
    spec, periods, by = case
    ledger = spec.build()
    costs = {str(p): "125.50" for p in periods}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summaries = [ckd.summarize(s.build(), periods, by=by) for s in spec.split_by_customer()]
        distributed = ckd.kpis(
            ckd.combine(summaries), costs=costs if by is None else None, money="decimal"
        )
        boards = (
            [ck.dashboard(ledger, p, costs=costs, money="decimal", trend_months=1) for p in periods]
            if by is None
            else []
        )
        have = inputs_of(ledger, costs)
        for kpi in KPIS.values():
            if "costs" in kpi.requires and by is not None:
                continue  # costs by group come as dated cost lines: tested in the metric's tests
            keys = periods if kpi.basis == "period" else [p.end for p in periods]
            if kpi.series:
                key: Any = keys if len(keys) > 1 else keys[0]
                got = _flatten(function_value(kpi, ledger, key, by=by, costs=costs), periods, by)
            else:  # one date at a time
                got = {}
                for j, one in enumerate(keys):
                    cells = _flatten(function_value(kpi, ledger, one, by=by), [periods[j]], by)
                    got.update({(j, g): v for (_, g), v in cells.items()})
            formula = _formula_values(ledger, kpi, periods, by, costs)
            if _per_key(kpi):
                # the function lists the groups with invoices; the others have nothing to say
                extra = set(formula) - set(got)
                assert all(same(formula[c], float("nan")) for c in extra), kpi.name
                formula = {c: v for c, v in formula.items() if c in got}
            assert set(formula) == set(got), kpi.name
            for cell, value in got.items():
                assert same(value, formula[cell]), (kpi.name, cell, value, formula[cell])
            for (j, group), value in got.items():
                other = distributed.loc[(str(periods[j]), group), kpi.name]
                assert same(value, other), (kpi.name, "distributed", group, value, other)
            if by is None and set(kpi.requires) <= have:
                for j, board in enumerate(boards):
                    row = board.kpis.at[kpi.name, "current"]
                    assert same(got[(j, "all")], row), (kpi.name, "dashboard", row)


# ----------------------------------------------------------------------------------
# the rule for undefined values, the same everywhere
# ----------------------------------------------------------------------------------


def _negative_sales_ledger() -> ck.Ledger:
    """March: one invoice of 100; April: no invoice and a credit note of 80 -> S(April) = -80."""
    return ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00")],
        [
            ck.Payment("F1", "2024-04-10", "80.00", kind="credit_note"),
            ck.Payment("F1", "2024-04-20", "10.00", kind="write_off"),
        ],
    )


SALES_RATIOS = ["dso", "best_possible_dso", "average_days_delinquent", "loss_rate"]


@pytest.mark.parametrize("name", SALES_RATIOS)
def test_negative_sales_are_undefined_through_every_path(name: str) -> None:
    """The issue's example: credit notes above the month's invoices give nan, never -45 days."""
    ledger = _negative_sales_ledger()
    kpi = KPIS[name]
    with pytest.warns(ck.UndefinedMetricWarning):
        direct = function_value(kpi, ledger, "2024-04")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = ckd.kpis(ckd.summarize(ledger, "2024-04"))
        board = ck.dashboard(ledger, "2024-04")
    assert np.isnan(direct)
    assert np.isnan(table.loc[("2024-04", "all"), name])
    assert np.isnan(board.kpis.at[name, "current"])
    sales = ck.sales(ledger, "2024-04")
    assert sales == Decimal("-80.00")


@pytest.mark.parametrize(
    ("formula", "args"),
    [
        (formulas.dso, (100, -80, 30)),
        (formulas.dso, (100, 0, 30)),
        (formulas.best_possible_dso, (100, -1, 30)),
        (formulas.average_days_delinquent, (100, 0, 30)),
        (formulas.loss_rate, (10, -80)),
        (formulas.bad_debt_to_sales, (10, 0)),
        (formulas.overdue_rate, (10, 0)),
        (formulas.overdue_rate, (10, -5)),
        (formulas.dispute_rate, (1, 0)),
        (formulas.provision_rate, (1, 0)),
        (formulas.recovery_rate, (0, 0)),
        (formulas.activation_rate, (0, 0)),
        (formulas.cost_per_euro, (10, 0)),
        (formulas.cei, (0, 0, 0, 0)),
        (formulas.mean_days, (0, 0)),
        (formulas.share_paid_late, (0, 0)),
    ],
)
def test_formulas_undefined_is_nan_and_one_warning(formula: Any, args: tuple[Any, ...]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = formula(*args)
    assert np.isnan(value)
    assert [w.category for w in caught] == [ck.UndefinedMetricWarning]


@pytest.mark.parametrize(
    ("formula", "args"),
    [
        (formulas.loss_rate, (float("nan"), 1)),
        (formulas.overdue_rate, (float("nan"), 1)),
        (formulas.dso, (float("nan"), 100, 30)),
        (formulas.cei, (float("nan"), 1, 1, 1)),
        (formulas.recovery_rate, (float("nan"), 1)),
        (formulas.bad_debt_to_sales, (float("nan"), 1)),
        (formulas.provision_rate, (float("nan"), 1)),
    ],
)
def test_formulas_nan_in_nan_out(formula: Any, args: tuple[Any, ...]) -> None:
    """The issue's example: ``loss_rate(nan, 1)`` raised while ``overdue_rate(nan, 1)`` gave nan."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = formula(*args)
    assert np.isnan(value) and caught == []


def test_formulas_take_decimals_ints_and_arrays_alike() -> None:
    assert formulas.dso(Decimal("800.00"), Decimal("600.00"), 30) == 40.0
    assert formulas.dso(80_000, 60_000, 30) == 40.0
    got = formulas.dso(np.array([80_000, 1]), np.array([60_000, 3]), np.array([30, 30]))
    assert got.tolist() == [40.0, 10.0]
    # exact: 1/3 of a cent is not lost
    assert formulas.recovery_rate(Decimal("0.03"), Decimal("0.02")) == float(Fraction(1, 3))


def test_docstrings_cite_the_documentation_not_internal_documents() -> None:
    root = Path(ck.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{k + 1}"
        for path in root.rglob("*.py")
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines())
        if re.search(r"SPEC §|seed 00\d", line)
    ]
    assert offenders == []


def test_options_are_keyword_only() -> None:
    for name, fn in _public_functions().items():
        params = list(inspect.signature(fn).parameters.values())
        positional = [
            p.name
            for p in params
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is not p.empty
        ]
        assert positional == [], f"{name} takes options positionally: {positional}"
