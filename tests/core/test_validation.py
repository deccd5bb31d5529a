"""Bad input: one test per rule of SPEC §5.

Each asserts the error class (a ValueError subclass), the rule, the column and
that the message names the first offending id.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core import errors as E


def invoices(**overrides: list[Any]) -> pd.DataFrame:
    data: dict[str, list[Any]] = {
        "invoice_id": ["F1", "F2", "F3"],
        "customer_id": ["A", "B", "A"],
        "issue_date": ["2024-01-05", "2024-01-10", "2024-02-01"],
        "due_date": ["2024-02-04", "2024-02-09", "2024-03-02"],
        "amount": [100.0, 250.5, 80.0],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def payments(**overrides: list[Any]) -> pd.DataFrame:
    data: dict[str, list[Any]] = {
        "invoice_id": ["F1", "F2"],
        "date": ["2024-02-01", "2024-02-15"],
        "amount": [100.0, 50.0],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def check(
    info: pytest.ExceptionInfo[E.CreditKPIError],
    cls: type[E.CreditKPIError],
    column: str,
    first: str,
) -> None:
    err = info.value
    assert isinstance(err, ValueError)
    assert isinstance(err, cls)
    assert err.column == column
    assert err.ids[0] == first
    text = str(err)
    assert text.startswith(err.rule + ":")
    assert f"'{column}'" in text
    assert repr(first) in text


def test_clean_input_builds() -> None:
    ledger = ck.Ledger.from_frames(invoices(), payments())
    assert (ledger.n_invoices, ledger.n_settlements, len(ledger.report)) == (3, 2, 0)


def test_missing_invoice_column() -> None:
    with pytest.raises(E.MissingColumnError) as info:
        ck.Ledger.from_frames(invoices().drop(columns=["due_date"]))
    check(info, E.MissingColumnError, "due_date", "due_date")
    assert "columns=" in str(info.value)


def test_missing_payment_column() -> None:
    with pytest.raises(E.MissingColumnError) as info:
        ck.Ledger.from_frames(invoices(), payments().drop(columns=["date"]))
    check(info, E.MissingColumnError, "date", "date")


def test_duplicate_invoice_ids() -> None:
    with pytest.raises(E.DuplicateIdError) as info:
        ck.Ledger.from_frames(invoices(invoice_id=["F1", "F2", "F2"]))
    check(info, E.DuplicateIdError, "invoice_id", "F2")
    assert info.value.rule == "duplicate-invoice-id"


def test_missing_invoice_id() -> None:
    with pytest.raises(E.MissingValueError) as info:
        ck.Ledger.from_frames(invoices(invoice_id=["F1", None, "F3"]))
    check(info, E.MissingValueError, "invoice_id", "invoices row 1")


def test_missing_customer() -> None:
    with pytest.raises(E.MissingValueError) as info:
        ck.Ledger.from_frames(invoices(customer_id=["A", "", "A"]))
    check(info, E.MissingValueError, "customer_id", "F2")


def test_missing_date() -> None:
    with pytest.raises(E.InvalidDateError) as info:
        ck.Ledger.from_frames(invoices(issue_date=["2024-01-05", None, "2024-02-01"]))
    check(info, E.InvalidDateError, "issue_date", "F2")
    assert "missing" in str(info.value)


def test_unparseable_date() -> None:
    with pytest.raises(E.InvalidDateError) as info:
        ck.Ledger.from_frames(invoices(due_date=["2024-02-04", "2024-02-09", "soon"]))
    check(info, E.InvalidDateError, "due_date", "F3")


def test_unparseable_payment_date_names_the_invoice() -> None:
    with pytest.raises(E.InvalidDateError) as info:
        ck.Ledger.from_frames(invoices(), payments(date=["2024-02-01", "31/02/2024"]))
    check(info, E.InvalidDateError, "date", "F2")


def test_missing_amount() -> None:
    with pytest.raises(E.InvalidAmountError) as info:
        ck.Ledger.from_frames(invoices(amount=[100.0, None, 80.0]))
    check(info, E.InvalidAmountError, "amount", "F2")


def test_unparseable_amount() -> None:
    with pytest.raises(E.InvalidAmountError) as info:
        ck.Ledger.from_frames(invoices(amount=["100", "12,5,0", "80"]))
    check(info, E.InvalidAmountError, "amount", "F2")


def test_due_before_issue() -> None:
    with pytest.raises(E.DueBeforeIssueError) as info:
        ck.Ledger.from_frames(invoices(due_date=["2024-02-04", "2024-01-09", "2024-01-31"]))
    check(info, E.DueBeforeIssueError, "due_date", "F2")
    assert info.value.count == 2
    assert "2 invoice(s)" in str(info.value)


@pytest.mark.parametrize("amount", [0.0, -10.0])
def test_non_positive_invoice_amount(amount: float) -> None:
    with pytest.raises(E.NonPositiveAmountError) as info:
        ck.Ledger.from_frames(invoices(amount=[100.0, 250.5, amount]))
    check(info, E.NonPositiveAmountError, "amount", "F3")


def test_non_positive_settlement_amount() -> None:
    with pytest.raises(E.NonPositiveAmountError) as info:
        ck.Ledger.from_frames(invoices(), payments(amount=[100.0, -5.0]))
    check(info, E.NonPositiveAmountError, "amount", "F2")
    assert "credit_note" in str(info.value)


def test_settlement_for_unknown_invoice() -> None:
    with pytest.raises(E.UnknownInvoiceError) as info:
        ck.Ledger.from_frames(invoices(), payments(invoice_id=["F1", "F9"]))
    check(info, E.UnknownInvoiceError, "invoice_id", "F9")
    assert "unapplied" in str(info.value)


def test_unknown_invoice_as_unapplied_cash() -> None:
    pay = payments(invoice_id=["F1", "F9"])
    pay["customer_id"] = ["A", "B"]
    ledger = ck.Ledger.from_frames(invoices(), pay, unknown_invoices="unapplied")
    assert int((ledger._cols.settlement_invoice < 0).sum()) == 1


def test_unapplied_without_customer() -> None:
    with pytest.raises(E.MissingValueError) as info:
        ck.Ledger.from_frames(invoices(), payments(invoice_id=["F1", None]))
    check(info, E.MissingValueError, "customer_id", "payments row 1")


def test_unapplied_credit_note() -> None:
    pay = payments(
        invoice_id=[None, "F1"], kind=["credit_note", "payment"], customer_id=["A", None]
    )
    with pytest.raises(E.InvalidValueError) as info:
        ck.Ledger.from_frames(invoices(), pay)
    check(info, E.InvalidValueError, "invoice_id", "payments row 0")
    assert info.value.rule == "unapplied-non-cash"


def test_unknown_kind() -> None:
    with pytest.raises(E.InvalidValueError) as info:
        ck.Ledger.from_frames(invoices(), payments(kind=["payment", "cheque"]))
    check(info, E.InvalidValueError, "kind", "F2")


def test_mixed_currencies() -> None:
    # a book of several currencies is read; a sum over two of them is refused
    ledger = ck.Ledger.from_frames(invoices(currency=["EUR", "USD", "EUR"]))
    with pytest.raises(E.MixedCurrencyError) as info:
        ck.receivables(ledger, "2024-03-31")
    err = info.value
    assert err.column == "currency"
    assert "EUR" in str(err) and "USD" in str(err) and "ledger.translate(" in str(err)
    assert err.ids == ("all",) and err.values == ("EUR", "USD")


def test_payment_currency_must_match() -> None:
    with pytest.raises(E.MixedCurrencyError):
        ck.Ledger.from_frames(invoices(currency=["EUR"] * 3), payments(currency=["EUR", "GBP"]))


def test_amount_finer_than_minor_unit() -> None:
    with pytest.raises(E.SubMinorUnitError) as info:
        ck.Ledger.from_frames(invoices(amount=[100.0, 250.505, 80.0]))
    check(info, E.SubMinorUnitError, "amount", "F2")


def test_minor_unit_follows_currency() -> None:
    with pytest.raises(E.SubMinorUnitError):
        ck.Ledger.from_frames(invoices(amount=[100.0, 250.5, 80.0], currency=["JPY"] * 3))
    ledger = ck.Ledger.from_frames(invoices(amount=[100, 250, 80], currency=["JPY"] * 3))
    assert ck.receivables(ledger, "2024-03-31") == 430


def test_period_end_before_start() -> None:
    with pytest.raises(E.InvalidPeriodError) as info:
        ck.Period.parse("2024-05-01..2024-04-01")
    assert info.value.column == "end"
    assert str(info.value) == (
        "invalid-period: period ends (2024-04-01) before it starts (2024-05-01) in argument 'end'"
    )


def test_invalid_as_of_date() -> None:
    ledger = ck.Ledger.from_frames(invoices())
    with pytest.raises(E.InvalidDateError) as info:
        ck.receivables(ledger, "2024-02-30")
    assert info.value.column == "as_of"


def test_dispute_for_unknown_invoice() -> None:
    dis = pd.DataFrame({"invoice_id": ["F7"], "opened": ["2024-02-10"]})
    with pytest.raises(E.UnknownInvoiceError) as info:
        ck.Ledger.from_frames(invoices(), disputes=dis)
    check(info, E.UnknownInvoiceError, "invoice_id", "F7")


def test_dispute_resolved_before_opened() -> None:
    dis = pd.DataFrame(
        {
            "invoice_id": ["F1", "F2"],
            "opened": ["2024-02-10", "2024-02-10"],
            "resolved": [None, "2024-02-01"],
        }
    )
    with pytest.raises(E.InvalidDateError) as info:
        ck.Ledger.from_frames(invoices(), disputes=dis)
    check(info, E.InvalidDateError, "resolved", "F2")
    assert info.value.rule == "resolved-before-opened"


def test_bad_disputed_flag() -> None:
    frame = invoices()
    frame["settled_date"] = ["2024-02-01", None, None]
    frame["disputed"] = ["No", "Yes", "maybe"]
    with pytest.raises(E.InvalidValueError) as info:
        ck.Ledger.from_invoice_table(frame, disputed="disputed")
    check(info, E.InvalidValueError, "disputed", "F3")


def test_bad_option() -> None:
    with pytest.raises(E.InvalidOptionError) as info:
        ck.Ledger.from_frames(invoices(), unknown_invoices="drop")  # type: ignore[arg-type]
    assert "unknown_invoices" in str(info.value)


def test_overpaid_and_early_settlements_are_warnings_in_the_report() -> None:
    pay = payments(invoice_id=["F1", "F3"], date=["2024-02-01", "2024-01-20"], amount=[120.0, 10.0])
    with pytest.warns(ck.DataQualityWarning) as caught:
        ledger = ck.Ledger.from_frames(invoices(), pay)
    messages = " ".join(str(w.message) for w in caught)
    assert "overpaid-invoice" in messages and "settlement-before-issue" in messages
    assert ledger.report.rules() == ["overpaid-invoice", "settlement-before-issue"]
    frame = ledger.report.to_frame()
    assert frame[["rule", "id", "row"]].values.tolist() == [
        ["overpaid-invoice", "F1", 0],
        ["settlement-before-issue", "F3", 1],
    ]
    assert "overpaid-invoice" in str(ledger.report)


def test_errors_are_value_errors_and_catchable_as_one_class() -> None:
    with pytest.raises(ck.CreditKPIError):
        ck.Ledger.from_frames(invoices(invoice_id=["F1", "F1", "F3"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ck.Ledger.from_frames(invoices(), payments())  # a clean ledger warns nothing


def test_repeated_dates_or_periods_are_rejected() -> None:
    ledger = ck.Ledger.from_frames(invoices())
    with pytest.raises(E.InvalidOptionError) as info:
        ck.receivables(ledger, ["2024-03-31", "2024-02-29", "2024-03-31"], by="customer_id")
    assert info.value.column == "as_of"
    assert info.value.ids == ("2024-03-31",)
    from creditkpi.core.args import as_periods

    with pytest.raises(E.InvalidOptionError, match="period lists 1 value"):
        as_periods(["2024-01", "2024-01"])


# ------------------------------------------------- the rules of "files people really have"
def test_a_payment_naming_another_customer_than_its_invoice() -> None:
    with pytest.raises(E.InvalidValueError) as info:
        ck.Ledger.from_frames(invoices(), payments(customer_id=["A", "A"]))
    check(info, E.InvalidValueError, "customer_id", "F2")
    assert info.value.rule == "customer-mismatch" and info.value.values == ("A (invoice: B)",)


def test_an_application_date_on_unapplied_cash() -> None:
    pay = payments(invoice_id=[None, "F2"], customer_id=["A", None], applied=["2024-02-03", None])
    with pytest.raises(E.InvalidValueError) as info:
        ck.Ledger.from_frames(invoices(), pay)
    check(info, E.InvalidValueError, "applied", "payments row 0")
    assert info.value.rule == "applied-without-invoice"


def test_an_application_before_the_payment_is_a_warning() -> None:
    pay = payments(applied=["2024-01-31", "2024-02-20"])
    with pytest.warns(ck.DataQualityWarning, match="applied-before-date"):
        ledger = ck.Ledger.from_frames(invoices(), pay)
    assert ledger.report.rules() == ["applied-before-date"]
    assert ledger.report.to_frame()[["id", "row"]].values.tolist() == [["F1", 0]]


def test_invoices_alone_beside_a_settlement_date_are_refused() -> None:
    one_table = invoices(SettledDate=["2024-02-01", None, None])
    with pytest.raises(E.NoSettlementsReadError) as info:
        ck.Ledger.from_frames(one_table)
    check(info, E.NoSettlementsReadError, "SettledDate", "SettledDate")
    assert "Ledger.from_invoice_table(frame, settled_date='SettledDate')" in str(info.value)
    assert ck.Ledger.from_frames(one_table, payments=[]).n_settlements == 0  # really none
    read = ck.Ledger.from_invoice_table(one_table, settled_date="SettledDate")
    assert read.n_settlements == 1


def test_a_due_date_for_no_invoice_is_said() -> None:
    lines = pd.DataFrame(
        {"customer_id": ["A"], "document_id": ["F1"], "date": ["2024-01-01"], "amount": [10],
         "match": [None]}
    )  # fmt: skip
    with pytest.warns(ck.DataQualityWarning, match="unused-due-date"):
        ledger = ck.Ledger.from_gl_lines(lines, due_dates={"F1": "2024-01-31", "F9": "2024-02-29"})
    assert ledger.report.to_frame()[["rule", "id"]].values.tolist() == [["unused-due-date", "F9"]]


def test_a_kpi_asked_after_the_data_ends_warns_once_and_answers() -> None:
    ledger = ck.Ledger.from_frames(invoices(), payments())  # last event: 2024-02-15
    with pytest.warns(ck.DataEndsWarning) as caught:
        assert str(ck.receivables(ledger, "2024-03-31", money="decimal")) == "280.50"
    assert [str(w.message) for w in caught] == [
        "the data ends on 2024-02-15 (the ledger's last dated event): a KPI asked for a later "
        "date or period counts nothing after it"
    ]
    with pytest.warns(ck.DataEndsWarning) as caught:
        ck.dso(ledger, ["2024-02", "2024-03"])
    assert [w.category for w in caught].count(ck.DataEndsWarning) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ck.receivables(ledger, "2024-02-15")  # the last day of the data: nothing to say


@pytest.mark.parametrize(
    "cls",
    sorted(
        (c for c in vars(E).values() if isinstance(c, type) and issubclass(c, E.CreditKPIError)),
        key=lambda c: c.__name__,
    ),
    ids=lambda c: c.__name__,
)
def test_an_error_pickles_as_itself(cls: type[E.CreditKPIError]) -> None:
    """A worker's error (Dask, Spark) reaches the driver with its message and attributes."""
    import pickle

    if cls is E.UnreadableFileError:
        error: E.CreditKPIError = cls("not text", path="a.csv", option=("encoding", "cp1252"))
    else:
        error = cls("2 rows break it", column="amount", ids=["F1", "F2"], values=["x"], hint="fix")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert str(back) == str(error) and str(back).count(error.rule) == 1
    assert vars(back) == vars(error) and back.ids == error.ids


@pytest.mark.parametrize("threaded", [False, True])
def test_amounts_are_checked_before_the_settlement_kinds(
    threaded: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented order holds whether the kinds are coded on the worker thread or not."""
    from creditkpi.core.ingest import build

    monkeypatch.setattr(build, "THREADED_ROWS", 0 if threaded else 10**9)
    invoices = pd.DataFrame(
        {
            "invoice_id": ["1", "2"],
            "customer_id": ["A", "A"],
            "issue_date": ["2024-01-01", "2024-01-01"],
            "due_date": ["2024-01-31", "2024-01-31"],
            "amount": ["10.001", "20.00"],
        }
    )
    payments = pd.DataFrame(
        {"invoice_id": ["1"], "date": ["2024-02-01"], "amount": ["5.00"], "kind": ["refund"]}
    )
    with pytest.raises(ck.CreditKPIError) as info:
        ck.Ledger.from_frames(invoices, payments)
    assert (info.value.rule, info.value.column) == ("sub-minor-unit-amount", "amount")
    with pytest.raises(ck.CreditKPIError) as info:
        ck.Ledger.from_frames(invoices.assign(amount=["10.00", "20.00"]), payments)
    assert (info.value.rule, info.value.column) == ("invalid-value", "kind")
