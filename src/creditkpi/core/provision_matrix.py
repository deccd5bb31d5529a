"""The provision matrix's arithmetic: rates and factors read exactly, allowances rounded once.

The building blocks of :func:`creditkpi.provision_matrix` and
:func:`creditkpi.formula_provision_matrix`:

* :func:`read_factors` -- the forward-looking adjustment: one factor, one per
  bucket, or scenario-weighted ``Σ w_s f_s``;
* :func:`read_rates` -- loss rates given by the user (a mapping, a sequence,
  a Series or a :func:`creditkpi.loss_rates` table), per group;
* :func:`allowance_table` -- per group and bucket, ``allowance = gross ×
  min(1, rate × factor)`` rounded half up to the minor unit, exactly, with
  the doubtful row and the total.

Rates and factors given as floats are read as the decimal they print as
(``0.003`` is ``3/1000``). Money stays in integer minor units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError, InvalidValueError
from creditkpi.core.exposure import DOUBTFUL
from creditkpi.core.groups import By
from creditkpi.core.loss_history import bucket_key
from creditkpi.core.ratios import exact, ratio, warn_undefined

__all__ = [
    "TOTAL",
    "allowance_table",
    "fractions",
    "matrix_of_numbers",
    "per_bucket",
    "rate_labels",
    "rates_at",
    "read_decimal",
    "read_factors",
    "read_number",
    "read_rates",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: the total row of a provision matrix
TOTAL = "total"

#: tolerance on the sum of scenario weights (they are often typed as 0.3, 0.5, 0.2)
_WEIGHT_TOLERANCE = Fraction(1, 10**9)


def read_decimal(value: Any, name: str) -> Fraction | None:
    """A number as an exact fraction, a float read as the decimal it prints as (``None``: not finite).

    Raises
    ------
    InvalidValueError
        ``value`` is not a number.
    """
    if isinstance(value, (float, np.floating)):
        return Fraction(Decimal(repr(float(value)))) if math.isfinite(value) else None
    return exact(value, name)


def read_number(value: Any, name: str, *, nan: bool = False) -> Fraction | None:
    """A rate or factor as an exact fraction; floats are read as the decimal they print as.

    ``0.003`` is ``3/1000``, not its binary neighbour; ``nan`` gives ``None``
    when ``nan`` is allowed.
    """
    try:
        out = read_decimal(value, name)
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


def per_bucket(values: Any, labels: Sequence[object], name: str) -> list[Any]:
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


def read_factors(adjustment: Any, labels: Sequence[object]) -> list[Fraction]:
    """The forward-looking factor of each bucket: ``Σ w_s f_s`` over the scenarios.

    ``adjustment`` is one factor, a factor per bucket (mapping or sequence), or
    a list of ``(weight, factor)`` scenarios whose weights sum to 1 (each
    factor one number or one per bucket).
    """
    name = "adjustment"
    nb = len(labels)

    def one(value: Any) -> list[Fraction]:
        if isinstance(value, (int, float, Decimal, Fraction, np.integer, np.floating)):
            f = read_number(value, name)
            assert f is not None
            return [f] * nb
        out = []
        for v in per_bucket(value, labels, name):
            f = read_number(v, name)
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
        w = read_number(weight, name)
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


def read_rates(
    rates: Any, labels: Sequence[object], group_labels: pd.Index, by: By
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
            table[group] = per_bucket(part.droplevel(0), labels, name)
        missing = [g for g in group_labels if g not in table]
        if missing:
            raise InvalidOptionError(
                f"rates have no rates for {len(missing)} group(s) of {by!r}",
                column=name,
                ids=[str(g) for g in missing],
            )
        read = {g: [read_number(v, name, nan=True) for v in row] for g, row in table.items()}
        return [read[g] for g in group_labels]
    row = [read_number(v, name, nan=True) for v in per_bucket(rates, labels, name)]
    return [row] * len(group_labels)


def rate_labels(rates: Any) -> list[object] | None:
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
        return sorted(keys, key=bucket_key)
    except (ValueError, IndexError):
        return keys


def rates_at(rates: Any, when: date) -> Any:
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


def fractions(values: Sequence[Fraction | None], shape: tuple[int, ...]) -> tuple[Any, Any]:
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


def allowance_table(
    gross: Any,
    unit: int,
    invoices: IntArray,
    rate_num: Any,
    rate_den: Any,
    factors: Sequence[Fraction],
    labels: Sequence[object],
    doubtful: tuple[IntArray, IntArray, IntArray] | None,
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
    # money in minor units: ints, fractions of a minor unit (unit > 1), None where unknown
    if unit == 1:
        gross_cells: Any = all_gross.reshape(-1).astype(np.int64)
    else:
        gross_cells = np.asarray(
            [Fraction(int(g), unit) for g in all_gross.reshape(-1)], dtype=object
        )
    if flat_unknown.any() or unit != 1:
        allowance_cells: Any = np.asarray(
            [None if u else int(a) for a, u in zip(flat_allowance, flat_unknown, strict=True)],
            dtype=object,
        )
    else:
        allowance_cells = flat_allowance.astype(np.int64)
    data = {
        "gross": gross_cells,
        "rate": rate.reshape(-1),
        "adjusted_rate": adjusted.reshape(-1),
        "allowance": allowance_cells,
        "coverage": coverage.reshape(-1),
        "invoices": all_invoices.reshape(-1),
    }
    row_labels = [*labels, *([DOUBTFUL] if doubtful is not None else []), TOTAL]
    return data, row_labels


def matrix_of_numbers(balances: Any, rates: Any, adjustment: Any, digits: int) -> pd.DataFrame:
    """The provision matrix of plain numbers (gross per bucket, rates, factors), money in minor units.

    The arithmetic of :func:`creditkpi.formula_provision_matrix`: balances
    keyed by bucket label (any labels) or in order, ``>= 0``; rates keyed
    alike or in order (``nan`` for none); the adjustment as
    :func:`read_factors` reads it; allowances rounded half up to
    ``10**-digits``.
    """
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
        f = read_decimal(value, "balances")
        if f is None or f < 0:
            raise InvalidValueError(
                f"balances must be finite and >= 0 (credit balances are not part of the "
                f"gross carrying amount), got {value!r} for {label!r}",
                column="balances",
            )
        gross.append(f * 10**digits)
    rate_row = [read_number(v, "rates", nan=True) for v in per_bucket(rates, labels, "rates")]
    factors = read_factors(adjustment, labels)
    unit = math.lcm(1, *(g.denominator for g in gross))
    rate_num, rate_den = fractions(rate_row, (1, len(labels)))
    data, row_labels = allowance_table(
        [int(g * unit) for g in gross],
        unit,
        np.zeros((1, len(labels)), dtype=np.int64),
        rate_num,
        rate_den,
        factors,
        labels,
        None,
    )
    del data["invoices"]
    return pd.DataFrame(data, index=pd.Index(row_labels, dtype=object, name="bucket"))
