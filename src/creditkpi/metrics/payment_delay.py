"""Payment behaviour: days to pay, days late, share paid late (SPEC §4.9).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_periods, warn_undefined
from creditkpi.core.engine import settlement_window
from creditkpi.core.errors import InvalidValueError
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import PAYMENT, Ledger
from creditkpi.core.period import Period, to_day

__all__ = ["DELAY_COLUMNS", "delay_sums", "formula_weighted_average_days", "payment_delays"]

IntArray = npt.NDArray[np.int64]

#: fields of :func:`payment_delays`
DELAY_COLUMNS = ("days_to_pay", "days_late", "share_late", "amount", "payments")

_INT64_SAFE = 2**62


def _int_sum(group: IntArray, values: IntArray, size: int) -> list[int]:
    """Exact per-group sums of integer ``values`` (Python ints, no overflow)."""
    if values.size == 0:
        return [0] * size
    bound = int(np.abs(values).max()) * int(values.size)
    if bound < _INT64_SAFE:
        acc = np.zeros(size, dtype=np.int64)
        np.add.at(acc, group, values)
        return [int(v) for v in acc]
    out = [0] * size
    for g, v in zip(group.tolist(), values.tolist(), strict=True):
        out[g] += v
    return out


def delay_sums(ledger: Ledger, period: Period, groups: Groups) -> dict[str, list[int]]:
    """The additive parts of :func:`payment_delays` for one period, per group.

    Over the cash payments applied to an invoice and dated in P: ``amount``
    (minor units), ``payments`` (count), ``weighted_to_pay`` (Σ amount × days
    to pay), ``weighted_late`` (Σ amount × days late) and ``amount_late``
    (amount paid at least one day late), exact Python ints. Two ledgers with
    disjoint customers give sums that add up, which is how
    :mod:`creditkpi.distributed` carries payment delays across partitions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00")],
    ...     [ck.Payment("F1", "2024-04-10", "100.00")])
    >>> delay_sums(ledger, ck.Period.month(2024, 4), group_codes(ledger, None))["weighted_late"]
    [100000]
    """
    window = settlement_window(ledger, to_day(period.start), to_day(period.end))
    inv = ledger._cols.settlement_invoice[window]
    keep = (ledger._cols.settlement_kind[window] == PAYMENT) & (inv >= 0)
    inv = inv[keep]
    day = ledger._cols.settlement_date[window][keep]
    amount = ledger._cols.settlement_amount[window][keep].astype(np.int64)
    # a payment dated before its invoice counts from the issue date (as in the engine)
    to_pay = np.maximum(day - ledger._cols.issue[inv], 0).astype(np.int64)
    late = np.maximum(day - ledger._cols.due[inv], 0).astype(np.int64)
    group = groups.invoice[inv]
    is_late = late >= 1
    return {
        "amount": _int_sum(group, amount, groups.size),
        "payments": [int(v) for v in np.bincount(group, minlength=groups.size)],
        "weighted_to_pay": _int_sum(group, amount * to_pay, groups.size),
        "weighted_late": _int_sum(group, amount * late, groups.size),
        "amount_late": _int_sum(group[is_late], amount[is_late], groups.size),
    }


def _div(num: int, den: int) -> float:
    return num / den if den else float("nan")


def payment_delays(ledger: Ledger, period: Any, *, by: str | None = None) -> Any:
    """Amount-weighted days to pay and days late of the cash received in P.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The payments dated in P are measured; a list gives one row per period.
    by : str, optional
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
        - ``share_late`` (float in ``[0, 1]``): share of the amount paid at
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
    ``share_late = Σ a [t - D_i >= 1] / Σ a``. A partial payment counts for
    its own amount at its own date. Unapplied cash has no invoice, hence no
    issue or due date: it is excluded (it is in the cash collected ``C(P)``
    of other KPIs). Credit notes and write-offs are not payments. A payment
    dated before its invoice's issue date counts from the issue date (0 days
    to pay), as the engine does. The sums are exact integers (cents × days);
    each figure is the correctly rounded float of an exact fraction.

    References
    ----------
    SPEC §4.9 (payment behaviour); seed 003 ("délai moyen de paiement").

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-20", "2024-04-19", "300.00")],
    ...     [ck.Payment("F1", "2024-04-10", "100.00"), ck.Payment("F2", "2024-04-09", "300.00")])
    >>> d = ck.payment_delays(ledger, "2024-04")
    >>> d["days_to_pay"], d["days_late"], d["share_late"]  # (100×40 + 300×20) / 400; 100×10 / 400
    (25.0, 2.5, 0.25)
    """
    periods, single = as_periods(period)
    groups = group_codes(ledger, by)
    rows: list[dict[str, Any]] = []
    undefined = False
    for p in periods:
        sums = delay_sums(ledger, p, groups)
        for g in range(groups.size):
            amount = sums["amount"][g]
            undefined |= amount == 0
            rows.append(
                {
                    "days_to_pay": _div(sums["weighted_to_pay"][g], amount),
                    "days_late": _div(sums["weighted_late"][g], amount),
                    "share_late": _div(sums["amount_late"][g], amount),
                    "amount": ledger._cols.money(amount),
                    "payments": sums["payments"][g],
                }
            )
    if undefined:
        warn_undefined("payment delays (no payment in the period)", stacklevel=2)
    labels = [str(p) for p in periods]
    if by is None:
        if single:
            return pd.Series(rows[0], dtype=object, name=labels[0])
        index: pd.Index = pd.Index(labels, name="period")
    elif single:
        index = groups.labels.rename(by)
    else:
        index = pd.MultiIndex.from_product([labels, groups.labels], names=["period", by])
    frame = pd.DataFrame(rows, index=index, columns=list(DELAY_COLUMNS))
    return frame.astype(
        {
            "days_to_pay": np.float64,
            "days_late": np.float64,
            "share_late": np.float64,
            "amount": object,
            "payments": np.int64,
        }
    )


def _exact(value: Any, name: str, k: int) -> Fraction:
    if isinstance(value, bool) or not isinstance(
        value, (int, float, Decimal, np.integer, np.floating)
    ):
        raise InvalidValueError(
            f"{name}[{k}] must be a number, got {value!r}", column=name, ids=[k]
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValueError(f"{name}[{k}] is not finite", column=name, ids=[k])
        return Fraction(value)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise InvalidValueError(f"{name}[{k}] is not finite", column=name, ids=[k])
        return Fraction(float(value))
    return Fraction(int(value))


def formula_weighted_average_days(amounts: Sequence[float], days: Sequence[float]) -> float:
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
    SPEC §4.9.

    Examples
    --------
    >>> formula_weighted_average_days([100, 300], [40, 20])
    25.0
    """
    a = list(amounts)
    d = list(days)
    if len(a) != len(d):
        raise InvalidValueError(f"amounts has {len(a)} values but days has {len(d)}", column="days")
    weights = [_exact(v, "amounts", k) for k, v in enumerate(a)]
    negative = [k for k, w in enumerate(weights) if w < 0]
    if negative:
        raise InvalidValueError(
            f"{len(negative)} amount(s) are negative", column="amounts", ids=negative
        )
    values = [_exact(v, "days", k) for k, v in enumerate(d)]
    total = sum(weights, Fraction(0))
    if total == 0:
        warn_undefined("weighted average days (no amount)", stacklevel=2)
        return float("nan")
    return float(sum((w * v for w, v in zip(weights, values, strict=True)), Fraction(0)) / total)
