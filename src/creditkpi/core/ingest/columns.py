"""Column mapping, required columns, empty cells, id text and row names for messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidValueError, MissingColumnError

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: canonical columns of each input table: (required, optional)
CANONICAL: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "invoices": (("invoice_id", "customer_id", "issue_date", "due_date", "amount"), ("currency",)),
    "payments": (("date", "amount"), ("invoice_id", "kind", "customer_id", "currency")),
    "disputes": (("invoice_id", "opened"), ("resolved", "reason")),
    "statuses": (("invoice_id", "date", "status"), ()),
    "doubtful": (("invoice_id", "date"), ("provision",)),
}

ColumnMap = Mapping[str, str] | Mapping[str, Mapping[str, str]]


def rename(frame: pd.DataFrame, table: str, columns: ColumnMap | None) -> pd.DataFrame:
    if not columns:
        return frame
    mapping: Mapping[str, str]
    nested = columns.get(table)
    if isinstance(nested, Mapping):
        mapping = nested
    else:
        mapping = {k: v for k, v in columns.items() if isinstance(v, str)}
    reverse = {
        theirs: canonical for canonical, theirs in mapping.items() if theirs in frame.columns
    }
    return frame.rename(columns=reverse) if reverse else frame


def require(frame: pd.DataFrame, table: str, required: Sequence[str]) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"{table} table lacks required column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, frame.columns))}; map yours with columns=...)",
            column=missing[0],
            ids=missing,
        )


def null_mask(series: pd.Series) -> BoolArray:
    mask = series.isna().to_numpy()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        text = series.astype("string").str.strip()
        mask = mask | (text == "").fillna(True).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


def normalise_ids(series: pd.Series) -> pd.Series:
    """Ids compare as text: 611365, 611365.0 and "611365" are the same invoice."""
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype=float)
        finite = np.isfinite(values)
        if np.all(values[finite] == np.round(values[finite])):
            out = pd.Series(pd.array(values, dtype="Int64"), index=series.index)
            return out.astype("string").astype(object).where(finite, None)
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("string").astype(object)
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return series.astype(object).where(series.notna(), None)
    if series.dtype == object:
        return series.map(lambda v: v if v is None or isinstance(v, str) else id_text(v))
    return series.astype("string").astype(object)


def id_text(value: object) -> object:
    if isinstance(value, float):
        if value != value:
            return None
        if value == int(value):
            return str(int(value))
    return str(value)


class Names:
    """Row names for messages, built only for the rows an error reports.

    Indexing (``names[mask]``) returns an object array like the eager array
    would; nothing is built on the happy path.
    """

    __slots__ = ("_make", "_size")

    def __init__(self, size: int, make: Callable[[IntArray], npt.NDArray[Any]]) -> None:
        self._size = size
        self._make = make

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: Any) -> Any:
        rows = np.arange(self._size, dtype=np.int64)[key]
        if np.ndim(rows) == 0:
            return self._make(np.asarray([rows], dtype=np.int64))[0]
        return self._make(np.asarray(rows, dtype=np.int64))


NameList = npt.NDArray[Any] | Names


def row_labels(frame: pd.DataFrame, table: str) -> Names:
    """How rows of a table without ids are named in messages: ``payments row 3``."""

    def make(rows: IntArray) -> npt.NDArray[Any]:
        return np.array([f"{table} row {k}" for k in rows.tolist()], dtype=object)

    return Names(len(frame), make)


def truthy(series: pd.Series, *, column: str, ids: NameList) -> BoolArray:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return np.asarray(series.fillna(0).to_numpy() != 0, dtype=bool)
    text = series.astype("string").str.strip().str.lower().fillna("")
    yes = text.isin(["yes", "y", "true", "t", "1", "oui", "x"]).to_numpy(dtype=bool)
    no = text.isin(["no", "n", "false", "f", "0", "non", ""]).to_numpy(dtype=bool)
    bad = ~(yes | no)
    if bad.any():
        raise InvalidValueError(
            f"{int(bad.sum())} value(s) are neither yes nor no", column=column, ids=list(ids[bad])
        )
    return yes
