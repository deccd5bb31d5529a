"""Hypothesis strategies: random but valid ledgers, and the metamorphic transforms.

``ledger_specs()`` draws a :class:`LedgerSpec` (plain records); ``spec.build()``
makes the :class:`~creditkpi.Ledger`. Transforms used by the property tests:
``shuffled``, ``scaled(k)``, ``shifted(days)``, ``shifted_months(n)``,
``split_by_customer()``.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

import creditkpi as ck

START = date(2023, 1, 1)
CUSTOMERS = ["C1", "C2", "C3", "C4", "C5"]
COUNTRIES = {"C1": "FR", "C2": "FR", "C3": "DE", "C4": "IT", "C5": "DE"}
REASONS = ["price", "quality", "delivery"]
STATUSES = ["reminder 1", "reminder 2", "formal notice"]


@dataclass(frozen=True)
class LedgerSpec:
    """Plain records of a ledger, easy to transform."""

    invoices: list[ck.Invoice]
    payments: list[ck.Payment] = field(default_factory=list)
    disputes: list[ck.Dispute] = field(default_factory=list)
    statuses: list[ck.StatusEvent] = field(default_factory=list)
    doubtful: list[ck.Doubtful] = field(default_factory=list)

    def build(self) -> ck.Ledger:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ck.DataQualityWarning)
            return ck.Ledger.from_records(
                self.invoices, self.payments, self.disputes, self.statuses, self.doubtful
            )

    def shuffled(self, seed: int = 0) -> LedgerSpec:
        rng = random.Random(seed)
        parts = [
            list(x)
            for x in (self.invoices, self.payments, self.disputes, self.statuses, self.doubtful)
        ]
        for part in parts:
            rng.shuffle(part)
        return LedgerSpec(*parts)

    def scaled(self, k: int) -> LedgerSpec:
        return LedgerSpec(
            [replace(i, amount=i.amount * k) for i in self.invoices],
            [replace(p, amount=p.amount * k) for p in self.payments],
            self.disputes,
            self.statuses,
            [
                replace(d, provision=None if d.provision is None else d.provision * k)
                for d in self.doubtful
            ],
        )

    def _moved(self, move) -> LedgerSpec:  # type: ignore[no-untyped-def]
        return LedgerSpec(
            [
                replace(i, issue_date=move(i.issue_date), due_date=move(i.due_date))
                for i in self.invoices
            ],
            [
                replace(
                    p, date=move(p.date), applied=None if p.applied is None else move(p.applied)
                )
                for p in self.payments
            ],
            [
                replace(
                    d,
                    opened=move(d.opened),
                    resolved=None if d.resolved is None else move(d.resolved),
                )
                for d in self.disputes
            ],
            [replace(s, date=move(s.date)) for s in self.statuses],
            [replace(d, date=move(d.date)) for d in self.doubtful],
        )

    def shifted(self, days: int) -> LedgerSpec:
        """Every date moved by ``days`` days."""
        return self._moved(lambda d: d + timedelta(days=days))

    def shifted_months(self, months: int) -> LedgerSpec:
        """Every date moved by whole months (day of month kept; specs use days <= 28)."""
        return self._moved(lambda d: d + relativedelta(months=months))

    def customers(self) -> list[str]:
        return sorted(
            {i.customer for i in self.invoices} | {p.customer for p in self.payments if p.customer}
        )

    def only(self, customers: set[str]) -> LedgerSpec:
        ids = {i.id for i in self.invoices if i.customer in customers}
        return LedgerSpec(
            [i for i in self.invoices if i.id in ids],
            [
                p
                for p in self.payments
                if (p.invoice in ids) or (p.invoice is None and p.customer in customers)
            ],
            [d for d in self.disputes if d.invoice in ids],
            [s for s in self.statuses if s.invoice in ids],
            [d for d in self.doubtful if d.invoice in ids],
        )

    def only_no_doubtful(self) -> LedgerSpec:
        """The same book without doubtful classifications (nor disputes and statuses)."""
        return LedgerSpec(list(self.invoices), list(self.payments))

    def split_by_customer(self) -> list[LedgerSpec]:
        return [self.only({c}) for c in self.customers()]


@st.composite
def ledger_specs(
    draw: st.DrawFn,
    *,
    min_invoices: int = 1,
    max_invoices: int = 25,
    days: int = 540,
    unapplied: bool = True,
    extras: bool = True,
    day_of_month_max: int = 28,
    applied: bool = False,
) -> LedgerSpec:
    """A valid ledger over ``days`` days from 2023-01-01 (no overpayment, no early settlement).

    Dates keep their day of month <= ``day_of_month_max`` so month shifts are exact.
    With ``applied``, some settlements are posted first and settle their invoice
    up to 40 days later (an application date).
    """
    n = draw(st.integers(min_invoices, max_invoices))
    invoices: list[ck.Invoice] = []
    payments: list[ck.Payment] = []
    disputes: list[ck.Dispute] = []
    statuses: list[ck.StatusEvent] = []
    doubtful: list[ck.Doubtful] = []

    def a_date(lo: date, span: int) -> date:
        d = lo + timedelta(days=draw(st.integers(0, span)))
        while d.day > day_of_month_max:
            d += timedelta(days=1)
        return d

    for k in range(n):
        customer = draw(st.sampled_from(CUSTOMERS))
        issue = a_date(START, days)
        due = issue + timedelta(days=draw(st.sampled_from([0, 15, 30, 45, 60])))
        while due.day > day_of_month_max:
            due += timedelta(days=1)
        cents = draw(st.integers(1, 5_000_000))
        inv = ck.Invoice(
            f"INV-{k:03d}",
            customer,
            issue,
            due,
            Decimal(cents).scaleb(-2),
            attrs={"country": COUNTRIES[customer], "segment": draw(st.sampled_from(["A", "B"]))},
        )
        invoices.append(inv)
        left = cents
        for _ in range(draw(st.integers(0, 3))):
            if left <= 0:
                break
            part = draw(st.integers(1, left))
            left -= part
            kind = draw(
                st.sampled_from(["payment", "payment", "payment", "credit_note", "write_off"])
            )
            day = a_date(issue, 200)
            later = a_date(day, 40) if applied and draw(st.integers(0, 2)) == 0 else None
            payments.append(
                ck.Payment(inv.id, day, Decimal(part).scaleb(-2), kind=kind, applied=later)
            )
        if extras and draw(st.integers(0, 5)) == 0:
            opened = a_date(issue, 60)
            resolved = draw(st.one_of(st.none(), st.integers(0, 90)))
            disputes.append(
                ck.Dispute(
                    inv.id,
                    opened,
                    draw(st.sampled_from(REASONS)),
                    None if resolved is None else opened + timedelta(days=resolved),
                )
            )
        if extras and draw(st.integers(0, 4)) == 0:
            statuses.append(
                ck.StatusEvent(inv.id, a_date(due, 40), draw(st.sampled_from(STATUSES)))
            )
        if extras and draw(st.integers(0, 6)) == 0:
            provision = draw(st.one_of(st.none(), st.integers(0, cents)))
            doubtful.append(
                ck.Doubtful(
                    inv.id,
                    a_date(due, 120),
                    None if provision is None else Decimal(provision).scaleb(-2),
                )
            )
    if unapplied:
        for _ in range(draw(st.integers(0, 2))):
            payments.append(
                ck.Payment(
                    None,
                    a_date(START, days),
                    Decimal(draw(st.integers(1, 100_000))).scaleb(-2),
                    customer=draw(st.sampled_from(CUSTOMERS)),
                )
            )
    return LedgerSpec(invoices, payments, disputes, statuses, doubtful)


def as_of_dates() -> st.SearchStrategy[date]:
    """An as-of date inside (or just around) the generated ledgers' span."""
    return st.integers(-10, 620).map(lambda k: START + timedelta(days=k))
