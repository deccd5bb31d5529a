"""Invoice cohorts: cumulative share settled by issue month and age.

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from creditkpi.core.args import as_dates, check_option
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import group_codes
from creditkpi.core.kpi import TableKPI, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import COHORT_STEP, CohortParts, LedgerParts, Settings
from creditkpi.core.parts.tables import cohort_parts_of
from creditkpi.core.ratios import ratio

__all__ = ["COHORTS", "TABLES", "cohort_table", "cohorts", "cohorts_from_parts"]

_FREQ = {1: "M", 3: "Q", 12: "Y"}


def cohorts(
    ledger: Ledger,
    as_of: Any,
    *,
    weight: Literal["amount", "count"] = "amount",
    granularity: Literal["month", "quarter", "year"] = "month",
) -> pd.DataFrame:
    """Collection curves of invoice cohorts (cohortes de facturation): cohort × age table.

    A cohort is the set of invoices issued in one calendar month (or
    quarter, year). Cell ``(c, k)`` is the share of cohort ``c`` collected by
    the end of the period ``c + k``, observed as of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        End-of-day cut-off (one date). Cohorts and settlements after it are
        ignored; an age is shown only once its period has ended on or before
        ``as_of``.
    weight : {"amount", "count"}, default "amount"
        ``"amount"``: cash and credit notes settled on the cohort's invoices,
        divided by the cohort's invoiced amount. ``"count"``: share of the
        cohort's invoices fully settled by cash and credit notes.
    granularity : {"month", "quarter", "year"}, default "month"
        Length of a cohort and of one age step.

    Returns
    -------
    DataFrame
        Index ``cohort``: period labels as text (``"2024-01"``, ``"2024-Q1"``,
        ``"2024"``), oldest first, one row per period with at least one
        invoice issued on or before ``as_of`` (periods without invoices are
        skipped). Columns ``age``: integers ``0, 1, 2, …`` up to the age of
        the oldest cohort at the last period ended on or before ``as_of``.
        Float fractions in ``[0, 1]`` (above 1 only for overpaid invoices),
        non-decreasing along a row; higher is better (faster collection).
        Ages not yet complete at ``as_of`` are ``NaN`` — missing, never 0 and
        never carried forward; the cohort of the period holding ``as_of`` is
        all ``NaN`` unless ``as_of`` is that period's last day. No invoice
        issued on or before ``as_of``: an empty frame.

    Raises
    ------
    InvalidOptionError
        If ``weight`` or ``period`` is not an allowed value, or ``as_of`` is
        missing or a list.
    InvalidDateError
        If ``as_of`` is not a date.

    Notes
    -----
    For cohort ``c`` (invoices ``i`` with issue date in period ``c``) and age
    ``k``, with ``E = end of period c + k <= as_of``:

    - amount-weighted: ``Σ_i (payments + credit notes of i dated <= E) / Σ_i A_i``;
    - count-weighted: ``#{i : payments + credit notes of i dated <= E >= A_i} / #{i}``.

    Write-offs are not collection: they count in neither view, so a
    written-off invoice never reaches 100 % (the loss shows as the gap). A
    settlement dated before its invoice's issue date counts from the issue
    date. Unapplied cash belongs to no invoice and no cohort. Sums are exact
    integer minor units; each ratio is the correctly rounded float.

    References
    ----------
    The *Invoice cohorts* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-10", "2024-02-09", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-01-20", "2024-02-19", "300.00"),
    ...      ck.Invoice("F3", "C1", "2024-02-05", "2024-03-06", "200.00")],
    ...     [ck.Payment("F1", "2024-01-25", "100.00"),
    ...      ck.Payment("F2", "2024-02-28", "150.00"),
    ...      ck.Payment("F3", "2024-03-10", "50.00", kind="credit_note")])
    >>> ck.cohorts(ledger, "2024-03-31")
    age         0      1      2
    cohort
    2024-01  0.25  0.625  0.625
    2024-02  0.00  0.250    NaN
    >>> ck.cohorts(ledger, "2024-03-31", weight="count")
    age        0    1    2
    cohort
    2024-01  0.5  0.5  0.5
    2024-02  0.0  0.0  NaN
    """
    check_option("weight", weight, ("amount", "count"))
    check_option("granularity", granularity, tuple(COHORT_STEP))
    dates, single = as_dates(as_of)
    if not single:
        raise InvalidOptionError(
            "cohorts takes one as_of date (the table already spans every age); "
            f"got {len(dates)} dates",
            column="as_of",
        )
    settings = Settings(granularity=granularity)
    source = LedgerParts(ledger, group_codes(ledger, None), dates=dates, settings=settings)
    return table_at(COHORTS, source, 0, weight=weight)


def cohort_table(
    parts: CohortParts, step: int, weight: Literal["amount", "count"] = "amount"
) -> pd.DataFrame:
    """The cohort × age table of :func:`cohorts` from its additive parts.

    ``collected / invoiced`` (amount) or ``settled / invoices`` (count) per
    cell; ages not complete at the as-of date are ``NaN``.
    """
    freq = _FREQ[step]
    index = pd.PeriodIndex(
        [
            pd.Period(year=1970 + int(b) * step // 12, month=int(b) * step % 12 + 1, freq=freq)
            for b in parts.buckets
        ],
        freq=freq,
        name="cohort",
    )
    columns = pd.RangeIndex(parts.n_ages, name="age")
    n = int(parts.buckets.size)
    if n == 0 or parts.n_ages == 0:
        return pd.DataFrame(np.full((n, parts.n_ages), np.nan), index=index, columns=columns)
    num = parts.collected if weight == "amount" else parts.settled
    total = parts.invoiced if weight == "amount" else parts.invoices
    offset = parts.buckets - parts.buckets[0]
    valid = offset[:, None] + np.arange(parts.n_ages)[None, :] < parts.n_ages
    den = np.broadcast_to(total[:, None], valid.shape)
    values = np.full(valid.shape, np.nan)
    values[valid] = ratio(num[valid], den[valid], what="cohort collection rate (nothing invoiced)")
    return pd.DataFrame(values, index=index, columns=columns)


def cohorts_from_parts(
    totals: pd.DataFrame,
    cells: pd.DataFrame,
    *,
    groups: Sequence[object],
    settings: Settings,
    weight: Literal["amount", "count"] = "amount",
) -> pd.DataFrame:
    """The cohort table from the two cohort parts (``cohort_totals``, ``cohort_cells``)."""
    del groups
    step = COHORT_STEP[settings.granularity]
    return cohort_table(cohort_parts_of(totals, cells), step, weight)


COHORTS = TableKPI(
    name="cohorts",
    label="Invoice cohorts",
    label_fr="Cohortes de facturation",
    function=cohorts,
    page="kpis/cohorts.md",
    definition="The share of each month's invoices settled, by age in months.",
    parts=("cohort_totals", "cohort_cells"),
    build=cohorts_from_parts,
    previous="none",
    index="cohort",
    periods=True,
    columns_name="age",
)

#: the table KPIs of this module (the registry collects them)
TABLES = (COHORTS,)
