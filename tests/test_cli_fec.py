"""The command line on an FEC (``--fec``), the ``read:`` line and the one-table refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from creditkpi.cli import main
from tests.core.ingest import test_fec_years as years
from tests.core.ingest.test_fec import Y2023, Y2024, write_fec


@pytest.fixture
def fec_files(tmp_path: Path) -> list[str]:
    return [
        str(write_fec(tmp_path / "FEC2023.txt", Y2023, "\t", "utf-8-sig")),
        str(write_fec(tmp_path / "FEC2024.txt", Y2024, "|", "iso-8859-15")),
    ]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, list[str]]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err.strip().splitlines()


def test_report_reads_two_fec_years(
    fec_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(
        capsys, "report", *fec_files, "--fec", "--period", "2024-03", "-f", "json"
    )
    assert status == 0
    # the worked example of tests/core/ingest/test_fec.py: 2,060.00 open on 2024-03-31
    kpis = json.loads(out)["kpis"]
    assert kpis["receivables"]["current"] == "2060.00"
    assert kpis["overdue"]["current"] == "1160.00"
    assert kpis["unapplied_cash"]["current"] == "50.00"
    assert err[0] == (
        "creditkpi: read: 5 invoices, 10 settlements, 3 customers, 2023-11-02 to 2024-06-30"
    )


def test_terms_and_accounts_options(
    fec_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # 120 days of terms: F3 (issued 2023-12-01) is not due on 2024-03-31
    status, out, _ = _run(
        capsys, "report", *fec_files, "--fec", "--terms", "130", "--period", "2024-03", "-f", "json"
    )
    assert status == 0 and json.loads(out)["kpis"]["overdue"]["current"] == "0.00"
    # only 411: the 416 lines (Müller's recovery and write-off) are not read
    status, _, err = _run(
        capsys, "report", *fec_files, "--fec", "--fec-accounts", "411", "--period", "2024-03", "-q"
    )
    assert status == 0 and err == []


def test_profiles_and_forecast_read_an_fec(
    fec_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(
        capsys, "profiles", *fec_files, "--fec", "--as-of", "2024-03-31", "-f", "csv"
    )
    assert status == 0 and "CMULLER" in out
    assert err[0].startswith("creditkpi: read: 5 invoices")
    status, _, err = _run(capsys, "forecast", fec_files[1], "--fec", "--as-of", "2024-03-31")
    assert status == 0 and err[0].startswith("creditkpi: read: 4 invoices")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--invoice-table", "--sheet", "x"],
            "--invoice-table, --sheet cannot be used with --fec (an FEC is read by its 18 "
            "columns and its lettering)",
        ),
        (
            ["--map", "amount=x"],
            "--map cannot be used with --fec (an FEC is read by its 18 columns and its lettering)",
        ),
        (["--terms", "x"], "--terms expects whole days, got 'x'"),
    ],
)
def test_fec_option_errors(
    fec_files: list[str], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    status, out, err = _run(capsys, "report", *fec_files, "--fec", "--period", "2024-03", *extra)
    assert status == 2 and out == ""
    assert err == [f"creditkpi: error: {message}"]


def test_fec_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = list(Y2023)
    broken[2] = (*broken[2][:8], "", "199,00", "")
    path = write_fec(tmp_path / "FEC.txt", broken, "\t", "utf-8")
    status, _, err = _run(capsys, "report", str(path), "--fec", "--period", "2023-12")
    assert status == 2
    assert err == [
        "creditkpi: error: unbalanced-entry: 1 entry does not balance (debits differ from "
        "credits) in column 'EcritureNum' (first: 'VT 1'; values: 'debit 1200.00 credit "
        "1199.00'); every entry of an FEC balances (article A47 A-1 LPF): check that the export "
        "is complete and that Debit and Credit are read with the right decimal mark "
        "(--decimal ,)"
    ]
    # an FEC read without --fec: the command says what it is
    status, out, err = _run(capsys, "report", str(path), "--period", "2023-12")
    assert status == 2 and out == ""
    assert err == [
        "creditkpi: error: FEC.txt has the columns of an FEC (JournalCode, EcritureNum, "
        "CompteNum, Debit, Credit): read it with --fec (and --terms DAYS for the due dates)"
    ]
    status, _, err = _run(
        capsys, "report", str(tmp_path / "nope.txt"), "--fec", "--period", "2023-12"
    )
    assert status == 2 and err == [f"creditkpi: error: FEC file not found: {tmp_path / 'nope.txt'}"]


ONE_TABLE = (
    "invoiceNumber,customerID,InvoiceDate,DueDate,InvoiceAmount,SettledDate\n"
    "0001,C1,2024-01-02,2024-02-01,100.00,2024-01-20\n"
    "0002,C2,2024-01-05,2024-02-04,50.00,\n"
)
MAPS = [
    "--map", "invoice_id=invoiceNumber", "--map", "customer_id=customerID",
    "--map", "issue_date=InvoiceDate", "--map", "due_date=DueDate",
    "--map", "amount=InvoiceAmount",
]  # fmt: skip


def test_one_table_export_without_settlements_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(ONE_TABLE, encoding="utf-8")
    status, out, err = _run(capsys, "report", str(export), *MAPS, "--period", "2024-01")
    assert status == 2 and out == ""
    assert err == [
        "creditkpi: read: 2 invoices, 0 settlements, 2 customers, 2024-01-02 to 2024-01-05",
        "creditkpi: error: no-settlements-read: 2 invoices and no settlement read from one "
        "file, every invoice would count as unpaid, but it has a settlement date in column "
        "'SettledDate'; read it as a one-row-per-invoice export with --invoice-table "
        "--settled-date SettledDate, or give the PAYMENTS file",
    ]
    # read as what it is, the same file gives its report
    status, _, err = _run(
        capsys, "report", str(export), *MAPS, "--invoice-table", "--settled-date", "SettledDate",
        "--period", "2024-01",
    )  # fmt: skip
    assert status == 0
    assert err[0] == (
        "creditkpi: read: 2 invoices, 1 settlement, 2 customers, 2024-01-02 to 2024-01-20"
    )


def test_invoice_file_without_a_settlement_column_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "open_items.csv"
    export.write_text(ONE_TABLE.replace("SettledDate", "Note"), encoding="utf-8")
    status, _, err = _run(capsys, "report", str(export), *MAPS, "--period", "2024-01", "-q")
    assert status == 0 and err == []  # -q: not even the read line


def test_application_dates_of_an_fec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the per-invoice openings of tests/core/ingest/test_fec_years.py: on 2024-01-31,
    # Müller's V2 and Dupont's V3 wait for their lettering of February and March
    files = [
        str(years.write(tmp_path / "FEC2023.txt", years.Y2023)),
        str(years.write(tmp_path / "FEC2024.txt", years.PER_INVOICE)),
    ]
    for applied, receivables, unapplied in (
        ([], "2310.00", "0.00"),
        (["--applied", "lettering"], "3360.00", "1050.00"),
    ):
        status, out, _ = _run(
            capsys, "report", *files, "--fec", *applied, "--period", "2024-01", "-f", "json", "-q"
        )
        kpis = json.loads(out)["kpis"]
        assert status == 0
        assert (kpis["receivables"]["current"], kpis["unapplied_cash"]["current"]) == (
            receivables, unapplied,
        )  # fmt: skip
    status, _, err = _run(
        capsys, "report", files[0], "--applied", "lettering", "--period", "2024-01"
    )
    assert status == 2 and err == [
        "creditkpi: error: --applied goes with --fec; a payments table gives its application "
        "dates in a column mapped to applied (--map payments.applied=COLUMN)"
    ]
