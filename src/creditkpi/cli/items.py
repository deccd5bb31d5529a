"""``creditkpi items`` (the open items, the collector's worklist) and ``creditkpi statement``."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

import pandas as pd

from creditkpi.cli.common import (
    EXIT_OK,
    CLIError,
    check_target,
    file_output_options,
    number_cell,
    write_file,
    write_output,
)
from creditkpi.cli.inputs import load_ledger, share_inputs
from creditkpi.core.safe_text import printable

#: the date columns of the open items (written as ``YYYY-MM-DD``)
DATE_COLUMNS = (
    "issue_date",
    "due_date",
    "last_settlement_date",
    "disputed_since",
    "expected_payment_date",
)
#: what the terminal table shows (every column goes to CSV, XLSX and HTML)
TABLE_COLUMNS = (
    "due_date",
    "open_balance",
    "days_past_due",
    "bucket",
    "dunning_status",
    "dispute_reason",
    "expected_payment_date",
)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """The open items with their index as columns and dates as text (CSV, HTML)."""
    flat = frame.reset_index()
    for column in DATE_COLUMNS:
        flat[column] = flat[column].dt.strftime("%Y-%m-%d").astype(object)
        flat.loc[flat[column].isna(), column] = None
    return flat


def _table(frame: pd.DataFrame, args: argparse.Namespace, currency: str, digits: int) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"Open items at {args.as_of} ({currency})",
        caption="every column (last settlement, dispute, outlook...) with --format csv or xlsx",
        header_style="bold",
    )
    for name in frame.index.names:
        table.add_column(str(name), justify="left")
    for column in TABLE_COLUMNS:
        table.add_column(column, justify="right" if column != "bucket" else "left")
    for key, row in frame.iterrows():
        labels = key if isinstance(key, tuple) else (key,)
        cells: list[Any] = [Text(printable(v)) for v in labels]
        for column in TABLE_COLUMNS:
            value = row[column]
            if column in DATE_COLUMNS:
                cells.append("" if pd.isna(value) else str(pd.Timestamp(value).date()))
            elif column == "open_balance":
                cells.append(number_cell(value, digits))
            elif column == "days_past_due":
                cells.append("" if pd.isna(value) else str(int(value)))
            else:
                cells.append(Text(printable(value) if value is not None else ""))
        table.add_row(*cells)
    console = Console(highlight=False, file=io.StringIO(), force_jupyter=False)
    console.width = args.width or 160
    console.print(table)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def _cmd_items(args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.period import as_date

    args.as_of = as_date(args.as_of)
    if args.format == "xlsx" and args.output is None:
        raise CLIError("--format xlsx writes a workbook: give its file with -o items.xlsx")
    if args.output is not None:  # the -o rules, checked before any work
        check_target(Path(args.output), args)
    ledger, _ = load_ledger(args)
    frame = ck.open_items(ledger, args.as_of, by=args.by, horizon=args.horizon)
    money = ("amount", "open_balance", "last_settlement_amount")
    digits = ledger.digits
    if args.format == "xlsx":
        from creditkpi.core.xlsx import xlsx_bytes

        write_file(
            Path(args.output),
            xlsx_bytes(frame, sheet="open items", digits=digits, money=money),
            args,
        )
        return EXIT_OK
    if args.format == "csv":
        from creditkpi.dashboard.cells import table_csv

        flat = _flat(frame).set_index(frame.index.names[0])
        text = table_csv(flat, "", escape_formulas=not args.raw_csv, digits=digits, money=money)
    elif args.format == "html":
        title = f"Open items at {args.as_of} ({ledger.currency})"
        text = (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body><h1>{title}</h1>"
            f"{_flat(frame).to_html(index=False, escape=True, na_rep='')}</body></html>\n"
        )
    else:
        text = _table(frame, args, ledger.currency, digits)
    write_output(text, args.output, args)
    return EXIT_OK


def _cmd_statement(args: argparse.Namespace) -> int:
    import creditkpi as ck

    if args.format == "pdf" and args.output is None:
        raise CLIError("--format pdf writes a file: give it with -o statement.pdf")
    if args.output is not None:
        check_target(Path(args.output), args)
    from creditkpi.core.formatting import check_locale

    check_locale(args.locale)  # a bad locale is named before the long work
    ledger, _ = load_ledger(args)
    statement = ck.statement(ledger, args.customer, args.period, money="decimal")
    if args.format == "pdf":
        write_file(Path(args.output), statement.to_pdf(locale=args.locale), args)
        return EXIT_OK
    if args.format == "csv":
        from creditkpi.dashboard.cells import table_csv

        several = len(statement.sections) > 1
        chunks = []
        for k, section in enumerate(statement.sections):  # each in its own currency
            lines = section.lines.copy()
            for column in ("date", "due_date"):
                lines[column] = lines[column].dt.strftime("%Y-%m-%d").astype(object)
                lines.loc[lines[column].isna(), column] = None
            if several:
                lines.insert(1, "currency", section.currency)
            text = table_csv(
                lines.set_index("date"),
                "date",
                escape_formulas=not args.raw_csv,
                digits=section.digits,
                money=("debit", "credit", "balance"),
            )
            chunks.append(text if k == 0 else text.split("\n", 1)[1])
        text = "".join(chunks)
    else:
        text = statement.to_html(locale=args.locale) + "\n"
    write_output(text, args.output, args)
    return EXIT_OK


def add_items_commands(sub: Any, report: argparse.ArgumentParser) -> None:
    """Register ``creditkpi items`` and ``creditkpi statement``: the inputs of ``report``."""
    items = sub.add_parser(
        "items",
        help="the open items at a date, one row per invoice (the collector's worklist)",
        description="One row per open invoice and per unapplied credit at --as-of: dates, "
        "amount, open balance, days past due, bucket, last settlement, dispute, dunning "
        "status, doubtful flag, expected payment date and probability of payment. Reads the "
        "same files and input options as 'creditkpi report'.",
        epilog="Example: creditkpi items invoices.csv payments.csv --as-of 2024-12-31 "
        "--format xlsx -o items.xlsx",
    )
    share_inputs(items, report)
    opts = items.add_argument_group("open items")
    opts.add_argument("--as-of", required=True, metavar="DATE",
                      help="the cut-off, YYYY-MM-DD (nothing dated later counts)")  # fmt: skip
    opts.add_argument("--by", metavar="COLUMN",
                      help="group the rows by an invoice column first (a country, a collector)")  # fmt: skip
    opts.add_argument("--horizon", default="13W", metavar="H",
                      help="horizon of the payment probability (13W, 3M, 90D; default 13W)")  # fmt: skip
    file_output_options(
        items,
        ("table", "csv", "xlsx", "html"),
        "terminal table (default), CSV (every column, exact amounts), an Excel workbook "
        "(needs -o and the excel extra; text never runs as a formula) or an HTML table",
    )
    items.set_defaults(func=_cmd_items)
    statement = sub.add_parser(
        "statement",
        help="a customer's statement of account over a period (HTML, PDF or CSV)",
        description="The opening balance, every invoice, payment, credit note and write-off "
        "of --period with the running balance, the closing balance and the aged open items "
        "of --customer, in the currency of its invoices (a part per currency it is billed "
        "in). PDF needs Chromium. Reads the same files and input options as "
        "'creditkpi report'.",
        epilog="Example: creditkpi statement invoices.csv payments.csv --customer C042 "
        "--period 2024-06 --format pdf -o C042.pdf",
    )
    share_inputs(statement, report)
    opts = statement.add_argument_group("statement")
    opts.add_argument("--customer", required=True, metavar="ID", help="the customer id")
    opts.add_argument("--period", "-p", required=True, metavar="PERIOD",
                      help="2024-06, 2024-Q2, 2024 or 2024-04-01..2024-04-15")  # fmt: skip
    opts.add_argument("--locale", metavar="LOCALE",
                      help="how amounts read: en_US (default, $6,000.00), fr_FR (6 000,00 €)...")  # fmt: skip
    file_output_options(
        statement,
        ("html", "pdf", "csv"),
        "an HTML page (default), a PDF printed with headless Chromium (needs -o) or the "
        "movements as CSV",
    )
    statement.set_defaults(func=_cmd_statement)
