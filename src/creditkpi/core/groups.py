"""Group codes for a ``by=`` argument: the whole book, per customer or per invoice attribute."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError, MixedCurrencyError
from creditkpi.core.ledger import Ledger
from creditkpi.core.money import CURRENCIES

__all__ = ["UNASSIGNED", "Groups", "group_codes", "sorted_labels"]

IntArray = npt.NDArray[np.int64]

#: the group of a settlement whose customer's invoices span several attribute values
UNASSIGNED = "(unassigned)"


@dataclass(frozen=True, slots=True)
class Groups:
    """Group codes for a ``by=`` argument.

    Attributes
    ----------
    name : str
        The grouping column (``"all"`` when not grouped).
    labels : pandas.Index
        Group labels; code ``k`` is ``labels[k]``.
    invoice : ndarray of int64
        Group code of each invoice.
    settlement : ndarray of int64
        Group code of each settlement (unapplied cash: its customer's group).
    """

    name: str
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


def group_codes(ledger: Ledger, by: str | None) -> Groups:
    """Group codes of invoices and settlements for ``by`` (``None``: one group "all").

    Unapplied cash, which has no invoice, takes its customer's group; when
    ``by`` is an attribute that is not constant across a customer's
    invoices, it goes to the group ``"(unassigned)"``. ``by="currency"``
    groups by transaction currency (unapplied cash by its own).

    The one rule of a ledger of several currencies that is not translated:
    money is summed only within one currency, so a grouping works when each
    of its groups holds one currency (``by="currency"``, or ``by="customer_id"``
    when each customer bills in one currency), every money figure in its
    group's currency; a grouping that would add two currencies raises.

    Raises
    ------
    InvalidOptionError
        ``by`` is neither ``"customer_id"``, ``"currency"`` nor an invoice attribute.
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
    """
    cache = ledger._cols.group_cache
    if isinstance(by, str | None) and by in cache:
        found: Groups = cache[by]
        return found
    groups = _group_codes(ledger, by)
    if ledger._cols.per_item_currency:
        groups = _one_currency_each(ledger, groups)
    if isinstance(by, str | None):
        cache[by] = groups  # groups are immutable and the ledger never changes
    return groups


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


def _group_codes(ledger: Ledger, by: str | None) -> Groups:
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
