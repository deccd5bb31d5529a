"""The settings of a computation: the options that change how parts are computed.

A KPI function turns its options into :class:`Settings` (the registry's
defaults otherwise); every part read from a ledger follows them, and a
distributed summary records the ones it was made with. Options that only
change how a KPI is finished from its parts (a formula's basis, a table's
order) are not settings: they go to the formula or the table builder.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from creditkpi.core.engine.position import Basis
from creditkpi.core.late_payment import RateTable

__all__ = ["Settings"]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How the parts of a computation are computed (defaults: the registry's).

    Attributes
    ----------
    edges : tuple of int, default (30, 60, 90)
        Aging bucket upper bounds in days.
    basis : {"due", "issue"}, default "due"
        Aging from the due date or the issue date.
    rule_days : int, optional
        Doubtful once more than this many days past due (besides the
        ledger's classifications).
    max_months : int, optional
        Months the countback walks back at most (default: to the ledger's
        first event).
    granularity : {"month", "quarter", "year"}, default "month"
        Cohort length of the cohort matrices.
    top : int or None, default 10
        Largest customers kept by the per-customer part (``None``: every one).
    top_by : {"balance", "overdue"}, default "balance"
        Which largest customers it keeps: by open balance, or by overdue
        amount (customers with nothing overdue left out).
    clock : {"due", "issue"}, default "due"
        Time-to-pay clock of the survival table.
    window : str or int, optional
        Only invoices issued in the window ending on the date (survival table).
    default_after : int, default 365
        Days past due after which what is unpaid counts as lost (loss exposure).
    lookback : int, optional
        Only loss observations completed in the last ``lookback`` days.
    exclude_doubtful : bool, default True
        Carrying amounts: doubtful invoices with their own provision apart.
    unapplied : {"net", "gross"}, default "net"
        Credit exposure: unapplied credits netted against each customer's
        receivables, or not.
    horizon : str or int, default "13W"
        Open items: the horizon of the probability of payment.
    min_history : int, default 20
        Open items: invoices a customer must have settled by cash to use its
        own time-to-pay curve (as the collection forecast).
    fallback : str, default "all"
        Open items: the curve of customers without enough history
        (``"all"``: the whole ledger's; an attribute: that segment's first).
    late_rate : RateTable or None, default None
        Yearly late-payment interest rate (``None``: the French statutory
        rate, :func:`creditkpi.core.late_payment.statutory_rates`).
    indemnity : Decimal, default 40
        Fixed recovery indemnity per invoice paid late, in
        ``indemnity_currency``.
    indemnity_currency : str or None, default "EUR"
        The currency of ``indemnity`` (the statutory 40 €), converted at the
        as-of date's rate on a ledger translated into another currency;
        ``None``: the ledger's currency (an amount given for the ledger).
    days_in_year : int, default 365
        Divisor of the yearly late-payment rate.
    exclude_disputed : bool, default False
        Late-payment claims leave out invoices under an open dispute.
    legal_terms : "fr" or int, default "fr"
        The legal maximum payment terms (:func:`creditkpi.core.late_payment.legal_due_limit`).
    """

    edges: tuple[int, ...] = (30, 60, 90)
    basis: Basis = "due"
    rule_days: int | None = None
    max_months: int | None = None
    granularity: Literal["month", "quarter", "year"] = "month"
    top: int | None = 10
    top_by: Literal["balance", "overdue"] = "balance"
    clock: Literal["due", "issue"] = "due"
    window: str | int | None = None
    default_after: int = 365
    lookback: int | None = None
    exclude_doubtful: bool = True
    unapplied: Literal["net", "gross"] = "net"
    horizon: str | int = "13W"
    min_history: int = 20
    fallback: str = "all"
    late_rate: RateTable | None = None
    indemnity: Decimal = Decimal(40)
    indemnity_currency: str | None = "EUR"
    days_in_year: int = 365
    exclude_disputed: bool = False
    legal_terms: str | int = "fr"

    def claim_options(self, currency: str) -> dict[str, Any]:
        """The options of the late-payment kernels for a ledger in ``currency``.

        What :func:`~creditkpi.core.late_payment.claim_parts` and
        :func:`~creditkpi.core.late_payment.claims_frame` take: the rate
        table, the indemnity and its currency (``currency`` when it is the
        ledger's own), the year's days, whether disputes are left out.

        Examples
        --------
        >>> Settings().claim_options("EUR")["indemnity_currency"]
        'EUR'
        """
        return {
            "rates": self.late_rate,
            "indemnity": self.indemnity,
            "indemnity_currency": self.indemnity_currency or currency,
            "days_in_year": self.days_in_year,
            "exclude_disputed": self.exclude_disputed,
        }
