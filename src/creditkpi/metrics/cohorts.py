"""Invoice cohorts: cumulative share settled by issue month and age (SPEC §4.7).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from creditkpi.core.ledger import Ledger


def cohorts(
    ledger: Ledger, as_of: Any, *, weight: Literal["amount", "count"] = "amount"
) -> pd.DataFrame:
    """Cohort (issue month) × age (months) table of cumulative share settled."""
    raise NotImplementedError
