"""Several currencies in the item-level results: credit figures, open items, statement, claims.

The worked example of the *Several currencies* page, by hand: F1, 1000.00 USD to
US1, issued 2024-01-15 due 2024-02-14, 400.00 USD paid 2024-02-15; F2, 500.00
EUR to FR1, issued 2024-01-20 due 2024-03-20. USD per EUR: 1.0945 (01-15),
1.0837 (01-31), 1.0743 (02-15), 1.0826 (02-29). On 2024-02-29:

* F1's 600.00 USD open at the closing rate: 600 / 1.0826 = 554.2213 -> 554.22 EUR
  (at its historical rate it would be 600 / 1.0945 = 548.20), its amount
  1000 / 1.0826 = 923.7022 -> 923.70;
* credit limits of 500.00 EUR (US1) and 1000.00 EUR (FR1): US1 is 54.22 over,
  uses 554.22 / 500 = 1.10844 of its limit;
* late-payment penalties on F1 at the statutory rate of the first half of 2024
  (ECB main refinancing rate of 1 January 2024, 4.50 %, + 10 points = 14.50 %),
  365-day year: 1 day (02-15) on 1000.00 USD and 14 days (02-16..02-29) on
  600.00 USD: 9400 × 0.145 / 365 = 3.7342 -> 3.73 USD; translated at the closing
  rate: 3.73 / 1.0826 = 3.4454 -> 3.45 EUR; the 40 EUR indemnity in a USD
  report: 40 × 1.0826 = 43.304 -> 43.30 USD.
"""

from __future__ import annotations

import csv
import io
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given

import creditkpi as ck
from creditkpi import distributed as ckd
from creditkpi.cli import main
from creditkpi.core import errors as E
from tests.metrics.test_fx import (
    CURRENCY_OF,
    PROPERTY,
    RATES,
    USD_RATES,
    in_currencies,
    one_currency,
    worked_example,
)
from tests.strategies import LedgerSpec, as_of_dates, ledger_specs

D = Decimal
T = "2024-02-29"
LIMITS = [
    ck.CreditLimit("US1", "2024-01-01", "500.00"),
    ck.CreditLimit("FR1", "2024-01-01", "1000"),
]


@pytest.fixture(autouse=True)
def _quiet() -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataEndsWarning)
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        yield


def _book(to: str = "EUR") -> ck.Ledger:
    return worked_example().with_credit(limits=LIMITS).translate(to, ck.Rates.from_frame(USD_RATES))


# ----------------------------------------------------------------------------------
# credit limits: positions at the closing rate
# ----------------------------------------------------------------------------------


def test_credit_figures_read_the_items_at_the_closing_rate() -> None:
    book = _book()
    table = ck.credit_exposure(book, T, money="decimal")
    assert table.loc["US1", ["exposure", "limit", "over_limit", "uncovered"]].tolist() == [
        D("554.22"),
        D("500.00"),
        D("54.22"),
        D("554.22"),
    ]
    assert table.loc["US1", "utilisation"] == pytest.approx(1.10844, abs=1e-12)
    assert table.loc["FR1", "exposure"] == D("500.00")
    # on 31 January: 1000 / 1.0837 = 922.7646 -> 922.76, 422.76 over
    january = ck.credit_exposure(book, "2024-01-31", money="decimal")
    assert january.loc["US1", ["exposure", "over_limit"]].tolist() == [D("922.76"), D("422.76")]
    # the KPIs, the open items' credit columns and the dashboard say the same
    assert ck.over_limit(book, T, money="decimal") == D("54.22")
    assert ck.limit_utilisation(book, T, by="customer_id")["US1"] == pytest.approx(1.10844)
    items = ck.open_items(book, T, money="decimal")
    assert items.loc[("US1", "F1"), "credit_limit"] == D("500.00")
    assert items.loc[("US1", "F1"), "limit_utilisation"] == pytest.approx(1.10844)
    board = ck.dashboard(book, "2024-02", money="decimal")
    assert board.kpis.loc["over_limit", "current"] == D("54.22")


def test_limits_follow_the_reporting_currencys_minor_unit() -> None:
    # a book held at KWD's three decimals, reported in EUR: a limit of 500 EUR stays 500.00
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("K1", "KW1", "2024-01-15", "2024-02-14", "100.000", currency="KWD"),
            ck.Invoice("E1", "FR1", "2024-01-15", "2024-02-14", "700.00", currency="EUR"),
        ],
        limits=[ck.CreditLimit("FR1", "2024-01-01", "500.00")],
    )
    rates = ck.Rates.from_frame(
        pd.DataFrame({"date": ["2024-01-15"], "currency": "KWD", "rate": ["0.3360"]}),
        max_gap=None,
    )
    table = ck.credit_exposure(ledger.translate("EUR", rates), T, money="decimal")
    assert table.loc["FR1", ["exposure", "limit", "over_limit"]].tolist() == [
        D("700.00"),
        D("500.00"),
        D("200.00"),
    ]
    assert table.loc["KW1", "exposure"] == D("297.62")  # 100 / 0.336 = 297.619


# ----------------------------------------------------------------------------------
# open items: one row per item, in its own currency
# ----------------------------------------------------------------------------------

COLUMNS = ["amount", "open_balance", "currency", "open_in_currency"]


def test_open_items_of_a_book_of_several_currencies() -> None:
    items = ck.open_items(worked_example(), T, money="decimal")
    expected = pd.DataFrame(
        {
            "amount": [D("500.00"), D("1000.00")],
            "open_balance": [D("500.00"), D("600.00")],
            "currency": ["EUR", "USD"],
            "open_in_currency": [D("500.00"), D("600.00")],
        },
        index=pd.MultiIndex.from_tuples(
            [("FR1", "F2"), ("US1", "F1")], names=["customer_id", "invoice_id"]
        ),
    )
    assert items.index.tolist() == expected.index.tolist()
    assert items[COLUMNS].values.tolist() == expected.values.tolist()
    assert items.loc[("US1", "F1"), "last_settlement_amount"] == D("400.00")
    by = ck.open_items(worked_example(), T, by="currency", money="decimal")
    assert by.index.names == ["currency", "customer_id", "invoice_id"]
    assert by["open_balance"].tolist() == [D("500.00"), D("600.00")]


def test_open_items_of_a_translated_book_are_at_the_closing_rate() -> None:
    items = ck.open_items(_book(), T, money="decimal")
    assert items.loc[("US1", "F1"), COLUMNS].tolist() == [
        D("923.70"),
        D("554.22"),
        "USD",
        D("600.00"),
    ]
    assert items.loc[("FR1", "F2"), COLUMNS].tolist() == [
        D("500.00"),
        D("500.00"),
        "EUR",
        D("500.00"),
    ]
    # the balances add up to the receivables at closing rates
    assert sum(items["open_balance"], D(0)) == ck.receivables(_book(), T, money="decimal")
    floats = ck.open_items(_book(), T)
    assert floats.loc[("US1", "F1"), "open_in_currency"] == 600.0


def test_open_items_keep_each_currencys_minor_unit() -> None:
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("J1", "JP1", "2024-01-15", "2024-02-14", "50000", currency="JPY"),
            ck.Invoice("E1", "JP1", "2024-01-15", "2024-02-14", "12.50", currency="EUR"),
        ],
        [ck.Payment(None, "2024-02-01", "700", customer="JP1", currency="JPY")],
    )
    items = ck.open_items(ledger, T, money="decimal")
    assert items["currency"].tolist() == ["EUR", "JPY", "JPY"]
    assert [str(v) for v in items["open_balance"]] == ["12.50", "50000", "-700"]
    assert [str(v) for v in items["open_in_currency"]] == ["12.50", "50000", "-700"]


def test_a_customer_figure_over_two_currencies_is_refused() -> None:
    # JP1's exposure would add yen to euros: the one-currency rule of every grouping
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("J1", "JP1", "2024-01-15", "2024-02-14", "50000", currency="JPY"),
            ck.Invoice("E1", "JP1", "2024-01-15", "2024-02-14", "12.50", currency="EUR"),
        ],
        limits=[ck.CreditLimit("JP1", "2024-01-01", "100")],
    )
    with pytest.raises(E.MixedCurrencyError) as info:
        ck.open_items(ledger, T)
    assert info.value.rule == "mixed-currencies" and "JP1" in str(info.value)


def test_a_currency_the_rates_lack_is_the_missing_rate_error() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("G1", "UK1", "2024-01-15", "2024-02-14", "10.00", currency="GBP")]
    )
    with pytest.raises(ck.MissingRateError) as info:
        ledger.translate("EUR", ck.Rates.from_frame(USD_RATES))
    assert info.value.rule == "missing-rate" and "GBP" in str(info.value)


# ----------------------------------------------------------------------------------
# Ledger.select(currency=)
# ----------------------------------------------------------------------------------


def _three() -> ck.Ledger:
    return ck.Ledger.from_records(
        [
            ck.Invoice("U1", "A", "2024-01-10", "2024-02-09", "100.00", currency="USD"),
            ck.Invoice("E1", "A", "2024-01-12", "2024-02-11", "40.00", currency="EUR"),
            ck.Invoice("J1", "B", "2024-01-15", "2024-02-14", "9000", currency="JPY"),
        ],
        [
            ck.Payment("U1", "2024-02-01", "30.00"),
            ck.Payment(None, "2024-02-05", "5.00", customer="A", currency="USD"),
            ck.Payment(None, "2024-02-06", "7.00", customer="A", currency="EUR"),
        ],
    )


def test_select_a_currency_is_its_by_currency_row() -> None:
    ledger = _three()
    usd = ledger.select(currency="USD")
    assert usd.currencies == ("USD",)
    assert usd.invoices["invoice_id"].tolist() == ["U1"]
    # its invoice's payment and A's unapplied dollars, not A's unapplied euros
    assert usd.settlements["amount"].tolist() == [30.0, 5.0]
    by = ck.receivables(ledger, T, by="currency", money="decimal")
    assert ck.receivables(usd, T, money="decimal") == by["USD"] == D("70.00")
    cash = ck.unapplied_cash(ledger, T, by="currency", money="decimal")
    assert ck.unapplied_cash(usd, T, money="decimal") == cash["USD"] == D("5.00")
    two = ledger.select(currency=["eur", "JPY"])
    assert two.currencies == ("EUR", "JPY")
    assert sorted(two.invoices["invoice_id"]) == ["E1", "J1"]
    both = ledger.select(customers="A", currency="EUR")
    assert both.invoices["invoice_id"].tolist() == ["E1"]
    assert both.settlements["amount"].tolist() == [7.0]


def test_select_a_currency_of_a_translated_book() -> None:
    usd = _book().select(currency="USD")
    assert usd.translation is not None and usd.currencies == ("USD",)
    assert ck.receivables(usd, T, money="decimal") == D("554.22")


@pytest.mark.parametrize("currency", ["GBP", "XX", ["USD", "GBP"], []])
def test_select_an_unknown_currency_names_it(currency: object) -> None:
    with pytest.raises(E.InvalidOptionError) as info:
        _three().select(currency=currency)
    assert info.value.column == "currency"
    assert "EUR, JPY, USD" in str(info.value) or "empty" in str(info.value)


# ----------------------------------------------------------------------------------
# the statement: in the currency of the customer's invoices
# ----------------------------------------------------------------------------------


def test_the_statement_of_a_translated_book_is_in_the_invoices_currency() -> None:
    for ledger in (worked_example(), _book(), _book("USD")):
        s = ck.statement(ledger, "US1", "2024-02", money="decimal")
        assert s.currency == "USD" and s.currencies == ("USD",) and s.digits == 2
        assert (s.opening, s.closing) == (D("1000.00"), D("600.00"))
        assert s.lines[["kind", "credit", "balance"]].values.tolist() == [
            ["payment", D("400.00"), D("600.00")]
        ]
        assert s.aged["1-30"] == s.aged["total"] == D("600.00")
        assert s.items.loc["F1", ["amount", "open_balance"]].tolist() == [D("1000.00"), D("600.00")]
        page = s.to_html()
        assert "amounts in USD" in page and "$1,000.00" in page and "$600.00" in page
        assert "€" not in page


def test_a_customer_billed_in_two_currencies_has_a_section_each() -> None:
    s = ck.statement(_three(), "A", "2024-02", money="decimal")
    assert s.currencies == ("EUR", "USD") and s.currency == "EUR+USD"
    eur, usd = s.sections
    assert (eur.opening, eur.closing) == (D("40.00"), D("33.00"))  # 40 - 7 unapplied
    assert (usd.opening, usd.closing) == (D("100.00"), D("65.00"))  # 100 - 30 - 5 unapplied
    assert usd.lines["balance"].tolist() == [D("70.00"), D("65.00")]
    assert usd.aged["total"] == D("70.00") and usd.aged["unapplied"] == D("-5.00")
    assert s.lines["currency"].tolist() == ["EUR", "USD", "USD"]
    assert s.items["currency"].tolist() == ["EUR", "EUR", "USD", "USD"]
    for name in ("opening", "closing", "aged", "digits"):
        with pytest.raises(E.MixedCurrencyError) as info:
            getattr(s, name)
        assert "EUR, USD" in str(info.value) and "sections" in str(info.value)
    page = s.to_html()
    assert "<h2>In EUR</h2>" in page and "<h2>In USD</h2>" in page
    assert "€33.00" in page and "$65.00" in page
    french = s.to_html(locale="fr_FR")
    assert "65,00\xa0$US" in french and "33,00\xa0€" in french
    yen = ck.statement(_three(), "B", "2024-02", money="decimal")
    assert yen.currency == "JPY" and str(yen.closing) == "9000" and "¥9,000" in yen.to_html()


def test_the_cli_statement_shows_each_currency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv, pay = tmp_path / "invoices.csv", tmp_path / "payments.csv"
    inv.write_text(
        "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
        "U1,A,2024-01-10,2024-02-09,100.00,USD\n"
        "E1,A,2024-01-12,2024-02-11,40.00,EUR\n"
        "J1,A,2024-02-15,2024-03-14,9000,JPY\n",
        encoding="utf-8",
    )
    pay.write_text("invoice_id,date,amount\nU1,2024-02-01,30.00\n", encoding="utf-8")
    argv = ["statement", str(inv), str(pay), "-q", "--customer", "A", "--period", "2024-02"]
    assert main(argv) == 0
    page = capsys.readouterr().out
    assert "amounts in EUR, JPY, USD" in page and "¥9,000" in page and "$70.00" in page
    assert main([*argv, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["currency"], r["kind"], r["debit"], r["balance"]) for r in rows] == [
        ("JPY", "invoice", "9000", "9000"),
        ("USD", "payment", "0.00", "70.00"),
    ]
    assert main([*argv, "--locale", "fr_FR"]) == 0
    french = capsys.readouterr().out
    assert "70,00\xa0$US" in french and "$70.00" not in french


# ----------------------------------------------------------------------------------
# late-payment claims: accrued in the invoice's currency
# ----------------------------------------------------------------------------------


def test_claims_of_a_translated_book_by_hand() -> None:
    book = _book()
    claims = ck.late_payment_claims(book, T, money="decimal")
    assert claims.index.tolist() == [("US1", "F1")]
    row = claims.loc[("US1", "F1")]
    assert row[["amount", "late_balance", "open_balance"]].tolist() == [
        D("923.70"),
        D("923.70"),
        D("554.22"),
    ]
    assert row["days_late"] == 15
    assert row[["penalties", "indemnity", "claimable"]].tolist() == [
        D("3.45"),
        D("40.00"),
        D("43.45"),
    ]
    assert (row["currency"], row["penalties_in_currency"]) == ("USD", D("3.73"))
    # the KPIs, the dashboard and the distributed summaries read the same claims
    assert ck.late_payment_penalties(book, T, money="decimal") == D("3.45")
    assert ck.late_payment_indemnities(book, T, money="decimal") == D("40.00")
    board = ck.dashboard(book, "2024-02", money="decimal")
    assert board.kpis.loc["late_payment_penalties", "current"] == D("3.45")
    summary = ckd.kpis(ckd.summarize(book, "2024-02"), money="decimal")
    assert D(str(summary["late_payment_penalties"].iloc[0])) == D("3.45")
    by = ck.late_payment_claims(book, T, by="customer_id", money="decimal")
    assert by.loc["US1", ["penalties", "claimable"]].tolist() == [D("3.45"), D("43.45")]


def test_claims_reported_in_dollars_convert_the_euro_indemnity() -> None:
    row = ck.late_payment_claims(_book("USD"), T, money="decimal").loc[("US1", "F1")]
    assert row[["penalties", "indemnity", "claimable"]].tolist() == [
        D("3.73"),
        D("43.30"),
        D("47.03"),
    ]
    assert ck.late_payment_indemnities(_book("USD"), T, money="decimal") == D("43.30")
    # an indemnity given is in the reporting currency
    given_row = ck.late_payment_claims(_book("USD"), T, indemnity="40", money="decimal")
    assert given_row.loc[("US1", "F1"), "indemnity"] == D("40.00")


def test_a_book_reported_in_dollars_keeps_its_claims_in_the_dashboard_and_profiles() -> None:
    book = _book("USD")
    board = ck.dashboard(book, "2024-02", money="decimal")
    assert board.kpis.loc["late_payment_penalties", "current"] == D("3.73")
    assert board.kpis.loc["late_payment_indemnities", "current"] == D("43.30")
    profiles = ck.payer_profiles(book, T, money="decimal")
    assert profiles.loc["US1", "claimable"] == D("47.03")  # the claims table's total
    # a dollar ledger never translated (a seller outside France): no statutory claims
    usd = ck.Ledger.from_frames(
        pd.DataFrame(
            {
                "invoice_id": ["F1"],
                "customer_id": ["US1"],
                "issue_date": ["2024-01-01"],
                "due_date": ["2024-01-31"],
                "amount": ["1000.00"],
                "currency": ["USD"],
            }
        )
    )
    assert "late_payment_penalties" not in ck.dashboard(usd, "2024-02").kpis.index
    assert ck.payer_profiles(usd, T)["claimable"].isna().all()


def test_claims_of_a_book_of_several_currencies_untranslated() -> None:
    ledger = worked_example()
    claims = ck.late_payment_claims(ledger, T, indemnity=0, money="decimal")
    row = claims.loc[("US1", "F1")]
    assert row[["amount", "open_balance", "penalties", "claimable"]].tolist() == [
        D("1000.00"),
        D("600.00"),
        D("3.73"),
        D("3.73"),
    ]
    assert row["currency"] == "USD"
    by = ck.late_payment_claims(ledger, T, indemnity=0, by="currency", money="decimal")
    assert by.loc["USD", "penalties"] == D("3.73") and by.loc["EUR", "invoices"] == 0
    assert ck.late_payment_penalties(ledger, T, by="currency", money="decimal")["USD"] == D("3.73")
    with pytest.raises(E.MixedCurrencyError):
        ck.late_payment_penalties(ledger, T)  # the whole book would add dollars to euros
    for indemnity in (None, "40"):
        with pytest.raises(E.InvalidOptionError) as info:
            ck.late_payment_claims(ledger, T, indemnity=indemnity)
        assert info.value.column == "indemnity" and "translate" in str(info.value)


def test_claims_round_each_penalty_to_its_own_currencys_unit() -> None:
    # 1,000,000 JPY 10 days late at 14.50 %: 1e6 × 0.145 × 10 / 365 = 3972.6 -> 3973 JPY
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("J1", "JP1", "2024-01-05", "2024-01-20", "1000000", currency="JPY"),
            ck.Invoice("E1", "FR1", "2024-01-05", "2024-02-20", "1.00", currency="EUR"),
        ]
    )
    claims = ck.late_payment_claims(ledger, "2024-01-30", indemnity=0, money="decimal")
    assert [str(v) for v in claims["penalties"]] == ["3973"]
    assert [str(v) for v in claims["penalties_in_currency"]] == ["3973"]


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------


def _with_limits(ledger: ck.Ledger) -> ck.Ledger:
    customers = sorted({str(c) for c in ledger.invoices["customer_id"]})
    return ledger.with_credit(
        limits=[
            ck.CreditLimit(c, "2022-12-01", f"{1000 * (k + 1)}.00") for k, c in enumerate(customers)
        ]
    )


def _item_results(ledger: ck.Ledger, when: date) -> list[object]:
    items = ck.open_items(ledger, when, money="decimal")
    exposure = ck.credit_exposure(ledger, when, money="decimal")
    claims = ck.late_payment_claims(ledger, when, money="decimal")
    customer = str(ledger.invoices["customer_id"].iloc[0])
    s = ck.statement(ledger, customer, f"{when.year}-{when.month:02d}", money="decimal")
    return [
        items.drop(columns=["expected_payment_date", "payment_probability"]),
        exposure,
        claims,
        (s.opening, s.closing, s.lines, s.aged, s.items),
    ]


def _same(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)  # type: ignore[arg-type]
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)  # type: ignore[arg-type]
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    else:
        assert a == b


@PROPERTY
@given(spec=ledger_specs(), when=as_of_dates())
def test_translating_into_its_own_currency_leaves_the_items_unchanged(
    spec: LedgerSpec, when: date
) -> None:
    ledger = _with_limits(spec.build())
    own = ledger.translate("EUR", RATES)
    _same(_item_results(own, when), _item_results(ledger, when))


def _rows(items: pd.DataFrame) -> pd.DataFrame:
    """Open items as plain rows in one order (an unapplied credit is named by its input row,
    which a split renumbers: compared by its fields)."""
    out = items.drop(columns=["expected_payment_date", "payment_probability"]).reset_index()
    out["invoice_id"] = np.where(out["kind"] == "unapplied", "(unapplied)", out["invoice_id"])
    out = out.astype({"customer_id": str, "invoice_id": str})
    keys = ["customer_id", "invoice_id", "issue_date", "open_balance"]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


@PROPERTY
@given(spec=ledger_specs(), when=as_of_dates())
def test_open_items_split_by_currency_translated_and_concatenated_are_the_whole(
    spec: LedgerSpec, when: date
) -> None:
    book = in_currencies(spec)
    whole = ck.open_items(book.build().translate("EUR", RATES), when, money="decimal")
    parts = [one_currency(book, code) for code in sorted(set(CURRENCY_OF.values()))]
    frames = [
        ck.open_items(p.build().translate("EUR", RATES), when, money="decimal")
        for p in parts
        if p.invoices or p.payments
    ]
    # the payment curves are the whole book's: left out of the comparison
    pd.testing.assert_frame_equal(_rows(whole), _rows(pd.concat(frames)), check_dtype=False)
    # the same split through select(currency=) on the untranslated book
    native = book.build()
    mine = ck.open_items(native, when, money="decimal")
    for code in native.currencies:
        alone = ck.open_items(native.select(currency=code), when, money="decimal")
        pd.testing.assert_frame_equal(
            _rows(alone), _rows(mine[mine["currency"] == code]), check_dtype=False
        )
