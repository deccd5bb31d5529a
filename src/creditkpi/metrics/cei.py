"""Collection effectiveness index and recovery rate (SPEC §4.3).

* **CEI** (indice d'efficacité du recouvrement): of what could have been
  collected in the period, the share that was;
* **recovery rate** (taux de recouvrement, taux d'encaissement): of the
  invoices to collect in a period (overdue at its start or falling due in
  it), the share of their balance recovered by an observation date.

Computed from the engine's additive summaries
(:func:`~creditkpi.core.engine.position`, :func:`~creditkpi.core.engine.flows`,
:func:`~creditkpi.core.engine.balances`, :func:`~creditkpi.core.engine.settled_by`)
for any number of periods and groups. Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    as_periods,
    check_option,
    exact_number,
    observed_days,
    period_group_index,
    reshape_matrix,
    warn_undefined,
)
from creditkpi.core.engine import balances, flows, position, recovery_targets, settled_by
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import Period, PeriodLike

__all__ = [
    "RECOVERY_COLUMNS",
    "cei",
    "formula_cei",
    "formula_recovery_rate",
    "recovery_rate",
    "recovery_summary",
]

PeriodArg: TypeAlias = "PeriodLike | Sequence[PeriodLike]"
Number: TypeAlias = "int | float | Decimal | Fraction"
SalesBasis = Literal["total", "monthly"]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: columns of :func:`recovery_summary`
RECOVERY_COLUMNS = ("invoices", "total", "collected", "remaining", "recovery_rate")

#: int64 magnitudes below this convert to float64 exactly
_EXACT = 2**53


# ----------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------


def _ratio(num: IntArray, den: IntArray, *, what: str) -> FloatArray:
    """``num / den`` per cell, correctly rounded; nan + one warning where ``den <= 0``."""
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    bad = den <= 0
    big = max(int(np.abs(num).max(initial=0)), int(np.abs(den).max(initial=0)))
    if big < _EXACT:
        with np.errstate(divide="ignore", invalid="ignore"):
            q = num.astype(np.float64) / den.astype(np.float64)
        out = np.where(bad, np.nan, q)
    else:  # beyond 2**53: exact Python integers
        out = np.full(num.shape, np.nan, dtype=np.float64)
        for idx in zip(*np.nonzero(~bad), strict=True):
            out[idx] = int(num[idx]) / int(den[idx])
    if bad.any():
        warn_undefined(f"{what} ({int(bad.sum())} of {bad.size} values)", 4)
    return np.asarray(out, dtype=np.float64)


# ----------------------------------------------------------------------------------
# CEI
# ----------------------------------------------------------------------------------


def _months(periods: list[Period], sales: SalesBasis) -> IntArray:
    """N per period: the number of whole months (1 for the ``total`` basis)."""
    if sales == "total":
        return np.ones(len(periods), dtype=np.int64)
    counts = [p.n_months for p in periods]
    odd = [str(p) for p, n in zip(periods, counts, strict=True) if n is None]
    if odd:
        raise InvalidOptionError(
            "sales='monthly' needs periods made of whole calendar months "
            "(use sales='total' for other periods)",
            column="sales",
            ids=odd,
        )
    return np.asarray(counts, dtype=np.int64)


def cei(
    ledger: Ledger,
    period: PeriodArg,
    *,
    sales: SalesBasis = "total",
    by: str | None = None,
) -> Any:
    """Collection effectiveness index (CEI, indice d'efficacité du recouvrement).

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The period P; a list gives a series.
    sales : {"total", "monthly"}, default "total"
        ``"total"``: the whole ``S(P)``; ``"monthly"``: ``S(P) / N`` for a
        period of N calendar months (Credit Research Foundation). For one
        month both agree.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: one index per group.

    Returns
    -------
    float, Series or DataFrame
        A fraction, higher is better: 1 when everything due was collected
        (sources print it × 100). Normally in ``[0, 1]``; with
        ``sales="monthly"`` over several months it can leave that range.

    Raises
    ------
    InvalidOptionError
        Unknown ``sales`` or ``by``; ``sales="monthly"`` with a period that is
        not made of whole calendar months.

    Warns
    -----
    UndefinedMetricWarning
        Where the denominator is ``<= 0`` (nothing was collectible): ``nan``.

    Notes
    -----
    ``CEI = (R(start - 1) + S - R(end)) / (R(start - 1) + S - Current(end))``
    with ``S = S(P)`` (or ``S(P) / N``). ``R`` is the receivables,
    ``Current(end)`` the part of ``R(end)`` not yet due. With the total
    basis the numerator is what left the receivables during P (cash applied
    to invoices and write-offs) and the denominator adds what is overdue at
    the end: ``CEI = 1`` exactly when nothing is overdue at the end of P.
    A denominator ``<= 0`` gives ``nan``. With the monthly basis the index
    is computed exactly as ``(N·R(start-1) + S - N·R(end)) / (N·R(start-1)
    + S - N·Current(end))``.

    References
    ----------
    SPEC §4.3 (CEI, standard formula; Credit Research Foundation S/N
    convention). Seed 003 (indice d'efficacité du recouvrement).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> ck.cei(ledger, "2024-04")  # (300 + 600 - 800) / (300 + 600 - 600)
    0.3333333333333333
    """
    check_option("sales", sales, ("total", "monthly"))
    periods, single = as_periods(period)
    n = _months(periods, sales)[:, None]
    groups = group_codes(ledger, by)
    g = groups.size
    dates = [p.before for p in periods] + [p.end for p in periods]
    unique = sorted(set(dates))
    frame = position(ledger, unique, by=by)
    rec = frame["receivables"].to_numpy(dtype=np.int64).reshape(len(unique), g)
    late = frame["overdue"].to_numpy(dtype=np.int64).reshape(len(unique), g)
    row = {d: k for k, d in enumerate(unique)}
    start = rec[[row[p.before] for p in periods]]
    end_rows = [row[p.end] for p in periods]
    end, current = rec[end_rows], rec[end_rows] - late[end_rows]
    s = flows(ledger, periods, by=by)["sales"].to_numpy(dtype=np.int64).reshape(len(periods), g)
    num = n * start + s - n * end
    den = n * start + s - n * current
    values = _ratio(num, den, what="CEI where nothing was collectible")
    return reshape_matrix(values, periods, groups, single=single, by=by)


# ----------------------------------------------------------------------------------
# recovery rate
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Recovery:
    """Additive recovery figures, arrays of shape (periods, groups), minor units."""

    periods: list[Period]
    groups: Groups
    invoices: IntArray
    total: IntArray
    collected: IntArray

    @property
    def remaining(self) -> IntArray:
        return self.total - self.collected


def _recovery(ledger: Ledger, period: Any, observed: Any, by: str | None) -> tuple[_Recovery, bool]:
    periods, single = as_periods(period)
    days = observed_days(periods, observed)
    groups = group_codes(ledger, by)
    g = groups.size
    count, total, collected = [], [], []
    for p, day in zip(periods, days, strict=True):
        snap = balances(ledger, p.before)
        target = recovery_targets(ledger, p, snap)
        gi = groups.invoice[target]
        moved = settled_by(ledger, day, after=snap.day)  # settlements dated in [start, d]
        count.append(np.bincount(gi, minlength=g).astype(np.int64))
        total.append(ledger._cols.bin_sum(gi, snap.balance[target], g))
        collected.append(ledger._cols.bin_sum(gi, moved[target], g))
    parts = _Recovery(
        periods=periods,
        groups=groups,
        invoices=np.vstack(count),
        total=np.vstack(total),
        collected=np.vstack(collected),
    )
    return parts, single


def recovery_rate(
    ledger: Ledger, period: PeriodArg, *, observed: Any = None, by: str | None = None
) -> Any:
    """Recovery rate (taux de recouvrement, taux d'encaissement) of a period observed at d.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The period P (``"2024-04"``); a list gives a series.
    observed : date or str, optional
        Observation date d with ``start <= d <= end``; default: the end of
        P. With a list of periods: one date (inside every period) or one per
        period.
    by : str, optional
        ``"customer_id"`` or an invoice attribute (collector, portfolio...):
        one rate per group.

    Returns
    -------
    float, Series or DataFrame
        A fraction, higher is better: near 0 at the start of P, ideally 1 at
        its end (sources print it × 100). It exceeds 1 only if target
        invoices are overpaid by d.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; ``observed`` outside the period, or a list of the
        wrong length.

    Warns
    -----
    UndefinedMetricWarning
        Where the target set is empty (``Total = 0``): ``nan``.

    Notes
    -----
    Target set of P: invoices issued before ``start``, open at
    ``start - 1`` (``B_i(start - 1) > 0``; overpaid invoices have nothing to
    recover) and due on or before ``end`` (overdue at the start of P, or
    falling due during P).

    ``Total = Σ B_i(start - 1)`` and ``Remaining(d) = Σ B_i(d)`` over the
    target set; ``rate = (Total - Remaining(d)) / Total``.

    As the SPEC defines it, an invoice issued during P is never in the
    target set, even when it falls due in P. Everything that reduces a
    balance counts as recovered: payments, credit notes and write-offs
    (see :func:`recovery_summary` for the amounts).

    References
    ----------
    SPEC §4.3 (recovery rate). Seed 003: overdue on 1 April 92 000 €,
    falling due in April 174 000 €, 128 000 € collected by 15 April →
    ``(266 000 - 138 000) / 266 000 = 48.12 %``.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-02-01", "2024-03-02", "92000.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-10", "2024-04-09", "174000.00")],
    ...     [ck.Payment("F1", "2024-04-05", "50000.00"),
    ...      ck.Payment("F2", "2024-04-12", "78000.00")])
    >>> rate = ck.recovery_rate(ledger, "2024-04", observed="2024-04-15")
    >>> rate == 128_000 / 266_000, f"{rate:.2%}"
    (True, '48.12%')
    """
    parts, single = _recovery(ledger, period, observed, by)
    values = _ratio(
        parts.total - parts.remaining, parts.total, what="recovery rate with no invoice to recover"
    )
    return reshape_matrix(values, parts.periods, parts.groups, single=single, by=by)


def recovery_summary(
    ledger: Ledger, period: PeriodArg, *, observed: Any = None, by: str | None = None
) -> Any:
    """The figures behind :func:`recovery_rate`: target invoices, Total, collected, remaining.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
    observed : date or str, optional
        Observation date, default the end of P (see :func:`recovery_rate`).
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    Series or DataFrame
        Fields (:data:`RECOVERY_COLUMNS`): ``invoices`` (int, size of the
        target set), ``total`` (``Σ B_i(start - 1)``), ``collected``
        (``total - remaining``: payments, credit notes and write-offs dated
        in ``[start, d]`` on target invoices), ``remaining``
        (``Σ B_i(d)``), money as ``Decimal``, and ``recovery_rate`` (float).
        One period and ``by=None``: a Series named after the period; ``by``:
        a DataFrame indexed by group; a list of periods: a DataFrame indexed
        by period, or by ``(period, group)`` with ``by``. Every field but the
        rate is additive over disjoint customers.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; ``observed`` outside the period.

    Warns
    -----
    UndefinedMetricWarning
        Where the target set is empty (the rate is ``nan``).

    References
    ----------
    SPEC §4.3 (recovery rate).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.cei import recovery_summary
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-02-01", "2024-03-02", "92000.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-10", "2024-04-09", "174000.00")],
    ...     [ck.Payment("F1", "2024-04-05", "50000.00"),
    ...      ck.Payment("F2", "2024-04-12", "78000.00")])
    >>> s = recovery_summary(ledger, "2024-04", observed="2024-04-15")
    >>> s["invoices"], s["total"], s["collected"], s["remaining"]
    (2, Decimal('266000.00'), Decimal('128000.00'), Decimal('138000.00'))
    """
    parts, single = _recovery(ledger, period, observed, by)
    rate = _ratio(
        parts.collected, parts.total, what="recovery rate with no invoice to recover"
    ).reshape(-1)
    frame = pd.DataFrame(
        {
            "invoices": parts.invoices.reshape(-1),
            "total": ledger._cols.money_list(parts.total.reshape(-1).tolist()),
            "collected": ledger._cols.money_list(parts.collected.reshape(-1).tolist()),
            "remaining": ledger._cols.money_list(parts.remaining.reshape(-1).tolist()),
            "recovery_rate": rate,
        },
        index=period_group_index(parts.periods, parts.groups),
    )
    if by is None:
        out = frame.droplevel("group")
        if single:
            first = out.iloc[0]
            row = {
                "invoices": int(first["invoices"]),
                "total": first["total"],
                "collected": first["collected"],
                "remaining": first["remaining"],
                "recovery_rate": float(first["recovery_rate"]),
            }
            return pd.Series(row, dtype=object, name=str(parts.periods[0]))
        return out
    if single:
        out = frame.droplevel("period")
        out.index.name = by
        return out
    return frame.rename_axis(["period", by])


# ----------------------------------------------------------------------------------
# pure formulas
# ----------------------------------------------------------------------------------


def formula_cei(
    beginning: Number,
    sales: Number,
    ending_total: Number,
    ending_current: Number,
    *,
    months: int = 1,
    sales_basis: SalesBasis = "total",
) -> float:
    """CEI from its four totals.

    Parameters
    ----------
    beginning : int, float or Decimal
        Receivables at the start of the period, ``R(start - 1)``.
    sales : int, float or Decimal
        Sales of the period, ``S(P)``.
    ending_total : int, float or Decimal
        Receivables at the end, ``R(end)``.
    ending_current : int, float or Decimal
        Not-yet-due receivables at the end, ``Current(end)``.
    months : int, default 1
        N, the number of months of the period (used by the monthly basis).
    sales_basis : {"total", "monthly"}, default "total"
        ``"monthly"`` uses ``sales / months`` (Credit Research Foundation).

    Returns
    -------
    float
        A fraction, higher is better (1: everything due was collected);
        ``nan`` when the denominator is ``<= 0``.

    Raises
    ------
    InvalidOptionError
        Unknown ``sales_basis``, or ``months`` not a whole number >= 1.
    InvalidValueError
        A non-number.

    Warns
    -----
    UndefinedMetricWarning
        When the denominator is ``<= 0``.

    Notes
    -----
    ``(beginning + S - ending_total) / (beginning + S - ending_current)``
    with ``S = sales`` or ``sales / months``; exact arithmetic, one rounding.

    References
    ----------
    SPEC §4.3 (CEI).

    Examples
    --------
    >>> formula_cei(300, 600, 800, 600)
    0.3333333333333333
    >>> formula_cei(1000, 3000, 1500, 900, months=3, sales_basis="monthly")
    0.45454545454545453
    """
    check_option("sales_basis", sales_basis, ("total", "monthly"))
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise InvalidOptionError(
            f"months must be a whole number >= 1, got {months!r}", column="months"
        )
    values = [
        exact_number(v, n)
        for v, n in (
            (beginning, "beginning"),
            (sales, "sales"),
            (ending_total, "ending_total"),
            (ending_current, "ending_current"),
        )
    ]
    if any(v is None for v in values):
        return float("nan")
    b, s, t, c = (v if v is not None else Fraction(0) for v in values)
    if sales_basis == "monthly":
        s = s / int(months)
    den = b + s - c
    if den <= 0:
        warn_undefined("CEI where nothing was collectible (denominator <= 0)", 3)
        return float("nan")
    return float((b + s - t) / den)


def formula_recovery_rate(total: Number, remaining: Number) -> float:
    """Recovery rate from its two totals: ``(total - remaining) / total``.

    Parameters
    ----------
    total : int, float or Decimal
        Amount to recover at the start of the period (overdue + falling due).
    remaining : int, float or Decimal
        Amount still to recover at the observation date.

    Returns
    -------
    float
        A fraction, higher is better; ``nan`` when ``total <= 0``.

    Raises
    ------
    InvalidValueError
        A non-number.

    Warns
    -----
    UndefinedMetricWarning
        When ``total <= 0``.

    References
    ----------
    SPEC §4.3; seed 003: ``((266 000 - 138 000) / 266 000) × 100 = 48,12 %``.

    Examples
    --------
    >>> formula_recovery_rate(266_000, 138_000)
    0.48120300751879697
    """
    t, r = exact_number(total, "total"), exact_number(remaining, "remaining")
    if t is None or r is None:
        return float("nan")
    if t <= 0:
        warn_undefined("recovery rate with nothing to recover (total <= 0)", 3)
        return float("nan")
    return float((t - r) / t)
