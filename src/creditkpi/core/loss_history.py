"""Loss history per aging bucket: the arithmetic loss rates and the provision matrix share.

From the additive loss exposure (:func:`creditkpi.core.exposure.loss_exposure`:
what entered each bucket and what of it was lost, per group and cohort):

* :func:`loss_grid` -- the exposure summed into ``(group, bucket)`` grids;
* :func:`rate_terms` -- the exact numerator and denominator of each loss
  rate, by the cohort method or the roll-rate chain;
* :func:`warn_falling` -- one warning when a rate falls with age.

Used by :func:`creditkpi.loss_rates` and :func:`creditkpi.provision_matrix`
(what two metrics share lives in the core).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine import bucket_labels
from creditkpi.core.errors import DataQualityWarning, InvalidOptionError
from creditkpi.core.groups import sorted_labels

__all__ = [
    "GRID_COLUMNS",
    "METHODS",
    "Method",
    "bucket_key",
    "edges_of",
    "loss_grid",
    "rate_terms",
    "warn_falling",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: how loss rates are computed from the history
Method = Literal["cohort", "roll_rate"]
METHODS: tuple[Method, ...] = ("cohort", "roll_rate")

#: the exposure columns summed into grids
GRID_COLUMNS = ("entered", "loss", "invoices", "roll_entered", "rolled", "roll_invoices")


def bucket_key(label: object) -> int:
    """Sort key of a bucket label: ``not due`` first, then by the first day."""
    text = str(label)
    if text == "not due":
        return -1
    return int(text.split("-")[0].rstrip("+"))


def edges_of(labels: Sequence[object]) -> tuple[int, ...]:
    """The bucket edges whose labels are ``labels`` (as :func:`bucket_labels` writes them).

    Raises
    ------
    InvalidOptionError
        The labels are not those of any buckets on the due-date basis.
    """
    texts = [str(v) for v in labels]
    try:
        edges = tuple(int(t.split("-")[1]) for t in texts[1:-1])
        ok = bucket_labels(edges) == texts
    except (ValueError, IndexError, InvalidOptionError):
        ok = False
    if not ok:
        raise InvalidOptionError(
            "rates must be labelled by aging buckets such as 'not due', '1-30', '31-60', "
            f"'61-90', '91+' (pass buckets= to match), got {texts!r}",
            column="rates",
        )
    return edges


def loss_grid(
    parts: pd.DataFrame,
    columns: Sequence[str],
    labels: Sequence[object] | None,
    groups: Sequence[object] | None,
) -> tuple[list[object], list[object], dict[str, IntArray]]:
    """Sum ``parts`` over cohorts into ``(group, bucket)`` int64 grids.

    Also counts, per (group, bucket), the cohorts with at least one invoice
    (``cohorts`` for the ``invoices`` column, ``roll_cohorts`` for
    ``roll_invoices``).
    """
    index = parts.index
    assert isinstance(index, pd.MultiIndex)
    at_group, at_bucket = index.names.index("group"), index.names.index("bucket")
    group_codes_ = np.asarray(index.codes[at_group], dtype=np.int64)
    bucket_codes = np.asarray(index.codes[at_bucket], dtype=np.int64)
    group_level, bucket_level = index.levels[at_group], index.levels[at_bucket]
    if labels is None:
        used = bucket_level[np.unique(bucket_codes)]
        labels = sorted(used, key=bucket_key)
    if groups is None:
        _, groups = sorted_labels(list(group_level[np.unique(group_codes_)]))
    g_map = pd.Index(list(groups), dtype=object).get_indexer(pd.Index(group_level, dtype=object))
    b_map = pd.Index([str(v) for v in labels]).get_indexer(pd.Index([str(v) for v in bucket_level]))
    g_pos, b_pos = g_map[group_codes_], b_map[bucket_codes]
    if (g_pos < 0).any() or (b_pos < 0).any():
        raise InvalidOptionError(
            "the parts hold groups or buckets outside the requested ones", column="parts"
        )
    size = len(groups) * len(labels)
    cell = g_pos.astype(np.int64) * len(labels) + b_pos
    out: dict[str, IntArray] = {}
    for col in columns:
        acc = np.zeros(size, dtype=np.int64)
        np.add.at(acc, cell, parts[col].to_numpy(dtype=np.int64))  # exact int64 sums
        out[col] = acc.reshape(len(groups), len(labels))
    for col, name in (("invoices", "cohorts"), ("roll_invoices", "roll_cohorts")):
        if col in parts.columns:
            seen = parts[col].to_numpy() > 0
            out[name] = np.bincount(cell[seen], minlength=size).reshape(len(groups), len(labels))
    return list(labels), list(groups), out


def _chain(roll_entered: IntArray, rolled: IntArray) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Loss rate of each bucket from roll rates: ``Π_{j>=k} rolled_j / roll_entered_j``.

    Exact: numerators and denominators are Python ints (object arrays). A
    bucket is undefined (denominator 0) when the walk from it meets a bucket
    with nothing observed before meeting a zero roll; a zero roll makes it 0.
    """
    n_groups, nb = roll_entered.shape
    num = np.empty((n_groups, nb), dtype=object)
    den = np.empty((n_groups, nb), dtype=object)
    next_num = np.ones(n_groups, dtype=object)
    next_den = np.ones(n_groups, dtype=object)
    for k in range(nb - 1, -1, -1):
        e = roll_entered[:, k].astype(object)
        r = rolled[:, k].astype(object)
        undefined = (roll_entered[:, k] <= 0) | ((rolled[:, k] > 0) & (next_den == 0))
        zero = ~undefined & (rolled[:, k] == 0)
        cur_num = np.where(undefined | zero, 0, r * next_num)
        cur_den = np.where(undefined, 0, np.where(zero, 1, e * next_den))
        num[:, k], den[:, k] = cur_num, cur_den
        next_num, next_den = cur_num, cur_den
    return num, den


def rate_terms(grid: dict[str, IntArray], method: str) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Numerator and denominator of every (group, bucket) loss rate, exact."""
    if method == "cohort":
        return grid["loss"], grid["entered"]
    return _chain(grid["roll_entered"], grid["rolled"])


def warn_falling(rate: FloatArray, labels: Sequence[object], groups: Sequence[object]) -> None:
    """One :class:`DataQualityWarning` when a rate falls from a bucket to an older one."""
    with np.errstate(invalid="ignore"):
        falls = rate[:, 1:] < rate[:, :-1]
    where = np.argwhere(falls)
    if where.size == 0:
        return
    shown = [
        (f"{groups[g]}: " if len(groups) > 1 else "")
        + f"{labels[k]} {rate[g, k]:.4g} > {labels[k + 1]} {rate[g, k + 1]:.4g}"
        for g, k in where[:5].tolist()
    ]
    warnings.warn(
        f"loss rates fall from a bucket to an older one in {len(where)} place(s) "
        f"({'; '.join(shown)}): a provision matrix should rise with age; check the history "
        "behind them (few invoices, early write-offs, lookback)",
        DataQualityWarning,
        stacklevel=4,
    )
