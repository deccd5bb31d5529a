"""Errors and warnings raised by creditkpi.

Every invalid input raises a subclass of :class:`CreditKPIError`, itself a
:class:`ValueError`. The message names the rule, the column, how many rows
break it and the first offending ids, e.g.::

    due-before-issue: 3 invoices have due_date before issue_date in column
    'due_date' (first: 'INV-42', 'INV-43', 'INV-44')

An *undefined* result (a ratio with a zero denominator) is not an error: the
metric returns ``nan`` and emits :class:`UndefinedMetricWarning`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "CreditKPIError",
    "DataQualityWarning",
    "DueBeforeIssueError",
    "DuplicateIdError",
    "InvalidAmountError",
    "InvalidDateError",
    "InvalidOptionError",
    "InvalidPeriodError",
    "InvalidValueError",
    "MissingColumnError",
    "MissingValueError",
    "MixedCurrencyError",
    "NonPositiveAmountError",
    "SubMinorUnitError",
    "UndefinedMetricWarning",
    "UnknownInvoiceError",
    "first_ids",
]

#: how many offending ids an error message quotes
MAX_IDS = 5


def first_ids(ids: Iterable[object], limit: int = MAX_IDS) -> tuple[object, ...]:
    """Return the first ``limit`` ids of ``ids`` as a tuple."""
    out: list[object] = []
    for value in ids:
        if len(out) >= limit:
            break
        out.append(value.item() if hasattr(value, "item") else value)
    return tuple(out)


class CreditKPIError(ValueError):
    """Base class of every creditkpi input error.

    Attributes
    ----------
    rule : str
        Short name of the broken rule (``"due-before-issue"``, ...).
    column : str or None
        The column (canonical name) the rule is about.
    count : int
        How many rows break the rule.
    ids : tuple
        The first offending ids (invoice ids, or row numbers where a row
        has no id).
    """

    rule: str = "invalid-input"

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        ids: Sequence[object] = (),
        count: int | None = None,
        rule: str | None = None,
    ) -> None:
        if rule is not None:
            self.rule = rule
        self.column = column
        self.ids = first_ids(ids)
        self.count = len(ids) if count is None else count
        text = f"{self.rule}: {message}"
        if column is not None:
            text += f" in column '{column}'"
        if self.ids:
            shown = ", ".join(repr(i) for i in self.ids)
            text += f" (first: {shown})"
        super().__init__(text)


class MissingColumnError(CreditKPIError):
    """A required column is absent from an input table."""

    rule = "missing-column"


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


class DueBeforeIssueError(CreditKPIError):
    """An invoice falls due before it is issued."""

    rule = "due-before-issue"


class NonPositiveAmountError(CreditKPIError):
    """An invoice or settlement amount is zero or negative."""

    rule = "non-positive-amount"


class UnknownInvoiceError(CreditKPIError):
    """A settlement, dispute or status refers to an invoice that does not exist."""

    rule = "unknown-invoice"


class MixedCurrencyError(CreditKPIError):
    """The inputs hold more than one currency."""

    rule = "mixed-currencies"


class SubMinorUnitError(CreditKPIError):
    """An amount is finer than the currency's minor unit (e.g. 0.001 EUR)."""

    rule = "sub-minor-unit-amount"


class InvalidPeriodError(CreditKPIError):
    """A period ends before it starts, or cannot be parsed."""

    rule = "invalid-period"


class InvalidValueError(CreditKPIError):
    """A categorical value is not one of the allowed values (e.g. a settlement kind)."""

    rule = "invalid-value"


class InvalidOptionError(CreditKPIError):
    """A function argument is not one of its allowed values."""

    rule = "invalid-option"


class UndefinedMetricWarning(RuntimeWarning):
    """A ratio is undefined (zero denominator, no history): the result is ``nan``."""


class DataQualityWarning(UserWarning):
    """The data is valid but suspicious (overpaid invoice, settlement before issue).

    Every such row is also listed in :attr:`creditkpi.Ledger.report`.
    """
