"""Receivables position: receivables, overdue, aging (balance âgée), top customers.

SPEC §3 and §4.1. Depends only on :mod:`creditkpi.core`.

Output schemas (all money ``Decimal``, all shares ``float`` fractions):

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
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    as_dates,
    check_option,
    exact_ratio,
    reshape,
    safe_ratio,
)
from creditkpi.core.engine import (
    balances,
    bucket_index,
    bucket_labels,
    position,
    status_at,
)
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.ledger import Ledger

__all__ = [
    "UNAPPLIED",
    "aging",
    "by_dunning_status",
    "formula_overdue_rate",
    "overdue",
    "overdue_rate",
    "receivables",
    "top_customers",
]

#: label of the unapplied-cash line (row of the book table, column of the wide tables)
UNAPPLIED = "unapplied"

IntArray = npt.NDArray[np.int64]


def receivables(
    ledger: Ledger, as_of: date | str | Sequence[date | str], *, by: str | None = None
) -> Any:
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
    {'C1': Decimal('40.00'), 'C2': Decimal('40.00')}
    """
    dates, single = as_dates(as_of)
    frame = position(ledger, dates, by=by)
    values = frame["receivables"].map(ledger._cols.money)
    result: Decimal = reshape(values, single=single, by=by)
    return result


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


def _money_column(ledger: Ledger, cents: npt.ArrayLike) -> list[Decimal]:
    return ledger._cols.money_list(np.asarray(cents, dtype=np.int64).tolist())


def _name_index(frame: pd.DataFrame, *, single: bool, by: str | None) -> pd.DataFrame:
    """Turn the engine's ``(as_of, group)`` index into the public one."""
    if by is None:
        return frame.droplevel("group")
    if single:
        return frame.droplevel("as_of").rename_axis(by)
    return frame.rename_axis(["as_of", by])


def _scalar_or(result: Any) -> Any:
    """Plain Python ``float`` for a scalar ratio, the object itself otherwise."""
    if isinstance(result, (np.floating, float)):
        return float(result)
    return result


def _stack_dates(tables: list[pd.DataFrame], dates: list[date], single: bool) -> pd.DataFrame:
    """One table, or the tables of many dates under an outer ``as_of`` level."""
    if single:
        return tables[0]
    keys = pd.DatetimeIndex([pd.Timestamp(d) for d in dates], name="as_of")
    return pd.concat(tables, keys=keys, names=["as_of"])


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
    SPEC §3 (``B_i(T)``, ``R(T)``, days past due) and §4.1 (aging: default
    buckets ``< 30, 31–60, 61–90, > 90`` days late of the French
    credit-management literature, with ``not due`` in front).

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
    {'0-60': Decimal('1600.00'), '61-120': Decimal('550.00'), '121+': Decimal('300.00'), 'unapplied': Decimal('-50.00')}

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
    dates, single = as_dates(as_of)
    frame = position(ledger, dates, edges=edges, basis=basis, by=by)
    if single and by is None:
        return _book_table(ledger, frame, dates[0], edges, basis, labels)
    amounts = frame[labels].to_numpy(dtype=np.int64)
    total = frame["receivables"].to_numpy(dtype=np.int64)
    if shares:
        ratio = safe_ratio(amounts, total[:, None], what="aging shares")
        out = pd.DataFrame(ratio, index=frame.index, columns=labels)
    else:
        data: dict[str, list[Decimal]] = {
            label: _money_column(ledger, amounts[:, k]) for k, label in enumerate(labels)
        }
        data["total"] = _money_column(ledger, total)
        data[UNAPPLIED] = _money_column(ledger, -frame["unapplied"].to_numpy(dtype=np.int64))
        out = pd.DataFrame(data, index=frame.index, columns=[*labels, "total", UNAPPLIED])
        out = out.astype(object)
    return _name_index(out, single=single, by=by)


def _book_table(
    ledger: Ledger,
    frame: pd.DataFrame,
    as_of: date,
    edges: tuple[int, ...],
    basis: Literal["due", "issue"],
    labels: list[str],
) -> pd.DataFrame:
    """The one-date whole-book aged balance: buckets + unapplied line."""
    row = frame.iloc[0]
    cents = np.asarray([int(row[label]) for label in labels], dtype=np.int64)
    total = int(row["receivables"])
    share = safe_ratio(cents, np.full_like(cents, total), what="aging shares")
    snap = balances(ledger, as_of)
    code = bucket_index(snap, edges, basis)
    counts = np.bincount(code[snap.open], minlength=len(labels))
    index = pd.Index([*labels, UNAPPLIED], name="bucket")
    return pd.DataFrame(
        {
            "amount": pd.Series(
                ledger._cols.money_list([*cents.tolist(), -int(row["unapplied"])]),
                index=index,
                dtype=object,
            ),
            "share": pd.Series([*share.tolist(), math.nan], index=index, dtype=np.float64),
            "invoices": pd.Series(pd.array([*counts.tolist(), pd.NA], dtype="Int64"), index=index),
        },
        index=index,
    )


# ----------------------------------------------------------------------------------
# overdue
# ----------------------------------------------------------------------------------


def overdue(ledger: Ledger, as_of: Any, *, by: str | None = None) -> Any:
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
    SPEC §3 (Overdue(T)) and §4.1.

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
    [Decimal('0.00'), Decimal('110.00')]
    """
    dates, single = as_dates(as_of)
    frame = position(ledger, dates, by=by)
    values = pd.Series(
        _money_column(ledger, frame["overdue"].to_numpy(dtype=np.int64)),
        index=frame.index,
        name="overdue",
        dtype=object,
    )
    return reshape(values, single=single, by=by)


def overdue_rate(ledger: Ledger, as_of: Any, *, by: str | None = None) -> Any:
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
    SPEC §3 and §4.1 (taux d'échu).

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
    dates, single = as_dates(as_of)
    frame = position(ledger, dates, by=by)
    rate = safe_ratio(
        frame["overdue"].to_numpy(dtype=np.int64),
        frame["receivables"].to_numpy(dtype=np.int64),
        what="overdue rate",
    )
    values = pd.Series(rate, index=frame.index, name="overdue_rate")
    return _scalar_or(reshape(values, single=single, by=by))


def formula_overdue_rate(overdue: float | Decimal, receivables: float | Decimal) -> float:
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
        A fraction (lower is better); ``nan`` when ``receivables`` is 0.

    Warns
    -----
    UndefinedMetricWarning
        When ``receivables`` is 0.

    Notes
    -----
    Computed exactly (ints and Decimals as fractions) and rounded once.

    References
    ----------
    SPEC §4.1.

    Examples
    --------
    >>> from creditkpi import formulas as f
    >>> round(f.overdue_rate(1_450, 2_450), 6)
    0.591837
    >>> f.overdue_rate(0, 0)  # doctest: +SKIP
    nan
    """
    return exact_ratio(overdue, receivables, what="overdue rate", names=("overdue", "receivables"))


# ----------------------------------------------------------------------------------
# top customers
# ----------------------------------------------------------------------------------


def top_customers(ledger: Ledger, as_of: Any, n: int | None = 10) -> pd.DataFrame:
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
    SPEC §4.1 (top-N customers by B(T) with their share of R(T)).

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
    dates, single = as_dates(as_of)
    tables = []
    for d in dates:
        frame = position(ledger, [d], by="customer_id", method="snapshot").droplevel("as_of")
        bal = frame["receivables"].to_numpy(dtype=np.int64)
        total = int(bal.sum())
        names = [str(c) for c in frame.index]
        keep = sorted(np.flatnonzero(bal != 0).tolist(), key=lambda k: (-int(bal[k]), names[k]))
        if n is not None:
            keep = keep[: int(n)]
        rows = np.asarray(keep, dtype=np.int64)
        index = pd.Index(frame.index[rows], name="customer_id")
        share = (
            safe_ratio(bal[rows], np.full(rows.size, total, dtype=np.int64), what="customer share")
            if rows.size
            else np.zeros(0)
        )
        tables.append(
            pd.DataFrame(
                {
                    "balance": pd.Series(
                        _money_column(ledger, bal[rows]), index=index, dtype=object
                    ),
                    "share": pd.Series(share, index=index, dtype=np.float64),
                    "overdue": pd.Series(
                        _money_column(ledger, frame["overdue"].to_numpy(dtype=np.int64)[rows]),
                        index=index,
                        dtype=object,
                    ),
                    "invoices": pd.Series(
                        frame["open_invoices"].to_numpy(dtype=np.int64)[rows],
                        index=index,
                        dtype=np.int64,
                    ),
                },
                index=index,
            )
        )
    return _stack_dates(tables, dates, single)


# ----------------------------------------------------------------------------------
# dunning status
# ----------------------------------------------------------------------------------


def by_dunning_status(
    ledger: Ledger, as_of: Any, *, order: Sequence[str] | None = None
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
    SPEC §2 (dunning status event) and §4.10 (receivables by dunning status).

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
    dates, single = as_dates(as_of)
    tables = []
    for d in dates:
        snap = balances(ledger, d)
        live = snap.open
        status = status_at(ledger, snap.day)[live]
        codes, uniques = pd.factorize(pd.Series(status, dtype=object))
        labels = [str(u) for u in uniques]
        amount = ledger._cols.bin_sum(
            np.asarray(codes, dtype=np.int64), snap.balance[live], len(labels)
        )
        count = np.bincount(np.asarray(codes, dtype=np.int64), minlength=len(labels))
        by_label = {lab: (int(amount[k]), int(count[k])) for k, lab in enumerate(labels)}
        rest = sorted(
            (lab for lab in labels if lab not in wanted), key=lambda s: (-by_label[s][0], s)
        )
        rows = [*wanted, *rest]
        cents = np.asarray([by_label.get(r, (0, 0))[0] for r in rows], dtype=np.int64)
        total = int(cents.sum())
        share = (
            safe_ratio(cents, np.full(cents.size, total, dtype=np.int64), what="status share")
            if cents.size
            else np.zeros(0)
        )
        index = pd.Index(rows, name="status", dtype=object)
        tables.append(
            pd.DataFrame(
                {
                    "amount": pd.Series(_money_column(ledger, cents), index=index, dtype=object),
                    "share": pd.Series(share, index=index, dtype=np.float64),
                    "invoices": pd.Series(
                        [by_label.get(r, (0, 0))[1] for r in rows], index=index, dtype=np.int64
                    ),
                },
                index=index,
            )
        )
    return _stack_dates(tables, dates, single)
