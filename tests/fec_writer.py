"""Write a generated ledger as the FEC a bookkeeper would post (a test helper).

Every invoice is an entry of the sales journal (debit 411 the amount, credit
706 and 44571 the net and the VAT), lettered with a code of its own; each of
its settlements is lettered with that code: a payment in the bank journal
(debit 512 / credit 411), a credit note in the sales journal (debit 706 and
44571 / credit 411), a write-off in the miscellaneous journal (debit 654 /
credit 411). A doubtful classification is a transfer of what is still owed
from 411 to 416 (its 416 line lettered with a second code, which the later
settlements use, posted on 416) with its provision on 491 (PieceRef the
invoice). Unapplied cash is an unlettered 411 credit of the bank journal.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from creditkpi.core.ingest.fec import FEC_COLUMNS
from tests.strategies import LedgerSpec

VAT = Decimal("0.2")


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _letter(k: int) -> str:
    """Lettering codes AAA, AAB, ... (three letters, as French software writes them)."""
    a, rest = divmod(k, 26 * 26)
    b, c = divmod(rest, 26)
    return "".join(chr(65 + x) for x in (a % 26, b, c))


class _Book:
    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.numbers: dict[str, int] = defaultdict(int)

    def entry(self, journal: str, day: date, piece: str, lines: list[tuple[Any, ...]]) -> None:
        """One balanced entry: lines of (account, customer, debit, credit, lettering)."""
        self.numbers[journal] += 1
        number = str(self.numbers[journal])
        for account, customer, debit, credit, letter in lines:
            self.rows.append(
                [
                    journal, journal, number, _day(day), account, account, customer or "",
                    customer or "", piece, _day(day), piece,
                    _amount(debit), _amount(credit), letter or "",
                    _day(day) if letter else "", _day(day), "", "",
                ]
            )  # fmt: skip


def write_fec(spec: LedgerSpec) -> pd.DataFrame:
    """The FEC (18 columns, text cells) of ``spec``'s invoices, settlements and doubtful."""
    book = _Book()
    zero = Decimal("0")
    codes = {inv.id: _letter(k) for k, inv in enumerate(spec.invoices)}
    by_id = {inv.id: inv for inv in spec.invoices}
    doubtful = {d.invoice: d for d in spec.doubtful}
    for inv in spec.invoices:
        net = (inv.amount / (1 + VAT)).quantize(Decimal("0.01"))
        book.entry(
            "VT",
            inv.issue_date,
            inv.id,
            [
                ("411000", inv.customer, inv.amount, zero, codes[inv.id]),
                ("706000", None, zero, net, None),
                ("44571", None, zero, inv.amount - net, None),
            ],
        )
    # doubtful transfers of what is owed on their date, and provisions
    moved: dict[str, date] = {}
    for inv_id, d in doubtful.items():
        inv = by_id[inv_id]
        paid = sum(
            (p.amount for p in spec.payments if p.invoice == inv_id and p.date <= d.date), zero
        )
        owed = inv.amount - paid
        if owed > 0:
            moved[inv_id] = d.date
            book.entry(
                "OD",
                d.date,
                inv_id,
                [
                    ("416000", inv.customer, owed, zero, codes[inv_id].lower()),
                    ("411000", inv.customer, zero, owed, codes[inv_id]),
                ],
            )
        if d.provision:
            book.entry(
                "OD",
                d.date,
                inv_id,
                [
                    ("681740", None, d.provision, zero, None),
                    ("491100", None, zero, d.provision, None),
                ],
            )
    for p in spec.payments:
        if p.invoice is None:
            book.entry(
                "BQ",
                p.date,
                f"UNAPP-{len(book.rows)}",
                [
                    ("512000", None, p.amount, zero, None),
                    ("411000", p.customer, zero, p.amount, None),
                ],
            )
            continue
        inv = by_id[p.invoice]
        account, letter = "411000", codes[inv.id]
        if inv.id in moved and p.date > moved[inv.id]:
            account, letter = "416000", letter.lower()
        customer_line = (account, inv.customer, zero, p.amount, letter)
        if p.kind == "payment":
            book.entry(
                "BQ",
                p.date,
                f"PAY-{inv.id}",
                [("512000", None, p.amount, zero, None), customer_line],
            )
        elif p.kind == "credit_note":
            net = (p.amount / (1 + VAT)).quantize(Decimal("0.01"))
            book.entry(
                "VT",
                p.date,
                f"AV-{inv.id}",
                [
                    ("706000", None, net, zero, None),
                    ("44571", None, p.amount - net, zero, None),
                    customer_line,
                ],
            )
        else:
            book.entry(
                "OD",
                p.date,
                f"PERTE-{inv.id}",
                [("654000", None, p.amount, zero, None), customer_line],
            )
    return pd.DataFrame(book.rows, columns=list(FEC_COLUMNS))
