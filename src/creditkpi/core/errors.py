"""Errors and warnings raised by creditkpi.

Every invalid input raises a subclass of :class:`CreditKPIError`, itself a
:class:`ValueError`. The message names the rule, the column, how many rows
break it, the first offending ids and values, and the option that fixes it
where there is one, e.g.::

    invalid-amount: 2 amount(s) are not numbers in column 'amount'
    (first: 'F1', 'F2'; values: '1 234,56', '7,5'); they are written with a
    decimal comma: pass decimal=","

An *undefined* result (a ratio with a zero denominator) is not an error: the
metric returns ``nan`` and emits :class:`UndefinedMetricWarning`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "AmbiguousDateError",
    "AmountTooLargeError",
    "CreditKPIError",
    "DataEndsWarning",
    "DataQualityWarning",
    "DebitAndCreditError",
    "DueBeforeIssueError",
    "DuplicateColumnError",
    "DuplicateIdError",
    "InvalidAmountError",
    "InvalidDateError",
    "InvalidOptionError",
    "InvalidPeriodError",
    "InvalidTargetError",
    "InvalidValueError",
    "MissingColumnError",
    "MissingFECColumnError",
    "MissingValueError",
    "MixedCurrencyError",
    "NoSettlementsReadError",
    "NonPositiveAmountError",
    "OverlappingCoverError",
    "PrintingError",
    "ReservedAttributeError",
    "SubMinorUnitError",
    "UnbalancedEntryError",
    "UndefinedMetricWarning",
    "UnknownCustomerError",
    "UnknownInvoiceError",
    "UnreadableFileError",
    "first_ids",
    "show_value",
]

#: how many offending ids (and values) an error message quotes
MAX_IDS = 5

#: a quoted value is cut to this many characters
_MAX_VALUE_TEXT = 40


def first_ids(ids: Iterable[object], limit: int = MAX_IDS) -> tuple[object, ...]:
    """Return the first ``limit`` ids of ``ids`` as a tuple."""
    out: list[object] = []
    for value in ids:
        if len(out) >= limit:
            break
        out.append(value.item() if hasattr(value, "item") else value)
    return tuple(out)


def show_value(value: object) -> str:
    """How an offending value is quoted in a message: ``'1 234,56'``, ``45292.0``, ``None``."""
    if isinstance(value, str):
        text = value if len(value) <= _MAX_VALUE_TEXT else value[: _MAX_VALUE_TEXT - 1] + "…"
        return repr(text)
    if hasattr(value, "isoformat") and not isinstance(value, type):
        return repr(str(value))
    if type(value).__name__ == "Decimal":
        return str(value)
    return repr(value)


class CreditKPIError(ValueError):
    """Base class of every creditkpi input error.

    The message reads ``<rule>: <what> in column '<column>' (first: <ids>;
    values: <values>)``, then the option that fixes it where one exists
    (``decimal=","``, ``date_format=``, ``columns=``). An error about a
    function argument (``argument=``) is one sentence naming the argument and
    its value, and speaks of no column.

    Attributes
    ----------
    rule : str
        Short name of the broken rule (``"due-before-issue"``, ...).
    column : str or None
        The column (canonical name) the rule is about, or the argument's name.
    count : int
        How many rows break the rule.
    ids : tuple
        The first offending ids (invoice ids, or row numbers where a row
        has no id).
    values : tuple
        The first offending values, as they were given (empty when the ids
        say it all, e.g. a duplicated id).
    hint : str or None
        The option or change that fixes the input, when there is one.
    """

    rule: str = "invalid-input"
    #: what ``column`` names in the message: a column of the input, or an argument
    subject: str = "column"

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        ids: Sequence[object] = (),
        count: int | None = None,
        rule: str | None = None,
        values: Sequence[object] = (),
        hint: str | None = None,
        argument: str | None = None,
    ) -> None:
        if rule is not None:
            self.rule = rule
        self.column = argument if argument is not None else column
        self.ids = first_ids(ids)
        self.values = first_ids(values)
        self.count = len(ids) if count is None else count
        self.hint = hint
        text = f"{self.rule}: {message}"
        if argument is None:
            if column is not None:
                text += f" in {self.subject} '{column}'"
            shown = []
            if self.ids:
                shown.append("first: " + ", ".join(repr(i) for i in self.ids))
            if self.values:
                shown.append("values: " + ", ".join(show_value(v) for v in self.values))
            if shown:
                text += f" ({'; '.join(shown)})"
        if hint:
            text += f"; {hint}"
        super().__init__(text)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the error it is (a Dask or Spark worker's error reaches the driver whole).

        The default would call ``__init__`` again on the finished message and
        repeat the rule in front of it.
        """
        return (_rebuilt, (type(self), str(self), dict(self.__dict__)))


def _rebuilt(cls: type[CreditKPIError], text: str, state: dict[str, Any]) -> CreditKPIError:
    """A pickled :class:`CreditKPIError` back: its message and attributes as they were."""
    error = cls.__new__(cls)
    ValueError.__init__(error, text)
    error.__dict__.update(state)
    return error


class MissingColumnError(CreditKPIError):
    """A required column is absent from an input table."""

    rule = "missing-column"


class DuplicateColumnError(CreditKPIError):
    """Two columns of one input table have the same (canonical) name."""

    rule = "duplicate-column"


class ReservedAttributeError(CreditKPIError):
    """An invoice attribute uses the name of a canonical column (``amount``, ...)."""

    rule = "reserved-attribute"


class DuplicateIdError(CreditKPIError):
    """Two invoices share one id."""

    rule = "duplicate-invoice-id"


class MissingValueError(CreditKPIError):
    """A required value (id, customer, ...) is empty."""

    rule = "missing-value"


class InvalidDateError(CreditKPIError):
    """A date is missing or cannot be parsed."""

    rule = "invalid-date"


class InvalidAmountError(CreditKPIError):
    """An amount is missing or cannot be parsed."""

    rule = "invalid-amount"


class AmbiguousDateError(InvalidDateError):
    """Text dates that read differently day-first and month-first, with no value settling it."""

    rule = "ambiguous-date"


class AmountTooLargeError(InvalidAmountError):
    """An amount, or a total of amounts, too large to be held exactly in minor units."""

    rule = "amount-too-large"


class DueBeforeIssueError(CreditKPIError):
    """An invoice falls due before it is issued."""

    rule = "due-before-issue"


class NonPositiveAmountError(CreditKPIError):
    """An invoice or settlement amount is zero or negative."""

    rule = "non-positive-amount"


class UnknownInvoiceError(CreditKPIError):
    """A settlement, dispute or status refers to an invoice that does not exist."""

    rule = "unknown-invoice"


class UnknownCustomerError(CreditKPIError):
    """A credit limit or a cover names a customer the ledger does not hold."""

    rule = "unknown-customer"


class OverlappingCoverError(CreditKPIError):
    """Two covers of one insurer for one buyer overlap in time."""

    rule = "overlapping-cover"


class MixedCurrencyError(CreditKPIError):
    """The inputs hold more than one currency."""

    rule = "mixed-currencies"


class SubMinorUnitError(CreditKPIError):
    """An amount is finer than the currency's minor unit (e.g. 0.001 EUR)."""

    rule = "sub-minor-unit-amount"


class InvalidPeriodError(CreditKPIError):
    """A period ends before it starts, or cannot be parsed."""

    rule = "invalid-period"
    subject = "argument"


class InvalidValueError(CreditKPIError):
    """A categorical value is not one of the allowed values (e.g. a settlement kind)."""

    rule = "invalid-value"


class InvalidOptionError(CreditKPIError):
    """A function argument is not one of its allowed values."""

    rule = "invalid-option"
    subject = "argument"


class InvalidTargetError(CreditKPIError):
    """A KPI target that is not a KPI of the registry, has no direction, or is not a valid value."""

    rule = "invalid-target"
    subject = "argument"


class PrintingError(CreditKPIError):
    """A page could not be printed to PDF (no Chromium browser, or it failed)."""

    rule = "print-failed"
    subject = "argument"


class MissingFECColumnError(MissingColumnError):
    """An FEC file lacks some of the 18 columns the format requires."""

    rule = "missing-fec-column"


class UnbalancedEntryError(CreditKPIError):
    """An accounting entry (``EcritureNum`` of a journal) whose debits and credits differ."""

    rule = "unbalanced-entry"


class DebitAndCreditError(CreditKPIError):
    """An entry line with both a debit and a credit amount."""

    rule = "debit-and-credit"


class NoSettlementsReadError(CreditKPIError):
    """A one-table export read with no settlement while a column looks like a settlement date."""

    rule = "no-settlements-read"


class UnreadableFileError(CreditKPIError):
    """A file that cannot be read as a table (missing, empty, not text in its encoding...).

    ``reason`` says what is wrong and ``path`` which file; ``option`` is the
    ``(argument, value)`` that may fix it (e.g. ``("encoding", "cp1252")``),
    or ``None``.
    """

    rule = "unreadable-file"

    def __init__(self, reason: str, *, path: str, option: tuple[str, str] | None = None) -> None:
        self.reason = reason
        self.path = path
        self.option = option
        hint = None if option is None else f"try {option[0]}={option[1]!r}"
        super().__init__(f"{reason} ({path})", hint=hint)


class UndefinedMetricWarning(RuntimeWarning):
    """A ratio is undefined (zero denominator, no history): the result is ``nan``."""


class DataQualityWarning(UserWarning):
    """The data is valid but suspicious (overpaid invoice, settlement before issue).

    Every such row is also listed in :attr:`creditkpi.Ledger.report`.
    """


class DataEndsWarning(UserWarning):
    """A KPI was asked for a date or a period after the data's last event.

    It still answers, from what the ledger holds: nothing happens after its
    last invoice or settlement (an as-of date after it shows the position of
    that day, a period past it has no sales or cash after it). The message
    names the last date.
    """
