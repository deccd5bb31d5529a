"""Calling a registry KPI through its ledger function, the way a user would.

Shared by the registry, dashboard and distributed tests: every path of a KPI
(ledger function, formula on parts, dashboard row, distributed column) is
compared with :func:`function_value`.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

import creditkpi as ck
from creditkpi.registry import KPI


def function_value(
    kpi: KPI,
    ledger: ck.Ledger,
    key: Any,
    *,
    by: str | None = None,
    costs: Any = None,
    money: str = "decimal",
) -> Any:
    """``kpi.function(ledger, key, ...)``: a scalar, or a Series by group with ``by``."""
    kwargs: dict[str, Any] = {"by": by, **kpi.options}
    if "costs" in kpi.requires:
        kwargs["costs"] = costs
    if kpi.unit == "money" or (kpi.field is not None and kpi.series):
        kwargs["money"] = money
    result = kpi.function(ledger, key, **kwargs)
    if kpi.field is not None:
        value = result[kpi.field]
        if isinstance(value, pd.Series):
            return value.astype(np.float64) if kpi.unit != "money" else value
        return value
    return result


def same(a: Any, b: Any, *, rel: float = 1e-12) -> bool:
    """Money exactly, floats to ``rel``, nan in the same places."""
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        da, db = Decimal(a), Decimal(b)
        if da.is_nan() or db.is_nan():
            return da.is_nan() and db.is_nan()
        return da == db
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        return math.isnan(fa) and math.isnan(fb)
    return math.isclose(fa, fb, rel_tol=rel, abs_tol=1e-12)


def as_values(result: Any) -> list[Any]:
    """A scalar or Series as a list of Python values."""
    if isinstance(result, (pd.Series, pd.Index, np.ndarray)):
        return [v.item() if isinstance(v, np.generic) else v for v in list(result)]
    return [result]
