"""Open items: the collector's worklist, one row per open invoice and per unapplied credit.

Depends only on :mod:`creditkpi.core` (the kernel is
:func:`creditkpi.core.open_items.open_item_frame`). See the *Open items and
customer statements* page of the documentation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_option, check_whole
from creditkpi.core.engine import check_edges
from creditkpi.core.expected_cash import horizon_offsets
from creditkpi.core.forecasting import check_fallback
from creditkpi.core.groups import By, by_names, item_groups
from creditkpi.core.kpi import TableKPI, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.open_items import MONEY_COLUMNS, NATIVE_MONEY_COLUMNS
from creditkpi.core.parts import LedgerParts, Settings
from creditkpi.core.shapes import Money, name_groups, own_units, stack_dates

__all__ = ["COLUMNS", "OPEN_ITEMS", "TABLES", "open_items", "open_items_table"]

#: the columns of :func:`open_items`, in order
COLUMNS = (
    "kind",
    "issue_date",
    "due_date",
    "amount",
    "open_balance",
    "currency",
    "open_in_currency",
    "days_past_due",
    "bucket",
    "last_settlement_date",
    "last_settlement_amount",
    "last_settlement_kind",
    "dispute_reason",
    "disputed_since",
    "dunning_status",
    "doubtful",
    "terms_beyond_legal",
    "credit_limit",
    "limit_utilisation",
    "insured",
    "expected_payment_date",
    "payment_probability",
)


def open_items(
    ledger: Ledger,
    as_of: Any,
    *,
    by: By = None,
    buckets: Sequence[int] = (30, 60, 90),
    basis: Literal["due", "issue"] = "due",
    horizon: str | int = "13W",
    min_history: int = 20,
    fallback: str = "all",
    legal_terms: str | int = "fr",
    money: Money = "float",
) -> pd.DataFrame:
    """The open items at ``as_of``: one row per open invoice and per unapplied credit.

    The list every receivables report starts from, and a collector works
    from: each invoice issued on or before T whose balance ``B_i(T)`` is not
    zero, and each payment received on or before T with no invoice, or
    applied to its invoice only after T (unapplied cash, with a minus sign),
    with what a collector needs to call the customer.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off (never defaulted to today). A list gives one table
        per date under an outer ``as_of`` level.
    by : str or list of str, optional
        Group the rows (a country, a collector...): the groups come first in
        the index (``"customer_id"`` adds nothing, it is already there, and is
        left out of a list).
    buckets : sequence of int, default (30, 60, 90)
        The aging buckets of the ``bucket`` column (as :func:`creditkpi.aging`).
    basis : {"due", "issue"}, default "due"
        Age from the due date or from the issue date (``bucket`` only;
        ``days_past_due`` is always from the due date).
    horizon : str or int, default "13W"
        The horizon of ``payment_probability`` (``"13W"``, ``"3M"``,
        ``"90D"``; an int: days).
    min_history : int, default 20
        Invoices a customer must have settled by cash by T to use its own
        time-to-pay curve (else the whole ledger's, or ``fallback``'s).
    fallback : str, default "all"
        The curve of customers without enough history: the whole ledger's
        (``"all"``) or their segment's (an invoice attribute) first.
    legal_terms : "fr" or int, default "fr"
        The legal maximum of the ``terms_beyond_legal`` column: French law
        (60 days from the invoice date, or the end of the month of the
        invoice date + 45 days, whichever is later) or a number of days.
    money : {"float", "decimal"}, default "float"
        Money columns as numbers or exact ``Decimal`` objects.

    Returns
    -------
    DataFrame
        Index ``(customer_id, invoice_id)`` (with ``by``: the group levels
        first); an unapplied credit's ``invoice_id`` is ``"(unapplied #r)"``,
        ``r`` its row in the payments. Sorted by customer, invoices first by
        due date, then the unapplied credits. Columns:

        - ``kind``: ``"invoice"`` or ``"unapplied"``;
        - ``issue_date``, ``due_date``: the invoice's (an unapplied
          credit: its payment date, no due date);
        - ``amount``: the invoiced amount (minus the unapplied payment);
        - ``open_balance``: ``B_i(T)`` (negative for an overpaid invoice,
          minus the payment for unapplied cash);
        - ``days_past_due``: ``T - D_i`` (``Int64``; ``<NA>`` for unapplied cash);
        - ``bucket``: the aging bucket (``"unapplied"`` for unapplied cash);
        - ``last_settlement_date``, ``last_settlement_amount``,
          ``last_settlement_kind``: the last day anything was settled on the
          invoice by T, the amount settled that day and its kind (``NaT``,
          ``nan``, ``None`` if nothing was);
        - ``dispute_reason``, ``disputed_since``: the invoice's open dispute
          at T (the earliest opened, if several), else ``None`` / ``NaT``;
        - ``dunning_status``: the last status event by T, else ``"none"``;
        - ``doubtful``: classified doubtful by T;
        - ``terms_beyond_legal``: the due date is later than the legal
          maximum (``legal_terms``; see :func:`creditkpi.terms_beyond_legal`);
        - ``credit_limit``, ``limit_utilisation``, ``insured``: the
          customer's credit limit at T, its exposure over that limit and
          whether an insurance cover is active at T (see
          :func:`creditkpi.credit_exposure`; ``nan`` / ``False`` where the
          ledger has no limit or cover for the customer);
        - ``expected_payment_date``: the first day by which the invoice is
          more likely paid than not, from its customer's time-to-pay curve
          given that it is still open (``NaT`` when the curve never makes
          payment the likelier outcome, and for balances that are not
          positive);
        - ``payment_probability``: the probability that it is paid (by cash)
          within ``horizon``, given that it is still open; ``nan`` where no
          balance is owed.

        ``open_balance`` adds up to the receivables ``R(T)`` plus the
        unapplied line of :func:`creditkpi.aging`, and per bucket to the
        aged balance, to the cent.

    Raises
    ------
    InvalidOptionError
        An unknown ``by``, bad ``buckets``, ``basis``, ``horizon``,
        ``min_history`` or ``fallback``, an empty list of dates.
    InvalidDateError
        ``as_of`` is not a date.

    Notes
    -----
    The expected payment date and the probability read the collection
    forecast's survival curves (see the *Collection forecast* page): an
    invoice open ``a`` days past its due date is paid by ``a + o`` days with
    probability ``(P(a + o) - P(a)) / S(a)``, ``P`` the cumulative incidence
    of payment and ``S`` the survival to any closing of its curve.

    References
    ----------
    The *Open items and customer statements* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00"),
    ...      ck.Invoice("F2", "ACME", "2024-04-10", "2024-05-10", "250.00"),
    ...      ck.Invoice("F3", "Globex", "2024-02-01", "2024-03-02", "400.00")],
    ...     [ck.Payment("F1", "2024-04-15", "600.00"),
    ...      ck.Payment(None, "2024-04-20", "50.00", customer="Globex")],
    ...     disputes=[ck.Dispute("F3", "2024-03-20", "price")])
    >>> items = ck.open_items(ledger, "2024-04-30")
    >>> items[["open_balance", "days_past_due", "bucket"]]
                                open_balance  days_past_due     bucket
    customer_id invoice_id
    ACME        F1                     400.0             30       1-30
                F2                     250.0            -10    not due
    Globex      F3                     400.0             59      31-60
                (unapplied #1)         -50.0           <NA>  unapplied
    >>> items["dispute_reason"].tolist()
    [None, None, 'price', None]
    >>> float(items["open_balance"].sum()), ck.receivables(ledger, "2024-04-30"), ck.unapplied_cash(ledger, "2024-04-30")
    (1000.0, 1050.0, 50.0)
    >>> f1 = items.loc[("ACME", "F1")]
    >>> str(f1["last_settlement_date"].date()), float(f1["last_settlement_amount"])
    ('2024-04-15', 600.0)
    """
    edges = check_edges(buckets, basis)
    check_option("basis", basis, ("due", "issue"))
    check_money(money)
    minimum = check_whole("min_history", min_history, minimum=1)
    dates, single = as_dates(as_of)
    names = [n for n in by_names(by) if n != "customer_id"]  # already a level of the index
    by = None if not names else names[0] if len(names) == 1 else names
    groups = item_groups(ledger, by)  # a row per item: each in its own currency
    settings = Settings(
        edges=edges,
        basis=basis,
        horizon=horizon,
        min_history=int(minimum or 1),
        fallback=check_fallback(ledger, fallback),
        legal_terms=legal_terms,
    )
    if legal_terms != "fr":
        check_whole("legal_terms", legal_terms, minimum=0)
    horizon_offsets(dates[0], horizon, horizon)  # validates the horizon (names it)
    source = LedgerParts(ledger, groups, dates=dates, settings=settings)
    tables = [table_at(OPEN_ITEMS, source, j, money=money) for j in range(len(dates))]
    if money == "decimal" and ledger.translation is None and len(ledger.currencies) > 1:
        tables = [own_units(t, MONEY_COLUMNS) for t in tables]  # each in its own currency
    shaped = [
        t.droplevel("group") if not names else t.set_axis(name_groups(t.index, by)) for t in tables
    ]
    result: pd.DataFrame = stack_dates(shaped, dates, single)
    return result


def open_items_table(
    frame: pd.DataFrame, *, groups: Sequence[object], settings: Settings
) -> pd.DataFrame:
    """The open items at one date, from the ``open_items`` part (money in minor units)."""
    return frame.loc[:, list(COLUMNS)].copy()


OPEN_ITEMS = TableKPI(
    name="open_items",
    label="Open items",
    label_fr="Postes ouverts",
    definition="Every invoice still owed and every unapplied credit at the date, one row each.",
    function=open_items,
    page="kpis/open-items.md",
    parts=("open_items",),
    build=open_items_table,
    money=MONEY_COLUMNS,
    native_money=NATIVE_MONEY_COLUMNS,
    dashboard="a worklist with a row per invoice, not a table of the book",
    distributed="a row per invoice (a worklist): a summary of partitions carries sums, not rows",
    by_level=True,
    index="invoice_id",
)

#: the table KPIs of this module (the registry collects them)
TABLES = (OPEN_ITEMS,)
