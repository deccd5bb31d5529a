"""Several currencies: per-invoice currency through the builders, one summing rule, Rates.

One test per bad-input rule: the error class, its rule, the column, the
first offending ids and values, and the option that fixes it.
"""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core import errors as E

D = Decimal


@pytest.fixture(autouse=True)
def _quiet() -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataEndsWarning)
        yield


def invoices(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "invoice_id": ["F1", "F2", "F3", "F4"],
        "customer_id": ["A", "B", "A", "C"],
        "issue_date": ["2024-01-05", "2024-01-10", "2024-02-01", "2024-01-15"],
        "due_date": ["2024-02-04", "2024-02-09", "2024-03-02", "2024-02-14"],
        "amount": ["100.00", "250.50", "80.00", "5000"],
        "currency": ["EUR", "USD", "EUR", "JPY"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def payments(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "invoice_id": ["F1", "F2", None],
        "customer_id": [None, None, "B"],
        "date": ["2024-02-01", "2024-02-15", "2024-02-20"],
        "amount": ["100.00", "50.00", "10.00"],
        "currency": [None, "usd", "USD"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_each_invoice_keeps_its_currency_through_from_frames() -> None:
    ledger = ck.Ledger.from_frames(invoices(), payments())
    assert ledger.currencies == ("EUR", "JPY", "USD")
    assert "currency" in ledger.attributes
    got = ck.receivables(ledger, "2024-02-29", by="currency", money="decimal")
    assert got.to_dict() == {"EUR": D("80.00"), "JPY": D("5000"), "USD": D("200.50")}
    assert ck.unapplied_cash(ledger, "2024-02-29", by="currency", money="decimal").to_dict() == {
        "EUR": D("0.00"),
        "JPY": D("0"),
        "USD": D("10.00"),
    }
    # each customer bills in one currency: by customer works, each in its currency
    by_customer = ck.receivables(ledger, "2024-02-29", by="customer_id", money="decimal")
    assert by_customer.to_dict() == {"A": D("80.00"), "B": D("200.50"), "C": D("5000")}
    assert ck.cash_collected(ledger, "2024-02", by="currency", money="decimal")["USD"] == D("60.00")


def test_the_canonical_frames_show_each_items_currency_at_its_own_minor_unit() -> None:
    ledger = ck.Ledger.from_frames(invoices(), payments())
    table = ledger.invoices
    assert table["currency"].tolist() == ["EUR", "USD", "EUR", "JPY"]
    # JPY has no decimals: 5000, not 5000.00 (the columns hold the finest unit)
    assert [str(a) for a in table["amount"]] == ["100.00", "250.50", "80.00", "5000"]
    paid = ledger.settlements
    assert paid["currency"].tolist() == ["EUR", "USD", "USD"]
    assert [str(a) for a in paid["amount"]] == ["100.00", "50.00", "10.00"]
    # rebuilt from its own frames, the book is the same book
    again = ck.Ledger.from_frames(table, paid.drop(columns=["applied", "kind", "row"]))
    assert again.invoices.equals(table)
    one = ck.Ledger.from_frames(
        invoices().drop(columns="currency"), payments().drop(columns="currency")
    )
    assert set(one.invoices["currency"]) == {"EUR"} and "currency" not in one.settlements


def test_from_records_and_from_invoice_table_read_the_currency() -> None:
    records = ck.Ledger.from_records(
        [
            ck.Invoice("F1", "A", "2024-01-05", "2024-02-04", "100.00", currency="eur"),
            ck.Invoice("F2", "B", "2024-01-10", "2024-02-09", "250.50", currency="USD"),
        ],
        [
            ck.Payment("F2", "2024-02-15", "50.00"),
            ck.Payment(None, "2024-02-20", "10.00", customer="B", currency="USD"),
        ],
    )
    assert records.currencies == ("EUR", "USD")
    got = ck.receivables(records, "2024-02-29", by="currency", money="decimal")
    assert got.to_dict() == {"EUR": D("100.00"), "USD": D("200.50")}
    table = pd.DataFrame(
        {
            "invoice_id": ["F1", "F2"],
            "customer_id": ["A", "B"],
            "issue_date": ["2024-01-05", "2024-01-10"],
            "due_date": ["2024-02-04", "2024-02-09"],
            "amount": ["100.00", "250.50"],
            "settled_date": [None, "2024-02-15"],
            "devise": ["EUR", "USD"],
        }
    )
    one = ck.Ledger.from_invoice_table(table.drop(columns="devise"), currency="USD")
    assert one.currency == "USD" and one.currencies == ("USD",)
    several = ck.Ledger.from_invoice_table(table, currency="devise")
    assert several.currencies == ("EUR", "USD")
    got = ck.receivables(several, "2024-02-29", by="currency", money="decimal")
    assert got.to_dict() == {"EUR": D("100.00"), "USD": D("0.00")}
    with pytest.raises(E.InvalidOptionError) as info:
        ck.Ledger.from_invoice_table(table, currency="DOLLARS")
    assert info.value.column == "currency"
    with pytest.raises(E.InvalidOptionError):  # one code beside a currency column
        ck.Ledger.from_invoice_table(table.rename(columns={"devise": "currency"}), currency="USD")


def test_a_one_currency_ledger_groups_by_currency_too() -> None:
    ledger = ck.Ledger.from_frames(invoices(currency=["EUR"] * 3 + ["EUR"], amount=["1"] * 4))
    assert ledger.currencies == ("EUR",) and ledger.currency == "EUR"
    got = ck.receivables(ledger, "2024-02-29", by="currency", money="decimal")
    assert got.to_dict() == {"EUR": D("4.00")}
    assert ck.receivables(ledger, "2024-02-29", money="decimal") == D("4.00")


def test_mixed_currencies_in_one_sum() -> None:
    ledger = ck.Ledger.from_frames(invoices(), payments())
    with pytest.raises(E.MixedCurrencyError) as info:
        ck.receivables(ledger, "2024-02-29")
    err = info.value
    assert isinstance(err, ValueError) and err.rule == "mixed-currencies"
    assert err.column == "currency" and err.values == ("EUR", "JPY", "USD")
    text = str(err)
    assert "ledger.translate(" in text and "by='currency'" in text
    # a customer billing in two currencies: its group is named
    two = ck.Ledger.from_frames(invoices(customer_id=["A", "A", "B", "C"]))
    with pytest.raises(E.MixedCurrencyError) as info:
        ck.aging(two, "2024-02-29", by="customer_id")
    assert info.value.ids == ("A",) and info.value.values == ("EUR", "USD")
    with pytest.raises(E.MixedCurrencyError):
        ck.dso(two, "2024-02")


def test_payment_in_another_currency_than_its_invoice() -> None:
    with pytest.raises(E.MixedCurrencyError) as info:
        ck.Ledger.from_frames(invoices(), payments(currency=["EUR", "GBP", "USD"]))
    err = info.value
    assert err.column == "currency" and err.ids == ("F2",)
    assert err.values == ("GBP (invoice: USD)",)
    assert err.hint is not None and "its invoice's currency" in err.hint


def test_unapplied_cash_without_currency_in_a_book_of_several() -> None:
    with pytest.raises(E.MissingValueError) as info:
        ck.Ledger.from_frames(invoices(), payments(currency=[None, None, None]))
    err = info.value
    assert err.column == "currency" and err.ids == ("payments row 2",)
    assert err.hint is not None and "currency column" in err.hint


def test_amount_finer_than_its_own_currency() -> None:
    with pytest.raises(E.SubMinorUnitError) as info:
        ck.Ledger.from_frames(invoices(amount=["100.00", "250.50", "80.00", "5000.5"]))
    err = info.value
    assert err.column == "amount" and err.ids == ("F4",) and "JPY: 0 decimal" in str(err)


def test_not_an_iso_code() -> None:
    with pytest.raises(E.InvalidValueError) as info:
        ck.Ledger.from_frames(invoices(currency=["EUR", "USD", "EUR", "YEN"]))
    assert info.value.column == "currency" and info.value.ids == ("F4",)
    assert info.value.values == ("YEN",)
    with pytest.raises(E.InvalidValueError):
        ck.Payment(None, "2024-01-01", "1.00", customer="A", currency="DOLLAR")


# ----------------------------------------------------------------------------------
# Rates
# ----------------------------------------------------------------------------------


def rates_frame(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "date": ["2024-01-02", "2024-01-03", "2024-01-02", "2024-01-03"],
        "currency": ["USD", "USD", "JPY", "JPY"],
        "rate": ["1.0956", "1.0919", "155.73", "156.00"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_rate_is_the_last_on_or_before_the_date() -> None:
    rates = ck.Rates.from_frame(rates_frame())
    assert rates.base == "EUR" and rates.currencies == ("EUR", "JPY", "USD")
    assert rates.rate("USD", "2024-01-02") == D("1.0956")
    assert rates.rate("USD", date(2024, 1, 6)) == D("1.0919")  # Saturday: Wednesday's
    assert rates.rate("EUR", "2024-01-06") == D(1)
    # cross rates through the base, exact: JPY per USD and back
    assert rates.cross("USD", "JPY", "2024-01-02") == Fraction("155.73") / Fraction("1.0956")
    assert rates.cross("JPY", "USD", "2024-01-03") == Fraction("1.0919") / Fraction("156.00")
    assert rates.first_date == date(2024, 1, 2) and rates.last_date == date(2024, 1, 3)


def test_rates_with_another_base_and_own_columns() -> None:
    frame = pd.DataFrame({"jour": ["2024-01-02"], "devise": ["EUR"], "cours": ["0.9127"]})
    rates = ck.Rates.from_frame(
        frame, base="USD", columns={"date": "jour", "currency": "devise", "rate": "cours"}
    )
    assert rates.rate("EUR", "2024-01-02") == D("0.9127")
    assert rates.cross("EUR", "USD", "2024-01-02") == 1 / Fraction("0.9127")


def test_missing_rate_before_the_first_fixing() -> None:
    rates = ck.Rates.from_frame(rates_frame())
    with pytest.raises(ck.MissingRateError) as info:
        rates.rate("USD", "2023-12-29")
    err = info.value
    assert isinstance(err, ValueError) and err.rule == "missing-rate"
    assert "USD" in str(err) and "2023-12-29" in str(err)
    with pytest.raises(ck.MissingRateError) as info:
        rates.rate("GBP", "2024-01-02")
    assert "GBP" in str(info.value)


def test_stale_rate_beyond_max_gap() -> None:
    rates = ck.Rates.from_frame(rates_frame())
    assert rates.max_gap == 7
    assert rates.rate("USD", "2024-01-10") == D("1.0919")  # 7 days: still held
    with pytest.raises(ck.MissingRateError) as info:
        rates.rate("USD", "2024-01-11")
    err = info.value
    assert err.rule == "stale-rate" and "USD" in str(err) and "2024-01-11" in str(err)
    assert "max_gap" in str(err)
    monthly = ck.Rates.from_frame(rates_frame(), max_gap=None)
    assert monthly.rate("USD", "2024-06-30") == D("1.0919")


def test_duplicate_rate() -> None:
    with pytest.raises(E.CreditKPIError) as info:
        ck.Rates.from_frame(rates_frame(date=["2024-01-02"] * 4))
    assert info.value.rule == "duplicate-rate" and info.value.column == "date"


def test_rate_must_be_a_positive_number() -> None:
    with pytest.raises(E.NonPositiveAmountError) as info:
        ck.Rates.from_frame(rates_frame(rate=["1.0956", "0", "155.73", "156"]))
    assert info.value.column == "rate"
    with pytest.raises(E.InvalidAmountError) as info2:
        ck.Rates.from_frame(rates_frame(rate=["1.0956", "abc", "155.73", "156"]))
    assert info2.value.column == "rate"


def test_rates_table_checks() -> None:
    with pytest.raises(E.MissingColumnError) as info:
        ck.Rates.from_frame(rates_frame().drop(columns="rate"))
    assert info.value.column == "rate"
    with pytest.raises(E.InvalidValueError) as info2:
        ck.Rates.from_frame(rates_frame(currency=["USD", "USD", "YEN", "YEN"]))
    assert info2.value.column == "currency" and "YEN" in info2.value.values
    with pytest.raises(E.InvalidValueError):  # the base's own rate is 1
        ck.Rates.from_frame(rates_frame(currency=["USD", "USD", "EUR", "EUR"]))
    with pytest.raises(E.InvalidOptionError):
        ck.Rates.from_frame(rates_frame(), max_gap=-1)


def test_ecb_rates_are_the_published_fixings() -> None:
    """Fixings as the ECB published them (e.g. coinwelly.com/rate/eurmxn/2024 lists 18.6887).

    USD 1.0956 and MXN 18.6887 on 2024-01-02; the Saturday 2024-01-06 takes
    Friday's GBP 0.86210; JPY 119.82 on 2020-03-02.
    """
    pytest.importorskip("currency_converter")
    rates = ck.Rates.ecb()
    assert rates.base == "EUR" and rates.first_date == date(1999, 1, 4)
    assert rates.rate("USD", "2024-01-02") == D("1.0956")
    assert rates.rate("MXN", "2024-01-02") == D("18.6887")
    assert rates.rate("GBP", "2024-01-06") == D("0.86210")
    assert rates.rate("JPY", "2020-03-02") == D("119.82")
    with pytest.raises(ck.MissingRateError):
        rates.rate("USD", "1998-12-31")


def _three_currencies() -> ck.Ledger:
    country = [{"country": "FR", "segment": "S"}] * 2 + [{"country": "JP", "segment": "S"}]
    return ck.Ledger.from_records(
        [
            ck.Invoice("F1", "A", "2024-01-05", "2024-02-04", "100.00", "EUR", attrs=country[0]),
            ck.Invoice("F2", "B", "2024-01-10", "2024-02-09", "250.50", "USD", attrs=country[1]),
            ck.Invoice("J1", "C", "2024-01-15", "2024-02-14", "5000", "JPY", attrs=country[2]),
        ],
        [
            ck.Payment("F2", "2024-02-15", "50.00"),
            ck.Payment(None, "2024-02-20", "10.00", customer="B", currency="USD"),
        ],
    )


def test_a_selection_keeps_each_items_currency() -> None:
    ledger = _three_currencies()
    usd = ledger.select(customers="B")
    assert usd.currencies == ("USD",)
    assert ck.receivables(usd, "2024-02-29", money="decimal") == D("200.50")
    assert ck.unapplied_cash(usd, "2024-02-29", money="decimal") == D("10.00")
    jpy = ledger.select(where={"country": "JP"})
    assert str(ck.receivables(jpy, "2024-02-29", money="decimal")) == "5000"  # its own unit
    two = ledger.select(customers=["A", "B"])
    assert two.currencies == ("EUR", "USD")
    with pytest.raises(E.MixedCurrencyError):
        ck.receivables(two, "2024-02-29")
    got = ck.receivables(two, "2024-02-29", by="currency", money="decimal")
    assert got.to_dict() == {"EUR": D("100.00"), "USD": D("200.50")}


def test_by_a_list_of_columns_sums_within_one_currency() -> None:
    ledger = _three_currencies()
    got = ck.receivables(ledger, "2024-02-29", by=["currency", "customer_id"], money="decimal")
    assert got.to_dict() == {
        ("EUR", "A"): D("100.00"),
        ("JPY", "C"): D("5000"),
        ("USD", "B"): D("200.50"),
    }
    with pytest.raises(E.MixedCurrencyError) as info:
        ck.receivables(ledger, "2024-02-29", by=["country", "segment"])
    assert info.value.ids == ("FR / S",) and info.value.values == ("EUR", "USD")


# the translation's linear-time sort and distinct days give numpy's own answers
@given(
    keys=st.lists(st.integers(0, 2**34), max_size=300)
    | st.lists(st.integers(0, 70_000), max_size=300)
    | st.lists(st.integers(0, 5), max_size=300)
    | st.lists(st.integers(-70_000, 70_000), max_size=300)
)
def test_translation_order_and_distinct_days_are_numpys(keys: list[int]) -> None:
    from creditkpi.core.fx.translate import _distinct_days
    from creditkpi.core.ingest.settlements import stable_order

    k = np.asarray(keys, dtype=np.int64)
    assert np.array_equal(stable_order(k), np.argsort(k, kind="stable"))
    unique, back = _distinct_days(k)
    want_unique, want_back = np.unique(k, return_inverse=True)
    assert np.array_equal(unique, want_unique)
    assert np.array_equal(back, want_back.ravel())
