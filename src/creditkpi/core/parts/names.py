"""The vocabulary of parts: every name a KPI's spec may list, and what it is.

* :data:`PARTS` -- the additive arrays, ``(keys, groups)`` int64: at as-of
  dates (``"snapshot"``) or over periods (``"period"``);
* a snapshot part with the suffix ``_start`` (as of ``start - 1``) or
  ``_end`` (as of ``end``) is a period part too (:data:`EDGE_PARTS`);
* :data:`BUCKETS`, :data:`BUCKET_INVOICES` -- the aging buckets (of the
  computation's edges and basis), ``(keys, groups, buckets)``; each bucket
  label is also a snapshot part of its own, and the labels of the default
  buckets (:data:`DEFAULT_BUCKETS`: ``"not due"`` ... ``"91+"``) are parts
  whatever the computation's edges;
* :data:`COUNTBACK_MONTHS` -- per key, the calendar months of sales the
  countback walks back (a list per key);
* :data:`COSTS` -- the collection costs, an input given as an argument;
* the table parts of :mod:`creditkpi.core.parts.tables`, one frame per key.

Money is int64 minor units, days are day numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from creditkpi.core.engine.position import bucket_labels
from creditkpi.core.errors import CreditKPIError

__all__ = [
    "ACTIVATION_PARTS",
    "BUCKETS",
    "BUCKET_INVOICES",
    "CLAIM_PARTS",
    "COSTS",
    "COUNTBACK_MONTHS",
    "CREDIT_PARTS",
    "DEFAULT_BUCKETS",
    "DELAY_PARTS",
    "EDGE_PARTS",
    "FX_PARTS",
    "PARTS",
    "PERIOD_FACTS",
    "RECOVERY_PARTS",
    "TERMS_PARTS",
    "TotalTooLargeError",
    "check_exact",
]

#: every additive part by name: (where it is computed, unit, meaning)
PARTS: Mapping[str, tuple[Literal["snapshot", "period"], str, str]] = {
    # at an as-of date T
    "receivables": ("snapshot", "money", "R(T): Σ B_i(T) over invoices issued <= T"),
    "overdue": ("snapshot", "money", "Σ B_i(T) over invoices at least one day past due"),
    "current": ("snapshot", "money", "R(T) - Overdue(T)"),
    "open_invoices": ("snapshot", "count", "issued invoices with a non-zero balance"),
    "unapplied": ("snapshot", "money", "unapplied cash received <= T (not part of R(T))"),
    "disputed": ("snapshot", "money", "Σ B_i(T) over invoices under an open dispute"),
    "doubtful": ("snapshot", "money", "Σ B_i(T) over invoices doubtful at T"),
    "provisions": ("snapshot", "money", "provisions held on doubtful invoices still open"),
    # credit limits and cover, per customer at T (core.credit), summed over customers
    "exposure": ("snapshot", "money", "Σ_c E_c(T): open receivables net of unapplied credit, >= 0"),
    "limited_exposure": ("snapshot", "money", "Σ E_c(T) over customers with a credit limit"),
    "credit_limits": ("snapshot", "money", "Σ L_c(T) over customers with a credit limit"),
    "over_limit": ("snapshot", "money", "Σ max(0, E_c(T) - L_c(T)) over limited customers"),
    "over_limit_customers": ("snapshot", "count", "customers with E_c(T) > L_c(T)"),
    "unlimited_exposure": ("snapshot", "money", "Σ E_c(T) over customers with no limit"),
    "covered": ("snapshot", "money", "Σ_c covered_c(T): min(E, cover amount) × share, by layer"),
    "past_deadline": ("snapshot", "money", "open insured invoices past their declaration deadline"),
    "late_penalties": (
        "snapshot",
        "money",
        "late-payment penalties accrued <= T, per invoice rounded",
    ),
    "late_invoices": ("snapshot", "count", "invoices paid late or overdue at T (indemnity due)"),
    "late_indemnities": ("snapshot", "money", "late_invoices × the fixed recovery indemnity"),
    "fx_historical": (
        "snapshot",
        "money",
        "Σ B_i(T) at each invoice's issue date rate (historical carrying amount; R(T) untranslated)",
    ),
    # over a period P
    "days": ("period", "days", "days(P), calendar days of the period"),
    "months": ("period", "count", "whole calendar months of P (0 when P is not made of them)"),
    "invoiced": ("period", "money", "Σ A_i over invoices issued in P"),
    "credit_notes": ("period", "money", "credit notes dated in P"),
    "sales": ("period", "money", "S(P) = invoiced - credit notes"),
    "cash": ("period", "money", "C(P): cash payments dated in P, applied or unapplied"),
    "applied_cash": ("period", "money", "cash payments dated in P applied to an invoice"),
    "unapplied_received": ("period", "money", "unapplied cash received in P"),
    "write_offs": ("period", "money", "write-offs dated in P"),
    "n_invoices": ("period", "count", "invoices issued in P"),
    "beyond_terms_invoiced": ("period", "money", "Σ A_i issued in P due after the legal maximum"),
    "beyond_terms_invoices": (
        "period",
        "count",
        "invoices issued in P due after the legal maximum",
    ),
    "paid": ("period", "money", "cash applied to invoices in P (payment delays)"),
    "payments": ("period", "count", "number of those payments"),
    "paid_late": ("period", "money", "the part of it paid at least one day after due"),
    "paid_days_to_pay": ("period", "money×days", "Σ amount × (payment date - issue date)"),
    "paid_days_late": ("period", "money×days", "Σ amount × max(0, payment date - due date)"),
    "doubtful_change": ("period", "money", "Doubtful(end) - Doubtful(start - 1)"),
    "recovery_invoices": ("period", "count", "invoices of the recovery target set"),
    "recovery_total": ("period", "money", "Σ B_i(start - 1) over the target set"),
    "recovery_collected": ("period", "money", "settlements in [start, d] on the target set"),
    "recovery_remaining": ("period", "money", "Σ B_i(d) over the target set"),
    "customers_in_progress": ("period", "count", "customers holding a target invoice"),
    "customers_activated": ("period", "count", "of them, with a cash payment in [start, d]"),
    "invoices_in_progress": ("period", "count", "target invoices"),
    "invoices_activated": ("period", "count", "of them, with a cash payment in [start, d]"),
    "activation_payments": ("period", "count", "cash payments in [start, d] on target invoices"),
    "activation_collected": ("period", "money", "their amount"),
    "fx_settled_at_rate": (
        "period",
        "money",
        "settlements of invoices posted in P, each at its own date's rate",
    ),
    "fx_settled_historical": (
        "period",
        "money",
        "the same at their invoices' issue date rate (the historical amount they settle)",
    ),
    "fx_realised": (
        "period",
        "money",
        "fx_settled_at_rate - fx_settled_historical: the realised exchange difference",
    ),
}

#: snapshot parts also available at a period's start (``_start``) and end (``_end``)
EDGE_PARTS = tuple(name for name, (kind, _, _) in PARTS.items() if kind == "snapshot")

#: period parts that are facts of the period itself, not sums over the ledger
PERIOD_FACTS = ("days", "months")

#: the aging buckets of the computation (``(keys, groups, buckets)``) and their open invoices
BUCKETS, BUCKET_INVOICES = "buckets", "bucket_invoices"
#: the labels of the default buckets (30, 60, 90 days past due): parts on every path
DEFAULT_BUCKETS: tuple[str, ...] = tuple(bucket_labels())
#: per key, the calendar months of sales the countback walks back
COUNTBACK_MONTHS = "countback_months"
#: the collection costs (given as an argument), fractions of minor units
COSTS = "costs"

#: the parts of credit limits and cover (computed together, per customer, by core.credit)
CREDIT_PARTS = (
    "exposure",
    "limited_exposure",
    "credit_limits",
    "over_limit",
    "over_limit_customers",
    "unlimited_exposure",
    "covered",
    "past_deadline",
)
#: the late-payment claim parts (at as-of dates) and the legal-terms parts (over periods)
CLAIM_PARTS = ("late_penalties", "late_invoices", "late_indemnities")
TERMS_PARTS = ("beyond_terms_invoiced", "beyond_terms_invoices")

#: the exchange-difference sums over a period
FX_PARTS = ("fx_settled_at_rate", "fx_settled_historical", "fx_realised")
#: the payment-delay sums, the recovery target sums and the activation counts
DELAY_PARTS = ("paid", "payments", "paid_late", "paid_days_to_pay", "paid_days_late")
RECOVERY_PARTS = (
    "recovery_invoices",
    "recovery_total",
    "recovery_collected",
    "recovery_remaining",
)
ACTIVATION_PARTS = (
    "customers_in_progress",
    "customers_activated",
    "invoices_in_progress",
    "invoices_activated",
    "activation_payments",
    "activation_collected",
)

#: magnitude an int64 sum of parts may reach (one bit of headroom under 2**63)
_INT64_SAFE = 2**62


class TotalTooLargeError(CreditKPIError):
    """A total cannot be held exactly in 64-bit integers."""

    rule = "total-too-large"


def check_exact(bound: int, what: str) -> None:
    """Raise :class:`TotalTooLargeError` when ``bound`` exceeds what int64 sums hold exactly."""
    if bound >= _INT64_SAFE:
        raise TotalTooLargeError(
            f"{what} would exceed 2**62 minor units and cannot be computed exactly "
            "(split the ledger, or check the amounts' scale)",
            column="amount",
        )
