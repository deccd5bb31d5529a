"""Expected credit loss: loss rates from the ledger's own history and the IFRS 9 provision matrix.

IFRS 9 simplified approach (paragraph 5.5.15) with the provision matrix of
B5.5.35: historical loss rates per aging bucket, adjusted for forward-looking
information, applied to the aged balance; the table disclosed under IFRS 7
paragraph 35N. See the *Expected credit loss (provision matrix)* page of the documentation.

* :func:`loss_rates` -- per aging bucket, the exposure that entered it in the
  past and the part that was lost (cohort method) or the roll rates from
  bucket to bucket (roll-rate method);
* :func:`provision_matrix` -- gross carrying amount per bucket at a date,
  historical and adjusted rates, allowance, total and coverage ratio;
* :func:`expected_credit_loss`, :func:`ecl_coverage` -- the total allowance
  and the coverage ratio as plain KPIs (a value, a series, per group);
* :func:`formula_provision_matrix` -- the arithmetic of the matrix on plain
  numbers;
* :func:`loss_rates_from_parts`, :func:`provision_matrix_from_parts` -- the
  finishers turning the core's additive parts
  (:func:`creditkpi.core.exposure.loss_exposure`,
  :func:`creditkpi.core.exposure.carrying_amounts`) into those tables.

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    Money,
    MoneyResult,
    RatioResult,
    as_dates,
    check_money,
    check_option,
    money_values,
    reshape,
)
from creditkpi.core.engine import bucket_labels
from creditkpi.core.errors import DataQualityWarning, InvalidOptionError, InvalidValueError
from creditkpi.core.exposure import (
    DOUBTFUL,
    carrying_amounts,
    check_default_after,
    check_lookback,
    loss_exposure,
)
from creditkpi.core.groups import group_codes, sorted_labels
from creditkpi.core.ledger import Ledger
from creditkpi.core.ratios import exact, ratio, warn_undefined

__all__ = [
    "DOUBTFUL",
    "LOSS_RATE_COLUMNS",
    "MATRIX_COLUMNS",
    "ROLL_RATE_COLUMNS",
    "TOTAL",
    "ecl_coverage",
    "expected_credit_loss",
    "formula_provision_matrix",
    "loss_rates",
    "loss_rates_from_parts",
    "provision_matrix",
    "provision_matrix_from_parts",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Method = Literal["cohort", "roll_rate"]

#: the total row of a provision matrix
TOTAL = "total"

#: columns of :func:`loss_rates` with ``method="cohort"``
LOSS_RATE_COLUMNS = ("entered", "loss", "loss_rate", "invoices", "cohorts")

#: columns of :func:`loss_rates` with ``method="roll_rate"``
ROLL_RATE_COLUMNS = ("entered", "rolled", "roll_rate", "loss_rate", "invoices", "cohorts")

#: columns of :func:`provision_matrix`
MATRIX_COLUMNS = ("gross", "rate", "adjusted_rate", "allowance", "coverage", "invoices")

_METHODS = ("cohort", "roll_rate")
_DEFAULT_EDGES = (30, 60, 90)

#: tolerance on the sum of scenario weights (they are often typed as 0.3, 0.5, 0.2)
_WEIGHT_TOLERANCE = Fraction(1, 10**9)


# ----------------------------------------------------------------------------------
# reading arguments
# ----------------------------------------------------------------------------------


def _bucket_key(label: object) -> int:
    """Sort key of a bucket label: ``not due`` first, then by the first day."""
    text = str(label)
    if text == "not due":
        return -1
    return int(text.split("-")[0].rstrip("+"))


def _edges_of(labels: Sequence[object]) -> tuple[int, ...]:
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


def _check_edges(buckets: Any) -> tuple[int, ...]:
    if isinstance(buckets, (str, bytes, int, float)):
        raise InvalidOptionError(
            f"buckets must be a list of increasing positive whole days, got {buckets!r}",
            column="buckets",
        )
    try:
        edges = tuple(buckets)
    except TypeError:
        raise InvalidOptionError(
            f"buckets must be a list of increasing positive whole days, got {buckets!r}",
            column="buckets",
        ) from None
    bucket_labels(edges)  # validates
    return tuple(int(e) for e in edges)


def _decimal_read(value: Any, name: str) -> Fraction | None:
    """A number as an exact fraction, a float read as the decimal it prints as (``None``: not finite).

    Raises
    ------
    InvalidValueError
        ``value`` is not a number.
    """
    if isinstance(value, (float, np.floating)):
        return Fraction(Decimal(repr(float(value)))) if math.isfinite(value) else None
    return exact(value, name)


def _number(value: Any, name: str, *, nan: bool = False) -> Fraction | None:
    """A rate or factor as an exact fraction; floats are read as the decimal they print as.

    ``0.003`` is ``3/1000``, not its binary neighbour; ``nan`` gives ``None``
    when ``nan`` is allowed.
    """
    try:
        out = _decimal_read(value, name)
    except InvalidValueError:
        raise InvalidOptionError(f"{name} must be numbers, got {value!r}", column=name) from None
    if out is None:
        if nan:
            return None
        raise InvalidOptionError(f"{name} must be finite numbers, got {value!r}", column=name)
    if out < 0:
        raise InvalidOptionError(f"{name} must not be negative, got {value!r}", column=name)
    return out


def _by_label(values: Mapping[Any, Any], labels: Sequence[object], name: str) -> list[Any]:
    """``values`` (keyed by bucket label) in the order of ``labels``; every label required."""
    keys = {str(k): v for k, v in values.items()}
    wanted = [str(v) for v in labels]
    missing = [lbl for lbl in wanted if lbl not in keys]
    extra = [k for k in keys if k not in wanted]
    if missing or extra:
        raise InvalidOptionError(
            f"{name} must give one value per bucket {wanted!r}"
            + (f"; missing {missing!r}" if missing else "")
            + (f"; unknown {extra!r}" if extra else ""),
            column=name,
        )
    return [keys[lbl] for lbl in wanted]


def _per_bucket(values: Any, labels: Sequence[object], name: str) -> list[Any]:
    """A mapping/Series by label, or a sequence in bucket order, as a list in bucket order."""
    if isinstance(values, pd.Series):
        if isinstance(values.index, pd.MultiIndex):
            raise InvalidOptionError(
                f"{name} given by group needs by= (got a Series indexed by {values.index.names})",
                column=name,
            )
        return _by_label(values.to_dict(), labels, name)
    if isinstance(values, Mapping):
        return _by_label(values, labels, name)
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
        raise InvalidOptionError(
            f"{name} must be a mapping by bucket or a sequence of {len(labels)} values, "
            f"got {values!r}",
            column=name,
        )
    seq = list(values)
    if len(seq) != len(labels):
        raise InvalidOptionError(
            f"{name} has {len(seq)} values for {len(labels)} buckets {list(labels)!r}",
            column=name,
        )
    return seq


def _factors(adjustment: Any, labels: Sequence[object]) -> list[Fraction]:
    """The forward-looking factor of each bucket: ``Σ w_s f_s`` over the scenarios.

    ``adjustment`` is one factor, a factor per bucket (mapping or sequence), or
    a list of ``(weight, factor)`` scenarios whose weights sum to 1 (each
    factor one number or one per bucket).
    """
    name = "adjustment"
    nb = len(labels)

    def one(value: Any) -> list[Fraction]:
        if isinstance(value, (int, float, Decimal, Fraction, np.integer, np.floating)):
            f = _number(value, name)
            assert f is not None
            return [f] * nb
        out = []
        for v in _per_bucket(value, labels, name):
            f = _number(v, name)
            assert f is not None
            out.append(f)
        return out

    is_pairs = (
        isinstance(adjustment, Sequence)
        and not isinstance(adjustment, (str, bytes))
        and len(adjustment) > 0
        and all(isinstance(s, (tuple, list)) and len(s) == 2 for s in adjustment)
    )
    if not is_pairs:
        if isinstance(adjustment, Sequence) and any(isinstance(s, tuple) for s in adjustment):
            raise InvalidOptionError(
                "adjustment scenarios must all be (weight, factor) pairs, "
                f"got {list(adjustment)!r}",
                column=name,
            )
        return one(adjustment)
    weights = []
    total = [Fraction(0)] * nb
    for weight, factor in adjustment:
        w = _number(weight, name)
        assert w is not None
        weights.append(w)
        total = [t + w * f for t, f in zip(total, one(factor), strict=True)]
    if abs(sum(weights, Fraction(0)) - 1) > _WEIGHT_TOLERANCE:
        raise InvalidOptionError(
            "adjustment scenario weights must sum to 1, got "
            f"{' + '.join(str(float(w)) for w in weights)} = {float(sum(weights)):g}",
            column=name,
        )
    return total


def _rate_table(
    rates: Any, labels: Sequence[object], group_labels: pd.Index, by: str | None
) -> list[list[Fraction | None]]:
    """Rates given by the user: one list per group (in ``group_labels`` order), one per bucket.

    A mapping, a Series by bucket, a sequence, or a :func:`loss_rates` table
    (its ``loss_rate`` column); per group when indexed by ``(group, bucket)``.
    """
    name = "rates"
    if isinstance(rates, pd.DataFrame):
        if "loss_rate" not in rates.columns:
            raise InvalidOptionError(
                "a rates table needs a 'loss_rate' column (as ck.loss_rates gives), "
                f"got columns {list(rates.columns)!r}",
                column=name,
            )
        rates = rates["loss_rate"]
    if isinstance(rates, pd.Series) and isinstance(rates.index, pd.MultiIndex):
        if by is None or rates.index.nlevels != 2:
            raise InvalidOptionError(
                "rates by group (indexed by (group, bucket)) need by= naming that grouping; "
                f"got index levels {list(rates.index.names)!r}",
                column=name,
            )
        table = {}
        for group, part in rates.groupby(level=0, sort=False):
            table[group] = _per_bucket(part.droplevel(0), labels, name)
        missing = [g for g in group_labels if g not in table]
        if missing:
            raise InvalidOptionError(
                f"rates have no rates for {len(missing)} group(s) of {by!r}",
                column=name,
                ids=[str(g) for g in missing],
            )
        read = {g: [_number(v, name, nan=True) for v in row] for g, row in table.items()}
        return [read[g] for g in group_labels]
    row = [_number(v, name, nan=True) for v in _per_bucket(rates, labels, name)]
    return [row] * len(group_labels)


def _labels_of(rates: Any) -> list[object] | None:
    """The bucket labels ``rates`` are keyed by (``None`` for a plain sequence)."""
    if isinstance(rates, (pd.DataFrame, pd.Series)):
        index = rates.index
        keys = list(
            dict.fromkeys(index.get_level_values(-1) if isinstance(index, pd.MultiIndex) else index)
        )
    elif isinstance(rates, Mapping):
        keys = list(rates)
    else:
        return None
    try:
        return sorted(keys, key=_bucket_key)
    except (ValueError, IndexError):
        return keys


# ----------------------------------------------------------------------------------
# finishers: additive parts -> tables
# ----------------------------------------------------------------------------------


def _parts_grid(
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
        labels = sorted(used, key=_bucket_key)
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


def _rate_terms(
    grid: dict[str, IntArray], method: str
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Numerator and denominator of every (group, bucket) loss rate, exact."""
    if method == "cohort":
        return grid["loss"], grid["entered"]
    return _chain(grid["roll_entered"], grid["rolled"])


def _warn_falling(rate: FloatArray, labels: Sequence[object], groups: Sequence[object]) -> None:
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


def loss_rates_from_parts(
    parts: pd.DataFrame,
    *,
    method: Method = "cohort",
    digits: int = 2,
    money: Money = "float",
    labels: Sequence[object] | None = None,
    groups: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Loss rates per (group, bucket) from the additive parts of :func:`loss_exposure`.

    The finisher of :func:`loss_rates`: give it the parts of one ledger or
    the sum of the parts of disjoint ledgers (customers split across
    partitions) and it gives the same table.

    Parameters
    ----------
    parts : DataFrame
        :func:`creditkpi.core.exposure.loss_exposure` output (or a sum of
        them, aligned on ``(group, cohort, bucket)``).
    method : {"cohort", "roll_rate"}, default "cohort"
    digits : int, default 2
        Decimal places of the currency's minor unit.
    money : {"float", "decimal"}, default "float"
    labels, groups : sequence, optional
        The bucket labels and group labels to report, in order (by default
        those found in ``parts``; give them to keep empty groups or buckets).

    Returns
    -------
    DataFrame
        Indexed by ``(group, bucket)``; columns :data:`LOSS_RATE_COLUMNS`
        (cohort) or :data:`ROLL_RATE_COLUMNS` (roll rate).

    Warns
    -----
    UndefinedMetricWarning
        A bucket with no exposure (its rate is ``nan``).
    DataQualityWarning
        A rate falls from a bucket to an older one.
    """
    check_option("method", method, _METHODS)
    check_money(money)
    columns = ["entered", "loss", "invoices", "roll_entered", "rolled", "roll_invoices"]
    labels, groups, grid = _parts_grid(parts, columns, labels, groups)
    num, den = _rate_terms(grid, method)
    what = (
        "loss rate (no exposure entered the bucket)"
        if method == "cohort"
        else "roll-rate loss rate (no exposure observed in a bucket of the chain)"
    )
    rate = ratio(num, den, what=what)
    _warn_falling(rate, labels, groups)
    index = pd.MultiIndex.from_product(
        [pd.Index(groups, dtype=object), pd.Index(labels, dtype=object)], names=["group", "bucket"]
    )
    if method == "cohort":
        data = {
            "entered": money_values(grid["entered"].reshape(-1), digits, money),
            "loss": money_values(grid["loss"].reshape(-1), digits, money),
            "loss_rate": rate.reshape(-1),
            "invoices": grid["invoices"].reshape(-1),
            "cohorts": grid["cohorts"].reshape(-1),
        }
    else:
        roll = ratio(grid["rolled"], grid["roll_entered"], what="roll rate (no exposure observed)")
        data = {
            "entered": money_values(grid["roll_entered"].reshape(-1), digits, money),
            "rolled": money_values(grid["rolled"].reshape(-1), digits, money),
            "roll_rate": roll.reshape(-1),
            "loss_rate": rate.reshape(-1),
            "invoices": grid["roll_invoices"].reshape(-1),
            "cohorts": grid["roll_cohorts"].reshape(-1),
        }
    return pd.DataFrame(data, index=index)


def _money_or_nan(cents: Sequence[Fraction | int | None], digits: int, money: Money) -> Any:
    """Money values of (possibly fractional) minor units; ``nan`` for ``None``."""
    scale = Fraction(10) ** -digits
    if money == "decimal":
        out = []
        for c in cents:
            if c is None:
                out.append(Decimal("NaN"))
            elif isinstance(c, int) or c.denominator == 1:
                out.append(Decimal(int(c)).scaleb(-digits))
            else:
                value = Fraction(c) * scale
                out.append(Decimal(value.numerator) / Decimal(value.denominator))
        return np.asarray(out, dtype=object)
    return np.asarray(
        [np.nan if c is None else float(Fraction(c) * scale) for c in cents], dtype=np.float64
    )


def _fractions(values: Sequence[Fraction | None], shape: tuple[int, ...]) -> tuple[Any, Any]:
    """Numerators and denominators (object arrays of ints) of ``values``; ``None`` -> 0/0."""
    num = np.asarray([0 if v is None else v.numerator for v in values], dtype=object)
    den = np.asarray([0 if v is None else v.denominator for v in values], dtype=object)
    return num.reshape(shape), den.reshape(shape)


def _quotients(num: Any, den: Any, defined: npt.NDArray[np.bool_], what: str) -> FloatArray:
    """``num / den`` through :func:`ratio` where ``defined``, ``nan`` elsewhere (no warning)."""
    out = np.full(defined.shape, np.nan)
    if defined.any():
        out[defined] = ratio(
            np.asarray(num[defined], dtype=object),
            np.asarray(den[defined], dtype=object),
            what=what,
        )
    return out


def _matrix_table(
    gross: Any,
    unit: int,
    invoices: IntArray,
    rate_num: Any,
    rate_den: Any,
    factors: Sequence[Fraction],
    labels: Sequence[object],
    doubtful: tuple[IntArray, IntArray, IntArray] | None,
    digits: int,
    money: Money,
) -> tuple[dict[str, Any], list[object]]:
    """Columns of the matrix of every group (rows: buckets, doubtful, total).

    ``gross / unit`` is the gross amount in minor units per (group, bucket)
    (``unit`` 1 for a ledger); a rate is ``rate_num / rate_den`` (``rate_den``
    0: no rate). Exact integer arithmetic on object arrays, vectorised:
    ``adjusted = min(1, rate × factor)``, ``allowance = gross × adjusted``
    rounded half up to the minor unit. A bucket without a rate needs no
    allowance when its gross amount is 0 and has an undefined one otherwise.
    """
    n_groups, nb = invoices.shape
    gross = np.asarray(gross, dtype=object).reshape(n_groups, nb)
    f_num = np.asarray([f.numerator for f in factors], dtype=object)
    f_den = np.asarray([f.denominator for f in factors], dtype=object)
    has_rate = np.asarray(rate_den != 0, dtype=bool)
    adj_num = rate_num * f_num
    adj_den = rate_den * f_den
    capped = has_rate & np.asarray(adj_num >= adj_den, dtype=bool)
    adj_num = np.where(capped, 1, adj_num)
    adj_den = np.where(has_rate, np.where(capped, 1, adj_den), 1)
    allowance = (2 * gross * adj_num + unit * adj_den) // (2 * unit * adj_den)
    allowance = np.where(has_rate, allowance, 0)
    unknown = ~has_rate & np.asarray(gross != 0, dtype=bool)  # no rate for a balance

    extra = 1 if doubtful is not None else 0
    rows = nb + extra + 1
    all_gross = np.zeros((n_groups, rows), dtype=object)
    all_allowance = np.zeros((n_groups, rows), dtype=object)
    all_unknown = np.zeros((n_groups, rows), dtype=bool)
    all_invoices = np.zeros((n_groups, rows), dtype=np.int64)
    all_gross[:, :nb], all_allowance[:, :nb], all_unknown[:, :nb] = gross, allowance, unknown
    all_invoices[:, :nb] = invoices
    if doubtful is not None:
        d_gross, d_provision, d_invoices = doubtful
        all_gross[:, nb] = d_gross.astype(object) * unit
        all_allowance[:, nb] = d_provision.astype(object)
        all_invoices[:, nb] = d_invoices
    all_gross[:, -1] = all_gross[:, :-1].sum(axis=1)
    all_allowance[:, -1] = all_allowance[:, :-1].sum(axis=1)
    all_unknown[:, -1] = all_unknown[:, :-1].any(axis=1)
    all_invoices[:, -1] = all_invoices[:, :-1].sum(axis=1)

    rate = np.full((n_groups, rows), np.nan)
    adjusted = np.full((n_groups, rows), np.nan)
    rate[:, :nb] = _quotients(rate_num, rate_den, has_rate, "rate")
    adjusted[:, :nb] = _quotients(adj_num, adj_den, has_rate, "adjusted rate")
    # coverage: allowance / gross. An empty row has nothing to cover (nan); an
    # empty total is an undefined coverage ratio (nan and the warning)
    covered = np.asarray(all_gross > 0, dtype=bool) & ~all_unknown
    coverage = _quotients(all_allowance * unit, all_gross, covered, "coverage ratio")
    empty = np.asarray(all_gross[:, -1] <= 0, dtype=bool)
    if empty.any():
        warn_undefined(
            "coverage ratio (no gross carrying amount)", count=int(empty.sum()), total=n_groups
        )
    flat_allowance = all_allowance.reshape(-1)
    flat_unknown = all_unknown.reshape(-1)
    if unit == 1:
        gross_money = money_values(all_gross.reshape(-1).astype(np.int64), digits, money)
        allowance_money = money_values(flat_allowance.astype(np.int64), digits, money)
        allowance_money[flat_unknown] = Decimal("NaN") if money == "decimal" else np.nan
    else:
        gross_money = _money_or_nan(
            [Fraction(int(g), unit) for g in all_gross.reshape(-1)], digits, money
        )
        allowance_money = _money_or_nan(
            [None if u else int(a) for a, u in zip(flat_allowance, flat_unknown, strict=True)],
            digits,
            money,
        )
    data = {
        "gross": gross_money,
        "rate": rate.reshape(-1),
        "adjusted_rate": adjusted.reshape(-1),
        "allowance": allowance_money,
        "coverage": coverage.reshape(-1),
        "invoices": all_invoices.reshape(-1),
    }
    row_labels = [*labels, *([DOUBTFUL] if doubtful is not None else []), TOTAL]
    return data, row_labels


def provision_matrix_from_parts(
    carrying: pd.DataFrame,
    *,
    exposure: pd.DataFrame | None = None,
    rates: Any = None,
    method: Method = "cohort",
    adjustment: Any = 1.0,
    doubtful: bool = True,
    digits: int = 2,
    money: Money = "float",
    by: str | None = None,
) -> pd.DataFrame:
    """The provision matrix per group from additive parts.

    The finisher of :func:`provision_matrix`: ``carrying`` from
    :func:`creditkpi.core.exposure.carrying_amounts` and either the
    ``exposure`` parts of :func:`creditkpi.core.exposure.loss_exposure`
    (rates computed from them, exactly) or ``rates`` given as in
    :func:`provision_matrix`. Parts summed over disjoint ledgers give the
    matrix of their union.

    Parameters
    ----------
    carrying : DataFrame
        Indexed by ``(group, bucket)``, rows = buckets then ``"doubtful"``.
    exposure : DataFrame, optional
    rates : mapping, sequence, Series or DataFrame, optional
    method : {"cohort", "roll_rate"}, default "cohort"
        How rates are computed from ``exposure``.
    adjustment : number, per-bucket factors or [(weight, factor), ...], default 1.0
    doubtful : bool, default True
        Show the ``"doubtful"`` row (and count it in the total).
    digits : int, default 2
    money : {"float", "decimal"}, default "float"
    by : str, optional
        Name of the grouping, for the error messages about per-group rates.

    Returns
    -------
    DataFrame
        Indexed by ``(group, bucket)`` with rows = buckets, ``"doubtful"``
        (when ``doubtful``) and ``"total"``; columns :data:`MATRIX_COLUMNS`.
    """
    check_option("method", method, _METHODS)
    check_money(money)
    groups = list(dict.fromkeys(carrying.index.get_level_values("group")))
    all_rows = list(dict.fromkeys(carrying.index.get_level_values("bucket")))
    labels = [r for r in all_rows if r != DOUBTFUL]
    table = carrying.reindex(
        pd.MultiIndex.from_product([groups, [*labels, DOUBTFUL]]), fill_value=0
    )
    values = {
        col: table[col].to_numpy(dtype=np.int64).reshape(len(groups), len(labels) + 1)
        for col in ("gross", "provision", "invoices")
    }
    shape = (len(groups), len(labels))
    if exposure is not None:
        columns = ["entered", "loss", "invoices", "roll_entered", "rolled", "roll_invoices"]
        _, _, grid = _parts_grid(exposure, columns, labels, groups)
        num, den = _rate_terms(grid, method)
        _warn_falling(
            ratio(num, den, what="loss rate (no exposure entered the bucket)"), labels, groups
        )
        rate_num = np.asarray(num, dtype=object)
        rate_den = np.where(np.asarray(den > 0, dtype=bool), np.asarray(den, dtype=object), 0)
    elif rates is not None:
        rows = _rate_table(rates, labels, pd.Index(groups, dtype=object), by)
        rate_num, rate_den = _fractions([r for row in rows for r in row], shape)
    else:
        raise InvalidOptionError("give either exposure parts or rates", column="rates")
    factors = _factors(adjustment, labels)
    data, row_labels = _matrix_table(
        values["gross"][:, :-1],
        1,
        values["invoices"][:, :-1],
        rate_num,
        rate_den,
        factors,
        labels,
        (values["gross"][:, -1], values["provision"][:, -1], values["invoices"][:, -1])
        if doubtful
        else None,
        digits,
        money,
    )
    index = pd.MultiIndex.from_product(
        [pd.Index(groups, dtype=object), pd.Index(row_labels, dtype=object)],
        names=["group", "bucket"],
    )
    return pd.DataFrame(data, index=index)


# ----------------------------------------------------------------------------------
# ledger KPIs
# ----------------------------------------------------------------------------------


def _shape_table(
    tables: list[pd.DataFrame], dates: list[date], single: bool, by: str | None
) -> pd.DataFrame:
    """Drop the group level (``by=None``) or name it; stack many dates under ``as_of``."""
    shaped = []
    for t in tables:
        shaped.append(t.droplevel("group") if by is None else t.rename_axis([by, "bucket"]))
    if single:
        return shaped[0]
    keys = pd.DatetimeIndex([pd.Timestamp(d) for d in dates], name="as_of")
    return pd.concat(shaped, keys=keys, names=["as_of"])


def loss_rates(
    ledger: Ledger,
    as_of: Any,
    *,
    method: Method = "cohort",
    buckets: Sequence[int] = _DEFAULT_EDGES,
    default_after: int = 365,
    lookback: int | None = None,
    by: str | None = None,
    money: Money = "float",
) -> pd.DataFrame:
    """Historical credit-loss rates per aging bucket, from the ledger's own payment history.

    The rates of an IFRS 9 provision matrix (B5.5.35): for each aging
    bucket, the share of the balances that entered it in the past which was
    never collected. See the *Expected credit loss (provision matrix)* page of the documentation.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off: only events dated on or before it count. A list
        gives the tables of every date under an outer ``as_of`` level.
    method : {"cohort", "roll_rate"}, default "cohort"
        ``"cohort"``: over the invoices whose default day is past, loss /
        entered per bucket. ``"roll_rate"``: chain the share of each bucket
        rolling into the next, measured on every invoice observed through
        that transition, times the oldest bucket's loss share.
    buckets : sequence of int, default (30, 60, 90)
        Bucket upper bounds in days past due, as :func:`~creditkpi.aging`.
    default_after : int, default 365
        Days past due after which what payments and credit notes have not
        settled is lost (write-offs count as lost). At least the first day of
        the oldest bucket (91 by default).
    lookback : int, optional
        Only observations completed in the last ``lookback`` days (default:
        the whole history).
    by : str, optional
        ``"customer_id"`` or an invoice attribute: rates per group.
    money : {"float", "decimal"}, default "float"
        Money columns as numbers or exact ``Decimal``.

    Returns
    -------
    DataFrame
        Indexed by ``bucket`` (``(by, bucket)`` with ``by``). Cohort method:
        ``entered`` (money that entered the bucket), ``loss`` (the part of it
        lost), ``loss_rate`` (fraction in [0, 1]; lower is better),
        ``invoices`` and ``cohorts`` (invoices and due-date months behind the
        rate). Roll-rate method: ``entered``, ``rolled`` (the part still
        unpaid on entering the next bucket; for the oldest, the loss),
        ``roll_rate``, ``loss_rate``, ``invoices``, ``cohorts``.

    Raises
    ------
    InvalidOptionError
        Unknown ``method``, ``by`` or ``money``; bad ``buckets``,
        ``default_after`` or ``lookback``.

    Warns
    -----
    UndefinedMetricWarning
        A bucket with no exposure: its rate is ``nan``.
    DataQualityWarning
        A rate falls from one bucket to an older one (a real matrix rises
        with age).

    Notes
    -----
    Invoice ``i`` enters bucket ``k`` with its balance at the end of the
    bucket's first day ``f_k`` (the issue date for ``not due``, ``D_i + 1``
    for ``1-30``, ``D_i + 31`` for ``31-60``...); what payments and credit
    notes had not settled by ``D_i + default_after`` is its loss (less any
    write-off already off the balance on entering ``k``).

    Cohort: over invoices with ``D_i + default_after <= T``,
    ``rate_k = Σ loss_k / Σ entered_k`` (pooled by amount).

    Roll rate: ``roll_k = Σ entered_{k+1} / Σ entered_k`` over the invoices
    with ``f_{k+1} <= T``; ``rate_k = Π_{j>=k} roll_j × (Σ loss / Σ entered
    of the oldest bucket)``. On the same invoices with a complete history and
    no write-off before the oldest bucket, both methods give the same rates.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2023-01-01", "2023-01-31", "100.00"),
    ...      ck.Invoice("F2", "C1", "2023-02-01", "2023-03-03", "300.00")],
    ...     [ck.Payment("F1", "2023-03-15", "100.00"),
    ...      ck.Payment("F2", "2023-04-20", "240.00")])
    >>> ck.loss_rates(ledger, "2024-06-30")[["entered", "loss", "loss_rate"]]
             entered  loss  loss_rate
    bucket
    not due    400.0  60.0       0.15
    1-30       400.0  60.0       0.15
    31-60      400.0  60.0       0.15
    61-90       60.0  60.0       1.00
    91+         60.0  60.0       1.00
    """
    check_option("method", method, _METHODS)
    check_money(money)
    edges = _check_edges(buckets)
    check_default_after(default_after, edges)
    check_lookback(lookback)
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    labels = bucket_labels(edges)
    tables = [
        loss_rates_from_parts(
            loss_exposure(
                ledger, d, edges=edges, default_after=default_after, lookback=lookback, by=by
            ),
            method=method,
            digits=ledger._cols.digits,
            money=money,
            labels=labels,
            groups=list(groups.labels),
        )
        for d in dates
    ]
    return _shape_table(tables, dates, single, by)


def _date_rates(rates: Any, when: date) -> Any:
    """The rates for one as-of date: a table with an ``as_of`` level gives its slice."""
    if isinstance(rates, (pd.DataFrame, pd.Series)) and "as_of" in (rates.index.names or []):
        key = pd.Timestamp(when)
        values = rates.index.get_level_values("as_of")
        if key not in values:
            raise InvalidOptionError(
                f"rates hold no rates as of {when}", column="rates", ids=[str(when)]
            )
        return rates.xs(key, level="as_of")
    return rates


def _matrices(
    ledger: Ledger,
    as_of: Any,
    rates: Any,
    adjustment: Any,
    exclude_doubtful: bool,
    buckets: Sequence[int] | None,
    by: str | None,
    money: Money,
) -> tuple[list[pd.DataFrame], list[date], bool]:
    check_money(money)
    if buckets is not None:
        edges = _check_edges(buckets)
    else:
        found = _labels_of(rates)
        edges = _DEFAULT_EDGES if found is None else _edges_of(found)
    labels = bucket_labels(edges)
    _factors(adjustment, labels)  # validate before any computation
    dates, single = as_dates(as_of)
    tables = []
    for d in dates:
        carrying = carrying_amounts(
            ledger, d, edges=edges, exclude_doubtful=exclude_doubtful, by=by
        )
        if rates is None:
            exposure = loss_exposure(ledger, d, edges=edges, by=by)
            given = None
        else:
            exposure, given = None, _date_rates(rates, d)
        tables.append(
            provision_matrix_from_parts(
                carrying,
                exposure=exposure,
                rates=given,
                adjustment=adjustment,
                doubtful=exclude_doubtful,
                digits=ledger._cols.digits,
                money=money,
                by=by,
            )
        )
    return tables, dates, single


def provision_matrix(
    ledger: Ledger,
    as_of: Any,
    *,
    rates: Any = None,
    adjustment: Any = 1.0,
    exclude_doubtful: bool = True,
    buckets: Sequence[int] | None = None,
    by: str | None = None,
    money: Money = "float",
) -> pd.DataFrame:
    """IFRS 9 provision matrix at ``as_of``: gross amount, rates and allowance per aging bucket.

    The table of IFRS 7 paragraph 35N for trade receivables under the
    simplified approach of IFRS 9 (5.5.15, B5.5.35). See the *Expected credit
    loss (provision matrix)* page of the documentation.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list stacks the matrices under an ``as_of`` level.
    rates : mapping, sequence, Series or DataFrame, optional
        Historical loss rates (fractions) per bucket. ``None`` (default):
        :func:`loss_rates` of the ledger at ``as_of`` (cohort method,
        ``default_after=365``, per group with ``by``), used exactly. A
        mapping ``{"not due": 0.003, ...}``, a sequence in bucket order, or a
        :func:`loss_rates` table (its ``loss_rate`` column; per group when
        indexed by ``(group, bucket)``; per date when it has an ``as_of``
        level). Floats are read as the decimal they print as (``0.003`` is
        exactly 3/1000).
    adjustment : number, per-bucket factors, or list of (weight, factor), default 1.0
        Forward-looking adjustment: one factor for every bucket, one per
        bucket (mapping by label or sequence), or weighted scenarios
        ``[(0.6, 1.0), (0.4, 1.5)]`` whose weights sum to 1 (the factor is
        ``Σ w × f``; each ``f`` one number or one per bucket).
    exclude_doubtful : bool, default True
        Leave out of the buckets the invoices classified doubtful with their
        own provision (``ck.Doubtful`` with a provision amount) and show them
        on a ``"doubtful"`` row with that provision as allowance, so nothing
        is provided twice.
    buckets : sequence of int, optional
        Bucket upper bounds in days past due; by default those the ``rates``
        are labelled with, else ``(30, 60, 90)``.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: one matrix per group.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    DataFrame
        Indexed by ``bucket`` (``(by, bucket)`` with ``by``): the buckets,
        ``"doubtful"`` (with ``exclude_doubtful``) and ``"total"``. Columns:
        ``gross`` (gross carrying amount: positive balances at ``as_of``,
        credit balances and unapplied cash excluded), ``rate`` (historical),
        ``adjusted_rate`` (``min(1, rate × factor)``), ``allowance`` (gross ×
        adjusted rate, rounded half up to the minor unit; the doubtful
        row's own provisions; the total of the rows), ``coverage``
        (allowance / gross; the total's is the coverage ratio, lower is
        better) and ``invoices`` (open invoices).

    Raises
    ------
    InvalidOptionError
        Rates or factors not matching the buckets, negative or not numbers;
        scenario weights not summing to 1; unknown ``by`` or ``money``.

    Warns
    -----
    UndefinedMetricWarning
        A bucket without history (rate ``nan``; its allowance is ``nan``
        unless its gross amount is 0), or a group with no gross amount.
    DataQualityWarning
        Computed rates fall from a bucket to an older one.

    Notes
    -----
    ``allowance_k = round(gross_k × min(1, rate_k × factor_k))``;
    ``ECL = Σ_k allowance_k + Σ provisions of the doubtful row``;
    ``coverage = ECL / Σ gross``.

    Examples
    --------
    The illustrative provision matrix of IFRS 9 (IE74-IE77), on a ledger
    whose aged balance is its gross amounts:

    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records([
    ...     ck.Invoice("A", "C1", "2024-12-01", "2025-01-15", "15000000"),
    ...     ck.Invoice("B", "C1", "2024-11-15", "2024-12-15", "7500000"),
    ...     ck.Invoice("C", "C1", "2024-10-15", "2024-11-15", "4000000"),
    ...     ck.Invoice("D", "C1", "2024-09-15", "2024-10-15", "2500000"),
    ...     ck.Invoice("E", "C1", "2024-08-01", "2024-08-31", "1000000")])
    >>> rates = {"not due": 0.003, "1-30": 0.016, "31-60": 0.036, "61-90": 0.066, "91+": 0.106}
    >>> ck.provision_matrix(ledger, "2024-12-31", rates=rates, exclude_doubtful=False)[
    ...     ["gross", "allowance"]]
                  gross  allowance
    bucket
    not due  15000000.0    45000.0
    1-30      7500000.0   120000.0
    31-60     4000000.0   144000.0
    61-90     2500000.0   165000.0
    91+       1000000.0   106000.0
    total    30000000.0   580000.0
    """
    if not isinstance(exclude_doubtful, (bool, np.bool_)):
        raise InvalidOptionError(
            f"exclude_doubtful must be True or False, got {exclude_doubtful!r}",
            column="exclude_doubtful",
        )
    tables, dates, single = _matrices(
        ledger, as_of, rates, adjustment, exclude_doubtful, buckets, by, money
    )
    return _shape_table(tables, dates, single, by)


def _totals(
    ledger: Ledger,
    as_of: Any,
    column: str,
    rates: Any,
    adjustment: Any,
    exclude_doubtful: bool,
    buckets: Sequence[int] | None,
    by: str | None,
    money: Money = "float",
) -> Any:
    check_money(money)
    tables, dates, single = _matrices(
        ledger, as_of, rates, adjustment, exclude_doubtful, buckets, by, "decimal"
    )
    if column == "allowance" and money == "float" and not (single and by is None):
        tables = [t.assign(allowance=t["allowance"].astype(np.float64)) for t in tables]
    values = pd.concat(
        [t.xs(TOTAL, level="bucket")[column].astype(object) for t in tables],
        keys=pd.DatetimeIndex([pd.Timestamp(d) for d in dates], name="as_of"),
    )
    if column != "allowance" or (money == "float" and not (single and by is None)):
        values = values.astype(np.float64)
    out = reshape(values, single=single, by=by)
    if isinstance(out, (float, np.floating)):
        return float(out)
    return out


def expected_credit_loss(
    ledger: Ledger,
    as_of: Any,
    *,
    rates: Any = None,
    adjustment: Any = 1.0,
    exclude_doubtful: bool = True,
    buckets: Sequence[int] | None = None,
    by: str | None = None,
    money: Money = "float",
) -> MoneyResult:
    """Expected credit loss (lifetime, simplified approach): the provision matrix's total allowance.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        A list gives a Series indexed by date.
    rates, adjustment, exclude_doubtful, buckets : optional
        As in :func:`provision_matrix`.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: a Series by group.
    money : {"float", "decimal"}, default "float"
        How a Series or DataFrame carries money (a single value is a ``Decimal``).

    Returns
    -------
    Decimal, Series or DataFrame
        The allowance in the ledger's currency (``NaN`` when a bucket
        holding a balance has no rate).

    Raises
    ------
    InvalidOptionError
        As :func:`provision_matrix`.

    Warns
    -----
    UndefinedMetricWarning
        As :func:`provision_matrix`.

    Notes
    -----
    ``ECL(T) = Σ_k round(gross_k(T) × min(1, rate_k × factor_k))`` plus the
    doubtful invoices' own provisions. See the *Expected credit loss (provision matrix)* page of
    the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-11-01", "2024-11-30", "1000.00")])
    >>> ck.expected_credit_loss(ledger, "2024-12-31", rates=[0.01, 0.02, 0.05, 0.1, 0.5])
    Decimal('50.00')
    """
    total: MoneyResult = _totals(
        ledger, as_of, "allowance", rates, adjustment, exclude_doubtful, buckets, by, money
    )
    return total


def ecl_coverage(
    ledger: Ledger,
    as_of: Any,
    *,
    rates: Any = None,
    adjustment: Any = 1.0,
    exclude_doubtful: bool = True,
    buckets: Sequence[int] | None = None,
    by: str | None = None,
) -> RatioResult:
    """Coverage ratio of the expected credit loss: allowance / gross carrying amount.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
    rates, adjustment, exclude_doubtful, buckets : optional
        As in :func:`provision_matrix`.
    by : str, optional

    Returns
    -------
    float, Series or DataFrame
        A fraction in [0, 1]; lower is better (a safer book). ``nan`` when
        nothing is receivable.

    Raises
    ------
    InvalidOptionError
        As :func:`provision_matrix`.

    Warns
    -----
    UndefinedMetricWarning
        No gross carrying amount, or as :func:`provision_matrix`.

    Notes
    -----
    ``coverage(T) = ECL(T) / Σ gross(T)`` (doubtful row included in both).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-11-01", "2024-11-30", "1000.00"),
    ...      ck.Invoice("F2", "C1", "2024-12-15", "2025-01-14", "1000.00")])
    >>> ck.ecl_coverage(ledger, "2024-12-31", rates=[0.01, 0.02, 0.05, 0.1, 0.5])
    0.03
    """
    coverage: RatioResult = _totals(
        ledger, as_of, "coverage", rates, adjustment, exclude_doubtful, buckets, by
    )
    return coverage


# ----------------------------------------------------------------------------------
# pure formula
# ----------------------------------------------------------------------------------


def formula_provision_matrix(
    balances: Any,
    rates: Any,
    adjustment: Any = 1.0,
    *,
    digits: int = 2,
    money: Money = "float",
) -> pd.DataFrame:
    """The provision matrix arithmetic on plain numbers: gross × adjusted rate = allowance.

    Parameters
    ----------
    balances : mapping or sequence of numbers
        Gross carrying amount per bucket (``>= 0``), keyed by bucket label
        (any labels) or in order.
    rates : mapping or sequence of numbers
        Loss rate (fraction) per bucket, keyed like ``balances`` or in
        order; ``nan`` for none. Floats are read as the decimal they print as.
    adjustment : number, per-bucket factors or [(weight, factor), ...], default 1.0
        As in :func:`provision_matrix`.
    digits : int, default 2
        Allowances are rounded half up to ``10**-digits``.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    DataFrame
        Indexed by ``bucket`` (the labels, or 0, 1, ...) plus ``"total"``;
        columns ``gross``, ``rate``, ``adjusted_rate``, ``allowance``,
        ``coverage``.

    Raises
    ------
    InvalidValueError
        A negative or non-numeric balance.
    InvalidOptionError
        Rates or factors not matching the buckets; scenario weights not
        summing to 1.

    Warns
    -----
    UndefinedMetricWarning
        The balances are all 0 (no coverage ratio).

    Notes
    -----
    ``allowance_k = gross_k × min(1, rate_k × factor)`` and
    ``coverage = Σ allowance / Σ gross``. See the *Expected credit loss (provision matrix)* page of
    the documentation.

    Examples
    --------
    IFRS 9, illustrative example of a provision matrix (IE74-IE77):

    >>> m = formula_provision_matrix(
    ...     {"current": 15_000_000, "1-30": 7_500_000, "31-60": 4_000_000,
    ...      "61-90": 2_500_000, "90+": 1_000_000},
    ...     [0.003, 0.016, 0.036, 0.066, 0.106])
    >>> m["allowance"].tolist()
    [45000.0, 120000.0, 144000.0, 165000.0, 106000.0, 580000.0]
    >>> round(float(m.loc["total", "coverage"]), 6)
    0.019333
    """
    check_money(money)
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 0:
        raise InvalidOptionError(
            f"digits must be a whole number >= 0, got {digits!r}", column="digits"
        )
    if isinstance(balances, pd.Series):
        balances = balances.to_dict()
    if isinstance(balances, Mapping):
        labels: list[object] = list(balances)
        amounts = list(balances.values())
    else:
        amounts = list(balances)
        labels = list(range(len(amounts)))
    gross: list[Fraction] = []
    for label, value in zip(labels, amounts, strict=True):
        f = _decimal_read(value, "balances")
        if f is None or f < 0:
            raise InvalidValueError(
                f"balances must be finite and >= 0 (credit balances are not part of the "
                f"gross carrying amount), got {value!r} for {label!r}",
                column="balances",
            )
        gross.append(f * 10**digits)
    rate_row = [_number(v, "rates", nan=True) for v in _per_bucket(rates, labels, "rates")]
    factors = _factors(adjustment, labels)
    unit = math.lcm(1, *(g.denominator for g in gross))
    rate_num, rate_den = _fractions(rate_row, (1, len(labels)))
    data, row_labels = _matrix_table(
        [int(g * unit) for g in gross],
        unit,
        np.zeros((1, len(labels)), dtype=np.int64),
        rate_num,
        rate_den,
        factors,
        labels,
        None,
        int(digits),
        money,
    )
    del data["invoices"]
    return pd.DataFrame(data, index=pd.Index(row_labels, dtype=object, name="bucket"))


# ----------------------------------------------------------------------------------
# finishers of the registry (one value per group from the additive parts)
# ----------------------------------------------------------------------------------


def _total_row(
    carrying: pd.DataFrame, exposure: pd.DataFrame, groups: Sequence[object], digits: int
) -> pd.DataFrame:
    """The ``total`` row of the provision matrix of each of ``groups`` (rates from the history)."""
    index = pd.Index(list(groups), dtype=object)
    if not len(carrying):
        return pd.DataFrame({"allowance": np.nan, "coverage": np.nan}, index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        matrix = provision_matrix_from_parts(
            carrying, exposure=exposure, digits=digits, money="decimal"
        )
    rows = matrix[matrix.index.get_level_values("bucket") == TOTAL].droplevel("bucket")
    total: pd.DataFrame = rows.reindex(index)
    return total


def formula_expected_credit_loss(
    carrying: pd.DataFrame, exposure: pd.DataFrame, *, groups: Sequence[object], digits: int
) -> npt.NDArray[Any]:
    """Expected credit loss per group, in minor units, from the additive parts.

    ``carrying`` from :func:`creditkpi.core.exposure.carrying_amounts`,
    ``exposure`` from :func:`creditkpi.core.exposure.loss_exposure` (or sums
    of them over disjoint customers); rates from the history, no adjustment.
    The registry's finisher of ``expected_credit_loss``.

    Returns
    -------
    ndarray of object
        One value per group in ``groups`` order: int minor units, or ``nan``
        where a bucket holding a balance has no rate (or the group has no
        row in the matrix).
    """
    total = _total_row(carrying, exposure, groups, digits)
    out = np.full(len(groups), np.nan, dtype=object)
    for k, value in enumerate(total["allowance"].tolist()):
        if isinstance(value, Decimal) and value.is_finite():
            out[k] = int(value.scaleb(digits))
    return out


def formula_ecl_coverage(
    carrying: pd.DataFrame, exposure: pd.DataFrame, *, groups: Sequence[object], digits: int
) -> npt.NDArray[np.float64]:
    """Coverage ratio (allowance / gross carrying amount) per group, from the additive parts.

    The registry's finisher of ``ecl_coverage`` (see
    :func:`formula_expected_credit_loss`).
    """
    total = _total_row(carrying, exposure, groups, digits)
    return np.asarray(total["coverage"].astype(np.float64).to_numpy(), dtype=np.float64)
