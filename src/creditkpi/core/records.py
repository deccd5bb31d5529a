"""Typed input records: invoices, settlements, disputes, dunning statuses, credit limits, cover.

Records are frozen, slotted dataclasses, checked when they are made. Money is
:class:`~decimal.Decimal`, read exactly by the rules of
:mod:`creditkpi.core.money` (text with ``.`` decimals, a float at its
shortest repr); dates are :class:`datetime.date` (text is read like a date
column of a table: ISO ``2024-01-31``, or a layout whose day/month order the
value itself settles). A broken rule raises the
:class:`~creditkpi.CreditKPIError` a table would, naming the column, the
record's id and the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeAlias, get_args

from creditkpi.core.errors import (
    CreditKPIError,
    InvalidValueError,
    ReservedAttributeError,
)
from creditkpi.core.money import currency_code, to_decimal

__all__ = [
    "CREDIT_NOTE",
    "PAYMENT",
    "WRITE_OFF",
    "Cover",
    "CreditLimit",
    "Dispute",
    "Doubtful",
    "Invoice",
    "Payment",
    "SettlementKind",
    "StatusEvent",
    "settlement_kind",
]

SettlementKind = Literal["payment", "credit_note", "write_off"]
SETTLEMENT_KINDS: tuple[str, ...] = get_args(SettlementKind)

#: settlement kind codes (``Columns.settlement_kind``): a kind's position in SETTLEMENT_KINDS
PAYMENT, CREDIT_NOTE, WRITE_OFF = 0, 1, 2

#: the canonical invoice columns: not allowed as attribute names
_RESERVED = ("invoice_id", "customer_id", "issue_date", "due_date", "amount", "currency")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def settlement_kind(value: object) -> str | None:
    """The canonical kind of ``value`` (records and tables alike), or ``None``.

    Case, surrounding spaces, and spaces or hyphens for the underscore do not
    matter; a missing or empty kind is a payment.

    Examples
    --------
    >>> settlement_kind(" Credit note"), settlement_kind("WRITE-OFF"), settlement_kind(None)
    ('credit_note', 'write_off', 'payment')
    >>> settlement_kind("refund") is None
    True
    """
    if value is None or (isinstance(value, float) and value != value):
        return "payment"
    if not isinstance(value, str):
        return None
    text = re.sub(r"[\s-]+", "_", value.strip().lower())
    if not text:
        return "payment"
    return text if text in SETTLEMENT_KINDS else None


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _date(value: object, column: str, owner: object) -> date:
    """One record date, read like a table's date column; errors name column, id, value."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass  # e.g. 2024-02-30: the reader says what is wrong
    import numpy as np
    import pandas as pd

    from creditkpi.core.ingest.dates import DateReader
    from creditkpi.core.period import from_day

    reader = DateReader(None)
    parsed = reader.read(
        pd.Series([value], dtype=object), column=column, ids=np.asarray([owner], dtype=object)
    )
    reader.finish()
    if parsed.missing[0]:
        from creditkpi.core.errors import InvalidDateError

        raise InvalidDateError("is missing", column=column, ids=[owner], values=[value])
    return from_day(int(parsed.days[0]))


def _amount(value: object, column: str, owner: object) -> Decimal:
    try:
        return to_decimal(value)
    except CreditKPIError as exc:
        hint = exc.hint
        if hint is not None and "decimal=" in hint:
            hint = (
                "a record's amount uses '.' as the decimal mark (e.g. '1234.56'); a table "
                'written with decimal commas reads with Ledger.from_frames(..., decimal=",")'
            )
        raise type(exc)(
            "is not an amount", column=column, ids=[owner], values=[value], hint=hint
        ) from None


#: a calendar day (the type, where a record's field is named ``date``)
_Day: TypeAlias = date


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice: what a customer owes from ``issue_date``, due on ``due_date``.

    Parameters
    ----------
    id : str
        Unique invoice id.
    customer : str
        Customer id.
    issue_date, due_date : date or str
        Issue and due dates (ISO text accepted).
    amount : Decimal, str or int
        Amount including tax (TTC), > 0. Text uses ``.`` as the decimal mark
        (spaces may group thousands); a float is taken at its shortest repr
        and must be a whole number of minor units (``0.1 + 0.2`` is refused).
    currency : str, default "EUR"
        ISO 4217 code (case and surrounding spaces ignored).
    attrs : mapping, optional
        Extra attributes usable for grouping (``country``, ``segment``, ...);
        the invoice's own fields (``amount``, ``customer_id``, ...) are not
        allowed here.

    Raises
    ------
    CreditKPIError
        A date, amount or currency that is not one, or a reserved attribute
        name; the message names the column, the invoice id and the value.

    Examples
    --------
    >>> Invoice("F1", "ACME", "2024-04-01", "2024-04-30", "1200.00").amount
    Decimal('1200.00')
    """

    id: str
    customer: str
    issue_date: date
    due_date: date
    amount: Decimal
    currency: str = "EUR"
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _set(self, "issue_date", _date(self.issue_date, "issue_date", self.id))
        _set(self, "due_date", _date(self.due_date, "due_date", self.id))
        _set(self, "amount", _amount(self.amount, "amount", self.id))
        code = currency_code(self.currency)
        if code is None:
            raise InvalidValueError(
                "is not an ISO 4217 currency code",
                column="currency",
                ids=[self.id],
                values=[self.currency],
                hint="use a code such as 'EUR', 'USD', 'JPY'",
            )
        _set(self, "currency", code)
        attrs = dict(self.attrs)
        reserved = [key for key in attrs if key in _RESERVED]
        if reserved:
            raise ReservedAttributeError(
                f"attrs may not hold {', '.join(map(repr, reserved))}: it is the invoice's own "
                "field (pass it as the Invoice argument)",
                column=str(reserved[0]),
                ids=[self.id],
                values=[attrs[reserved[0]]],
            )
        _set(self, "attrs", attrs)


@dataclass(frozen=True, slots=True)
class Payment:
    """A settlement of an invoice: cash, credit note (avoir) or write-off.

    Parameters
    ----------
    invoice : str or None
        The settled invoice's id. ``None`` with a ``customer`` is unapplied cash.
    date : date or str
        Settlement date.
    amount : Decimal, str or int
        Settled amount, > 0.
    kind : {"payment", "credit_note", "write_off"}, default "payment"
        Cash, credit note (reduces the balance and the period's sales) or
        write-off (declared irrecoverable). Read like a table's ``kind``
        column: ``"Credit note"`` and ``"CREDIT_NOTE"`` are ``"credit_note"``.
    customer : str, optional
        Customer of an unapplied payment.
    applied : date or str, optional
        The day the settlement settles its invoice, when it is posted first
        and applied later (a payment lettered or allocated after it arrived):
        from ``date`` until then it is the customer's unapplied credit.
        Default: ``date``.
    currency : str, optional
        ISO 4217 code. A payment of an invoice is in its invoice's currency
        (a different code is an error); unapplied cash in a ledger of
        several currencies must say its own.

    Examples
    --------
    >>> Payment("F1", "2024-04-15", "200.00").kind
    'payment'
    >>> Payment(None, "2024-04-15", "50", customer="ACME").invoice is None
    True
    >>> Payment("F1", "2024-04-15", "200.00", applied="2024-04-30").applied
    datetime.date(2024, 4, 30)
    """

    invoice: str | None
    date: date
    amount: Decimal
    kind: SettlementKind = "payment"
    customer: str | None = None
    applied: _Day | None = None
    currency: str | None = None

    def __post_init__(self) -> None:
        owner = self.invoice if self.invoice is not None else self.customer
        if self.currency is not None:
            code = currency_code(self.currency)
            if code is None:
                raise InvalidValueError(
                    "is not an ISO 4217 currency code",
                    column="currency",
                    ids=[owner],
                    values=[self.currency],
                    hint="use a code such as 'EUR', 'USD', 'JPY'",
                )
            _set(self, "currency", code)
        _set(self, "date", _date(self.date, "date", owner))
        if self.applied is not None:
            _set(self, "applied", _date(self.applied, "applied", owner))
        _set(self, "amount", _amount(self.amount, "amount", owner))
        kind = settlement_kind(self.kind)
        if kind is None:
            raise InvalidValueError(
                f"is not a settlement kind (one of {', '.join(SETTLEMENT_KINDS)})",
                column="kind",
                ids=[owner],
                values=[self.kind],
            )
        _set(self, "kind", kind)


@dataclass(frozen=True, slots=True)
class Dispute:
    """A dispute (litige) on an invoice, open from ``opened`` until ``resolved``.

    The invoice is disputed at T if ``opened <= T`` and it is not resolved on
    or before T.

    Examples
    --------
    >>> Dispute("F1", "2024-04-03", reason="price").resolved is None
    True
    """

    invoice: str
    opened: date
    reason: str = ""
    resolved: date | None = None

    def __post_init__(self) -> None:
        _set(self, "opened", _date(self.opened, "opened", self.invoice))
        if self.resolved is not None:
            _set(self, "resolved", _date(self.resolved, "resolved", self.invoice))


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A dunning status (relance) given to an invoice on ``date``.

    The status at T is the last event on or before T, else ``"none"``.

    Examples
    --------
    >>> StatusEvent("F1", "2024-05-02", "reminder 1").status
    'reminder 1'
    """

    invoice: str
    date: date
    status: str

    def __post_init__(self) -> None:
        _set(self, "date", _date(self.date, "date", self.invoice))


@dataclass(frozen=True, slots=True)
class Doubtful:
    """An invoice classified doubtful (créance douteuse) from ``date``.

    Parameters
    ----------
    invoice : str
        Invoice id.
    date : date or str
        First day the invoice is doubtful.
    provision : Decimal, str or None
        Provision booked on it, if any.

    Examples
    --------
    >>> Doubtful("F1", "2024-06-30", provision="500").provision
    Decimal('500')
    """

    invoice: str
    date: date
    provision: Decimal | None = None

    def __post_init__(self) -> None:
        _set(self, "date", _date(self.date, "date", self.invoice))
        if self.provision is not None:
            _set(self, "provision", _amount(self.provision, "provision", self.invoice))


@dataclass(frozen=True, slots=True)
class CreditLimit:
    """A customer's credit limit (encours autorisé) from ``date`` on.

    A customer's limit at T is its last ``CreditLimit`` dated on or before T
    (a limit history: each record replaces the previous one from its date);
    a customer without one has no limit set. A limit of 0 means "no
    credit".

    Parameters
    ----------
    customer : str
        Customer id (a customer of the ledger's invoices or unapplied cash).
    date : date or str
        The first day the limit applies.
    amount : Decimal, str or int
        The most the customer may owe, >= 0, in the ledger's currency.

    Examples
    --------
    >>> CreditLimit("ACME", "2024-01-01", "50000").amount
    Decimal('50000')
    """

    customer: str
    date: _Day
    amount: Decimal

    def __post_init__(self) -> None:
        _set(self, "date", _date(self.date, "date", self.customer))
        _set(self, "amount", _amount(self.amount, "amount", self.customer))


@dataclass(frozen=True, slots=True)
class Cover:
    """A credit insurer's cover of one buyer (agrément): an amount from ``start`` to ``end``.

    Parameters
    ----------
    customer : str
        The insured customer (buyer).
    start : date or str
        First day of the cover.
    amount : Decimal, str or int
        The cover amount granted for the buyer, >= 0 (0: cover refused).
    end : date or str, optional
        Last day of the cover (``None``: until further notice).
    share : Decimal, str or float, default 0.9
        The share of a loss the insurer pays (quotité garantie), in (0, 1].
    declare_within : int, optional
        Days after an invoice's due date within which an overdue must be
        declared to the insurer, or its cover is lost (``None``: no deadline).
    insurer : str, default ""
        The insurer's name; one insurer's covers of a buyer may not overlap.

    Examples
    --------
    >>> c = Cover("ACME", "2024-01-01", "30000", share="0.95", declare_within=60)
    >>> c.share, c.end, c.declare_within
    (Decimal('0.95'), None, 60)
    """

    customer: str
    start: _Day
    amount: Decimal
    _: KW_ONLY
    end: _Day | None = None
    share: Decimal = Decimal("0.9")
    declare_within: int | None = None
    insurer: str = ""

    def __post_init__(self) -> None:
        _set(self, "start", _date(self.start, "start", self.customer))
        if self.end is not None:
            _set(self, "end", _date(self.end, "end", self.customer))
        _set(self, "amount", _amount(self.amount, "amount", self.customer))
        _set(self, "share", _amount(self.share, "share", self.customer))
        days = self.declare_within
        if days is not None and (isinstance(days, bool) or not isinstance(days, int)):
            raise InvalidValueError(
                "is not a whole number of days",
                column="declare_within",
                ids=[self.customer],
                values=[days],
                rule="invalid-deadline",
            )
