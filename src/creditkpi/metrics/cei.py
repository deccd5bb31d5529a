"""Collection effectiveness index and recovery rate (SPEC §4.3).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from typing import Any, Literal

from creditkpi.core.ledger import Ledger


def cei(
    ledger: Ledger,
    period: Any,
    *,
    sales: Literal["total", "monthly"] = "total",
    by: str | None = None,
) -> Any:
    """Collection effectiveness index of a period."""
    raise NotImplementedError


def recovery_rate(
    ledger: Ledger, period: Any, *, observed: Any = None, by: str | None = None
) -> Any:
    """Recovery rate (taux de recouvrement) of a period observed at a date."""
    raise NotImplementedError


def formula_cei(
    beginning: float,
    sales: float,
    ending_total: float,
    ending_current: float,
    *,
    months: int = 1,
    sales_basis: Literal["total", "monthly"] = "total",
) -> float:
    """CEI from its four totals."""
    raise NotImplementedError


def formula_recovery_rate(total: float, remaining: float) -> float:
    """(total - remaining) / total."""
    raise NotImplementedError
