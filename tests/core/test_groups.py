"""Group codes of invoices and settlements."""

from __future__ import annotations

import creditkpi as ck
from creditkpi.core.groups import group_codes


def test_unapplied_cash_only() -> None:
    # a customer known only by unapplied cash: its own group, no invoice to index
    ledger = ck.Ledger.from_records([], [ck.Payment(None, "2024-01-01", "1.00", customer="C1")])
    groups = group_codes(ledger, "customer_id")
    assert list(groups.labels) == ["C1"]
    assert groups.settlement.tolist() == [0]
    assert ck.receivables(ledger, "2024-01-31", by="customer_id").tolist() == [0]
