"""The fiscal years of an FEC read across several files, and what their opening lines carry.

An FEC is one fiscal year; a later year's opening entries (*à nouveaux*)
carry what the earlier year leaves open, per invoice or per customer. These
steps of :meth:`~creditkpi.Ledger.from_fec` find each line's year
(:func:`fiscal_years`), the earlier line an opening line carries
(:func:`carried_items`) and join the lettering groups that continue one
another (:func:`merge_groups`). The rules are on the *From your accounting
system* page of the documentation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["by_key", "carried_items", "fiscal_years", "merge_groups"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def fiscal_years(
    files: IntArray,
    opening_all: BoolArray,
    rows: IntArray,
    posted: IntArray,
    is_customer: BoolArray,
) -> IntArray:
    """The fiscal year (0, 1, ...) of each customer line.

    The files (an FEC is one fiscal year) are taken in the order of their first
    customer line's date; each file after the first that holds opening entries
    starts a new year, one without continues the year before (a year split into
    several files).
    """
    file_of = files[rows]
    n_files = int(files.max()) + 1 if files.size else 0
    if n_files <= 1:
        return np.zeros(rows.size, dtype=np.int64)
    first = np.full(n_files, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, file_of[is_customer], posted[is_customer])
    has_opening = np.bincount(files[opening_all], minlength=n_files) > 0
    order = np.lexsort((np.arange(n_files), first))
    year_of_file = np.zeros(n_files, dtype=np.int64)
    current = 0
    for k, f in enumerate(order.tolist()):
        if k and has_opening[f]:
            current += 1
        year_of_file[f] = current
    return year_of_file[file_of]


def by_key(where: IntArray, *keys: npt.NDArray[Any]) -> list[tuple[Any, IntArray]]:
    """The rows of ``where`` grouped by the values of ``keys`` (first appearance order)."""
    if where.size == 0:
        return []
    frame = pd.DataFrame({f"k{j}": key[where] for j, key in enumerate(keys)})
    groups = frame.groupby(list(frame.columns), sort=False).indices
    return [(key, where[np.sort(index)]) for key, index in groups.items()]


def carried_items(
    opening_line: BoolArray,
    real: BoolArray,
    customer: npt.NDArray[Any],
    document: npt.NDArray[Any],
    signed: IntArray,
    year: IntArray,
) -> tuple[IntArray, BoolArray]:
    """What each opening line of a later year carries.

    ``source``: the earlier line of the same customer, document and side
    (``-1``: none), for an opening per invoice. Lines sharing those (a
    generic ``PieceRef`` such as ``VIR``) pair up one to one: first those of
    the same amount (an item nothing settled), the most recent year first,
    then the others in order. ``by_customer``: an opening line matching no
    earlier line, of a customer with lines in earlier years (one opening per
    customer, carrying the customer's balance).
    """
    n = opening_line.size
    source = np.full(n, -1, dtype=np.int64)
    by_customer = np.zeros(n, dtype=bool)
    lines = np.flatnonzero(opening_line)
    if lines.size == 0:
        return source, by_customer
    # only the earlier lines that could match (the documents of the opening lines)
    wanted = np.flatnonzero(real & pd.Series(document).isin(set(document[lines])).to_numpy())
    earlier = pd.DataFrame(
        {"c": customer[wanted], "d": document[wanted], "a": signed[wanted], "k": wanted,
         "y": year[wanted]}
    ).sort_values(["y", "k"], ascending=[False, True], kind="stable")  # fmt: skip
    asked = pd.DataFrame(
        {"c": customer[lines], "d": document[lines], "a": signed[lines], "at": lines,
         "y_at": year[lines]}
    )  # fmt: skip
    asked["side"] = asked["a"] > 0
    earlier["side"] = earlier["a"] > 0
    for opening_year in np.unique(year[lines]).tolist():
        candidates = earlier[earlier["y"].to_numpy() < opening_year]
        taken: list[int] = []
        for keys in (["c", "d", "a"], ["c", "d", "side"]):
            ask = asked[
                (asked["y_at"].to_numpy() == opening_year) & (source[asked["at"].to_numpy()] < 0)
            ].copy()
            free = candidates[~np.isin(candidates["k"].to_numpy(), taken)].copy()
            ask["n"] = ask.groupby(keys, sort=False, dropna=False).cumcount()
            free["n"] = free.groupby(keys, sort=False, dropna=False).cumcount()
            found = ask.merge(free[[*keys, "n", "k"]], on=[*keys, "n"], how="inner")
            matched = found["k"].to_numpy(dtype=np.int64)
            source[found["at"].to_numpy(dtype=np.int64)] = matched
            taken += matched.tolist()
    # per customer: the customer has lines in an earlier year
    first_year = pd.Series(year[real]).groupby(pd.Series(customer[real], dtype=object)).min()
    seen = pd.Series(customer[lines], dtype=object).map(first_year).to_numpy(dtype=float)
    by_customer[lines] = (source[lines] < 0) & (seen < year[lines])
    return source, by_customer


def merge_groups(group: IntArray, aliases: list[tuple[int, int]]) -> IntArray:
    """Groups joined by ``aliases`` share the smallest code of their set."""
    if not aliases:
        return group
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in aliases:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    remap = {g: find(g) for g in list(parent)}
    out = group.copy()
    s = pd.Series(out)
    mapped = s.map(remap)
    out = np.where(mapped.notna(), mapped.fillna(0).to_numpy(dtype=np.int64), out)
    return np.asarray(out, dtype=np.int64)
