"""Typed input records: invoices, settlements, disputes, dunning statuses.

Records are frozen, slotted dataclasses. Money is :class:`~decimal.Decimal`
built from text; dates are :class:`datetime.date` (ISO strings are accepted
and converted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, get_args

from creditkpi.core.errors import InvalidValueError
from creditkpi.core.money import to_decimal
from creditkpi.core.period import as_date

__all__ = ["Dispute", "Doubtful", "Invoice", "Payment", "SettlementKind", "StatusEvent"]

SettlementKind = Literal["payment", "credit_note", "write_off"]
SETTLEMENT_KINDS: tuple[str, ...] = get_args(SettlementKind)


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


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
        Amount including tax (TTC), > 0. Floats are taken at their decimal text.
    currency : str, default "EUR"
        ISO 4217 code.
    attrs : mapping, optional
        Extra attributes usable for grouping (``country``, ``segment``, ...).

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
        _set(self, "issue_date", as_date(self.issue_date, name="issue_date"))
        _set(self, "due_date", as_date(self.due_date, name="due_date"))
        _set(self, "amount", to_decimal(self.amount))
        _set(self, "attrs", dict(self.attrs))


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
        write-off (declared irrecoverable).
    customer : str, optional
        Customer of an unapplied payment.

    Examples
    --------
    >>> Payment("F1", "2024-04-15", "200.00").kind
    'payment'
    >>> Payment(None, "2024-04-15", "50", customer="ACME").invoice is None
    True
    """

    invoice: str | None
    date: date
    amount: Decimal
    kind: SettlementKind = "payment"
    customer: str | None = None

    def __post_init__(self) -> None:
        _set(self, "date", as_date(self.date, name="date"))
        _set(self, "amount", to_decimal(self.amount))
        if self.kind not in SETTLEMENT_KINDS:
            raise InvalidValueError(
                f"kind must be one of {', '.join(SETTLEMENT_KINDS)}, got {self.kind!r}",
                column="kind",
                ids=[self.invoice],
            )


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
        _set(self, "opened", as_date(self.opened, name="opened"))
        if self.resolved is not None:
            _set(self, "resolved", as_date(self.resolved, name="resolved"))


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
        _set(self, "date", as_date(self.date, name="date"))


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
        _set(self, "date", as_date(self.date, name="date"))
        if self.provision is not None:
            _set(self, "provision", to_decimal(self.provision))
