"""Expected credit loss: the IFRS 9 provision matrix, its total allowance and coverage.

IFRS 9 simplified approach (paragraph 5.5.15) with the provision matrix of
B5.5.35: historical loss rates per aging bucket (:func:`creditkpi.loss_rates`,
the arithmetic of :mod:`creditkpi.core.loss_history`), adjusted for
forward-looking information, applied to the aged balance; the table
disclosed under IFRS 7 paragraph 35N. See the *Expected credit loss
(provision matrix)* page of the documentation.

* :func:`provision_matrix` -- gross carrying amount per bucket at a date,
  historical and adjusted rates, allowance, total and coverage ratio;
* :func:`expected_credit_loss`, :func:`ecl_coverage` -- the total allowance
  and the coverage ratio as plain KPIs (a value, a series, per group), read
  off one matrix per date (:func:`provision_totals`);
* :func:`formula_provision_matrix` -- the arithmetic of the matrix on plain
  numbers;
* :func:`provision_matrix_from_parts` -- the matrix from the core's
  additive parts (:func:`creditkpi.core.exposure.carrying_amounts`,
  :func:`creditkpi.core.exposure.loss_exposure`).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_flag, check_money, check_option, check_whole
from creditkpi.core.engine import bucket_labels, check_edges
from creditkpi.core.errors import DataQualityWarning, InvalidOptionError
from creditkpi.core.exposure import DOUBTFUL
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, TableKPI, evaluate, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.loss_history import (
    GRID_COLUMNS,
    METHODS,
    Method,
    edges_of,
    loss_grid,
    rate_terms,
    warn_falling,
)
from creditkpi.core.parts import Derived, LedgerParts, Settings
from creditkpi.core.provision_matrix import (
    TOTAL,
    allowance_table,
    fractions,
    matrix_of_numbers,
    rate_labels,
    rates_at,
    read_factors,
    read_rates,
)
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import (
    Money,
    MoneyResult,
    RatioResult,
    date_index,
    name_groups,
    shape,
    shape_money_columns,
    stack_dates,
)

__all__ = [
    "DOUBTFUL",
    "ECL_COVERAGE",
    "EXPECTED_CREDIT_LOSS",
    "KPIS",
    "MATRIX_COLUMNS",
    "PROVISION_MATRIX",
    "TABLES",
    "TOTAL",
    "ecl_coverage",
    "expected_credit_loss",
    "formula_ecl_coverage",
    "formula_expected_credit_loss",
    "formula_provision_matrix",
    "matrix_table",
    "provision_matrices",
    "provision_matrix",
    "provision_matrix_from_parts",
    "provision_totals",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: columns of :func:`provision_matrix`
MATRIX_COLUMNS = ("gross", "rate", "adjusted_rate", "allowance", "coverage", "invoices")

#: its money columns
_MONEY = ("gross", "allowance")

_DEFAULT_EDGES = (30, 60, 90)


# ----------------------------------------------------------------------------------
# reading arguments
# ----------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------
# the matrix from additive parts
# ----------------------------------------------------------------------------------


def matrix_table(
    carrying: pd.DataFrame,
    exposure: pd.DataFrame | None = None,
    *,
    groups: Sequence[object] | None = None,
    settings: Settings | None = None,
    rates: Any = None,
    method: Method = "cohort",
    adjustment: Any = 1.0,
    by: By = None,
) -> pd.DataFrame:
    """The provision matrix per group from its parts, money in minor units.

    The builder of :data:`PROVISION_MATRIX` (see
    :func:`provision_matrix_from_parts`); ``settings.exclude_doubtful``
    shows the doubtful row.
    """
    check_option("method", method, METHODS)
    doubtful = settings.exclude_doubtful if settings is not None else True
    del groups
    found = list(dict.fromkeys(carrying.index.get_level_values("group")))
    all_rows = list(dict.fromkeys(carrying.index.get_level_values("bucket")))
    labels = [r for r in all_rows if r != DOUBTFUL]
    table = carrying.reindex(pd.MultiIndex.from_product([found, [*labels, DOUBTFUL]]), fill_value=0)
    values = {
        col: table[col].to_numpy(dtype=np.int64).reshape(len(found), len(labels) + 1)
        for col in ("gross", "provision", "invoices")
    }
    shape_ = (len(found), len(labels))
    if exposure is not None:
        _, _, grid = loss_grid(exposure, GRID_COLUMNS, labels, found)
        num, den = rate_terms(grid, method)
        warn_falling(
            ratio(num, den, what="loss rate (no exposure entered the bucket)"), labels, found
        )
        rate_num = np.asarray(num, dtype=object)
        rate_den = np.where(np.asarray(den > 0, dtype=bool), np.asarray(den, dtype=object), 0)
    elif rates is not None:
        rows = read_rates(rates, labels, pd.Index(found, dtype=object), by)
        rate_num, rate_den = fractions([r for row in rows for r in row], shape_)
    else:
        raise InvalidOptionError("give either exposure parts or rates", column="rates")
    factors = read_factors(adjustment, labels)
    data, row_labels = allowance_table(
        values["gross"][:, :-1],
        1,
        values["invoices"][:, :-1],
        rate_num,
        rate_den,
        factors,
        labels,
        (values["gross"][:, -1], values["provision"][:, -1], values["invoices"][:, -1])
        if doubtful
        else None,
    )
    index = pd.MultiIndex.from_product(
        [pd.Index(found, dtype=object), pd.Index(row_labels, dtype=object)],
        names=["group", "bucket"],
    )
    return pd.DataFrame(data, index=index)


def provision_matrix_from_parts(
    carrying: pd.DataFrame,
    *,
    exposure: pd.DataFrame | None = None,
    rates: Any = None,
    method: Method = "cohort",
    adjustment: Any = 1.0,
    doubtful: bool = True,
    digits: int = 2,
    money: Money = "float",
    by: By = None,
) -> pd.DataFrame:
    """The provision matrix per group from additive parts.

    The finisher of :func:`provision_matrix`: ``carrying`` from
    :func:`creditkpi.core.exposure.carrying_amounts` and either the
    ``exposure`` parts of :func:`creditkpi.core.exposure.loss_exposure`
    (rates computed from them, exactly) or ``rates`` given as in
    :func:`provision_matrix`. Parts summed over disjoint ledgers give the
    matrix of their union.

    Parameters
    ----------
    carrying : DataFrame
        Indexed by ``(group, bucket)``, rows = buckets then ``"doubtful"``.
    exposure : DataFrame, optional
    rates : mapping, sequence, Series or DataFrame, optional
    method : {"cohort", "roll_rate"}, default "cohort"
        How rates are computed from ``exposure``.
    adjustment : number, per-bucket factors or [(weight, factor), ...], default 1.0
    doubtful : bool, default True
        Show the ``"doubtful"`` row (and count it in the total).
    digits : int, default 2
    money : {"float", "decimal"}, default "float"
    by : str or list of str, optional
        Name of the grouping, for the error messages about per-group rates.

    Returns
    -------
    DataFrame
        Indexed by ``(group, bucket)`` with rows = buckets, ``"doubtful"``
        (when ``doubtful``) and ``"total"``; columns :data:`MATRIX_COLUMNS`.
    """
    check_money(money)
    table = matrix_table(
        carrying,
        exposure,
        settings=Settings(exclude_doubtful=doubtful),
        rates=rates,
        method=method,
        adjustment=adjustment,
        by=by,
    )
    return shape_money_columns(table, _MONEY, digits, money)


# ----------------------------------------------------------------------------------
# ledger KPIs
# ----------------------------------------------------------------------------------


def _edges(buckets: Sequence[int] | None, rates: Any) -> tuple[int, ...]:
    """The bucket edges: ``buckets``, else those the rates are labelled with, else the default."""
    if buckets is not None:
        return check_edges(buckets)
    found = rate_labels(rates)
    return _DEFAULT_EDGES if found is None else edges_of(found)


def _by_date(
    ledger: Ledger,
    as_of: Any,
    rates: Any,
    adjustment: Any,
    exclude_doubtful: Any,
    buckets: Sequence[int] | None,
    by: By,
) -> tuple[list[date], bool, list[LedgerParts], list[Any]]:
    """Validated options and, per date, the ledger's parts and the rates of that date."""
    check_flag("exclude_doubtful", exclude_doubtful)
    edges = _edges(buckets, rates)
    read_factors(adjustment, bucket_labels(edges))  # validate before any computation
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    settings = Settings(edges=edges, exclude_doubtful=bool(exclude_doubtful))
    sources = [LedgerParts(ledger, groups, dates=[d], settings=settings) for d in dates]
    given = [None if rates is None else rates_at(rates, d) for d in dates]
    return dates, single, sources, given


def provision_matrix(
    ledger: Ledger,
    as_of: Any,
    *,
    rates: Any = None,
    adjustment: Any = 1.0,
    exclude_doubtful: bool = True,
    buckets: Sequence[int] | None = None,
    by: By = None,
    money: Money = "float",
) -> pd.DataFrame:
    """IFRS 9 provision matrix at ``as_of``: gross amount, rates and allowance per aging bucket.

    The table of IFRS 7 paragraph 35N for trade receivables under the
    simplified approach of IFRS 9 (5.5.15, B5.5.35). See the *Expected credit
    loss (provision matrix)* page of the documentation.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list stacks the matrices under an ``as_of`` level.
    rates : mapping, sequence, Series or DataFrame, optional
        Historical loss rates (fractions) per bucket. ``None`` (default):
        :func:`loss_rates` of the ledger at ``as_of`` (cohort method,
        ``default_after=365``, per group with ``by``), used exactly. A
        mapping ``{"not due": 0.003, ...}``, a sequence in bucket order, or a
        :func:`loss_rates` table (its ``loss_rate`` column; per group when
        indexed by ``(group, bucket)``; per date when it has an ``as_of``
        level). Floats are read as the decimal they print as (``0.003`` is
        exactly 3/1000).
    adjustment : number, per-bucket factors, or list of (weight, factor), default 1.0
        Forward-looking adjustment: one factor for every bucket, one per
        bucket (mapping by label or sequence), or weighted scenarios
        ``[(0.6, 1.0), (0.4, 1.5)]`` whose weights sum to 1 (the factor is
        ``Σ w × f``; each ``f`` one number or one per bucket).
    exclude_doubtful : bool, default True
        Leave out of the buckets the invoices classified doubtful with their
        own provision (``ck.Doubtful`` with a provision amount) and show them
        on a ``"doubtful"`` row with that provision as allowance, so nothing
        is provided twice.
    buckets : sequence of int, optional
        Bucket upper bounds in days past due; by default those the ``rates``
        are labelled with, else ``(30, 60, 90)``.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: one matrix per group.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    DataFrame
        Indexed by ``bucket`` (``(by, bucket)`` with ``by``): the buckets,
        ``"doubtful"`` (with ``exclude_doubtful``) and ``"total"``. Columns:
        ``gross`` (gross carrying amount: positive balances at ``as_of``,
        credit balances and unapplied cash excluded), ``rate`` (historical),
        ``adjusted_rate`` (``min(1, rate × factor)``), ``allowance`` (gross ×
        adjusted rate, rounded half up to the minor unit; the doubtful
        row's own provisions; the total of the rows), ``coverage``
        (allowance / gross; the total's is the coverage ratio, lower is
        better) and ``invoices`` (open invoices).

    Raises
    ------
    InvalidOptionError
        Rates or factors not matching the buckets, negative or not numbers;
        scenario weights not summing to 1; unknown ``by`` or ``money``.

    Warns
    -----
    UndefinedMetricWarning
        A bucket without history (rate ``nan``; its allowance is ``nan``
        unless its gross amount is 0), or a group with no gross amount.
    DataQualityWarning
        Computed rates fall from a bucket to an older one.

    Notes
    -----
    ``allowance_k = round(gross_k × min(1, rate_k × factor_k))``;
    ``ECL = Σ_k allowance_k + Σ provisions of the doubtful row``;
    ``coverage = ECL / Σ gross``.

    Examples
    --------
    The illustrative provision matrix of IFRS 9 (IE74-IE77), on a ledger
    whose aged balance is its gross amounts:

    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records([
    ...     ck.Invoice("A", "C1", "2024-12-01", "2025-01-15", "15000000"),
    ...     ck.Invoice("B", "C1", "2024-11-15", "2024-12-15", "7500000"),
    ...     ck.Invoice("C", "C1", "2024-10-15", "2024-11-15", "4000000"),
    ...     ck.Invoice("D", "C1", "2024-09-15", "2024-10-15", "2500000"),
    ...     ck.Invoice("E", "C1", "2024-08-01", "2024-08-31", "1000000")])
    >>> rates = {"not due": 0.003, "1-30": 0.016, "31-60": 0.036, "61-90": 0.066, "91+": 0.106}
    >>> ck.provision_matrix(ledger, "2024-12-31", rates=rates, exclude_doubtful=False)[
    ...     ["gross", "allowance"]]
                  gross  allowance
    bucket
    not due  15000000.0    45000.0
    1-30      7500000.0   120000.0
    31-60     4000000.0   144000.0
    61-90     2500000.0   165000.0
    91+       1000000.0   106000.0
    total    30000000.0   580000.0
    """
    dates, single, sources, given = _by_date(
        ledger, as_of, rates, adjustment, exclude_doubtful, buckets, by
    )
    check_money(money)
    tables = []
    for source, one in zip(sources, given, strict=True):
        table = PROVISION_MATRIX if one is None else _GIVEN_RATES
        tables.append(
            table_at(table, source, 0, money=money, rates=one, adjustment=adjustment, by=by)
        )
    shaped = [
        t.droplevel("group") if by is None else t.set_axis(name_groups(t.index, by)) for t in tables
    ]
    out: pd.DataFrame = stack_dates(shaped, dates, single)
    return out


# ----------------------------------------------------------------------------------
# one matrix per date, read by the expected credit loss and its coverage
# ----------------------------------------------------------------------------------


def _matrix(
    carrying: pd.DataFrame,
    exposure: pd.DataFrame | None = None,
    *,
    groups: Sequence[object],
    rates: Any,
    adjustment: Any,
    exclude_doubtful: bool,
    by: By,
    quiet: bool,
) -> pd.DataFrame:
    """The provision matrix of every group at one date (money in minor units; empty: nothing open)."""
    del groups
    if not len(carrying):
        index = pd.MultiIndex.from_arrays([[], []], names=["group", "bucket"])
        return pd.DataFrame(columns=list(MATRIX_COLUMNS), index=index)
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore", DataQualityWarning)
        return matrix_table(
            carrying,
            exposure,
            settings=Settings(exclude_doubtful=exclude_doubtful),
            rates=rates,
            adjustment=adjustment,
            by=by,
        )


def _total_rows(matrix: pd.DataFrame, *, groups: Sequence[object]) -> pd.DataFrame:
    """The ``total`` row of the matrix of each of ``groups``: allowance (minor units), coverage."""
    index = pd.Index(list(groups), dtype=object)
    if not len(matrix):
        return pd.DataFrame({"allowance": np.nan, "coverage": np.nan}, index=index)
    rows = matrix[matrix.index.get_level_values("bucket") == TOTAL].droplevel("bucket")
    total: pd.DataFrame = rows.reindex(index)
    return total


def provision_matrices(
    rates: Any = None,
    adjustment: Any = 1.0,
    *,
    exclude_doubtful: bool = True,
    by: By = None,
    quiet: bool = False,
) -> Derived:
    """The derived part: the provision matrix per group, once per date.

    Rates from the history (``rates=None``: the carrying amounts and the
    loss exposure) or given; ``quiet`` silences the falling-rates warning.
    """
    parts = ("carrying_amounts",) if rates is not None else ("carrying_amounts", "loss_exposure")
    return Derived(
        name=f"provision_matrix({id(rates)}, {adjustment!r}, {exclude_doubtful}, {by}, {quiet})",
        parts=parts,
        compute=partial(
            _matrix,
            rates=rates,
            adjustment=adjustment,
            exclude_doubtful=exclude_doubtful,
            by=by,
            quiet=quiet,
        ),
        description="the provision matrix per group (money in minor units)",
    )


def provision_totals(
    rates: Any = None,
    adjustment: Any = 1.0,
    *,
    exclude_doubtful: bool = True,
    by: By = None,
    quiet: bool = False,
) -> Derived:
    """The derived part: the total row of :func:`provision_matrices` per group (allowance, coverage)."""
    matrices = provision_matrices(
        rates, adjustment, exclude_doubtful=exclude_doubtful, by=by, quiet=quiet
    )
    return Derived(
        name=f"provision_totals[{matrices.name}]",
        parts=(matrices,),
        compute=_total_rows,
        description="the total row of the provision matrix per group (allowance, coverage)",
    )


#: the matrix the registry's KPIs and the dashboard's table read (rates from the history,
#: no adjustment): one per date
PROVISION_MATRICES = provision_matrices(quiet=True)

#: its totals (the expected credit loss and its coverage)
PROVISION_TOTALS = provision_totals(quiet=True)

PROVISION_MATRIX = TableKPI(
    name="provision_matrix",
    label="Provision matrix (IFRS 9)",
    label_fr="Matrice de dépréciation (IFRS 9)",
    function=provision_matrix,
    page="kpis/provision-matrix.md",
    parts=("carrying_amounts", "loss_exposure"),
    build=matrix_table,
    money=_MONEY,
    previous="none",
    by_level=True,
    index="bucket",
    shared=PROVISION_MATRICES,
    definition="Gross amount, historical loss rate and allowance per aging bucket "
    "(IFRS 7.35N); its total is the expected credit loss.",
)

#: ``provision_matrix(..., rates=...)``: the same builder on the carrying amounts only
_GIVEN_RATES = replace(PROVISION_MATRIX, parts=("carrying_amounts",))


def formula_expected_credit_loss(totals: pd.DataFrame) -> npt.NDArray[Any]:
    """Expected credit loss per group, in minor units, from the matrix's total rows.

    The finisher of ``expected_credit_loss`` (:func:`provision_totals`).

    Returns
    -------
    ndarray of object
        One value per group: int minor units, or ``nan`` when undefined (a
        bucket holding a balance has no rate in the matrix).
    """
    out = np.full(len(totals), np.nan, dtype=object)
    for k, value in enumerate(totals["allowance"].tolist()):
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            out[k] = int(value)
    return out


def formula_ecl_coverage(totals: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Coverage ratio (allowance / gross carrying amount) per group, from the matrix's total rows.

    ``nan`` where undefined (see :func:`formula_expected_credit_loss`).
    """
    return np.asarray(totals["coverage"].astype(np.float64).to_numpy(), dtype=np.float64)


def _total_kpi(
    kpi: KPI,
    ledger: Ledger,
    as_of: Any,
    rates: Any,
    adjustment: Any,
    exclude_doubtful: Any,
    buckets: Sequence[int] | None,
    by: By,
    money: Money,
) -> Any:
    """ECL or coverage of the matrices at ``as_of``: one matrix per date."""
    check_money(money)
    dates, single, sources, given = _by_date(
        ledger, as_of, rates, adjustment, exclude_doubtful, buckets, by
    )
    rows = []
    for source, one in zip(sources, given, strict=True):
        totals = provision_totals(one, adjustment, exclude_doubtful=bool(exclude_doubtful), by=by)
        rows.append(evaluate(replace(kpi, parts=(totals,)), source)[0])
    return shape(
        np.asarray(rows),
        kpi.unit,
        date_index(dates),
        sources[0].groups,
        single=single,
        by=by,
        digits=ledger.digits,
        money=money,
        name=kpi.name,
    )


def expected_credit_loss(
    ledger: Ledger,
    as_of: Any,
    *,
    rates: Any = None,
    adjustment: Any = 1.0,
    exclude_doubtful: bool = True,
    buckets: Sequence[int] | None = None,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    r"""Expected credit loss (lifetime, simplified approach): the provision matrix's total allowance.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        A list gives a Series indexed by date.
    rates, adjustment, exclude_doubtful, buckets : optional
        As in :func:`provision_matrix`.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: a Series by group.
    money : {"float", "decimal"}, default "float"
        Amounts as numbers (``float``, the default) or exact ``Decimal``\ s, a
        single amount as a Series or a DataFrame.

    Returns
    -------
    float, Decimal, Series or DataFrame
        The allowance in the ledger's currency (``NaN`` when a bucket
        holding a balance has no rate).

    Raises
    ------
    InvalidOptionError
        As :func:`provision_matrix`.

    Warns
    -----
    UndefinedMetricWarning
        As :func:`provision_matrix`.

    Notes
    -----
    ``ECL(T) = Σ_k round(gross_k(T) × min(1, rate_k × factor_k))`` plus the
    doubtful invoices' own provisions. See the *Expected credit loss (provision matrix)* page of
    the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-11-01", "2024-11-30", "1000.00")])
    >>> ck.expected_credit_loss(ledger, "2024-12-31", rates=[0.01, 0.02, 0.05, 0.1, 0.5])
    50.0
    """
    result: MoneyResult = _total_kpi(
        EXPECTED_CREDIT_LOSS, ledger, as_of, rates, adjustment, exclude_doubtful, buckets, by, money
    )
    return result


def ecl_coverage(
    ledger: Ledger,
    as_of: Any,
    *,
    rates: Any = None,
    adjustment: Any = 1.0,
    exclude_doubtful: bool = True,
    buckets: Sequence[int] | None = None,
    by: By = None,
) -> RatioResult:
    """Coverage ratio of the expected credit loss: allowance / gross carrying amount.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
    rates, adjustment, exclude_doubtful, buckets : optional
        As in :func:`provision_matrix`.
    by : str or list of str, optional

    Returns
    -------
    float, Series or DataFrame
        A fraction in [0, 1]; lower is better (a safer book). ``nan`` when
        nothing is receivable.

    Raises
    ------
    InvalidOptionError
        As :func:`provision_matrix`.

    Warns
    -----
    UndefinedMetricWarning
        No gross carrying amount, or as :func:`provision_matrix`.

    Notes
    -----
    ``coverage(T) = ECL(T) / Σ gross(T)`` (doubtful row included in both).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-11-01", "2024-11-30", "1000.00"),
    ...      ck.Invoice("F2", "C1", "2024-12-15", "2025-01-14", "1000.00")])
    >>> ck.ecl_coverage(ledger, "2024-12-31", rates=[0.01, 0.02, 0.05, 0.1, 0.5])
    0.03
    """
    result: RatioResult = _total_kpi(
        ECL_COVERAGE, ledger, as_of, rates, adjustment, exclude_doubtful, buckets, by, "float"
    )
    return result


EXPECTED_CREDIT_LOSS = KPI(
    name="expected_credit_loss",
    label="Expected credit loss",
    label_fr="Pertes de crédit attendues",
    unit="money",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=(PROVISION_TOTALS,),
    formula=formula_expected_credit_loss,
    function=expected_credit_loss,
    page="kpis/provision-matrix.md",
    definition="Lifetime expected credit loss on the receivables (IFRS 9): the provision "
    "matrix's total allowance.",
    headline=True,
)

ECL_COVERAGE = KPI(
    name="ecl_coverage",
    label="ECL coverage ratio",
    label_fr="Taux de couverture des pertes attendues",
    unit="ratio",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=(PROVISION_TOTALS,),
    formula=formula_ecl_coverage,
    function=ecl_coverage,
    page="kpis/provision-matrix.md",
    definition="Expected credit loss as a share of the gross receivables it covers.",
)


# ----------------------------------------------------------------------------------
# pure formula
# ----------------------------------------------------------------------------------


def formula_provision_matrix(
    balances: Any,
    rates: Any,
    adjustment: Any = 1.0,
    *,
    digits: int = 2,
    money: Money = "float",
) -> pd.DataFrame:
    """The provision matrix arithmetic on plain numbers: gross × adjusted rate = allowance.

    Parameters
    ----------
    balances : mapping or sequence of numbers
        Gross carrying amount per bucket (``>= 0``), keyed by bucket label
        (any labels) or in order.
    rates : mapping or sequence of numbers
        Loss rate (fraction) per bucket, keyed like ``balances`` or in
        order; ``nan`` for none. Floats are read as the decimal they print as.
    adjustment : number, per-bucket factors or [(weight, factor), ...], default 1.0
        As in :func:`provision_matrix`.
    digits : int, default 2
        Allowances are rounded half up to ``10**-digits``.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    DataFrame
        Indexed by ``bucket`` (the labels, or 0, 1, ...) plus ``"total"``;
        columns ``gross``, ``rate``, ``adjusted_rate``, ``allowance``,
        ``coverage``.

    Raises
    ------
    InvalidValueError
        A negative or non-numeric balance.
    InvalidOptionError
        Rates or factors not matching the buckets; scenario weights not
        summing to 1.

    Warns
    -----
    UndefinedMetricWarning
        The balances are all 0 (no coverage ratio).

    Notes
    -----
    ``allowance_k = gross_k × min(1, rate_k × factor)`` and
    ``coverage = Σ allowance / Σ gross``. See the *Expected credit loss (provision matrix)* page of
    the documentation.

    Examples
    --------
    IFRS 9, illustrative example of a provision matrix (IE74-IE77):

    >>> m = formula_provision_matrix(
    ...     {"current": 15_000_000, "1-30": 7_500_000, "31-60": 4_000_000,
    ...      "61-90": 2_500_000, "90+": 1_000_000},
    ...     [0.003, 0.016, 0.036, 0.066, 0.106])
    >>> m["allowance"].tolist()
    [45000.0, 120000.0, 144000.0, 165000.0, 106000.0, 580000.0]
    >>> round(float(m.loc["total", "coverage"]), 6)
    0.019333
    """
    check_money(money)
    check_whole("digits", digits)
    frame = matrix_of_numbers(balances, rates, adjustment, int(digits))
    return shape_money_columns(frame, _MONEY, int(digits), money)


#: the value KPIs and the table KPIs of this module (the registry collects them)
KPIS = (EXPECTED_CREDIT_LOSS, ECL_COVERAGE)
TABLES = (PROVISION_MATRIX,)
