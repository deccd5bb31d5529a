"""Doubtful receivables, bad debt to sales, loss and provision rates (SPEC §4.8).

Créances douteuses, *bad debt to sales ratio* (taux de créances douteuses
sur CA, seed 000), taux de sinistre (créances irrécouvrables) and taux de
provision of the doubtful customers (seed 004). Depends only on
:mod:`creditkpi.core`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    as_dates,
    as_periods,
    exact_number,
    period_group_index,
    reshape,
    safe_ratio,
    warn_undefined,
)
from creditkpi.core.engine import balances, doubtful_at, flows
from creditkpi.core.errors import InvalidOptionError, InvalidValueError
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import from_day, to_day

__all__ = [
    "bad_debt_to_sales",
    "doubtful",
    "formula_bad_debt_to_sales",
    "formula_loss_rate",
    "formula_provision_rate",
    "loss_rate",
    "provision_rate",
]

IntArray = npt.NDArray[np.int64]


def _check_rule(rule_days: Any) -> int | None:
    if rule_days is None:
        return None
    if isinstance(rule_days, bool) or not isinstance(rule_days, (int, np.integer)) or rule_days < 0:
        raise InvalidOptionError(
            f"rule_days must be a whole number of days >= 0 or None, got {rule_days!r}",
            column="rule_days",
        )
    return int(rule_days)


def _doubtful_cents(
    ledger: Ledger, day: int, rule_days: int | None, groups: Groups
) -> tuple[IntArray, IntArray]:
    """Per group at the end of ``day``: Σ B_i(T) over doubtful invoices, and their provisions.

    Provisions count on doubtful invoices still open (``B_i(T) > 0``) only.
    """
    snap = balances(ledger, from_day(day))
    classified, provision = doubtful_at(ledger, day)
    flag = snap.days_past_due > rule_days if rule_days is not None else classified
    mask = flag & snap.issued
    amount = ledger._cols.bin_sum(groups.invoice[mask], snap.balance[mask], groups.size)
    held = classified & snap.issued & (snap.balance > 0)
    provisions = ledger._cols.bin_sum(groups.invoice[held], provision[held], groups.size)
    return amount, provisions


def _date_index(days: list[int], groups: Groups) -> pd.MultiIndex:
    return pd.MultiIndex.from_product(
        [pd.DatetimeIndex([np.datetime64(d, "D") for d in days], name="as_of"), groups.labels],
        names=["as_of", "group"],
    )


def _scalar(out: Any, single: bool, by: str | None) -> Any:
    return float(out) if single and by is None else out


def doubtful(
    ledger: Ledger, as_of: Any, *, rule_days: int | None = None, by: str | None = None
) -> Any:
    """Doubtful receivables (créances douteuses) ``Doubtful(T)`` at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by date.
    rule_days : int, optional
        ``None`` (default): an invoice is doubtful from the date of its first
        doubtful classification in the ledger (``ck.Doubtful`` records).
        ``N``: instead, an invoice is doubtful once more than N days past due
        (``d_i(T) > N``); the ledger's classifications are then ignored.
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    Decimal, Series or DataFrame
        Tax-inclusive amount, exact; lower is better.

    Raises
    ------
    InvalidOptionError
        ``rule_days`` not a whole number >= 0; unknown ``by``.

    Notes
    -----
    ``Doubtful(T) = Σ B_i(T)`` over invoices issued on or before T and
    doubtful at T. A doubtful invoice stays doubtful once classified; as it
    is paid or written off its balance, hence its contribution, falls.

    References
    ----------
    SPEC §4.8 (doubtful receivables), §2 (doubtful classification or rule).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.bad_debt import doubtful
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "500.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-01", "2024-03-31", "300.00")],
    ...     [ck.Payment("F1", "2024-04-10", "100.00")],
    ...     doubtful=[ck.Doubtful("F1", "2024-04-01", provision="200.00")])
    >>> doubtful(ledger, "2024-04-30")
    Decimal('400.00')
    >>> doubtful(ledger, "2024-04-30", rule_days=60)  # F1 is 90 days past due, F2 30
    Decimal('400.00')
    """
    rule = _check_rule(rule_days)
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    days = [to_day(d) for d in dates]
    cents = np.concatenate([_doubtful_cents(ledger, d, rule, groups)[0] for d in days])
    values = pd.Series(ledger._cols.money_list(cents.tolist()), index=_date_index(days, groups))
    return reshape(values, single=single, by=by)


def bad_debt_to_sales(
    ledger: Ledger, period: Any, *, rule_days: int | None = None, by: str | None = None
) -> Any:
    """Bad debt to sales (taux de créances douteuses sur CA) of a period.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a series indexed by period.
    rule_days : int, optional
        What makes an invoice doubtful: the ledger's classifications
        (default) or more than N days past due (see :func:`doubtful`).
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    float, Series or DataFrame
        A fraction of the period's sales; lower is better. Negative when the
        doubtful receivables fell (recoveries, write-offs). ``nan`` when
        ``S(P) = 0``.

    Raises
    ------
    InvalidOptionError
        Bad ``rule_days`` or ``by``.

    Warns
    -----
    UndefinedMetricWarning
        When the period has no sales.

    Notes
    -----
    ``(Doubtful(end) - Doubtful(start - 1)) / S(P)``, with ``S(P)`` the
    invoices issued in P minus the credit notes dated in P (tax-inclusive).
    A write-off takes the written-off amount out of ``Doubtful``: the loss
    itself is measured by :func:`loss_rate`.

    References
    ----------
    SPEC §4.8; seed 000 ("rapportez la variation des créances douteuses de
    la période au chiffre d'affaires de la même période").

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "500.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-01", "2024-05-01", "2000.00")],
    ...     doubtful=[ck.Doubtful("F1", "2024-04-15")])
    >>> ck.bad_debt_to_sales(ledger, "2024-04")  # (500 - 0) / 2000
    0.25
    """
    rule = _check_rule(rule_days)
    periods, single = as_periods(period)
    groups = group_codes(ledger, by)
    opening = np.stack(
        [_doubtful_cents(ledger, to_day(p.start) - 1, rule, groups)[0] for p in periods]
    )
    closing = np.stack([_doubtful_cents(ledger, to_day(p.end), rule, groups)[0] for p in periods])
    sales = flows(ledger, periods, by=by)["sales"].to_numpy().reshape(len(periods), groups.size)
    rate = safe_ratio(closing - opening, sales, what="bad debt to sales (no sales)")
    out = reshape(
        pd.Series(rate.reshape(-1), index=period_group_index(periods, groups)), single=single, by=by
    )
    return _scalar(out, single, by)


def loss_rate(ledger: Ledger, period: Any, *, by: str | None = None) -> Any:
    """Loss rate (taux de sinistre, créances irrécouvrables): write-offs of P / S(P).

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    float, Series or DataFrame
        A fraction of the period's sales, ``>= 0`` when sales are; lower is
        better. ``nan`` when ``S(P) = 0``.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``.

    Warns
    -----
    UndefinedMetricWarning
        When the period has no sales.

    Notes
    -----
    ``loss_rate(P) = Σ write-offs dated in P / S(P)``, whatever the issue
    date of the written-off invoices.

    References
    ----------
    SPEC §4.8; seed 004 ("le taux de sinistre (créances irrécouvrables)").

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "500.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-01", "2024-05-01", "2000.00")],
    ...     [ck.Payment("F1", "2024-04-30", "100.00", kind="write_off")])
    >>> ck.loss_rate(ledger, "2024-04")  # 100 / 2000
    0.05
    """
    periods, single = as_periods(period)
    groups = group_codes(ledger, by)
    frame = flows(ledger, periods, by=by)
    rate = safe_ratio(
        frame["write_offs"].to_numpy(), frame["sales"].to_numpy(), what="loss rate (no sales)"
    )
    out = reshape(pd.Series(rate, index=period_group_index(periods, groups)), single=single, by=by)
    return _scalar(out, single, by)


def provision_rate(ledger: Ledger, as_of: Any, *, by: str | None = None) -> Any:
    """Provision rate (taux de provision) of the doubtful receivables at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        A list gives a Series indexed by date.
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    float, Series or DataFrame
        Provisions / doubtful receivables, usually in ``[0, 1]`` (above 1:
        over-provisioned, not capped). ``nan`` when nothing is doubtful.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``.

    Warns
    -----
    UndefinedMetricWarning
        When ``Doubtful(T) = 0``.

    Notes
    -----
    ``provision_rate(T) = Σ provision_i / Doubtful(T)`` over invoices
    classified doubtful on or before T (``ck.Doubtful`` records), where
    ``provision_i`` is the provision of the latest classification dated
    <= T that carries one (0 if none), counted only while the invoice is
    still open (``B_i(T) > 0``: a paid or written-off invoice's provision is
    released or used). Only dated classifications carry provisions: there is
    no ``rule_days`` option here, an invoice doubtful by a days-past-due rule
    has no provision.

    References
    ----------
    SPEC §4.8; seed 004 ("le suivi des clients douteux et leur taux de
    provision").

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.bad_debt import provision_rate
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "500.00"),
    ...      ck.Invoice("F2", "C2", "2024-01-10", "2024-02-09", "300.00")],
    ...     doubtful=[ck.Doubtful("F1", "2024-04-01", provision="200.00"),
    ...               ck.Doubtful("F2", "2024-04-01")])
    >>> provision_rate(ledger, "2024-04-30")  # 200 / (500 + 300)
    0.25
    """
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    days = [to_day(d) for d in dates]
    parts = [_doubtful_cents(ledger, d, None, groups) for d in days]
    amount = np.concatenate([a for a, _ in parts])
    provisions = np.concatenate([p for _, p in parts])
    rate = safe_ratio(provisions, amount, what="provision rate (no doubtful receivables)")
    out = reshape(pd.Series(rate, index=_date_index(days, groups)), single=single, by=by)
    return _scalar(out, single, by)


# ----------------------------------------------------------------------------------
# pure formulas
# ----------------------------------------------------------------------------------


def _fraction(value: Any, name: str) -> Fraction:
    """``value`` as an exact fraction; a non-finite number is an error here."""
    exact = exact_number(value, name)
    if exact is None:
        raise InvalidValueError(f"{name} must be finite, got {value!r}", column=name)
    return exact


def _ratio(numerator: Any, denominator: Any, names: tuple[str, str], what: str) -> float:
    num = _fraction(numerator, names[0])
    den = _fraction(denominator, names[1])
    if den == 0:
        warn_undefined(what, stacklevel=3)
        return float("nan")
    return float(num / den)


def formula_bad_debt_to_sales(doubtful_change: float, sales: float) -> float:
    """Bad debt to sales from its totals: ``doubtful_change / sales``.

    Parameters
    ----------
    doubtful_change : int, float or Decimal
        ``Doubtful(end) - Doubtful(start - 1)`` (may be negative).
    sales : int, float or Decimal
        ``S(P)``.

    Returns
    -------
    float
        Lower is better; ``nan`` when ``sales`` is 0.

    Raises
    ------
    InvalidValueError
        A non-numeric or non-finite argument.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales`` is 0.

    References
    ----------
    SPEC §4.8; seed 000.

    Examples
    --------
    >>> formula_bad_debt_to_sales(15_000, 1_200_000)
    0.0125
    """
    return _ratio(doubtful_change, sales, ("doubtful_change", "sales"), "bad debt to sales")


def formula_loss_rate(write_offs: float, sales: float) -> float:
    """Loss rate (taux de sinistre) from its totals: ``write_offs / sales``.

    Parameters
    ----------
    write_offs : int, float or Decimal
        Write-offs dated in P.
    sales : int, float or Decimal
        ``S(P)``.

    Returns
    -------
    float
        Lower is better; ``nan`` when ``sales`` is 0.

    Raises
    ------
    InvalidValueError
        A non-numeric or non-finite argument, or negative write-offs.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales`` is 0.

    References
    ----------
    SPEC §4.8; seed 004.

    Examples
    --------
    >>> formula_loss_rate(6_000, 1_200_000)
    0.005
    """
    if _fraction(write_offs, "write_offs") < 0:
        raise InvalidValueError(
            f"write_offs must not be negative, got {write_offs!r}", column="write_offs"
        )
    return _ratio(write_offs, sales, ("write_offs", "sales"), "loss rate")


def formula_provision_rate(provisions: float, doubtful: float) -> float:
    """Provision rate from its totals: ``provisions / doubtful``.

    Parameters
    ----------
    provisions : int, float or Decimal
        Provisions held on the doubtful invoices (>= 0).
    doubtful : int, float or Decimal
        ``Doubtful(T)``.

    Returns
    -------
    float
        Usually in ``[0, 1]``; ``nan`` when ``doubtful`` is 0.

    Raises
    ------
    InvalidValueError
        A non-numeric or non-finite argument, or negative provisions.

    Warns
    -----
    UndefinedMetricWarning
        When ``doubtful`` is 0.

    References
    ----------
    SPEC §4.8; seed 004.

    Examples
    --------
    >>> formula_provision_rate(30_000, 40_000)
    0.75
    """
    if _fraction(provisions, "provisions") < 0:
        raise InvalidValueError(
            f"provisions must not be negative, got {provisions!r}", column="provisions"
        )
    return _ratio(provisions, doubtful, ("provisions", "doubtful"), "provision rate")
