"""The validated, columnar :class:`Ledger`: the container and its public views.

A ledger holds invoices and their settlements as numpy columns: dates as
integer day numbers (days since 1970-01-01) and money as integer minor units
(cents), so every sum is exact and vectorised. Reading and validating inputs
(records, dataframes, one-table exports) is :mod:`creditkpi.core.ingest`'s
job; the ``Ledger`` classmethods delegate to it. The columns themselves are
private (:class:`Columns`, read by the core's engine and parts); a user sees
the ledger through its views (:attr:`Ledger.invoices`, :attr:`Ledger.settlements`)
and through the KPI functions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.money import cents_array_to_decimal, cents_to_decimal
from creditkpi.core.period import from_day
from creditkpi.core.records import CREDIT_NOTE, PAYMENT, SETTLEMENT_KINDS, WRITE_OFF
from creditkpi.core.validation import ValidationReport

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.core.fx.rates import Rates
    from creditkpi.core.fx.translate import TranslationInfo
    from creditkpi.core.ingest.columns import ColumnMap
    from creditkpi.core.ingest.ids import IdColumn
    from creditkpi.core.records import (
        Cover,
        CreditLimit,
        Dispute,
        Doubtful,
        Invoice,
        Payment,
        StatusEvent,
    )

__all__ = [
    "CREDIT_NOTE",
    "INPUTS",
    "NO_END",
    "PAYMENT",
    "WRITE_OFF",
    "Columns",
    "Input",
    "Ledger",
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


class Ledger:
    """Invoices and settlements as validated, exact columns.

    Build one with :meth:`from_records`, :meth:`from_frames` or
    :meth:`from_invoice_table`; never call the constructor directly. Read it
    through the KPI functions, or through its views :attr:`invoices` and
    :attr:`settlements` (canonical DataFrames).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00"),
    ...      ck.Invoice("F2", "ACME", "2024-04-02", "2024-05-02", "500.00")],
    ...     [ck.Payment("F1", "2024-04-10", "400.00")],
    ... )
    >>> ledger
    Ledger(2 invoices, 1 settlement, 1 customer, EUR, 2024-03-01..2024-04-10)
    >>> ck.receivables(ledger, "2024-04-30")
    1100.0
    """

    __slots__ = ("_cols", "report")

    _cols: Columns
    report: ValidationReport

    def __init__(self) -> None:  # pragma: no cover - use the classmethods
        raise TypeError(
            "build a Ledger with Ledger.from_records, from_frames or from_invoice_table"
        )

    @classmethod
    def _wrap(cls, cols: Columns, report: ValidationReport) -> Ledger:
        """A ledger around validated columns (what the ingest builders call)."""
        self = object.__new__(cls)
        self._cols = cols
        self.report = report
        return self

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_records(
        cls,
        invoices: Iterable[Invoice],
        payments: Iterable[Payment] = (),
        disputes: Iterable[Dispute] = (),
        statuses: Iterable[StatusEvent] = (),
        doubtful: Iterable[Doubtful] = (),
        *,
        unknown_invoices: Literal["error", "unapplied"] = "error",
        limits: Iterable[CreditLimit] = (),
        cover: Iterable[Cover] = (),
    ) -> Ledger:
        """Build a ledger from typed records.

        Parameters
        ----------
        invoices : iterable of Invoice
        payments : iterable of Payment, optional
            Payments, credit notes and write-offs (``Payment.kind``).
        disputes : iterable of Dispute, optional
        statuses : iterable of StatusEvent, optional
            Dunning status events.
        doubtful : iterable of Doubtful, optional
            Doubtful classifications (créances douteuses).
        unknown_invoices : {"error", "unapplied"}, default "error"
            What a payment for an unknown invoice is: an error, or unapplied
            cash of its ``customer``.
        limits : iterable of CreditLimit, optional
            Credit limits per customer, dated (a limit history).
        cover : iterable of Cover, optional
            Credit-insurance covers per customer (see the *Limits and
            cover* page).

        Returns
        -------
        Ledger

        Raises
        ------
        CreditKPIError
            On any bad-input rule (see :mod:`creditkpi.core.errors`).

        Notes
        -----
        Records read their own fields when they are made (text amounts with
        ``.`` as the decimal mark, text dates in ISO or a layout the value
        itself settles), so this builder takes no ``decimal=`` or
        ``date_format=``: for text in other layouts, build a table and use
        :meth:`from_frames`.

        Examples
        --------
        >>> import creditkpi as ck
        >>> ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "C1", "2024-01-05", "2024-02-04", "99.90")]
        ... ).n_invoices
        1
        """
        from creditkpi.core.ingest import build

        return build.from_records(
            cls,
            invoices,
            payments,
            disputes,
            statuses,
            doubtful,
            unknown_invoices=unknown_invoices,
            limits=limits,
            cover=cover,
        )

    @classmethod
    def from_frames(
        cls,
        invoices: Any,
        payments: Any = None,
        disputes: Any = None,
        statuses: Any = None,
        doubtful: Any = None,
        *,
        columns: ColumnMap | None = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        unknown_invoices: Literal["error", "unapplied"] = "error",
        limits: Any = None,
        cover: Any = None,
    ) -> Ledger:
        """Build a ledger from dataframes (pandas, polars or pyarrow).

        Canonical columns (map yours with ``columns``):

        - invoices: ``invoice_id, customer_id, issue_date, due_date, amount``
          [``currency``]; any other column becomes a grouping attribute;
        - payments: ``invoice_id, date, amount`` [``kind``, ``customer_id``,
          ``currency``, ``applied``]; an empty ``invoice_id`` with a
          ``customer_id`` is unapplied cash; ``kind`` defaults to
          ``"payment"``; ``applied`` is the day a settlement posted on
          ``date`` settles its invoice (empty: ``date``; meanwhile it is the
          customer's unapplied credit, its cash counted on ``date``);
        - disputes: ``invoice_id, opened`` [``resolved``, ``reason``];
        - statuses: ``invoice_id, date, status``;
        - doubtful: ``invoice_id, date`` [``provision``];
        - limits: ``customer_id, date, amount`` (each limit applies from its
          date on);
        - cover: ``customer_id, start, amount`` [``end``, ``share`` (default
          0.9), ``declare_within`` (days after the due date), ``insurer``].

        Parameters
        ----------
        invoices, payments, disputes, statuses, doubtful : dataframe
            pandas, polars or pyarrow tables (anything narwhals reads).
            Invoices alone beside a column that looks like a settlement date
            (a one-row-per-invoice export read the wrong way) raise
            ``no-settlements-read``: read them with :meth:`from_invoice_table`,
            or pass ``payments=[]`` when there really are none.
        columns : mapping, optional
            ``{"canonical": "theirs"}`` for every table, or
            ``{"payments": {"date": "paid_on"}, ...}`` per table. A key that is
            not a canonical name, or a mapped column that is not there, is an
            error.
        date_format : str, optional
            ``strptime`` format of text dates (e.g. ``"%d/%m/%Y"``; ISO dates
            are read too), ``"%Y%m%d"`` to read YYYYMMDD numbers, or
            ``"excel"`` for Excel serial days. Without it, text dates are read
            in ISO and in the common layouts, day-first or month-first as a
            value proves (see the *Concepts* page of the documentation).
        decimal : {".", ","}, optional
            Decimal mark of text amounts. Default: ``.``, with plain,
            non-breaking or narrow non-breaking spaces grouping thousands;
            ``","`` reads ``1 234,56`` and ``1.234,56``; ``"."`` also lets
            commas group thousands (``1,234.56``).
        unknown_invoices : {"error", "unapplied"}, default "error"
            A payment for an unknown invoice: an error, or unapplied cash.
        limits, cover : dataframe, optional
            Credit limits and credit-insurance covers per customer (or
            :class:`~creditkpi.CreditLimit` / :class:`~creditkpi.Cover`
            records); see the *Limits and cover* page.

        Returns
        -------
        Ledger

        Raises
        ------
        CreditKPIError
            On any bad-input rule; the message names the rule, the column, the
            first ids and values, and the option that fixes it.

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> inv = pd.DataFrame({"number": ["F1", "F2"], "customer_id": ["A", "B"],
        ...     "issue_date": ["2024-04-01", "2024-04-03"],
        ...     "due_date": ["2024-05-01", "2024-05-03"], "amount": [120.0, 80.5]})
        >>> pay = pd.DataFrame({"number": ["F1"], "date": ["2024-04-20"], "amount": [20.0]})
        >>> ledger = ck.Ledger.from_frames(inv, pay, columns={"invoice_id": "number"})
        >>> ck.receivables(ledger, "2024-04-30")
        180.5
        """
        from creditkpi.core.ingest import build

        return build.from_frames(
            cls,
            invoices,
            payments,
            disputes,
            statuses,
            doubtful,
            columns=columns,
            date_format=date_format,
            decimal=decimal,
            unknown_invoices=unknown_invoices,
            limits=limits,
            cover=cover,
        )

    @classmethod
    def from_invoice_table(
        cls,
        frame: Any,
        *,
        settled_date: str = "settled_date",
        disputed: str | None = None,
        columns: ColumnMap | None = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        currency: str | None = None,
        limits: Any = None,
        cover: Any = None,
    ) -> Ledger:
        """Build a ledger from one row per invoice with the date it was settled.

        The shape of many ERP exports: each invoice is paid in full on
        ``settled_date`` (empty = still open). A truthy ``disputed`` column
        (yes/no, true/false, 1/0) means disputed from issue until settled.

        Parameters
        ----------
        frame : dataframe
            Invoice columns (see :meth:`from_frames`) plus the settled date.
        settled_date : str, default "settled_date"
            Column holding the settlement date.
        disputed : str, optional
            Column flagging disputed invoices.
        columns : mapping, optional
            ``{"canonical": "theirs"}`` for the invoice columns.
        date_format : str, optional
            Layout of text dates (see :meth:`from_frames`).
        decimal : {".", ","}, optional
            Decimal mark of text amounts (see :meth:`from_frames`).
        currency : str, optional
            The column holding each invoice's ISO 4217 currency (default: a
            ``currency`` column when there is one), or one code for every
            invoice (default EUR). See the *Several currencies* page.
        limits, cover : dataframe, optional
            Credit limits and credit-insurance covers (see :meth:`from_frames`).

        Returns
        -------
        Ledger

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> erp = pd.DataFrame({"invoice_id": ["F1", "F2"], "customer_id": ["A", "A"],
        ...     "issue_date": ["2024-01-02", "2024-01-20"], "due_date": ["2024-02-01", "2024-02-19"],
        ...     "amount": [100.0, 50.0], "settled_date": ["2024-02-10", None]})
        >>> ck.receivables(ck.Ledger.from_invoice_table(erp), "2024-02-28")
        50.0
        """
        from creditkpi.core.ingest import build

        return build.from_invoice_table(
            cls,
            frame,
            settled_date=settled_date,
            disputed=disputed,
            columns=columns,
            date_format=date_format,
            decimal=decimal,
            currency=currency,
            limits=limits,
            cover=cover,
        )

    @classmethod
    def from_sql(
        cls,
        connection: Any,
        *,
        invoices: str | Sequence[str],
        payments: str | Sequence[str] | None = None,
        disputes: str | Sequence[str] | None = None,
        statuses: str | Sequence[str] | None = None,
        doubtful: str | Sequence[str] | None = None,
        columns: ColumnMap | None = None,
        params: Mapping[str, Any] | None = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        unknown_invoices: Literal["error", "unapplied"] = "error",
    ) -> Ledger:
        """Build a ledger from tables or queries of a database, read straight into Arrow.

        The tables have the columns of :meth:`from_frames` (map yours with
        ``columns``, or rename them in a query); every check and error is
        the one :meth:`from_frames` gives the same rows. See the *Reading
        from a database* page of the documentation.

        Parameters
        ----------
        connection : connection or str
            An ADBC connection (``adbc_driver_postgresql``,
            ``adbc_driver_sqlite``, ... : Arrow end to end), a DuckDB
            connection, a SQLAlchemy ``Engine`` or ``Connection``, any DB-API
            connection (``sqlite3``, ``psycopg``, ...), or a
            ``postgresql://``, ``sqlite:///path`` or ``duckdb:///path`` URI
            (opened and closed here; the ``postgresql``, ``sqlite`` and
            ``duckdb`` extras install the drivers).
        invoices, payments, disputes, statuses, doubtful : str or tuple of str
            A table name (``"invoices"``, ``"erp.invoices"`` or
            ``("erp", "invoices")``; quoted as identifiers, never pasted into
            SQL as they are) or a query (text starting with ``SELECT``,
            ``WITH``, ``VALUES`` or ``(``).
        columns : mapping, optional
            ``{"canonical": "theirs"}``, as for :meth:`from_frames`.
        params : mapping, optional
            ``{"invoices": parameters, ...}``: the parameters of a table's
            query, bound by the driver in its own placeholder style (``$1``
            for ADBC PostgreSQL, ``?`` for SQLite and DuckDB, ``%s`` for
            psycopg, ``:name`` with a mapping through SQLAlchemy).
        date_format, decimal, unknown_invoices
            As for :meth:`from_frames` (text dates and amounts, payments of
            unknown invoices).

        Returns
        -------
        Ledger

        Raises
        ------
        CreditKPIError
            On any bad-input rule, as :meth:`from_frames`.
        TypeError
            If ``connection`` is none of the above.

        Examples
        --------
        >>> import sqlite3, creditkpi as ck
        >>> db = sqlite3.connect(":memory:")
        >>> _ = db.executescript('''
        ...     CREATE TABLE invoices (invoice_id TEXT, customer_id TEXT, issue_date DATE,
        ...                            due_date DATE, amount NUMERIC);
        ...     INSERT INTO invoices VALUES ('F1', 'A', '2024-04-01', '2024-05-01', 120.00),
        ...                                 ('F2', 'B', '2024-04-03', '2024-05-03', 80.50);
        ...     CREATE TABLE receipts (invoice TEXT, paid_on DATE, amount NUMERIC);
        ...     INSERT INTO receipts VALUES ('F1', '2024-04-20', 20.00);''')
        >>> ledger = ck.Ledger.from_sql(db, invoices="invoices",
        ...     payments="SELECT invoice AS invoice_id, paid_on AS date, amount FROM receipts")
        >>> ck.receivables(ledger, "2024-04-30")
        180.5
        """
        from creditkpi.core.ingest import sql

        return sql.from_sql(
            cls, connection, invoices=invoices, payments=payments, disputes=disputes,
            statuses=statuses, doubtful=doubtful, columns=columns, params=params,
            date_format=date_format, decimal=decimal, unknown_invoices=unknown_invoices,
        )  # fmt: skip

    @classmethod
    def from_parquet(
        cls,
        invoices: Any,
        payments: Any = None,
        disputes: Any = None,
        statuses: Any = None,
        doubtful: Any = None,
        *,
        columns: ColumnMap | None = None,
        attributes: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        partitioning: str | None = "hive",
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        unknown_invoices: Literal["error", "unapplied"] = "error",
    ) -> Ledger:
        """Build a ledger from Parquet files or datasets, reading only what it needs.

        Parameters
        ----------
        invoices, payments, disputes, statuses, doubtful : path, list of paths or dataset
            A Parquet file, a directory of files (Hive-partitioned, e.g.
            ``part=3/``, or not), a list of files, or a
            :class:`pyarrow.dataset.Dataset`. A directory holding
            ``invoices`` and ``payments`` (files ``invoices.parquet`` or
            directories ``invoices/``), and optionally ``disputes``,
            ``statuses``, ``doubtful``, given alone as ``invoices``, is read
            as the whole book.
        columns : mapping, optional
            ``{"canonical": "theirs"}``, as for :meth:`from_frames`.
        attributes : list of str, optional
            The invoice columns to read besides the canonical ones (the
            grouping attributes). Default: every column of the invoices
            (partition columns included); the other tables are read for
            their canonical columns only.
        filters : mapping, optional
            ``{"invoices": filter, ...}``, each a :mod:`pyarrow.compute`
            expression (``pc.field("country") == "FR"``) or the
            ``[(column, op, value), ...]`` list of
            :func:`pyarrow.parquet.read_table`, pushed down into the scan.
            The payments of an invoice filtered out refer to an unknown
            invoice (an error): filter the tables alike, e.g. on a customer
            or partition column both carry.
        partitioning : {"hive", None}, default "hive"
            How directory names are read as columns (pyarrow's
            ``partitioning=``).
        date_format, decimal, unknown_invoices
            As for :meth:`from_frames`.

        Returns
        -------
        Ledger

        Raises
        ------
        UnreadableFileError
            A path that does not exist or is not Parquet.
        CreditKPIError
            On any bad-input rule, as :meth:`from_frames`.

        Examples
        --------
        >>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq, creditkpi as ck
        >>> book = pathlib.Path(tempfile.mkdtemp())
        >>> pq.write_table(pa.table({"invoice_id": ["F1", "F2"], "customer_id": ["A", "B"],
        ...     "issue_date": ["2024-04-01", "2024-04-03"], "due_date": ["2024-05-01", "2024-05-03"],
        ...     "amount": [120.0, 80.5], "country": ["FR", "DE"]}), book / "invoices.parquet")
        >>> pq.write_table(pa.table({"invoice_id": ["F1"], "date": ["2024-04-20"],
        ...     "amount": [20.0]}), book / "payments.parquet")
        >>> ck.receivables(ck.Ledger.from_parquet(book), "2024-04-30")
        180.5
        >>> french = ck.Ledger.from_parquet(book, filters={"invoices": [("country", "=", "FR")]})
        >>> french.n_invoices, ck.receivables(french, "2024-04-30")
        (1, 100.0)
        """
        from creditkpi.core.ingest import parquet

        return parquet.from_parquet(
            cls, invoices, payments, disputes, statuses, doubtful, columns=columns,
            attributes=attributes, filters=filters, partitioning=partitioning,
            date_format=date_format, decimal=decimal, unknown_invoices=unknown_invoices,
        )  # fmt: skip

    @classmethod
    def from_gl_lines(
        cls,
        frame: Any,
        *,
        columns: Mapping[str, str] | None = None,
        match: str = "match",
        match_date: str | None = None,
        terms: int | Mapping[str, int] = 30,
        due_dates: Any = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
        currency: str = "EUR",
    ) -> Ledger:
        """Build a ledger from customer line items with a matching or clearing reference.

        The general form of an accounting system's customer sub-ledger: one
        row per entry line on a customer account (a general-ledger or
        SAP-style line-item export, Odoo journal items), with the reference
        that ties payments to the invoices they settle (lettering, clearing
        document, matching number). :meth:`from_fec` is this with the French
        FEC's columns and rules. See the *From your accounting system* page
        of the documentation.

        Canonical columns (map yours with ``columns``): ``customer_id``,
        ``document_id`` (the invoice id of a debit line), ``date``, and either
        ``debit`` and ``credit`` or one signed ``amount`` (positive = debit);
        optional ``due_date``, ``kind`` (of credit lines: ``payment``,
        ``credit_note``, ``write_off``; default payment), ``currency`` is not
        read (pass ``currency=``). Any other column becomes an invoice
        attribute (``by=``).

        Parameters
        ----------
        frame : dataframe
            The customer lines (pandas, polars or pyarrow).
        columns : mapping, optional
            ``{"canonical": "theirs"}``, e.g. ``{"customer_id": "Customer",
            "document_id": "DocumentNo", "date": "PostingDate"}``.
        match : str, default "match"
            Column of the matching (clearing, lettering) reference; empty =
            not matched.
        match_date : str, optional
            Column of the date the match was made (SAP's clearing date): the
            application date. When given, a credit settles its invoices from
            it (never before its own ``date``) and is its customer's
            unapplied credit until then, its cash counted on its ``date``;
            otherwise it settles them on its ``date``.
        terms : int or mapping, default 30
            Days from issue to due date for lines without ``due_date`` (one
            number, or ``{customer: days}``).
        due_dates : mapping or Series, optional
            ``{invoice_id: date}``: due dates that override ``terms``.
        date_format : str, optional
            Layout of text dates (see :meth:`from_frames`).
        decimal : {".", ","}, optional
            Decimal mark of text amounts (see :meth:`from_frames`).
        currency : str, default "EUR"
            ISO 4217 code of the amounts.

        Returns
        -------
        Ledger
            One invoice per debit line; credits applied within each
            (customer, match) group in date order, oldest invoice first; what
            a credit has left, and every unmatched credit, is unapplied cash
            of its customer.

        Raises
        ------
        CreditKPIError
            ``missing-column`` (a required or mapped column is absent),
            ``debit-and-credit`` (a line with both), and every rule of
            :meth:`from_frames` (e.g. ``duplicate-invoice-id``).

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> lines = pd.DataFrame({
        ...     "customer_id": ["C1", "C1", "C1", "C1"],
        ...     "document_id": ["F1", "F2", "PAY1", "PAY2"],
        ...     "date": ["2024-01-10", "2024-01-20", "2024-02-15", "2024-02-20"],
        ...     "debit": ["100.00", "50.00", "", ""],
        ...     "credit": ["", "", "120.00", "10.00"],
        ...     "match": ["A", "A", "A", None]})
        >>> ledger = ck.Ledger.from_gl_lines(lines, terms=30)
        >>> ledger.settlements[["invoice_id", "customer_id", "amount"]]
          invoice_id customer_id amount
        0         F1          C1 100.00
        1         F2          C1  20.00
        2       None          C1  10.00
        >>> ck.receivables(ledger, "2024-02-29")
        30.0
        """
        from creditkpi.core.ingest import gl

        read = gl.from_gl_lines(
            frame,
            columns=columns,
            match=match,
            match_date=match_date,
            terms=terms,
            due_dates=due_dates,
            date_format=date_format,
            decimal=decimal,
            currency=currency,
        )
        ledger = cls.from_frames(read.invoices, read.payments, doubtful=read.doubtful)
        read.tell(ledger.report)
        return ledger

    @classmethod
    def from_fec(
        cls,
        source: Any,
        *,
        accounts: Sequence[str] = ("411", "416"),
        terms: int | Mapping[str, int] = 30,
        due_dates: Any = None,
        journals: Mapping[str, str] | None = None,
        sep: str | None = None,
        encoding: str | None = None,
        decimal: Literal[".", ","] | None = None,
        date_format: str | None = "%Y%m%d",
        currency: str = "EUR",
        applied: Literal["posting", "lettering"] = "posting",
        amounts: Literal["booked", "transaction"] = "booked",
    ) -> Ledger:
        """Build a ledger from a French FEC (*Fichier des Écritures Comptables*).

        Reads the customer sub-ledger of one FEC, of several (consecutive
        fiscal years, in any order), or of a frame already read: the lines
        on ``accounts`` (customer ``CompAuxNum``, or the account number where
        it is empty). A debit is an invoice (id ``PieceRef``, or
        ``EcritureNum`` where ``PieceRef`` is empty or ``-``; issued at
        ``PieceDate``, else ``EcritureDate``); a credit is a settlement dated
        at ``EcritureDate``, applied through the lettering (``EcritureLet``)
        as :meth:`from_gl_lines` applies a matching reference: oldest invoice
        first, leftovers and unlettered credits are unapplied cash. See the
        *From your accounting system* page of the documentation for every
        rule.

        Parameters
        ----------
        source : str, Path, dataframe or list of them
            FEC file(s) (tab or ``|`` separated, UTF-8 with or without byte
            order mark or ISO 8859-15, decimal comma, ``AAAAMMJJ`` dates), or
            frames with the 18 columns.
        accounts : sequence of str, default ("411", "416")
            Prefixes of the customer accounts. ``416…`` holds doubtful
            customers (*clients douteux ou litigieux*).
        terms : int or mapping, default 30
            Days from issue to due date (an FEC has no due date): one number,
            or ``{customer: days}``. 30 days is the French legal default
            when no term is agreed (article L441-10 of the Code de commerce).
        due_dates : mapping or Series, optional
            ``{invoice_id: date}``, overriding ``terms``.
        journals : mapping, optional
            ``{journal code: kind}`` with kinds ``"sales"``, ``"bank"``,
            ``"cash"``, ``"write_off"``, ``"opening"``, ``"misc"``; codes not
            given are read from their start (``VT``/``VE``/``VEN`` sales,
            ``BQ``/``BAN``/``BNK`` bank, ``CA``/``CAI`` cash,
            ``AN``/``RAN``/``ANO``/``OUV`` opening entries, ``OD`` misc).
        sep : str, optional
            Separator (guessed among tab and ``|``).
        encoding : str, optional
            Text encoding (default: UTF-8, else ISO 8859-15).
        decimal : {".", ","}, optional
            Decimal mark of ``Debit``/``Credit`` (default: ``,`` when an
            amount holds a comma).
        date_format : str, default "%Y%m%d"
            Layout of the dates (``AAAAMMJJ`` in the format).
        currency : str, default "EUR"
            The accounting currency of ``Debit``/``Credit``.
        applied : {"posting", "lettering"}, default "posting"
            When a credit settles its invoices: the day it was posted
            (``EcritureDate``), or the day it was lettered (``DateLet``),
            being the customer's unapplied credit meanwhile.
        amounts : {"booked", "transaction"}, default "booked"
            ``"booked"``: every line at its ``Debit``/``Credit`` (one currency,
            ``currency``); ``"transaction"``: a line whose ``Idevise`` names
            another currency at its ``Montantdevise`` in that currency (a
            ledger of several currencies, to :meth:`translate`).

        Returns
        -------
        Ledger
            A customer credit is a write-off when its entry has a line on
            ``654…``, a payment when on ``51…``/``53…`` (bank, cash), a credit
            note when on ``70…``/``4457…`` (sales, VAT); otherwise its journal
            decides (sales: credit note; write_off: write-off; else payment).
            A transfer from ``411…`` to ``416…`` settles nothing: the invoices
            its credit letters get a doubtful classification dated at the
            entry, with the ``491…`` provision whose ``PieceRef`` is the
            invoice (or whose ``CompAuxNum`` is a customer with one doubtful
            invoice). Each file is a fiscal year and a lettering code ties
            lines within one year; the opening entries of a year whose
            earlier year is read carry its open items (one line per item, or
            one per customer: the customer's items, oldest due first) and are
            not counted again.

        Raises
        ------
        CreditKPIError
            ``missing-fec-column`` (one of the 18 columns is missing),
            ``unbalanced-entry`` (an entry's debits differ from its credits),
            ``debit-and-credit`` (a line with both), ``unreadable-file``, and
            every rule of :meth:`from_frames`.

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> from creditkpi.core.ingest.fec import FEC_COLUMNS
        >>> rows = [  # an invoice, then a payment lettered A with it
        ...     ["VT", "Ventes", "1", "20240105", "411000", "Clients", "C1", "Client 1",
        ...      "F1", "20240105", "Facture F1", "120,00", "0,00", "A", "20240210",
        ...      "20240105", "", ""],
        ...     ["VT", "Ventes", "1", "20240105", "706000", "Services", "", "",
        ...      "F1", "20240105", "Facture F1", "0,00", "120,00", "", "", "20240105", "", ""],
        ...     ["BQ", "Banque", "2", "20240210", "512000", "Banque", "", "",
        ...      "V1", "20240210", "Virement", "100,00", "0,00", "", "", "20240210", "", ""],
        ...     ["BQ", "Banque", "2", "20240210", "411000", "Clients", "C1", "Client 1",
        ...      "V1", "20240210", "Virement", "0,00", "100,00", "A", "20240210",
        ...      "20240210", "", ""]]
        >>> ledger = ck.Ledger.from_fec(pd.DataFrame(rows, columns=FEC_COLUMNS))
        >>> ledger
        Ledger(1 invoice, 1 settlement, 1 customer, EUR, 2024-01-05..2024-02-10)
        >>> ck.receivables(ledger, "2024-02-29")
        20.0
        """
        from creditkpi.core.ingest import fec

        read = fec.from_fec(
            source,
            accounts=accounts,
            terms=terms,
            due_dates=due_dates,
            journals=journals,
            sep=sep,
            encoding=encoding,
            decimal=decimal,
            date_format=date_format,
            currency=currency,
            applied=applied,
            amounts=amounts,
        )
        ledger = cls.from_frames(read.invoices, read.payments, doubtful=read.doubtful)
        read.tell(ledger.report)
        return ledger

    def with_credit(
        self,
        limits: Any = None,
        cover: Any = None,
        *,
        columns: ColumnMap | None = None,
        date_format: str | None = None,
        decimal: Literal[".", ","] | None = None,
    ) -> Ledger:
        """This ledger with credit limits and/or insurance cover (replacing those it holds).

        For ledgers read from accounting files (:meth:`from_fec`,
        :meth:`from_gl_lines`), or limits that arrive later; the builders
        take ``limits=`` and ``cover=`` too. The ledger itself is unchanged.

        Parameters
        ----------
        limits, cover : dataframe or records, optional
            As for :meth:`from_frames` (``None``: keep what the ledger holds).
        columns, date_format, decimal
            As for :meth:`from_frames`.

        Examples
        --------
        >>> import creditkpi as ck
        >>> ledger = ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00")])
        >>> sorted(ledger.with_credit(limits=[ck.CreditLimit("ACME", "2024-01-01", "500")]).inputs)
        ['limits']
        """
        from creditkpi.core.ingest.limits import with_credit

        return with_credit(
            self, limits, cover, columns=columns, date_format=date_format, decimal=decimal
        )

    # ------------------------------------------------------------------ currencies
    def translate(
        self,
        to: str,
        rates: Rates,
        *,
        method: Literal["closing", "constant"] = "closing",
        at: date | str | None = None,
    ) -> Ledger:
        """The ledger in the reporting currency ``to`` (IAS 21): every KPI works on it.

        Every amount is translated **per item and rounded half up** to
        ``to``'s minor unit (ties away from zero), so every total is the sum
        of its items and stays additive over customers and partitions. See
        the *Several currencies* page of the documentation.

        Parameters
        ----------
        to : str
            The reporting currency (ISO 4217).
        rates : Rates
            Dated rates (:meth:`creditkpi.Rates.from_frame`,
            :meth:`creditkpi.Rates.ecb`), with a rate for every transaction
            currency and for ``to`` (unless it is their base).
        method : {"closing", "constant"}, default "closing"
            ``"closing"``: flows (sales, cash, credit notes, write-offs) at
            the rate of their own date (IAS 21.21), positions at an as-of date
            T (receivables, aging, overdue, disputed, unapplied, doubtful,
            provisions, every table at T) per open item at the closing rate
            of T (IAS 21.23). ``"constant"``: every amount at one set of
            rates, those of ``at`` (or, without ``at``, each currency's latest
            rate of ``rates``: a table of budget rates), so that a move of a
            rate is not read as a change of the book.
        at : date or str, optional
            The date of the constant rates (``method="constant"`` only).

        Returns
        -------
        Ledger
            In ``to``; ``translation`` says how it was made. ``by="currency"``
            still groups it by transaction currency.

        Raises
        ------
        CreditKPIError
            ``invalid-option`` (``to``, ``method``, ``at``, ``rates``, a ledger
            already translated); ``missing-rate`` / ``stale-rate``: a currency
            without a rate on or before a date the translation needs, or only
            one older than the rates' ``max_gap`` (the message names the
            currency and the date).

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> ledger = ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "US1", "2024-01-15", "2024-02-14", "1000.00", currency="USD")],
        ...     [ck.Payment("F1", "2024-02-15", "400.00")])
        >>> rates = ck.Rates.from_frame(pd.DataFrame({
        ...     "date": ["2024-01-15", "2024-01-31", "2024-02-15", "2024-02-29"],
        ...     "currency": "USD", "rate": ["1.0945", "1.0837", "1.0743", "1.0826"]}))
        >>> book = ledger.translate("EUR", rates)
        >>> ck.receivables(book, "2024-01-31", money="decimal"), ck.receivables(
        ...     book, "2024-02-29", money="decimal")  # closing
        (Decimal('922.76'), Decimal('554.22'))
        >>> ck.cash_collected(book, "2024-02", money="decimal")  # 400 USD at the rate of 15 February
        Decimal('372.34')
        """
        from creditkpi.core.fx.translate import translate

        return translate(self, to, rates, method=method, at=at)

    @property
    def translation(self) -> TranslationInfo | None:
        """How the ledger was translated (:meth:`translate`), ``None`` if it was not."""
        found = self._cols.translation
        return None if found is None else found.info

    @property
    def currencies(self) -> tuple[str, ...]:
        """The transaction currencies of the items (sorted; several only in a multi-currency book)."""
        return self._cols.currencies

    # ------------------------------------------------------------------ selection
    def select(
        self, *, customers: Any = None, where: Mapping[str, Any] | None = None, invoices: Any = None
    ) -> Ledger:
        """A ledger narrowed to a segment, on which every KPI runs.

        Keeps the invoices that pass every condition given, their
        settlements, disputes, status events and doubtful classifications,
        and the unapplied cash of the kept customers (those named in
        ``customers`` whose invoices all pass ``where`` and ``invoices``):
        the KPIs of ``ledger.select(where={"country": "FR"})`` are the
        ``"FR"`` row of the same KPIs ``by="country"``.

        Parameters
        ----------
        customers : id or iterable of ids, optional
            Customer ids to keep.
        where : mapping, optional
            ``{column: value}`` or ``{column: [values]}`` on the invoice
            attributes (and ``customer_id``); every condition must hold.
        invoices : array-like, optional
            A boolean mask with one value per row of :attr:`invoices`
            (``ledger.invoices["amount"] > 1000``), or a list of invoice ids.

        Returns
        -------
        Ledger

        Raises
        ------
        InvalidOptionError
            An unknown customer, column or invoice id; a mask of the wrong
            length.

        Examples
        --------
        >>> import creditkpi as ck
        >>> ledger = ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "A", "2024-01-01", "2024-01-31", "100", attrs={"country": "FR"}),
        ...      ck.Invoice("F2", "B", "2024-01-01", "2024-01-31", "50", attrs={"country": "DE"}),
        ...      ck.Invoice("F3", "B", "2024-01-05", "2024-02-04", "70", attrs={"country": "DE"})])
        >>> ledger.select(where={"country": "DE"})
        Ledger(2 invoices, 0 settlements, 1 customer, EUR, 2024-01-01..2024-01-05)
        >>> big = ledger.select(invoices=ledger.invoices["amount"] > 60)
        >>> ck.receivables(big, "2024-01-31", by="customer_id").to_dict()
        {'A': 100.0, 'B': 70.0}
        """
        from creditkpi.core.selection import selected_columns

        if customers is None and where is None and invoices is None:
            return self
        columns, report = selected_columns(
            self, customers=customers, where=where, invoices=invoices
        )
        return Ledger._wrap(columns, report)

    # ------------------------------------------------------------------ facts
    @property
    def currency(self) -> str:
        """ISO 4217 code of the money of every result.

        A ledger of several currencies, not translated, answers per currency
        (``by="currency"``): its ``currency`` joins the codes (``"EUR+USD"``).
        """
        return self._cols.currency

    @property
    def digits(self) -> int:
        """Decimal places of the currency's minor unit (2 for EUR, 0 for JPY)."""
        return self._cols.digits

    @property
    def inputs(self) -> frozenset[str]:
        """The optional inputs the ledger holds (names of :data:`INPUTS`: ``"disputes"``...)."""
        c = self._cols
        return frozenset(name for name, item in INPUTS.items() if getattr(c, item.column).size)

    @property
    def n_invoices(self) -> int:
        """Number of invoices."""
        return self._cols.n_invoices

    @property
    def n_settlements(self) -> int:
        """Number of settlements (payments, credit notes, write-offs, unapplied cash)."""
        return self._cols.n_settlements

    @property
    def n_customers(self) -> int:
        """Number of customers (of invoices and of unapplied cash)."""
        return len(self._cols.customer_labels)

    @property
    def attributes(self) -> list[str]:
        """Names usable as ``by=``: ``"customer_id"`` and every extra invoice column.

        ``"currency"`` (the transaction currency) is always one too; it is
        listed when the ledger holds several currencies.
        """
        extra = [str(a) for a in self._cols.attrs.columns]
        several = len(self._cols.currencies) > 1 and "currency" not in extra
        return ["customer_id", *(["currency"] if several else []), *extra]

    @property
    def first_date(self) -> date | None:
        """Date of the earliest event (issue or settlement), ``None`` if empty."""
        day = self._cols.first_day
        return None if day is None else from_day(day)

    @property
    def last_date(self) -> date | None:
        """Date of the latest event (issue or settlement), ``None`` if empty."""
        day = self._cols.last_day
        return None if day is None else from_day(day)

    @property
    def last_issue_date(self) -> date | None:
        """Issue date of the latest invoice, ``None`` without invoices."""
        c = self._cols
        return from_day(int(c.issue.max())) if c.n_invoices else None

    # ------------------------------------------------------------------ views
    @property
    def invoices(self) -> pd.DataFrame:
        """The invoices as a canonical DataFrame (amounts as ``Decimal``)."""
        c = self._cols
        epoch = np.datetime64("1970-01-01", "D")
        frame = pd.DataFrame(
            {
                "invoice_id": c.invoice_ids,
                "customer_id": c.customer_labels[c.customer],
                "issue_date": epoch + c.issue.astype("timedelta64[D]"),
                "due_date": epoch + c.due.astype("timedelta64[D]"),
                "amount": pd.Series(
                    cents_array_to_decimal(c.amount.tolist(), c.digits), dtype=object
                ),
                "currency": c.currency,
            }
        )
        return pd.concat([frame, c.attrs], axis=1)

    @property
    def settlements(self) -> pd.DataFrame:
        """The settlements as a canonical DataFrame, sorted by the day they settle their invoice.

        ``date`` is the day a settlement was posted, ``applied`` the day it
        settles its invoice: the same day unless the inputs gave application
        dates (meanwhile it is the customer's unapplied credit).
        """
        c = self._cols
        epoch = np.datetime64("1970-01-01", "D")
        # unapplied cash (-1) reads the spare None at the end, with or without invoices
        inv = np.append(c.invoice_ids, np.asarray([None], dtype=object))[c.settlement_invoice]
        posted = c.settlement_date if c.settlement_posted is None else c.settlement_posted
        return pd.DataFrame(
            {
                "invoice_id": pd.Series(inv, dtype=object),
                "customer_id": c.customer_labels[c.settlement_customer],
                "date": epoch + posted.astype("timedelta64[D]"),
                "applied": epoch + c.settlement_date.astype("timedelta64[D]"),
                "amount": pd.Series(
                    cents_array_to_decimal(c.settlement_amount.tolist(), c.digits), dtype=object
                ),
                "kind": np.asarray(SETTLEMENT_KINDS, dtype=object)[c.settlement_kind],
                "row": c.settlement_row,
            }
        )

    # ------------------------------------------------------------------ summaries
    def describe(self, *, money: Literal["float", "decimal"] = "float") -> pd.DataFrame:
        """What the ledger holds: count, date range and amount of each table.

        Parameters
        ----------
        money : {"float", "decimal"}, default "float"
            Amounts as numbers (float64, exact once rounded to the minor
            unit) or as exact ``Decimal``.

        Returns
        -------
        DataFrame
            Index ``table``: ``invoices`` (issue dates, invoiced amount),
            ``payments``, ``credit notes``, ``write-offs`` (dates and amounts
            applied to invoices), ``unapplied cash``, ``disputes`` (opening
            dates), ``status events`` and ``doubtful`` (classification
            dates); columns ``count``, ``first``, ``last`` (dates, ``NaT``
            when empty) and ``amount`` (``nan`` where an amount means
            nothing).

        Examples
        --------
        >>> import creditkpi as ck
        >>> ledger = ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00"),
        ...      ck.Invoice("F2", "ACME", "2024-04-02", "2024-05-02", "500.00")],
        ...     [ck.Payment("F1", "2024-04-10", "400.00")],
        ... )
        >>> ledger.describe().loc[["invoices", "payments"]]
                  count      first       last  amount
        table
        invoices      2 2024-03-01 2024-04-02  1500.0
        payments      1 2024-04-10 2024-04-10   400.0
        """
        from creditkpi.core.args import check_money
        from creditkpi.core.money import money_values

        check_money(money)
        c = self._cols
        applied = c.settlement_invoice >= 0
        rows: list[tuple[str, Any, Any]] = [("invoices", c.issue, c.amount)]
        for label, kind in (("payments", PAYMENT), ("credit notes", CREDIT_NOTE)):
            chosen = applied & (c.settlement_kind == kind)
            rows.append((label, c.settlement_date[chosen], c.settlement_amount[chosen]))
        chosen = applied & (c.settlement_kind == WRITE_OFF)
        rows.append(("write-offs", c.settlement_date[chosen], c.settlement_amount[chosen]))
        rows.append(("unapplied cash", c.settlement_date[~applied], c.settlement_amount[~applied]))
        rows += [
            ("disputes", c.dispute_opened, None),
            ("status events", c.status_date, None),
            ("doubtful", c.doubtful_date, None),
        ]
        epoch = np.datetime64("1970-01-01", "D")
        nat = np.datetime64("NaT", "D")
        totals = money_values(
            [0 if a is None else int(np.asarray(a, dtype=np.int64).sum()) for _, _, a in rows],
            c.digits,
            money,
        )
        amount = [math.nan if a is None else totals[k] for k, (_, _, a) in enumerate(rows)]
        firsts = [epoch + int(d.min()) if len(d) else nat for _, d, _ in rows]
        lasts = [epoch + int(d.max()) if len(d) else nat for _, d, _ in rows]
        return pd.DataFrame(
            {
                "count": np.asarray([len(days) for _, days, _ in rows], dtype=np.int64),
                "first": pd.to_datetime(np.asarray(firsts, dtype="datetime64[D]")),
                "last": pd.to_datetime(np.asarray(lasts, dtype="datetime64[D]")),
                "amount": pd.Series(amount, dtype=object if money == "decimal" else np.float64),
            }
        ).set_axis(pd.Index([name for name, _, _ in rows], name="table"))

    def _headline(self) -> str:
        first, last = self.first_date, self.last_date
        span = "no events" if first is None else f"{first} to {last}"
        counts = counted(
            (self.n_invoices, "invoice"),
            (self.n_settlements, "settlement"),
            (self.n_customers, "customer"),
            thousands=",",
        )
        return f"Ledger: {counts}, {self.currency}, {span}"

    def __str__(self) -> str:
        """A text summary: counts, dates, attributes, :meth:`describe` and the validation warnings.

        Labels from the data are shown with their control characters made
        visible, so printing a ledger never drives the terminal.

        Examples
        --------
        >>> import creditkpi as ck
        >>> ledger = ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00",
        ...                 attrs={"country": "FR"})],
        ...     [ck.Payment("F1", "2024-04-10", "400.00")],
        ... )
        >>> print(ledger)
        Ledger: 1 invoice, 1 settlement, 1 customer, EUR, 2024-03-01 to 2024-04-10
        by= : customer_id, country
                  count       first        last   amount
        table
        invoices      1  2024-03-01  2024-03-01  1000.00
        payments      1  2024-04-10  2024-04-10   400.00
        validation: no warnings
        """
        from creditkpi.core.safe_text import printable

        table = self.describe(money="decimal")
        table = table[(table["count"] > 0) | (table.index == "invoices")]
        amounts = ["" if not isinstance(a, Decimal) else f"{a}" for a in table["amount"].tolist()]
        shown = table.assign(amount=amounts)
        shown["first"] = shown["first"].dt.strftime("%Y-%m-%d").fillna("")
        shown["last"] = shown["last"].dt.strftime("%Y-%m-%d").fillna("")
        lines = [
            self._headline(),
            "by= : " + ", ".join(printable(a) for a in self.attributes),
            shown.to_string(),
        ]
        if self.report:
            lines.append(f"validation: {len(self.report)} warning(s)")
            lines += [f"- {printable(issue)}" for issue in self.report.issues]
        else:
            lines.append("validation: no warnings")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The notebook view: counts, date range, currency, attributes, validation warnings.

        Examples
        --------
        >>> import warnings, creditkpi as ck
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", ck.DataQualityWarning)
        ...     ledger = ck.Ledger.from_records(
        ...         [ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00",
        ...                     attrs={"<b>region</b>": "north"})],
        ...         [ck.Payment("F1", "2024-04-10", "1200.00")],
        ...     )
        >>> html = ledger._repr_html_()
        >>> "1 invoice," in html and "2024-03-01 to 2024-04-10" in html
        True
        >>> "overpaid-invoice" in html, "&lt;b&gt;region&lt;/b&gt;" in html, "<b>region" in html
        (True, True, False)
        """
        import html

        from creditkpi.core.safe_text import printable

        def esc(value: object) -> str:
            return html.escape(printable(value))

        table = self.describe(money="decimal")
        rows = []
        for name, row in table.iterrows():
            first = "" if pd.isna(row["first"]) else f"{row['first']:%Y-%m-%d}"
            last = "" if pd.isna(row["last"]) else f"{row['last']:%Y-%m-%d}"
            amount = f"{row['amount']:,}" if isinstance(row["amount"], Decimal) else ""
            rows.append(
                f"<tr><td>{esc(name)}</td><td class='num'>{int(row['count']):,}</td>"
                f"<td>{first}</td><td>{last}</td><td class='num'>{esc(amount)}</td></tr>"
            )
        if self.report:
            items = "".join(f"<li>{esc(issue)}</li>" for issue in self.report.issues)
            warnings_html = (
                f"<p><b>Validation: {len(self.report)} warning(s)</b> "
                f"(<code>ledger.report</code>)</p><ul>{items}</ul>"
            )
        else:
            warnings_html = "<p>Validation: no warnings.</p>"
        style = (
            "<style>.creditkpi-ledger table{border-collapse:collapse}"
            ".creditkpi-ledger th,.creditkpi-ledger td{padding:2px 10px;text-align:left;"
            "border-bottom:1px solid rgba(127,127,127,0.3)}"
            ".creditkpi-ledger td.num{text-align:right;font-variant-numeric:tabular-nums}</style>"
        )
        return (
            f'<div class="creditkpi-ledger">{style}'
            f"<p><b>{esc(self._headline())}</b></p>"
            f"<p>Group by (<code>by=</code>): {esc(', '.join(self.attributes))}</p>"
            "<table><thead><tr><th>table</th><th>count</th><th>first</th><th>last</th>"
            f"<th>amount ({esc(self.currency)})</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{warnings_html}</div>"
        )

    def __len__(self) -> int:
        return self.n_invoices

    def __repr__(self) -> str:
        first, last = self.first_date, self.last_date
        span = "" if first is None or last is None else f", {first}..{last}"
        counts = [
            (self.n_invoices, "invoice"),
            (self.n_settlements, "settlement"),
            (self.n_customers, "customer"),
        ]
        if self._cols.dispute_invoice.size:
            counts.append((int(self._cols.dispute_invoice.size), "dispute"))
        return f"Ledger({counted(*counts)}, {self.currency}{span})"
