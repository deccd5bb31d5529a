"""Receivables position: receivables, overdue, overdue rate, unapplied cash, aging.

Depends only on :mod:`creditkpi.core`: every figure is a part of
:mod:`creditkpi.core.parts` (exact int64 minor units), finished by the specs
of this module (:data:`RECEIVABLES`, :data:`AGING`, ...), which the registry
collects. See the *Receivables and aging* and *Overdue rate* pages of the
documentation.

Output schemas (money numeric by default, single amounts and tables alike,
exact ``Decimal`` with ``money="decimal"``; shares are ``float`` fractions):

* :func:`aging` -- one row per date and/or group for every call (index
  ``as_of`` without ``by``, even for one date), columns = buckets +
  ``total`` + ``unapplied`` (or the bucket shares with ``values="share"``,
  the open invoices per bucket with ``values="invoices"``);
* :func:`overdue`, :func:`overdue_rate`, :func:`receivables`,
  :func:`unapplied_cash` -- a scalar, a Series by group or by date, or a
  DataFrame dates × groups.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_option
from creditkpi.core.engine import bucket_labels, check_edges
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, TableKPI, finish, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import BUCKET_INVOICES, BUCKETS, LedgerParts, Settings
from creditkpi.core.ratios import ratio, share
from creditkpi.core.shapes import EVERY_COLUMN, Money, MoneyResult, RatioResult, shape_rows

__all__ = [
    "AGING",
    "KPIS",
    "OVERDUE",
    "OVERDUE_RATE",
    "OVER_90_DAYS_RATE",
    "RECEIVABLES",
    "TABLES",
    "UNAPPLIED",
    "UNAPPLIED_CASH",
    "aging",
    "aging_by_group",
    "aging_table",
    "check_buckets",
    "formula_over_90_days_rate",
    "formula_overdue_rate",
    "over_90_days_rate",
    "overdue",
    "overdue_rate",
    "receivables",
    "unapplied_cash",
]

#: label of the unapplied-cash line (row of the book table, column of the wide tables)
UNAPPLIED = "unapplied"

IntArray = npt.NDArray[np.int64]


def receivables(
    ledger: Ledger,
    as_of: date | str | Sequence[date | str],
    *,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    """Receivables outstanding (encours clients) ``R(T)`` at the end of ``as_of``.

    Notes
    -----
    ``R(T) = Σ_i B_i(T)`` over invoices issued on or before T, where
    ``B_i(T) = A_i - Σ settlements of i dated <= T`` (payments, credit notes
    and write-offs). Unapplied cash is not part of it. Exact: the sum of
    integer minor units, returned as the nearest float (the exact ``Decimal``
    with ``money="decimal"``).

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by date.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group.
    money : {"float", "decimal"}, default "float"
        How money is carried, a single amount as a Series or a DataFrame:
        numbers (``float``: plot, describe and add them like any pandas
        data) or exact ``Decimal`` objects.

    Returns
    -------
    float, Decimal, Series or DataFrame
        Tax-inclusive amount in the ledger's currency.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-01", "2024-04-30", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-20", "2024-05-20", "40.00")],
    ...     [ck.Payment("F1", "2024-04-30", "60.00")])
    >>> ck.receivables(ledger, "2024-04-30")
    80.0
    >>> ck.receivables(ledger, "2024-04-30", by="customer_id").to_dict()
    {'C1': 40.0, 'C2': 40.0}
    >>> ck.receivables(ledger, "2024-04-30", by="customer_id", money="decimal").to_dict()
    {'C1': Decimal('40.00'), 'C2': Decimal('40.00')}
    """
    result: MoneyResult = finish(RECEIVABLES, ledger, as_of, by=by, money=money)
    return result


RECEIVABLES = KPI(
    name="receivables",
    label="Receivables outstanding",
    label_fr="Encours clients",
    unit="money",
    better=None,
    basis="as_of",
    section="Position",
    parts=("receivables",),
    formula=None,
    function=receivables,
    page="kpis/receivables-aging.md",
    definition="What customers owe at the as-of date: the open balances of every invoice "
    "(unapplied cash apart).",
    by_group=True,
    trend=True,
    headline=True,
)


def overdue(ledger: Ledger, as_of: Any, *, by: By = None, money: Money = "float") -> MoneyResult:
    """Overdue receivables (créances échues) at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of``.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group
        (a list and ``by=`` give a DataFrame dates × groups).

    Returns
    -------
    float, Decimal, Series or DataFrame
        Σ ``B_i(T)`` over invoices at least one day past due; between 0 and
        ``R(T)`` unless overpaid invoices make balances negative. Lower is
        better.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; empty list of dates.

    Notes
    -----
    ``Overdue(T) = Σ_{i: I_i <= T, T - D_i >= 1} B_i(T)``; ``Current(T) =
    R(T) - Overdue(T)``. An invoice due today is not overdue. Unapplied cash
    is not netted. Equal to the sum of the aging buckets after ``not due``.

    References
    ----------
    The *Overdue rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-01", "2024-04-30", "40.00")],
    ...     [ck.Payment("F1", "2024-04-10", "30.00")])
    >>> ck.overdue(ledger, "2024-04-30")          # F1: 100 - 30, 30 days late; F2 due today
    70.0
    >>> ck.overdue(ledger, ["2024-03-31", "2024-05-01"]).tolist()
    [0.0, 110.0]
    """
    result: MoneyResult = finish(OVERDUE, ledger, as_of, by=by, money=money)
    return result


OVERDUE = KPI(
    name="overdue",
    label="Overdue receivables",
    label_fr="Créances échues",
    unit="money",
    better="lower",
    basis="as_of",
    section="Position",
    parts=("overdue",),
    formula=None,
    function=overdue,
    page="kpis/overdue-rate.md",
    definition="The open balance of the invoices past their due date at the as-of date.",
    by_group=True,
    trend=True,
)


def overdue_rate(ledger: Ledger, as_of: Any, *, by: By = None) -> RatioResult:
    """Overdue rate (taux d'échu, taux de retards de paiement): ``Overdue(T) / R(T)``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of``.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group
        (a list and ``by=`` give a DataFrame dates × groups).

    Returns
    -------
    float, Series or DataFrame
        A fraction in [0, 1] (lower is better); it can leave that range only
        when overpaid invoices make balances negative. ``nan`` where
        ``R(T) = 0``.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; empty list of dates.

    Warns
    -----
    UndefinedMetricWarning
        Where ``R(T) = 0`` (empty book, everything paid, a group holding
        only unapplied cash): the rate is ``nan``.

    Notes
    -----
    ``overdue_rate(T) = Overdue(T) / R(T)``, the exact ratio of integer
    minor units rounded once to a float. Per group it is the group's own
    overdue over its own receivables (not an average of invoice ratios).

    References
    ----------
    The *Overdue rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-01", "2024-04-30", "60.00")],
    ...     [ck.Payment("F1", "2024-04-10", "20.00")])
    >>> ck.overdue_rate(ledger, "2024-04-30")     # 80 / (80 + 60)
    0.5714285714285714
    >>> ck.overdue_rate(ledger, "2024-04-30", by="customer_id").to_dict()
    {'C1': 1.0, 'C2': 0.0}
    """
    result: RatioResult = finish(OVERDUE_RATE, ledger, as_of, by=by)
    return result


def formula_overdue_rate(overdue: Any, receivables: Any) -> Any:
    """Overdue rate from plain numbers: ``overdue / receivables``.

    Parameters
    ----------
    overdue : int, float or Decimal
        Overdue receivables ``Overdue(T)``.
    receivables : int, float or Decimal
        Receivables ``R(T)``, same currency.

    Returns
    -------
    float
        A fraction (lower is better); ``nan`` when ``receivables`` is 0 or below.

    Warns
    -----
    UndefinedMetricWarning
        When ``receivables`` is 0 or below.

    Notes
    -----
    Computed exactly (ints and Decimals as fractions) and rounded once.

    References
    ----------
    The *Overdue rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> from creditkpi import formulas as f
    >>> round(f.overdue_rate(1_450, 2_450), 6)
    0.591837
    >>> f.overdue_rate(0, 0)  # doctest: +SKIP
    nan
    """
    return ratio(overdue, receivables, what="overdue rate (receivables <= 0)")


OVERDUE_RATE = KPI(
    name="overdue_rate",
    label="Overdue rate",
    label_fr="Taux d'échu",
    unit="ratio",
    better="lower",
    basis="as_of",
    section="Position",
    parts=("overdue", "receivables"),
    formula=formula_overdue_rate,
    function=overdue_rate,
    page="kpis/overdue-rate.md",
    definition="Overdue receivables as a share of receivables outstanding.",
    by_group=True,
    trend=True,
    headline=True,
)


def over_90_days_rate(ledger: Ledger, as_of: Any, *, by: By = None) -> RatioResult:
    """Share of the receivables more than 90 days past due (part de l'encours échu à plus de 90 jours).

    The oldest bucket of the aged balance over the receivables: the
    balances a credit manager escalates (formal notice, litigation, the
    doubtful provision).

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of``.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group
        (a list and ``by=`` give a DataFrame dates × groups).

    Returns
    -------
    float, Series or DataFrame
        A fraction in [0, 1] (lower is better), at most the overdue rate;
        ``nan`` where ``R(T) = 0``.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; empty list of dates.

    Warns
    -----
    UndefinedMetricWarning
        Where ``R(T) = 0``: the rate is ``nan``.

    Notes
    -----
    ``Σ B_i(T)`` over invoices with ``T - D_i >= 91`` (the ``91+`` bucket of
    :func:`aging`), divided by ``R(T)``; one exact quotient rounded once.

    References
    ----------
    The *Overdue rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "300.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-01", "2024-04-30", "100.00")])
    >>> ck.over_90_days_rate(ledger, "2024-05-31")  # F1 121 days late: 300 / 400
    0.75
    """
    result: RatioResult = finish(OVER_90_DAYS_RATE, ledger, as_of, by=by)
    return result


def formula_over_90_days_rate(over_90: Any, receivables: Any) -> Any:
    """Share over 90 days past due from plain numbers: ``over_90 / receivables``.

    Examples
    --------
    >>> from creditkpi import formulas as f
    >>> f.over_90_days_rate(700, 3_500)
    0.2
    """
    return ratio(over_90, receivables, what="share over 90 days past due (receivables <= 0)")


OVER_90_DAYS_RATE = KPI(
    name="over_90_days_rate",
    label="Share of receivables over 90 days past due",
    label_fr="Part de l'encours échu à plus de 90 jours",
    unit="ratio",
    better="lower",
    basis="as_of",
    section="Position",
    parts=("91+", "receivables"),
    formula=formula_over_90_days_rate,
    function=over_90_days_rate,
    page="kpis/overdue-rate.md",
    definition="The share of receivables more than 90 days past their due date.",
)


def unapplied_cash(
    ledger: Ledger,
    as_of: date | str | Sequence[date | str],
    *,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    """Unapplied cash held at the end of ``as_of`` (encaissements non lettrés).

    Payments received with a customer but no invoice, on or before T. They
    are not part of the receivables ``R(T)``: :func:`aging` shows them, with
    a minus sign, on their own ``unapplied`` line.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute (unapplied cash takes its
        customer's group; ``"(unassigned)"`` when the customer's invoices span
        several values of the attribute).
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    float, Decimal, Series or DataFrame
        ``>= 0``; lower is better (cash waiting to be matched to invoices).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-01", "2024-04-30", "100.00")],
    ...     [ck.Payment(None, "2024-04-25", "50.00", customer="C1")])
    >>> ck.unapplied_cash(ledger, "2024-04-30")
    50.0
    """
    result: MoneyResult = finish(UNAPPLIED_CASH, ledger, as_of, by=by, money=money)
    return result


UNAPPLIED_CASH = KPI(
    name="unapplied_cash",
    label="Unapplied cash",
    label_fr="Encaissements non lettrés",
    unit="money",
    better="lower",
    basis="as_of",
    section="Position",
    parts=("unapplied",),
    formula=None,
    function=unapplied_cash,
    page="kpis/receivables-aging.md",
    definition="Payments received from customers and not yet matched to an invoice.",
)


# ----------------------------------------------------------------------------------
# aging
# ----------------------------------------------------------------------------------


def check_buckets(buckets: Any, basis: str) -> tuple[tuple[int, ...], list[str]]:
    """Validate ``basis`` and ``buckets`` (increasing positive whole days): edges and labels."""
    check_option("basis", basis, ("due", "issue"))
    edges = check_edges(buckets, basis)
    return edges, bucket_labels(edges, "due" if basis == "due" else "issue")


def aging(
    ledger: Ledger,
    as_of: Any,
    *,
    buckets: Sequence[int] = (30, 60, 90),
    basis: Literal["due", "issue"] = "due",
    by: By = None,
    values: Literal["amount", "share", "invoices"] = "amount",
    money: Money = "float",
) -> pd.DataFrame:
    """Aged balance (balance âgée): receivables spread over age buckets.

    Each invoice issued on or before T goes, with its whole open balance
    ``B_i(T)``, to the bucket of its age at T: days past due ``T - D_i``
    (default) or days since issue ``T - I_i``. The buckets add up to the
    receivables ``R(T)`` exactly, to the cent.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off (never defaulted to today): a date, a pandas
        ``Timestamp``, a numpy ``datetime64`` or ``"YYYY-MM-DD"``. A list
        (or a ``pd.date_range``) gives one row per date (a trend), computed
        in one sweep over the events.
    buckets : sequence of int, default (30, 60, 90)
        Upper edges of the buckets in days, increasing positive whole numbers.
        The default gives ``not due``, ``1-30``, ``31-60``, ``61-90``, ``91+``;
        ``(15, 45)`` gives ``not due``, ``1-15``, ``16-45``, ``46+``.
    basis : {"due", "issue"}, default "due"
        ``"due"``: days past the due date (``not due`` holds ``d <= 0``).
        ``"issue"``: days since the issue date; the first bucket is then
        ``0-30`` and there is no ``not due``.
    by : str or list of str, optional
        ``"customer_id"`` (client par client), any invoice attribute
        (``ledger.attributes``), or a list of them (``["country",
        "customer_id"]``): one row per group.
    values : {"amount", "share", "invoices"}, default "amount"
        What the bucket columns hold: the open balances (with ``total`` and
        ``unapplied``), each bucket's share of the row's receivables (rows
        sum to 1), or the number of open invoices (with ``total``).
    money : {"float", "decimal"}, default "float"
        Money columns as numbers (plot and add them like any pandas data)
        or as exact ``Decimal`` objects.

    Returns
    -------
    DataFrame
        **One row per date and group, the buckets as columns, for every
        call** (the layout of an aged-balance report: a line per customer,
        a column per bucket). The index is ``as_of`` (a ``DatetimeIndex``)
        without ``by``, even for one date; the group (named after ``by``,
        a MultiIndex for a list) for one date with ``by``; ``(as_of,
        by...)`` for a list of dates with ``by``.

        - ``values="amount"``: the bucket labels (Σ ``B_i(T)`` of the
          bucket), ``total`` (= ``R(T)`` of the row) and ``unapplied``
          (minus the unapplied cash received on or before T: a credit in the
          customers' favour, not part of any bucket). Buckets sum exactly to
          ``total`` on every row; rows sum to the whole book; ``total +
          unapplied`` is the net position.
        - ``values="share"``: the bucket labels as floats summing to 1 per
          row (``nan`` where the row's receivables are 0).
        - ``values="invoices"``: the number of open invoices (issued,
          balance ≠ 0) per bucket and ``total``, as integers.

        Groups are in the order of ``receivables(..., by=by)``; customers
        holding only unapplied cash have a row of zero buckets. The whole
        book's buckets as one Series: ``aging(ledger, T).iloc[0]``; as the
        classic vertical table: ``aging(ledger, T).T``.

    Raises
    ------
    InvalidOptionError
        ``buckets`` not increasing positive whole days (column
        ``"buckets"``), ``basis`` not ``"due"``/``"issue"`` (``"basis"``),
        ``by`` not ``"customer_id"`` or an attribute (``"by"``), ``values``
        not one of its three choices, an empty list of dates.
    InvalidDateError
        ``as_of`` is not a date.

    Warns
    -----
    UndefinedMetricWarning
        With ``values="share"``, when ``R(T) = 0`` (empty book, or a group
        with nothing open): the shares are ``nan``.

    Notes
    -----
    ``d_i(T) = T - D_i`` (due basis) or ``T - I_i`` (issue basis). Bucket
    ``k`` with edges ``e_1 < ... < e_m`` holds the invoices with
    ``e_{k-1} < d <= e_k``; ``not due`` holds ``d <= 0``, the last bucket
    ``d > e_m``. An invoice due today (``d = 0``) is not due; one 30 days
    late is in ``1-30``, 31 days late in ``31-60``.

    ``amount_k = Σ_{i in k} B_i(T)``, ``share_k = amount_k / R(T)``.

    An overpaid invoice (negative balance) stays in its bucket with its
    negative balance: buckets still sum to ``R(T)``. A fully paid invoice
    adds 0 and is not counted in ``invoices``. An invoice issued after T is
    absent; a settlement dated exactly T counts.

    References
    ----------
    The *Receivables and aging* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("A1", "ACME", "2024-04-10", "2024-05-10", "1000.00"),
    ...      ck.Invoice("A2", "ACME", "2024-03-15", "2024-04-14", "600.00"),
    ...      ck.Invoice("A3", "Globex", "2024-02-01", "2024-03-02", "400.00"),
    ...      ck.Invoice("A4", "Globex", "2024-01-05", "2024-02-04", "250.00"),
    ...      ck.Invoice("A5", "Initech", "2023-11-20", "2023-12-20", "300.00")],
    ...     [ck.Payment("A4", "2024-03-10", "100.00"),
    ...      ck.Payment(None, "2024-04-25", "50.00", customer="Initech")])
    >>> ck.aging(ledger, "2024-04-30")
                not due   1-30  31-60  61-90    91+   total  unapplied
    as_of
    2024-04-30   1000.0  600.0  400.0  150.0  300.0  2450.0      -50.0

    Client par client, shares, counts, and on the issue-date basis with
    custom edges:

    >>> ck.aging(ledger, "2024-04-30", by="customer_id")
                 not due   1-30  31-60  61-90    91+   total  unapplied
    customer_id
    ACME          1000.0  600.0    0.0    0.0    0.0  1600.0        0.0
    Globex           0.0    0.0  400.0  150.0    0.0   550.0        0.0
    Initech          0.0    0.0    0.0    0.0  300.0   300.0      -50.0
    >>> ck.aging(ledger, "2024-04-30", values="share").round(4).iloc[0].to_dict()
    {'not due': 0.4082, '1-30': 0.2449, '31-60': 0.1633, '61-90': 0.0612, '91+': 0.1224}
    >>> ck.aging(ledger, "2024-04-30", values="invoices").iloc[0].to_dict()
    {'not due': 1, '1-30': 1, '31-60': 1, '61-90': 1, '91+': 1, 'total': 5}
    >>> ck.aging(ledger, "2024-04-30", buckets=(60, 120), basis="issue").iloc[0].to_dict()
    {'0-60': 1600.0, '61-120': 550.0, '121+': 300.0, 'total': 2450.0, 'unapplied': -50.0}

    Exact amounts, one argument away:

    >>> ck.aging(ledger, "2024-04-30", money="decimal").loc["2024-04-30", "1-30"]
    Decimal('600.00')

    A trend (one row per date):

    >>> ck.aging(ledger, ["2024-03-31", "2024-04-30"], values="share").round(4)
                not due    1-30   31-60   61-90     91+
    as_of
    2024-03-31   0.4138  0.2759  0.1034  0.0000  0.2069
    2024-04-30   0.4082  0.2449  0.1633  0.0612  0.1224
    """
    edges, _ = check_buckets(buckets, basis)
    check_option("values", values, ("amount", "share", "invoices"))
    check_money(money)
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    settings = Settings(edges=edges, basis=basis)
    source = LedgerParts(ledger, groups, dates=dates, settings=settings)
    tables = [table_at(AGING, source, j, money=money, values=values) for j in range(len(dates))]
    result: pd.DataFrame = shape_rows(tables, dates, groups.labels, single=single, by=by)
    return result


def aging_table(
    buckets: IntArray,
    total: IntArray,
    unapplied: IntArray,
    invoices: IntArray,
    *,
    groups: Sequence[object],
    settings: Settings,
    layout: Literal["groups", "buckets"] = "groups",
    values: Literal["amount", "share", "invoices"] = "amount",
) -> pd.DataFrame:
    """The aged balance at one date from its parts (money in minor units).

    ``buckets`` and ``invoices`` are ``(groups, buckets)``, ``total`` and
    ``unapplied`` one value per group: the parts of
    :func:`creditkpi.core.parts.snapshot_parts` at that date.

    ``layout="groups"`` (what :func:`aging` shows): one row per group, the
    buckets as columns, with ``total`` and ``unapplied`` (``values="amount"``),
    the buckets' shares (``"share"``) or the open invoices per bucket and
    ``total`` (``"invoices"``). ``layout="buckets"`` (the dashboard's view,
    the previous date beside it): the whole book by bucket, rows the bucket
    labels and ``unapplied``, columns ``amount``, ``share`` (of ``R(T)``)
    and ``invoices``.
    """
    labels = bucket_labels(settings.edges, settings.basis)
    cents = np.asarray(buckets, dtype=np.int64).reshape(len(groups), len(labels))
    counts = np.asarray(invoices, dtype=np.int64).reshape(len(groups), len(labels))
    totals = np.asarray(total, dtype=np.int64).reshape(-1)
    credit = -np.asarray(unapplied, dtype=np.int64).reshape(-1)
    if layout == "buckets":
        return _book_by_bucket(cents, totals, credit, counts, labels)
    index = pd.Index(list(groups), dtype=object)
    if values == "share":
        return pd.DataFrame(share(cents, totals[:, None]), index=index, columns=pd.Index(labels))
    if values == "invoices":
        data = np.column_stack([counts, counts.sum(axis=1)])
        return pd.DataFrame(data, index=index, columns=pd.Index([*labels, "total"]))
    data = np.column_stack([cents, totals, credit])
    return pd.DataFrame(data, index=index, columns=pd.Index([*labels, "total", UNAPPLIED]))


def _book_by_bucket(
    cents: IntArray, totals: IntArray, credit: IntArray, counts: IntArray, labels: list[str]
) -> pd.DataFrame:
    """The whole book by bucket: amount, share of ``R(T)`` and open invoices per bucket."""
    amount = cents.sum(axis=0)
    receivable = int(totals.sum())
    shares = share(amount, np.full_like(amount, receivable))
    index = pd.Index([*labels, UNAPPLIED], name="bucket")
    return pd.DataFrame(
        {
            "amount": pd.Series(np.append(amount, int(credit.sum())), index=index, dtype=np.int64),
            "share": pd.Series([*shares.tolist(), math.nan], index=index, dtype=np.float64),
            "invoices": pd.Series(
                pd.array([*counts.sum(axis=0).tolist(), pd.NA], dtype="Int64"), index=index
            ),
        },
        index=index,
    )


def _aging_money(options: Mapping[str, Any]) -> tuple[str, ...]:
    """The money columns of :func:`aging_table` built with ``options``."""
    if options.get("layout", "groups") == "buckets":
        return ("amount",)
    return (EVERY_COLUMN,) if options.get("values", "amount") == "amount" else ()


def aging_by_group(ledger: Ledger, as_of: date, by: str, *, money: Money = "float") -> pd.DataFrame:
    """The aged balance per group at ``as_of``: its buckets and unapplied cash (no total).

    The aging columns of the dashboard's per-group table (the receivables
    are a KPI of their own there).
    """
    table: pd.DataFrame = aging(ledger, as_of, by=by, money=money)
    return table.drop(columns="total")


AGING = TableKPI(
    name="aging",
    label="Aged balance",
    label_fr="Balance âgée",
    function=aging,
    page="kpis/receivables-aging.md",
    definition="Receivables by days past due (not due, 1-30, 31-60, 61-90, 91+), unapplied "
    "cash apart.",
    parts=(BUCKETS, "receivables", "unapplied", BUCKET_INVOICES),
    build=aging_table,
    money=_aging_money,
    rows=True,
    dashboard_options=MappingProxyType({"layout": "buckets"}),
    by_group=aging_by_group,
    index="bucket",
)

#: the value KPIs and the table KPIs of this module (the registry collects them)
KPIS = (RECEIVABLES, OVERDUE, OVERDUE_RATE, OVER_90_DAYS_RATE, UNAPPLIED_CASH)
TABLES = (AGING,)
