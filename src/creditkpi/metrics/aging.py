"""Receivables position: receivables, overdue, aging (balance âgée), top customers.

Depends only on :mod:`creditkpi.core`: every figure is a part of
:mod:`creditkpi.core.parts` (exact int64 minor units), finished by the formulas
of this module. See the *Receivables and aging*, *Overdue rate* and *Top
customers and dunning status* pages of the documentation.

Output schemas (money numeric by default, exact ``Decimal`` with
``money="decimal"``; a scalar amount is always a ``Decimal``; shares are
``float`` fractions):

* :func:`aging` -- one date, whole book: rows = buckets + ``"unapplied"``,
  columns ``amount``, ``share``, ``invoices``; with ``by=`` or a list of
  dates: one row per group and/or date, columns = buckets + ``total`` +
  ``unapplied`` (or bucket shares with ``shares=True``);
* :func:`overdue`, :func:`overdue_rate`, :func:`receivables` -- a scalar, a
  Series by group or by date, or a DataFrame dates × groups;
* :func:`top_customers` -- index ``customer_id``, columns ``balance``,
  ``share``, ``overdue``, ``invoices``;
* :func:`by_dunning_status` -- index ``status``, columns ``amount``,
  ``share``, ``invoices``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    Money,
    MoneyResult,
    RatioResult,
    as_dates,
    check_money,
    check_option,
    date_index,
    money_values,
)
from creditkpi.core.engine import bucket_labels
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import customer_parts, money_at, ratio_at, snapshot_parts, status_parts
from creditkpi.core.period import to_day
from creditkpi.core.ratios import ratio

__all__ = [
    "UNAPPLIED",
    "aging",
    "book_table",
    "by_dunning_status",
    "formula_overdue_rate",
    "overdue",
    "overdue_rate",
    "receivables",
    "status_table",
    "top_customers",
    "top_table",
    "unapplied_cash",
]

#: label of the unapplied-cash line (row of the book table, column of the wide tables)
UNAPPLIED = "unapplied"

IntArray = npt.NDArray[np.int64]


def receivables(
    ledger: Ledger,
    as_of: date | str | Sequence[date | str],
    *,
    by: str | None = None,
    money: Money = "float",
) -> MoneyResult:
    """Receivables outstanding (encours clients) ``R(T)`` at the end of ``as_of``.

    Notes
    -----
    ``R(T) = Σ_i B_i(T)`` over invoices issued on or before T, where
    ``B_i(T) = A_i - Σ settlements of i dated <= T`` (payments, credit notes
    and write-offs). Unapplied cash is not part of it. Exact: the sum of
    integer minor units, returned as ``Decimal``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by date.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group.
    money : {"float", "decimal"}, default "float"
        How a Series or DataFrame carries money: numbers (plot, describe and
        add them like any pandas data) or exact ``Decimal`` objects. A
        single value is always a ``Decimal``.

    Returns
    -------
    Decimal, Series or DataFrame
        Tax-inclusive amount in the ledger's currency.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-01", "2024-04-30", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-20", "2024-05-20", "40.00")],
    ...     [ck.Payment("F1", "2024-04-30", "60.00")])
    >>> ck.receivables(ledger, "2024-04-30")
    Decimal('80.00')
    >>> ck.receivables(ledger, "2024-04-30", by="customer_id").to_dict()
    {'C1': 40.0, 'C2': 40.0}
    >>> ck.receivables(ledger, "2024-04-30", by="customer_id", money="decimal").to_dict()
    {'C1': Decimal('40.00'), 'C2': Decimal('40.00')}
    """
    return money_at(ledger, as_of, "receivables", by=by, money=money, name="receivables")


def unapplied_cash(
    ledger: Ledger,
    as_of: date | str | Sequence[date | str],
    *,
    by: str | None = None,
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
    by : str, optional
        ``"customer_id"`` or an invoice attribute (unapplied cash takes its
        customer's group; ``"(unassigned)"`` when the customer's invoices span
        several values of the attribute).
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    Decimal, Series or DataFrame
        ``>= 0``; lower is better (cash waiting to be matched to invoices).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-01", "2024-04-30", "100.00")],
    ...     [ck.Payment(None, "2024-04-25", "50.00", customer="C1")])
    >>> ck.unapplied_cash(ledger, "2024-04-30")
    Decimal('50.00')
    """
    return money_at(ledger, as_of, "unapplied", by=by, money=money, name="unapplied_cash")


# ----------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------


def _edges(buckets: Any, basis: str) -> tuple[tuple[int, ...], list[str]]:
    """Validate ``basis`` and ``buckets``; return the edges and the bucket labels."""
    check_option("basis", basis, ("due", "issue"))
    if isinstance(buckets, (str, bytes, int, float)):
        raise InvalidOptionError(
            f"buckets must be a list of increasing positive whole days, got {buckets!r}",
            column="buckets",
        )
    try:
        values = tuple(buckets)
    except TypeError:
        raise InvalidOptionError(
            f"buckets must be a list of increasing positive whole days, got {buckets!r}",
            column="buckets",
        ) from None
    labels = bucket_labels(values, "due" if basis == "due" else "issue")  # validates the edges
    return tuple(int(e) for e in values), labels


def _stack_dates(tables: list[pd.DataFrame], dates: list[date], single: bool) -> pd.DataFrame:
    """One table, or the tables of many dates under an outer ``as_of`` level."""
    if single:
        return tables[0]
    return pd.concat(tables, keys=date_index(dates), names=["as_of"])


# ----------------------------------------------------------------------------------
# aging
# ----------------------------------------------------------------------------------


def aging(
    ledger: Ledger,
    as_of: Any,
    *,
    buckets: Sequence[int] = (30, 60, 90),
    basis: Literal["due", "issue"] = "due",
    by: str | None = None,
    shares: bool = False,
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
        End-of-day cut-off (never defaulted to today). A list gives one row
        per date (a trend), computed in one sweep over the events.
    buckets : sequence of int, default (30, 60, 90)
        Upper edges of the buckets in days, increasing positive whole numbers.
        The default gives ``not due``, ``1-30``, ``31-60``, ``61-90``, ``91+``;
        ``(15, 45)`` gives ``not due``, ``1-15``, ``16-45``, ``46+``.
    basis : {"due", "issue"}, default "due"
        ``"due"``: days past the due date (``not due`` holds ``d <= 0``).
        ``"issue"``: days since the issue date; the first bucket is then
        ``0-30`` and there is no ``not due``.
    by : str, optional
        ``"customer_id"`` (client par client) or any invoice attribute
        (``ledger.attributes``): one row per group.
    shares : bool, default False
        In the one-row-per-group/date tables, give each bucket's share of the
        row's receivables (rows sum to 1) instead of the amounts. The
        one-date whole-book table always has both, so it ignores this option.
    money : {"float", "decimal"}, default "float"
        Money columns as numbers (plot and add them like any pandas data)
        or as exact ``Decimal`` objects.

    Returns
    -------
    DataFrame
        **One date, by=None** (the classic report): index ``bucket`` = the
        bucket labels then ``"unapplied"``; columns

        - ``amount`` (Decimal): Σ ``B_i(T)`` of the bucket; on the
          ``unapplied`` line, minus the unapplied cash received on or before
          T (a credit in the customers' favour, not part of any bucket);
        - ``share`` (float): ``amount / R(T)``, in [0, 1] unless overpaid
          invoices make balances negative; ``nan`` on the ``unapplied`` line;
        - ``invoices`` (Int64): number of open invoices (issued, balance
          ≠ 0) in the bucket; ``<NA>`` on the ``unapplied`` line.

        The bucket rows sum to ``receivables(ledger, as_of)``; adding the
        ``unapplied`` line gives the net position.

        **by=... and/or a list of dates**: one row per group (index named
        ``by``), per date (index ``as_of``) or per (``as_of``, group);
        columns = the bucket labels, ``total`` (= ``R(T)`` of the row) and
        ``unapplied`` (minus the unapplied cash of the row), all Decimal.
        Buckets sum exactly to ``total`` on every row; rows sum to the
        whole book. With ``shares=True`` the columns are the bucket labels
        only, as floats summing to 1 per row (``nan`` where the row's
        receivables are 0). Groups are in the order of
        ``receivables(..., by=by)``; customers holding only unapplied cash
        have a row of zero buckets.

    Raises
    ------
    InvalidOptionError
        ``buckets`` not increasing positive whole days (column
        ``"buckets"``), ``basis`` not ``"due"``/``"issue"`` (``"basis"``),
        ``by`` not ``"customer_id"`` or an attribute (``"by"``), ``shares``
        not a bool, an empty list of dates.
    InvalidDateError
        ``as_of`` is not a date.

    Warns
    -----
    UndefinedMetricWarning
        When ``R(T) = 0`` (empty book, or a group with nothing open): the
        shares are ``nan``.

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
                amount     share  invoices
    bucket
    not due    1000.00  0.408163         1
    1-30        600.00  0.244898         1
    31-60       400.00  0.163265         1
    61-90       150.00  0.061224         1
    91+         300.00  0.122449         1
    unapplied   -50.00       NaN      <NA>

    Client par client, and on the issue-date basis with custom edges:

    >>> ck.aging(ledger, "2024-04-30", by="customer_id")
                 not due    1-30   31-60   61-90     91+    total unapplied
    customer_id
    ACME         1000.00  600.00    0.00    0.00    0.00  1600.00      0.00
    Globex          0.00    0.00  400.00  150.00    0.00   550.00      0.00
    Initech         0.00    0.00    0.00    0.00  300.00   300.00    -50.00
    >>> ck.aging(ledger, "2024-04-30", buckets=(60, 120), basis="issue")["amount"].to_dict()
    {'0-60': 1600.0, '61-120': 550.0, '121+': 300.0, 'unapplied': -50.0}

    Exact amounts, one argument away:

    >>> ck.aging(ledger, "2024-04-30", money="decimal").loc["1-30", "amount"]
    Decimal('600.00')

    A trend (one row per date):

    >>> ck.aging(ledger, ["2024-03-31", "2024-04-30"], shares=True).round(4)
                not due    1-30   31-60   61-90     91+
    as_of
    2024-03-31   0.4138  0.2759  0.1034  0.0000  0.2069
    2024-04-30   0.4082  0.2449  0.1633  0.0612  0.1224
    """
    edges, labels = _edges(buckets, basis)
    if not isinstance(shares, (bool, np.bool_)):
        raise InvalidOptionError(f"shares must be True or False, got {shares!r}", column="shares")
    check_money(money)
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    days = [to_day(d) for d in dates]
    book = single and by is None
    names = [*labels, "receivables", "unapplied", *(["bucket_invoices"] if book else [])]
    parts = snapshot_parts(ledger, days, groups, names, edges=edges, basis=basis)
    digits = ledger._cols.digits
    if book:
        return book_table(parts, labels, digits, money)
    k, g = len(dates), groups.size
    amounts = np.stack([parts[label] for label in labels], axis=2).reshape(k * g, len(labels))
    total = parts["receivables"].reshape(-1)
    if by is None:
        index: pd.Index = date_index(dates)
    elif single:
        index = groups.labels.rename(by)
    else:
        index = pd.MultiIndex.from_product([date_index(dates), groups.labels], names=["as_of", by])
    if shares:
        values = formula_share(amounts, total[:, None])
        return pd.DataFrame(values, index=index, columns=pd.Index(labels))
    data = {label: money_values(amounts[:, i], digits, money) for i, label in enumerate(labels)}
    data["total"] = money_values(total, digits, money)
    data[UNAPPLIED] = money_values(-parts["unapplied"].reshape(-1), digits, money)
    return pd.DataFrame(data, index=index, columns=pd.Index([*labels, "total", UNAPPLIED]))


def formula_share(amount: Any, total: Any) -> Any:
    """Share of a total (aging bucket, customer, status): ``amount / total``.

    Parameters
    ----------
    amount, total : number or array of int
        Same currency; arrays broadcast (e.g. buckets against their row's total).

    Returns
    -------
    float or ndarray
        A fraction; ``nan`` where ``total <= 0``.

    Warns
    -----
    UndefinedMetricWarning
        Where ``total <= 0`` (nothing open, or a book in credit).

    Examples
    --------
    >>> formula_share(600, 2450)
    0.2448979591836735
    """
    return ratio(amount, total, what="shares of the receivables (receivables <= 0)")


def book_table(
    parts: Mapping[str, IntArray], labels: list[str], digits: int, money: Money = "float"
) -> pd.DataFrame:
    """The one-date whole-book aged balance (buckets + unapplied line) from its parts.

    ``parts`` holds ``(1, 1)`` arrays: one per bucket label, ``receivables``
    and ``unapplied``, and ``bucket_invoices`` (``(1, 1, buckets)``), as
    :func:`creditkpi.core.parts.snapshot_parts` gives them.
    """
    cents = np.asarray([int(parts[label][0, 0]) for label in labels], dtype=np.int64)
    total = int(parts["receivables"][0, 0])
    share = formula_share(cents, np.full_like(cents, total))
    counts = parts["bucket_invoices"][0, 0]
    index = pd.Index([*labels, UNAPPLIED], name="bucket")
    amounts = np.append(cents, -int(parts["unapplied"][0, 0]))
    return pd.DataFrame(
        {
            "amount": pd.Series(money_values(amounts, digits, money), index=index),
            "share": pd.Series([*share.tolist(), math.nan], index=index, dtype=np.float64),
            "invoices": pd.Series(pd.array([*counts.tolist(), pd.NA], dtype="Int64"), index=index),
        },
        index=index,
    )


# ----------------------------------------------------------------------------------
# overdue
# ----------------------------------------------------------------------------------


def overdue(
    ledger: Ledger, as_of: Any, *, by: str | None = None, money: Money = "float"
) -> MoneyResult:
    """Overdue receivables (créances échues) at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of``.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group
        (a list and ``by=`` give a DataFrame dates × groups).

    Returns
    -------
    Decimal, Series or DataFrame
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
    Decimal('70.00')
    >>> ck.overdue(ledger, ["2024-03-31", "2024-05-01"]).tolist()
    [0.0, 110.0]
    """
    return money_at(ledger, as_of, "overdue", by=by, money=money, name="overdue")


def overdue_rate(ledger: Ledger, as_of: Any, *, by: str | None = None) -> RatioResult:
    """Overdue rate (taux d'échu, taux de retards de paiement): ``Overdue(T) / R(T)``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of``.
    by : str, optional
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
    return ratio_at(
        ledger, as_of, "overdue", "receivables", formula_overdue_rate, by=by, name="overdue_rate"
    )


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


# ----------------------------------------------------------------------------------
# top customers
# ----------------------------------------------------------------------------------


def top_customers(
    ledger: Ledger, as_of: Any, *, n: int | None = 10, money: Money = "float"
) -> pd.DataFrame:
    """The ``n`` customers with the largest open balance, and their share of ``R(T)``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off. A list gives one table per date, stacked under
        an outer index level ``as_of``.
    n : int or None, default 10
        How many customers (at most); ``None`` lists every customer with a
        non-zero balance.

    Returns
    -------
    DataFrame
        Index ``customer_id``; columns

        - ``balance`` (Decimal): ``B_c(T) = Σ_{i of c} B_i(T)``;
        - ``share`` (float): ``B_c(T) / R(T)`` of the whole book;
        - ``overdue`` (Decimal): the customer's overdue part;
        - ``invoices`` (int): its open invoices (balance ≠ 0).

        Sorted by ``balance`` descending, ties by customer id ascending
        (deterministic). Customers with a zero balance are left out.

    Raises
    ------
    InvalidOptionError
        ``n`` not a positive int (or None); empty list of dates.

    Warns
    -----
    UndefinedMetricWarning
        When customers are listed but ``R(T) = 0`` (balances cancelling out):
        shares are ``nan``.

    Notes
    -----
    Unapplied cash is not netted against a customer's balance (see
    :func:`aging` with ``by="customer_id"`` for its own column). Σ ``share``
    over all customers is 1: a high share for a few customers means a
    concentrated book.

    References
    ----------
    The *Top customers and dunning status* page of the documentation: definition, worked
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
    ...     [ck.Payment("A4", "2024-03-10", "100.00")])
    >>> ck.top_customers(ledger, "2024-04-30", n=2)
                 balance     share overdue  invoices
    customer_id
    ACME         1600.00  0.653061  600.00         2
    Globex        550.00  0.224490  550.00         2
    """
    if n is not None and (
        isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1
    ):
        raise InvalidOptionError(f"n must be a positive int or None, got {n!r}", column="n")
    check_money(money)
    dates, single = as_dates(as_of)
    digits = ledger._cols.digits
    groups = group_codes(ledger, None)
    tables = []
    for d in dates:
        day = to_day(d)
        total = snapshot_parts(ledger, [day], groups, ["receivables"])["receivables"][0, 0]
        tables.append(top_table(customer_parts(ledger, day, top=n), int(total), n, digits, money))
    return _stack_dates(tables, dates, single)


def top_table(
    customers: pd.DataFrame, total: int, n: int | None, digits: int, money: Money = "float"
) -> pd.DataFrame:
    """The top-customers table from per-customer parts and the book's receivables ``total``.

    ``customers`` is indexed by customer id with int64 ``balance``,
    ``overdue`` and ``invoices`` (:func:`creditkpi.core.parts.customer_parts`,
    possibly the union of several partitions' tops).
    """
    keep = customers[customers["balance"] != 0]
    text = np.asarray([str(v) for v in keep.index], dtype=object)
    order = np.lexsort((text, -keep["balance"].to_numpy(dtype=np.int64)))
    if n is not None:
        order = order[:n]
    table = keep.iloc[order]
    bal = table["balance"].to_numpy(dtype=np.int64)
    share = formula_share(bal, np.full(bal.size, total)) if bal.size else np.zeros(0)
    return pd.DataFrame(
        {
            "balance": money_values(bal, digits, money),
            "share": np.asarray(share, dtype=np.float64),
            "overdue": money_values(table["overdue"].to_numpy(dtype=np.int64), digits, money),
            "invoices": table["invoices"].to_numpy(dtype=np.int64),
        },
        index=pd.Index(table.index, name="customer_id", dtype=object),
    )


# ----------------------------------------------------------------------------------
# dunning status
# ----------------------------------------------------------------------------------


def by_dunning_status(
    ledger: Ledger, as_of: Any, *, order: Sequence[str] | None = None, money: Money = "float"
) -> pd.DataFrame:
    """Receivables by dunning status (encours par statut de relance) at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off. A list gives one table per date, stacked under
        an outer index level ``as_of``.
    order : sequence of str, optional
        Your dunning process in order (e.g. ``["none", "reminder 1",
        "formal notice"]``): these rows come first, in this order, and are
        always present (0 when nothing is open at that status); other
        statuses follow. By default rows are sorted by amount descending,
        ties by label.

    Returns
    -------
    DataFrame
        Index ``status``; columns ``amount`` (Decimal, Σ ``B_i(T)`` of the
        open invoices at that status), ``share`` (float, ``amount / R(T)``)
        and ``invoices`` (int, open invoices). One row per status held by
        at least one open invoice (issued, balance ≠ 0), plus the ``order``
        rows. The amounts sum exactly to ``R(T)``.

    Raises
    ------
    InvalidOptionError
        ``order`` is not a list of labels; empty list of dates.

    Warns
    -----
    UndefinedMetricWarning
        When rows are listed but ``R(T) = 0``: shares are ``nan``.

    Notes
    -----
    The status of an invoice at T is the label of its last status event
    dated on or before T, else ``"none"``. Paid invoices keep their last
    status but add nothing. Unapplied cash has no invoice and no status: it
    is not in this table (see :func:`aging`).

    References
    ----------
    The *Top customers and dunning status* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("A1", "ACME", "2024-04-10", "2024-05-10", "1000.00"),
    ...      ck.Invoice("A2", "ACME", "2024-03-15", "2024-04-14", "600.00"),
    ...      ck.Invoice("A3", "Globex", "2024-02-01", "2024-03-02", "400.00")],
    ...     statuses=[ck.StatusEvent("A2", "2024-04-20", "reminder 1"),
    ...               ck.StatusEvent("A3", "2024-03-10", "reminder 1"),
    ...               ck.StatusEvent("A3", "2024-04-05", "formal notice")])
    >>> ck.by_dunning_status(ledger, "2024-04-30")
                    amount  share  invoices
    status
    none           1000.00    0.5         1
    reminder 1      600.00    0.3         1
    formal notice   400.00    0.2         1
    """
    wanted: list[str] = []
    if order is not None:
        if isinstance(order, (str, bytes)) or not all(isinstance(s, str) for s in order):
            raise InvalidOptionError(
                f"order must be a list of status labels, got {order!r}", column="order"
            )
        wanted = list(dict.fromkeys(order))
    check_money(money)
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, None)
    digits = ledger._cols.digits
    tables = [
        status_table(status_parts(ledger, to_day(d), groups), wanted, digits, money) for d in dates
    ]
    return _stack_dates(tables, dates, single)


def status_table(
    parts: pd.DataFrame, order: Sequence[str], digits: int, money: Money = "float"
) -> pd.DataFrame:
    """The receivables-by-status table from :func:`creditkpi.core.parts.status_parts`.

    ``parts`` is indexed by ``(group, status)`` (summed over groups here);
    ``order`` lists the statuses that come first, always present.
    """
    sums = parts.groupby(level="status", sort=False)[["amount", "invoices"]].sum()
    by_label = {
        str(s): (int(a), int(k))
        for s, a, k in zip(sums.index, sums["amount"], sums["invoices"], strict=True)
    }
    rest = sorted((lab for lab in by_label if lab not in order), key=lambda s: (-by_label[s][0], s))
    rows = [*order, *rest]
    cents = np.asarray([by_label.get(r, (0, 0))[0] for r in rows], dtype=np.int64)
    total = int(cents.sum())
    share = formula_share(cents, np.full(cents.size, total)) if cents.size else np.zeros(0)
    return pd.DataFrame(
        {
            "amount": money_values(cents, digits, money),
            "share": np.asarray(share, dtype=np.float64),
            "invoices": np.asarray([by_label.get(r, (0, 0))[1] for r in rows], dtype=np.int64),
        },
        index=pd.Index(rows, name="status", dtype=object),
    )
