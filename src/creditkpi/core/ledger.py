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

import math
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.columns import (
    CREDIT_NOTE,
    INPUTS,
    NO_END,
    PAYMENT,
    SETTLEMENT_KINDS,
    WRITE_OFF,
    Columns,
    Input,
    counted,
    float_sums_exact,
)
from creditkpi.core.money import CURRENCIES, cents_array_to_decimal
from creditkpi.core.period import from_day
from creditkpi.core.readers import LedgerReaders
from creditkpi.core.validation import ValidationReport

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.core.fx.rates import Rates
    from creditkpi.core.fx.translate import TranslationInfo
    from creditkpi.core.ingest.columns import ColumnMap

__all__ = [
    "CREDIT_NOTE",
    "INPUTS",
    "NO_END",
    "PAYMENT",
    "WRITE_OFF",
    "Columns",
    "Input",
    "Ledger",
    "counted",
    "float_sums_exact",
]


class Ledger(LedgerReaders):
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

        cols = with_credit(
            self._cols, limits, cover, columns=columns, date_format=date_format, decimal=decimal
        )
        return type(self)._wrap(cols, self.report)

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
        self,
        *,
        customers: Any = None,
        where: Mapping[str, Any] | None = None,
        invoices: Any = None,
        currency: Any = None,
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
        currency : str or list of str, optional
            Transaction currencies to keep (ISO 4217): their invoices and
            the kept customers' unapplied cash in them, the ``by="currency"``
            row of every KPI.

        Returns
        -------
        Ledger

        Raises
        ------
        InvalidOptionError
            An unknown customer, column, invoice id or currency; a mask of
            the wrong length.

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

        if customers is None and where is None and invoices is None and currency is None:
            return self
        columns, report = selected_columns(
            self, customers=customers, where=where, invoices=invoices, currency=currency
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
                "amount": _own_decimals(c, c.amount, c.invoice_currency),
                "currency": _own_codes(c, c.invoice_currency),
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
                "amount": _own_decimals(c, c.settlement_amount, c.settlement_currency),
                "kind": np.asarray(SETTLEMENT_KINDS, dtype=object)[c.settlement_kind],
                "row": c.settlement_row,
                **(
                    {"currency": _own_codes(c, c.settlement_currency)}
                    if c.per_item_currency
                    else {}
                ),
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


def _own_codes(c: Columns, which: npt.NDArray[np.int16]) -> Any:
    """Each item's currency code: the ledger's, or per item on a book of several currencies."""
    if not c.per_item_currency:
        return c.currency
    return np.asarray(c.currencies, dtype=object)[which.astype(np.intp)]


def _own_decimals(
    c: Columns, cents: npt.NDArray[np.int64], which: npt.NDArray[np.int16]
) -> pd.Series:
    """``Decimal`` amounts, each at its own currency's minor unit (JPY 1000, not 1000.00).

    On a book of several currencies the columns hold whole minor units of
    the finest currency; each amount is a whole number of its own
    currency's minor unit, so the division below is exact.
    """
    if not c.per_item_currency:
        return pd.Series(cents_array_to_decimal(cents.tolist(), c.digits), dtype=object)
    out = np.empty(len(cents), dtype=object)
    for code, (name, step) in enumerate(zip(c.currencies, c.currency_steps.tolist(), strict=True)):
        rows = np.flatnonzero(which == code)
        out[rows] = cents_array_to_decimal((cents[rows] // step).tolist(), CURRENCIES[name])
    return pd.Series(out, dtype=object)
