"""The core every metric depends on: records, periods, the ledger, the as-of engine, errors.

A project can vendor ``creditkpi/core/`` plus the one metric module it needs.
"""

from creditkpi.core.errors import (
    AmbiguousDateError,
    AmountTooLargeError,
    CreditKPIError,
    DataEndsWarning,
    DataQualityWarning,
    DueBeforeIssueError,
    DuplicateColumnError,
    DuplicateIdError,
    InvalidAmountError,
    InvalidDateError,
    InvalidOptionError,
    InvalidPeriodError,
    InvalidTargetError,
    InvalidValueError,
    MissingColumnError,
    MissingValueError,
    MixedCurrencyError,
    NonPositiveAmountError,
    PrintingError,
    ReservedAttributeError,
    SubMinorUnitError,
    UndefinedMetricWarning,
    UnknownInvoiceError,
    UnreadableFileError,
)
from creditkpi.core.fx import MissingRateError, Rates
from creditkpi.core.ingest.files import read_table
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import Period
from creditkpi.core.records import Dispute, Doubtful, Invoice, Payment, StatusEvent
from creditkpi.core.validation import ValidationIssue, ValidationReport

__all__ = [
    "AmbiguousDateError",
    "AmountTooLargeError",
    "CreditKPIError",
    "DataEndsWarning",
    "DataQualityWarning",
    "Dispute",
    "Doubtful",
    "DueBeforeIssueError",
    "DuplicateColumnError",
    "DuplicateIdError",
    "InvalidAmountError",
    "InvalidDateError",
    "InvalidOptionError",
    "InvalidPeriodError",
    "InvalidTargetError",
    "InvalidValueError",
    "Invoice",
    "Ledger",
    "MissingColumnError",
    "MissingRateError",
    "MissingValueError",
    "MixedCurrencyError",
    "NonPositiveAmountError",
    "Payment",
    "Period",
    "PrintingError",
    "Rates",
    "ReservedAttributeError",
    "StatusEvent",
    "SubMinorUnitError",
    "UndefinedMetricWarning",
    "UnknownInvoiceError",
    "UnreadableFileError",
    "ValidationIssue",
    "ValidationReport",
    "read_table",
]
