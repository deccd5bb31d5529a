"""Payment behaviour: days to pay, days late, share paid late.

Depends only on :mod:`creditkpi.core`. The three KPIs (:data:`DAYS_TO_PAY`,
:data:`DAYS_LATE`, :data:`SHARE_PAID_LATE`) are fields of :func:`payment_delays`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from creditkpi.core.args import as_periods, check_money
from creditkpi.core.errors import InvalidValueError
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, evaluate
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import LedgerParts
from creditkpi.core.parts.names import DELAY_PARTS
from creditkpi.core.ratios import exact, ratio, weighted_mean
from creditkpi.core.shapes import Money, SummaryResult, money_values, shape_summary

__all__ = [
    "DAYS_LATE",
    "DAYS_TO_PAY",
    "DELAY_COLUMNS",
    "DELAY_PARTS",
    "KPIS",
    "SHARE_PAID_LATE",
    "formula_mean_days",
    "formula_share_paid_late",
    "formula_weighted_average_days",
    "payment_delays",
]

#: fields of :func:`payment_delays`
DELAY_COLUMNS = ("days_to_pay", "days_late", "share_paid_late", "amount", "payments")


def payment_delays(
    ledger: Ledger, period: Any, *, by: By = None, money: Money = "float"
) -> SummaryResult:
    """Amount-weighted days to pay and days late of the cash received in P.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The payments dated in P are measured; a list gives one row per period.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute (country, segment, ...).

    Returns
    -------
    Series or DataFrame
        Fields (``DELAY_COLUMNS``):

        - ``days_to_pay`` (float): amount-weighted average of
          ``payment date - issue date``; lower is better;
        - ``days_late`` (float): amount-weighted average of
          ``max(0, payment date - due date)``; lower is better, 0 when
          everything was paid on time;
        - ``share_paid_late`` (float in ``[0, 1]``): share of the amount paid at
          least one day after the due date; lower is better;
        - ``amount`` (Decimal): the cash measured;
        - ``payments`` (int): how many payments.

        One period, ``by=None``: a Series of these fields named after the
        period. ``by``: a DataFrame, one row per group (index named after
        ``by``). A list of periods: a DataFrame indexed by period, or by
        ``(period, by)`` (a MultiIndex) with ``by``. Groups with no payment in
        P have ``nan`` averages, amount 0 and 0 payments.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; a bad period.

    Warns
    -----
    UndefinedMetricWarning
        When a period (or a group) has no payment: its averages are ``nan``.

    Notes
    -----
    Over the cash payments (kind ``payment``) applied to an invoice and dated
    in P, each weighted by its amount ``a``:
    ``days_to_pay = Σ a (t - I_i) / Σ a``,
    ``days_late = Σ a max(0, t - D_i) / Σ a``,
    ``share_paid_late = Σ a [t - D_i >= 1] / Σ a``. A partial payment counts for
    its own amount at its own date. Unapplied cash has no invoice, hence no
    issue or due date: it is excluded (it is in the cash collected ``C(P)``
    of other KPIs). Credit notes and write-offs are not payments. A payment
    dated before its invoice's issue date counts from the issue date (0 days
    to pay), as the engine does. The sums are exact integers (cents × days);
    each figure is the correctly rounded float of an exact fraction.

    References
    ----------
    The *Payment delays* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-20", "2024-04-19", "300.00")],
    ...     [ck.Payment("F1", "2024-04-10", "100.00"), ck.Payment("F2", "2024-04-09", "300.00")])
    >>> d = ck.payment_delays(ledger, "2024-04")
    >>> d[["days_to_pay", "days_late", "share_paid_late"]].tolist()  # (100×40 + 300×20) / 400; 100×10 / 400
    [25.0, 2.5, 0.25]
    """
    check_money(money)
    periods, single = as_periods(period)
    groups = group_codes(ledger, by)
    source = LedgerParts(ledger, groups, periods=periods)
    source.fetch(DELAY_PARTS)
    values = {kpi.name: evaluate(kpi, source).reshape(-1) for kpi in KPIS}
    values["amount"] = money_values(source.value("paid").reshape(-1), ledger.digits, money)
    values["payments"] = source.value("payments").reshape(-1)
    frame = pd.DataFrame(values, columns=list(DELAY_COLUMNS))
    return shape_summary(frame, periods, groups, single=single, by=by)


def formula_mean_days(amount_days: Any, amount: Any) -> Any:
    """Amount-weighted average days from its two sums: ``Σ amount × days / Σ amount``.

    Parameters
    ----------
    amount_days : number or array of int
        ``Σ a × d`` (minor units × days), e.g. the ``paid_days_to_pay`` part.
    amount : number or array of int
        ``Σ a``, same unit as the amounts.

    Returns
    -------
    float or ndarray
        Days; ``nan`` when ``amount <= 0`` (no payment).

    Warns
    -----
    UndefinedMetricWarning
        When ``amount <= 0``.

    Examples
    --------
    >>> formula_mean_days(100 * 40 + 300 * 20, 400)
    25.0
    """
    return ratio(amount_days, amount, what="payment delays (no payment in the period)")


def formula_share_paid_late(paid_late: Any, paid: Any) -> Any:
    """Share of the cash paid at least one day late: ``paid_late / paid``.

    Examples
    --------
    >>> formula_share_paid_late(100, 400)
    0.25
    """
    return ratio(paid_late, paid, what="share paid late (no payment in the period)")


def _check(values: Sequence[Any], name: str, *, positive: bool = False) -> None:
    for k, value in enumerate(values):
        number = exact(value, f"{name}[{k}]")
        if number is None:
            raise InvalidValueError(f"{name}[{k}] is not finite", column=name, ids=[k])
        if positive and number < 0:
            raise InvalidValueError(f"{name}[{k}] is negative", column=name, ids=[k])


def formula_weighted_average_days(amounts: Sequence[Any], days: Sequence[Any]) -> float:
    """Amount-weighted average of days: ``Σ amount × days / Σ amount``.

    Parameters
    ----------
    amounts : sequence of int, float or Decimal
        The weights (payment amounts), each >= 0.
    days : sequence of int or float
        The days (to pay, late, ...) of each amount; same length.

    Returns
    -------
    float
        The weighted average, computed exactly then rounded once; ``nan`` when
        the amounts sum to 0 (or are empty).

    Raises
    ------
    InvalidValueError
        Lengths differ, a value is not a finite number, or an amount is
        negative.

    Warns
    -----
    UndefinedMetricWarning
        When the amounts sum to 0.

    References
    ----------
    The *Payment delays* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_weighted_average_days([100, 300], [40, 20])
    25.0
    """
    a = list(amounts)
    d = list(days)
    if len(a) != len(d):
        raise InvalidValueError(f"amounts has {len(a)} values but days has {len(d)}", column="days")
    _check(a, "amounts", positive=True)
    _check(d, "days")
    return weighted_mean(a, d, what="weighted average days (no amount)")


DAYS_TO_PAY = KPI(
    name="days_to_pay",
    label="Average days to pay",
    label_fr="Délai moyen de paiement",
    unit="days",
    better="lower",
    basis="period",
    section="Speed",
    parts=("paid_days_to_pay", "paid"),
    formula=formula_mean_days,
    function=payment_delays,
    page="kpis/payment-delays.md",
    definition="Average days from issue to payment of the cash received in the period, "
    "weighted by amount.",
    field="days_to_pay",
)

DAYS_LATE = KPI(
    name="days_late",
    label="Average days late",
    label_fr="Retard moyen de paiement",
    unit="days",
    better="lower",
    basis="period",
    section="Speed",
    parts=("paid_days_late", "paid"),
    formula=formula_mean_days,
    function=payment_delays,
    page="kpis/payment-delays.md",
    definition="Average days after the due date of the cash received in the period, weighted "
    "by amount.",
    field="days_late",
)

SHARE_PAID_LATE = KPI(
    name="share_paid_late",
    label="Share of cash paid late",
    label_fr="Part des encaissements en retard",
    unit="ratio",
    better="lower",
    basis="period",
    section="Speed",
    parts=("paid_late", "paid"),
    formula=formula_share_paid_late,
    function=payment_delays,
    page="kpis/payment-delays.md",
    definition="The share of the period's cash that came in after the due date.",
    field="share_paid_late",
)

#: the value KPIs of this module (the registry collects them)
KPIS = (DAYS_TO_PAY, DAYS_LATE, SHARE_PAID_LATE)
