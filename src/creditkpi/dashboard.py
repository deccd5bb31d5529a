"""The dashboard (tableau de bord): every KPI of one period beside the previous period."""

from __future__ import annotations

from typing import Any

from creditkpi.core.ledger import Ledger


def dashboard(ledger: Ledger, period: Any, *, as_of: Any = None, costs: Any = None) -> Any:
    """Every KPI of SPEC §4.10 for the period, with the previous period beside it."""
    raise NotImplementedError
