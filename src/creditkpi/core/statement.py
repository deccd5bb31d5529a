"""A customer's account over a period: the opening balance, every movement, the running balance.

The kernel of the customer statement (*relevé de compte*). The balance of
a customer at the end of day ``d`` is what it owes net of its unapplied
credit:

    ``N_c(d) = sum of B_i(d) over its invoices issued by d  -  U_c(d)``

(``U_c(d)``: the unapplied cash of :func:`creditkpi.unapplied_cash`). Over
a period ``[s, e]`` the statement lists what moved it: each invoice issued
in the period (a debit of its amount) and each settlement received in the
period (a credit: a payment, a credit note, a write-off, applied or not),
in date order, with the running balance from ``N_c(s - 1)``. It ends at
``N_c(e)``, to the cent.

A settlement counts on the day it was received (posted): applying it to an
invoice later moves it from the unapplied credit to the invoice, and leaves
the net balance unchanged. A settlement received before its invoice was
issued counts from the issue date, as every balance does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.ledger import Ledger
from creditkpi.core.records import SETTLEMENT_KINDS

__all__ = ["LINE_COLUMNS", "StatementLines", "customer_code", "customer_label", "statement_lines"]

IntArray = npt.NDArray[np.int64]

#: the columns of :attr:`StatementLines.lines` (money in minor units)
LINE_COLUMNS = ("date", "kind", "invoice_id", "due_date", "debit", "credit", "balance")

_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class StatementLines:
    """One customer's movements over ``[first, last]`` (day numbers), money in minor units.

    Attributes
    ----------
    customer : object
        The customer id, as the ledger holds it.
    first, last : int
        The period's first and last day numbers.
    opening, closing : int
        The net balance ``N_c`` at the end of ``first - 1`` and of ``last``.
    lines : DataFrame
        :data:`LINE_COLUMNS`, one row per movement in date order (invoices
        before settlements on a day); ``balance`` is the running balance.
    """

    customer: object
    first: int
    last: int
    opening: int
    closing: int
    lines: pd.DataFrame


def customer_code(ledger: Ledger, customer: object) -> int:
    """The code of ``customer`` in the ledger (ids compared as text).

    Raises
    ------
    InvalidOptionError
        The customer is not in the ledger (the message names the first known ones).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records([ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "1")])
    >>> customer_code(ledger, "C1")
    0
    """
    labels = [str(v) for v in ledger._cols.customer_labels]
    wanted = str(customer)
    if wanted not in labels:
        raise InvalidOptionError(
            f"customer {wanted!r} is not in the ledger ({len(labels)} customers; "
            "give one of its customer ids)",
            column="customer",
            ids=sorted(labels)[:5],
        )
    return labels.index(wanted)


def customer_label(ledger: Ledger, customer: object) -> object:
    """``customer`` as the ledger holds its id (an unknown one raises as :func:`customer_code`).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records([ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "1")])
    >>> customer_label(ledger, "C1")
    'C1'
    """
    label: object = ledger._cols.customer_labels[customer_code(ledger, customer)]
    return label


def _received(ledger: Ledger) -> IntArray:
    """The day each settlement counts in its customer's net balance (see the module)."""
    c = ledger._cols
    posted = c.settlement_date if c.settlement_posted is None else c.settlement_posted
    applied = c.settlement_invoice >= 0
    issue = np.where(applied, c.issue[np.maximum(c.settlement_invoice, 0)], posted)
    # an applied settlement received before its invoice's issue counts from the issue date
    return np.asarray(np.where(applied, np.maximum(posted, issue), posted), dtype=np.int64)


def _net(ledger: Ledger, code: int, day: int, received: IntArray) -> int:
    """``N_c(day)``: invoiced by ``day`` minus everything received by ``day``."""
    c = ledger._cols
    invoiced = int(c.amount[(c.customer == code) & (c.issue <= day)].sum())
    credited = int(c.settlement_amount[(c.settlement_customer == code) & (received <= day)].sum())
    return invoiced - credited


def _dates(days: IntArray) -> npt.NDArray[np.datetime64]:
    return np.asarray((_EPOCH + days.astype("timedelta64[D]")).astype("datetime64[s]"))


def statement_lines(ledger: Ledger, customer: object, first: int, last: int) -> StatementLines:
    """The statement of ``customer`` over the days ``[first, last]`` (money in minor units).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from datetime import date
    >>> from creditkpi.core.period import to_day
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-02", "2024-05-02", "40.00")],
    ...     [ck.Payment("F1", "2024-04-10", "60.00")])
    >>> s = statement_lines(ledger, "C1", to_day(date(2024, 4, 1)), to_day(date(2024, 4, 30)))
    >>> s.opening, s.closing
    (10000, 8000)
    >>> s.lines[["kind", "invoice_id", "debit", "credit", "balance"]]
          kind invoice_id  debit  credit  balance
    0  invoice         F2   4000       0    14000
    1  payment         F1      0    6000     8000
    """
    c = ledger._cols
    code = customer_code(ledger, customer)
    received = _received(ledger)
    opening = _net(ledger, code, first - 1, received)
    inv = np.flatnonzero((c.customer == code) & (c.issue >= first) & (c.issue <= last))
    st = np.flatnonzero((c.settlement_customer == code) & (received >= first) & (received <= last))
    applied = c.settlement_invoice[st]
    ids = np.asarray([*c.invoice_ids.tolist(), None], dtype=object)  # -1: unapplied, no invoice
    day = np.concatenate([c.issue[inv], received[st]])
    debit = np.concatenate([c.amount[inv], np.zeros(st.size, np.int64)])
    credit = np.concatenate([np.zeros(inv.size, np.int64), c.settlement_amount[st]])
    kinds = np.asarray(SETTLEMENT_KINDS, dtype=object)[c.settlement_kind[st]]
    kind = np.concatenate(
        [
            np.full(inv.size, "invoice", dtype=object),
            np.where(applied < 0, "unapplied " + kinds, kinds),
        ]
    )
    invoice = np.concatenate([ids[inv], ids[applied]])
    due_days = np.concatenate([c.due[inv], c.due[np.maximum(applied, 0)]])
    no_due = np.concatenate([np.zeros(inv.size, bool), applied < 0])
    rank = np.concatenate([np.zeros(inv.size, np.int64), np.ones(st.size, np.int64)])
    row = np.concatenate([inv, c.settlement_row[st]])
    order = np.lexsort((row, rank, day))
    movement = (debit - credit)[order]
    due = pd.Series(_dates(due_days[order]))
    due[no_due[order]] = pd.NaT
    lines = pd.DataFrame(
        {
            "date": _dates(day[order]),
            "kind": pd.Series(kind[order], dtype=object),
            "invoice_id": pd.Series(invoice[order], dtype=object),
            "due_date": due,
            "debit": debit[order],
            "credit": credit[order],
            "balance": opening + np.cumsum(movement, dtype=np.int64),
        }
    )
    closing = opening + int(movement.sum())
    return StatementLines(c.customer_labels[code], first, last, opening, closing, lines)
