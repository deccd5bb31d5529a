"""Table parts: a frame per as-of date whose rows add up over disjoint customers.

A KPI whose formula needs a whole distribution (the time-to-pay curve, loss
rates per aging bucket, open disputes by reason...) reads a table part: at
each date, a frame indexed by ``(group, ...)`` (or by customer) with integer
columns; the frames of disjoint ledgers add up (same index, summed) to the
frame of their union. :data:`TABLE_PARTS` lists them by name with their
index levels, which a distributed summary keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.credit import credit_position, customer_groups
from creditkpi.core.expected_cash import fallback_balances, forecast_units, own_curve_cash
from creditkpi.core.exposure import carrying_amounts, loss_exposure
from creditkpi.core.fx.translate import closing_view
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.late_payment import claims_frame
from creditkpi.core.ledger import Ledger
from creditkpi.core.open_items import open_item_frame
from creditkpi.core.parts.detail import (
    COHORT_STEP,
    CohortParts,
    cohort_parts,
    customer_parts,
    fx_positions,
    reason_parts,
    status_parts,
)
from creditkpi.core.parts.settings import Settings
from creditkpi.core.period import from_day
from creditkpi.core.survival_tables import survival_table

__all__ = [
    "CREDIT_COLUMNS",
    "TABLE_PARTS",
    "Memo",
    "TablePart",
    "cohort_frames",
    "cohort_parts_of",
    "credit_rows",
]

#: what the table parts of one computation share (an intermediate computed once per date)
Memo = dict[Any, Any]


@dataclass(frozen=True, kw_only=True)
class TablePart:
    """A part that is a table at each as-of date, not one number per group.

    Attributes
    ----------
    name : str
    compute : callable
        ``compute(ledger, day, groups, settings, memo) -> DataFrame`` indexed
        by :attr:`levels`; ``memo`` is shared by the table parts of one
        computation (an intermediate two of them need is computed once).
    levels : tuple of str
        Its index levels (the first is the group, except for ``customers``).
    int_levels : tuple of str
        The levels holding whole numbers (the others are labels).
    description : str
    """

    name: str
    compute: Callable[[Ledger, int, Groups, Settings, Memo], pd.DataFrame]
    levels: tuple[str, ...]
    int_levels: tuple[str, ...] = ()
    description: str = ""


def at_closing_rates(
    compute: Callable[[Ledger, int, Groups, Settings, Memo], pd.DataFrame],
) -> Callable[[Ledger, int, Groups, Settings, Memo], pd.DataFrame]:
    """A table part at ``day`` computed on the ledger at the closing rates of ``day``.

    Every table at an as-of date is a position: on a ledger translated at
    closing rates, its items are taken at that date's rates (one rule for
    every table part, whoever asks).
    """

    def at_day(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
        return compute(closing_view(ledger, day), day, groups, s, memo)

    at_day.__doc__ = compute.__doc__
    at_day.__name__ = getattr(compute, "__name__", "table_part")
    return at_day


def _by(groups: Groups) -> str | tuple[str, ...] | None:
    return None if groups.name == "all" else groups.name


def _survival(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return survival_table(ledger, from_day(day), groups, clock=s.clock, window=s.window)


def _carrying(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return carrying_amounts(
        ledger, from_day(day), edges=s.edges, exclude_doubtful=s.exclude_doubtful, by=_by(groups)
    )


def _exposure(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    out = loss_exposure(
        ledger,
        from_day(day),
        edges=s.edges,
        default_after=s.default_after,
        lookback=s.lookback,
        by=_by(groups),
    )
    # cohorts as text: the same labels once a summary has been written out and read back
    levels = [str(n) for n in out.index.names]
    arrays = [
        out.index.get_level_values(k).astype(str)
        if name == "cohort"
        else out.index.get_level_values(k)
        for k, name in enumerate(levels)
    ]
    out.index = pd.MultiIndex.from_arrays(arrays, names=levels)
    return out


def _units(ledger: Ledger, day: int, groups: Groups, memo: Memo) -> Any:
    key = ("forecast_units", day, groups.name)
    if key not in memo:
        memo[key] = forecast_units(ledger, from_day(day), groups)
    return memo[key]


def _expected_cash(
    ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo
) -> pd.DataFrame:
    return own_curve_cash(_units(ledger, day, groups, memo), from_day(day))


def _fallback(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return fallback_balances(_units(ledger, day, groups, memo))


def _fx(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return fx_positions(ledger, day, groups)


def _open_items(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return open_item_frame(ledger, day, groups, s)


def _reasons(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return reason_parts(ledger, day, groups)


def _statuses(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return status_parts(ledger, day, groups)


def _customers(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return customer_parts(ledger, day, top=s.top, by=s.top_by)


#: the columns of the ``credit_exposure`` table part (int64, minor units and counts)
CREDIT_COLUMNS = (
    "exposure",
    "limit",
    "has_limit",
    "cover_limit",
    "insured",
    "covered",
    "past_deadline",
    "deadline_soon",
)


def credit_rows(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    """One row per customer at ``day``: its exposure, limit and cover (:mod:`creditkpi.core.credit`).

    Indexed by ``(group, customer_id)`` (the group its customer-level
    figures go to); the customers at ``day`` with an exposure, a limit or
    an active cover. Rows of disjoint ledgers never share a customer.
    """
    p = credit_position(ledger, day, unapplied=s.unapplied)
    code = customer_groups(ledger, groups, day)
    keep = np.flatnonzero(
        p.present & ((p.exposure != 0) | p.has_limit | (p.insured > 0)) & (code >= 0)
    )
    labels = np.asarray(group_codes(ledger, "customer_id").labels, dtype=object)
    index = pd.MultiIndex.from_arrays(
        [np.asarray(groups.labels, dtype=object)[code[keep]], labels[keep]],
        names=["group", "customer_id"],
    )
    values = {
        "exposure": p.exposure,
        "limit": p.limit,
        "has_limit": p.has_limit.astype(np.int64),
        "cover_limit": p.cover_limit,
        "insured": p.insured,
        "covered": p.covered,
        "past_deadline": p.past_deadline,
        "deadline_soon": p.deadline_soon,
    }
    return pd.DataFrame(
        {k: np.asarray(v, dtype=np.int64)[keep] for k, v in values.items()}, index=index
    )


def _claims(ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo) -> pd.DataFrame:
    return claims_frame(ledger, day, groups, **s.claim_options(ledger.currency))


def _cohorts(ledger: Ledger, day: int, s: Settings, memo: Memo) -> tuple[pd.DataFrame, ...]:
    key = ("cohorts", day, s.granularity)
    if key not in memo:
        memo[key] = cohort_frames(cohort_parts(ledger, day, COHORT_STEP[s.granularity]))
    frames: tuple[pd.DataFrame, ...] = memo[key]
    return frames


def _cohort_totals(
    ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo
) -> pd.DataFrame:
    return _cohorts(ledger, day, s, memo)[0]


def _cohort_cells(
    ledger: Ledger, day: int, groups: Groups, s: Settings, memo: Memo
) -> pd.DataFrame:
    return _cohorts(ledger, day, s, memo)[1]


def cohort_frames(parts: CohortParts) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cohort parts as two additive frames: totals per cohort, cells per (cohort, age)."""
    cohort = pd.Index(parts.buckets, name="cohort")
    totals = pd.DataFrame({"invoiced": parts.invoiced, "invoices": parts.invoices}, index=cohort)
    n, ages = int(parts.buckets.size), int(parts.n_ages)
    levels: Any = [pd.Index(parts.buckets), pd.RangeIndex(ages)]
    codes: Any = [np.repeat(np.arange(n), ages), np.tile(np.arange(ages), n)]
    index = pd.MultiIndex(
        levels=levels,
        codes=codes,
        names=["cohort", "age"],
        verify_integrity=False,
    )
    cells = pd.DataFrame(
        {"collected": parts.collected.reshape(-1), "settled": parts.settled.reshape(-1)},
        index=index,
    )
    return totals, cells


def cohort_parts_of(totals: pd.DataFrame, cells: pd.DataFrame) -> CohortParts:
    """The cohort parts back from their two frames (:func:`cohort_frames`, or a summary's).

    The frames hold each cohort (and each cell) once: a summary adds them
    up when it combines partitions.
    """
    if not totals.index.is_monotonic_increasing:
        totals = totals.sort_index()
    buckets = totals.index.to_numpy(dtype=np.int64)
    age_of = cells.index.get_level_values("age").to_numpy(dtype=np.int64)
    n_ages = int(age_of.max()) + 1 if age_of.size else 0
    collected = np.zeros((buckets.size, n_ages), dtype=np.int64)
    settled = np.zeros((buckets.size, n_ages), dtype=np.int64)
    where = np.searchsorted(buckets, cells.index.get_level_values("cohort").to_numpy(np.int64))
    collected[where, age_of] = cells["collected"].to_numpy(dtype=np.int64)
    settled[where, age_of] = cells["settled"].to_numpy(dtype=np.int64)
    return CohortParts(
        buckets,
        n_ages,
        totals["invoiced"].to_numpy(dtype=np.int64),
        totals["invoices"].to_numpy(dtype=np.int64),
        collected,
        settled,
    )


#: the table parts, by name
TABLE_PARTS: Mapping[str, TablePart] = MappingProxyType(
    {
        p.name: p
        for p in (
            TablePart(
                name="open_items",
                compute=at_closing_rates(_open_items),
                levels=("group", "customer_id", "invoice_id"),
                description="one row per open invoice and per unapplied credit: dates, "
                "balances, bucket, last settlement, dispute, dunning status, doubtful flag, "
                "payment outlook (core.open_items.open_item_frame)",
            ),
            TablePart(
                name="reasons",
                compute=at_closing_rates(_reasons),
                levels=("group", "reason"),
                description="open disputes per (group, reason): count and amount "
                "(core.parts.detail.reason_parts)",
            ),
            TablePart(
                name="statuses",
                compute=at_closing_rates(_statuses),
                levels=("group", "status"),
                description="open invoices per (group, dunning status): amount and count "
                "(core.parts.detail.status_parts)",
            ),
            TablePart(
                name="customers",
                compute=at_closing_rates(_customers),
                levels=("customer_id",),
                description="balance, overdue part and open invoices of the largest customers "
                "(core.parts.detail.customer_parts)",
            ),
            TablePart(
                name="credit_exposure",
                compute=credit_rows,
                levels=("group", "customer_id"),
                description="exposure, credit limit, cover, covered amount and the insured "
                "balances past or near their declaration deadline, per customer "
                "(core.credit.credit_position)",
            ),
            TablePart(
                name="cohort_totals",
                compute=at_closing_rates(_cohort_totals),
                levels=("cohort",),
                int_levels=("cohort",),
                description="amount and invoices issued per cohort (core.parts.detail.cohort_parts)",
            ),
            TablePart(
                name="cohort_cells",
                compute=at_closing_rates(_cohort_cells),
                levels=("cohort", "age"),
                int_levels=("cohort", "age"),
                description="amount and invoices settled per (cohort, age) "
                "(core.parts.detail.cohort_parts)",
            ),
            TablePart(
                name="survival",
                compute=at_closing_rates(_survival),
                levels=("group", "day"),
                int_levels=("day",),
                description="time-to-pay table: invoices entering, settled, closed and censored "
                "per (group, day) on the clock (core.survival_tables.survival_table)",
            ),
            TablePart(
                name="carrying_amounts",
                compute=at_closing_rates(_carrying),
                levels=("group", "bucket"),
                description="gross carrying amount per (group, aging bucket), doubtful apart "
                "(core.exposure.carrying_amounts)",
            ),
            TablePart(
                name="loss_exposure",
                compute=at_closing_rates(_exposure),
                levels=("group", "cohort", "bucket"),
                description="amount entering each aging bucket and its loss, per (group, "
                "due-date cohort, bucket) (core.exposure.loss_exposure)",
            ),
            TablePart(
                name="expected_cash",
                compute=at_closing_rates(_expected_cash),
                levels=("group", "step"),
                int_levels=("step",),
                description="expected cash and write-offs per (group, week) over 13 weeks of the "
                "open invoices of customers with their own time-to-pay curve "
                "(core.expected_cash.own_curve_cash)",
            ),
            TablePart(
                name="claims",
                compute=_claims,
                levels=("group", "customer_id", "invoice_id"),
                description="late-payment claims of every invoice issued by the date: days "
                "late, penalties, indemnity (core.late_payment.claims_frame)",
            ),
            TablePart(
                name="fx_positions",
                compute=_fx,  # reads the translation's own, historical and closing columns
                levels=("group", "currency"),
                description="open invoices per (group, transaction currency): in their own "
                "currency, at historical rates and at the closing rate "
                "(core.parts.detail.fx_positions)",
            ),
            TablePart(
                name="fallback_balances",
                compute=at_closing_rates(_fallback),
                levels=("group", "age"),
                int_levels=("age",),
                description="open balances per (group, days past due) of customers without "
                "enough history, forecast with the whole ledger's curve "
                "(core.expected_cash.fallback_balances)",
            ),
        )
    }
)
