"""Late-payment claims (France): penalties, the 40 € indemnity, terms beyond the legal maximum.

Depends only on :mod:`creditkpi.core`; the per-invoice kernel and the rate
tables are in :mod:`creditkpi.core.late_payment`. See the *Late-payment
claims* page of the documentation.

* :func:`late_payment_claims` -- per invoice (or summed ``by=``): days late,
  the penalties accrued to ``as_of``, the indemnity due, the total claimable;
* :func:`late_payment_penalties`, :func:`late_payment_indemnities` -- their
  totals, as KPIs (a value, a Series by group or by date);
* :func:`terms_beyond_legal` -- the share of a period's invoices whose due
  date is later than the legal maximum.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_flag, check_money, check_option
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import By, group_codes, item_groups
from creditkpi.core.kpi import KPI, TableKPI, finish, table_at
from creditkpi.core.late_payment import legal_due_limit, rate_table
from creditkpi.core.ledger import Ledger
from creditkpi.core.money import to_decimal
from creditkpi.core.parts import LedgerParts, Settings
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import (
    Money,
    MoneyResult,
    RatioResult,
    name_groups,
    own_units,
    stack_dates,
)

__all__ = [
    "CLAIM_COLUMNS",
    "KPIS",
    "LATE_PAYMENT_CLAIMS",
    "LATE_PAYMENT_INDEMNITIES",
    "LATE_PAYMENT_PENALTIES",
    "TABLES",
    "TERMS_BEYOND_LEGAL",
    "claims_table",
    "formula_terms_beyond_legal",
    "late_payment_claims",
    "late_payment_indemnities",
    "late_payment_penalties",
    "terms_beyond_legal",
]

IntArray = npt.NDArray[np.int64]

#: the columns of :func:`late_payment_claims` per invoice
CLAIM_COLUMNS = (
    "issue_date",
    "due_date",
    "amount",
    "late_balance",
    "open_balance",
    "days_late",
    "penalties",
    "indemnity",
    "claimable",
    "currency",
    "penalties_in_currency",
)
_MONEY = ("amount", "late_balance", "open_balance", "penalties", "indemnity", "claimable")
_GROUP_MONEY = ("late_balance", "open_balance", "penalties", "indemnity", "claimable")

#: the fixed recovery indemnity of French law (article D441-5 of the Code de commerce)
STATUTORY_INDEMNITY = Decimal(40)


def _indemnity(ledger: Ledger, indemnity: Any) -> tuple[Decimal, str | None]:
    """The indemnity per invoice and its currency (``None``: the ledger's).

    The statutory 40 € by default: in euros, converted at the as-of date's
    rate on a ledger translated into another currency. A book of several
    currencies that is not translated has no one currency for it: 0, or
    translate it.
    """
    several = ledger.translation is None and len(ledger.currencies) > 1
    if indemnity is None:
        if several:
            raise InvalidOptionError(
                f"the statutory indemnity is 40 € and this ledger holds "
                f"{', '.join(ledger.currencies)}: translate it (ledger.translate('EUR', rates)) "
                "to claim it in one currency, or pass indemnity=0",
                argument="indemnity",
            )
        if ledger.currency != "EUR" and ledger.translation is None:
            raise InvalidOptionError(
                f"the statutory indemnity is 40 € and this ledger is in {ledger.currency}: "
                f"pass indemnity= in {ledger.currency} (0 for none)",
                argument="indemnity",
            )
        return STATUTORY_INDEMNITY, "EUR"
    if isinstance(indemnity, bool):
        raise InvalidOptionError(
            f"indemnity must be an amount, got {indemnity!r}", argument="indemnity"
        )
    try:
        value = to_decimal(indemnity)
    except Exception:
        raise InvalidOptionError(
            f"indemnity must be an amount, got {indemnity!r}", argument="indemnity"
        ) from None
    if not value.is_finite() or value < 0:
        raise InvalidOptionError(
            f"indemnity must be an amount >= 0, got {indemnity!r}", argument="indemnity"
        )
    if several and value != 0:
        raise InvalidOptionError(
            f"indemnity {indemnity!r} is one amount and this ledger holds "
            f"{', '.join(ledger.currencies)}: translate it (ledger.translate('EUR', rates)), "
            "or pass indemnity=0",
            argument="indemnity",
        )
    if value != value.quantize(Decimal(1).scaleb(-ledger.digits)):
        raise InvalidOptionError(
            f"indemnity {indemnity!r} is finer than the minor unit of {ledger.currency}",
            argument="indemnity",
        )
    return value, None


def _settings(
    ledger: Ledger,
    *,
    rate: Any = None,
    indemnity: Any = None,
    days_in_year: Any = 365,
    exclude_disputed: Any = False,
    need_indemnity: bool = True,
) -> Settings:
    check_flag("exclude_disputed", exclude_disputed)
    if isinstance(days_in_year, bool) or days_in_year not in (360, 365, 366):
        raise InvalidOptionError(
            f"days_in_year must be 360, 365 or 366, got {days_in_year!r}", argument="days_in_year"
        )
    amount, currency = _indemnity(ledger, indemnity) if need_indemnity else (Decimal(0), None)
    return Settings(
        late_rate=rate_table(rate),
        indemnity=amount,
        indemnity_currency=currency,
        days_in_year=int(days_in_year),
        exclude_disputed=bool(exclude_disputed),
    )


# ----------------------------------------------------------------------------------
# the totals
# ----------------------------------------------------------------------------------


def late_payment_penalties(
    ledger: Ledger,
    as_of: Any,
    *,
    rate: Any = None,
    days_in_year: int = 365,
    exclude_disputed: bool = False,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    """Late-payment penalties accrued up to ``as_of`` (pénalités de retard).

    Interest on every invoice from the day after its due date, on the part
    still unpaid at the end of each day before (payments, credit notes and
    write-offs stop it from their date), at ``rate`` per year over
    ``days_in_year``; each invoice's penalty is rounded half up to the
    minor unit, and the total is the sum of those.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by date.
    rate : None, number, mapping or DataFrame, default None
        ``None``: the French statutory rate (the ECB's main refinancing rate
        in force on 1 January or 1 July, plus 10 points; a bundled table).
        A number: one yearly rate as a fraction (``0.1215``); a mapping
        ``{date: rate}`` or a frame with columns ``date`` and ``rate``: each
        rate from its date on.
    days_in_year : {365, 360, 366}, default 365
    exclude_disputed : bool, default False
        Leave out the invoices under an open dispute at ``as_of``.
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    Decimal, Series or DataFrame
        In the ledger's currency, ``>= 0``; never decreases as ``as_of``
        moves later.

    Warns
    -----
    DataQualityWarning
        Interest ran on days after the end of the bundled rate table (the
        table's last rate is used): pass ``rate=``.

    References
    ----------
    The *Late-payment claims* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "ACME", "2024-01-15", "2024-02-14", "10000.00")],
    ...     [ck.Payment("F1", "2024-03-15", "4000.00"),
    ...      ck.Payment("F1", "2024-04-14", "6000.00")])
    >>> ck.late_payment_penalties(ledger, "2024-04-30")  # 14.50 % on 4,000 × 30 + 6,000 × 60 days
    190.68
    """
    settings = _settings(
        ledger,
        rate=rate,
        days_in_year=days_in_year,
        exclude_disputed=exclude_disputed,
        need_indemnity=False,
    )
    result: MoneyResult = finish(
        LATE_PAYMENT_PENALTIES, ledger, as_of, by=by, money=money, settings=settings
    )
    return result


def late_payment_indemnities(
    ledger: Ledger,
    as_of: Any,
    *,
    indemnity: Any = None,
    exclude_disputed: bool = False,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    """Fixed recovery indemnities due at ``as_of`` (indemnité forfaitaire, 40 € per invoice).

    One indemnity per invoice paid late or overdue at ``as_of``: an invoice
    with a balance left at the end of its due date, once that day is past.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
    indemnity : amount, optional
        Per invoice, in the ledger's currency (default: the statutory 40 €,
        for a euro ledger; another currency must give it).
    exclude_disputed : bool, default False
        Leave out the invoices under an open dispute at ``as_of``.
    by : str, optional
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    Decimal, Series or DataFrame
        ``indemnity × invoices late``.

    References
    ----------
    The *Late-payment claims* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "ACME", "2024-01-15", "2024-02-14", "10000.00"),
    ...      ck.Invoice("F2", "ACME", "2024-02-01", "2024-03-02", "2500.00")],
    ...     [ck.Payment("F2", "2024-03-02", "2500.00")])
    >>> ck.late_payment_indemnities(ledger, "2024-04-30")  # F1 late, F2 paid on its due date
    40.0
    """
    settings = _settings(ledger, indemnity=indemnity, exclude_disputed=exclude_disputed)
    result: MoneyResult = finish(
        LATE_PAYMENT_INDEMNITIES, ledger, as_of, by=by, money=money, settings=settings
    )
    return result


# ----------------------------------------------------------------------------------
# terms beyond the legal maximum
# ----------------------------------------------------------------------------------


def formula_terms_beyond_legal(beyond: Any, issued: Any) -> Any:
    """The share of the invoices issued beyond the legal terms: ``beyond / issued``.

    Parameters
    ----------
    beyond : number or array
        Amount (or number) of the period's invoices due after the legal
        maximum.
    issued : number or array
        Amount (or number) of the period's invoices.

    Returns
    -------
    float
        In ``[0, 1]``, lower is better; ``nan`` when nothing was issued.

    Warns
    -----
    UndefinedMetricWarning
        When ``issued <= 0``.

    Examples
    --------
    >>> formula_terms_beyond_legal(250, 1000)
    0.25
    """
    return ratio(beyond, issued, what="share of terms beyond the legal maximum (nothing issued)")


def terms_beyond_legal(
    ledger: Ledger,
    period: Any,
    *,
    weight: Literal["amount", "count"] = "amount",
    rule: str | int = "fr",
    by: By = None,
) -> RatioResult:
    """Share of the period's invoices whose terms exceed the legal maximum (délais de paiement).

    French law (Code de commerce, L441-10) caps agreed terms at 60 days after
    the invoice date, or by agreement 45 days end of month: an invoice is
    beyond the legal terms when its due date is later than both
    ``issue + 60 days`` and the end of the month in which ``issue + 45 days``
    falls.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The invoices issued in P; a list gives a series.
    weight : {"amount", "count"}, default "amount"
        Share of the amount invoiced, or of the number of invoices.
    rule : "fr" or int, default "fr"
        ``"fr"``: the French maximum above; a whole number of days ``n``: due
        dates later than ``issue + n``.
    by : str, optional

    Returns
    -------
    float, Series or DataFrame
        In ``[0, 1]``, lower is better; ``nan`` (with a warning) for a period
        with nothing issued. :func:`creditkpi.open_items` shows which invoices.

    References
    ----------
    The *Late-payment claims* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "ACME", "2024-01-20", "2024-03-31", "750.00"),  # the maximum
    ...      ck.Invoice("F2", "ACME", "2024-01-25", "2024-04-30", "250.00")])  # beyond it
    >>> ck.terms_beyond_legal(ledger, "2024-01")
    0.25
    >>> ck.terms_beyond_legal(ledger, "2024-01", weight="count")
    0.5
    """
    check_option("weight", weight, ("amount", "count"))
    legal_due_limit(np.zeros(0, dtype=np.int64), rule)  # validates the rule
    spec = TERMS_BEYOND_LEGAL
    if weight == "count":
        spec = dataclasses.replace(spec, parts=("beyond_terms_invoices", "n_invoices"))
    result: RatioResult = finish(spec, ledger, period, by=by, settings=Settings(legal_terms=rule))
    return result


# ----------------------------------------------------------------------------------
# the claims table
# ----------------------------------------------------------------------------------


def claims_table(
    claims: pd.DataFrame, *, groups: Sequence[object], settings: Settings, by: By = None
) -> pd.DataFrame:
    """The claims table at one date from the per-invoice ``claims`` part (minor units).

    Without ``by``: one row per invoice with something claimable (indexed by
    ``(customer_id, invoice_id)``). With ``by``: one row per group, the
    invoices late and the money columns summed.
    """
    del settings
    frame = claims[claims["late"] > 0]
    if by is None:
        out = frame.droplevel("group")
        out = out.assign(
            indemnity=out["indemnity"],
            claimable=out["penalties"] + out["indemnity"],
        )
        days = out[["issue_date", "due_date"]].to_numpy(dtype="int64").astype("datetime64[D]")
        out = out.assign(issue_date=days[:, 0], due_date=days[:, 1])
        return out[list(CLAIM_COLUMNS)]
    sums = frame.groupby(level="group", sort=False)[
        ["late", "late_balance", "open_balance", "penalties", "indemnity"]
    ].sum()
    sums = sums.reindex(pd.Index(groups, name="group"), fill_value=0)
    sums = sums.rename(columns={"late": "invoices"})
    sums["claimable"] = sums["penalties"] + sums["indemnity"]
    sums.index = name_groups(sums.index, by)  # one level per column of a list
    return sums[["invoices", *_GROUP_MONEY]].astype(np.int64)


def late_payment_claims(
    ledger: Ledger,
    as_of: Any,
    *,
    rate: Any = None,
    indemnity: Any = None,
    days_in_year: int = 365,
    exclude_disputed: bool = False,
    by: By = None,
    money: Money = "float",
) -> pd.DataFrame:
    """What each invoice paid late owes beyond its principal (créances de pénalités).

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off. A list stacks the tables under an ``as_of`` level.
    rate, days_in_year, exclude_disputed
        As :func:`late_payment_penalties`.
    indemnity : amount, optional
        As :func:`late_payment_indemnities` (default: 40 € for a euro ledger).
    by : str, optional
        Sum the invoices' claims per ``"customer_id"`` or attribute.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    DataFrame
        **by=None**: one row per invoice paid late or overdue at ``as_of``,
        indexed by ``(customer_id, invoice_id)``: ``issue_date``,
        ``due_date``, ``amount``, ``late_balance`` (unpaid at the end of the
        due date), ``open_balance`` (``B_i(T)``), ``days_late`` (to the
        payment that closed it, or to ``as_of``), ``penalties``,
        ``indemnity``, ``claimable`` (= penalties + indemnity).
        **by=...**: one row per group: ``invoices`` (late), the money
        columns summed. Totals equal :func:`late_payment_penalties` and
        :func:`late_payment_indemnities` to the cent.

    References
    ----------
    The *Late-payment claims* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "ACME", "2024-01-15", "2024-02-14", "10000.00"),
    ...      ck.Invoice("F2", "ACME", "2024-02-01", "2024-03-02", "2500.00")],
    ...     [ck.Payment("F1", "2024-03-15", "4000.00"),
    ...      ck.Payment("F1", "2024-04-14", "6000.00"),
    ...      ck.Payment("F2", "2024-03-02", "2500.00")])
    >>> ck.late_payment_claims(ledger, "2024-04-30")[["days_late", "penalties", "claimable"]]
                          days_late  penalties  claimable
    customer_id invoice_id
    ACME        F1               60     190.68     230.68
    """
    check_money(money)
    settings = _settings(
        ledger,
        rate=rate,
        indemnity=indemnity,
        days_in_year=days_in_year,
        exclude_disputed=exclude_disputed,
    )
    dates, single = as_dates(as_of)
    # a row per invoice, each in its own currency; totals by= follow the one-currency rule
    groups = item_groups(ledger, None) if by is None else group_codes(ledger, by)
    source = LedgerParts(ledger, groups, dates=dates, settings=settings)
    tables = [
        table_at(LATE_PAYMENT_CLAIMS, source, j, money=money, by=by) for j in range(len(dates))
    ]
    several = ledger.translation is None and len(ledger.currencies) > 1
    if by is None and money == "decimal" and several:
        tables = [own_units(t, _MONEY) for t in tables]  # each in its own currency
    result: pd.DataFrame = stack_dates(tables, dates, single)
    return result


def _claim_money(options: Any) -> tuple[str, ...]:
    return _MONEY if options.get("by") is None else _GROUP_MONEY


# ----------------------------------------------------------------------------------
# specs
# ----------------------------------------------------------------------------------

LATE_PAYMENT_PENALTIES = KPI(
    name="late_payment_penalties",
    label="Late-payment penalties claimable",
    label_fr="Pénalités de retard exigibles",
    definition="Interest owed on late invoices (by default the ECB rate + 10 points), accrued day by day to the date.",
    unit="money",
    better=None,
    basis="as_of",
    section="Risk",
    parts=("late_penalties",),
    formula=None,
    function=late_payment_penalties,
    page="kpis/late-payment-claims.md",
    requires=("late_payment_law",),
)

LATE_PAYMENT_INDEMNITIES = KPI(
    name="late_payment_indemnities",
    label="Recovery indemnities due (40 € per late invoice)",
    label_fr="Indemnités forfaitaires de recouvrement dues",
    definition="The fixed recovery indemnity (40 € by default) owed for each invoice paid late or overdue at the date.",
    unit="money",
    better=None,
    basis="as_of",
    section="Risk",
    parts=("late_indemnities",),
    formula=None,
    function=late_payment_indemnities,
    page="kpis/late-payment-claims.md",
    requires=("late_payment_law",),
)

TERMS_BEYOND_LEGAL = KPI(
    name="terms_beyond_legal",
    label="Share of invoices with terms beyond the legal maximum",
    label_fr="Part des factures au-delà des délais légaux",
    definition="Share of the period's invoices due later than the legal maximum (60 days, or 45 days end of month).",
    unit="ratio",
    better="lower",
    basis="period",
    section="Risk",
    parts=("beyond_terms_invoiced", "invoiced"),
    formula=formula_terms_beyond_legal,
    function=terms_beyond_legal,
    page="kpis/late-payment-claims.md",
    requires=("late_payment_law",),
)

LATE_PAYMENT_CLAIMS = TableKPI(
    name="late_payment_claims",
    label="Late-payment claims per invoice",
    label_fr="Créances de pénalités par facture",
    definition="Per invoice paid late or overdue: the days late, the penalties, the indemnity and the total claimable.",
    function=late_payment_claims,
    page="kpis/late-payment-claims.md",
    parts=("claims",),
    build=claims_table,
    money=_claim_money,
    native_money=("penalties_in_currency",),
    requires=("late_payment_law",),
    dashboard="one row per late invoice: the risk section shows the totals",
    distributed="one row per late invoice: compute it per customer partition and concatenate "
    "the rows; summaries carry the totals (the two KPIs)",
    index="invoice_id",
)

#: the KPIs of this module (the registry collects them)
KPIS = (LATE_PAYMENT_PENALTIES, LATE_PAYMENT_INDEMNITIES, TERMS_BEYOND_LEGAL)
#: the table KPIs of this module
TABLES = (LATE_PAYMENT_CLAIMS,)
