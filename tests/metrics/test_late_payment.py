"""Late-payment claims and legal terms: a hand-worked book through every path, properties, errors."""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi import distributed as ckd
from creditkpi.cli import main
from tests.strategies import as_of_dates, ledger_specs

# F1: 4,000 paid 30 days late and 6,000 60 days late (H1 2024: 14.50 %) -> 190.68
# F2: paid on its due date -> nothing
# F3: open from 2024-08-01, due 07-31 with 112-day terms (beyond the legal maximum, 06-09);
#     on 08-20, 20 days at 14.25 % (H2 2024) on 1,000 -> 7.81
# F4: within terms, paid on time; April: 1,000 of 4,000 issued beyond the legal terms
INVOICES = [
    ck.Invoice("F1", "ACME", "2024-01-15", "2024-02-14", "10000.00", attrs={"country": "FR"}),
    ck.Invoice("F2", "ACME", "2024-02-01", "2024-03-02", "2500.00", attrs={"country": "FR"}),
    ck.Invoice("F3", "Globex", "2024-04-10", "2024-07-31", "1000.00", attrs={"country": "DE"}),
    ck.Invoice("F4", "Globex", "2024-04-20", "2024-05-20", "3000.00", attrs={"country": "DE"}),
]
PAYMENTS = [
    ck.Payment("F1", "2024-03-15", "4000.00"),
    ck.Payment("F1", "2024-04-14", "6000.00"),
    ck.Payment("F2", "2024-03-02", "2500.00"),
    ck.Payment("F4", "2024-05-20", "3000.00"),
]
BOOK = ck.Ledger.from_records(INVOICES, PAYMENTS)

#: (as of, penalties, indemnities) of the whole book
EXPECTED = [("2024-04-30", "190.68", "40.00"), ("2024-08-20", "198.49", "80.00")]


def test_claims_table_hand_worked() -> None:
    got = ck.late_payment_claims(BOOK, "2024-08-20", money="decimal")
    assert list(got.index) == [("ACME", "F1"), ("Globex", "F3")]
    assert got["days_late"].tolist() == [60, 20]
    assert got["penalties"].tolist() == [Decimal("190.68"), Decimal("7.81")]
    assert got["indemnity"].tolist() == [Decimal("40.00"), Decimal("40.00")]
    assert got["claimable"].tolist() == [Decimal("230.68"), Decimal("47.81")]
    assert got["late_balance"].tolist() == [Decimal("10000.00"), Decimal("1000.00")]
    assert got["open_balance"].tolist() == [Decimal("0.00"), Decimal("1000.00")]
    assert got["due_date"].tolist() == [pd.Timestamp("2024-02-14"), pd.Timestamp("2024-07-31")]
    by = ck.late_payment_claims(BOOK, "2024-08-20", by="country", money="decimal")
    assert by.loc["DE", "invoices"] == 1 and by.loc["FR", "claimable"] == Decimal("230.68")
    # two dates stack under an as_of level
    both = ck.late_payment_claims(BOOK, ["2024-04-30", "2024-08-20"])
    assert both.index.names == ["as_of", "customer_id", "invoice_id"]
    assert len(both.loc[pd.Timestamp("2024-04-30")]) == 1


@pytest.mark.parametrize(("as_of", "penalties", "indemnities"), EXPECTED)
def test_hand_worked_totals_through_every_path(
    as_of: str, penalties: str, indemnities: str
) -> None:
    # the ledger functions
    assert ck.late_payment_penalties(BOOK, as_of, money="decimal") == Decimal(penalties)
    assert ck.late_payment_indemnities(BOOK, as_of, money="decimal") == Decimal(indemnities)
    table = ck.late_payment_claims(BOOK, as_of, money="decimal")
    assert table["penalties"].sum() == Decimal(penalties)
    assert table["indemnity"].sum() == Decimal(indemnities)
    # the dashboard (its as-of date)
    period = ck.Period.parse(as_of[:7])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        board = ck.dashboard(BOOK, period, as_of=as_of, money="decimal")
    assert board.value("late_payment_penalties") == Decimal(penalties)
    assert board.value("late_payment_indemnities") == Decimal(indemnities)
    # the distributed path: one summary per customer, combined
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        parts = [
            ckd.summarize(ck.Ledger.from_records(
                [i for i in INVOICES if i.customer == c],
                [p for p in PAYMENTS if p.invoice.startswith(("F1", "F2") if c == "ACME" else ("F3", "F4"))],
            ), ck.Period(period.start, date.fromisoformat(as_of)))
            for c in ("ACME", "Globex")
        ]  # fmt: skip
        frame = ckd.kpis(ckd.combine(parts), money="decimal")
    row = frame.iloc[0]
    assert row["late_payment_penalties"] == Decimal(penalties)
    assert row["late_payment_indemnities"] == Decimal(indemnities)


def test_terms_beyond_legal_hand_worked() -> None:
    assert ck.terms_beyond_legal(BOOK, "2024-04") == 0.25
    assert ck.terms_beyond_legal(BOOK, "2024-04", weight="count") == 0.5
    assert ck.terms_beyond_legal(BOOK, "2024-01") == 0.0
    # a rule in days: 30-day terms at most: F3 (112) beyond, F4 (30) within
    assert ck.terms_beyond_legal(BOOK, "2024-04", rule=30, weight="count") == 0.5
    assert ck.terms_beyond_legal(BOOK, "2024-04", rule=120) == 0.0
    with pytest.warns(ck.UndefinedMetricWarning):  # nothing issued in March, nor in FR in April
        series = ck.terms_beyond_legal(BOOK, ["2024-03", "2024-04"], by="country")
    assert series.loc["2024-04", "DE"] == 0.25
    with pytest.warns(ck.UndefinedMetricWarning):
        assert pd.isna(ck.terms_beyond_legal(BOOK, "2024-03"))  # nothing issued
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        board = ck.dashboard(BOOK, "2024-04")
    assert board.value("terms_beyond_legal") == 0.25


def test_the_dashboard_shows_claims_for_euro_ledgers_only() -> None:
    dollars = ck.Ledger.from_records(
        [ck.Invoice("U1", "C1", "2024-01-15", "2024-02-14", "100.00", currency="USD")]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        board = ck.dashboard(dollars, "2024-04")
    assert "late_payment_penalties" not in board.kpis.index
    assert any("French law" in note for note in board.notes)
    with pytest.raises(ck.CreditKPIError, match="pass indemnity= in USD"):
        ck.late_payment_claims(dollars, "2024-04-30")
    got = ck.late_payment_claims(dollars, "2024-04-30", indemnity="25.00")
    assert got["indemnity"].tolist() == [25.0]


def test_payer_profiles_show_what_customers_owe_beyond_principal() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        profiles = ck.payer_profiles(BOOK, "2024-08-20", min_invoices=1)
    assert profiles["claimable"].to_dict() == {"ACME": 230.68, "Globex": 47.81}


def test_exclude_disputed_and_options() -> None:
    ledger = ck.Ledger.from_records(
        INVOICES, PAYMENTS, disputes=[ck.Dispute("F3", "2024-08-05", "quality")]
    )
    kept = ck.late_payment_claims(ledger, "2024-08-20", exclude_disputed=True)
    assert list(kept.index) == [("ACME", "F1")]
    assert ck.late_payment_penalties(
        ledger, "2024-08-20", exclude_disputed=True, money="decimal"
    ) == Decimal("190.68")
    # a constant 12 % over 360 days: F1 480,000 euro-days -> 160.00
    assert ck.late_payment_penalties(
        BOOK, "2024-04-30", rate=0.12, days_in_year=360, money="decimal"
    ) == Decimal("160.00")
    assert ck.late_payment_indemnities(BOOK, "2024-08-20", indemnity=0, money="decimal") == Decimal(
        "0.00"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ck.late_payment_claims(BOOK, "2024-08-20", indemnity=-1), "amount >= 0"),
        (lambda: ck.late_payment_claims(BOOK, "2024-08-20", indemnity="0.001"), "minor unit"),
        (lambda: ck.late_payment_claims(BOOK, "2024-08-20", indemnity=True), "an amount"),
        (lambda: ck.late_payment_claims(BOOK, "2024-08-20", indemnity="forty"), "an amount"),
        (lambda: ck.late_payment_penalties(BOOK, "2024-08-20", days_in_year=300), "days_in_year"),
        (lambda: ck.late_payment_penalties(BOOK, "2024-08-20", rate=-0.1), "rate"),
        (
            lambda: ck.late_payment_penalties(BOOK, "2024-08-20", exclude_disputed="yes"),
            "True or False",
        ),
        (lambda: ck.terms_beyond_legal(BOOK, "2024-04", weight="value"), "weight"),
        (lambda: ck.terms_beyond_legal(BOOK, "2024-04", rule="de"), "rule must be"),
        (lambda: ck.late_payment_penalties(BOOK, None), "as_of is required"),
    ],
)
def test_bad_arguments_are_named_errors(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ck.CreditKPIError, match=message):
        call()


def test_a_day_after_the_table_warns() -> None:
    ledger = ck.Ledger.from_records([ck.Invoice("F1", "C1", "2026-05-01", "2026-05-31", "100.00")])
    with pytest.warns(ck.DataQualityWarning, match="rate table ends on 2026-06-30"):
        ck.late_payment_penalties(ledger, "2026-09-30")


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------


@given(spec=ledger_specs(max_invoices=12), as_of=as_of_dates())
def test_splitting_customers_adds_up(spec, as_of: date) -> None:  # type: ignore[no-untyped-def]
    whole = spec.build()
    total = ck.late_payment_penalties(whole, as_of, money="decimal")
    indemnities = ck.late_payment_indemnities(whole, as_of, money="decimal")
    parts = [s.build() for s in spec.split_by_customer()]
    assert (
        sum((ck.late_payment_penalties(p, as_of, money="decimal") for p in parts), Decimal(0))
        == total
    )
    assert (
        sum((ck.late_payment_indemnities(p, as_of, money="decimal") for p in parts), Decimal(0))
        == indemnities
    )
    by = ck.late_payment_penalties(whole, as_of, by="customer_id", money="decimal")
    assert sum(by.tolist(), Decimal(0)) == total
    table = ck.late_payment_claims(whole, as_of, money="decimal")
    assert sum(table["penalties"].tolist(), Decimal(0)) == total


@given(
    spec=ledger_specs(max_invoices=12),
    as_of=as_of_dates(),
    later=st.integers(1, 120),
)
def test_penalties_never_decrease_while_late_and_later_events_change_nothing(
    spec,
    as_of: date,
    later: int,  # type: ignore[no-untyped-def]
) -> None:
    ledger = spec.build()
    now = ck.late_payment_claims(ledger, as_of, money="decimal")
    after = ck.late_payment_claims(ledger, as_of + pd.Timedelta(days=later).to_pytimedelta())
    # every invoice late now is still late later, with penalties at least as large
    assert set(now.index) <= set(after.index)
    for key in now.index:
        assert Decimal(str(after.loc[key, "penalties"])) >= now.loc[key, "penalties"]
    cut = type(spec)(
        spec.invoices,
        [p for p in spec.payments if p.date <= as_of],
        spec.disputes,
        spec.statuses,
        spec.doubtful,
    )
    again = ck.late_payment_claims(cut.build(), as_of, money="decimal")
    pd.testing.assert_frame_equal(again, now)


@given(spec=ledger_specs(max_invoices=12), as_of=as_of_dates(), k=st.integers(2, 50))
def test_terms_beyond_legal_is_scale_free(spec, as_of: date, k: int) -> None:  # type: ignore[no-untyped-def]
    period = ck.Period(date(2023, 1, 1), as_of) if as_of >= date(2023, 1, 1) else "2023"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        a = ck.terms_beyond_legal(spec.build(), period)
        b = ck.terms_beyond_legal(spec.scaled(k).build(), period)
    assert (pd.isna(a) and pd.isna(b)) or a == pytest.approx(b, rel=1e-12)


# ----------------------------------------------------------------------------------
# the command line
# ----------------------------------------------------------------------------------


def _files(tmp_path: Path) -> list[str]:
    inv, pay = tmp_path / "invoices.csv", tmp_path / "payments.csv"
    inv.write_text(
        "invoice_id,customer_id,issue_date,due_date,amount\n"
        + "".join(f"{i.id},{i.customer},{i.issue_date},{i.due_date},{i.amount}\n" for i in INVOICES)
        + "F5,=HYPERLINK(1),2024-04-01,2024-04-30,100.00\n",
        encoding="utf-8",
    )
    pay.write_text(
        "invoice_id,date,amount\n"
        + "".join(f"{p.invoice},{p.date},{p.amount}\n" for p in PAYMENTS),
        encoding="utf-8",
    )
    return [str(inv), str(pay)]


def test_cli_claims_csv_is_exact_and_safe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["claims", *_files(tmp_path), "--as-of", "2024-08-20", "-f", "csv", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "customer_id,invoice_id,issue_date,due_date,amount,late_balance,open_balance,"
        "days_late,penalties,indemnity,claimable,currency,penalties_in_currency"
    )
    # sorted by claimable, largest first; the formula-looking customer id neutralised
    assert lines[1] == (
        "ACME,F1,2024-01-15,2024-02-14,10000.00,10000.00,0.00,60,190.68,40.00,230.68,EUR,190.68"
    )
    assert lines[-1].startswith("'=HYPERLINK(1),F5,2024-04-01,2024-04-30,100.00")
    assert main(["claims", *_files(tmp_path), "--as-of", "2024-08-20", "--by", "customer_id",
                 "--rate", "0.12", "--indemnity", "0", "-f", "csv", "-q"]) == 0  # fmt: skip
    rows = capsys.readouterr().out.splitlines()[1:]  # groups in label order
    assert rows[0].startswith("'=HYPERLINK(1),1,100.00,100.00,")
    assert rows[1] == "ACME,1,10000.00,0.00,157.81,0.00,157.81"  # 480,000 × 0.12 / 365


def test_cli_claims_table_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims", *_files(tmp_path), "--as-of", "2024-08-20", "--width", "200"]) == 0
    out = capsys.readouterr().out
    assert "Late-payment claims at 2024-08-20 (EUR)" in out and "230.68" in out
    rates = tmp_path / "rates.csv"
    rates.write_text("date,rate\n2024-01-01,0.10\n", encoding="utf-8")
    assert main(["claims", *_files(tmp_path), "--as-of", "2024-04-30", "--rate", str(rates),
                 "-f", "csv", "-q"]) == 0  # fmt: skip
    assert ",131.51,40.00,171.51" in capsys.readouterr().out  # 480,000 × 0.10 / 365
    bad = tmp_path / "bad.csv"
    bad.write_text("when,value\n2024-01-01,0.1\n", encoding="utf-8")
    assert main(["claims", *_files(tmp_path), "--as-of", "2024-04-30", "--rate", str(bad)]) == 2
    assert "columns date and rate" in capsys.readouterr().err


def test_cli_claims_xlsx_keeps_numbers_and_never_runs_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    target = tmp_path / "claims.xlsx"
    args = ["claims", *_files(tmp_path), "--as-of", "2024-08-20", "-f", "xlsx", "-q"]
    assert main(args) == 2  # a workbook needs a file
    assert "-o claims.xlsx" in capsys.readouterr().err
    assert main([*args, "-o", str(target)]) == 0
    sheet = openpyxl.load_workbook(target).active
    assert sheet.title == "claims"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("customer_id", "invoice_id") and rows[0][-1] == "penalties_in_currency"
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["invoice_id"] == "F1" and first["days_late"] == 60
    assert (first["penalties"], first["indemnity"], first["claimable"]) == (190.68, 40.0, 230.68)
    assert str(first["due_date"])[:10] == "2024-02-14"
    bad = sheet.cell(row=len(rows), column=1)  # the formula-looking customer: text, marked
    assert (bad.value, bad.data_type, bad.quotePrefix) == ("=HYPERLINK(1)", "s", True)
    assert sheet.cell(row=2, column=9).number_format == "#,##0.00"
    assert main([*args, "-o", str(target)]) == 2  # an existing file needs --force
    assert "--force" in capsys.readouterr().err
