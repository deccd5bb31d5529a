"""The FEC's foreign-currency columns (``Ledger.from_fec(..., amounts="transaction")``).

A hand-written FEC of the *Several currencies* page's worked example, booked
in euros by a French company:

* VT 1, Jan 15 2024: invoice F1 to ACME (US), 1,000.00 USD booked at the day's
  rate 1.0945 USD per EUR: 913.66 EUR (411 / 706), lettered A;
* VT 2, Jan 20: invoice F2 to DUPONT, 500.00 EUR (no currency columns);
* BQ 1, Feb 15: ACME pays 400.00 USD booked at 1.0743: 372.34 EUR (512 / 411),
  lettered A (a partial lettering: F1 keeps 600.00 USD open).

The amounts in currency are written as Odoo's French localisation writes them:
signed like Debit - Credit (the payment's -400,00), zero-padded with a leading
space, ``Idevise`` on every line (EUR on the euro lines).

Read with the booked amounts (the default): one currency, EUR, F1 913.66 and
its payment 372.34. Read with ``amounts="transaction"``: F1 1,000.00 USD and
400.00 USD paid, F2 500.00 EUR; translated into EUR at the rates of the booking
days, the sales and the cash are the booked euros again.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core.ingest.fec import FEC_COLUMNS

# the worked example's month-end (Feb 29) comes after the file's last entry (Feb 15)
pytestmark = pytest.mark.filterwarnings("ignore::creditkpi.core.errors.DataEndsWarning")


def line(
    journal: str,
    num: str,
    day: str,
    account: str,
    aux: str,
    piece: str,
    debit: str,
    credit: str,
    letter: str = "",
    foreign: str = "",
    code: str = "",
) -> list[str]:
    start = [journal, journal, num, day, account, account, aux, aux, piece, day]
    return [*start, piece, debit, credit, letter, "", day, foreign, code]


def odoo(value: str) -> str:
    """An amount as Odoo writes Montantdevise: to_char(x, '000000000000000D99'), comma."""
    sign = "-" if value.startswith("-") else " "
    whole, cents = value.lstrip("-").split(",")
    return f"{sign}{int(whole):015d},{cents}"


def fec(*, payment_foreign: str = "-400,00", payment_code: str = "USD") -> pd.DataFrame:
    rows = [
        line("VT", "1", "20240115", "411000", "ACME", "F1", "913,66", "0,00", "A",
             odoo("1000,00"), "USD"),
        line("VT", "1", "20240115", "706000", "", "F1", "0,00", "913,66", "",
             odoo("-1000,00"), "USD"),
        line("VT", "2", "20240120", "411000", "DUPONT", "F2", "500,00", "0,00", "",
             odoo("500,00"), "EUR"),
        line("VT", "2", "20240120", "706000", "", "F2", "0,00", "500,00", "",
             odoo("-500,00"), "EUR"),
        line("BQ", "1", "20240215", "512000", "", "V1", "372,34", "0,00", "",
             odoo("400,00"), "USD"),
        line("BQ", "1", "20240215", "411000", "ACME", "V1", "0,00", "372,34", "A",
             payment_foreign and odoo(payment_foreign), payment_code),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=FEC_COLUMNS)


def rates() -> ck.Rates:
    return ck.Rates.from_frame(
        pd.DataFrame(
            {
                "date": ["2024-01-15", "2024-01-31", "2024-02-15", "2024-02-29"],
                "currency": "USD",
                "rate": ["1.0945", "1.0837", "1.0743", "1.0826"],
            }
        )
    )


def test_booked_amounts_are_the_default_one_currency() -> None:
    ledger = ck.Ledger.from_fec(fec())
    assert ledger.currencies == ("EUR",)
    invoices = ledger.invoices[["invoice_id", "customer_id", "amount", "currency"]]
    assert invoices.to_dict("records") == [
        {"invoice_id": "F1", "customer_id": "ACME", "amount": Decimal("913.66"), "currency": "EUR"},
        {
            "invoice_id": "F2",
            "customer_id": "DUPONT",
            "amount": Decimal("500.00"),
            "currency": "EUR",
        },
    ]
    settlements = ledger.settlements[["invoice_id", "date", "amount", "kind"]]
    assert settlements.to_dict("records") == [
        {"invoice_id": "F1", "date": pd.Timestamp("2024-02-15"), "amount": Decimal("372.34"),
         "kind": "payment"},
    ]  # fmt: skip
    assert ck.receivables(ledger, "2024-02-29", money="decimal") == Decimal("1041.32")


def test_transaction_amounts_each_invoice_in_its_currency() -> None:
    ledger = ck.Ledger.from_fec(fec(), amounts="transaction")
    assert ledger.currencies == ("EUR", "USD")
    invoices = ledger.invoices[["invoice_id", "customer_id", "amount"]]
    assert invoices.to_dict("records") == [
        {"invoice_id": "F1", "customer_id": "ACME", "amount": Decimal("1000.00")},
        {"invoice_id": "F2", "customer_id": "DUPONT", "amount": Decimal("500.00")},
    ]
    settlements = ledger.settlements[["invoice_id", "date", "amount", "kind"]]
    assert settlements.to_dict("records") == [
        {"invoice_id": "F1", "date": pd.Timestamp("2024-02-15"), "amount": Decimal("400.00"),
         "kind": "payment"},
    ]  # fmt: skip
    jan, feb = ck.Period.month(2024, 1), ck.Period.month(2024, 2)
    sales = ck.sales(ledger, jan, by="currency", money="decimal")
    assert sales.to_dict() == {"EUR": Decimal("500.00"), "USD": Decimal("1000.00")}
    cash = ck.cash_collected(ledger, feb, by="currency", money="decimal")
    assert cash.to_dict() == {"EUR": Decimal("0.00"), "USD": Decimal("400.00")}
    per_currency = ck.receivables(ledger, "2024-02-15", by="currency", money="decimal")
    assert per_currency.to_dict() == {"EUR": Decimal("500.00"), "USD": Decimal("600.00")}


def test_translated_at_the_booking_rates_gives_the_booked_euros() -> None:
    book = ck.Ledger.from_fec(fec(), amounts="transaction").translate("EUR", rates())
    booked = ck.Ledger.from_fec(fec())
    # flows at their own day's rate: the sales and the cash as the bookkeeper booked them
    jan, feb = ck.Period.month(2024, 1), ck.Period.month(2024, 2)
    for period in (jan, feb):
        assert ck.sales(book, period, money="decimal") == ck.sales(booked, period, money="decimal")
        assert ck.cash_collected(book, period, money="decimal") == ck.cash_collected(
            booked, period, money="decimal"
        )
    assert ck.sales(book, jan, money="decimal") == Decimal("1413.66")
    assert ck.cash_collected(book, feb, money="decimal") == Decimal("372.34")
    fx = ck.fx_exposure(book, "2024-02-29", money="decimal")
    assert fx.loc["USD", "historical"] == Decimal("548.20")  # 600 / 1.0945
    assert fx.loc["USD", "closing"] == Decimal("554.22")  # 600 / 1.0826
    assert ck.fx_realised(book, "2024-02", money="decimal") == Decimal("6.88")
    # the historical receivables: what the books hold for F1's open 600 USD plus F2
    assert fx["historical"].sum() == Decimal("1048.20")


def test_unsigned_amounts_in_currency_take_the_side_of_the_line() -> None:
    # some packages write the amount in currency without its sign
    frame = fec(payment_foreign="400,00")
    for k in range(len(frame)):
        frame.loc[k, "Montantdevise"] = frame.loc[k, "Montantdevise"].replace("-", " ")
    ledger = ck.Ledger.from_fec(frame, amounts="transaction")
    assert ledger.settlements["amount"].tolist() == [Decimal("400.00")]
    assert ledger.invoices["amount"].tolist() == [Decimal("1000.00"), Decimal("500.00")]


def test_empty_currency_columns_are_the_booked_currency() -> None:
    frame = fec()
    frame.loc[2:3, ["Montantdevise", "Idevise"]] = ""  # F2 without currency columns
    ledger = ck.Ledger.from_fec(frame, amounts="transaction")
    sales = ck.sales(ledger, ck.Period.month(2024, 1), by="currency", money="decimal")
    assert sales.to_dict() == {"EUR": Decimal("500.00"), "USD": Decimal("1000.00")}


def test_a_currency_without_an_amount_in_it_is_an_error() -> None:
    with pytest.raises(ck.CreditKPIError, match="missing-foreign-amount") as info:
        ck.Ledger.from_fec(fec(payment_foreign=""), amounts="transaction")
    assert info.value.column == "Montantdevise"
    assert info.value.ids == ("BQ 1",)
    assert 'amounts="booked"' in str(info.value)


def test_an_amount_in_currency_without_its_currency_is_an_error() -> None:
    with pytest.raises(ck.CreditKPIError, match="missing-foreign-currency") as info:
        ck.Ledger.from_fec(fec(payment_code=""), amounts="transaction")
    assert info.value.column == "Idevise"
    assert info.value.ids == ("BQ 1",)


def test_a_lettering_group_of_two_currencies_is_an_error() -> None:
    # the payment booked in euros (no currency) but lettered with the dollar invoice
    frame = fec(payment_foreign="-372,34", payment_code="EUR")
    with pytest.raises(ck.CreditKPIError, match="mixed-currencies") as info:
        ck.Ledger.from_fec(frame, amounts="transaction")
    assert info.value.values == ("A: EUR, USD",)
    assert info.value.ids == ("VT 1", "BQ 1")
    assert ck.Ledger.from_fec(frame).currencies == ("EUR",)  # the booked amounts read it


def test_a_sign_other_than_the_lines_is_an_error() -> None:
    frame = fec()
    frame.loc[0, "Montantdevise"] = odoo("-1000,00")  # the invoice's debit, negative
    with pytest.raises(ck.CreditKPIError, match="foreign-amount-sign") as info:
        ck.Ledger.from_fec(frame, amounts="transaction")
    assert info.value.ids == ("VT 1",)
    assert info.value.values == ("Montantdevise=-1000.00 USD, Debit-Credit=913.66",)


def test_a_zero_amount_in_currency_on_a_booked_line_is_an_error() -> None:
    with pytest.raises(ck.CreditKPIError, match="foreign-amount-sign"):
        ck.Ledger.from_fec(fec(payment_foreign="0,00"), amounts="transaction")


def test_a_currency_that_is_no_iso_code_is_an_error() -> None:
    with pytest.raises(ck.CreditKPIError, match="invalid-currency") as info:
        ck.Ledger.from_fec(fec(payment_code="DOLLAR"), amounts="transaction")
    assert info.value.values == ("DOLLAR",)


def test_amounts_option_is_checked() -> None:
    with pytest.raises(ck.CreditKPIError, match="amounts must be 'booked'"):
        ck.Ledger.from_fec(fec(), amounts="devise")  # type: ignore[arg-type]


def test_minor_units_follow_the_currency() -> None:
    frame = fec()
    frame.loc[[0, 1], "Idevise"] = "JPY"
    frame.loc[0, "Montantdevise"] = "150000,00"  # written with two places: whole yen
    frame.loc[1, "Montantdevise"] = "-150000,00"
    frame.loc[[4, 5], "Idevise"] = "JPY"
    frame.loc[4, "Montantdevise"] = "60000,00"
    frame.loc[5, "Montantdevise"] = "-60000,00"
    ledger = ck.Ledger.from_fec(frame, amounts="transaction")
    assert ck.receivables(ledger, "2024-02-29", by="currency", money="decimal").to_dict() == {
        "EUR": Decimal("500.00"),
        "JPY": Decimal("90000"),
    }
    frame.loc[0, "Montantdevise"] = "150000,50"
    with pytest.raises(ck.CreditKPIError, match="sub-minor-unit-amount"):
        ck.Ledger.from_fec(frame, amounts="transaction")


def test_a_provision_in_another_currency_than_its_invoice_is_an_error() -> None:
    # F1 moves to doubtful customers (411 -> 416, in dollars) and gets a provision
    # booked in euros only (491 without Idevise)
    extra = [
        line("OD", "1", "20240301", "416000", "ACME", "F1", "548,20", "0,00", "B",
             odoo("600,00"), "USD"),
        line("OD", "1", "20240301", "411000", "ACME", "F1", "0,00", "548,20", "A",
             odoo("-600,00"), "USD"),
        line("OD", "2", "20240331", "681740", "", "F1", "300,00", "0,00"),
        line("OD", "2", "20240331", "491100", "", "F1", "0,00", "300,00"),
    ]  # fmt: skip
    frame = pd.concat([fec(), pd.DataFrame(extra, columns=FEC_COLUMNS)], ignore_index=True)
    booked = ck.Ledger.from_fec(frame)
    assert ck.doubtful_receivables(booked, "2024-03-31", money="decimal") == Decimal("541.32")
    with pytest.raises(ck.CreditKPIError, match="mixed-currencies") as info:
        ck.Ledger.from_fec(frame, amounts="transaction")
    assert info.value.ids == ("F1",)
    assert info.value.values == ("invoice USD, provision EUR",)
    frame.loc[len(frame) - 1, ["Montantdevise", "Idevise"]] = [odoo("-328,20"), "USD"]
    frame.loc[len(frame) - 2, ["Montantdevise", "Idevise"]] = [odoo("328,20"), "USD"]
    book = ck.Ledger.from_fec(frame, amounts="transaction")
    assert ck.doubtful_receivables(
        book, "2024-03-31", by="currency", money="decimal"
    ).to_dict() == {
        "EUR": Decimal("0.00"),
        "USD": Decimal("600.00"),
    }
