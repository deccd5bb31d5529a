"""Activation rate (taux d'activation / taux de payeurs) (SPEC §4.4).

Of the collection cases in progress during a period, the share in which at
least one cash payment came in. Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    as_periods,
    check_option,
    observed_days,
    period_group_index,
    reshape,
    safe_ratio,
    warn_undefined,
)
from creditkpi.core.engine import recovery_targets, settlement_window
from creditkpi.core.errors import InvalidValueError
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import PAYMENT, Ledger
from creditkpi.core.period import Period, to_day

__all__ = ["SUMMARY_COLUMNS", "activation_rate", "activation_summary", "formula_activation_rate"]

Unit = Literal["customer", "invoice"]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: columns of :func:`activation_summary`
SUMMARY_COLUMNS = (
    "in_progress",
    "activated",
    "activation_rate",
    "payments",
    "collected",
    "per_payment",
    "per_activated_case",
)


@dataclass(frozen=True, slots=True)
class _Counts:
    """Additive counts of one period, one entry per group."""

    in_progress: IntArray
    activated: IntArray
    payments: IntArray
    collected: IntArray


def _counts(
    ledger: Ledger, period: Period, observed_day: int, unit: Unit, groups: Groups
) -> _Counts:
    n_groups = groups.size
    target = recovery_targets(ledger, period)
    if unit == "customer":
        case = ledger._cols.customer
        n_cases = max(len(ledger._cols.customer_labels), 1)
    else:
        case = np.arange(ledger.n_invoices, dtype=np.int64)
        n_cases = max(ledger.n_invoices, 1)
    group = groups.invoice
    # a case is counted once per group it has target invoices in
    held = np.flatnonzero(target)
    pairs = np.unique(group[held] * n_cases + case[held])
    in_progress = np.bincount(pairs // n_cases, minlength=n_groups).astype(np.int64)
    # cash payments (not credit notes, not write-offs, not unapplied) in [start, observed]
    window = settlement_window(ledger, to_day(period.start), observed_day)
    inv = ledger._cols.settlement_invoice[window]
    amount = ledger._cols.settlement_amount[window]
    paid = (ledger._cols.settlement_kind[window] == PAYMENT) & (inv >= 0)
    paid[paid] = target[inv[paid]]
    pinv = inv[paid]
    pgroup = group[pinv]
    active = np.unique(pgroup * n_cases + case[pinv])
    activated = np.bincount(active // n_cases, minlength=n_groups).astype(np.int64)
    payments = np.bincount(pgroup, minlength=n_groups).astype(np.int64)
    collected = ledger._cols.bin_sum(pgroup, amount[paid], n_groups)
    return _Counts(in_progress, activated, payments, collected)


def _all_counts(
    ledger: Ledger, period: Any, observed: Any, unit: Unit, by: str | None
) -> tuple[list[Period], bool, Groups, list[_Counts]]:
    check_option("unit", unit, ("customer", "invoice"))
    periods, single = as_periods(period)
    days = observed_days(periods, observed)
    groups = group_codes(ledger, by)
    counts = [_counts(ledger, p, d, unit, groups) for p, d in zip(periods, days, strict=True)]
    return periods, single, groups, counts


def activation_rate(
    ledger: Ledger,
    period: Any,
    *,
    observed: Any = None,
    unit: Unit = "customer",
    by: str | None = None,
) -> Any:
    """Activation rate (taux d'activation, taux de payeurs): activated cases / cases in progress.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The period P (``"2024-04"``, ``ck.Period(...)``); a list gives a series.
    observed : date or str, optional
        Observation date d with ``start <= d <= end``; default: the end of P.
        With a list of periods: one date (inside every period) or one per period.
    unit : {"customer", "invoice"}, default "customer"
        What a case (dossier) is: a customer, or an invoice.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: one rate per group.

    Returns
    -------
    float, Series or DataFrame
        A fraction in ``[0, 1]``, higher is better; ``nan`` when no case is
        in progress. Shapes follow the library's conventions (one value;
        Series by group or by period; DataFrame periods × groups).

    Raises
    ------
    InvalidOptionError
        Unknown ``unit`` or ``by``, or ``observed`` outside the period.

    Warns
    -----
    UndefinedMetricWarning
        When no case is in progress (the rate is ``nan``).

    See Also
    --------
    activation_summary : the counts, amounts and averages behind the rate.

    Notes
    -----
    Target set of P (the recovery rate's, SPEC §4.3): invoices issued before
    ``start``, open at ``start - 1`` (``B_i(start - 1) > 0``), with ``D_i <= end``.

    - cases in progress = cases holding at least one target invoice;
    - activated = cases with at least one **cash** payment (kind ``payment``)
      dated in ``[start, d]`` on a target invoice; partial payments count.

    ``activation_rate = activated / in_progress``.

    A credit note or a write-off does not activate a case (no cash came in);
    unapplied cash has no invoice and does not activate a case either. With
    ``by=`` an attribute and ``unit="customer"``, a customer is a case in
    every group in which it holds target invoices. The result is the exact
    fraction: the source prints 47/75 as "62,66 %" (truncated), the library
    returns 0.62666… (62.67 % when rounded).

    References
    ----------
    SPEC §4.4 (activation rate), §4.3 (target set). Seed article 003.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-10", "2024-04-09", "200.00"),
    ...      ck.Invoice("F3", "C3", "2024-03-15", "2024-04-14", "300.00")],
    ...     [ck.Payment("F1", "2024-04-05", "40.00"),
    ...      ck.Payment("F2", "2024-04-12", "50.00", kind="credit_note")])
    >>> ck.activation_rate(ledger, "2024-04")  # C1 paid; a credit note is not cash
    0.3333333333333333
    """
    periods, single, groups, counts = _all_counts(ledger, period, observed, unit, by)
    activated = np.concatenate([c.activated for c in counts])
    in_progress = np.concatenate([c.in_progress for c in counts])
    rate = safe_ratio(activated, in_progress, what="activation rate (no case in progress)")
    out = reshape(pd.Series(rate, index=period_group_index(periods, groups)), single=single, by=by)
    return float(out) if single and by is None else out


def _average(ledger: Ledger, cents: int, count: int) -> Decimal | float:
    if count == 0:
        return float("nan")
    quantum = Decimal(1).scaleb(-ledger._cols.digits)
    return (ledger._cols.money(cents) / count).quantize(quantum, rounding=ROUND_HALF_UP)


def activation_summary(
    ledger: Ledger,
    period: Any,
    *,
    observed: Any = None,
    unit: Unit = "customer",
    by: str | None = None,
) -> Any:
    """The counts and amounts behind :func:`activation_rate` (montant moyen des encaissements).

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
    observed : date or str, optional
        Observation date, default the end of P (see :func:`activation_rate`).
    unit : {"customer", "invoice"}, default "customer"
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    Series or DataFrame
        Fields (SUMMARY_COLUMNS):

        - ``in_progress`` (int): cases holding a target invoice;
        - ``activated`` (int): cases with a cash payment in ``[start, d]``;
        - ``activation_rate`` (float): activated / in_progress;
        - ``payments`` (int): number of those cash payments;
        - ``collected`` (Decimal): their total;
        - ``per_payment`` (Decimal): collected / payments;
        - ``per_activated_case`` (Decimal): collected / activated.

        One period, ``by=None``: a Series of these fields named after the
        period. ``by``: a DataFrame, one row per group. A list of periods: a
        DataFrame indexed by period, or by ``(period, group)`` with ``by``.
        The averages are rounded half-up to the currency's minor unit
        (``nan`` when there is no payment).

    Raises
    ------
    InvalidOptionError
        Unknown ``unit`` or ``by``, or ``observed`` outside the period.

    Warns
    -----
    UndefinedMetricWarning
        When no case is in progress, or no payment came in.

    Notes
    -----
    ``collected`` is the cash paid on target invoices in ``[start, d]``; it
    excludes credit notes and write-offs (which the recovery rate's
    ``Total - Remaining`` includes). The counts and ``collected`` are
    additive over disjoint customers.

    References
    ----------
    SPEC §4.4 (companion: average amount per payment and per activated case).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-10", "2024-04-09", "200.00")],
    ...     [ck.Payment("F1", "2024-04-05", "40.00"), ck.Payment("F1", "2024-04-20", "20.00")])
    >>> from creditkpi.metrics.activation import activation_summary
    >>> s = activation_summary(ledger, "2024-04")
    >>> s["in_progress"], s["activated"], s["payments"], s["collected"], s["per_payment"]
    (2, 1, 2, Decimal('60.00'), Decimal('30.00'))
    """
    periods, single, groups, counts = _all_counts(ledger, period, observed, unit, by)
    in_progress = np.concatenate([c.in_progress for c in counts])
    activated = np.concatenate([c.activated for c in counts])
    payments = np.concatenate([c.payments for c in counts])
    collected = np.concatenate([c.collected for c in counts])
    rate = safe_ratio(activated, in_progress, what="activation rate (no case in progress)")
    if np.any(payments == 0):
        warn_undefined("average amount per payment (no payment)", stacklevel=2)
    frame = pd.DataFrame(
        {
            "in_progress": in_progress,
            "activated": activated,
            "activation_rate": rate,
            "payments": payments,
            "collected": pd.Series(ledger._cols.money_list(collected.tolist()), dtype=object),
            "per_payment": pd.Series(
                [_average(ledger, c, k) for c, k in zip(collected, payments, strict=True)],
                dtype=object,
            ),
            "per_activated_case": pd.Series(
                [_average(ledger, c, k) for c, k in zip(collected, activated, strict=True)],
                dtype=object,
            ),
        },
    )
    frame.index = period_group_index(periods, groups)
    return _summary_shape(frame, periods, single=single, by=by)


def _summary_shape(
    frame: pd.DataFrame, periods: list[Period], *, single: bool, by: str | None
) -> Any:
    """One period: Series (by=None) or frame by group; many: frame by period (and group)."""
    if by is None:
        out = frame.droplevel("group")
        if single:
            return pd.Series(
                {c: _python(v) for c, v in out.iloc[0].items()}, dtype=object, name=str(periods[0])
            )
        return out
    if single:
        out = frame.droplevel("period")
        out.index.name = by
        return out
    return frame.rename_axis(["period", by])


def _python(value: Any) -> Any:
    """A numpy scalar as the matching Python number (Decimal and others unchanged)."""
    return value.item() if isinstance(value, np.generic) else value


def _check_count(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, np.number)):
        raise InvalidValueError(f"{name} must be a number, got {value!r}", column=name)
    number = float(value)
    if number < 0:
        raise InvalidValueError(f"{name} must not be negative, got {value!r}", column=name)
    return number


def formula_activation_rate(activated: float, in_progress: float) -> float:
    """Activation rate from its two counts: ``activated / in_progress``.

    Parameters
    ----------
    activated : int or float
        Cases with at least one payment in the period.
    in_progress : int or float
        Cases in progress.

    Returns
    -------
    float
        In ``[0, 1]``, higher is better; ``nan`` when ``in_progress`` is 0.

    Raises
    ------
    InvalidValueError
        A negative count, a non-number, or ``activated > in_progress``.

    Warns
    -----
    UndefinedMetricWarning
        When ``in_progress`` is 0.

    References
    ----------
    SPEC §4.4; seed 003 ("(47/75) x 100 = 62,66 %", truncated).

    Examples
    --------
    >>> formula_activation_rate(47, 75)
    0.6266666666666667
    """
    a = _check_count(activated, "activated")
    n = _check_count(in_progress, "in_progress")
    if a > n:
        raise InvalidValueError(
            f"activated ({activated}) exceeds in_progress ({in_progress})", column="activated"
        )
    num: Any = activated if isinstance(activated, (int, np.integer)) else a
    den: Any = in_progress if isinstance(in_progress, (int, np.integer)) else n
    return float(safe_ratio(num, den, what="activation rate (no case in progress)")[()])
