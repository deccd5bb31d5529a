"""``creditkpi profiles``: payer profiles of files, as a table, CSV or JSON (hand-computed)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from creditkpi.cli import main
from creditkpi.metrics.profiles import PROFILE_COLUMNS

COMMAND = Path(sys.executable).parent / "creditkpi"

# ACME: A1 paid 600 on 04-10 (+10) and 400 on 04-30 (+30): (6000 + 12000) / 1000 = 18 days
#       beyond terms; A2 open, 56 days past due on 06-30; censored median 30 (1/2 at +30)
# Beta: B1 paid 03-20 (+9); B2 open, 41 days past due; censored median 9
INVOICES = """InvoiceNo,Client,Issued,Due,Total,credit_limit
A1,ACME,2024-03-01,2024-03-31,1000.00,2000
A2,ACME,2024-04-05,2024-05-05,500.00,2000
B1,Beta,2024-02-10,2024-03-11,300.00,
B2,Beta,2024-04-20,2024-05-20,200.00,
"""
PAYMENTS = """InvoiceNo,PaidOn,Paid
A1,2024-04-10,600.00
A1,2024-04-30,400.00
B1,2024-03-20,300.00
"""
MAPS = [
    "--map", "invoice_id=InvoiceNo", "--map", "customer_id=Client", "--map", "issue_date=Issued",
    "--map", "due_date=Due", "--map", "amount=Total", "--map", "date=PaidOn", "--map", "amount=Paid",
]  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    inv, pay = tmp_path / "invoices.csv", tmp_path / "payments.csv"
    inv.write_text(INVOICES, encoding="utf-8")
    pay.write_text(PAYMENTS, encoding="utf-8")
    return [str(inv), str(pay), *MAPS, "--as-of", "2024-06-30", "--min-invoices", "2"]


def test_json_hand_computed(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", *files, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["as_of"], data["window"], data["currency"]) == ("2024-06-30", "12M", "EUR")
    acme, beta = data["customers"]
    assert list(acme) == ["customer_id", *PROFILE_COLUMNS]
    assert acme["customer_id"] == "ACME"
    assert acme["days_beyond_terms"] == 18.0
    assert acme["open_days_beyond_terms"] == 56.0
    assert acme["median_days_beyond_terms"] == 30.0
    assert acme["payment_index"] == pytest.approx(70 - 3 * 10 / 7)
    assert (acme["receivables"], acme["credit_limit"], acme["limit_use"]) == (500.0, 2000.0, 0.25)
    assert acme["open_days_late"] == 56.0  # A2, the whole open balance
    assert acme["exposure"] == 500.0
    # paid 18 (B), recent 18 (B), median 30 (B), all paid late (B), open 56 (C): C
    assert acme["grade"] == "C"
    assert acme["reasons"] == ["open balance 56 days past due on average (C: up to 60)"]
    assert acme["insufficient_history"] is False
    assert beta["days_beyond_terms"] == 9.0
    assert beta["payment_index"] == 74.0
    assert (beta["credit_limit"], beta["limit_use"]) == (None, None)
    assert beta["open_days_late"] == 41.0  # B2, 41 days past due
    assert beta["grade"] == "C"


def test_csv_every_column(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", *files, "-f", "csv", "--grades", "A=60,B"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["customer_id", *PROFILE_COLUMNS]
    assert [r["grade"] for r in rows] == ["A", "A"]
    assert rows[0]["reasons"] == (
        "paid 18 days beyond terms on average (A: up to 60); "
        "paid 18 days beyond terms in the last 3 months (A: up to 60); "
        "censored median 30 days beyond terms (A: up to 60); "
        "open balance 56 days past due on average (A: up to 60)"
    )


def test_table_sorted_to_a_file(files: list[str], tmp_path: Path) -> None:
    out = tmp_path / "profiles.txt"
    assert main(["profiles", *files, "--sort", "payment_index", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Payer profiles at 2024-06-30 (12M window, EUR)" in text
    assert text.index("ACME") < text.index("Beta")  # index 65.7 before 74 (worst first)
    assert "25%" in text  # ACME's limit use


def test_installed_command(files: list[str]) -> None:
    if not COMMAND.exists():
        pytest.skip(f"the creditkpi command is not installed next to {sys.executable}")
    result = subprocess.run(
        [str(COMMAND), "profiles", *files, "--sort", "overdue", "-f", "csv", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["ACME", "Beta"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--window", "30D"], "invalid-option: payer_profiles needs a window in months or years"),
        (["--grades", "A=x,B"], "--grades: A=x: days must be a number"),
        (["--grades", "A=,B"], "--grades expects A=30,B=60,C=90,D"),
        (["--grades", "A=30,B=20,C"], "invalid-option: grade bounds must increase"),
    ],
)
def test_bad_options_one_line(
    files: list[str], extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profiles", *files, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    err = [line for line in err if not line.startswith("creditkpi: read: ")]  # the files were read
    assert len(err) == 1
    assert err[0].startswith(f"creditkpi: error: {message}")


def test_as_of_is_required(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inv = tmp_path / "invoices.csv"
    inv.write_text(INVOICES, encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["profiles", str(inv)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "the following arguments are required: --as-of" in err
    assert main(["profiles", str(inv), *MAPS[:10], "--as-of", "30/06/2024"]) == 2
    assert capsys.readouterr().err.startswith(
        "creditkpi: error: invalid-date: as_of '30/06/2024' is not a date (expected YYYY-MM-DD)"
    )
