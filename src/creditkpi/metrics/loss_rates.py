"""Historical credit-loss rates per aging bucket, from the ledger's own payment history.

The rates of an IFRS 9 provision matrix (B5.5.35): for each aging bucket,
the exposure that entered it in the past and the part that was lost (cohort
method), or the roll rates from bucket to bucket (roll-rate method). The
arithmetic is :mod:`creditkpi.core.loss_history`'s (the provision matrix
reads it too); :data:`LOSS_RATES` is the table's spec. See the *Expected
credit loss (provision matrix)* page of the documentation.

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_option
from creditkpi.core.engine import bucket_labels, check_edges
from creditkpi.core.exposure import check_default_after, check_lookback
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import TableKPI, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.loss_history import (
    GRID_COLUMNS,
    METHODS,
    Method,
    loss_grid,
    rate_terms,
    warn_falling,
)
from creditkpi.core.parts import LedgerParts, Settings
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import Money, name_groups, shape_money_columns, stack_dates

__all__ = [
    "LOSS_RATES",
    "LOSS_RATE_COLUMNS",
    "ROLL_RATE_COLUMNS",
    "TABLES",
    "loss_rate_table",
    "loss_rates",
    "loss_rates_from_parts",
]

#: columns of :func:`loss_rates` with ``method="cohort"``
LOSS_RATE_COLUMNS = ("entered", "loss", "loss_rate", "invoices", "cohorts")

#: columns of :func:`loss_rates` with ``method="roll_rate"``
ROLL_RATE_COLUMNS = ("entered", "rolled", "roll_rate", "loss_rate", "invoices", "cohorts")

#: the money columns of either
_MONEY = ("entered", "loss", "rolled")


def loss_rate_table(
    exposure: pd.DataFrame,
    *,
    groups: Sequence[object] | None,
    settings: Settings | None = None,
    method: Method = "cohort",
    labels: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Loss rates per (group, bucket) from the loss exposure, amounts in minor units.

    The builder of :data:`LOSS_RATES`: the buckets are those of
    ``settings.edges`` (or ``labels``; by default those found in the parts).
    """
    check_option("method", method, METHODS)
    if labels is None and settings is not None:
        labels = bucket_labels(settings.edges)
    labels, found, grid = loss_grid(exposure, GRID_COLUMNS, labels, groups)
    num, den = rate_terms(grid, method)
    what = (
        "loss rate (no exposure entered the bucket)"
        if method == "cohort"
        else "roll-rate loss rate (no exposure observed in a bucket of the chain)"
    )
    rate = ratio(num, den, what=what)
    warn_falling(rate, labels, found)
    index = pd.MultiIndex.from_product(
        [pd.Index(found, dtype=object), pd.Index(labels, dtype=object)], names=["group", "bucket"]
    )
    if method == "cohort":
        data = {
            "entered": grid["entered"].reshape(-1),
            "loss": grid["loss"].reshape(-1),
            "loss_rate": rate.reshape(-1),
            "invoices": grid["invoices"].reshape(-1),
            "cohorts": grid["cohorts"].reshape(-1),
        }
    else:
        roll = ratio(grid["rolled"], grid["roll_entered"], what="roll rate (no exposure observed)")
        data = {
            "entered": grid["roll_entered"].reshape(-1),
            "rolled": grid["rolled"].reshape(-1),
            "roll_rate": roll.reshape(-1),
            "loss_rate": rate.reshape(-1),
            "invoices": grid["roll_invoices"].reshape(-1),
            "cohorts": grid["roll_cohorts"].reshape(-1),
        }
    return pd.DataFrame(data, index=index)


def loss_rates_from_parts(
    parts: pd.DataFrame,
    *,
    method: Method = "cohort",
    digits: int = 2,
    money: Money = "float",
    labels: Sequence[object] | None = None,
    groups: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Loss rates per (group, bucket) from the additive parts of :func:`loss_exposure`.

    The finisher of :func:`loss_rates`: give it the parts of one ledger or
    the sum of the parts of disjoint ledgers (customers split across
    partitions) and it gives the same table.

    Parameters
    ----------
    parts : DataFrame
        :func:`creditkpi.core.exposure.loss_exposure` output (or a sum of
        them, aligned on ``(group, cohort, bucket)``).
    method : {"cohort", "roll_rate"}, default "cohort"
    digits : int, default 2
        Decimal places of the currency's minor unit.
    money : {"float", "decimal"}, default "float"
    labels, groups : sequence, optional
        The bucket labels and group labels to report, in order (by default
        those found in ``parts``; give them to keep empty groups or buckets).

    Returns
    -------
    DataFrame
        Indexed by ``(group, bucket)``; columns :data:`LOSS_RATE_COLUMNS`
        (cohort) or :data:`ROLL_RATE_COLUMNS` (roll rate).

    Warns
    -----
    UndefinedMetricWarning
        A bucket with no exposure (its rate is ``nan``).
    DataQualityWarning
        A rate falls from a bucket to an older one.
    """
    check_money(money)
    table = loss_rate_table(parts, groups=groups, method=method, labels=labels)
    return shape_money_columns(table, _MONEY, digits, money)


def loss_rates(
    ledger: Ledger,
    as_of: Any,
    *,
    method: Method = "cohort",
    buckets: Sequence[int] = (30, 60, 90),
    default_after: int = 365,
    lookback: int | None = None,
    by: By = None,
    money: Money = "float",
) -> pd.DataFrame:
    """Historical credit-loss rates per aging bucket, from the ledger's own payment history.

    The rates of an IFRS 9 provision matrix (B5.5.35): for each aging
    bucket, the share of the balances that entered it in the past which was
    never collected. See the *Expected credit loss (provision matrix)* page of the documentation.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off: only events dated on or before it count. A list
        gives the tables of every date under an outer ``as_of`` level.
    method : {"cohort", "roll_rate"}, default "cohort"
        ``"cohort"``: over the invoices whose default day is past, loss /
        entered per bucket. ``"roll_rate"``: chain the share of each bucket
        rolling into the next, measured on every invoice observed through
        that transition, times the oldest bucket's loss share.
    buckets : sequence of int, default (30, 60, 90)
        Bucket upper bounds in days past due, as :func:`~creditkpi.aging`.
    default_after : int, default 365
        Days past due after which what payments and credit notes have not
        settled is lost (write-offs count as lost). At least the first day of
        the oldest bucket (91 by default).
    lookback : int, optional
        Only observations completed in the last ``lookback`` days (default:
        the whole history).
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: rates per group.
    money : {"float", "decimal"}, default "float"
        Money columns as numbers or exact ``Decimal``.

    Returns
    -------
    DataFrame
        Indexed by ``bucket`` (``(by, bucket)`` with ``by``). Cohort method:
        ``entered`` (money that entered the bucket), ``loss`` (the part of it
        lost), ``loss_rate`` (fraction in [0, 1]; lower is better),
        ``invoices`` and ``cohorts`` (invoices and due-date months behind the
        rate). Roll-rate method: ``entered``, ``rolled`` (the part still
        unpaid on entering the next bucket; for the oldest, the loss),
        ``roll_rate``, ``loss_rate``, ``invoices``, ``cohorts``.

    Raises
    ------
    InvalidOptionError
        Unknown ``method``, ``by`` or ``money``; bad ``buckets``,
        ``default_after`` or ``lookback``.

    Warns
    -----
    UndefinedMetricWarning
        A bucket with no exposure: its rate is ``nan``.
    DataQualityWarning
        A rate falls from one bucket to an older one (a real matrix rises
        with age).

    Notes
    -----
    Invoice ``i`` enters bucket ``k`` with its balance at the end of the
    bucket's first day ``f_k`` (the issue date for ``not due``, ``D_i + 1``
    for ``1-30``, ``D_i + 31`` for ``31-60``...); what payments and credit
    notes had not settled by ``D_i + default_after`` is its loss (less any
    write-off already off the balance on entering ``k``).

    Cohort: over invoices with ``D_i + default_after <= T``,
    ``rate_k = Σ loss_k / Σ entered_k`` (pooled by amount).

    Roll rate: ``roll_k = Σ entered_{k+1} / Σ entered_k`` over the invoices
    with ``f_{k+1} <= T``; ``rate_k = Π_{j>=k} roll_j × (Σ loss / Σ entered
    of the oldest bucket)``. On the same invoices with a complete history and
    no write-off before the oldest bucket, both methods give the same rates.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2023-01-01", "2023-01-31", "100.00"),
    ...      ck.Invoice("F2", "C1", "2023-02-01", "2023-03-03", "300.00")],
    ...     [ck.Payment("F1", "2023-03-15", "100.00"),
    ...      ck.Payment("F2", "2023-04-20", "240.00")])
    >>> ck.loss_rates(ledger, "2024-06-30")[["entered", "loss", "loss_rate"]]
             entered  loss  loss_rate
    bucket
    not due    400.0  60.0       0.15
    1-30       400.0  60.0       0.15
    31-60      400.0  60.0       0.15
    61-90       60.0  60.0       1.00
    91+         60.0  60.0       1.00
    """
    check_option("method", method, METHODS)
    check_money(money)
    edges = check_edges(buckets)
    check_default_after(default_after, edges)
    check_lookback(lookback)
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    settings = Settings(edges=edges, default_after=default_after, lookback=lookback)
    source = LedgerParts(ledger, groups, dates=dates, settings=settings)
    tables = [
        table_at(LOSS_RATES, source, j, money=money, method=method) for j in range(len(dates))
    ]
    shaped = [
        t.droplevel("group") if by is None else t.set_axis(name_groups(t.index, by)) for t in tables
    ]
    out: pd.DataFrame = stack_dates(shaped, dates, single)
    return out


LOSS_RATES = TableKPI(
    name="loss_rates",
    label="Historical loss rates per aging bucket",
    label_fr="Taux de perte historiques par tranche d'âge",
    function=loss_rates,
    page="kpis/provision-matrix.md",
    definition="Historical loss rates per aging bucket: the history behind the provision matrix.",
    parts=("loss_exposure",),
    build=loss_rate_table,
    money=_MONEY,
    dashboard="a table of the history behind the provision matrix, not of the period",
    by_level=True,
    index="bucket",
)

#: the table KPIs of this module (the registry collects them)
TABLES = (LOSS_RATES,)
