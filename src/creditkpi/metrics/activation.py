"""Activation rate (taux d'activation / taux de payeurs).

Of the collection cases in progress during a period, the share in which at
least one cash payment came in. Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_periods, check_money, check_option, observed_days
from creditkpi.core.errors import InvalidValueError
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, finish
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import LedgerParts
from creditkpi.core.ratios import exact, ratio, warn_undefined
from creditkpi.core.shapes import Money, RatioResult, SummaryResult, money_values, shape_summary

__all__ = [
    "ACTIVATION_RATE",
    "KPIS",
    "SUMMARY_COLUMNS",
    "activation_rate",
    "activation_summary",
    "formula_activation_rate",
]

Unit = Literal["customer", "invoice"]
IntArray = npt.NDArray[np.int64]

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


def activation_rate(
    ledger: Ledger,
    period: Any,
    *,
    observed: Any = None,
    unit: Unit = "customer",
    by: By = None,
) -> RatioResult:
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
    by : str or list of str, optional
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
    Target set of P (the recovery rate's): invoices issued before
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
    The *Activation rate* page of the documentation: definition, worked
    example and conventions.

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
    check_option("unit", unit, ("customer", "invoice"))
    kpi = ACTIVATION_RATE if unit == "customer" else _INVOICE_ACTIVATION_RATE
    result: RatioResult = finish(
        kpi, ledger, period, by=by, observed=lambda p: observed_days(p, observed)
    )
    return result


def _average(cents: int, count: int, digits: int) -> Decimal | float:
    """``cents / count`` as a Decimal amount rounded half-up to the minor unit."""
    if count == 0:
        return float("nan")
    quantum = Decimal(1).scaleb(-digits)
    amount = Decimal(int(cents)).scaleb(-digits)
    return (amount / count).quantize(quantum, rounding=ROUND_HALF_UP)


def activation_summary(
    ledger: Ledger,
    period: Any,
    *,
    observed: Any = None,
    unit: Unit = "customer",
    by: By = None,
    money: Money = "float",
) -> SummaryResult:
    """The counts and amounts behind :func:`activation_rate` (montant moyen des encaissements).

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
    observed : date or str, optional
        Observation date, default the end of P (see :func:`activation_rate`).
    unit : {"customer", "invoice"}, default "customer"
    by : str or list of str, optional
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
    The *Activation rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-10", "2024-04-09", "200.00")],
    ...     [ck.Payment("F1", "2024-04-05", "40.00"), ck.Payment("F1", "2024-04-20", "20.00")])
    >>> from creditkpi.metrics.activation import activation_summary
    >>> s = activation_summary(ledger, "2024-04", money="decimal")
    >>> s["in_progress"], s["activated"], s["payments"], s["collected"], s["per_payment"]
    (2, 1, 2, Decimal('60.00'), Decimal('30.00'))
    """
    check_money(money)
    check_option("unit", unit, ("customer", "invoice"))
    periods, single = as_periods(period)
    days = observed_days(periods, observed)
    groups = group_codes(ledger, by)
    prefix = "customers" if unit == "customer" else "invoices"
    names = [
        f"{prefix}_in_progress",
        f"{prefix}_activated",
        "activation_payments",
        "activation_collected",
    ]
    source = LedgerParts(ledger, groups, periods=periods, observed=days)
    source.fetch(names)
    digits = ledger.digits
    in_progress, activated, payments, collected = (source.value(name).reshape(-1) for name in names)
    rate = formula_activation_rate(activated, in_progress)
    if np.any(payments == 0):
        warn_undefined("average amount per payment (no payment)")

    def averages(counts: IntArray) -> Any:
        exact_values = [
            _average(a, k, digits) for a, k in zip(collected.tolist(), counts.tolist(), strict=True)
        ]
        if money == "decimal":
            return pd.Series(exact_values, dtype=object)
        return pd.Series([float(v) for v in exact_values], dtype=np.float64)

    frame = pd.DataFrame(
        {
            "in_progress": in_progress,
            "activated": activated,
            "activation_rate": rate,
            "payments": payments,
            "collected": money_values(collected, digits, money),
            "per_payment": averages(payments),
            "per_activated_case": averages(activated),
        },
    )
    return shape_summary(frame, periods, groups, single=single, by=by)


def _check_count(value: Any, name: str) -> None:
    if isinstance(value, np.ndarray):
        return
    number = exact(value, name)
    if number is not None and number < 0:
        raise InvalidValueError(f"{name} must not be negative, got {value!r}", column=name)


def formula_activation_rate(activated: Any, in_progress: Any) -> Any:
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
        In ``[0, 1]``, higher is better; ``nan`` when ``in_progress`` is 0 or below.

    Raises
    ------
    InvalidValueError
        A negative count, a non-number, or ``activated > in_progress``.

    Warns
    -----
    UndefinedMetricWarning
        When ``in_progress`` is 0 or below.

    References
    ----------
    The *Activation rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_activation_rate(47, 75)
    0.6266666666666667
    """
    _check_count(activated, "activated")
    _check_count(in_progress, "in_progress")
    if not isinstance(activated, np.ndarray) and not isinstance(in_progress, np.ndarray):
        a, n = exact(activated, "activated"), exact(in_progress, "in_progress")
        if a is not None and n is not None and a > n:
            raise InvalidValueError(
                f"activated ({activated}) exceeds in_progress ({in_progress})",
                column="activated",
            )
    return ratio(activated, in_progress, what="activation rate (no case in progress)")


ACTIVATION_RATE = KPI(
    name="activation_rate",
    label="Activation rate",
    label_fr="Taux d'activation",
    unit="ratio",
    better="higher",
    basis="period",
    section="Collection",
    parts=("customers_activated", "customers_in_progress"),
    formula=formula_activation_rate,
    function=activation_rate,
    page="kpis/activation-rate.md",
    definition="Of the customers with amounts due in the period, the share who paid something "
    "on them.",
)

#: ``activation_rate(..., unit="invoice")``: not a KPI of the registry, the same path
_INVOICE_ACTIVATION_RATE = replace(
    ACTIVATION_RATE, parts=("invoices_activated", "invoices_in_progress")
)

#: the value KPIs of this module (the registry collects them)
KPIS = (ACTIVATION_RATE,)
