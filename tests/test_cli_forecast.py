"""``creditkpi forecast``: the collection forecast of files, as a table, CSV, JSON or a chart."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from creditkpi.cli import main

# C1: F0..F2 paid 10, 20, 30 days late; F3 open 30 days late on 06-30; F9 due 07-01.
# Survival forecast at 06-30 (min history 1), weekly: F9 pays 25 in weeks 2, 3 and 5
# (a quarter of the amount at risk paid 10, 20, 30 days late); F3 is past every
# payment seen (beyond). Average delay 20 days: F3 -> week 1, F9 -> 21 July (week 3).
INVOICES = """invoice_id,customer_id,issue_date,due_date,amount,country
F0,C1,2024-05-01,2024-05-31,100.00,FR
F1,C1,2024-05-01,2024-05-31,100.00,FR
F2,C1,2024-05-01,2024-05-31,100.00,FR
F3,C1,2024-05-01,2024-05-31,100.00,FR
F9,C1,2024-06-01,2024-07-01,100.00,FR
"""
PAYMENTS = """invoice_id,date,amount
F0,2024-06-10,100.00
F1,2024-06-20,100.00
F2,2024-06-30,100.00
F9,2024-07-12,100.00
"""


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    inv, pay = tmp_path / "invoices.csv", tmp_path / "payments.csv"
    inv.write_text(INVOICES, encoding="utf-8")
    pay.write_text(PAYMENTS, encoding="utf-8")
    return [str(inv), str(pay), "--as-of", "2024-06-30", "--min-history", "1"]


def test_json_hand_computed(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forecast", *files, "--horizon", "6W", "-f", "json", "-q"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["as_of"], data["horizon"], data["method"]) == ("2024-06-30", "6W", "survival")
    assert [w["expected_cash"] for w in data["windows"]] == [
        "0.00", "25.00", "25.00", "0.00", "25.00", "0.00"
    ]  # fmt: skip
    assert data["windows"][0]["start"] == "2024-07-01"
    s = data["summary"]
    assert (s["open_balance"], s["within_horizon"], s["beyond_horizon"]) == (
        "200.00",
        "75.00",
        "125.00",
    )
    assert "future invoicing" in data["scope"]


def test_csv_of_a_baseline_by_group(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["forecast", *files, "--horizon", "4W", "--method", "average_delay", "--by", "country"]
    assert main([*args, "-f", "csv", "-q"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["country"] for r in rows] == ["FR"] * 4
    assert [r["expected_cash"] for r in rows] == ["100.00", "0.00", "100.00", "0.00"]
    assert rows[2]["start"] == "2024-07-15" and rows[2]["end"] == "2024-07-21"


def test_table_and_backtest(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forecast", *files, "--horizon", "2W", "--width", "120", "-q"]) == 0
    out = capsys.readouterr().out
    assert "Expected cash from the receivables open at 2024-06-30" in out
    assert "future invoicing is not forecast" in out
    assert "200.00" in out and "25.00" in out
    as_of = ["--as-of", "2024-07-31"]
    assert main(["forecast", *files, *as_of, "--horizon", "2W", "--backtest", "2", "-q",
                 "-f", "csv"]) == 0  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # origins 07-10 and 07-17 (the last one 2 weeks before 07-31): F9 paid 07-12
    assert {r["method"] for r in rows} == {"survival", "average_delay", "due_date"}
    first = next(r for r in rows if r["method"] == "due_date" and r["step"] == "1")
    assert first["actual"] == "100.00" and first["origins"] == "2"


def test_chart_and_the_output_rules(
    files: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    chart = tmp_path / "forecast.png"
    out = tmp_path / "forecast.json"
    assert (
        main(["forecast", *files, "--chart", str(chart), "-o", str(out), "-f", "json", "-q"]) == 0
    )
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(out.read_text(encoding="utf-8"))["horizon"] == "13W"
    assert main(["forecast", *files, "-o", str(out), "-q"]) == 2
    assert "already exists: add --force" in capsys.readouterr().err
    assert main(["forecast", *files, "-o", files[0], "--force", "-q"]) == 2
    assert "is an input file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--horizon", "13 weeks"], "horizon must be"),
        (["--fallback", "region"], "fallback must be 'all' or an invoice attribute"),
        (["--min-history", "-2"], "min_history must be"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    files: list[str], extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forecast", *files, *extra]) == 2
    assert message in capsys.readouterr().err
