"""The customer statement (*relevé de compte*): a customer's account over a period.

``ck.statement(ledger, customer, period)`` gives the opening balance, every
invoice, payment, credit note and write-off of the period with the running
balance, the closing balance, and the aged open items at the period's end:
as frames, as a self-contained HTML page and as a PDF printed with headless
Chromium (:mod:`creditkpi.printing`). The movements come from the core
(:func:`creditkpi.core.statement.statement_lines`); the aged summary and the
open items are :func:`creditkpi.aging` and :func:`creditkpi.open_items` on
the customer's selection, so they agree with every other result.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from creditkpi.core.args import as_periods, check_money
from creditkpi.core.errors import InvalidOptionError, MixedCurrencyError
from creditkpi.core.formatting import Formatter
from creditkpi.core.fx.translate import native_view
from creditkpi.core.ledger import Ledger
from creditkpi.core.money import CURRENCIES
from creditkpi.core.period import Period, to_day
from creditkpi.core.shapes import Money, money_column, money_number, own_unit, own_units
from creditkpi.core.statement import customer_label, statement_lines
from creditkpi.metrics.aging import aging
from creditkpi.metrics.open_items import open_items

__all__ = ["ITEM_COLUMNS", "Statement", "StatementSection", "statement"]

#: the open-item columns a statement shows
ITEM_COLUMNS = ("issue_date", "due_date", "amount", "open_balance", "days_past_due", "bucket")

_KIND_LABELS = {
    "invoice": "Invoice",
    "payment": "Payment",
    "credit_note": "Credit note",
    "write_off": "Write-off",
    "unapplied payment": "Payment (unapplied)",
    "unapplied credit_note": "Credit note (unapplied)",
    "unapplied write_off": "Write-off (unapplied)",
}

_CSS = """
@page { size: A4; margin: 15mm }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 14pt 0 4pt 0; }
p.meta { margin: 0 0 8pt 0; color: #444; }
table { border-collapse: collapse; width: 100%; break-inside: auto; }
th, td { padding: 2pt 5pt; border-bottom: 0.5pt solid #ccc; text-align: left; }
th { background: #eee; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 1pt solid #333; }
table.summary { width: auto; }
"""


@dataclass(frozen=True)
class StatementSection:
    """A customer's account in one currency (a section of a :class:`Statement`).

    Attributes
    ----------
    currency : str
        The transaction currency of every amount of the section.
    digits : int
        Decimal places of its minor unit.
    opening, closing : float or Decimal
        The balance owed in that currency, net of unapplied credit, at the
        end of the day before the period and at its end.
    lines : DataFrame
        One row per movement: ``date``, ``kind``, ``invoice_id``,
        ``due_date``, ``debit``, ``credit``, ``balance`` (running).
    aged : Series
        The aged balance at the period's end (the buckets, its ``total``
        and the ``unapplied`` line).
    items : DataFrame
        The open items at the period's end, indexed by ``invoice_id``.
    """

    currency: str
    digits: int
    opening: float | Decimal
    closing: float | Decimal
    lines: pd.DataFrame
    aged: pd.Series
    items: pd.DataFrame


@dataclass(frozen=True)
class Statement:
    """A customer's statement over a period (see :func:`statement`).

    What the customer owes **in the currency of its invoices**: one
    :class:`StatementSection` per transaction currency it is billed in,
    each with its own running balance, totals, aged balance and open items
    (a statement never adds two currencies, nor shows an amount the
    customer was not billed in).

    Attributes
    ----------
    customer : object
        The customer id.
    period : Period
        The period covered.
    sections : tuple of StatementSection
        One per currency, in code order.

    The properties ``currency``, ``digits``, ``opening``, ``closing``,
    ``lines``, ``aged`` and ``items`` are the one section's; with several,
    ``currency`` reads ``"EUR+USD"``, ``lines`` and ``items`` are the
    sections' rows with a first ``currency`` column, and the figures that
    would add two currencies (``opening``, ``closing``, ``aged``,
    ``digits``) raise :class:`~creditkpi.MixedCurrencyError`: read them per
    section.
    """

    customer: object
    period: Period
    sections: tuple[StatementSection, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        """The currencies of its sections."""
        return tuple(s.currency for s in self.sections)

    @property
    def currency(self) -> str:
        """The currency of its amounts (``"EUR+USD"`` for a customer billed in two)."""
        return "+".join(self.currencies)

    def _one(self, what: str) -> StatementSection:
        if len(self.sections) == 1:
            return self.sections[0]
        raise MixedCurrencyError(
            f"customer {self.customer!r} is billed in {len(self.sections)} currencies "
            f"({', '.join(self.currencies)}): its {what} would add them",
            column="currency",
            ids=[str(self.customer)],
            values=list(self.currencies),
            hint="read it per currency: statement.sections[k]." + what,
        )

    @property
    def digits(self) -> int:
        """Decimal places of the minor unit (one section)."""
        return self._one("digits").digits

    @property
    def opening(self) -> float | Decimal:
        """The opening balance (one section)."""
        return self._one("opening").opening

    @property
    def closing(self) -> float | Decimal:
        """The closing balance (one section)."""
        return self._one("closing").closing

    @property
    def aged(self) -> pd.Series:
        """The aged balance at the period's end (one section)."""
        return self._one("aged").aged

    @property
    def lines(self) -> pd.DataFrame:
        """The movements (several sections: each section's, a ``currency`` column first)."""
        return self._rows("lines")

    @property
    def items(self) -> pd.DataFrame:
        """The open items (several sections: each section's, a ``currency`` column first)."""
        return self._rows("items")

    def _rows(self, name: str) -> pd.DataFrame:
        if len(self.sections) == 1:
            frame: pd.DataFrame = getattr(self.sections[0], name)
            return frame
        parts = [getattr(s, name).assign(currency=s.currency) for s in self.sections]
        out = pd.concat(parts, ignore_index=name == "lines")
        ordered: pd.DataFrame = out.loc[
            :, ["currency", *[c for c in out.columns if c != "currency"]]
        ]
        return ordered

    def to_html(self, *, locale: str | None = None) -> str:
        """The statement as a self-contained HTML page (A4 when printed).

        Amounts are written for their currency and ``locale`` (default
        ``en_US``) by :class:`~creditkpi.core.formatting.Formatter`: one part
        per currency. Every text of the data is escaped; nothing is fetched
        from the network.
        """
        e = html.escape
        start, end = self.period.start.isoformat(), self.period.end.isoformat()
        title = f"Statement of account: {e(str(self.customer))}"
        parts = [
            _section_html(s, self.period, locale, len(self.sections) > 1) for s in self.sections
        ]
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{_CSS}</style></head><body>"
            f"<h1>{title}</h1>"
            f"<p class='meta'>Period {start} to {end} &middot; amounts in "
            f"{e(', '.join(self.currencies))}</p>"
            f"{''.join(parts)}</body></html>"
        )

    def to_pdf(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        executable: str | os.PathLike[str] | None = None,
        timeout: float = 120.0,
        locale: str | None = None,
    ) -> bytes:
        """The statement printed to A4 PDF with headless Chromium (:func:`creditkpi.printing.html_to_pdf`)."""
        from creditkpi.printing import html_to_pdf

        return html_to_pdf(
            self.to_html(locale=locale), path, executable=executable, timeout=timeout
        )

    def _repr_html_(self) -> str:
        body = self.to_html()
        return body[body.index("<body>") + 6 : body.index("</body>")]


def _section_html(s: StatementSection, period: Period, locale: str | None, titled: bool) -> str:
    """One currency's part of the page: summary, movements, aged balance, open items."""
    e = html.escape
    f = Formatter(s.currency, locale=locale, digits=s.digits)

    def a(value: object) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        return e(f.amount(value))

    def m(value: object) -> str:
        return e(f.money(value))

    start, end = period.start.isoformat(), period.end.isoformat()
    rows = [
        f"<tr><td>{start}</td><td>Opening balance</td><td></td><td></td>"
        f"<td class='n'></td><td class='n'></td><td class='n'>{a(s.opening)}</td></tr>"
    ]
    for line in s.lines.itertuples(index=False):
        due = _day(line.due_date)
        debit = a(line.debit) if line.debit else ""
        credit = a(line.credit) if line.credit else ""
        rows.append(
            f"<tr><td>{_day(line.date)}</td>"
            f"<td>{e(_KIND_LABELS.get(str(line.kind), str(line.kind)))}</td>"
            f"<td>{e('' if line.invoice_id is None else str(line.invoice_id))}</td>"
            f"<td>{due}</td><td class='n'>{debit}</td><td class='n'>{credit}</td>"
            f"<td class='n'>{a(line.balance)}</td></tr>"
        )
    rows.append(
        f"<tr class='total'><td>{end}</td><td>Closing balance</td><td></td><td></td>"
        f"<td class='n'></td><td class='n'></td><td class='n'>{a(s.closing)}</td></tr>"
    )
    aged_head = "".join(f"<th class='n'>{e(str(k))}</th>" for k in s.aged.index)
    aged_row = "".join(f"<td class='n'>{a(v)}</td>" for v in s.aged.to_numpy())
    items = []
    for key, item in s.items.iterrows():
        dpd = item["days_past_due"]
        items.append(
            f"<tr><td>{e(str(key))}</td>"
            f"<td>{_day(item['issue_date'])}</td><td>{_day(item['due_date'])}</td>"
            f"<td class='n'>{a(item['amount'])}</td>"
            f"<td class='n'>{a(item['open_balance'])}</td>"
            f"<td class='n'>{'' if pd.isna(dpd) else int(dpd)}</td>"
            f"<td>{e(str(item['bucket']))}</td></tr>"
        )
    no_items = "<tr><td colspan='7'>Nothing is open.</td></tr>"
    code = e(s.currency)
    head = f"<h2>In {code}</h2>" if titled else ""
    within = f" ({code})" if titled else ""
    before = (period.start - pd.Timedelta(days=1)).isoformat()
    return (
        f"<section class='currency' data-currency='{code}'>{head}"
        "<table class='summary'>"
        f"<tr><td>Opening balance at {before}</td><td class='n'>{m(s.opening)}</td></tr>"
        f"<tr><td>Invoiced</td><td class='n'>{m(_sum(s.lines, 'debit'))}</td></tr>"
        f"<tr><td>Paid and credited</td><td class='n'>{m(_sum(s.lines, 'credit'))}</td></tr>"
        f"<tr class='total'><td>Closing balance at {end}</td>"
        f"<td class='n'>{m(s.closing)}</td></tr></table>"
        f"<h2>Movements{within}</h2><table><thead><tr><th>Date</th><th>Movement</th>"
        "<th>Invoice</th><th>Due</th><th class='n'>Debit</th><th class='n'>Credit</th>"
        f"<th class='n'>Balance</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<h2>Aged balance at {end}{within}</h2><table><thead><tr>{aged_head}</tr></thead>"
        f"<tbody><tr>{aged_row}</tr></tbody></table>"
        f"<h2>Open items at {end}{within}</h2><table><thead><tr><th>Invoice</th><th>Issued</th>"
        "<th>Due</th><th class='n'>Amount</th><th class='n'>Open</th>"
        "<th class='n'>Days past due</th><th>Bucket</th></tr></thead>"
        f"<tbody>{''.join(items) or no_items}</tbody></table></section>"
    )


def _sum(lines: pd.DataFrame, column: str) -> Decimal:
    return sum((Decimal(str(v)) for v in lines[column]), Decimal(0))


def _day(value: Any) -> str:
    """A date cell as ``YYYY-MM-DD`` (empty for ``NaT``)."""
    stamp: Any = pd.Timestamp(value)
    return "" if stamp is pd.NaT else str(stamp.date().isoformat())


def statement(
    ledger: Ledger,
    customer: object,
    period: Any,
    *,
    buckets: Sequence[int] = (30, 60, 90),
    money: Money = "float",
) -> Statement:
    """The statement of ``customer`` over ``period``: opening balance, movements, closing, aged items.

    The balance is what the customer owes net of its unapplied credit. The
    movements are each invoice issued in the period (a debit) and each
    payment, credit note and write-off received in it (a credit, applied to
    an invoice or not), in date order with the running balance; it ends at
    the closing balance, the customer's receivables less its unapplied cash
    at the period's end, to the cent.

    Parameters
    ----------
    ledger : Ledger
    customer : str
        A customer id of the ledger.
    period : Period or str
        One period (``"2024-04"``, ``"2024-Q2"``, a ``pd.Period``...).
    buckets : sequence of int, default (30, 60, 90)
        The buckets of the aged balance and of the open items.
    money : {"float", "decimal"}, default "float"
        Amounts as numbers or exact ``Decimal`` objects.

    Returns
    -------
    Statement
        ``opening``, ``lines``, ``closing``, ``aged`` and ``items``, with
        ``to_html()`` and ``to_pdf(path)``; a notebook shows it as the page.

    Raises
    ------
    InvalidOptionError
        An unknown customer (the message names some known ones), a list of
        periods, bad ``buckets`` or ``money``.
    InvalidPeriodError
        ``period`` is not a period.

    References
    ----------
    The *Open items and customer statements* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00"),
    ...      ck.Invoice("F2", "ACME", "2024-04-10", "2024-05-10", "250.00")],
    ...     [ck.Payment("F1", "2024-04-15", "600.00"),
    ...      ck.Payment(None, "2024-04-20", "50.00", customer="ACME")])
    >>> s = ck.statement(ledger, "ACME", "2024-04")
    >>> s.opening, s.closing
    (1000.0, 600.0)
    >>> s.lines[["date", "kind", "invoice_id", "debit", "credit", "balance"]]
            date               kind invoice_id  debit  credit  balance
    0 2024-04-10            invoice         F2  250.0     0.0   1250.0
    1 2024-04-15            payment         F1    0.0   600.0    650.0
    2 2024-04-20  unapplied payment       None    0.0    50.0    600.0
    >>> float(s.aged["total"]), float(s.aged["unapplied"])
    (650.0, -50.0)
    """
    check_money(money)
    periods, single = as_periods(period)
    if not single:
        raise InvalidOptionError(
            f"a statement covers one period; got {len(periods)} (call it once per period)",
            column="period",
        )
    chosen = periods[0]
    native = native_view(ledger)  # what the customer owes: in the currency of its invoices
    label = customer_label(native, customer)  # names an unknown customer before any work
    mine = native.select(customers=[label])
    several = len(native.currencies) > 1
    sections = tuple(
        _section(mine.select(currency=cur) if several else mine, cur, label, chosen, buckets, money)
        for cur in mine.currencies
    )
    return Statement(customer=label, period=chosen, sections=sections)


def _section(
    mine: Ledger,
    currency: str,
    customer: object,
    chosen: Period,
    buckets: Sequence[int],
    money: Money,
) -> StatementSection:
    """The statement of ``customer`` in one currency (``mine``: its items in that currency)."""
    kernel = statement_lines(mine, customer, to_day(chosen.start), to_day(chosen.end))
    held = mine.digits  # a book of several currencies holds amounts at the finest one's
    own = CURRENCIES[currency]
    lines = kernel.lines.copy()
    for column in ("debit", "credit", "balance"):
        lines[column] = _own(money_column(lines[column].to_numpy(), held, money), own, money)
    aged = aging(mine, chosen.end, buckets=buckets, money=money).iloc[0]
    items = open_items(mine, chosen.end, buckets=buckets, money=money)
    items = items.droplevel("customer_id").loc[:, list(ITEM_COLUMNS)]
    if money == "decimal":
        items = own_units(items.assign(currency=currency), ("amount", "open_balance"))
        items = items.drop(columns="currency")
    aged.name = kernel.customer
    return StatementSection(
        currency=currency,
        digits=own,
        opening=_own_one(money_number(kernel.opening, held, money), own),
        closing=_own_one(money_number(kernel.closing, held, money), own),
        lines=lines,
        aged=aged,
        items=items,
    )


def _own_one(value: float | Decimal, places: int) -> float | Decimal:
    return own_unit(value, places) if isinstance(value, Decimal) else value


def _own(values: Any, places: int, money: Money) -> Any:
    if money != "decimal":
        return values
    out = [own_unit(v, places) if isinstance(v, Decimal) else v for v in list(values)]
    return pd.Series(out, dtype=object).to_numpy()
