"""Labels follow the book's currency: no euro on a book in dollars.

A book in US dollars (one invoice of 6,000.00, 2,000.00 paid in April, 50.00 of
collection costs): its dashboard (text, HTML, JSON, the KPI table) and the
command-line report say *cost per US dollar collected* and show ``$6,000.00``,
never a euro sign or the word euro; a euro book keeps *cost per euro
collected*; a translated book speaks of its reporting currency.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.cli import main
from creditkpi.core.formatting import currency_label, currency_name
from creditkpi.registry import KPIS


def _book(currency: str) -> ck.Ledger:
    return ck.Ledger.from_records(
        [
            ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "6000.00", currency=currency),
            ck.Invoice("F2", "C2", "2024-04-02", "2024-05-02", "1000.00", currency=currency),
        ],
        [ck.Payment("F1", "2024-04-10", "2000.00")],
    )


def _board(ledger: ck.Ledger) -> ck.Dashboard:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.dashboard(ledger, "2024-04", costs=50)


#: the one note that speaks of euros on any book: French law's claims, left out of others
LAW = "40 € per late invoice"


def _no_euro(text: str) -> None:
    # the KPI's name and its documentation page are identifiers, not words for the reader
    text = " ".join(text.split()).replace(LAW, "")
    text = text.replace("cost_per_euro", "").replace("cost-per-euro", "")
    text = re.sub(r"data:[\w/+.-]+;base64,[\w+/=]+", "", text)  # the charts' images
    assert "€" not in text
    assert "euro" not in text.lower()
    assert "EUR" not in text


def test_the_names_come_from_babel() -> None:
    assert currency_name("JPY") == "Japanese yen"
    assert currency_label("Cost per euro collected", "JPY") == "Cost per Japanese yen collected"
    assert currency_label("DSO (standard)", "USD") == "DSO (standard)"
    assert currency_label("Coût à l'euro recouvré", "EUR", french=True) == (
        "Coût à l'euro recouvré"
    )
    assert currency_label("Coût à l'euro recouvré", "EUR+USD", french=True) == (
        "Coût par unité recouvré"
    )
    assert KPIS["cost_per_euro"].label_in("EUR") == "Cost per euro collected"


def test_a_dollar_dashboard_says_dollar_everywhere() -> None:
    board = _board(_book("USD"))
    assert any(LAW in note for note in board.notes)  # said, and set aside by _no_euro
    assert board.kpis.at["cost_per_euro", "label"] == "Cost per US dollar collected"
    assert board.kpis.at["cost_per_euro", "current"] == pytest.approx(0.025)  # 50 / 2,000
    text = board.to_text()
    assert "Cost per US dollar collected" in text and "$5,000.00" in text
    _no_euro(text)
    page = board.to_html()
    assert "Cost per US dollar collected" in page
    _no_euro(page)
    data = json.loads(board.to_json())
    assert data["kpis"]["cost_per_euro"]["label"] == "Cost per US dollar collected"
    assert data["kpis"]["cost_per_euro"]["label_fr"] == "Coût par dollar des États-Unis recouvré"
    frame = board.to_frame()
    labels = frame.loc[frame["kpi"] == "cost_per_euro", ["label", "label_fr"]]
    assert set(labels["label"]) == {"Cost per US dollar collected"}
    assert set(labels["label_fr"]) == {"Coût par dollar des États-Unis recouvré"}


def test_a_euro_dashboard_keeps_the_euro() -> None:
    board = _board(_book("EUR"))
    assert board.kpis.at["cost_per_euro", "label"] == "Cost per euro collected"
    assert json.loads(board.to_json())["kpis"]["cost_per_euro"]["label_fr"] == (
        "Coût à l'euro recouvré"
    )


def test_a_translated_book_speaks_of_its_reporting_currency() -> None:
    rates = ck.Rates.from_frame(
        pd.DataFrame(
            {"date": ["2024-02-26", "2024-03-29"], "currency": "USD", "rate": ["1.08", "1.10"]}
        ),
        max_gap=None,
    )
    book = _book("EUR").translate("USD", rates)
    board = _board(book)
    assert board.kpis.at["cost_per_euro", "label"] == "Cost per US dollar collected"


def test_the_command_line_report_of_a_dollar_book(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoices = tmp_path / "invoices.csv"
    payments = tmp_path / "payments.csv"
    pd.DataFrame(
        {
            "invoice_id": ["F1", "F2"],
            "customer_id": ["C1", "C2"],
            "issue_date": ["2024-03-01", "2024-04-02"],
            "due_date": ["2024-03-31", "2024-05-02"],
            "amount": ["6000.00", "1000.00"],
        }
    ).to_csv(invoices, index=False)
    pd.DataFrame({"invoice_id": ["F1"], "date": ["2024-04-10"], "amount": ["2000.00"]}).to_csv(
        payments, index=False
    )
    common = [str(invoices), str(payments), "--period", "2024-04", "--costs", "50"]
    for fmt in ("table", "json", "html"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            status = main(["report", *common, "--currency", "USD", "--format", fmt])
        out = capsys.readouterr().out
        assert status == 0
        assert "Cost per US dollar collected" in out
        _no_euro(out)
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    help_text = capsys.readouterr().out
    assert "cost per unit of currency collected" in " ".join(help_text.split())
