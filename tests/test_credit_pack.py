"""The monthly credit pack: its figures (the year before, the pack's tables), its words, its text.

The pack in a browser and printed to PDF is checked in ``tests/test_pack_browser.py``.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi import datasets
from creditkpi.core.formatting import Formatter
from creditkpi.dashboard import Dashboard
from creditkpi.dashboard.compute import inputs_of
from creditkpi.dashboard.items import URGENT_ITEMS, urgent_items
from creditkpi.dashboard.words import ecl_explanation, sentence, summary_lines
from creditkpi.registry import KPIS, TABLES
from tests.paths import function_value, same
from tests.test_dashboard import LEDGER


def _quiet(fn: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


#: a generated book of two years: the pack of its last month has a year before
BOOK = datasets.synthetic_ledger(n_customers=40, months=24, seed=5, currency="USD")
TARGETS = {"dso": 45, "overdue_rate": 0.15, "cei": 0.5, "expected_credit_loss": 1_000}


@pytest.fixture(scope="module")
def book() -> Dashboard:
    return _quiet(lambda: ck.dashboard(BOOK, "2024-12", targets=TARGETS, money="decimal"))


@pytest.fixture(scope="module")
def small() -> Dashboard:
    return _quiet(lambda: ck.dashboard(LEDGER, "2024-04"))


# ----------------------------------------------------------------------------------
# the figures
# ----------------------------------------------------------------------------------


#: the KPIs the book's dashboard shows (no collection costs given; a dollar ledger has no
#: French late-payment claims)
SHOWN = [k.name for k in KPIS.values() if set(k.requires) <= inputs_of(BOOK)]


@pytest.mark.parametrize("name", SHOWN)
def test_the_year_before_is_each_kpi_a_year_before(book: Dashboard, name: str) -> None:
    kpi = KPIS[name]
    year = ck.Period.month(2023, 12)
    key = year if kpi.basis == "period" else year.end
    expected = _quiet(lambda: function_value(kpi, BOOK, key))
    got = book.kpis.loc[name]
    assert same(got["year_ago"], expected), (got["year_ago"], expected)
    current = got["current"]
    if not (pd.isna(current) or pd.isna(got["year_ago"])):
        assert same(got["year_change"], current - got["year_ago"], rel=1e-9)
    assert (book.year_ago_period, book.year_ago_as_of) == (year, year.end)


def test_no_year_before_the_data(small: Dashboard) -> None:
    """The small book starts in 2024: no year-on-year column, one note, nothing "undefined"."""
    assert not small.has_year_ago
    assert small.kpis["year_ago"].isna().all() and small.kpis["year_change"].isna().all()
    assert not [u for u in small.undefined if u.endswith("/year_ago")]
    notes = [n for n in small.notes if "a year before" in n]
    assert notes == ["the data starts on 2024-01-10, after the same period a year before "
                     "(2023-04): no year-on-year comparison"]  # fmt: skip
    page = small.to_html(full=True, charts=False)
    assert ">2023-04<" not in page and "year on year" not in page


def test_the_pack_tables_are_the_ledger_functions(book: Dashboard) -> None:
    end = "2024-12-31"
    top = _quiet(lambda: ck.top_customers(BOOK, end, order="overdue", money="decimal"))
    assert book.top_overdue_customers.index.tolist() == top.index.tolist()
    assert (book.top_overdue_customers["overdue"] > 0).all()
    before = _quiet(lambda: ck.top_customers(BOOK, "2024-11-30", n=None, money="decimal"))
    first = top.index[0]
    expected = before["overdue"].get(first, Decimal("0.00"))
    assert book.top_overdue_customers.at[first, "previous_overdue"] == expected
    matrix = _quiet(lambda: ck.provision_matrix(BOOK, end, money="decimal"))
    pd.testing.assert_frame_equal(book.provision_matrix, matrix, check_dtype=False)
    assert (
        book.provision_matrix.at["total", "allowance"]
        == book.kpis.at["expected_credit_loss", "current"]
    )
    weeks = _quiet(lambda: ck.collection_forecast(BOOK, end, horizon="13W", money="decimal"))
    assert (
        book.expected_cash_by_week["expected_cash"].tolist()
        == weeks.windows["expected_cash"].tolist()
    )
    assert TABLES["top_overdue_customers"].definition and book.trend.index[-1] == pd.Period(
        "2024-12", "M"
    )
    trend = _quiet(
        lambda: ck.receivables(BOOK, [p.end for p in ck.Period.months("2024-01", "2024-12")])
    )
    assert [Decimal(str(v)) for v in book.trend["receivables"]] == [Decimal(str(v)) for v in trend]


def test_the_json_keeps_the_pack(book: Dashboard) -> None:
    again = Dashboard.from_json(book.to_json())
    assert again.to_dict() == book.to_dict()
    assert again.year_ago_period == book.year_ago_period and again.targets == book.targets
    assert again.to_html(full=True, charts=False) == book.to_html(full=True, charts=False)


# ----------------------------------------------------------------------------------
# the words
# ----------------------------------------------------------------------------------


def _row(current: Any, previous: Any, year: Any = float("nan")) -> pd.Series:
    return pd.Series(
        {"current": current, "previous": previous, "change": current - previous, "year_ago": year}
    )


def test_sentences_follow_the_unit_and_the_direction() -> None:
    usd = Formatter("USD")
    assert (
        sentence(KPIS["receivables"], _row(5119.85, 6918.35), usd)
        == "Receivables outstanding fell 26.0% to $5,119.85."
    )  # no direction: neither better nor worse
    assert (
        sentence(KPIS["overdue_rate"], _row(0.1632, 0.1185, 0.1653), usd)
        == "Overdue rate rose 4.5 points to 16.3% (worse); 16.5% a year before."
    )
    assert (
        sentence(KPIS["dso"], _row(26.3, 27.7), usd)
        == "DSO (standard) fell 1.4 days to 26.3 days (better)."
    )
    assert (
        sentence(KPIS["cei"], _row(0.9, 0.90001), usd)
        == "Collection effectiveness index unchanged at 90.0%."
    )
    assert sentence(KPIS["cash_collected"], _row(500.0, float("nan")), usd) == (
        "Cash collected: $500.00."
    )
    assert sentence(KPIS["dso"], _row(float("nan"), 27.7), usd) is None
    fr = Formatter("EUR", locale="fr_FR")
    assert sentence(KPIS["overdue_rate"], _row(0.1632, 0.1185), fr) == (
        "Overdue rate rose 4,5 points to 16,3\xa0% (worse)."
    )


def test_the_summary_of_a_book(book: Dashboard) -> None:
    lines = summary_lines(book, Formatter("USD"))
    assert re.fullmatch(r"2024-12 against 2024-11: \d+ indicators? better, \d+ worse\.", lines[0])
    headline = [k.label for k in KPIS.values() if k.headline and k.name in book.kpis.index]
    for label in headline[:-1]:  # the expected credit loss may be said with why
        assert any(line.startswith(label) for line in lines), label
    status = book.target_status()["status"]
    met = int((status == "met").sum())
    assert any(line.startswith(f"Targets: {met} of {len(TARGETS)} met") for line in lines)
    assert lines[1].startswith("Receivables outstanding") and " to $" in lines[1]  # never "6,000$"


def _book(invoices: list[ck.Invoice], payments: list[ck.Payment]) -> ck.Ledger:
    return ck.Ledger.from_records(invoices, payments)


def test_why_the_expected_credit_loss_is_zero() -> None:
    # a year of invoices all paid within terms, one open invoice not yet due
    paid = [
        ck.Invoice(f"P{m}", "C1", f"2022-{m:02d}-01", f"2022-{m:02d}-28", "100.00")
        for m in range(1, 13)
    ]
    ledger = _book(
        [*paid, ck.Invoice("OPEN", "C1", "2023-12-15", "2024-01-14", "500.00")],
        [ck.Payment(f"P{m}", f"2022-{m:02d}-20", "100.00") for m in range(1, 13)],
    )
    board = _quiet(lambda: ck.dashboard(ledger, "2023-12"))
    assert board.kpis.at["expected_credit_loss", "current"] == 0
    text = ecl_explanation(board, Formatter("EUR"))
    assert text is not None and text.startswith(
        "Expected credit loss is €0.00 because the loss rates"
    )
    assert "invoices due a year or more before 2023-12-31" in text
    assert text in summary_lines(board, Formatter("EUR"))
    # a history too short to learn from: undefined, and said why
    young = _book([ck.Invoice("Y1", "C1", "2023-10-01", "2023-10-31", "100.00")], [])
    board = _quiet(lambda: ck.dashboard(young, "2023-12"))
    text = ecl_explanation(board, Formatter("EUR"))
    assert text is not None and text.startswith("Expected credit loss is undefined (n/a)")
    # an expected credit loss that is not zero needs no explanation
    assert ecl_explanation(_quiet(lambda: ck.dashboard(BOOK, "2024-12")), Formatter("USD")) is None


# ----------------------------------------------------------------------------------
# the most urgent open items (the section appears when the open-items table exists)
# ----------------------------------------------------------------------------------


ITEMS = pd.DataFrame(
    {
        "due_date": pd.to_datetime(["2024-01-31", "2024-03-31", "2024-04-30", "2024-02-29"]),
        "days_past_due": [90, 30, 0, 61],
        "open_balance": [100.0, 900.0, 5000.0, 400.0],
        "dunning_status": ["formal notice", "reminder 1", "none", "reminder 2"],
    },
    index=pd.MultiIndex.from_tuples(
        [("ACME", "A1"), ("Beta", "B2"), ("Beta", "B3"), ("Gamma", "C1")],
        names=["customer_id", "invoice_id"],
    ),
)


def test_urgent_items_are_ranked_by_amount_days() -> None:
    ranked = urgent_items(ITEMS)
    # 900 x 30 = 27,000; 400 x 61 = 24,400; 100 x 90 = 9,000; not yet due: left out
    assert ranked.index.tolist() == [("Beta", "B2"), ("Gamma", "C1"), ("ACME", "A1")]
    assert urgent_items(ITEMS, 1).index.tolist() == [("Beta", "B2")]
    with pytest.raises(ck.CreditKPIError, match="lacks days_past_due"):
        urgent_items(ITEMS.drop(columns="days_past_due"))


def test_the_items_section_appears_with_an_open_items_table(small: Dashboard) -> None:
    # the pack's items are the ledger's open items, ranked
    assert small.urgent_items is not None
    assert len(small.urgent_items) <= URGENT_ITEMS
    stake = small.urgent_items["open_balance"] * small.urgent_items["days_past_due"]
    assert stake.is_monotonic_decreasing and (small.urgent_items["days_past_due"] > 0).all()
    assert 'id="items"' in small.to_html(full=True, charts=False)
    nothing = dataclasses.replace(small, urgent_items=None)
    assert 'id="items"' not in nothing.to_html(full=True, charts=False)
    board = dataclasses.replace(small, urgent_items=urgent_items(ITEMS))
    page = board.to_html(full=True, charts=False)
    section = re.search(r'<section id="items"[^>]*>(.*?)</section>', page, re.S)
    assert section is not None
    assert "The 3 most urgent open items at 2024-04-30" in section.group(1)
    assert (
        section.group(1).index(">B2<")
        < section.group(1).index(">C1<")
        < section.group(1).index(">A1<")
    )
    assert "€900.00" in section.group(1) and "2024-03-31" in section.group(1)
    again = Dashboard.from_json(board.to_json())
    assert again.urgent_items is not None
    assert again.urgent_items.index.tolist() == board.urgent_items.index.tolist()
    assert again.urgent_items["open_balance"].tolist() == [900.0, 400.0, 100.0]


# ----------------------------------------------------------------------------------
# the text and rich renderings: integers, titles that fit, one note per missing section
# ----------------------------------------------------------------------------------


def _no_statuses() -> ck.Ledger:
    frames = datasets.generate(n_customers=30, months=14, seed=2, currency="USD")
    return ck.Ledger.from_frames(frames.invoices, frames.payments)


@pytest.mark.parametrize("width", [30, 40, 60, 80, 110, 160, 200])
def test_text_fits_every_width(width: int) -> None:
    board = _quiet(lambda: ck.dashboard(_no_statuses(), "2024-02", targets={"dso": 40}))
    text = board.to_text(width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "…" not in text  # nothing is cut: whole columns are left out instead
    assert "(none)" not in text
    flat = " ".join(text.split())
    for heading, _, _ in board.table_views():
        assert " ".join(heading.split()) in flat, heading  # wrapped at spaces only
    # no word broken across lines (no "Receivab / les"): every word of a heading or a
    # KPI label is a whole word of the text
    words = set(text.split())
    labels = [h for h, _, _ in board.table_views()] + board.kpis["label"].tolist()
    broken = {w for label in labels for w in label.split() if w not in words}
    assert broken <= {"KPI"}, broken
    # counts are whole numbers: each top customer's open invoices, as printed on its line
    if width >= 110:
        for customer, count in board.top_customers["invoices"].items():
            line = next(x for x in lines if x.split()[:1] == [customer])
            assert str(count) in line.split() and f"{count}.0" not in line.split()


def test_a_missing_input_is_said_once_and_its_table_left_out() -> None:
    board = _quiet(lambda: ck.dashboard(_no_statuses(), "2024-02"))
    text = board.to_text(width=160)
    assert "Receivables by dunning status" not in text and "Open disputes" not in text
    assert text.count("No dunning statuses: receivables by dunning status are left out.") == 1
    assert text.count("o dispute data") == 1
    page = board.to_html(full=True, charts=False)
    assert 'id="dunning"' not in page and "(none)" not in page
    assert page.count("o dispute data") == 1


def test_an_empty_table_gets_one_note() -> None:
    """Disputes given, none open at either date: the table is left out, and said why."""
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00")],
        disputes=[ck.Dispute("F1", "2024-01-05", resolved="2024-01-20")],
    )
    board = _quiet(lambda: ck.dashboard(ledger, "2024-04"))
    note = (
        "Open disputes by reason: nothing to show at 2024-04-30 or 2024-03-31, so it is left out."
    )
    assert board.to_text(width=120).count(note) == 1
    assert board.to_html(full=True, charts=False).count(note) == 1


def test_amounts_follow_the_locale(small: Dashboard) -> None:
    assert "€2,200.00" in small.to_text(width=160)
    french = small.to_text(width=160, locale="fr_FR")
    assert "2\u202f200,00\xa0€" in french and "€2,200.00" not in french
    assert "2\u202f200,00\xa0€" in small.to_html(full=True, charts=False, locale="fr_FR")
