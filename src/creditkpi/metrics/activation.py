"""Activation rate (taux d'activation / taux de payeurs) (SPEC §4.4).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from typing import Any, Literal

from creditkpi.core.ledger import Ledger


def activation_rate(
    ledger: Ledger,
    period: Any,
    *,
    observed: Any = None,
    unit: Literal["customer", "invoice"] = "customer",
    by: str | None = None,
) -> Any:
    """Activated cases / cases in progress."""
    raise NotImplementedError


def formula_activation_rate(activated: float, in_progress: float) -> float:
    """activated / in_progress."""
    raise NotImplementedError
