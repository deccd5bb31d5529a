"""Open items at a date: one row per open invoice and per unapplied credit (the worklist kernel).

An **open item** at T is an invoice issued on or before T whose balance
``B_i(T)`` is not zero (an overpaid invoice is open with a negative
balance), or an unapplied credit: a payment received on or before T with a
customer but no invoice (its amount with a minus sign). Their balances add
up to the receivables ``R(T)`` plus the unapplied line, per bucket to the
aged balance (:func:`creditkpi.aging`): the same engine, row by row.

The frame is built from **column groups** (:data:`COLUMN_GROUPS`), each a
function of the rows that gives some columns: the position (dates,
balances, days past due, bucket), the item's transaction currency and its
open balance in it, the last settlement, the open dispute,
the dunning status and the doubtful flag, terms beyond the legal maximum, the payment outlook (expected
payment date and probability within the horizon, from the forecast's
survival curves: :mod:`creditkpi.core.payment_outlook`). A new input (credit
limits, insurance cover) adds its columns as one more group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.credit import credit_position, customer_ranks
from creditkpi.core.engine import balances, bucket_index, bucket_labels, doubtful_at, status_at
from creditkpi.core.fx.translate import native_view
from creditkpi.core.groups import Groups
from creditkpi.core.late_payment import legal_due_limit
from creditkpi.core.ledger import Ledger
from creditkpi.core.payment_outlook import NO_DATE, payment_outlook
from creditkpi.core.period import from_day
from creditkpi.core.records import SETTLEMENT_KINDS

if TYPE_CHECKING:  # pragma: no cover - the parts call this module, not the reverse
    from creditkpi.core.parts.settings import Settings

__all__ = [
    "COLUMN_GROUPS",
    "INVOICE",
    "MONEY_COLUMNS",
    "NATIVE_MONEY_COLUMNS",
    "TEXT_COLUMNS",
    "UNAPPLIED",
    "Rows",
    "open_item_frame",
    "received_day",
    "unapplied_label",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: the two kinds of open item
INVOICE, UNAPPLIED = "invoice", "unapplied"

#: the money columns of the frame, in minor units (the table shapes them)
MONEY_COLUMNS = ("amount", "open_balance", "last_settlement_amount", "credit_limit")

#: the money columns in each item's own transaction currency (its minor units)
NATIVE_MONEY_COLUMNS = ("open_in_currency",)

#: the text columns, held as objects (``None`` where there is nothing) whatever pandas infers
TEXT_COLUMNS = (
    "kind",
    "currency",
    "bucket",
    "last_settlement_kind",
    "dispute_reason",
    "dunning_status",
)

_EPOCH = np.datetime64("1970-01-01", "D")
_NAT = np.datetime64("NaT", "D")


def unapplied_label(row: int) -> str:
    """The ``invoice_id`` of an unapplied credit: its row in the payments input.

    Examples
    --------
    >>> unapplied_label(12)
    '(unapplied #12)'
    """
    return f"(unapplied #{row})"


@dataclass(frozen=True)
class Rows:
    """The open items of one date: which invoices and which unapplied settlements.

    Attributes
    ----------
    day : int
        The as-of day number.
    invoices : ndarray of int64
        Positions of the open invoices (issued, balance != 0).
    balance : ndarray of int64
        Their balances ``B_i(T)``.
    days_past_due : ndarray of int64
        ``T - D_i``.
    unapplied : ndarray of int64
        Positions (in the settlement columns) of the unapplied cash dated <= T,
        and of the credits posted by T that settle their invoice only after
        it (application dates): the customer's unapplied credit meanwhile.
    """

    day: int
    invoices: IntArray
    balance: IntArray
    days_past_due: IntArray
    unapplied: IntArray

    @property
    def n_invoices(self) -> int:
        return int(self.invoices.size)

    @property
    def size(self) -> int:
        return int(self.invoices.size + self.unapplied.size)


def _dates(days: IntArray, missing: BoolArray | None = None) -> npt.NDArray[Any]:
    out = _EPOCH + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")
    if missing is not None and missing.any():
        out = out.copy()
        out[missing] = _NAT
    return np.asarray(out.astype("datetime64[s]"))


def _rows(ledger: Ledger, day: int) -> tuple[Rows, Any]:
    c = ledger._cols
    snap = balances(ledger, from_day(day))
    open_ = np.flatnonzero(snap.open)
    hi = int(np.searchsorted(c.settlement_date, day, side="right"))
    unapplied = np.flatnonzero(c.settlement_invoice[:hi] < 0)
    if c.settlement_posted is not None:  # posted by T, settling its invoice only after T
        waiting = np.flatnonzero(
            (c.settlement_invoice >= 0) & (c.settlement_posted <= day) & (c.settlement_date > day)
        )
        unapplied = np.sort(np.concatenate([unapplied, waiting]))
    rows = Rows(day, open_, snap.balance[open_], snap.days_past_due[open_], unapplied)
    return rows, snap


def received_day(ledger: Ledger, settlements: IntArray) -> IntArray:
    """The day each settlement was received (posted), whether or not applied since."""
    c = ledger._cols
    posted = c.settlement_date if c.settlement_posted is None else c.settlement_posted
    return np.asarray(posted[settlements], dtype=np.int64)


def _position(ledger: Ledger, rows: Rows, snap: Any, settings: Settings) -> dict[str, Any]:
    """Kind, dates, amounts, balance, days past due and aging bucket."""
    c = ledger._cols
    inv, una = rows.invoices, rows.unapplied
    k, u = inv.size, una.size
    labels = bucket_labels(settings.edges, settings.basis)
    bucket = np.asarray(labels, dtype=object)[bucket_index(snap, settings.edges, settings.basis)]
    credit = -c.settlement_amount[una]
    dpd = pd.array([*rows.days_past_due.tolist(), *([None] * u)], dtype="Int64")
    return {
        "kind": np.asarray([INVOICE] * k + [UNAPPLIED] * u, dtype=object),
        "issue_date": _dates(np.concatenate([c.issue[inv], received_day(ledger, una)])),
        "due_date": _dates(
            np.concatenate([c.due[inv], np.zeros(u, np.int64)]),
            np.concatenate([np.zeros(k, bool), np.ones(u, bool)]),
        ),
        "amount": np.concatenate([c.amount[inv], credit]),
        "open_balance": np.concatenate([rows.balance, credit]),
        "days_past_due": dpd,
        "bucket": np.concatenate([bucket[inv], np.asarray([UNAPPLIED] * u, dtype=object)]),
    }


def _currency(ledger: Ledger, rows: Rows, snap: Any, settings: Settings) -> dict[str, Any]:
    """Each item's transaction currency and its open balance in that currency.

    In that currency's own minor units. On a translated ledger, the money
    columns are in the reporting currency (at the closing rate of T) and
    these say what the customer owes in the currency of its invoice; on any
    other ledger ``open_in_currency`` is ``open_balance``.
    """
    del snap, settings
    native = native_view(ledger)
    c = native._cols
    inv, una = rows.invoices, rows.unapplied
    code = np.concatenate([c.invoice_currency[inv], c.settlement_currency[una]]).astype(np.int64)
    step = c.currency_steps
    own = rows.balance if native is ledger else balances(native, from_day(rows.day)).balance[inv]
    owed = np.concatenate([own, -c.settlement_amount[una]])
    return {
        "currency": np.asarray(c.currencies, dtype=object)[code],
        "open_in_currency": owed // step[code],
    }


def _last_settlement(ledger: Ledger, rows: Rows, snap: Any, settings: Settings) -> dict[str, Any]:
    """The last day something was settled on the invoice (by T), what, and of which kind."""
    c = ledger._cols
    hi = int(np.searchsorted(c.settlement_date, rows.day, side="right"))
    inv = c.settlement_invoice[:hi]
    applied = np.flatnonzero(inv >= 0)
    n = c.n_invoices
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, inv[applied], c.settlement_date[applied])
    on_last = applied[c.settlement_date[applied] == last[inv[applied]]]
    amount = np.zeros(n, dtype=np.int64)
    np.add.at(amount, inv[on_last], c.settlement_amount[on_last])
    kinds = np.full(n, "", dtype=object)
    # several kinds on the last day: the one of the last row (rows are sorted by date)
    kinds[inv[on_last]] = np.asarray(SETTLEMENT_KINDS, dtype=object)[c.settlement_kind[on_last]]
    mine = rows.invoices
    none = last[mine] < 0
    u = rows.unapplied.size
    money = np.asarray([*amount[mine].tolist(), *([None] * u)], dtype=object)
    money[np.flatnonzero(none)] = None
    kind = np.asarray([*kinds[mine].tolist(), *([None] * u)], dtype=object)
    kind[np.flatnonzero(none)] = None
    return {
        "last_settlement_date": _dates(
            np.concatenate([np.maximum(last[mine], 0), np.zeros(u, np.int64)]),
            np.concatenate([none, np.ones(u, bool)]),
        ),
        "last_settlement_amount": money,
        "last_settlement_kind": kind,
    }


def _dispute(ledger: Ledger, rows: Rows, snap: Any, settings: Settings) -> dict[str, Any]:
    """The open dispute of each invoice at T: its reason and since when (the earliest open)."""
    c = ledger._cols
    day = rows.day
    live = np.flatnonzero((c.dispute_opened <= day) & (c.dispute_resolved > day))
    n = c.n_invoices
    reason = np.full(n, None, dtype=object)
    since = np.full(n, -1, dtype=np.int64)
    if live.size:
        text = np.asarray([str(r) for r in c.dispute_reason[live]], dtype=object)
        order = np.lexsort((text, c.dispute_opened[live], c.dispute_invoice[live]))
        inv = c.dispute_invoice[live][order]
        first = np.concatenate([[True], inv[1:] != inv[:-1]])
        pick = live[order][first]
        reason[c.dispute_invoice[pick]] = c.dispute_reason[pick]
        since[c.dispute_invoice[pick]] = c.dispute_opened[pick]
    mine = rows.invoices
    u = rows.unapplied.size
    none = np.concatenate([since[mine] < 0, np.ones(u, bool)])
    return {
        "dispute_reason": np.asarray([*reason[mine].tolist(), *([None] * u)], dtype=object),
        "disputed_since": _dates(
            np.concatenate([np.maximum(since[mine], 0), np.zeros(u, np.int64)]), none
        ),
    }


def _collection(ledger: Ledger, rows: Rows, snap: Any, settings: Settings) -> dict[str, Any]:
    """The dunning status at T (``"none"`` without an event) and the doubtful flag."""
    mine = rows.invoices
    u = rows.unapplied.size
    status = status_at(ledger, rows.day)[mine]
    classified, _ = doubtful_at(ledger, rows.day)
    rule = settings.rule_days
    flag = snap.days_past_due > rule if rule is not None else classified
    return {
        "dunning_status": np.asarray([*status.tolist(), *([None] * u)], dtype=object),
        "doubtful": np.concatenate([flag[mine], np.zeros(u, bool)]).astype(bool),
    }


def _terms(ledger: Ledger, rows: Rows, snap: Any, settings: Settings) -> dict[str, Any]:
    """Whether the invoice's terms exceed the legal maximum (``settings.legal_terms``).

    The rule of :func:`creditkpi.terms_beyond_legal` (French law: 60 days
    from the invoice date, or the end of the month of the invoice date + 45
    days, whichever is later); ``False`` for unapplied cash.
    """
    del snap
    c = ledger._cols
    mine = rows.invoices
    beyond = c.due[mine] > legal_due_limit(c.issue[mine], settings.legal_terms)
    return {"terms_beyond_legal": np.concatenate([beyond, np.zeros(rows.unapplied.size, bool)])}


def _credit(ledger: Ledger, rows: Rows, snap: Any, settings: Settings) -> dict[str, Any]:
    """The customer's credit limit at T, its use and whether it is insured at T.

    Per customer, as :func:`creditkpi.credit_exposure` gives them (exposure
    net of unapplied credits by default): ``None`` / ``nan`` where the
    customer has no limit (and for a limit of 0, no use), not insured
    without an active cover.
    """
    del snap
    c = ledger._cols
    n = rows.n_invoices + rows.unapplied.size
    if not (c.limit_customer.size or c.cover_customer.size):
        return {
            "credit_limit": np.full(n, None, dtype=object),
            "limit_utilisation": np.full(n, np.nan),
            "insured": np.zeros(n, dtype=bool),
        }
    position = credit_position(ledger, rows.day, unapplied=settings.unapplied)
    codes = np.concatenate([c.customer[rows.invoices], c.settlement_customer[rows.unapplied]])
    who = customer_ranks(ledger)[codes]
    has = position.has_limit[who]
    limit = position.limit[who]
    shown = np.asarray(limit.tolist(), dtype=object)
    shown[~has] = None
    usable = has & (limit > 0)
    use = np.full(n, np.nan)
    use[usable] = position.exposure[who][usable] / limit[usable]
    return {"credit_limit": shown, "limit_utilisation": use, "insured": position.insured[who] > 0}


def _outlook(ledger: Ledger, rows: Rows, snap: Any, settings: Settings) -> dict[str, Any]:
    """Expected payment date and probability of payment within the horizon (positive balances)."""
    u = rows.unapplied.size
    k = rows.n_invoices
    expected = np.full(k + u, NO_DATE, dtype=np.int64)
    probability = np.full(k + u, np.nan, dtype=np.float64)
    positive = np.flatnonzero(rows.balance > 0)
    if positive.size:
        outlook = payment_outlook(
            ledger,
            from_day(rows.day),
            rows.invoices[positive],
            horizon=settings.horizon,
            min_history=settings.min_history,
            fallback=settings.fallback,
        )
        expected[positive] = outlook.expected_day
        probability[positive] = outlook.probability
    missing = expected == NO_DATE
    return {
        "expected_payment_date": _dates(np.where(missing, 0, expected), missing),
        "payment_probability": probability,
    }


#: the column groups of the frame, in order: ``group(ledger, rows, snapshot, settings) -> columns``
COLUMN_GROUPS: tuple[Callable[[Ledger, Rows, Any, Settings], dict[str, Any]], ...] = (
    _position,
    _currency,
    _last_settlement,
    _dispute,
    _collection,
    _terms,
    _credit,
    _outlook,
)


def open_item_frame(ledger: Ledger, day: int, groups: Groups, settings: Settings) -> pd.DataFrame:
    """The open items at ``day``, indexed by ``(group, customer_id, invoice_id)``.

    Rows: the open invoices (issued, ``B_i(T) != 0``), then the unapplied
    credits dated on or before T, sorted by group, customer, kind (invoices
    first), due date and id. Columns: those of :data:`COLUMN_GROUPS`; money
    (:data:`MONEY_COLUMNS`) in minor units.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.groups import group_codes
    >>> from creditkpi.core.period import to_day
    >>> from datetime import date
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-01", "2024-04-30", "40.00")],
    ...     [ck.Payment("F2", "2024-04-20", "40.00"), ck.Payment(None, "2024-04-25", "5.00", customer="C1")])
    >>> from creditkpi.core.parts import Settings
    >>> frame = open_item_frame(ledger, to_day(date(2024, 4, 30)), group_codes(ledger, None), Settings())
    >>> frame[["open_balance", "bucket", "days_past_due"]]
                                    open_balance     bucket  days_past_due
    group customer_id invoice_id
    all   C1          F1                   10000       1-30             30
                      (unapplied #1)        -500  unapplied           <NA>
    """
    c = ledger._cols
    rows, snap = _rows(ledger, day)
    data: dict[str, Any] = {}
    for column_group in COLUMN_GROUPS:
        data.update(column_group(ledger, rows, snap, settings))
    inv, una = rows.invoices, rows.unapplied
    customer = np.concatenate([c.customer[inv], c.settlement_customer[una]])
    group = np.concatenate([groups.invoice[inv], groups.settlement[una]])
    ids = np.concatenate(
        [
            np.asarray(c.invoice_ids[inv], dtype=object),
            np.asarray([unapplied_label(int(r)) for r in c.settlement_row[una]], dtype=object),
        ]
    )
    customer_text = np.asarray([str(v) for v in c.customer_labels[customer]], dtype=object)
    kind_order = np.concatenate([np.zeros(inv.size, np.int64), np.ones(una.size, np.int64)])
    due_order = np.concatenate([c.due[inv], received_day(ledger, una)])
    id_text = np.asarray([str(v) for v in ids], dtype=object)
    order = np.lexsort((id_text, due_order, kind_order, customer_text, group))
    frame = pd.DataFrame(
        {
            name: pd.Series(_take(values, order), dtype=object)
            if name in TEXT_COLUMNS
            else _take(values, order)
            for name, values in data.items()
        }
    )
    frame.index = pd.MultiIndex.from_arrays(
        [
            pd.Index(groups.labels.take(group[order]), dtype=object),
            pd.Index(c.customer_labels[customer][order], dtype=object),
            pd.Index(ids[order], dtype=object),
        ],
        names=["group", "customer_id", "invoice_id"],
    )
    return frame


def _take(values: Any, order: IntArray) -> Any:
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return values.take(order)
    return np.asarray(values)[order]
