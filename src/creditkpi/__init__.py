"""creditkpi: credit-management and collections KPIs from invoices and payments.

>>> import creditkpi as ck
>>> ledger = ck.Ledger.from_records(
...     [ck.Invoice("F1", "ACME", "2024-04-01", "2024-04-30", "1200.00")],
...     [ck.Payment("F1", "2024-05-10", "200.00")])
>>> ck.receivables(ledger, "2024-05-31")
Decimal('1000.00')
"""

from creditkpi.core import (
    CreditKPIError,
    DataQualityWarning,
    Dispute,
    Doubtful,
    Invoice,
    Ledger,
    Payment,
    Period,
    StatusEvent,
    UndefinedMetricWarning,
)
from creditkpi.metrics.aging import receivables

__version__ = "0.1.0"

__all__ = [
    "CreditKPIError",
    "DataQualityWarning",
    "Dispute",
    "Doubtful",
    "Invoice",
    "Ledger",
    "Payment",
    "Period",
    "StatusEvent",
    "UndefinedMetricWarning",
    "receivables",
]
