"""Credit exposure per customer beside its credit limit and insurance cover, and limit-use bands.

Depends only on :mod:`creditkpi.core`: every customer's figures come from
:func:`creditkpi.core.credit.credit_position`, kept as one row per customer
(the ``credit_exposure`` table part, additive over customers) and read by
:func:`credit_exposure` and :func:`limit_bands`. The portfolio KPIs
(``over_limit``...) are in :mod:`creditkpi.metrics.limits`. See the *Limits
and cover* page of the documentation.

Output schemas (money numeric by default, exact ``Decimal`` with
``money="decimal"``):

* :func:`credit_exposure` -- one row per customer (index ``customer_id``);
* :func:`limit_bands` -- one row per band of limit use (index ``band``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_money
from creditkpi.core.credit import DEADLINE_WARNING_DAYS, Unapplied, check_unapplied
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import By, by_names, group_codes
from creditkpi.core.kpi import TableKPI, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import LedgerParts, Settings
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import Money, name_groups, stack_dates

__all__ = [
    "BAND_THRESHOLDS",
    "CREDIT_EXPOSURE",
    "EXPOSURE_COLUMNS",
    "LIMIT_BANDS",
    "TABLES",
    "band_labels",
    "bands_table",
    "credit_exposure",
    "exposure_table",
    "limit_bands",
]

IntArray = npt.NDArray[np.int64]

#: the alert thresholds of limit use (fractions of the limit): 50, 70, 90 and 100 %
BAND_THRESHOLDS: tuple[float, ...] = (0.5, 0.7, 0.9, 1.0)

#: the columns of :func:`credit_exposure`, in order
EXPOSURE_COLUMNS = (
    "exposure",
    "limit",
    "utilisation",
    "over_limit",
    "cover_limit",
    "covered",
    "uncovered",
    "past_deadline",
    f"deadline_within_{DEADLINE_WARNING_DAYS}_days",
)
_EXPOSURE_MONEY = tuple(c for c in EXPOSURE_COLUMNS if c != "utilisation")

_PAGE = "kpis/limits-and-cover.md"


def _settings(unapplied: Any) -> Settings:
    return Settings(unapplied=check_unapplied(unapplied))


def credit_exposure(
    ledger: Ledger,
    as_of: Any,
    *,
    by: By = None,
    unapplied: Unapplied = "net",
    money: Money = "float",
) -> pd.DataFrame:
    """One row per customer: exposure, credit limit and insurance cover at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        Limits and cover are optional: without them the table still gives
        every customer's exposure.
    as_of : date, str or list of them
        End-of-day cut-off. A list gives one table per date, stacked under
        an outer index level ``as_of``.
    by : str or list of str, optional
        Invoice attributes: outer index levels with each customer's group
        (the values of its latest invoice); ``"customer_id"`` adds nothing
        (it is already the index) and is left out of a list.
    unapplied : {"net", "gross"}, default "net"
        Exposure with each customer's unapplied credits netted, or not.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    DataFrame
        Index ``customer_id`` (sorted): the customers at T with an exposure,
        a limit or an active cover. Columns (money in the ledger's
        currency):

        - ``exposure``: ``E_c(T)``, open receivables net of unapplied
          credits, floored at 0;
        - ``limit``: ``L_c(T)``, the last credit limit dated on or before T
          (``nan`` without); ``utilisation`` = exposure / limit (``nan``
          without a limit, or for a limit of 0); ``over_limit`` =
          ``max(0, exposure - limit)`` (0 without a limit);
        - ``cover_limit``: the amounts of the covers active at T (``nan``
          when uninsured); ``covered`` = ``min(exposure, cover amount) ×
          share`` per cover layer; ``uncovered`` = exposure - covered;
        - ``past_deadline``: open balance of insured invoices past their
          declaration deadline; ``deadline_within_15_days``: those whose
          deadline falls in the next 15 days (T to T + 15).

        Sort it as any frame (``.sort_values("over_limit", ascending=False)``).

    Warns
    -----
    UndefinedMetricWarning
        When a customer's limit is 0 and it owes something: its
        ``utilisation`` is ``nan`` (it is over its limit by all it owes).

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "1200.00"),
    ...      ck.Invoice("F2", "B", "2024-03-31", "2024-04-30", "300.00")],
    ...     limits=[ck.CreditLimit("A", "2024-01-01", "1000")],
    ...     cover=[ck.Cover("A", "2024-01-01", "800", share="0.9", declare_within=60)])
    >>> ck.credit_exposure(ledger, "2024-03-31")[["exposure", "limit", "over_limit", "covered"]]
                 exposure   limit  over_limit  covered
    customer_id
    A              1200.0  1000.0       200.0    720.0
    B               300.0     NaN         0.0      0.0
    """
    check_money(money)
    settings = _settings(unapplied)
    dates, single = as_dates(as_of)
    names = [n for n in by_names(by) if n not in ("customer_id", "customer")]
    by = None if not names else names[0] if len(names) == 1 else names
    groups = group_codes(ledger, by)
    source = LedgerParts(ledger, groups, dates=dates, settings=settings)
    tables = [
        _by_level(table_at(CREDIT_EXPOSURE, source, j, money=money), by) for j in range(len(dates))
    ]
    result: pd.DataFrame = stack_dates(tables, dates, single)
    return result


def _by_level(table: pd.DataFrame, by: By) -> pd.DataFrame:
    """The builder's ``group`` level: dropped without ``by``, named after it (one per column)."""
    if by is None:
        return table.droplevel("group")
    return table.set_axis(name_groups(table.index, by))


def exposure_table(
    rows: pd.DataFrame, *, groups: Sequence[object], settings: Settings
) -> pd.DataFrame:
    """The credit-exposure table from the ``credit_exposure`` part (minor units).

    ``rows`` is indexed by ``(group, customer_id)`` with the int64 columns
    of :data:`creditkpi.core.parts.tables.CREDIT_COLUMNS` (possibly the rows
    of several partitions); the result keeps the ``group`` level.
    """
    del groups, settings
    rows = rows.sort_index(level="customer_id", sort_remaining=False) if len(rows) else rows
    exposure = rows["exposure"].to_numpy(dtype=np.int64)
    limit = rows["limit"].to_numpy(dtype=np.int64)
    has_limit = rows["has_limit"].to_numpy(dtype=np.int64) > 0
    insured = rows["insured"].to_numpy(dtype=np.int64) > 0
    covered = rows["covered"].to_numpy(dtype=np.int64)
    use = np.full(exposure.size, np.nan)
    if has_limit.any():
        use[has_limit] = ratio(
            exposure[has_limit], limit[has_limit], what="limit utilisation (limit of 0)"
        )
    soon = f"deadline_within_{DEADLINE_WARNING_DAYS}_days"
    data: dict[str, Any] = {
        "exposure": exposure,
        "limit": _where(has_limit, limit),
        "utilisation": use,
        "over_limit": np.where(has_limit, np.maximum(exposure - limit, 0), 0),
        "cover_limit": _where(insured, rows["cover_limit"].to_numpy(dtype=np.int64)),
        "covered": covered,
        "uncovered": exposure - covered,
        "past_deadline": rows["past_deadline"].to_numpy(dtype=np.int64),
        soon: rows["deadline_soon"].to_numpy(dtype=np.int64),
    }
    index = pd.MultiIndex.from_arrays(
        [
            pd.Index(rows.index.get_level_values("group"), dtype=object),
            pd.Index(rows.index.get_level_values("customer_id"), dtype=object),
        ],
        names=["group", "customer_id"],
    )
    return pd.DataFrame(data, index=index, columns=list(EXPOSURE_COLUMNS))


def _where(mask: npt.NDArray[np.bool_], cents: IntArray) -> npt.NDArray[Any]:
    """Minor units where ``mask``, ``None`` (no amount: shaped as ``nan``) elsewhere."""
    out = np.empty(cents.size, dtype=object)
    out[:] = None
    out[mask] = cents[mask].tolist()
    return out


CREDIT_EXPOSURE = TableKPI(
    definition="Each customer's exposure beside its credit limit and its insurance cover.",
    name="credit_exposure",
    label="Credit exposure, limits and cover",
    label_fr="Encours, encours autorisés et assurance-crédit",
    function=credit_exposure,
    page=_PAGE,
    parts=("credit_exposure",),
    build=exposure_table,
    money=_EXPOSURE_MONEY,
    by_level=True,
    index="customer_id",
    dashboard="one row per customer: its own report (creditkpi exposure), not a dashboard "
    "table; the dashboard shows the limit KPIs and the bands of limit use",
)


def _check_thresholds(thresholds: Any) -> tuple[Fraction, ...]:
    """Increasing positive fractions of the limit, read exactly (0.7 is 7/10)."""
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else None
    if not values:
        raise InvalidOptionError(
            "thresholds must be a non-empty list of increasing fractions of the limit, e.g. "
            f"(0.5, 0.7, 0.9, 1.0); got {thresholds!r}",
            argument="thresholds",
        )
    out: list[Fraction] = []
    for value in values:
        ok = isinstance(value, (int, float, Decimal, Fraction)) and not isinstance(value, bool)
        number = (
            Fraction(Decimal(repr(value)) if isinstance(value, float) else value) if ok else None
        )
        if number is None or number <= 0 or (out and number <= out[-1]):
            raise InvalidOptionError(
                "thresholds must be increasing fractions of the limit above 0 (0.9 for 90 %); "
                f"got {thresholds!r}",
                argument="thresholds",
            )
        out.append(number)
    return tuple(out)


def band_labels(thresholds: Sequence[Any] = BAND_THRESHOLDS) -> list[str]:
    """The band labels of ``thresholds``: ``below 50%``, ``50-70%``, ..., ``100% and over``.

    Examples
    --------
    >>> band_labels()
    ['below 50%', '50-70%', '70-90%', '90-100%', '100% and over']
    """
    cuts = [_percent(t) for t in _check_thresholds(thresholds)]
    inner = [f"{a}-{b}%" for a, b in itertools.pairwise(cuts)]
    return [f"below {cuts[0]}%", *inner, f"{cuts[-1]}% and over"]


def _percent(value: Fraction) -> str:
    text = f"{float(value * 100):.2f}".rstrip("0").rstrip(".")
    return text


def _band_codes(exposure: IntArray, limit: IntArray, cuts: Sequence[Fraction]) -> IntArray:
    """The band of each limited customer: how many thresholds ``E >= t × L`` it reaches.

    Exact (integers); a customer with nothing owed is in the first band,
    one with a limit of 0 that owes something in the last.
    """
    code = np.zeros(exposure.size, dtype=np.int64)
    for cut in cuts:
        num, den = cut.numerator, cut.denominator
        bound = max(int(exposure.max(initial=0)) * den, int(limit.max(initial=0)) * num)
        if bound < 2**62:
            reached = exposure * den >= limit * num
        else:
            reached = np.asarray(
                [int(e) * den >= int(v) * num for e, v in zip(exposure, limit, strict=True)],
                dtype=bool,
            )
        code += reached & (exposure > 0)
    return code


def bands_table(
    rows: pd.DataFrame,
    *,
    groups: Sequence[object],
    settings: Settings,
    thresholds: Sequence[Any] = BAND_THRESHOLDS,
) -> pd.DataFrame:
    """Customers with a limit, per band of limit use: counts and amounts (minor units).

    ``rows`` is the ``credit_exposure`` part (customers of every group);
    indexed by ``band``, every band in order (zeros where no customer is).
    """
    del groups, settings
    cuts = _check_thresholds(thresholds)
    labels = band_labels(thresholds)
    limited = rows[rows["has_limit"] > 0] if len(rows) else rows
    exposure = limited["exposure"].to_numpy(dtype=np.int64)
    limit = limited["limit"].to_numpy(dtype=np.int64)
    code = _band_codes(exposure, limit, cuts)
    size = len(labels)

    def total(values: IntArray) -> IntArray:
        acc = np.zeros(size, dtype=np.int64)
        np.add.at(acc, code, values)
        return acc

    return pd.DataFrame(
        {
            "customers": np.bincount(code, minlength=size).astype(np.int64),
            "exposure": total(exposure),
            "over_limit": total(np.maximum(exposure - limit, 0)),
        },
        index=pd.Index(labels, name="band", dtype=object),
    )


def limit_bands(
    ledger: Ledger,
    as_of: Any,
    *,
    thresholds: Sequence[float] = BAND_THRESHOLDS,
    unapplied: Unapplied = "net",
    money: Money = "float",
) -> pd.DataFrame:
    """Customers by how much of their credit limit they use (alert bands) at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        With credit limits.
    as_of : date, str or list of them
        End-of-day cut-off; a list stacks the tables under an ``as_of`` level.
    thresholds : sequence of float, default (0.5, 0.7, 0.9, 1.0)
        The alert thresholds, as fractions of the limit (50, 70, 90 and
        100 %), increasing.
    unapplied : {"net", "gross"}, default "net"
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    DataFrame
        Index ``band`` (``below 50%``, ``50-70%``, ``70-90%``, ``90-100%``,
        ``100% and over``); columns ``customers`` (how many limited
        customers), ``exposure`` and ``over_limit`` (their sums).
        A customer is in the band of the highest threshold ``t`` with
        ``E_c(T) >= t × L_c(T)`` (exactly, no rounding); one that owes
        nothing is below the first; one with a limit of 0 that owes
        something is in the last. For one group's bands, select its
        customers first (or read :func:`credit_exposure` with ``by=``).

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "700.00"),
    ...      ck.Invoice("F2", "B", "2024-03-31", "2024-04-30", "1200.00")],
    ...     limits=[ck.CreditLimit("A", "2024-01-01", "1000"),
    ...             ck.CreditLimit("B", "2024-01-01", "1000")])
    >>> ck.limit_bands(ledger, "2024-03-31")
                   customers  exposure  over_limit
    band
    below 50%              0       0.0         0.0
    50-70%                 0       0.0         0.0
    70-90%                 1     700.0         0.0
    90-100%                0       0.0         0.0
    100% and over          1    1200.0       200.0
    """
    check_money(money)
    _check_thresholds(thresholds)
    settings = _settings(unapplied)
    dates, single = as_dates(as_of)
    source = LedgerParts(ledger, group_codes(ledger, None), dates=dates, settings=settings)
    tables = [
        table_at(LIMIT_BANDS, source, j, money=money, thresholds=thresholds)
        for j in range(len(dates))
    ]
    result: pd.DataFrame = stack_dates(tables, dates, single)
    return result


LIMIT_BANDS = TableKPI(
    definition="Customers with a credit limit by band of limit use (50, 70, 90, 100 %).",
    name="limit_bands",
    label="Limits and cover: customers by limit use",
    label_fr="Clients par taux d'utilisation de l'encours autorisé",
    function=limit_bands,
    page=_PAGE,
    parts=("credit_exposure",),
    build=bands_table,
    money=("exposure", "over_limit"),
    requires=("limits",),
    index="band",
)


#: this module's tables (the registry collects them)
TABLES = (CREDIT_EXPOSURE, LIMIT_BANDS)
