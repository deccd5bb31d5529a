"""Several currencies (IAS 21): translation, exposure, unrealised and realised differences.

The worked example is computed by hand (the *Several currencies* page): an
invoice of 1000.00 USD issued on 2024-01-15 (1 EUR = 1.0945 USD), 400.00 USD
paid on 2024-02-15 (1.0743), month-end closings on 2024-01-31 (1.0837) and
2024-02-29 (1.0826). Every figure is one item rounded half up to the cent:

* historical carrying amount: 1000 / 1.0945 = 913.6592 -> 913.66 EUR
* closing on 31 January: 1000 / 1.0837 = 922.7646 -> 922.76; unrealised 9.10
* the payment: 400 / 1.0743 = 372.3355 -> 372.34 EUR collected
* the 600 left at historical rate: 600 / 1.0945 = 548.1955 -> 548.20, so the
  payment settled 913.66 - 548.20 = 365.46 of history: realised 6.88
* closing on 29 February: 600 / 1.0826 = 554.2213 -> 554.22; unrealised 6.02
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi import distributed as ckd
from creditkpi.core import errors as E
from tests.strategies import LedgerSpec, as_of_dates, ledger_specs

D = Decimal
USD_RATES = pd.DataFrame(
    {
        "date": ["2024-01-15", "2024-01-31", "2024-02-15", "2024-02-29"],
        "currency": "USD",
        "rate": ["1.0945", "1.0837", "1.0743", "1.0826"],
    }
)


@pytest.fixture(autouse=True)
def _quiet() -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataEndsWarning)
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        yield


def worked_example() -> ck.Ledger:
    return ck.Ledger.from_records(
        [
            ck.Invoice("F1", "US1", "2024-01-15", "2024-02-14", "1000.00", currency="USD"),
            ck.Invoice("F2", "FR1", "2024-01-20", "2024-03-20", "500.00", currency="EUR"),
        ],
        [ck.Payment("F1", "2024-02-15", "400.00")],
    )


def test_worked_example_through_the_ledger() -> None:
    rates = ck.Rates.from_frame(USD_RATES)
    book = worked_example().translate("EUR", rates)
    assert book.currency == "EUR" and book.currencies == ("EUR", "USD")
    when = ["2024-01-31", "2024-02-29"]
    assert ck.receivables(book, when, money="decimal").tolist() == [D("1422.76"), D("1054.22")]
    assert ck.cash_collected(book, "2024-02", money="decimal") == D("372.34")
    assert ck.sales(book, "2024-01", money="decimal") == D("1413.66")  # 913.66 + 500.00
    assert ck.fx_unrealised(book, when, money="decimal").tolist() == [D("9.10"), D("6.02")]
    assert ck.fx_realised(book, ["2024-01", "2024-02"], money="decimal").tolist() == [
        D("0.00"),
        D("6.88"),
    ]
    table = ck.fx_exposure(book, "2024-02-29", money="decimal")
    expected = pd.DataFrame(
        {
            "open": [D("500.00"), D("600.00")],
            "historical": [D("500.00"), D("548.20")],
            "closing": [D("500.00"), D("554.22")],
            "unrealised": [D("0.00"), D("6.02")],
            "invoices": [1, 1],
        },
        index=pd.Index(["EUR", "USD"], name="currency", dtype=object),
    )
    pd.testing.assert_frame_equal(table, expected)
    # the positions are the items at the closing rate: buckets add up to the receivables
    aging = ck.aging(book, "2024-02-29", money="decimal").iloc[0]  # the book's one row
    assert aging["1-30"] == D("554.22")  # F1, 15 days past due
    assert aging.drop(["total", "unapplied"]).sum() == aging["total"] == D("1054.22")


def test_a_selection_of_a_translated_ledger_is_its_selection_translated() -> None:
    rates = ck.Rates.from_frame(USD_RATES)
    book = worked_example().translate("EUR", rates)
    us = book.select(customers="US1")
    assert us.translation is not None and us.currencies == ("USD",)
    assert (us.translation.to, us.translation.method) == ("EUR", "closing")
    assert us.translation.currencies == ("USD",)  # the currencies of what was kept
    assert ck.receivables(us, "2024-02-29", money="decimal") == D("554.22")  # 600 USD at closing
    assert ck.fx_unrealised(us, "2024-02-29", money="decimal") == D("6.02")
    assert ck.fx_realised(us, "2024-02", money="decimal") == D("6.88")
    assert ck.cash_collected(us, "2024-02", money="decimal") == D("372.34")
    constant = worked_example().translate("EUR", rates, method="constant", at="2024-01-31")
    per_customer = ck.receivables(constant, "2024-02-29", by="customer_id", money="decimal")
    fr = constant.select(where={"customer_id": "FR1"})
    assert fr.translation is not None and fr.translation.at == date(2024, 1, 31)
    assert ck.receivables(fr, "2024-02-29", money="decimal") == per_customer["FR1"] == D("500.00")


def test_fx_by_a_list_of_columns_has_a_level_per_column() -> None:
    rates = ck.Rates.from_frame(USD_RATES)
    book = worked_example().translate("EUR", rates)
    by = ["customer_id", "currency"]
    table = ck.fx_exposure(book, "2024-02-29", by=by, money="decimal")
    assert table.index.names == ["customer_id", "currency", "currency"]
    assert table["open"].tolist() == [D("500.00"), D("600.00")]  # FR1 in EUR, US1 in USD
    assert table["unrealised"].tolist() == [D("0.00"), D("6.02")]
    realised = ck.fx_realised(book, "2024-02", by=by, money="decimal")
    assert realised.to_dict() == {("FR1", "EUR"): D("0.00"), ("US1", "USD"): D("6.88")}


def test_worked_example_without_translation_answers_per_currency() -> None:
    ledger = worked_example()
    got = ck.receivables(ledger, "2024-02-29", by="currency", money="decimal")
    assert got.to_dict() == {"EUR": D("500.00"), "USD": D("600.00")}
    with pytest.raises(E.MixedCurrencyError) as info:
        ck.receivables(ledger, "2024-02-29")
    text = str(info.value)
    assert info.value.rule == "mixed-currencies" and info.value.column == "currency"
    assert "EUR, USD" in text and "ledger.translate(" in text and "by='currency'" in text


def test_worked_example_through_the_dashboard() -> None:
    book = worked_example().translate("EUR", ck.Rates.from_frame(USD_RATES))
    board = ck.dashboard(book, "2024-02", money="decimal")
    rows = board.kpis
    assert rows.loc["receivables", ["current", "previous"]].tolist() == [D("1054.22"), D("1422.76")]
    assert rows.loc["fx_unrealised", ["current", "previous"]].tolist() == [D("6.02"), D("9.10")]
    assert rows.loc["fx_realised", ["current", "previous"]].tolist() == [D("6.88"), D("0.00")]
    assert rows.loc["cash_collected", "current"] == D("372.34")
    assert (rows["unit"][rows["unit"].isin(["EUR", "USD"])] == "EUR").all()


def test_worked_example_through_the_distributed_path() -> None:
    ledger = worked_example()
    rates = ck.Rates.from_frame(USD_RATES)
    # one partition per customer, each translated on its own, then combined
    parts = [
        ckd.summarize(
            ck.Ledger.from_records(
                [i for i in ledger_records()[0] if i.customer == customer],
                [p for p in ledger_records()[1] if p.invoice in ids],
            ).translate("EUR", rates),
            "2024-02",
        )
        for customer, ids in (("US1", {"F1"}), ("FR1", {"F2"}))
    ]
    combined = ckd.kpis(ckd.combine(parts), money="decimal")
    whole = ckd.kpis(ckd.summarize(ledger.translate("EUR", rates), "2024-02"), money="decimal")
    pd.testing.assert_frame_equal(combined, whole)
    row = combined.loc[combined.index[0]] if "fx_unrealised" not in combined.columns else None
    values = combined if row is None else row
    assert D(str(values["fx_unrealised"].iloc[0])) == D("6.02")
    assert D(str(values["fx_realised"].iloc[0])) == D("6.88")


def ledger_records() -> tuple[list[ck.Invoice], list[ck.Payment]]:
    return (
        [
            ck.Invoice("F1", "US1", "2024-01-15", "2024-02-14", "1000.00", currency="USD"),
            ck.Invoice("F2", "FR1", "2024-01-20", "2024-03-20", "500.00", currency="EUR"),
        ],
        [ck.Payment("F1", "2024-02-15", "400.00")],
    )


def test_a_dashboard_in_its_own_currency_is_the_same_dashboard() -> None:
    rng = np.random.default_rng(5)
    invoices = [
        ck.Invoice(
            f"F{k}",
            f"C{k % 7}",
            date(2023, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 300))).to_pytimedelta(),
            date(2023, 12, 31),
            D(int(rng.integers(100, 10**6))).scaleb(-2),
        )
        for k in range(60)
    ]
    payments = [
        ck.Payment(
            i.id,
            date(2023, 11, 1) + pd.Timedelta(days=k % 50).to_pytimedelta(),
            (i.amount / 3).quantize(D("0.01")),
        )
        for k, i in enumerate(invoices)
        if k % 2
    ]
    ledger = ck.Ledger.from_records(invoices, payments)
    own = ledger.translate("EUR", RATES)
    board, translated = ck.dashboard(ledger, "2023-12"), ck.dashboard(own, "2023-12")
    pd.testing.assert_frame_equal(translated.kpis, board.kpis)


def test_constant_rates_read_one_set_of_rates() -> None:
    rates = ck.Rates.from_frame(USD_RATES)
    book = worked_example().translate("EUR", rates, method="constant", at="2024-01-31")
    # every USD amount at 1.0837: 1000 -> 922.76, 600 left -> 553.66, the payment the fall
    assert ck.receivables(book, "2024-01-31", money="decimal") == D("1422.76")
    assert ck.receivables(book, "2024-02-29", money="decimal") == D("1053.66")
    assert ck.cash_collected(book, "2024-02", money="decimal") == D("369.10")
    assert "constant rates of 2024-01-31" in book.translation.describe()  # type: ignore[union-attr]


def test_fx_kpis_need_one_reporting_currency() -> None:
    ledger = worked_example()
    with pytest.raises(E.InvalidOptionError) as info:
        ck.fx_exposure(ledger, "2024-01-31")
    assert info.value.column == "to"
    with pytest.raises(E.InvalidOptionError) as info:
        ck.fx_unrealised(ledger, "2024-01-31", to="EUR")
    assert info.value.column == "rates"
    got = ck.fx_unrealised(ledger, "2024-01-31", to="EUR", rates=ck.Rates.from_frame(USD_RATES))
    assert float(got) == pytest.approx(9.10)


def test_translate_checks_its_options() -> None:
    ledger, rates = worked_example(), ck.Rates.from_frame(USD_RATES)
    for kwargs, argument in (
        ({"to": "EURO"}, "to"),
        ({"method": "average"}, "method"),
        ({"at": "2024-01-31"}, "at"),
    ):
        options = {"to": "EUR", **kwargs}
        with pytest.raises(E.InvalidOptionError) as info:
            ledger.translate(options.pop("to"), rates, **options)  # type: ignore[arg-type]
        assert info.value.column == argument
    with pytest.raises(E.InvalidOptionError):
        ledger.translate("EUR", {"USD": 1.1})  # type: ignore[arg-type]
    with pytest.raises(E.InvalidOptionError):
        ledger.translate("EUR", rates).translate("USD", rates)


def test_a_rate_missing_for_a_date_the_translation_needs() -> None:
    rates = ck.Rates.from_frame(USD_RATES.iloc[1:])  # no USD rate before 2024-01-31
    with pytest.raises(ck.MissingRateError) as info:
        worked_example().translate("EUR", rates)
    assert "USD" in str(info.value) and "2024-01-15" in str(info.value)
    gbp = ck.Rates.from_frame(USD_RATES)
    with pytest.raises(ck.MissingRateError) as info:
        worked_example().translate("GBP", gbp)
    assert "GBP" in str(info.value)


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------

#: each customer bills in one currency
CURRENCY_OF = {"C1": "EUR", "C2": "USD", "C3": "GBP", "C4": "USD", "C5": "EUR"}


def daily_rates(seed: int = 3) -> ck.Rates:
    """Weekday fixings of USD and GBP over 2022-12-01 .. 2025-12-31, four decimals."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2022-12-01", "2025-12-31")
    usd = 1.05 + np.cumsum(rng.normal(0, 0.004, days.size))
    gbp = 0.86 + np.cumsum(rng.normal(0, 0.003, days.size))
    frame = pd.DataFrame(
        {
            "date": np.concatenate([days, days]),
            "currency": ["USD"] * days.size + ["GBP"] * days.size,
            "rate": [f"{x:.4f}" for x in np.concatenate([usd, gbp])],
        }
    )
    return ck.Rates.from_frame(frame)


RATES = daily_rates()


def in_currencies(spec: LedgerSpec) -> LedgerSpec:
    """The same book with each customer's invoices and unapplied cash in its currency."""
    return replace(
        spec,
        invoices=[replace(i, currency=CURRENCY_OF[i.customer]) for i in spec.invoices],
        payments=[
            p if p.invoice is not None else replace(p, currency=CURRENCY_OF[str(p.customer)])
            for p in spec.payments
        ],
    )


def one_currency(spec: LedgerSpec, code: str) -> LedgerSpec:
    customers = {c for c, x in CURRENCY_OF.items() if x == code}
    return spec.only(customers)


POSITIONS = (
    "receivables",
    "overdue",
    "unapplied_cash",
    "disputed_receivables",
    "doubtful_receivables",
)
FLOWS = ("sales", "cash_collected")


def _positions(ledger: ck.Ledger, when: date) -> list[object]:
    out: list[object] = [getattr(ck, name)(ledger, when, money="decimal") for name in POSITIONS]
    out.append(ck.aging(ledger, when, money="decimal").iloc[0].tolist())
    out.append(ck.aging(ledger, when, values="invoices").iloc[0].fillna(-1).tolist())
    return out


def _flows(ledger: ck.Ledger, period: str) -> list[object]:
    return [getattr(ck, name)(ledger, period, money="decimal") for name in FLOWS]


PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(spec=ledger_specs(), when=as_of_dates())
def test_translating_into_its_own_currency_changes_nothing(spec: LedgerSpec, when: date) -> None:
    ledger = spec.build()
    own = ledger.translate("EUR", RATES)
    period = f"{when.year}-{when.month:02d}"
    assert _positions(own, when) == _positions(ledger, when)
    assert _flows(own, period) == _flows(ledger, period)
    assert ck.dso(own, period) == ck.dso(ledger, period) or (
        np.isnan(ck.dso(own, period)) and np.isnan(ck.dso(ledger, period))
    )
    assert ck.fx_unrealised(own, when) == 0 and ck.fx_realised(own, period) == 0


@PROPERTY
@given(spec=ledger_specs(), when=as_of_dates())
def test_split_by_currency_translate_each_and_add_is_the_whole(
    spec: LedgerSpec, when: date
) -> None:
    book = in_currencies(spec)
    whole = book.build().translate("EUR", RATES)
    period = f"{when.year}-{when.month:02d}"
    parts = [one_currency(book, code) for code in ("EUR", "USD", "GBP")]
    parts = [p for p in parts if p.invoices or p.payments]
    translated = [p.build().translate("EUR", RATES) for p in parts]
    for name in POSITIONS:
        total = sum((getattr(ck, name)(t, when, money="decimal") for t in translated), D(0))
        assert getattr(ck, name)(whole, when, money="decimal") == total, name
    for name in (*FLOWS, "fx_realised"):
        total = sum((getattr(ck, name)(t, period, money="decimal") for t in translated), D(0))
        assert getattr(ck, name)(whole, period, money="decimal") == total, name
    total = sum((ck.fx_unrealised(t, when, money="decimal") for t in translated), D(0))
    assert ck.fx_unrealised(whole, when, money="decimal") == total
    # and per currency without translating: the same split, in each currency
    native = ck.receivables(book.build(), when, by="currency", money="decimal")
    for code, value in native.items():
        alone = one_currency(book, str(code)).build()
        assert ck.receivables(alone, when, money="decimal") == value


@PROPERTY
@given(spec=ledger_specs(), when=as_of_dates())
def test_closing_minus_historical_receivables_is_the_unrealised_difference(
    spec: LedgerSpec, when: date
) -> None:
    book = in_currencies(spec).build().translate("EUR", RATES)
    table = ck.fx_exposure(book, when, money="decimal")
    unrealised = ck.fx_unrealised(book, when, money="decimal")
    receivables = ck.receivables(book, when, money="decimal")
    assert sum(table["closing"], D(0)) == receivables
    assert sum(table["unrealised"], D(0)) == unrealised
    assert sum(table["closing"], D(0)) - sum(table["historical"], D(0)) == unrealised
    # the aging buckets add up to the receivables at closing rates
    aging = ck.aging(book, when, money="decimal").iloc[0]
    assert sum(aging.drop(["total", "unapplied"]), D(0)) == aging["total"] == receivables


def _half_up(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def _converted(spec: LedgerSpec, rates: ck.Rates, day: date) -> LedgerSpec:
    """Every amount converted beforehand at the rates of ``day``, per item, half up.

    An invoice at ``round(A × r)``; a settlement as the fall it causes in its
    invoice's converted balance, so that every balance is ``round(B × r)``;
    unapplied cash at ``round(s × r)``.
    """
    exact = {c: rates.cross(c, "EUR", day) for c in ("EUR", "USD", "GBP")}

    def conv(amount: Decimal, code: str) -> Decimal:
        f = exact[code]
        return _half_up(amount * f.numerator / f.denominator)

    invoices = [
        replace(i, amount=conv(i.amount, str(i.currency)), currency="EUR") for i in spec.invoices
    ]
    code_of = {i.id: str(i.currency) for i in spec.invoices}
    left = {i.id: i.amount for i in spec.invoices}
    payments = []
    for p in sorted(spec.payments, key=lambda p: (p.date, spec.payments.index(p))):
        if p.invoice is None:
            payments.append(replace(p, amount=conv(p.amount, str(p.currency)), currency="EUR"))
            continue
        code = code_of[p.invoice]
        before, after = left[p.invoice], left[p.invoice] - p.amount
        left[p.invoice] = after
        payments.append(replace(p, amount=conv(before, code) - conv(after, code)))
    code_of_doubtful = [code_of[d.invoice] for d in spec.doubtful]
    doubtful = [
        d if d.provision is None else replace(d, provision=conv(d.provision, code))
        for d, code in zip(spec.doubtful, code_of_doubtful, strict=True)
    ]
    kept = [p for p in payments if p.amount > 0]
    return LedgerSpec(invoices, kept, list(spec.disputes), list(spec.statuses), doubtful)


@PROPERTY
@given(spec=ledger_specs(), when=as_of_dates())
def test_constant_rates_are_the_ledger_converted_beforehand(spec: LedgerSpec, when: date) -> None:
    book = in_currencies(spec)
    at = date(2024, 3, 15)
    constant = book.build().translate("EUR", RATES, method="constant", at=at)
    converted = _converted(book, RATES, at).build()
    period = f"{when.year}-{when.month:02d}"
    assert _positions(constant, when) == _positions(converted, when)
    assert _flows(constant, period) == _flows(converted, period)


def test_constant_rates_apply_to_items_dated_after_the_rates_date() -> None:
    # 0.04 GBP of unapplied cash received the day after the constant rates' date: at
    # 2500/2181 EUR per GBP (1 / 0.8724), 0.04 × 2500 / 2181 = 0.04585 -> 0.05 EUR
    at = date(2024, 3, 15)
    assert RATES.cross("GBP", "EUR", at) == Fraction(2500, 2181)
    ledger = ck.Ledger.from_records(
        [ck.Invoice("I1", "C1", "2023-01-01", "2023-01-01", "0.01")],
        [ck.Payment(None, "2024-03-16", "0.04", customer="C3", currency="GBP")],
    )
    constant = ledger.translate("EUR", RATES, method="constant", at=at)
    assert ck.cash_collected(constant, "2024-03", money="decimal") == D("0.05")
    assert ck.unapplied_cash(constant, "2024-03-31", money="decimal") == D("0.05")


def test_amounts_in_currencies_of_other_minor_units() -> None:
    """JPY has no decimals, KWD three: each amount is shaped in its currency's unit."""
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("J1", "JP1", "2024-01-10", "2024-02-09", "150000", currency="JPY"),
            ck.Invoice("K1", "KW1", "2024-01-10", "2024-02-09", "12.345", currency="KWD"),
        ],
        [ck.Payment("J1", "2024-01-20", "50001")],
    )
    got = ck.receivables(ledger, "2024-01-31", by="currency", money="decimal")
    assert got.to_dict() == {"JPY": D("99999"), "KWD": D("12.345")}
    rates = ck.Rates.from_frame(
        pd.DataFrame(
            {
                "date": ["2024-01-10", "2024-01-31"] * 2,
                "currency": ["JPY", "JPY", "KWD", "KWD"],
                "rate": ["160.12", "159.87", "0.3371", "0.3342"],
            }
        ),
        max_gap=None,  # monthly rates: no limit on a rate's age
    )
    book = ledger.translate("EUR", rates)
    # 99999 / 159.87 = 625.5001 -> 625.50; 12.345 / 0.3342 = 36.9389 -> 36.94
    assert ck.receivables(book, "2024-01-31", by="currency", money="decimal").to_dict() == {
        "JPY": D("625.50"),
        "KWD": D("36.94"),
    }
    # into JPY (cross rates through the euro): 12.345 × 159.87 / 0.3342 = 5905.3913 -> 5905
    yen = ledger.translate("JPY", rates)
    assert ck.receivables(yen, "2024-01-31", money="decimal") == D("105904")
    with pytest.raises(E.SubMinorUnitError):
        ck.Ledger.from_records(
            [
                ck.Invoice("J1", "JP1", "2024-01-10", "2024-02-09", "150000.5", currency="JPY"),
                ck.Invoice("E1", "FR1", "2024-01-10", "2024-02-09", "10.00", currency="EUR"),
            ]
        )


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**9), st.integers(1, 10**9))
def test_every_conversion_is_rounded_half_up_exactly(x: int, p: int, q: int) -> None:
    from creditkpi.core.fx.convert import convert

    with localcontext() as ctx:  # 60 digits: a tie is exact, a non-tie is >= 1/(2q) from one
        ctx.prec = 60
        expected = int((D(x) * p / q).quantize(D(1), rounding=ROUND_HALF_UP))
    if abs(expected) >= 2**62:  # beyond what int64 money holds exactly: a named error
        with pytest.raises(E.AmountTooLargeError):
            convert(np.asarray([x]), p, q)
        return
    assert convert(np.asarray([x]), p, q).tolist() == [expected]
    assert convert(np.asarray([x]), np.asarray([p]), np.asarray([q])).tolist() == [expected]


@PROPERTY
@given(
    spec=ledger_specs(applied=True),
    when=as_of_dates(),
    other=as_of_dates(),
    rule=st.sampled_from([None, 60]),
    basis=st.sampled_from(["due", "issue"]),
)
def test_the_positions_of_the_open_items_are_those_of_the_whole_closing_view(
    spec: LedgerSpec, when: date, other: date, rule: int | None, basis: str
) -> None:
    # the snapshot parts of a translated ledger read, per date, only the items open that
    # day at its rates (position_view), and the receivables, aging, overdue, open
    # invoices and unapplied cash of every date in one sweep at historical rates plus
    # each date's open foreign items: every part is the one of each date's full view
    from creditkpi.core.fx.positions import position_view
    from creditkpi.core.fx.translate import closing_view
    from creditkpi.core.groups import group_codes
    from creditkpi.core.parts.names import BUCKET_INVOICES, BUCKETS, CLAIM_PARTS, PARTS
    from creditkpi.core.parts.snapshot import HISTORICAL, snapshot_parts
    from creditkpi.core.period import to_day

    book = in_currencies(spec).build().translate("EUR", RATES)
    days = [to_day(other), to_day(when)]
    names = [n for n, (kind, _, _) in PARTS.items() if kind == "snapshot" and n not in CLAIM_PARTS]
    names += [BUCKETS, BUCKET_INVOICES]
    options = {"rule_days": rule, "basis": basis, "edges": (30, 60)}
    for by in (None, "customer_id"):
        groups = group_codes(book, by)
        together = snapshot_parts(book, days, groups, names, **options)  # type: ignore[arg-type]
        for j, day in enumerate(days):
            fast = snapshot_parts(position_view(book, day), [day], groups, names, **options)  # type: ignore[arg-type]
            whole = snapshot_parts(closing_view(book, day), [day], groups, names, **options)  # type: ignore[arg-type]
            for name in names:
                assert np.array_equal(fast[name], whole[name]), name
                if name != HISTORICAL:  # at historical rates on the book, its own in a view
                    assert np.array_equal(together[name][j], whole[name][0]), name
