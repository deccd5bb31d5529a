"""Days sales outstanding: standard, countback, best possible, average days delinquent (SPEC §4.2).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from creditkpi.core.ledger import Ledger


def dso(
    ledger: Ledger,
    period: Any,
    *,
    method: Literal["standard", "countback"] = "standard",
    receivables: Literal["end", "average"] = "end",
    by: str | None = None,
) -> Any:
    """DSO of a period."""
    raise NotImplementedError


def best_possible_dso(ledger: Ledger, period: Any, *, by: str | None = None) -> Any:
    """BPDSO of a period."""
    raise NotImplementedError


def average_days_delinquent(ledger: Ledger, period: Any, *, by: str | None = None) -> Any:
    """ADD = DSO - BPDSO."""
    raise NotImplementedError


def formula_dso(receivables: float, sales: float, days: float) -> float:
    """receivables / sales * days."""
    raise NotImplementedError


def formula_countback_dso(receivables: float, months: Sequence[tuple[float, float]]) -> float:
    """Countback DSO; months: [(sales, days), ...] newest first."""
    raise NotImplementedError


def formula_best_possible_dso(current: float, sales: float, days: float) -> float:
    """current / sales * days."""
    raise NotImplementedError
