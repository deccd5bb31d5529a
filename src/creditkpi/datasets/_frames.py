"""The tables of a generated ledger: typed numpy columns to pandas frames, and back to a Ledger."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.ledger import Ledger

__all__ = ["LedgerFrames", "build_frame"]

_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True, eq=False)
class LedgerFrames:
    """The canonical tables of a synthetic ledger (pandas DataFrames).

    Pass them to :meth:`creditkpi.Ledger.from_frames` (or call :meth:`ledger`).
    Dates are ``datetime64`` columns; amounts are ``float64`` holding whole
    minor units (``cents / 100``), which the ledger reads exactly at their
    decimal text; missing values are ``NaN``/``NaT``.

    Attributes
    ----------
    invoices : DataFrame
        ``invoice_id, customer_id, issue_date, due_date, amount, currency,
        country, segment, collector`` (ids are sequential in issue order).
    payments : DataFrame
        ``invoice_id, customer_id, date, amount, kind`` with ``kind`` one of
        ``payment``, ``credit_note``, ``write_off``; an empty ``invoice_id`` is
        unapplied cash of ``customer_id``. Sorted by date.
    disputes : DataFrame
        ``invoice_id, opened, resolved, reason`` (``resolved`` empty: open).
    statuses : DataFrame
        Dunning events ``invoice_id, date, status``.
    doubtful : DataFrame
        Doubtful classifications ``invoice_id, date, provision``.
    customers : DataFrame
        The hidden truth, not read by the ledger: ``customer_id, country,
        segment, collector, profile, terms_days, end_of_month, onboarded,
        default_date`` (empty unless the customer defaulted within the window).
    """

    invoices: pd.DataFrame
    payments: pd.DataFrame
    disputes: pd.DataFrame
    statuses: pd.DataFrame
    doubtful: pd.DataFrame
    customers: pd.DataFrame

    #: table names in the order of :meth:`tables`
    NAMES = ("invoices", "payments", "disputes", "statuses", "doubtful", "customers")

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name (``invoices``, ``payments``, ..., ``customers``)."""
        return {name: getattr(self, name) for name in self.NAMES}

    def ledger(self) -> Ledger:
        """Build the :class:`~creditkpi.Ledger` (the customers table is not used)."""
        return Ledger.from_frames(
            self.invoices, self.payments, self.disputes, self.statuses, self.doubtful
        )

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(getattr(self, name))}" for name in self.NAMES)
        return f"LedgerFrames({sizes})"


def build_frame(columns: Mapping[str, tuple[str, Any]], scale: int) -> pd.DataFrame:
    """Build one table from typed numpy columns (shared by the generator and the CSV reader).

    Kinds: ``text`` (``(labels, codes)``: ``labels[codes]``, code ``-1`` = missing), ``date`` (int64 day
    numbers, ``-1`` = missing), ``money`` (int64 minor units, ``-1`` =
    missing; becomes float64 ``cents / scale``), ``int``, ``bool``.
    """
    data: dict[str, Any] = {}
    for name, (kind, values) in columns.items():
        if kind == "text":
            labels, codes = values
            index = labels if isinstance(labels, pd.Index) else pd.Index(list(labels))
            where = np.asarray(codes, dtype=np.int64)
            if len(index) == 0:
                data[name] = pd.Series([None] * where.size, dtype=object, name=name)
                continue
            # code -1 is missing: Index.take(fill_value=None) would read the last label
            # under pandas 2 (it fills only with a non-None fill_value)
            taken = pd.Series(index.take(np.maximum(where, 0)), name=name)
            data[name] = taken.where(where >= 0) if (where < 0).any() else taken
            continue
        arr = np.asarray(values)
        if kind == "date":
            days = arr.astype(np.int64)
            stamps = (_EPOCH + days).astype("datetime64[D]")
            stamps[days < 0] = np.datetime64("NaT")
            data[name] = pd.Series(stamps.astype("datetime64[s]"), name=name)
        elif kind == "money":
            cents = arr.astype(np.int64)
            values_f = np.where(cents < 0, np.nan, cents / scale)
            data[name] = pd.Series(values_f.astype(np.float64), name=name)
        elif kind == "int":
            data[name] = pd.Series(arr.astype(np.int64), name=name)
        elif kind == "bool":
            data[name] = pd.Series(arr.astype(bool), name=name)
        else:  # pragma: no cover - internal
            raise ValueError(kind)
    return pd.DataFrame(data)
