"""One test per case of the ingestion issue ("exact, fast and helpful"), asserting the message.

Each case was a wrong number let in, a crash, or an unhelpful message; each
test builds the input the way a user would and checks what the ledger stores
or the full error: rule, column, first ids, first values, and the option that
fixes it.
"""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core import errors as E
from creditkpi.core.engine import flows


def invoices(**overrides: Any) -> pd.DataFrame:
    data: dict[str, Any] = {
        "invoice_id": ["F1", "F2"],
        "customer_id": ["A", "B"],
        "issue_date": ["2024-01-05", "2024-01-10"],
        "due_date": ["2024-02-04", "2024-02-09"],
        "amount": ["100.00", "250.50"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def payments(**overrides: Any) -> pd.DataFrame:
    data: dict[str, Any] = {"invoice_id": ["F1"], "date": ["2024-02-01"], "amount": ["40.00"]}
    data.update(overrides)
    return pd.DataFrame(data)


def error(fn: Any, cls: type[E.CreditKPIError] = E.CreditKPIError) -> E.CreditKPIError:
    with pytest.raises(cls) as info:
        fn()
    return info.value


def days(ledger: ck.Ledger, column: str = "issue") -> list[str]:
    return [str(np.datetime64(int(d), "D")) for d in getattr(ledger._cols, column)]


# ----------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    "text", ["0001-01-01", "1600-03-01", "1677-09-21", "2262-04-12", "9999-12-31"]
)
def test_dates_outside_the_nanosecond_range_round_trip(text: str) -> None:
    ledger = ck.Ledger.from_frames(
        invoices(issue_date=[text, "2024-01-10"], due_date=["9999-12-31"] * 2)
    )
    assert days(ledger)[0] == text
    assert ledger.invoices["issue_date"].iloc[0].date().isoformat() == text


def test_year_one_from_a_record() -> None:
    ledger = ck.Ledger.from_records([ck.Invoice("F1", "C", date(1, 1, 1), date(1, 1, 31), "1.00")])
    assert days(ledger) == ["0001-01-01"] and days(ledger, "due") == ["0001-01-31"]


def test_native_columns_of_every_unit_keep_their_dates() -> None:
    stamps = np.array(["1600-03-01", "9999-01-01"], dtype="datetime64[s]")
    for unit in ("s", "ms", "us"):
        frame = invoices(issue_date=stamps.astype(f"datetime64[{unit}]"), due_date=stamps)
        assert days(ck.Ledger.from_frames(frame)) == ["1600-03-01", "9999-01-01"]


def test_an_invoice_of_year_9999_lands_in_its_own_period() -> None:
    ledger = ck.Ledger.from_frames(
        invoices(issue_date=["9999-01-01", "2024-01-10"], due_date=["9999-01-31", "2024-02-09"])
    )
    sales = flows(ledger, [ck.Period.parse("9999-01"), ck.Period.parse("1815-03")])["sales"]
    assert sales.tolist() == [10000, 0]


def test_a_due_date_in_year_9999_is_not_due_before_issue() -> None:
    ledger = ck.Ledger.from_frames(invoices(due_date=["9999-12-31", "2024-02-09"]))
    assert days(ledger, "due")[0] == "9999-12-31"


def test_dates_beyond_the_range_are_invalid_and_quoted() -> None:
    err = error(lambda: ck.Ledger.from_frames(invoices(issue_date=["10000-01-01", "2024-01-10"])))
    assert err.rule == "invalid-date" and err.column == "issue_date"
    assert err.ids == ("F1",) and err.values == ("10000-01-01",)
    assert "outside the supported range (years 0001 to 9999)" in str(err)
    stamps = pd.Series(np.array(["2024-01-05", "10000-01-01"], dtype="datetime64[s]"))
    err = error(lambda: ck.Ledger.from_frames(invoices(due_date=stamps)))
    assert err.rule == "invalid-date" and err.column == "due_date" and err.ids == ("F2",)


@pytest.mark.parametrize(
    ("cells", "shown"),
    [([20240101, 20240102], "20240101"), ([45292.0, 45293.0], "45292.0")],
    ids=["yyyymmdd", "excel-serial"],
)
def test_numeric_date_cells_are_refused_with_the_options_that_read_them(
    cells: list[object], shown: str
) -> None:
    err = error(lambda: ck.Ledger.from_frames(invoices(issue_date=cells)))
    assert str(err) == (
        "invalid-date: 2 value(s) are numbers, not dates in column 'issue_date' "
        f"(first: 'F1', 'F2'; values: {shown}, {cells[1]!r}); pass date_format=\"%Y%m%d\" for "
        'YYYYMMDD numbers or date_format="excel" for Excel serial days'
    )


def test_numeric_date_cells_read_when_asked() -> None:
    as_numbers = ck.Ledger.from_frames(
        invoices(issue_date=[20240101, 20240102]), date_format="%Y%m%d"
    )
    assert days(as_numbers) == ["2024-01-01", "2024-01-02"]
    serials = ck.Ledger.from_frames(invoices(issue_date=[45292.0, 45293.5]), date_format="excel")
    assert days(serials) == ["2024-01-01", "2024-01-02"]


def test_two_time_zone_offsets_in_one_column() -> None:
    column = ["2024-01-05T10:00+02:00", "2024-01-10T09:00-05:00"]
    err = error(lambda: ck.Ledger.from_frames(invoices(issue_date=column)), E.InvalidDateError)
    assert str(err) == (
        "invalid-date: 2 value(s) mix time zones (-05:00, +02:00) in column 'issue_date' "
        "(first: 'F1', 'F2'; values: '2024-01-05T10:00+02:00', '2024-01-10T09:00-05:00')"
    )
    one_zone = ck.Ledger.from_frames(invoices(issue_date=[column[0], "2024-01-10T23:30+02:00"]))
    assert days(one_zone) == ["2024-01-05", "2024-01-10"]  # the written (wall-clock) date


def test_a_column_mixing_dates_and_date_times_is_read() -> None:
    ledger = ck.Ledger.from_frames(invoices(issue_date=["2024-01-01", "2024-01-02 10:00"]))
    assert days(ledger) == ["2024-01-01", "2024-01-02"]


# ----------------------------------------------------------------------------- money
def test_an_int64_amount_that_overflows_in_minor_units() -> None:
    frame = invoices(amount=np.array([184467440737095517, 1], dtype=np.int64))
    err = error(lambda: ck.Ledger.from_frames(frame), E.AmountTooLargeError)
    assert str(err) == (
        "amount-too-large: 1 amount(s) are too large to be held exactly (at most "
        "92,233,720,368,547,758 whole units, 2**63 - 1 minor units) in column 'amount' "
        "(first: 'F1'; values: 184467440737095517)"
    )


def test_a_uint64_amount_beyond_int64() -> None:
    frame = invoices(amount=np.array([2**63 + 5, 1], dtype=np.uint64))
    err = error(lambda: ck.Ledger.from_frames(frame), E.AmountTooLargeError)
    assert err.values == (2**63 + 5,) and err.ids == ("F1",)


def test_totals_that_would_wrap() -> None:
    frame = invoices(amount=[50_000_000_000_000_000, 50_000_000_000_000_000])
    err = error(lambda: ck.Ledger.from_frames(frame), E.AmountTooLargeError)
    assert str(err) == (
        "amount-too-large: the ledger's amounts add up to 10,000,000,000,000,000,000 minor "
        "units in absolute value, more than creditkpi sums exactly (2**62); split the ledger "
        "in column 'amount' (values: 10000000000000000000)"
    )


@pytest.mark.parametrize("big", [10**30, "100000000000000000000"], ids=["python-int", "text"])
def test_overflowing_exact_inputs_say_too_large_not_missing(big: object) -> None:
    frame = invoices(amount=pd.Series([big, "1.00"], dtype=object))
    err = error(lambda: ck.Ledger.from_frames(frame), E.AmountTooLargeError)
    assert err.rule == "amount-too-large" and err.values == (big,)
    assert "missing" not in str(err)


def test_arrow_decimals_stay_exact_beyond_float_precision() -> None:
    pa = pytest.importorskip("pyarrow")
    exact = [Decimal("123456789012345.67"), Decimal("98765432109876.01")]
    frame = invoices(amount=pd.Series(exact, dtype=pd.ArrowDtype(pa.decimal128(20, 2))))
    ledger = ck.Ledger.from_frames(frame)
    assert ledger._cols.amount.tolist() == [12345678901234567, 9876543210987601]
    assert ck.receivables(ledger, "2024-12-31", money="decimal") == sum(exact)


def test_floats_follow_one_rule_for_records_and_frames() -> None:
    for value in (0.1 + 0.2, 12345678901234.567):
        from_frame = error(lambda v=value: ck.Ledger.from_frames(invoices(amount=[v, 1.0])))
        from_record = error(
            lambda v=value: ck.Ledger.from_records(
                [ck.Invoice("F1", "A", "2024-01-05", "2024-02-04", v)]
            )
        )
        assert from_frame.rule == from_record.rule == "sub-minor-unit-amount"
        assert from_frame.values == (value,)  # the record holds it as Decimal(repr(value))
        assert [str(v) for v in from_record.values] == [repr(value)]
    assert "round it first (e.g. frame['amount'].round(2))" in str(from_frame)
    whole = ck.Ledger.from_frames(invoices(amount=[0.3, 55.94]))
    assert whole._cols.amount.tolist() == [30, 5594]


# ----------------------------------------------------------------------------- columns
@pytest.mark.parametrize("field", ["amount", "customer_id", "due_date"])
def test_attrs_cannot_replace_an_invoice_field(field: str) -> None:
    err = error(
        lambda: ck.Invoice("F1", "A", "2024-01-05", "2024-02-04", "100.00", attrs={field: "1.00"}),
        E.ReservedAttributeError,
    )
    assert str(err) == (
        f"reserved-attribute: attrs may not hold {field!r}: it is the invoice's own field (pass "
        f"it as the Invoice argument) in column '{field}' (first: 'F1'; values: '1.00')"
    )


def test_a_frame_with_two_amount_columns() -> None:
    frame = pd.concat([invoices(), invoices()[["amount"]]], axis=1)
    err = error(lambda: ck.Ledger.from_frames(frame), E.DuplicateColumnError)
    assert str(err) == (
        "duplicate-column: the invoices table has 2 columns named 'amount'; keep one (or rename "
        "the others) in column 'amount'"
    )


def test_a_mapped_column_beside_a_canonical_one() -> None:
    frame = invoices(ttc=["1.00", "2.00"])
    err = error(lambda: ck.Ledger.from_frames(frame, columns={"amount": "ttc"}))
    assert err.rule == "duplicate-column" and "'ttc' mapped to amount" in str(err)


def test_missing_currency_cells() -> None:
    err = error(
        lambda: ck.Ledger.from_frames(invoices(currency=["USD", None])), E.MissingValueError
    )
    assert str(err) == (
        "missing-value: 1 row(s) of the invoices table have no currency while others have one "
        "(fill them in) in column 'currency' (first: 'F2')"
    )


def test_a_currency_only_on_payments() -> None:
    pay = payments(currency=["USD"])
    err = error(lambda: ck.Ledger.from_frames(invoices(), pay), E.MissingColumnError)
    assert err.column == "currency" and "the invoices table has none" in str(err)


@pytest.mark.parametrize("code", ["EURO", "XYZ"])
def test_currencies_are_iso_4217(code: str) -> None:
    err = error(
        lambda: ck.Ledger.from_frames(invoices(currency=["EUR", code])), E.InvalidValueError
    )
    assert str(err) == (
        "invalid-value: 1 value(s) are not ISO 4217 currency codes in column 'currency' "
        f"(first: 'F2'; values: {code!r}); use a code such as 'EUR', 'USD', 'JPY'"
    )
    assert ck.Ledger.from_frames(invoices(currency=["eur ", " EUR"])).currency == "EUR"


@pytest.mark.parametrize(
    ("build", "column", "value"),
    [
        (
            lambda: ck.Invoice("F7", "A", "2024-13-01", "2024-12-31", "1.00"),
            "issue_date",
            "2024-13-01",
        ),
        (lambda: ck.Invoice("F7", "A", "2024-01-01", "2024-12-31", "ten"), "amount", "ten"),
        (
            lambda: ck.Invoice("F7", "A", "2024-01-01", "2024-12-31", "1", currency="EURO"),
            "currency",
            "EURO",
        ),
        (lambda: ck.Payment("F7", "someday", "1.00"), "date", "someday"),
        (lambda: ck.Payment("F7", "2024-01-01", "1.00", kind="refund"), "kind", "refund"),
    ],
    ids=["date", "amount", "currency", "payment-date", "kind"],
)
def test_record_errors_name_the_column_the_id_and_the_value(
    build: Any, column: str, value: str
) -> None:
    err = error(build)
    assert err.column == column and err.ids == ("F7",) and err.values == (value,)
    assert f"in column '{column}' (first: 'F7'; values: {value!r})" in str(err)


def test_records_and_frames_normalise_kinds_alike() -> None:
    assert ck.Payment("F1", "2024-02-01", "1.00", kind="CREDIT_NOTE").kind == "credit_note"
    assert ck.Payment("F1", "2024-02-01", "1.00", kind=" Write-off").kind == "write_off"  # type: ignore[arg-type]
    ledger = ck.Ledger.from_frames(invoices(), payments(kind=["Credit note"]))
    assert ledger.settlements["kind"].tolist() == ["credit_note"]


def test_a_disputed_invoice_settled_before_issue_is_only_a_warning() -> None:
    frame = invoices(settled_date=["2024-01-01", None], disputed=["yes", "no"])
    with pytest.warns(ck.DataQualityWarning, match="settlement-before-issue"):
        ledger = ck.Ledger.from_invoice_table(frame, disputed="disputed")
    assert ledger.report.rules() == ["settlement-before-issue"]
    c = ledger._cols
    assert c.dispute_opened.tolist() == c.dispute_resolved.tolist() == [c.issue[0]]


# ----------------------------------------------------------------------------- helpful
def test_decimal_commas_read_with_decimal_and_hinted_without() -> None:
    frame = invoices(amount=["1 234,56", "7,5"])
    err = error(lambda: ck.Ledger.from_frames(frame), E.InvalidAmountError)
    assert str(err) == (
        "invalid-amount: 2 amount(s) are not numbers in column 'amount' (first: 'F1', 'F2'; "
        "values: '1 234,56', '7,5'); they are written with a decimal comma: pass decimal=\",\""
    )
    spaces = ["1\u00a0234,56", "1\u202f000,00"]  # non-breaking and narrow non-breaking spaces
    for column in (frame["amount"], spaces, ["1.234,56", "1.000,00"]):
        ledger = ck.Ledger.from_frames(invoices(amount=column), decimal=",")
        assert ledger._cols.amount[0] == 123456


def test_day_first_dates_proven_by_one_value() -> None:
    frame = invoices(issue_date=["25/01/2024", "03/02/2024"], due_date=["24/02/2024", "04/03/2024"])
    ledger = ck.Ledger.from_frames(frame)
    assert days(ledger) == ["2024-01-25", "2024-02-03"]
    assert days(ledger, "due") == ["2024-02-24", "2024-03-04"]


def test_ambiguous_day_month_dates_are_never_read_month_first() -> None:
    frame = invoices(issue_date=["05/01/2024", "03/02/2024"], due_date=["04/02/2024", "05/03/2024"])
    err = error(lambda: ck.Ledger.from_frames(frame), E.AmbiguousDateError)
    assert str(err) == (
        "ambiguous-date: 2 date(s) read as day-first or month-first and no value settles which "
        "in column 'issue_date' (first: 'F1', 'F2'; values: '05/01/2024', '03/02/2024'); pass "
        "date_format='%d/%m/%Y' (day first) or date_format='%m/%d/%Y' (month first)"
    )
    ledger = ck.Ledger.from_frames(frame, date_format="%d/%m/%Y")
    assert days(ledger) == ["2024-01-05", "2024-02-03"]


def test_day_first_in_one_column_and_month_first_in_another() -> None:
    frame = invoices(issue_date=["25/01/2024", "03/02/2024"], due_date=["02/25/2024", "03/04/2024"])
    err = error(lambda: ck.Ledger.from_frames(frame), E.AmbiguousDateError)
    assert "day-first in column 'issue_date' and month-first in column 'due_date'" in str(err)
    assert err.values == ("25/01/2024", "02/25/2024")


def test_a_typo_in_columns_lists_the_canonical_names() -> None:
    err = error(lambda: ck.Ledger.from_frames(invoices(), columns={"invoce_id": "number"}))
    assert isinstance(err, E.InvalidOptionError)
    assert str(err) == (
        "invalid-option: columns maps 'invoce_id', which is neither a canonical column nor a "
        "table (canonical columns: invoice_id, customer_id, issue_date, due_date, amount, "
        "currency, date, kind, applied, opened, resolved, reason, status, provision, start, end, "
        "share, declare_within, insurer; tables: invoices, payments, disputes, statuses, "
        "doubtful, limits, cover)"
    )
    nested = error(lambda: ck.Ledger.from_frames(invoices(), columns={"payments": {"paid": "x"}}))
    assert "not a column of the payments table (its canonical columns: date, amount" in str(nested)


def test_a_missing_mapped_column_is_reported_in_your_names() -> None:
    frame = invoices().rename(columns={"issue_date": "InvoiceDate"})
    err = error(
        lambda: ck.Ledger.from_frames(frame, columns={"invoices": {"issue_date": "IssueDate"}}),
        E.MissingColumnError,
    )
    assert str(err) == (
        "missing-column: column 'IssueDate' (mapped to issue_date) is not in the invoices table "
        "(invoices has: invoice_id, customer_id, InvoiceDate, due_date, amount) in column "
        "'issue_date' (first: 'IssueDate')"
    )


def test_messages_about_options_do_not_speak_of_columns() -> None:
    for call in (
        lambda: ck.Ledger.from_frames(invoices(), unknown_invoices="drop"),  # type: ignore[arg-type]
        lambda: ck.Ledger.from_frames(invoices(), decimal=";"),  # type: ignore[arg-type]
        lambda: ck.Ledger.from_frames(invoices(), date_format=""),
        lambda: ck.Ledger.from_frames(invoices(), columns=["amount"]),  # type: ignore[arg-type]
        lambda: ck.receivables(ck.Ledger.from_frames(invoices()), "2024-02-30"),
    ):
        err = error(call)
        assert "column" not in str(err).split(":", 1)[1].replace("columns", ""), str(err)
    err = error(lambda: ck.receivables(ck.Ledger.from_frames(invoices()), "2024-02-30"))
    assert str(err) == "invalid-date: as_of '2024-02-30' is not a date (expected YYYY-MM-DD)"
    assert err.column == "as_of"


def test_errors_carry_values_as_an_attribute() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        err = error(lambda: ck.Ledger.from_frames(invoices(amount=["1.00", "-3.00"])))
    assert (err.rule, err.column, err.ids, err.values, err.count) == (
        "non-positive-amount",
        "amount",
        ("F2",),
        ("-3.00",),
        1,
    )


# ------------------------------------------------------------- the fuzz trial's findings
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("1e-999999999", "sub-minor-unit-amount"),  # it underflowed to 0: "non-positive"
        ("1e999999", "amount-too-large"),  # decimal.Overflow
        ("1E-3", "sub-minor-unit-amount"),
        ("1E+17", "amount-too-large"),
    ],
)
def test_extreme_exponents_are_read_exactly(text: str, rule: str) -> None:
    for frame in (
        invoices(amount=[text, "1.00"]),
        invoices(amount=pd.Series([Decimal(text), Decimal("1.00")], dtype=object)),
    ):
        err = error(lambda f=frame: ck.Ledger.from_frames(f))
        assert (err.rule, err.column, err.ids) == (rule, "amount", ("F1",))
    record = error(
        lambda: ck.Ledger.from_records([ck.Invoice("F1", "A", "2024-01-05", "2024-02-04", text)])
    )
    assert record.rule == rule
    big = ck.Ledger.from_frames(invoices(amount=["1.5E+3", "25E-2"]))
    assert big._cols.amount.tolist() == [150000, 25]


def test_a_float32_amount_is_read_at_its_own_shortest_repr() -> None:
    pa = pytest.importorskip("pyarrow")
    expected = [1234, 5594]
    for column in (
        np.asarray([12.34, 55.94], dtype=np.float32),
        pd.Series([12.34, 55.94], dtype="Float32"),
        pd.Series([np.float32(12.34), np.float32(55.94)], dtype=object),
        pd.Series([12.34, 55.94], dtype=pd.ArrowDtype(pa.float32())),
    ):
        assert ck.Ledger.from_frames(invoices(amount=column))._cols.amount.tolist() == expected
    record = ck.Invoice("F1", "A", "2024-01-05", "2024-02-04", np.float32(12.34))
    assert record.amount == Decimal("12.34")


@pytest.mark.parametrize(
    "customers",
    [
        [1.0, 3.0],
        np.asarray([1, 3], dtype=np.int64),
        pd.Series([1, None], dtype="Int64"),
        pd.Categorical(["1", "3"]),
    ],
    ids=["float", "int", "nullable-int", "categorical"],
)
def test_unapplied_cash_with_customer_ids_read_as_numbers(customers: Any) -> None:
    # what pd.read_csv or Parquet give: the payments' customer column as numbers
    inv = invoices(customer_id=["1", "2"])
    pay = pd.DataFrame(
        {"invoice_id": [None, None], "date": ["2024-01-20", "2024-01-21"],
         "amount": ["5.00", "7.00"], "customer_id": customers}
    )  # fmt: skip
    pay = pay.dropna(subset=["customer_id"])
    ledger = ck.Ledger.from_frames(inv, pay)
    by = ck.unapplied_cash(ledger, "2024-01-31", by="customer_id", money="decimal")
    expected = {"1": Decimal("5.00"), "2": Decimal("0.00")}
    if len(pay) == 2:
        expected["3"] = Decimal("7.00")
    assert by.to_dict() == expected


def test_a_payment_naming_another_customer_than_its_invoice_is_an_error() -> None:
    pay = payments(customer_id=["B"])
    err = error(lambda: ck.Ledger.from_frames(invoices(), pay))
    assert str(err) == (
        "customer-mismatch: 1 settlement(s) name a customer other than their invoice's in "
        "column 'customer_id' (first: 'F1'; values: 'B (invoice: A)'); correct the payments' "
        "customer_id, or leave it empty where the invoice is given (an applied payment is its "
        "invoice's customer's)"
    )
    same = ck.Ledger.from_frames(invoices(), payments(customer_id=["A"]))
    assert same.settlements["customer_id"].tolist() == ["A"]


def test_an_unused_arrow_dictionary_entry_is_no_value() -> None:
    pa = pytest.importorskip("pyarrow")
    kinds = pa.DictionaryArray.from_arrays(
        pa.array([1], type=pa.int8()), pa.array(["refund", "credit_note"])
    )
    pay = pa.table(
        {"invoice_id": ["F1"], "date": ["2024-02-01"], "amount": ["40.00"], "kind": kinds}
    )
    ledger = ck.Ledger.from_frames(pa.Table.from_pandas(invoices()), pay)
    assert ledger.settlements["kind"].tolist() == ["credit_note"]
