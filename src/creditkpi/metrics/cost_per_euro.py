"""Cost per euro collected (coût à l'euro recouvré) (SPEC §4.5).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from typing import Any

from creditkpi.core.ledger import Ledger


def cost_per_euro(ledger: Ledger, period: Any, costs: Any) -> Any:
    """Collection costs of the period / cash collected in it."""
    raise NotImplementedError


def formula_cost_per_euro(costs: float, collected: float) -> float:
    """costs / collected."""
    raise NotImplementedError
