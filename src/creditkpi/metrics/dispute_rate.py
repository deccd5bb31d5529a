"""Disputed receivables: dispute rate and open disputes by reason (SPEC §4.6).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from creditkpi.core.ledger import Ledger


def dispute_rate(ledger: Ledger, as_of: Any, *, by: str | None = None) -> Any:
    """Share of receivables under an open dispute at T."""
    raise NotImplementedError


def dispute_reasons(ledger: Ledger, as_of: Any) -> pd.DataFrame:
    """Open disputes at T by reason: count and amount."""
    raise NotImplementedError


def formula_dispute_rate(disputed: float, receivables: float) -> float:
    """disputed / receivables."""
    raise NotImplementedError
