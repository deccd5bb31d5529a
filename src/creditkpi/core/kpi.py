"""The one computation path: what a KPI is, and one finisher per kind (value, table).

A KPI's spec (:class:`KPI` for one value per key and group, :class:`TableKPI`
for a table) lives beside its public function in its metric module; the
registry (:mod:`creditkpi.registry`) collects them. Every path reads the
same spec:

* :func:`evaluate` -- the KPI's parts from a :class:`~creditkpi.core.parts.source.PartSource`
  (a ledger's, or a combined summary's), finished by its formula: a
  ``(keys, groups)`` array (money in minor units);
* :func:`finish` -- a ledger function's result: the keys normalised
  (dates or periods), the parts of the ledger, :func:`evaluate`, and the
  result shaped by the KPI's unit (:func:`creditkpi.core.shapes.shape`);
* :func:`table_at` -- a table KPI at one key: its parts, its builder, money
  columns shaped once.

So the ledger function, the dashboard row and the distributed column of a
KPI are one computation on the same parts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, as_periods, check_money
from creditkpi.core.formatting import currency_label
from creditkpi.core.groups import By, group_codes
from creditkpi.core.ledger import INPUTS, Ledger
from creditkpi.core.money import CURRENCIES, money_values
from creditkpi.core.parts.settings import Settings
from creditkpi.core.parts.source import Derived, LedgerParts, Part, PartSource, part_name
from creditkpi.core.shapes import (
    EVERY_COLUMN,
    Money,
    Unit,
    date_index,
    own_unit,
    period_index,
    shape,
    shape_money_columns,
)

__all__ = [
    "ARGUMENT_INPUTS",
    "KPI",
    "SECTIONS",
    "Derived",
    "Settings",
    "TableKPI",
    "evaluate",
    "evaluate_many",
    "finish",
    "known_inputs",
    "ledger_parts",
    "row_currencies",
    "shared_table_at",
    "table_at",
]

#: dashboard sections, in order
SECTIONS = ("Position", "Activity", "Speed", "Collection", "Risk", "Currency")

#: optional inputs given as an argument (not held by the ledger)
ARGUMENT_INPUTS: Mapping[str, str] = MappingProxyType(
    {
        "costs": "no collection costs given: cost per euro collected is left out",
        "late_payment_law": "late-payment claims follow French law (the ECB rate + 10 points, "
        "40 € per late invoice): shown for a euro ledger or one translated with euro rates",
    }
)


def _no_options() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class KPI:
    """What one KPI is, and how it is computed from the additive parts.

    Attributes
    ----------
    name : str
        The KPI's one name (``"countback_dso"``): its dashboard row, its
        distributed column, its JSON key and, where the KPI has a function of
        its own, the function's name.
    label, label_fr : str
        Human-readable names, English and French.
    unit : {"money", "ratio", "days", "count", "money_per_money"}
        ``money``: an amount in the ledger's currency; ``ratio``: a fraction
        (0.4812, shown as 48.12 %); ``days``; ``count``; ``money_per_money``:
        an amount per unit of currency (cost per euro collected).
    better : {"higher", "lower"} or None
        Which direction is an improvement (``None``: neither).
    basis : {"as_of", "period"}
        A snapshot at an as-of date, or a figure over a period.
    section : str
        Dashboard section (one of :data:`SECTIONS`).
    parts : tuple
        The parts given, in order, to ``formula``: names of
        :mod:`creditkpi.core.parts.names` (snapshot parts for ``as_of`` KPIs,
        period parts for period KPIs, the countback months, the costs, table
        parts) or :class:`~creditkpi.core.parts.source.Derived` parts.
    formula : callable or None
        Finishes the KPI: ``formula(*parts)`` on ``(keys, groups)`` arrays
        when every part is an array, else once per key on each part's value
        at that key (one value per group). ``None``: the KPI is its one part.
    function : callable
        The public function of the ledger that computes it.
    page : str
        The documentation page defining it (relative to the docs root).
    definition : str
        What it measures, in one line for a reader of the report (the
        credit pack prints it under the KPI's label, linked to :attr:`page`).
    options : mapping
        Keyword arguments that make ``function`` compute this KPI (e.g.
        ``{"method": "countback"}``).
    field : str or None
        The field of ``function``'s result holding the KPI, when it returns
        several (``payment_delays``).
    requires : tuple of str
        Optional inputs it needs (:data:`creditkpi.core.ledger.INPUTS`,
        :data:`ARGUMENT_INPUTS`): without them the dashboard leaves the row
        out instead of showing a meaningless value.
    dashboard : str or None
        ``None`` when the dashboard has a row for it; otherwise why not.
    series : bool
        Whether ``function`` takes a list of dates or periods (a series).
    trend : bool
        In the dashboard's trend table (one value per month).
    by_group : bool
        In the dashboard's per-group table.
    block : str or None
        A block of rows within its dashboard section (``"Limits and
        cover"``), kept together in registry order; ``None``: none.
    headline : bool
        In the credit pack's summary in words (a sentence from its value,
        its change and its direction).
    """

    name: str
    label: str
    label_fr: str
    unit: Unit
    better: Literal["higher", "lower"] | None
    basis: Literal["as_of", "period"]
    section: str
    parts: tuple[Part, ...]
    formula: Callable[..., Any] | None
    function: Callable[..., Any]
    page: str
    definition: str = ""
    options: Mapping[str, Any] = field(default_factory=_no_options)
    field: str | None = None
    requires: tuple[str, ...] = ()
    dashboard: str | None = None
    series: bool = True
    trend: bool = False
    by_group: bool = False
    block: str | None = None
    headline: bool = False

    @property
    def arguments(self) -> tuple[str, ...]:
        """The names of :attr:`parts`, in order."""
        return tuple(part_name(p) for p in self.parts)

    def label_in(self, currency: str | None, *, french: bool = False) -> str:
        """The label shown for a book in ``currency`` (*cost per US dollar collected*).

        Examples
        --------
        >>> from creditkpi.registry import KPIS
        >>> KPIS["cost_per_euro"].label_in("USD"), KPIS["dso"].label_in("USD")
        ('Cost per US dollar collected', 'DSO (standard)')
        """
        return currency_label(self.label_fr if french else self.label, currency, french=french)


@dataclass(frozen=True, kw_only=True)
class TableKPI:
    """A KPI that is a table (aged balance, cohorts...): its parts and its builder.

    Attributes
    ----------
    name, label, label_fr : str
        As for :class:`KPI`.
    function : callable
        Its public function of the ledger.
    page : str
        Its documentation page.
    definition : str
        What it shows, in one line (as :attr:`KPI.definition`).
    parts : tuple
        The parts its builder reads (as :attr:`KPI.parts`).
    build : callable
        ``build(*values, groups=labels, settings=settings, **options)``: the
        table at one key from the values of :attr:`parts` at that key, money
        in integer minor units (in the columns :attr:`money` names).
    money : tuple of str or callable
        The money columns of the built table (or ``money(options)``, when the
        options decide it; ``("*",)``: every column); :func:`table_at` turns
        them into money once.
    native_money : tuple of str
        Money columns in each row's own transaction currency (its
        ``currency`` column, else the index level ``currency`` names it), in
        that currency's minor units: shaped with its minor unit.
    requires : tuple of str
        Optional inputs it needs (as :attr:`KPI.requires`).
    dashboard : str or None
        ``None`` when the dashboard shows it beside the previous date;
        otherwise why not.
    previous : {"rows", "column", "none"}
        How the dashboard shows the previous date: ``"rows"``, the two
        tables side by side (rows of either); ``"column"``, the previous
        value of :attr:`previous_column` for the current rows (the previous
        table taken over every row: ``top=None``); ``"none"``: the current
        table only, drawn as a chart rather than tabled.
    previous_column : str or None
        With ``previous="column"``: the column shown beside.
    distributed : str or None
        ``None`` when :func:`creditkpi.distributed.table` rebuilds it from a
        summary; otherwise why not.
    by_level : bool
        Whether the built table keeps a first ``group`` level (dropped
        without ``by``, named after ``by`` otherwise).
    by_group : callable or None
        Its columns in the dashboard's per-group table:
        ``by_group(ledger, as_of, by, money=...)`` -> a frame indexed by group.
    index : str
        The name of its index (a JSON record's key: ``"bucket"``, ``"status"``).
    periods : bool
        Whether its index holds calendar periods (read back as such from JSON).
    columns_name : str or None
        The name of its column axis when its columns are numbered (``"age"``).
    rows : bool
        Whether the built table has one row per group (its index: the
        group labels): the function's result is then those rows at each
        key, under the key and the groups (:func:`creditkpi.core.shapes.shape_rows`),
        and so is a distributed table.
    dashboard_options : mapping
        The builder's options the dashboard builds it with (its own view:
        the aged balance by bucket, beside the previous date).
    settings : mapping
        Fields of :class:`Settings` its parts are computed with (the
        dashboard's source for it), e.g. ``{"top_by": "overdue"}``.
    shared : Derived or None
        A family's intermediate that *is* this table with the registry's
        options (the provision matrix of the expected credit loss): the
        dashboard reads the table from it, on the source of its KPI rows, so
        the table and the KPIs finished from it are one computation per date.
    """

    name: str
    label: str
    label_fr: str
    function: Callable[..., Any]
    page: str
    definition: str = ""
    parts: tuple[Part, ...] = ()
    build: Callable[..., pd.DataFrame] | None = None
    money: tuple[str, ...] | Callable[[Mapping[str, Any]], tuple[str, ...]] = ()
    native_money: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    dashboard: str | None = None
    previous: Literal["rows", "column", "none"] = "rows"
    previous_column: str | None = None
    distributed: str | None = None
    by_level: bool = False
    by_group: Callable[..., pd.DataFrame] | None = None
    index: str = "key"
    periods: bool = False
    columns_name: str | None = None
    rows: bool = False
    dashboard_options: Mapping[str, Any] = field(default_factory=_no_options)
    settings: Mapping[str, Any] = field(default_factory=_no_options)
    shared: Derived | None = None

    @property
    def arguments(self) -> tuple[str, ...]:
        """The names of :attr:`parts`, in order."""
        return tuple(part_name(p) for p in self.parts)

    def money_columns(self, options: Mapping[str, Any]) -> tuple[str, ...]:
        """The money columns of the table built with ``options``."""
        return self.money(options) if callable(self.money) else self.money


# ----------------------------------------------------------------------------------
# the finishers
# ----------------------------------------------------------------------------------


def evaluate(kpi: KPI, source: PartSource) -> npt.NDArray[Any]:
    """The KPI for every key and group of ``source``: a ``(keys, groups)`` array.

    Money KPIs give minor units (int64, or object where some are undefined
    ``nan``), the others floats.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.groups import group_codes
    >>> from creditkpi.core.parts import LedgerParts
    >>> from creditkpi.registry import KPIS
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-01", "2024-05-31", "300.00")])
    >>> source = LedgerParts(ledger, group_codes(ledger, None), dates=[ck.Period.parse("2024-04").end])
    >>> evaluate(KPIS["overdue_rate"], source).tolist(), evaluate(KPIS["overdue"], source).tolist()
    ([[0.25]], [[10000]])
    """
    source.fetch(kpi.parts)
    if kpi.formula is None:
        return np.asarray(source.value(kpi.parts[0]), dtype=np.int64)
    values = [source.value(p) for p in kpi.parts]
    if not any(isinstance(v, list) for v in values):
        return np.asarray(kpi.formula(*values))
    rows = [kpi.formula(*(v[j] for v in values)) for j in range(source.n_keys)]
    return np.asarray(rows)


def evaluate_many(kpis: Sequence[KPI], source: PartSource) -> dict[str, npt.NDArray[Any]]:
    """:func:`evaluate` for several KPIs, their parts computed in one batch (and shared)."""
    source.fetch([p for k in kpis for p in k.parts])
    return {k.name: evaluate(k, source) for k in kpis}


def ledger_parts(
    ledger: Ledger,
    kpi: KPI,
    key: Any,
    *,
    by: By,
    settings: Settings | None = None,
    observed: Any = None,
    costs: Any = None,
) -> tuple[LedgerParts, pd.Index, bool]:
    """The parts of ``ledger`` at ``key`` (dates or periods, by the KPI's basis), per group."""
    if kpi.basis == "period":
        periods, single = as_periods(key)
        days = observed(periods) if callable(observed) else observed
        groups = group_codes(ledger, by)
        source = LedgerParts(
            ledger,
            groups,
            periods=periods,
            observed=days,
            costs=costs(periods, groups) if callable(costs) else costs,
            settings=settings,
        )
        return source, period_index(periods), single
    dates, single = as_dates(key)
    groups = group_codes(ledger, by)
    return LedgerParts(ledger, groups, dates=dates, settings=settings), date_index(dates), single


def finish(
    kpi: KPI,
    ledger: Ledger,
    key: Any,
    *,
    by: By = None,
    money: Money = "float",
    settings: Settings | None = None,
    observed: Any = None,
    costs: Any = None,
) -> Any:
    """A KPI of a ledger, shaped: what its public function returns.

    ``key`` is the as-of date(s) or the period(s) (by the KPI's basis); a
    list gives a series. ``observed`` and ``costs`` may be callables of
    ``(periods)`` and ``(periods, groups)`` giving the observation days and
    the costs part.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.registry import KPIS
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00")])
    >>> finish(KPIS["overdue"], ledger, "2024-04-30")  # what ck.overdue returns
    100.0
    """
    check_money(money)
    source, index, single = ledger_parts(
        ledger, kpi, key, by=by, settings=settings, observed=observed, costs=costs
    )
    values = evaluate(kpi, source)
    return shape(
        values,
        kpi.unit,
        index,
        source.groups,
        single=single,
        by=by,
        digits=source.digits,
        money=money,
        name=kpi.name,
    )


def table_at(
    table: TableKPI, source: PartSource, j: int, *, money: Money = "float", **options: Any
) -> pd.DataFrame:
    """A table KPI at key ``j`` of ``source``: its builder on its parts, money shaped once.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.groups import group_codes
    >>> from creditkpi.core.parts import LedgerParts
    >>> from creditkpi.registry import TABLES
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00")])
    >>> source = LedgerParts(ledger, group_codes(ledger, None), dates=[ck.Period.parse("2024-04").end])
    >>> table_at(TABLES["aging"], source, 0)  # the row ck.aging returns (indexed by date)
         not due   1-30  31-60  61-90  91+  total  unapplied
    all      0.0  100.0    0.0    0.0  0.0  100.0        0.0
    """
    assert table.build is not None, f"{table.name} has no builder"
    check_money(money)
    source.fetch(table.parts)
    values = [source.at(p, j) for p in table.parts]
    frame = table.build(*values, groups=list(source.labels), settings=source.settings, **options)
    shaped = shape_money_columns(frame, table.money_columns(options), source.digits, money)
    native = [column for column in table.native_money if column in shaped.columns]
    if native and len(shaped):
        codes = row_currencies(shaped)
        places = np.asarray([CURRENCIES[str(c)] for c in codes], dtype=np.int64)
        kind = np.dtype(object) if money == "decimal" else np.dtype(np.float64)
        for column in native:
            cents = shaped[column].to_numpy(dtype=np.int64)
            out: npt.NDArray[Any] = np.empty(cents.size, dtype=kind)
            for d in np.unique(places).tolist():
                rows = places == d
                out[rows] = money_values(cents[rows], int(d), money)
            shaped[column] = out
    own = getattr(getattr(source, "groups", None), "digits", None)
    if own and len(own) == 1 and money == "decimal":  # one group in a coarser currency
        named = table.money_columns(options)
        for column in shaped.columns if EVERY_COLUMN in named else named:
            if column in shaped.columns:
                fitted = [own_unit(v, own[0]) for v in shaped[column].tolist()]
                shaped[column] = np.asarray(fitted, dtype=object)
    return shaped


def row_currencies(frame: pd.DataFrame) -> pd.Index:
    """Each row's own transaction currency: its ``currency`` column, else index level.

    A table of items (the open items) says it in a column; a table per
    currency in its last index level named so (``by="currency"`` names
    another).
    """
    if "currency" in frame.columns:
        values: Any = frame["currency"].to_numpy(dtype=object)
    else:
        level = max(k for k, name in enumerate(frame.index.names) if name == "currency")
        values = frame.index.get_level_values(level).to_numpy(dtype=object)
    out: pd.Index = pd.Index(values, dtype=object)
    return out


def shared_table_at(
    table: TableKPI, source: PartSource, j: int, *, money: Money = "float"
) -> pd.DataFrame:
    """A table KPI at key ``j`` read from its shared intermediate (:attr:`TableKPI.shared`).

    The table with the registry's options, as the family's KPIs read it on
    the same source: computed once per key for both.
    """
    assert table.shared is not None, f"{table.name} has no shared intermediate"
    check_money(money)
    frame: pd.DataFrame = source.at(table.shared, j)
    return shape_money_columns(frame, table.money_columns({}), source.digits, money)


def known_inputs() -> set[str]:
    """The names an entry may list in ``requires``: the ledger's inputs and the arguments."""
    return set(INPUTS) | set(ARGUMENT_INPUTS)
