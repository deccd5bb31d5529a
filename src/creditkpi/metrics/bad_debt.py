"""Doubtful receivables, bad debt to sales, loss and provision rates (SPEC §4.8).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from typing import Any

from creditkpi.core.ledger import Ledger


def bad_debt_to_sales(ledger: Ledger, period: Any, *, by: str | None = None) -> Any:
    """(Doubtful(end) - Doubtful(start-1)) / S(P)."""
    raise NotImplementedError


def loss_rate(ledger: Ledger, period: Any, *, by: str | None = None) -> Any:
    """Write-offs dated in P / S(P)."""
    raise NotImplementedError


def formula_bad_debt_to_sales(doubtful_change: float, sales: float) -> float:
    """doubtful_change / sales."""
    raise NotImplementedError
