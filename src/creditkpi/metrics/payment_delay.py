"""Payment behaviour: days to pay, days late, share paid late (SPEC §4.9).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from creditkpi.core.ledger import Ledger


def payment_delays(ledger: Ledger, period: Any, *, by: str | None = None) -> Any:
    """Amount-weighted days to pay and days late of the cash received in P."""
    raise NotImplementedError


def formula_weighted_average_days(amounts: Sequence[float], days: Sequence[float]) -> float:
    """Σ amount × days / Σ amount."""
    raise NotImplementedError
