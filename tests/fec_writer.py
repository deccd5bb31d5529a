"""Write a generated ledger as the FECs a bookkeeper would post (a test helper).

Every invoice is an entry of the sales journal (debit 411 the amount, credit
706 and 44571 the net and the VAT), lettered with a code of its own; each of
its settlements is lettered with that code: a payment in the bank journal
(debit 512 / credit 411), a credit note in the sales journal (debit 706 and
44571 / credit 411), a write-off in the miscellaneous journal (debit 654 /
credit 411). A doubtful classification is a transfer of what is still owed
from 411 to 416 (its 416 line lettered with a second code, which the later
settlements use, posted on 416) with its provision on 491 (PieceRef the
invoice). Unapplied cash is an unlettered 411 credit of the bank journal. A
credit's ``DateLet`` is its application date (``Payment.applied``, else its date).

:func:`write_years` writes a book as two consecutive FECs in the conventions of
the accounting packages for the opening entries (per invoice, per customer, the
earlier lines lettered or not, the lettering codes reused), :func:`write_credits`
as an extract holding only the customer credits; each returns the FECs with what
they mean (the oracle of the metamorphic property).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

import creditkpi as ck
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

    def entry(
        self,
        journal: str,
        day: date,
        piece: str,
        lines: list[tuple[Any, ...]],
        lettered: date | None = None,
    ) -> None:
        """One balanced entry: lines of (account, customer, debit, credit, lettering).

        A lettered line's ``DateLet`` is ``lettered`` (default: the entry's day).
        """
        self.numbers[journal] += 1
        number = str(self.numbers[journal])
        for account, customer, debit, credit, letter in lines:
            self.rows.append(
                [
                    journal, journal, number, _day(day), account, account, customer or "",
                    customer or "", piece, _day(day), piece,
                    _amount(debit), _amount(credit), letter or "",
                    _day(lettered or day) if letter else "", _day(day), "", "",
                ]
            )  # fmt: skip

    def opening(self, day: date, lines: list[tuple[Any, ...]]) -> None:
        """The *à nouveaux* entry: lines of (account, customer, debit, credit, lettering,
        piece, piece date, lettering date), each item with its own document."""
        self.numbers["AN"] += 1
        number = str(self.numbers["AN"])
        for account, customer, debit, credit, letter, piece, piece_day, lettered in lines:
            self.rows.append(
                [
                    "AN", "A nouveaux", number, _day(day), account, account, customer or "",
                    customer or "", piece, _day(piece_day), f"Report {piece}",
                    _amount(debit), _amount(credit), letter or "",
                    _day(lettered) if letter and lettered else "", _day(day), "", "",
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
        lettered = _applied(p)
        if p.kind == "payment":
            book.entry(
                "BQ",
                p.date,
                f"PAY-{inv.id}",
                [("512000", None, p.amount, zero, None), customer_line],
                lettered,
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
                lettered,
            )
        else:
            book.entry(
                "OD",
                p.date,
                f"PERTE-{inv.id}",
                [("654000", None, p.amount, zero, None), customer_line],
                lettered,
            )
    return pd.DataFrame(book.rows, columns=list(FEC_COLUMNS))


# ----------------------------------------------------------------- two fiscal years
#: the first day of the second fiscal year of :func:`write_years`
BOUNDARY = date(2024, 1, 1)

#: the conventions :func:`write_years` writes
CONVENTIONS = ("per-invoice", "per-customer")


@dataclass(frozen=True)
class Years:
    """Two consecutive FECs of one book, and what they mean (the oracle).

    ``intent`` holds the settlements as the FECs express them: with
    application dates (a credit applied at its ``DateLet``); its
    :meth:`posted` form applies every settlement on its date.
    """

    fecs: list[pd.DataFrame]
    intent: LedgerSpec

    def posted(self) -> LedgerSpec:
        return replace(
            self.intent, payments=[replace(p, applied=None) for p in self.intent.payments]
        )


def write_years(
    spec: LedgerSpec,
    *,
    convention: str,
    earlier_lettered: bool = True,
    reuse_codes: bool = False,
) -> Years:
    """``spec`` (without doubtful classifications) as the FECs of 2023 and 2024.

    The 2023 FEC holds what is dated before 2024 and letters each invoice
    with its settlements (an invoice with no 2023 settlement is left
    unlettered unless ``earlier_lettered``). The 2024 FEC opens with the *à
    nouveaux* entry: ``"per-invoice"``, one line per item open at the close
    (an invoice's remainder, an unapplied payment), lettered with the 2024
    settlements of that invoice; ``"per-customer"``, one line per customer with
    its open balance (invoices less unapplied payments), lettered with the
    customer's 2024 settlements of 2023 invoices. Those settle the customer's
    2023 items oldest due first, its unapplied 2023 payments first: the
    intent is rebuilt that way. 2024's codes restart at ``AAA`` with
    ``reuse_codes`` (so they collide with 2023's). A credit's ``DateLet`` is
    its application date (clipped to the fiscal year of its posting).
    """
    assert not spec.doubtful, "doubtful transfers are written by write_fec only"
    last_day = BOUNDARY - timedelta(days=1)
    payments = [
        replace(p, applied=min(p.applied, last_day))
        if p.applied is not None and p.date < BOUNDARY
        else p
        for p in spec.payments
    ]
    by_id = {inv.id: inv for inv in spec.invoices}
    early = [p for p in payments if p.date < BOUNDARY]
    late = [p for p in payments if p.date >= BOUNDARY]
    open_at_close: dict[str, Decimal] = {}
    for inv in spec.invoices:
        if inv.issue_date < BOUNDARY:
            paid = sum((p.amount for p in early if p.invoice == inv.id), Decimal(0))
            if inv.amount - paid > 0:
                open_at_close[inv.id] = inv.amount - paid
    unapplied_at_close = [p for p in early if p.invoice is None]
    carried_later = [p for p in late if p.invoice in open_at_close]
    codes1 = {inv.id: _letter(k) for k, inv in enumerate(spec.invoices)}
    offset = 0 if reuse_codes else len(spec.invoices)
    codes2 = {inv.id: _letter(offset + k) for k, inv in enumerate(spec.invoices)}

    y1, y2 = _Book(), _Book()
    zero = Decimal(0)
    for inv in spec.invoices:
        book = y1 if inv.issue_date < BOUNDARY else y2
        code = (codes1 if book is y1 else codes2)[inv.id]
        if book is y1 and not earlier_lettered and not any(p.invoice == inv.id for p in early):
            code = None  # open at the close, nothing lettered with it yet
        _invoice_entry(book, inv, code)
    # the opening entry of 2024 and the codes 2024 letters the 2023 items with
    opening: list[tuple[Any, ...]] = []
    carry_code: dict[str, str | None] = {}
    per_customer: set[str] = set()
    intent_payments = [p for p in payments if p.invoice not in open_at_close or p.date < BOUNDARY]
    customers = sorted(
        {by_id[i].customer for i in open_at_close} | {p.customer for p in unapplied_at_close}
    )  # type: ignore[type-var]
    for who in customers:
        debits = [i for i in open_at_close if by_id[i].customer == who]
        credits = [p for p in unapplied_at_close if p.customer == who]
        later = [p for p in carried_later if by_id[p.invoice].customer == who]  # type: ignore[index]
        net = sum((open_at_close[i] for i in debits), zero) - sum((p.amount for p in credits), zero)
        if convention == "per-customer" and net != 0:
            per_customer.add(who)
            code = f"Z{_letter(len(per_customer))}" if later else None
            when = min((_applied(p) for p in later), default=BOUNDARY)
            opening.append((who, f"RAN-{who}", BOUNDARY, net, code, when))
            for i in debits:
                carry_code[i] = code
            intent_payments = [p for p in intent_payments if p not in credits]
            intent_payments += _first_due_first(debits, credits, later, open_at_close, by_id, when)
            continue
        for i in debits:
            mine = [p for p in later if p.invoice == i]
            code = codes2[i] if mine else None
            carry_code[i] = code
            when = min((_applied(p) for p in mine), default=BOUNDARY)
            opening.append((who, i, by_id[i].issue_date, open_at_close[i], code, when))
            intent_payments += mine
        for p in credits:
            opening.append((who, _unapplied_piece(p), p.date, -p.amount, None, BOUNDARY))
    if opening:
        lines = [
            ("411000", who, max(amount, zero), max(-amount, zero), code, piece, day, when)
            for who, piece, day, amount, code, when in opening
        ]
        total = sum((a for *_, a, _c, _w in opening), zero)
        lines.append(
            ("890000", None, max(-total, zero), max(total, zero), None, "AN", BOUNDARY, None)
        )
        y2.opening(BOUNDARY, lines)
    for p in payments:
        book = y1 if p.date < BOUNDARY else y2
        if p.invoice is None:
            _unapplied_entry(book, p)
            continue
        if book is y2 and p.invoice in open_at_close:
            code = carry_code[p.invoice]
        else:
            code = (codes1 if book is y1 else codes2)[p.invoice]
        _settlement_entry(book, p, by_id[p.invoice].customer, code)
    columns = list(FEC_COLUMNS)
    fecs = [pd.DataFrame(b.rows, columns=columns) for b in (y1, y2) if b.rows]
    intent = LedgerSpec(
        list(spec.invoices), intent_payments, list(spec.disputes), list(spec.statuses)
    )
    return Years(fecs, intent)


def write_credits(spec: LedgerSpec) -> Years:
    """Only the customer credits of ``spec`` (a bank statement FEC, an extract of receipts).

    Read without their invoices, every credit is its customer's unapplied
    credit, whatever its kind and lettering: that is the intent.
    """
    book = _Book()
    by_id = {inv.id: inv for inv in spec.invoices}
    intent: list[ck.Payment] = []
    for k, p in enumerate(spec.payments):
        who = p.customer if p.invoice is None else by_id[p.invoice].customer
        code = None if p.invoice is None else _letter(k)
        _settlement_entry(book, replace(p, applied=None), who, code)
        intent.append(ck.Payment(None, p.date, p.amount, customer=who))
    return Years([pd.DataFrame(book.rows, columns=list(FEC_COLUMNS))], LedgerSpec([], intent))


def _applied(p: ck.Payment) -> date:
    return p.date if p.applied is None else max(p.applied, p.date)


def _unapplied_piece(p: ck.Payment) -> str:
    return f"UNAPP-{p.customer}-{p.date:%Y%m%d}-{p.amount}"


def _first_due_first(
    debits: list[str],
    credits: list[ck.Payment],
    later: list[ck.Payment],
    open_at_close: dict[str, Decimal],
    by_id: dict[str, ck.Invoice],
    lettered: date,
) -> list[ck.Payment]:
    """What a lettered per-customer opening means: the customer's unapplied 2023 payments,
    then its 2024 settlements of 2023 invoices, settle those invoices oldest due first."""
    if not later:  # the opening line is not lettered: nothing settles the 2023 items
        return list(credits)
    owed = sorted(debits, key=lambda i: (by_id[i].due_date, by_id[i].issue_date, i))
    left = {i: open_at_close[i] for i in owed}
    out: list[ck.Payment] = []
    for p in [*sorted(credits, key=lambda p: p.date), *sorted(later, key=lambda p: p.date)]:
        rest = p.amount
        applied = lettered if p.invoice is None else p.applied
        kind = p.kind
        for i in owed:
            if rest == 0:
                break
            piece = min(rest, left[i])
            if piece > 0:
                out.append(ck.Payment(i, p.date, piece, kind=kind, applied=applied))
                left[i] -= piece
                rest -= piece
        if rest > 0:  # more than the 2023 items: the customer's unapplied credit
            out.append(ck.Payment(None, p.date, rest, customer=by_id[owed[0]].customer))
    return out


def _invoice_entry(book: _Book, inv: ck.Invoice, code: str | None) -> None:
    zero = Decimal(0)
    net = (inv.amount / (1 + VAT)).quantize(Decimal("0.01"))
    book.entry(
        "VT",
        inv.issue_date,
        inv.id,
        [
            ("411000", inv.customer, inv.amount, zero, code),
            ("706000", None, zero, net, None),
            ("44571", None, zero, inv.amount - net, None),
        ],
    )


def _unapplied_entry(book: _Book, p: ck.Payment) -> None:
    zero = Decimal(0)
    book.entry(
        "BQ",
        p.date,
        _unapplied_piece(p),
        [("512000", None, p.amount, zero, None), ("411000", p.customer, zero, p.amount, None)],
    )


def _settlement_entry(book: _Book, p: ck.Payment, customer: str | None, code: str | None) -> None:
    zero = Decimal(0)
    line = ("411000", customer, zero, p.amount, code)
    lettered = _applied(p) if code else None
    piece = f"PAY-{p.invoice}-{p.date:%Y%m%d}-{p.amount}"
    if p.kind == "payment":
        book.entry("BQ", p.date, piece, [("512000", None, p.amount, zero, None), line], lettered)
    elif p.kind == "credit_note":
        net = (p.amount / (1 + VAT)).quantize(Decimal("0.01"))
        book.entry(
            "VT",
            p.date,
            piece,
            [("706000", None, net, zero, None), ("44571", None, p.amount - net, zero, None), line],
            lettered,
        )
    else:
        book.entry("OD", p.date, piece, [("654000", None, p.amount, zero, None), line], lettered)
