"""Dates and amounts of input columns, parsed into day numbers and minor units."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    InvalidAmountError,
    InvalidDateError,
    NonPositiveAmountError,
    SubMinorUnitError,
)
from creditkpi.core.ingest.columns import NameList, null_mask
from creditkpi.core.ledger import NO_END
from creditkpi.core.money import parse_amounts

IntArray = npt.NDArray[np.int64]


def stable_date_order(days: IntArray) -> IntArray:
    """``argsort(days, kind="stable")``; a radix sort when the dates span < 2**16 days."""
    if days.size and int(days.max()) - int(days.min()) < 2**16:
        return np.argsort((days - days.min()).astype(np.uint16), kind="stable")
    return np.argsort(days, kind="stable")


def parse_dates(
    series: pd.Series,
    *,
    column: str,
    ids: NameList,
    date_format: str | None,
    optional: bool = False,
) -> IntArray:
    """Day numbers of a date column; raises on missing/unparseable values."""
    missing = null_mask(series)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series
    else:
        values = series.where(~missing, None)
        try:
            parsed = pd.to_datetime(values, errors="coerce", format=date_format)
        except (ValueError, TypeError):
            parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    naive = parsed.dt.tz_localize(None) if getattr(parsed.dt, "tz", None) is not None else parsed
    days = naive.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    bad_parse = np.isnat(days) & ~missing
    if bad_parse.any():
        raise InvalidDateError(
            f"{int(bad_parse.sum())} value(s) are not dates",
            column=column,
            ids=list(ids[bad_parse]),
        )
    if missing.any() and not optional:
        raise InvalidDateError(
            f"{int(missing.sum())} date(s) are missing", column=column, ids=list(ids[missing])
        )
    out = days.astype(np.int64)
    out[missing] = NO_END
    return out


def parse_money(
    series: pd.Series, *, column: str, ids: NameList, digits: int, positive: bool = True
) -> IntArray:
    values = series.to_numpy()
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_numeric_dtype(
        series.dtype
    ):
        values = series.astype("float64").to_numpy()
    cents, invalid, too_fine = parse_amounts(values, digits)
    if invalid.any():
        raise InvalidAmountError(
            f"{int(invalid.sum())} amount(s) are missing or not numbers",
            column=column,
            ids=list(ids[invalid]),
        )
    if too_fine.any():
        raise SubMinorUnitError(
            f"{int(too_fine.sum())} amount(s) are finer than the currency's minor unit "
            f"(10^-{digits})",
            column=column,
            ids=list(ids[too_fine]),
        )
    if positive:
        bad = cents <= 0
        if bad.any():
            raise NonPositiveAmountError(
                f"{int(bad.sum())} amount(s) are zero or negative (settlements are positive; "
                "use kind='credit_note' for an avoir)",
                column=column,
                ids=list(ids[bad]),
            )
    return cents
