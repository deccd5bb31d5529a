"""Group codes for a ``by=`` argument: the whole book, per customer, per invoice attribute,
or per combination of several (``by=["country", "customer_id"]``).

A grouping by several columns has one group per combination that occurs
(as pandas' ``groupby`` with ``observed=True``); inside the library each
label is a :class:`GroupKey` (one hashable, ordered value, so the parts and
tables hold it as they hold a single label: pandas would turn tuples into
index levels), and the results are indexed by a ``MultiIndex`` named after
the columns (:func:`group_index`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError, MixedCurrencyError
from creditkpi.core.ledger import Ledger
from creditkpi.core.money import CURRENCIES

__all__ = [
    "UNASSIGNED",
    "By",
    "GroupKey",
    "Groups",
    "by_key",
    "by_names",
    "group_codes",
    "group_index",
    "item_groups",
    "sorted_labels",
]

#: a ``by=`` argument: none, one column, or a list of columns
By: TypeAlias = "str | Sequence[str] | None"

IntArray = npt.NDArray[np.int64]

#: the group of a settlement whose customer's invoices span several attribute values
UNASSIGNED = "(unassigned)"


def _order(value: object) -> tuple[bool, str, object]:
    """A sort key for one label of any type (missing last; mixed types by type name)."""
    missing = value is None or (isinstance(value, float) and value != value)
    return (missing, type(value).__name__, None if missing else value)


class GroupKey:
    """The label of a group of several ``by`` columns: their values, one per column.

    Hashable and ordered (column by column, missing values last), shown as
    ``FR / C1``; :func:`group_index` turns a grouping's keys into the
    result's ``MultiIndex``.

    Examples
    --------
    >>> key = GroupKey(("FR", "C1"))
    >>> key, key.values, key == GroupKey(("FR", "C1")), key < GroupKey(("FR", "C2"))
    (GroupKey('FR', 'C1'), ('FR', 'C1'), True, True)
    """

    __slots__ = ("values",)

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = tuple(values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GroupKey) and self.values == other.values

    def __hash__(self) -> int:
        return hash(("GroupKey", self.values))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, GroupKey):
            return NotImplemented
        mine = [_order(v) for v in self.values]
        theirs = [_order(v) for v in other.values]
        try:
            return mine < theirs
        except TypeError:
            return [str(k) for k in mine] < [str(k) for k in theirs]

    def __str__(self) -> str:
        return " / ".join(str(v) for v in self.values)

    def __repr__(self) -> str:
        return f"GroupKey({', '.join(repr(v) for v in self.values)})"


@dataclass(frozen=True, slots=True)
class Groups:
    """Group codes for a ``by=`` argument.

    Attributes
    ----------
    name : str or tuple of str
        The grouping column (``"all"`` when not grouped), or the columns of
        a grouping by several (a tuple).
    labels : pandas.Index
        Group labels; code ``k`` is ``labels[k]`` (a :class:`GroupKey` per
        combination when grouped by several columns).
    invoice : ndarray of int64
        Group code of each invoice.
    settlement : ndarray of int64
        Group code of each settlement (unapplied cash: its customer's group).
    """

    name: str | tuple[str, ...]
    labels: pd.Index
    invoice: IntArray
    settlement: IntArray
    #: per group, the decimal places of its currency's minor unit, where the
    #: groups of a ledger of several currencies (not translated) each hold one
    #: currency (``None``: every group in the ledger's currency)
    digits: tuple[int, ...] | None = None

    @property
    def size(self) -> int:
        """Number of groups."""
        return len(self.labels)


def sorted_labels(labels: list[Any]) -> tuple[IntArray, list[Any]]:
    """Sort group labels so results never depend on the order rows arrive in.

    Returns ``rank`` (old code -> new code) and the sorted labels; missing
    labels sort last; labels of mixed types sort by their text.
    """
    index = pd.Index(labels, dtype=object)
    try:
        order = np.asarray(index.argsort(), dtype=np.int64)
    except TypeError:
        text = pd.Index([str(v) for v in labels], dtype=object)
        order = np.asarray(text.argsort(), dtype=np.int64)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels), dtype=np.int64)
    return rank, [labels[i] for i in order]


def by_key(by: object) -> str | tuple[str, ...] | None:
    """A ``by=`` argument as a cache key: ``None``, one name, or a tuple of two or more.

    A list of one column is that column (as pandas groups by it); an empty
    list, a repeated column or anything but text is refused.

    Examples
    --------
    >>> by_key(None), by_key("country"), by_key(["country"]), by_key(["country", "segment"])
    (None, 'country', 'country', ('country', 'segment'))
    """
    if by is None or isinstance(by, str):
        return by
    if not isinstance(by, (list, tuple, pd.Index)) or isinstance(by, pd.MultiIndex):
        raise InvalidOptionError(
            f"by must be a column name or a list of them, got {by!r}", column="by"
        )
    names = list(by)
    if not names or not all(isinstance(n, str) for n in names):
        raise InvalidOptionError(f"by must list one or more column names, got {by!r}", column="by")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidOptionError(
            f"by lists {', '.join(repr(n) for n in repeated)} more than once", column="by"
        )
    return names[0] if len(names) == 1 else tuple(names)


def by_names(by: object) -> list[str]:
    """The column names of a ``by=`` argument (``[]`` without one)."""
    key = by_key(by)
    if key is None:
        return []
    return [key] if isinstance(key, str) else list(key)


def group_index(labels: pd.Index, by: object) -> pd.Index:
    """Group labels as a result's index: named after ``by``; a ``MultiIndex`` for several columns.

    Examples
    --------
    >>> group_index(pd.Index([GroupKey(("DE", "A")), GroupKey(("FR", "B"))]), ["country", "customer_id"])
    MultiIndex([('DE', 'A'),
                ('FR', 'B')],
               names=['country', 'customer_id'])
    """
    names = by_names(by)
    if len(names) > 1:
        tuples = [k.values if isinstance(k, GroupKey) else tuple(k) for k in labels]
        if not tuples:
            return pd.MultiIndex.from_arrays([[] for _ in names], names=names)
        return pd.MultiIndex.from_tuples(tuples, names=names)
    return labels.rename(names[0] if names else None)


def group_codes(ledger: Ledger, by: By) -> Groups:
    """Group codes of invoices and settlements for ``by`` (``None``: one group "all").

    Unapplied cash, which has no invoice, takes its customer's group; when
    ``by`` is an attribute that is not constant across a customer's
    invoices, it goes to the group ``"(unassigned)"``. ``by="currency"``
    groups by transaction currency (unapplied cash by its own). A list of
    columns groups by their combinations that occur (each column as alone,
    so unapplied cash takes its customer's value in each).

    The one rule of a ledger of several currencies that is not translated:
    money is summed only within one currency, so a grouping works when each
    of its groups holds one currency (``by="currency"``, ``by="customer_id"``
    when each customer bills in one currency, or a list holding either),
    every money figure in its group's currency; a grouping that would add two
    currencies raises.

    Raises
    ------
    InvalidOptionError
        ``by`` is neither ``"customer_id"``, ``"currency"`` nor an invoice
        attribute, or a list of them.
    MixedCurrencyError
        A group of ``by`` (the whole book for ``None``) holds two currencies
        of a ledger that is not translated.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "B", "2024-01-01", "2024-01-31", "1", attrs={"country": "FR"}),
    ...      ck.Invoice("F2", "A", "2024-01-01", "2024-01-31", "1", attrs={"country": "DE"})])
    >>> g = group_codes(ledger, "customer_id")
    >>> list(g.labels), g.invoice.tolist()
    (['A', 'B'], [1, 0])
    >>> list(group_codes(ledger, ["country", "customer_id"]).labels)
    [GroupKey('DE', 'A'), GroupKey('FR', 'B')]
    """
    key = by_key(by)
    cache = ledger._cols.group_cache
    if key in cache:
        found: Groups = cache[key]
        return found
    groups = _group_codes(ledger, key) if not isinstance(key, tuple) else _combined(ledger, key)
    if ledger._cols.per_item_currency:
        groups = _one_currency_each(ledger, groups)
    cache[key] = groups  # groups are immutable and the ledger never changes
    return groups


def item_groups(ledger: Ledger, by: By) -> Groups:
    """The groups of ``by`` for a table of items, one row each (the open items, the claims).

    As :func:`group_codes`, without its one rule of a ledger of several
    currencies: a row is one item, in its own currency, and adds nothing
    to another; a group may hold several currencies. What such a table
    sums over a group (a customer's exposure, a total per group) takes
    :func:`group_codes` and its rule.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-01-01", "2024-01-31", "1", currency="USD"),
    ...      ck.Invoice("F2", "A", "2024-01-01", "2024-01-31", "1", currency="EUR")])
    >>> list(item_groups(ledger, None).labels), item_groups(ledger, None).digits
    (['all'], None)
    """
    key = by_key(by)
    if not ledger._cols.per_item_currency:
        return group_codes(ledger, key)
    return _group_codes(ledger, key) if not isinstance(key, tuple) else _combined(ledger, key)


def _one_currency_each(ledger: Ledger, groups: Groups) -> Groups:
    """``groups`` with each group's minor unit, when each group holds one currency; else raise."""
    c = ledger._cols
    k = len(c.currencies)
    pairs = np.unique(
        np.concatenate(
            [
                groups.invoice * k + c.invoice_currency.astype(np.int64),
                groups.settlement * k + c.settlement_currency.astype(np.int64),
            ]
        )
    )
    group, currency = pairs // k, pairs % k
    counts = np.bincount(group, minlength=groups.size)
    mixed = np.flatnonzero(counts > 1)
    if mixed.size:
        first = int(mixed[0])
        held = [c.currencies[int(x)] for x in currency[group == first]]
        where = "the book" if groups.name == "all" else f"group {groups.labels[first]!r}"
        raise MixedCurrencyError(
            f"{where} holds {len(held)} currencies ({', '.join(held)}): amounts in different "
            "currencies cannot be added",
            column="currency",
            ids=[str(groups.labels[int(g)]) for g in mixed[:5]],
            count=int(mixed.size),
            values=held,
            hint="translate the ledger into one currency (ledger.translate('EUR', rates)), or "
            "compute per currency (by='currency')",
        )
    own = np.full(groups.size, c.digits, dtype=np.int64)
    own[group] = [CURRENCIES[c.currencies[int(x)]] for x in currency]
    return replace(groups, digits=tuple(int(d) for d in own))


def _combined(ledger: Ledger, names: tuple[str, ...]) -> Groups:
    """The groups of several columns: the combinations occurring among invoices and settlements."""
    # each column's codes before the one-currency rule, which applies to the combinations
    cache = ledger._cols.group_cache
    parts = [cache[name] if name in cache else _group_codes(ledger, name) for name in names]
    n = ledger._cols.n_invoices
    codes = np.column_stack([np.concatenate([g.invoice, g.settlement]) for g in parts]).astype(
        np.int64
    )
    if codes.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Groups(names, pd.Index([], dtype=object), empty, empty.copy())
    # each column's codes are sorted labels: the unique rows come out in sorted order
    combos, inverse = np.unique(codes, axis=0, return_inverse=True)
    inverse = np.asarray(inverse, dtype=np.int64).reshape(-1)
    keys = [
        GroupKey(tuple(g.labels[int(c)] for g, c in zip(parts, row, strict=True)))
        for row in combos.tolist()
    ]
    return Groups(names, pd.Index(keys, dtype=object), inverse[:n], inverse[n:])


def _group_codes(ledger: Ledger, by: By) -> Groups:
    c = ledger._cols
    n, m = c.n_invoices, c.n_settlements
    if by is None:
        return Groups("all", pd.Index(["all"]), np.zeros(n, np.int64), np.zeros(m, np.int64))
    if by == "currency" and "currency" not in c.attrs.columns:
        return Groups(
            "currency",
            pd.Index(list(c.currencies), name="currency", dtype=object),
            c.invoice_currency.astype(np.int64),
            c.settlement_currency.astype(np.int64),
        )
    if by in ("customer_id", "customer"):
        rank, labels = sorted_labels(list(c.customer_labels))
        # unapplied cash (invoice -1) reads a spare slot: safe on a ledger without invoices
        invoice_customer = np.append(c.customer, -1)[c.settlement_invoice]
        sgroup = np.where(c.settlement_invoice >= 0, invoice_customer, c.settlement_customer)
        return Groups(
            "customer_id",
            pd.Index(labels, name="customer_id", dtype=object),
            rank[c.customer],
            rank[sgroup],
        )
    if isinstance(by, str) and by not in c.attrs.columns and n == 0:
        # no invoice, so no attribute: unapplied cash of customers without invoices
        labels = [UNASSIGNED] if m else []
        return Groups(
            by,
            pd.Index(labels, name=by, dtype=object),
            np.zeros(0, np.int64),
            np.zeros(m, np.int64),
        )
    if not isinstance(by, str) or by not in c.attrs.columns:
        raise InvalidOptionError(
            f"by must be one of {', '.join(ledger.attributes)}, got {by!r}", column="by"
        )
    raw, uniques = pd.factorize(c.attrs[by], use_na_sentinel=False)
    rank, labels = sorted_labels(list(uniques))
    codes = rank[raw.astype(np.int64)]
    sgroup = np.empty(m, dtype=np.int64)
    applied = c.settlement_invoice >= 0
    sgroup[applied] = codes[c.settlement_invoice[applied]]
    if (~applied).any():
        # customer -> its attribute, when constant across its invoices
        ncust = len(c.customer_labels)
        lo = np.full(ncust, np.iinfo(np.int64).max, dtype=np.int64)
        hi = np.full(ncust, -1, dtype=np.int64)
        np.minimum.at(lo, c.customer, codes)
        np.maximum.at(hi, c.customer, codes)
        cust_code = np.where((lo == hi) & (hi >= 0), hi, -1)
        sg = cust_code[c.settlement_customer[~applied]]
        if (sg < 0).any():
            labels.append(UNASSIGNED)
            sg = np.where(sg < 0, len(labels) - 1, sg)
        sgroup[~applied] = sg
    return Groups(by, pd.Index(labels, name=by), codes, sgroup)
