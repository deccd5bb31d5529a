"""Reconciliation invariants of the aged balance, against an exact reference, in EUR, JPY and KWD.

For random valid ledgers (overpayments, settlements before issue, credit
notes, write-offs, unapplied cash) and as-of dates T:

* Σ buckets = receivables = Σ invoices issued ≤ T − Σ their settlements dated ≤ T;
* an overpaid invoice sits, negative, in its own bucket (every bucket equals
  the exact sum of its invoices' balances);
* the unapplied line is minus the unapplied cash dated ≤ T, and the
  settlements posted ≤ T that settle their invoice only after T (application
  dates).

Checked on the engine's integer minor units, on ``ck.receivables`` (Decimal)
and on the public ``ck.aging`` table. The ``fuzz`` profile runs 10,000 ledgers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.engine import position

BUCKETS = ["not due", "1-30", "31-60", "61-90", "91+"]
DIGITS = {"EUR": 2, "JPY": 0, "KWD": 3}
START = date(2024, 1, 1)


@dataclass(frozen=True)
class Book:
    currency: str
    invoices: list[tuple[str, str, date, date, int]]  # id, customer, issue, due, minor units
    # invoice, customer, day, units, kind, application day (None: the day itself)
    settlements: list[tuple[int | None, str, date, int, str, date | None]]


@st.composite
def books(draw: st.DrawFn) -> Book:
    currency = draw(st.sampled_from(sorted(DIGITS)))
    n = draw(st.integers(1, 12))
    invoices = []
    for k in range(n):
        issue = START + timedelta(days=draw(st.integers(0, 200)))
        due = issue + timedelta(days=draw(st.sampled_from([0, 10, 30, 45, 60, 90])))
        invoices.append((f"F{k}", draw(st.sampled_from(["C1", "C2", "C3"])), issue, due,
                         draw(st.integers(1, 10**9))))  # fmt: skip
    settlements: list[tuple[int | None, str, date, int, str, date | None]] = []
    for _ in range(draw(st.integers(0, 20))):
        if draw(st.integers(0, 6)) == 0:
            day = START + timedelta(days=draw(st.integers(-10, 320)))
            customer = draw(st.sampled_from(["C1", "C2", "C9"]))
            units = draw(st.integers(1, 10**8))
            settlements.append((None, customer, day, units, "payment", None))
            continue
        k = draw(st.integers(0, n - 1))
        day = invoices[k][2] + timedelta(days=draw(st.integers(-15, 200)))  # may precede issue
        units = draw(st.integers(1, int(invoices[k][4] * 0.8) + 1))  # several may overpay
        kind = draw(st.sampled_from(["payment", "payment", "credit_note", "write_off"]))
        # some are posted first and applied later (or "before": they apply from their date)
        later = draw(st.one_of(st.none(), st.integers(-5, 60)))
        applied = None if later is None else day + timedelta(days=later)
        settlements.append((k, invoices[k][1], day, units, kind, applied))
    return Book(currency, invoices, settlements)


def text(units: int, currency: str) -> str:
    return format(Decimal(units).scaleb(-DIGITS[currency]), "f")


def ledger_of(book: Book) -> ck.Ledger:
    inv = pd.DataFrame(
        {
            "invoice_id": [i[0] for i in book.invoices],
            "customer_id": [i[1] for i in book.invoices],
            "issue_date": [i[2].isoformat() for i in book.invoices],
            "due_date": [i[3].isoformat() for i in book.invoices],
            "amount": [text(i[4], book.currency) for i in book.invoices],
            "currency": book.currency,
        }
    )
    pay = pd.DataFrame(
        {
            "invoice_id": [
                None if s[0] is None else book.invoices[s[0]][0] for s in book.settlements
            ],
            "customer_id": [s[1] for s in book.settlements],
            "date": [s[2].isoformat() for s in book.settlements],
            "amount": [text(s[3], book.currency) for s in book.settlements],
            "kind": [s[4] for s in book.settlements],
            "applied": [None if s[5] is None else s[5].isoformat() for s in book.settlements],
        },
        columns=["invoice_id", "customer_id", "date", "amount", "kind", "applied"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_frames(inv, pay if len(pay) else None)


def effective(s: tuple[int | None, str, date, int, str, date | None]) -> date:
    """The day a settlement settles its invoice: its application day, never before its date."""
    return s[2] if s[5] is None else max(s[2], s[5])


def reference(book: Book, t: date) -> tuple[dict[str, int], int, int]:
    """Exact per-bucket balances, receivables and unapplied cash at the end of day t.

    Unapplied cash: the payments of no invoice received by t, and the
    settlements posted by t that settle their invoice after t.
    """
    buckets = dict.fromkeys(BUCKETS, 0)
    for k, (_, _, issue, due, units) in enumerate(book.invoices):
        if issue > t:
            continue
        paid = sum(s[3] for s in book.settlements if s[0] == k and effective(s) <= t)
        late = (t - due).days
        name = (
            "not due" if late <= 0 else "1-30" if late <= 30 else "31-60" if late <= 60
            else "61-90" if late <= 90 else "91+"
        )  # fmt: skip
        buckets[name] += units - paid
    issued = sum(i[4] for i in book.invoices if i[2] <= t)
    settled = sum(
        s[3]
        for s in book.settlements
        if s[0] is not None and effective(s) <= t and book.invoices[s[0]][2] <= t
    )
    unapplied = sum(s[3] for s in book.settlements if s[0] is None and s[2] <= t)
    unapplied += sum(
        s[3] for s in book.settlements if s[0] is not None and s[2] <= t < effective(s)
    )
    assert sum(buckets.values()) == issued - settled  # the reference agrees with itself
    return buckets, issued - settled, unapplied


@given(book=books(), offsets=st.lists(st.integers(-20, 400), min_size=1, max_size=3, unique=True))
def test_aging_reconciles_exactly(book: Book, offsets: list[int]) -> None:
    ledger = ledger_of(book)
    digits = DIGITS[book.currency]
    dates = sorted(START + timedelta(days=k) for k in offsets)
    table = position(ledger, dates)
    for t, (_, row) in zip(dates, table.iterrows(), strict=True):
        buckets, receivables, unapplied = reference(book, t)
        assert [int(row[b]) for b in BUCKETS] == [buckets[b] for b in BUCKETS]
        assert int(row["receivables"]) == receivables == sum(buckets.values())
        assert int(row["unapplied"]) == unapplied
        assert ck.receivables(ledger, t, money="decimal") == Decimal(receivables).scaleb(-digits)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            aging = ck.aging(ledger, t).iloc[0]
        # the public table (numbers or Decimals: compared through their text, exactly)
        shown = [Decimal(str(aging[b])) for b in [*BUCKETS, "unapplied"]]
        expected = [Decimal(buckets[b]).scaleb(-digits) for b in BUCKETS]
        assert shown == [*expected, Decimal(-unapplied).scaleb(-digits)]
