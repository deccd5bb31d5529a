"""Credit limits and credit-insurance cover: over-limit, utilisation, covered and at-risk amounts.

Depends only on :mod:`creditkpi.core`: every customer's figures come from
:func:`creditkpi.core.credit.credit_position` (exposure, limit, cover), summed
into the additive parts of :mod:`creditkpi.core.parts`. The per-customer
tables (``credit_exposure``, ``limit_bands``) are in
:mod:`creditkpi.metrics.exposure`. See the *Limits and cover* page of the
documentation.

Output schemas (money numeric by default, exact ``Decimal`` with
``money="decimal"``; a scalar amount is always a ``Decimal``):

* :func:`over_limit`, :func:`unlimited_exposure`, :func:`uncovered_exposure`,
  :func:`cover_at_risk` -- an amount, a Series by group or by date, or a
  DataFrame dates × groups; :func:`over_limit_customers` a count;
  :func:`limit_utilisation`, :func:`covered_share` fractions.
"""

from __future__ import annotations

from typing import Any

from creditkpi.core.credit import Unapplied, check_unapplied
from creditkpi.core.kpi import KPI, finish
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import Settings
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import Money, MoneyResult, RatioResult

__all__ = [
    "COVERED_SHARE",
    "COVER_AT_RISK",
    "KPIS",
    "LIMIT_UTILISATION",
    "OVER_LIMIT",
    "OVER_LIMIT_CUSTOMERS",
    "UNCOVERED_EXPOSURE",
    "UNLIMITED_EXPOSURE",
    "cover_at_risk",
    "covered_share",
    "formula_covered_share",
    "formula_limit_utilisation",
    "formula_uncovered_exposure",
    "limit_utilisation",
    "over_limit",
    "over_limit_customers",
    "uncovered_exposure",
    "unlimited_exposure",
]

_PAGE = "kpis/limits-and-cover.md"
#: the dashboard block of this module's KPIs (in the Risk section)
_BLOCK = "Limits and cover"


def _settings(unapplied: Any) -> Settings:
    return Settings(unapplied=check_unapplied(unapplied))


# ----------------------------------------------------------------------------------
# limits
# ----------------------------------------------------------------------------------


def over_limit(
    ledger: Ledger,
    as_of: Any,
    *,
    by: str | None = None,
    unapplied: Unapplied = "net",
    money: Money = "float",
) -> MoneyResult:
    """Exposure beyond the credit limits (dépassement d'encours) at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        With credit limits (``limits=`` of the builders).
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of``.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group
        (a customer's figures go to the group of its latest invoice).
    unapplied : {"net", "gross"}, default "net"
        Exposure with each customer's unapplied credits netted, or not.
    money : {"float", "decimal"}, default "float"
        How a Series or DataFrame carries money.

    Returns
    -------
    Decimal, Series or DataFrame
        ``Σ_c max(0, E_c(T) - L_c(T))`` over the customers with a limit;
        lower is better.

    Notes
    -----
    ``E_c(T)``: the customer's open receivables, its unapplied credits
    netted, floored at 0; ``L_c(T)``: its last credit limit dated on or
    before T (a limit of 0 means no credit: all its exposure is over).

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "1200.00"),
    ...      ck.Invoice("F2", "B", "2024-03-31", "2024-04-30", "300.00")],
    ...     limits=[ck.CreditLimit("A", "2024-01-01", "1000"),
    ...             ck.CreditLimit("B", "2024-01-01", "500")])
    >>> ck.over_limit(ledger, "2024-03-31")
    200.0
    """
    result: MoneyResult = finish(
        OVER_LIMIT, ledger, as_of, by=by, money=money, settings=_settings(unapplied)
    )
    return result


OVER_LIMIT = KPI(
    definition="Exposure beyond the customers' credit limits at the as-of date, summed over customers.",
    name="over_limit",
    label="Exposure over credit limits",
    label_fr="Dépassements d'encours autorisé",
    unit="money",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=("over_limit",),
    formula=None,
    function=over_limit,
    page=_PAGE,
    requires=("limits",),
    block=_BLOCK,
)


def over_limit_customers(
    ledger: Ledger, as_of: Any, *, by: str | None = None, unapplied: Unapplied = "net"
) -> RatioResult:
    """How many customers owe more than their credit limit at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        With credit limits.
    as_of : date, str or list of them
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    unapplied : {"net", "gross"}, default "net"

    Returns
    -------
    int, Series or DataFrame
        The count of customers with ``E_c(T) > L_c(T)``; lower is better.

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "1200.00")],
    ...     limits=[ck.CreditLimit("A", "2024-01-01", "1000")])
    >>> ck.over_limit_customers(ledger, "2024-03-01")
    1
    """
    result: RatioResult = finish(
        OVER_LIMIT_CUSTOMERS, ledger, as_of, by=by, settings=_settings(unapplied)
    )
    return result


OVER_LIMIT_CUSTOMERS = KPI(
    definition="How many customers owe more than their credit limit at the as-of date.",
    name="over_limit_customers",
    label="Customers over their credit limit",
    label_fr="Clients en dépassement d'encours",
    unit="count",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=("over_limit_customers",),
    formula=None,
    function=over_limit_customers,
    page=_PAGE,
    requires=("limits",),
    block=_BLOCK,
)


def limit_utilisation(
    ledger: Ledger, as_of: Any, *, by: str | None = None, unapplied: Unapplied = "net"
) -> RatioResult:
    """Use of the credit limits granted: exposure of limited customers / their limits.

    Parameters
    ----------
    ledger : Ledger
        With credit limits.
    as_of : date, str or list of them
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    unapplied : {"net", "gross"}, default "net"

    Returns
    -------
    float, Series or DataFrame
        ``Σ E_c(T) / Σ L_c(T)`` over the customers with a limit at T (a
        fraction; above 1 when the book as a whole is over its limits).
        ``nan`` when those limits add up to 0.

    Warns
    -----
    UndefinedMetricWarning
        Where the limits add up to 0 (no limited customer, or only limits
        of 0): ``nan``.

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "1200.00"),
    ...      ck.Invoice("F2", "B", "2024-03-31", "2024-04-30", "300.00")],
    ...     limits=[ck.CreditLimit("A", "2024-01-01", "1000"),
    ...             ck.CreditLimit("B", "2024-01-01", "500")])
    >>> ck.limit_utilisation(ledger, "2024-03-31")  # 1500 / 1500
    1.0
    """
    result: RatioResult = finish(
        LIMIT_UTILISATION, ledger, as_of, by=by, settings=_settings(unapplied)
    )
    return result


def formula_limit_utilisation(limited_exposure: Any, credit_limits: Any) -> Any:
    """Limit utilisation from plain numbers: ``limited_exposure / credit_limits``.

    Parameters
    ----------
    limited_exposure : int, float or Decimal
        Exposure of the customers with a credit limit.
    credit_limits : int, float or Decimal
        Their limits, summed.

    Returns
    -------
    float
        ``nan`` when ``credit_limits`` is 0 or below.

    Examples
    --------
    >>> from creditkpi import formulas as f
    >>> f.limit_utilisation(45_000, 60_000)
    0.75
    """
    return ratio(limited_exposure, credit_limits, what="limit utilisation (limits <= 0)")


LIMIT_UTILISATION = KPI(
    definition="Exposure of the customers with a credit limit as a share of their limits.",
    name="limit_utilisation",
    label="Credit limit utilisation",
    label_fr="Taux d'utilisation des encours autorisés",
    unit="ratio",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=("limited_exposure", "credit_limits"),
    formula=formula_limit_utilisation,
    function=limit_utilisation,
    page=_PAGE,
    requires=("limits",),
    block=_BLOCK,
)


def unlimited_exposure(
    ledger: Ledger,
    as_of: Any,
    *,
    by: str | None = None,
    unapplied: Unapplied = "net",
    money: Money = "float",
) -> MoneyResult:
    """Exposure of the customers with no credit limit set at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        With credit limits (for some customers).
    as_of : date, str or list of them
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    unapplied : {"net", "gross"}, default "net"
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    Decimal, Series or DataFrame
        ``Σ E_c(T)`` over the customers without a limit dated on or before
        T: the exposure no limit watches (lower is better).

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "1200.00"),
    ...      ck.Invoice("F2", "B", "2024-03-31", "2024-04-30", "300.00")],
    ...     limits=[ck.CreditLimit("A", "2024-01-01", "1000")])
    >>> ck.unlimited_exposure(ledger, "2024-03-31")
    300.0
    """
    result: MoneyResult = finish(
        UNLIMITED_EXPOSURE, ledger, as_of, by=by, money=money, settings=_settings(unapplied)
    )
    return result


UNLIMITED_EXPOSURE = KPI(
    definition="Exposure of the customers with no credit limit set at the as-of date.",
    name="unlimited_exposure",
    label="Exposure without a credit limit",
    label_fr="Encours sans limite de crédit",
    unit="money",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=("unlimited_exposure",),
    formula=None,
    function=unlimited_exposure,
    page=_PAGE,
    requires=("limits",),
    block=_BLOCK,
)


# ----------------------------------------------------------------------------------
# cover
# ----------------------------------------------------------------------------------


def covered_share(
    ledger: Ledger, as_of: Any, *, by: str | None = None, unapplied: Unapplied = "net"
) -> RatioResult:
    """Share of the exposure covered by credit insurance at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        With credit-insurance cover (``cover=`` of the builders).
    as_of : date, str or list of them
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    unapplied : {"net", "gross"}, default "net"

    Returns
    -------
    float, Series or DataFrame
        ``Σ covered_c / Σ E_c(T)`` in [0, 1] (higher is better), where
        ``covered_c = min(E_c, cover amount) × share`` (covers of several
        insurers stacked as layers). ``nan`` when the exposure is 0.

    Warns
    -----
    UndefinedMetricWarning
        Where the exposure is 0: ``nan``.

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "1000.00"),
    ...      ck.Invoice("F2", "B", "2024-03-31", "2024-04-30", "1000.00")],
    ...     cover=[ck.Cover("A", "2024-01-01", "800", share="0.9")])
    >>> ck.covered_share(ledger, "2024-03-31")  # 720 / 2000
    0.36
    """
    result: RatioResult = finish(COVERED_SHARE, ledger, as_of, by=by, settings=_settings(unapplied))
    return result


def formula_covered_share(covered: Any, exposure: Any) -> Any:
    """Covered share from plain numbers: ``covered / exposure``.

    Examples
    --------
    >>> from creditkpi import formulas as f
    >>> f.covered_share(720, 2_000)
    0.36
    """
    return ratio(covered, exposure, what="covered share (exposure <= 0)")


COVERED_SHARE = KPI(
    definition="Share of the exposure covered by credit insurance (cover amount capped, times its share).",
    name="covered_share",
    label="Share of exposure insured",
    label_fr="Part de l'encours assurée",
    unit="ratio",
    better="higher",
    basis="as_of",
    section="Risk",
    parts=("covered", "exposure"),
    formula=formula_covered_share,
    function=covered_share,
    page=_PAGE,
    requires=("cover",),
    block=_BLOCK,
)


def uncovered_exposure(
    ledger: Ledger,
    as_of: Any,
    *,
    by: str | None = None,
    unapplied: Unapplied = "net",
    money: Money = "float",
) -> MoneyResult:
    """Exposure not covered by credit insurance at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        With credit-insurance cover.
    as_of : date, str or list of them
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    unapplied : {"net", "gross"}, default "net"
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    Decimal, Series or DataFrame
        ``Σ_c (E_c(T) - covered_c)``: what a loss would cost after the
        insurer's payment (the uninsured customers, the part above the cover
        amounts and the share the insurer does not pay); lower is better.

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "1000.00"),
    ...      ck.Invoice("F2", "B", "2024-03-31", "2024-04-30", "1000.00")],
    ...     cover=[ck.Cover("A", "2024-01-01", "800", share="0.9")])
    >>> ck.uncovered_exposure(ledger, "2024-03-31")  # 2000 - 720
    1280.0
    """
    result: MoneyResult = finish(
        UNCOVERED_EXPOSURE, ledger, as_of, by=by, money=money, settings=_settings(unapplied)
    )
    return result


def formula_uncovered_exposure(exposure: Any, covered: Any) -> Any:
    """Uncovered exposure from plain numbers: ``exposure - covered``.

    Examples
    --------
    >>> from decimal import Decimal
    >>> from creditkpi import formulas as f
    >>> f.uncovered_exposure(Decimal("2000.00"), Decimal("720.00"))
    Decimal('1280.00')
    """
    return exposure - covered


UNCOVERED_EXPOSURE = KPI(
    definition="Exposure not covered by credit insurance at the as-of date.",
    name="uncovered_exposure",
    label="Uninsured exposure",
    label_fr="Encours non assuré",
    unit="money",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=("exposure", "covered"),
    formula=formula_uncovered_exposure,
    function=uncovered_exposure,
    page=_PAGE,
    requires=("cover",),
    block=_BLOCK,
)


def cover_at_risk(
    ledger: Ledger,
    as_of: Any,
    *,
    by: str | None = None,
    unapplied: Unapplied = "net",
    money: Money = "float",
) -> MoneyResult:
    """Open balance of insured invoices past their declaration deadline at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        With credit-insurance cover that has declaration deadlines
        (``Cover(..., declare_within=days)``).
    as_of : date, str or list of them
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    unapplied : {"net", "gross"}, default "net"
        Accepted for symmetry with the other cover KPIs (the balances are
        invoices', unapplied credits do not change them).
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    Decimal, Series or DataFrame
        ``Σ B_i(T)`` over the open invoices of insured customers, issued on
        or after their cover's start, with ``T > D_i + declare_within``:
        balances whose cover is lost unless the overdue was declared to the
        insurer in time (lower is better).

    References
    ----------
    The *Limits and cover* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-03-01", "2024-03-31", "1000.00")],
    ...     [ck.Payment("F1", "2024-05-01", "100.00")],
    ...     cover=[ck.Cover("A", "2024-01-01", "5000", declare_within=30)])
    >>> ck.cover_at_risk(ledger, ["2024-04-30", "2024-05-01"]).tolist()  # deadline: 30 April
    [0.0, 900.0]
    """
    result: MoneyResult = finish(
        COVER_AT_RISK, ledger, as_of, by=by, money=money, settings=_settings(unapplied)
    )
    return result


COVER_AT_RISK = KPI(
    definition="Open balance of insured invoices past the insurer's declaration deadline.",
    name="cover_at_risk",
    label="Insured balances past the declaration deadline",
    label_fr="Encours assuré hors délai de déclaration",
    unit="money",
    better="lower",
    basis="as_of",
    section="Risk",
    parts=("past_deadline",),
    formula=None,
    function=cover_at_risk,
    page=_PAGE,
    requires=("cover",),
    block=_BLOCK,
)


#: the value KPIs of this module (the registry collects them; the tables are in
#: :mod:`creditkpi.metrics.exposure`)
KPIS = (
    OVER_LIMIT,
    OVER_LIMIT_CUSTOMERS,
    LIMIT_UTILISATION,
    UNLIMITED_EXPOSURE,
    COVERED_SHARE,
    UNCOVERED_EXPOSURE,
    COVER_AT_RISK,
)
