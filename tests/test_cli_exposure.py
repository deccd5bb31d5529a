"""``creditkpi exposure`` and ``--limits`` / ``--cover``: the limits-and-cover book from files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from creditkpi.cli import main
from creditkpi.metrics.exposure import EXPOSURE_COLUMNS

# the book of the Limits and cover page (worked out there and in tests/metrics/test_limits.py)
INVOICES = """invoice_id,customer_id,issue_date,due_date,amount
A1,A,2024-03-01,2024-03-31,1200.00
A2,A,2024-05-10,2024-06-09,500.00
B1,B,2024-05-01,2024-05-31,300.00
C1,C,2024-03-15,2024-04-14,3000.00
C2,C,2024-05-20,2024-06-19,2000.00
D1,D,2024-05-05,2024-06-04,600.00
"""
PAYMENTS = """invoice_id,date,amount,customer_id
A1,2024-06-20,400.00,
C2,2024-06-10,2000.00,
,2024-06-25,50.00,B
"""
LIMITS = """customer_id,date,amount
A,2024-01-01,1000
A,2024-06-15,2000
C,2024-01-01,5000
"""
COVER = """customer_id,start,amount,end,share,declare_within,insurer
C,2024-01-01,4000,,0.95,60,Coface
D,2024-01-01,1000,2024-06-15,,,
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, text in (
        ("invoices", INVOICES),
        ("payments", PAYMENTS),
        ("limits", LIMITS),
        ("cover", COVER),
    ):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        out[name] = str(path)
    return out


def _inputs(files: dict[str, str], *extra: str) -> list[str]:
    return [
        files["invoices"], files["payments"], "--limits", files["limits"],
        "--cover", files["cover"], "-q", *extra,
    ]  # fmt: skip


def test_json_by_hand(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exposure", *_inputs(files, "--as-of", "2024-05-31", "-f", "json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["as_of"], data["currency"], data["unapplied"]) == ("2024-05-31", "EUR", "net")
    totals = data["totals"]
    assert (totals["over_limit"], totals["over_limit_customers"]) == ("700.00", 1)
    assert totals["limit_utilisation"] == pytest.approx(6700 / 6000)
    assert totals["covered_share"] == pytest.approx(4340 / 7600)
    assert (totals["uncovered_exposure"], totals["cover_at_risk"]) == ("3260.00", "0.00")
    rows = {row["customer_id"]: row for row in data["customers"]}
    # sorted by over_limit, then exposure, largest first
    assert [row["customer_id"] for row in data["customers"]] == ["A", "C", "D", "B"]
    assert list(rows["A"]) == ["customer_id", *EXPOSURE_COLUMNS]
    assert (rows["A"]["exposure"], rows["A"]["limit"], rows["A"]["utilisation"]) == (
        "1700.00",
        "1000.00",
        1.7,
    )
    assert rows["A"]["cover_limit"] is None
    assert (rows["C"]["covered"], rows["C"]["deadline_within_15_days"]) == ("3800.00", "3000.00")
    assert (rows["D"]["cover_limit"], rows["D"]["covered"]) == ("1000.00", "540.00")
    assert (rows["B"]["limit"], rows["B"]["utilisation"]) == (None, None)


def test_csv_gross_sorted(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--as-of", "2024-06-30", "-f", "csv", "--unapplied", "gross", "--sort", "customer_id"]
    assert main(["exposure", *_inputs(files, *args)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["customer_id"] for r in rows] == ["A", "B", "C", "D"]
    assert rows[1]["exposure"] == "300.00"  # gross: B's 50 of unapplied cash not netted
    assert (rows[2]["covered"], rows[2]["past_deadline"]) == ("2850.00", "3000.00")
    assert rows[3]["cover_limit"] == ""  # D's cover ended on 06-15


def test_table_to_a_file(files: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "exposure.txt"
    args = ["--as-of", "2024-06-30", "--sort", "past_deadline", "-o", str(out)]
    assert main(["exposure", *_inputs(files, *args)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Credit exposure at 2024-06-30 (EUR, unapplied credits netted)" in text
    assert text.index("│ C ") < text.index("│ A ")  # C's 3,000 past the deadline first
    assert "limits used 61%" in text


def test_report_shows_the_block(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", *_inputs(files, "--period", "2024-06", "-f", "json")]) == 0
    kpis = json.loads(capsys.readouterr().out)["kpis"]
    assert (kpis["over_limit"]["current"], kpis["over_limit"]["previous"]) == ("0.00", "700.00")
    assert kpis["cover_at_risk"]["current"] == "3000.00"
    assert kpis["limit_utilisation"]["current"] == pytest.approx(4300 / 7000)


def test_profiles_read_the_limits(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--as-of", "2024-05-31", "-f", "json", "--grading", "relative", "--min-invoices", "1"]
    assert main(["profiles", *_inputs(files, *args)]) == 0
    rows = {r["customer_id"]: r for r in json.loads(capsys.readouterr().out)["customers"]}
    assert (rows["A"]["credit_limit"], rows["A"]["limit_use"]) == (1000.0, 1.7)
    assert (rows["C"]["cover_limit"], rows["C"]["covered"]) == (4000.0, 3800.0)


def test_limits_of_an_unknown_customer(
    files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad-limits.csv"
    bad.write_text("customer_id,date,amount\nZED,2024-01-01,10\n", encoding="utf-8")
    args = [files["invoices"], files["payments"], "--limits", str(bad), "--as-of", "2024-05-31"]
    assert main(["exposure", *args, "-q"]) != 0
    error = capsys.readouterr().err
    assert "unknown-customer" in error and "ZED" in error
