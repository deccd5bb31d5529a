"""A real notebook, run by nbconvert in an IPython kernel: each result displays once.

In Jupyter a dashboard printed twice (its HTML, then rich's own display, a
side effect of building its text), and ``to_text()`` returned ``''`` there:
rich's console wrote to the notebook instead of to its buffer. Here every
result is the last line of a cell, and its cell must have exactly one output,
the result itself, with the same text as outside Jupyter.
"""

from __future__ import annotations

import warnings

import pytest

import creditkpi as ck
from creditkpi import datasets

nbformat = pytest.importorskip("nbformat")
execute = pytest.importorskip("nbconvert.preprocessors")
pytest.importorskip("ipykernel")

SETUP = """\
import warnings
import creditkpi as ck
from creditkpi import datasets
warnings.simplefilter("ignore")
ledger = datasets.sample()
board = ck.dashboard(ledger, "2024-12")
customer = ck.top_customers(ledger, "2024-12-31", n=1).index[0]"""

CELLS = {
    "dashboard": "board",
    "text": "len(board.to_text())",
    "items": 'ck.open_items(ledger, "2024-12-31").head(3)',
    "statement": 'ck.statement(ledger, customer, "2024-12")',
    "forecast": 'ck.collection_forecast(ledger, "2024-12-31")',
}


@pytest.fixture(scope="module")
def outputs() -> dict[str, list[dict[str, object]]]:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SETUP)] + [
        nbformat.v4.new_code_cell(source) for source in CELLS.values()
    ]
    runner = execute.ExecutePreprocessor(timeout=600, kernel_name="python3")
    runner.preprocess(notebook, {"metadata": {"path": "."}})
    assert notebook.cells[0].outputs == []
    return {name: cell.outputs for name, cell in zip(CELLS, notebook.cells[1:], strict=True)}


@pytest.mark.parametrize("name", [n for n in CELLS if n != "text"])
def test_a_result_displays_once_as_html(
    outputs: dict[str, list[dict[str, object]]], name: str
) -> None:
    (only,) = outputs[name]  # no second display, no stream, no error
    assert only["output_type"] == "execute_result"
    data = only["data"]
    assert isinstance(data, dict) and "text/html" in data and "text/plain" in data


def test_what_each_html_shows(outputs: dict[str, list[dict[str, object]]]) -> None:
    html = {name: out[0]["data"]["text/html"] for name, out in outputs.items() if name != "text"}  # type: ignore[index]
    assert "Receivables outstanding" in html["dashboard"]
    assert "open_balance" in html["items"]
    assert "Statement of account" in html["statement"] and "<body>" not in html["statement"]


def test_to_text_is_the_same_in_jupyter(outputs: dict[str, list[dict[str, object]]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        here = ck.dashboard(datasets.sample(), "2024-12").to_text()
    (only,) = outputs["text"]
    assert only["data"]["text/plain"] == str(len(here))  # type: ignore[index]
    assert len(here) > 1000
