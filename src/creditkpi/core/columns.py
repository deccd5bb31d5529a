"""The ledger's columns: what the builders validate and the engine reads.

:class:`Columns` holds invoices and their settlements as numpy columns: dates
as integer day numbers (days since 1970-01-01) and money as integer minor
units (cents), so every sum is exact and vectorised. The ingest builders fill
one and :class:`~creditkpi.Ledger` wraps it; only the core reads it. Beside
it: the optional inputs a ledger may hold (:data:`INPUTS`), the "never" day
(:data:`NO_END`) and the one threshold of the float64 fast paths
(:func:`float_sums_exact`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.money import CURRENCIES, cents_array_to_decimal, cents_to_decimal
from creditkpi.core.records import CREDIT_NOTE, PAYMENT, SETTLEMENT_KINDS, WRITE_OFF

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.core.ingest.ids import IdColumn

__all__ = [
    "CREDIT_NOTE",
    "FLOAT_SUMS_EXACT_BELOW",
    "INPUTS",
    "NO_END",
    "PAYMENT",
    "SETTLEMENT_KINDS",
    "WRITE_OFF",
    "Columns",
    "Input",
    "counted",
    "float_sums_exact",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: a day number later than any real date ("never", e.g. an unresolved dispute)
NO_END = 2**40

#: a total of absolute amounts below this bound keeps every float64 partial sum exact
#: (2**53 / 4: room for the differences and sums the engine takes of them)
FLOAT_SUMS_EXACT_BELOW = 2**51

#: the (shared, read-only) empty columns of an optional input that was not given
_NONE_INT: IntArray = np.zeros(0, dtype=np.int64)
_NONE_INT.flags.writeable = False
_NONE_TEXT: npt.NDArray[Any] = np.zeros(0, dtype=object)
_NONE_TEXT.flags.writeable = False


@dataclass(frozen=True)
class Input:
    """An optional input of a ledger (beyond invoices and settlements).

    Attributes
    ----------
    name : str
        Its name, as KPI specs list it in ``requires``.
    column : str
        The :class:`Columns` field whose rows hold it (empty: not given).
    note : str or None
        What the dashboard says when it is missing (``None``: nothing).
    """

    name: str
    column: str
    note: str | None = None


#: the optional inputs a ledger may hold, by name (``Ledger.inputs`` says which it has)
INPUTS: Mapping[str, Input] = MappingProxyType(
    {
        i.name: i
        for i in (
            Input(
                "disputes",
                "dispute_invoice",
                "no dispute data: dispute rate and reasons are left out",
            ),
            Input(
                "doubtful",
                "doubtful_invoice",
                "no doubtful classifications: doubtful receivables, bad debt to sales and the "
                "provision rate are left out",
            ),
            Input(
                "statuses",
                "status_invoice",
                "no dunning statuses: receivables by dunning status are left out",
            ),
            # a translation at closing rates of items in another currency: exchange differences
            Input("fx", "fx_items"),
            Input(
                "limits",
                "limit_customer",
                "no credit limits: over-limit exposure and limit utilisation are left out",
            ),
            Input(
                "cover",
                "cover_customer",
                "no credit-insurance cover: covered exposure and cover at risk are left out",
            ),
        )
    }
)


def float_sums_exact(total: float) -> bool:
    """Whether sums of amounts whose absolute values total ``total`` minor units are exact in float64.

    The one threshold of the engine's float64 fast paths (:attr:`Columns.exact_float`).
    ``total`` may be a float estimate of the total (a sum in float64): a
    margin of one part in 10**9 below the bound covers its rounding.

    Examples
    --------
    >>> float_sums_exact(10**15), float_sums_exact(2**51)
    (True, False)
    """
    return total < FLOAT_SUMS_EXACT_BELOW * (1 - 1e-9)


class Columns:
    """The ledger's columns (internal: read by the core's engine and parts).

    ``n`` invoices in input order, ``m`` settlements sorted by date.

    Attributes
    ----------
    customer : ndarray of int64
        Customer code of each invoice (index into ``customer_labels``).
    customer_labels : ndarray of object
        Customer ids as text (invoice customers first, then customers only
        seen in unapplied cash).
    issue, due : ndarray of int64
        Issue and due day numbers.
    amount : ndarray of int64
        Invoice amounts in minor units.
    settled : ndarray of int64
        Per invoice, the sum of its settlements of every kind.
    attrs : DataFrame
        The extra invoice columns (grouping attributes).
    settlement_invoice : ndarray of int64
        Invoice position of each settlement, -1 for unapplied cash.
    settlement_customer, settlement_date, settlement_amount, settlement_row : ndarray of int64
        Customer code, day number, amount (minor units, > 0) and input row.
    settlement_kind : ndarray of int8
        :data:`PAYMENT`, :data:`CREDIT_NOTE` or :data:`WRITE_OFF`.
    settlement_days_past_due, settlement_age_days : ndarray of int32
        Each settlement's date minus its invoice's due date, and minus its
        issue date (0 for unapplied cash).
    settlement_posted : ndarray of int64 or None
        The day each settlement was posted, where the inputs give application
        dates (``applied``): ``settlement_date`` is then the day it settles
        its invoice, and from ``settlement_posted`` until the day before it,
        the customer's unapplied credit. ``None`` (the default) when every
        settlement applies on its date.
    settled_before_issue : ndarray of int64
        Positions of the settlements dated before their invoice's issue date.
    dispute_invoice, dispute_opened, dispute_resolved, dispute_reason
        Disputes: invoice position, opening and resolution days (``NO_END``
        while open) and reason text.
    status_invoice, status_date, status_label
        Dunning status events, sorted by invoice then date.
    doubtful_invoice, doubtful_date, doubtful_provision
        Doubtful classifications; provision in minor units (-1 when none).
    currency : str
    digits : int
        Decimal places of the currency's minor unit.
    currencies : tuple of str
        The transaction currencies of the items (sorted; one for most ledgers).
    invoice_currency, settlement_currency : ndarray of int16
        Each invoice's and each settlement's transaction currency (index into
        ``currencies``; a settlement applied to an invoice is in its invoice's).
    per_item_currency : bool
        Whether the money columns hold each item in its own transaction
        currency (a ledger of several currencies, not translated): amounts
        are then whole minor units of the finest currency (``digits``, the
        most decimal places of ``currencies``), so that sums within one
        currency stay exact and shape with one scale. ``currency`` then
        joins the codes (``"EUR+USD"``).
    translation : Translation or None
        On a ledger translated at closing rates
        (:meth:`Ledger.translate`), what gives its columns at each as-of
        date's rates (:func:`creditkpi.core.fx.translate.closing_view`); the
        money columns themselves hold each invoice at its issue date's rate
        (its historical amount) and ``settlement_flow`` each settlement at its
        own date's rate.
    settlement_flow : ndarray of int64 or None
        Each settlement's amount as a flow (translated at its date's rate),
        where it differs from ``settlement_amount``; ``None`` otherwise.
    native : Columns or None
        On translated columns, the columns they were translated from: the
        days an invoice is settled are read there (a balance too small to
        show in the reporting currency is still open).
    fx_items : ndarray of int64
        On a ledger translated at closing rates, the invoices whose
        transaction currency is not the reporting currency (those with
        exchange differences); empty otherwise.
    limit_customer, limit_date, limit_amount
        Credit limits (:class:`~creditkpi.CreditLimit`): customer code, first
        day, amount in minor units; sorted by customer then day.
    cover_customer, cover_start, cover_end, cover_amount, cover_share, cover_declare, cover_insurer
        Credit-insurance covers (:class:`~creditkpi.Cover`): customer code,
        first and last day (``NO_END`` when open), amount in minor units,
        share in millionths (900000 = 90 %), declaration deadline in days
        after the due date (-1: none) and insurer; sorted by customer, start.
    """

    id_source: IdColumn | None
    ids: npt.NDArray[Any] | None
    customer: IntArray
    customer_labels: npt.NDArray[Any]
    issue: IntArray
    due: IntArray
    amount: IntArray
    settled: IntArray
    attrs: pd.DataFrame
    settlement_invoice: IntArray
    settlement_customer: IntArray
    settlement_date: IntArray
    settlement_amount: IntArray
    settlement_kind: npt.NDArray[np.int8]
    settlement_row: IntArray
    settlement_days_past_due: npt.NDArray[np.int32]
    settlement_age_days: npt.NDArray[np.int32]
    settlement_posted: IntArray | None = None
    settled_before_issue: IntArray
    dispute_invoice: IntArray
    dispute_opened: IntArray
    dispute_resolved: IntArray
    dispute_reason: npt.NDArray[Any]
    status_invoice: IntArray
    status_date: IntArray
    status_label: npt.NDArray[Any]
    doubtful_invoice: IntArray
    doubtful_date: IntArray
    doubtful_provision: IntArray
    currency: str
    digits: int
    #: whether every partial sum of amounts is an integer float64 holds exactly
    #: (:func:`float_sums_exact` of the total, set by the builder that checked it)
    exact_float: bool
    #: the groupings of :func:`creditkpi.core.groups.group_codes`, by ``by``
    #: (computed once: the columns never change)
    group_cache: dict[Any, Any]
    currencies: tuple[str, ...]
    invoice_currency: npt.NDArray[np.int16]
    settlement_currency: npt.NDArray[np.int16]
    per_item_currency: bool = False
    translation: Any = None
    settlement_flow: IntArray | None = None
    native: Columns | None = None
    fx_items: IntArray
    # credit limits and insurance cover (core.ingest.limits; empty when not given)
    limit_customer: IntArray = _NONE_INT
    limit_date: IntArray = _NONE_INT
    limit_amount: IntArray = _NONE_INT
    cover_customer: IntArray = _NONE_INT
    cover_start: IntArray = _NONE_INT
    cover_end: IntArray = _NONE_INT
    cover_amount: IntArray = _NONE_INT
    cover_share: IntArray = _NONE_INT
    cover_declare: IntArray = _NONE_INT
    cover_insurer: npt.NDArray[Any] = _NONE_TEXT

    def __init__(self) -> None:
        self.exact_float = False
        self.group_cache = {}
        self.fx_items = np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ ids
    @property
    def invoice_ids(self) -> npt.NDArray[Any]:
        """Invoice ids as text (object array), in input order.

        Built on first use from the ids as they were read (numbers or Arrow
        strings), so that ingestion never creates millions of Python strings.
        """
        ids = self.ids
        if ids is None:
            assert self.id_source is not None
            ids = self.id_source.objects()
            self.ids = ids
            self.id_source = None
        return ids

    @property
    def n_invoices(self) -> int:
        return int(self.amount.shape[0])

    @property
    def currency_steps(self) -> IntArray:
        """Per transaction currency, the ledger's minor units in one of its own.

        Amounts are held in minor units of the finest currency (``digits``):
        beside euros a yen is 100 of them, a euro cent 1. Dividing an
        amount by its currency's step gives it in that currency's own units.
        """
        return np.asarray(
            [10 ** (self.digits - CURRENCIES[x]) for x in self.currencies], dtype=np.int64
        )

    @property
    def n_settlements(self) -> int:
        return int(self.settlement_date.shape[0])

    # ------------------------------------------------------------------ derived, cached

    @functools.cached_property
    def float_view(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], IntArray]:
        """Columns prepared once for the engine's float64 fast paths.

        ``(amount, settlement_amount, settlement_bin)``: amounts as float64
        (exact integers while :attr:`exact_float`), and each settlement's
        invoice position with unapplied cash sent to a spare bin ``n`` so a
        ``bincount`` needs no mask.
        """
        n = self.n_invoices
        s_bin = np.where(self.settlement_invoice >= 0, self.settlement_invoice, n).astype(np.int64)
        return self.amount.astype(np.float64), self.settlement_amount.astype(np.float64), s_bin

    @functools.cached_property
    def closing_days(self) -> tuple[IntArray, IntArray]:
        """Per invoice, the first day its settlements reach its amount and the
        first day they exceed it (``NO_END`` when never).

        Settlements are positive, so the balance only falls: an invoice settled
        exactly closes on its last settlement's day (one ``maximum.at``);
        only the rare overpaid invoices need their settlements in order.
        Settlements dated before the issue count from the issue. Translated
        columns read them from the columns they were translated from.
        """
        if self.native is not None:
            return self.native.closing_days
        n = self.n_invoices
        closed = np.full(n, NO_END, dtype=np.int64)
        over = np.full(n, NO_END, dtype=np.int64)
        applied = self.settlement_invoice >= 0
        inv = self.settlement_invoice[applied]
        exact = np.flatnonzero(self.settled == self.amount)
        if exact.size:
            last = np.full(n, -1, dtype=np.int64)
            np.maximum.at(last, inv, self.settlement_date[applied])
            closed[exact] = np.maximum(last[exact], self.issue[exact])
        overpaid = np.flatnonzero(self.settled > self.amount)
        if overpaid.size:
            closed[overpaid], over[overpaid] = self.reaching_days(overpaid)
        closed.flags.writeable = False  # cached: shared by every caller
        over.flags.writeable = False
        return closed, over

    def reaching_days(
        self, invoices: IntArray, kinds: Sequence[int] | None = None
    ) -> tuple[IntArray, IntArray]:
        """For ``invoices`` (positions), the first day their settlements (of
        ``kinds``, all by default) reach the amount and the first day they
        exceed it (``NO_END`` when never), by sorting those settlements.
        """
        if self.native is not None:
            return self.native.reaching_days(invoices, kinds)
        n = self.n_invoices
        chosen = np.zeros(n + 1, dtype=bool)
        chosen[invoices] = True
        applied = chosen[self.settlement_invoice]  # unapplied cash (-1) reads the spare slot
        if kinds is not None:
            applied &= np.isin(self.settlement_kind, np.asarray(kinds, dtype=np.int8))
        inv = self.settlement_invoice[applied]
        day = np.maximum(self.settlement_date[applied], self.issue[inv])
        amt = self.settlement_amount[applied]
        # settlements are sorted by date and max(date, issue) keeps that order
        # within an invoice, so a stable sort by invoice gives (invoice, day) order
        order = np.argsort(inv, kind="stable")
        inv, day, amt = inv[order], day[order], amt[order]
        cum = np.cumsum(amt)
        starts = np.searchsorted(inv, np.arange(n), side="left")
        before = np.concatenate([[0], cum])[starts]
        paid = cum - before[inv]
        due = self.amount[inv]
        out = []
        for reached in (paid >= due, paid > due):
            first_day = np.full(n, NO_END, dtype=np.int64)
            hit = np.flatnonzero(reached)
            if hit.size:
                hit_inv = inv[hit]
                first = np.concatenate([[True], hit_inv[1:] != hit_inv[:-1]])
                first_day[hit_inv[first]] = day[hit[first]]
            out.append(first_day[invoices])
        return out[0], out[1]

    def bin_sum(self, index: IntArray, weights: npt.NDArray[Any], size: int) -> IntArray:
        """Exact ``bincount`` of integer-valued ``weights`` into ``size`` bins.

        Float64 bincount is exact while totals stay below 2**53 minor units
        (checked once per ledger); beyond, an integer ``np.add.at`` is used.
        Float64 weights (:attr:`float_view`) are used without a copy.
        """
        if self.exact_float:
            w = weights.astype(np.float64, copy=False)
            out = np.bincount(index, weights=w, minlength=size)
            return np.rint(out).astype(np.int64)
        acc = np.zeros(size, dtype=np.int64)
        np.add.at(acc, index, weights)
        return acc

    def money(self, cents: int | np.integer[Any]) -> Decimal:
        """``Decimal`` amount of integer minor units, in the ledger's currency."""
        return cents_to_decimal(int(cents), self.digits)

    def money_list(self, cents: Iterable[int]) -> list[Decimal]:
        """``Decimal`` amounts of many integer minor-unit values."""
        return cents_array_to_decimal(cents, self.digits)

    @property
    def first_day(self) -> int | None:
        """Day number of the earliest event (issue or settlement), ``None`` if empty."""
        posted = self.settlement_posted if self.settlement_posted is not None else self.issue[:0]
        days = [a.min() for a in (self.issue, self.settlement_date, posted) if a.size]
        return int(min(days)) if days else None

    @property
    def last_day(self) -> int | None:
        """Day number of the latest event (issue or settlement), ``None`` if empty."""
        days = [a.max() for a in (self.issue, self.settlement_date) if a.size]
        return int(max(days)) if days else None


def counted(*counts: tuple[int, str], thousands: str = "") -> str:
    """``"2 invoices, 1 settlement"``: each count with its noun, singular for one."""
    return ", ".join(f"{n:{thousands}} {word}{'' if n == 1 else 's'}" for n, word in counts)
