"""Doubtful receivables, bad debt to sales, loss and provision rates.

Créances douteuses, *bad debt to sales ratio* (taux de créances douteuses
sur CA), taux de sinistre (créances irrécouvrables) and taux de
provision of the doubtful customers. Depends only on
:mod:`creditkpi.core`; the specs :data:`DOUBTFUL_RECEIVABLES`,
:data:`BAD_DEBT_TO_SALES`, :data:`LOSS_RATE` and :data:`PROVISION_RATE`
say how each is computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from creditkpi.core.args import check_whole
from creditkpi.core.errors import InvalidValueError
from creditkpi.core.groups import By
from creditkpi.core.kpi import KPI, finish
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import Settings
from creditkpi.core.ratios import exact, ratio
from creditkpi.core.shapes import Money, MoneyResult, RatioResult

__all__ = [
    "BAD_DEBT_TO_SALES",
    "DOUBTFUL_RECEIVABLES",
    "KPIS",
    "LOSS_RATE",
    "PROVISION_RATE",
    "bad_debt_to_sales",
    "doubtful_receivables",
    "formula_bad_debt_to_sales",
    "formula_loss_rate",
    "formula_provision_rate",
    "loss_rate",
    "provision_rate",
]


def _rule(rule_days: Any) -> Settings:
    """The settings of a doubtful rule (``rule_days``: a whole number of days >= 0, or None)."""
    return Settings(rule_days=check_whole("rule_days", rule_days, allow_none=True, unit="days"))


def doubtful_receivables(
    ledger: Ledger,
    as_of: Any,
    *,
    rule_days: int | None = None,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
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
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    float, Decimal, Series or DataFrame
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
    The *Bad debt, loss and provision rates* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.bad_debt import doubtful_receivables
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "500.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-01", "2024-03-31", "300.00")],
    ...     [ck.Payment("F1", "2024-04-10", "100.00")],
    ...     doubtful=[ck.Doubtful("F1", "2024-04-01", provision="200.00")])
    >>> doubtful_receivables(ledger, "2024-04-30")
    400.0
    >>> doubtful_receivables(ledger, "2024-04-30", rule_days=60)  # F1 is 90 days past due, F2 30
    400.0
    """
    result: MoneyResult = finish(
        DOUBTFUL_RECEIVABLES, ledger, as_of, by=by, money=money, settings=_rule(rule_days)
    )
    return result


def bad_debt_to_sales(
    ledger: Ledger, period: Any, *, rule_days: int | None = None, by: By = None
) -> RatioResult:
    """Bad debt to sales (taux de créances douteuses sur CA) of a period.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a series indexed by period.
    rule_days : int, optional
        What makes an invoice doubtful: the ledger's classifications
        (default) or more than N days past due (see :func:`doubtful_receivables`).
    by : str or list of str, optional
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
    The *Bad debt, loss and provision rates* page of the documentation: definition, worked
    example and conventions.

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
    result: RatioResult = finish(
        BAD_DEBT_TO_SALES, ledger, period, by=by, settings=_rule(rule_days)
    )
    return result


def loss_rate(ledger: Ledger, period: Any, *, by: By = None) -> RatioResult:
    """Loss rate (taux de sinistre, créances irrécouvrables): write-offs of P / S(P).

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
    by : str or list of str, optional
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
    The *Bad debt, loss and provision rates* page of the documentation: definition, worked
    example and conventions.

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
    result: RatioResult = finish(LOSS_RATE, ledger, period, by=by)
    return result


def provision_rate(ledger: Ledger, as_of: Any, *, by: By = None) -> RatioResult:
    """Provision rate (taux de provision) of the doubtful receivables at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        A list gives a Series indexed by date.
    by : str or list of str, optional
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
    The *Bad debt, loss and provision rates* page of the documentation: definition, worked
    example and conventions.

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
    result: RatioResult = finish(PROVISION_RATE, ledger, as_of, by=by)
    return result


# ----------------------------------------------------------------------------------
# pure formulas
# ----------------------------------------------------------------------------------


def _finite(value: Any, name: str) -> None:
    """Plain-number inputs of these formulas must be numbers (``nan`` propagates)."""
    if not isinstance(value, np.ndarray):
        exact(value, name)


def _non_negative(value: Any, name: str) -> None:
    if isinstance(value, np.ndarray):
        return
    number = exact(value, name)
    if number is not None and number < 0:
        raise InvalidValueError(f"{name} must not be negative, got {value!r}", column=name)


def formula_bad_debt_to_sales(doubtful_change: Any, sales: Any) -> Any:
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
        Lower is better; ``nan`` when ``sales`` is 0 or below.

    Raises
    ------
    InvalidValueError
        A non-numeric or non-finite argument.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales`` is 0 or below.

    References
    ----------
    The *Bad debt, loss and provision rates* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_bad_debt_to_sales(15_000, 1_200_000)
    0.0125
    """
    _finite(doubtful_change, "doubtful_change")
    return ratio(doubtful_change, sales, what="bad debt to sales (sales <= 0)")


def formula_loss_rate(write_offs: Any, sales: Any) -> Any:
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
        Lower is better; ``nan`` when ``sales`` is 0 or below.

    Raises
    ------
    InvalidValueError
        A non-numeric or non-finite argument, or negative write-offs.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales`` is 0 or below.

    References
    ----------
    The *Bad debt, loss and provision rates* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_loss_rate(6_000, 1_200_000)
    0.005
    """
    _non_negative(write_offs, "write_offs")
    return ratio(write_offs, sales, what="loss rate (sales <= 0)")


def formula_provision_rate(provisions: Any, doubtful: Any) -> Any:
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
        Usually in ``[0, 1]``; ``nan`` when ``doubtful`` is 0 or below.

    Raises
    ------
    InvalidValueError
        A non-numeric or non-finite argument, or negative provisions.

    Warns
    -----
    UndefinedMetricWarning
        When ``doubtful`` is 0 or below.

    References
    ----------
    The *Bad debt, loss and provision rates* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_provision_rate(30_000, 40_000)
    0.75
    """
    _non_negative(provisions, "provisions")
    return ratio(provisions, doubtful, what="provision rate (doubtful receivables <= 0)")


# ----------------------------------------------------------------------------------
# specs
# ----------------------------------------------------------------------------------

BAD_DEBT_TO_SALES = KPI(
    name="bad_debt_to_sales",
    label="Bad debt to sales",
    label_fr="Créances douteuses sur CA",
    unit="ratio",
    better="lower",
    basis="period",
    section="Risk",
    parts=("doubtful_change", "sales"),
    formula=formula_bad_debt_to_sales,
    function=bad_debt_to_sales,
    page="kpis/bad-debt.md",
    definition="The change in doubtful receivables over the period as a share of its sales.",
    requires=("doubtful",),
)

LOSS_RATE = KPI(
    name="loss_rate",
    label="Loss rate (write-offs)",
    label_fr="Taux de sinistre",
    unit="ratio",
    better="lower",
    basis="period",
    section="Risk",
    parts=("write_offs", "sales"),
    formula=formula_loss_rate,
    function=loss_rate,
    page="kpis/bad-debt.md",
    definition="Write-offs of the period as a share of its sales.",
)

DOUBTFUL_RECEIVABLES = KPI(
    name="doubtful_receivables",
    label="Doubtful receivables",
    label_fr="Créances douteuses",
    unit="money",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=("doubtful",),
    formula=None,
    function=doubtful_receivables,
    page="kpis/bad-debt.md",
    definition="The open balance of the invoices classified doubtful.",
    requires=("doubtful",),
)

PROVISION_RATE = KPI(
    name="provision_rate",
    label="Provision rate",
    label_fr="Taux de provision",
    unit="ratio",
    better=None,
    basis="as_of",
    section="Risk",
    parts=("provisions", "doubtful"),
    formula=formula_provision_rate,
    function=provision_rate,
    page="kpis/bad-debt.md",
    definition="Provisions held on doubtful receivables as a share of them.",
    requires=("doubtful",),
)

#: the value KPIs of this module (the registry collects them)
KPIS = (BAD_DEBT_TO_SALES, LOSS_RATE, DOUBTFUL_RECEIVABLES, PROVISION_RATE)
