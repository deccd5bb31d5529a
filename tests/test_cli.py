"""The ``creditkpi`` command: the installed script in a subprocess, and ``main()`` in process."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.cli import main

COMMAND = Path(sys.executable).parent / "creditkpi"

# A tiny book in someone else's column names (hand-computed figures in the tests).
INVOICES = """InvoiceNo,Client,Issued,Due,Total,Country
A1,ACME,2024-03-01,2024-03-31,1000.00,FR
A2,ACME,2024-04-05,2024-05-05,500.00,FR
B1,Beta,2024-02-10,2024-03-11,300.00,DE
B2,Beta,2024-04-20,2024-05-20,200.00,DE
"""
PAYMENTS = """InvoiceNo,PaidOn,Paid
A1,2024-04-10,600.00
B1,2024-03-20,300.00
"""
MAPS = [
    "--map", "invoice_id=InvoiceNo", "--map", "customer_id=Client", "--map", "issue_date=Issued",
    "--map", "due_date=Due", "--map", "amount=Total", "--map", "date=PaidOn", "--map", "amount=Paid",
]  # fmt: skip


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command of this venv."""
    if not COMMAND.exists():
        pytest.skip(f"the creditkpi command is not installed next to {sys.executable}")
    return subprocess.run(
        [str(COMMAND), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    inv, pay = tmp_path / "invoices.csv", tmp_path / "payments.csv"
    inv.write_text(INVOICES, encoding="utf-8")
    pay.write_text(PAYMENTS, encoding="utf-8")
    return inv, pay


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("creditkpi: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


# ----------------------------------------------------------------------------------
# the installed command
# ----------------------------------------------------------------------------------


def test_demo_json_is_the_sample_dashboard() -> None:
    result = run("demo", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # default period: the sample's last full month (it ends on 2024-12-31)
    assert data["period"]["label"] == "2024-12" and data["period"]["as_of"] == "2024-12-31"
    assert data["previous_period"]["label"] == "2024-11"
    from creditkpi import datasets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ck.dashboard(datasets.sample(), "2024-12").to_dict()
    assert data == expected
    buckets = [Decimal(r["amount"]) for r in data["aging"] if r["bucket"] != "unapplied"]
    assert sum(buckets) == Decimal(data["kpis"]["receivables"]["current"])


def test_report_mapped_csv_pair_hand_computed(files: tuple[Path, Path]) -> None:
    inv, pay = files
    result = run(
        "report", inv, pay, "--period", "2024-04", *MAPS,
        "--format", "json", "--by", "Country", "--costs", "60",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    k = json.loads(result.stdout)["kpis"]
    cur = {name: v["current"] for name, v in k.items()}
    prev = {name: v["previous"] for name, v in k.items()}
    # at 2024-04-30: A1 1000 - 600 = 400 (30 days late), A2 500 and B2 200 not due; B1 paid
    assert cur["receivables"] == "1100.00" and cur["overdue"] == "400.00"
    assert cur["overdue_rate"] == pytest.approx(400 / 1100)
    # April sales A2 + B2 = 700, 30 days: DSO = 1100 / 700 * 30; current 700 -> BPDSO 30
    assert cur["sales"] == "700.00"
    assert cur["dso"] == pytest.approx(1100 / 700 * 30)
    assert cur["best_possible_dso"] == pytest.approx(30.0)
    assert cur["average_days_delinquent"] == pytest.approx(1100 / 700 * 30 - 30)
    # countback at 04-30: 1100 >= April 700 -> 30 days, 400 left of March's 1000 -> 31 * 0.4
    assert cur["countback_dso"] == pytest.approx(30 + 31 * 0.4)
    # CEI: R(03-31) = 1000; (1000 + 700 - 1100) / (1000 + 700 - 700) = 0.6
    assert cur["cei"] == pytest.approx(0.6)
    # recovery: target A1 (open 1000 on 03-31, due 03-31), 400 left -> 0.6; ACME paid -> 1/1
    assert cur["recovery_rate"] == pytest.approx(0.6)
    assert cur["activation_rate"] == pytest.approx(1.0)
    # the 600 paid on 04-10 for A1 (issued 03-01, due 03-31): 40 days to pay, 10 late
    assert cur["days_to_pay"] == pytest.approx(40.0) and cur["days_late"] == pytest.approx(10.0)
    assert cur["cost_per_euro"] == pytest.approx(60 / 600)
    # March: R(03-31) = 1000 (A1 not yet due), sales 1000 over 31 days
    assert prev["receivables"] == "1000.00" and prev["overdue_rate"] == 0.0
    assert prev["dso"] == pytest.approx(31.0)
    assert prev["cost_per_euro"] is None  # one number is the period's costs only
    groups = {row["group"]: row for row in json.loads(result.stdout)["groups"]["rows"]}
    # FR: 400 + 500 = 900, overdue 400; April FR sales 500 -> DSO 900 / 500 * 30
    assert groups["FR"]["receivables"] == "900.00"
    assert groups["FR"]["overdue_rate"] == pytest.approx(400 / 900)
    assert groups["FR"]["dso"] == pytest.approx(54.0)
    assert groups["DE"]["receivables"] == "200.00" and groups["DE"]["1-30"] == "0.00"


def test_invoice_table_mode(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "invoiceNumber,customerID,InvoiceDate,DueDate,InvoiceAmount,Disputed,SettledDate\n"
        "0000611365,C1,3/1/2024,3/31/2024,100.00,No,4/10/2024\n"
        "0000611366,C1,3/15/2024,4/14/2024,250.50,Yes,\n"
        "0000611367,C2,4/2/2024,5/2/2024,80.00,No,\n",
        encoding="utf-8",
    )
    result = run(
        "report", export, "--invoice-table", "--settled-date", "SettledDate",
        "--disputed", "Disputed", "--date-format", "%m/%d/%Y", "--period", "2024-04",
        "--map", "invoice_id=invoiceNumber", "--map", "customer_id=customerID",
        "--map", "issue_date=InvoiceDate", "--map", "due_date=DueDate",
        "--map", "amount=InvoiceAmount", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    k = {name: v["current"] for name, v in data["kpis"].items()}
    # open at 04-30: 250.50 (16 days late, disputed) + 80.00; the first one paid on 04-10
    assert k["receivables"] == "330.50"
    assert k["overdue"] == "250.50"
    assert k["dispute_rate"] == pytest.approx(250.50 / 330.50)
    assert k["cash_collected"] == "100.00"
    assert data["dispute_reasons"] == [
        {"reason": "disputed", "count": 1, "amount": "250.50", "previous_count": 1,
         "previous_amount": "250.50"}
    ]  # fmt: skip


def test_bad_input_is_one_line_naming_rule_and_column(files: tuple[Path, Path]) -> None:
    inv, pay = files
    inv.write_text(INVOICES.replace("2024-04-20,2024-05-20", "2024-04-20,2024-03-20"))
    line = _one_line_error(run("report", inv, pay, "--period", "2024-04", *MAPS))
    assert "due-before-issue" in line and "'due_date'" in line and "'B2'" in line
    assert "your column 'Due'" in line


def test_missing_file(files: tuple[Path, Path]) -> None:
    inv, _ = files
    line = _one_line_error(run("report", inv.with_name("nope.csv"), "--period", "2024-04"))
    assert "not found" in line and "nope.csv" in line


def test_csv_and_table_formats(files: tuple[Path, Path], tmp_path: Path) -> None:
    inv, pay = files
    result = run("report", inv, pay, "--period", "2024-04", *MAPS, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = {r["kpi"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["receivables"]["current"] == "1100.00" and rows["receivables"]["unit"] == "EUR"
    # no doubtful classifications given: their KPIs are left out, not shown as n/a
    assert "provision_rate" not in rows and "doubtful_receivables" not in rows
    table = run("report", inv, pay, "--period", "2024-04", *MAPS, "--width", "120")
    assert table.returncode == 0, table.stderr
    assert "Receivables outstanding" in table.stdout and "1,100.00" in table.stdout
    assert "36.36%" in table.stdout  # the overdue rate, shown as a percentage
    assert "n/a" in table.stdout


# ----------------------------------------------------------------------------------
# main() in process (same code, faster): options and error paths
# ----------------------------------------------------------------------------------


def _main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"creditkpi {ck.__version__}"


def test_unmapped_columns(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    inv, _ = files
    status, out, err = _main(capsys, "report", inv, "--period", "2024-04")
    assert status == 2 and out == ""
    assert "missing-column" in err and "invoice_id" in err and "--map canonical=theirs" in err
    assert len(err.strip().splitlines()) == 1


def test_map_file_with_tables(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv, pay = files
    pay.write_text(PAYMENTS.replace("InvoiceNo,", "Ref,"))
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'customer_id = "Client"\n'
        "[invoices]\n"
        'invoice_id = "InvoiceNo"\nissue_date = "Issued"\ndue_date = "Due"\namount = "Total"\n'
        "[payments]\n"
        'invoice_id = "Ref"\ndate = "PaidOn"\namount = "Paid"\n',
        encoding="utf-8",
    )
    status, out, err = _main(
        capsys, "report", inv, pay, "--period", "2024-04", "--map-file", mapping, "-f", "json"
    )
    assert status == 0, err
    assert json.loads(out)["kpis"]["receivables"]["current"] == "1100.00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--map", "nonsense"], "--map expects canonical=theirs", id="map-syntax"),
        pytest.param(["--map", "amount=Montant"], "column 'Montant'", id="map-unknown-column"),
        pytest.param(
            ["--map", "ledger._cols.amount=Total"], "unknown table", id="map-unknown-table"
        ),
        pytest.param(["--period", "2024-13"], "invalid-period", id="bad-period"),
        pytest.param(["--as-of", "30/04/2024"], "invalid-date", id="bad-as-of"),
        pytest.param(["--by", "planet"], "invalid-option", id="unknown-by"),
        pytest.param(["--costs", "-5"], "--costs must be an amount", id="negative-costs"),
        pytest.param(
            ["--invoice-table"], "--invoice-table reads one file", id="table-and-payments"
        ),
        pytest.param(
            ["--settled-date", "X"], "go with --invoice-table", id="settled-without-table"
        ),
    ],
)
def test_bad_options_exit_2(
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    inv, pay = files
    base = ["report", inv, pay, "--period", "2024-04", *MAPS]
    status, out, err = _main(capsys, *base, *args)
    assert status == 2
    assert out == ""
    # what was read (the files were), then the error in one line
    lines = [line for line in err.strip().splitlines() if not line.startswith("creditkpi: read: ")]
    assert len(lines) == 1
    assert lines[0].startswith("creditkpi: error: ") and message in lines[0]


def test_argparse_errors_are_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", "x.csv"])  # no --period
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("creditkpi: error: ") and "--period" in err
    assert len(err.strip().splitlines()) == 1


def test_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    status, _, err = _main(capsys, "report", empty, "--period", "2024-04")
    assert status == 2 and "is empty" in err
    latin = tmp_path / "latin.csv"
    latin.write_bytes("invoice_id,customer_id\nF1,Société\n".encode("cp1252"))
    status, _, err = _main(capsys, "report", latin, "--period", "2024-04")
    assert status == 2 and "--encoding cp1252" in err
    old = tmp_path / "book.xls"
    old.write_bytes(b"\xd0\xcf")
    status, _, err = _main(capsys, "report", old, "--period", "2024-04")
    assert status == 2 and ".xlsx or CSV" in err


def test_excel_input_or_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "invoices.xlsx"
    frame = pd.read_csv(io.StringIO(INVOICES), dtype=str)
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        book.write_bytes(b"PK")  # the dependency check comes before the file is parsed
        status, _, err = _main(capsys, "report", book, "--period", "2024-04")
        assert status == 2 and "pip install openpyxl (the excel extra)" in err
        return
    frame.to_excel(book, index=False)
    status, out, err = _main(
        capsys, "report", book, "--period", "2024-04", *MAPS[:10], "-f", "json"
    )
    assert status == 0, err
    assert json.loads(out)["kpis"]["sales"]["current"] == "700.00"


def test_parquet_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyarrow")
    inv = tmp_path / "invoices.parquet"
    pay = tmp_path / "payments.parquet"
    pd.read_csv(io.StringIO(INVOICES), dtype=str).to_parquet(inv)
    pd.read_csv(io.StringIO(PAYMENTS), dtype=str).to_parquet(pay)
    status, out, err = _main(capsys, "report", inv, pay, "--period", "2024-04", *MAPS, "-f", "json")
    assert status == 0, err
    assert json.loads(out)["kpis"]["receivables"]["current"] == "1100.00"


def test_html_output_file_and_charts(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    inv, pay = files
    page = tmp_path / "report.html"
    status, out, err = _main(
        capsys, "report", inv, pay, "--period", "2024-04", *MAPS,
        "--format", "html", "--output", page, "--charts", tmp_path / "charts",
    )  # fmt: skip
    assert status == 0, err
    assert out == ""
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Collection effectiveness index" in text
    assert (tmp_path / "charts" / "aging.png").stat().st_size > 5_000
    assert "wrote" in err


def test_csv_with_groups_to_files(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv, pay = files
    target = tmp_path / "april.csv"
    status, _, err = _main(
        capsys, "report", inv, pay, "--period", "2024-04", *MAPS,
        "-f", "csv", "--by", "Country", "-o", target,
    )  # fmt: skip
    assert status == 0, err
    groups = pd.read_csv(tmp_path / "april_by_Country.csv", dtype=str, index_col=0)
    assert groups.at["FR", "receivables"] == "900.00"
    kpis = pd.read_csv(target, dtype=str, index_col=0)
    assert kpis.at["overdue", "current"] == "400.00"


def test_data_quality_warnings_go_to_stderr(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inv, pay = files
    pay.write_text(PAYMENTS + "A2,2024-04-25,600.00\n")  # A2 is 500.00: overpaid
    status, out, err = _main(capsys, "report", inv, pay, "--period", "2024-04", *MAPS, "-f", "json")
    assert status == 0
    assert "creditkpi: warning: overpaid-invoice" in err
    json.loads(out)
    status, _, err = _main(
        capsys, "report", inv, pay, "--period", "2024-04", *MAPS, "-f", "json", "-q"
    )
    assert status == 0 and err == ""


def test_decimal_comma_and_semicolons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inv = tmp_path / "factures.csv"
    inv.write_text(
        "invoice_id;customer_id;issue_date;due_date;amount\n"
        "F1;C1;2024-04-01;2024-05-01;1 234,50\n"
        "F2;C1;2024-04-02;2024-05-02;1.000,00\n",
        encoding="utf-8",
    )
    status, out, err = _main(
        capsys, "report", inv, "--period", "2024-04", "--decimal", ",", "-f", "json"
    )
    assert status == 0, err
    data: dict[str, Any] = json.loads(out)
    assert data["kpis"]["receivables"]["current"] == "2234.50"


def test_demo_period_after_the_data_is_noted(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _main(capsys, "demo", "--period", "2025-03", "-f", "json")
    assert status == 0
    assert "the data ends on 2024-12-31, before the period 2025-03 starts" in err
    assert json.loads(out)["kpis"]["dso"]["current"] is None  # no sales: n/a, not 0


def test_currency_option_is_an_iso_code(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inv, pay = files
    base = ["report", inv, pay, "--period", "2024-04", *MAPS, "-f", "json", "-q"]
    status, _, err = _main(capsys, *base, "--currency", "EURO")
    assert status == 2 and "--currency 'EURO' is not an ISO 4217 currency code" in err
    status, out, err = _main(capsys, *base, "--currency", " jpy")
    assert status == 0 and '"JPY"' in out  # 1000.00 is a whole number of yen


def test_errors_name_the_flags_that_fix_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    comma = tmp_path / "comma.csv"
    comma.write_text(
        "invoice_id;customer_id;issue_date;due_date;amount\nF1;C1;2024-04-03;2024-05-03;1 234,50\n",
        encoding="utf-8",
    )
    status, _, err = _main(capsys, "report", comma, "--period", "2024-04")
    assert status == 2 and "pass --decimal ," in err and "decimal=" not in err
    dates = tmp_path / "dates.csv"
    dates.write_text(
        "invoice_id,customer_id,issue_date,due_date,amount\nF1,C1,03/04/2024,03/05/2024,10\n",
        encoding="utf-8",
    )
    status, _, err = _main(capsys, "report", dates, "--period", "2024-04")
    assert status == 2 and "ambiguous-date" in err
    assert "--date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y" in err
    status, _, err = _main(
        capsys, "report", dates, "--period", "2024-04", "--date-format", "%d/%m/%Y"
    )
    assert status == 0, err


def test_report_translates_a_book_of_several_currencies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--to EUR --rates FILE: the worked example of the *Several currencies* page."""
    inv, pay, rates = tmp_path / "inv.csv", tmp_path / "pay.csv", tmp_path / "rates.csv"
    inv.write_text(
        "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
        "F1,US1,2024-01-15,2024-02-14,1000.00,USD\n"
        "F2,FR1,2024-01-20,2024-03-20,500.00,EUR\n",
        encoding="utf-8",
    )
    pay.write_text("invoice_id,date,amount\nF1,2024-02-15,400.00\n", encoding="utf-8")
    rates.write_text(
        "date,currency,rate\n2024-01-15,USD,1.0945\n2024-01-31,USD,1.0837\n"
        "2024-02-15,USD,1.0743\n2024-02-29,USD,1.0826\n",
        encoding="utf-8",
    )
    base = ("report", inv, pay, "--period", "2024-02", "-f", "json")
    status, out, err = _main(capsys, *base)  # two currencies, not translated: refused
    assert status != 0 and "mixed-currencies" in err and "--to" not in out
    status, out, err = _main(capsys, *base, "--to", "EUR", "--rates", rates)
    assert status == 0, err
    data = json.loads(out)
    rows = data["kpis"]
    assert rows["receivables"]["current"] == "1054.22"
    assert rows["fx_unrealised"]["current"] == "6.02"
    assert rows["fx_realised"]["current"] == "6.88"
    assert any("at closing rates" in note for note in data["notes"])
    assert "translated from EUR, USD into EUR" in err
    status, out, err = _main(capsys, *base, "--to", "EUR", "--rates", rates, "--fx-method",
                             "constant")  # fmt: skip
    assert status == 0, err
    rows = json.loads(out)["kpis"]
    assert rows["receivables"]["current"] == "1054.22"  # 600 USD at 1.0826 + 500 EUR
    assert "fx_unrealised" not in rows
    status, _, err = _main(capsys, *base, "--to", "EUR")
    assert status == 2 and "--to and --rates go together" in err


def test_the_usage_line_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    """The list in ``creditkpi --help``'s usage is the parser's own, not a hand-kept copy."""
    with pytest.raises(SystemExit):
        main(["--help"])
    usage = capsys.readouterr().out.split("\n\n", 1)[0]
    listed = usage[usage.index("{") + 1 : usage.index("}")].split(",")
    assert listed == ["demo", "report", "profiles", "exposure", "forecast", "claims", "items",
                      "statement"]  # fmt: skip
