"""``creditkpi claims``: late-payment penalties and indemnities of your files."""

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
from creditkpi.cli.inputs import load_ledger, read_input, share_inputs
from creditkpi.core.safe_text import printable


def _rate(text: str | None, args: argparse.Namespace) -> Any:
    """``--rate``: statutory (default), a yearly fraction, or a file of dated rates."""
    if text is None or text == "statutory":
        return None
    try:
        return float(text)
    except ValueError:
        pass
    frame = read_input(text, what="rate", sep=args.sep)
    if not {"date", "rate"} <= set(frame.columns):
        raise CLIError(
            f"--rate expects 'statutory', a yearly rate as a fraction (0.12) or a file of "
            f"dated rates with the columns date and rate; {text} has {list(frame.columns)}"
        )
    return frame[["date", "rate"]]


def _emit(frame: pd.DataFrame, args: argparse.Namespace, currency: str, index: str) -> None:
    from creditkpi.core.money import minor_unit
    from creditkpi.dashboard.cells import table_csv
    from creditkpi.metrics.late_payment import CLAIM_COLUMNS

    money = [c for c in frame.columns if c not in ("days_late", "invoices", *CLAIM_COLUMNS[:2])]
    if args.format == "xlsx":
        from creditkpi.core.xlsx import xlsx_bytes

        data = xlsx_bytes(frame, sheet="claims", digits=minor_unit(currency), money=money)
        write_file(Path(args.output), data, args)
        return
    if args.format == "csv":
        flat = frame.reset_index(level=list(range(1, frame.index.nlevels)))
        for column in ("issue_date", "due_date"):
            if column in flat:
                flat[column] = flat[column].dt.strftime("%Y-%m-%d")
        write_output(
            table_csv(
                flat,
                index,
                escape_formulas=not args.raw_csv,
                digits=minor_unit(currency),
                money=money,
            ),
            args.output,
            args,
        )
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"Late-payment claims at {args.as_of} ({currency})",
        caption="penalties: interest on what was unpaid each day after the due date; "
        "indemnity: fixed recovery indemnity per late invoice",
        header_style="bold",
    )
    keys = list(frame.index.names)
    for name in keys:
        table.add_column(str(name), justify="left")
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for key, row in frame.iterrows():
        labels = key if isinstance(key, tuple) else (key,)
        cells: list[Any] = [Text(printable(v)) for v in labels]
        for name, value in row.items():
            column = str(name)
            if column in ("issue_date", "due_date"):
                cells.append(str(pd.Timestamp(value).date()))
            elif column in ("days_late", "invoices"):
                cells.append(str(int(value)))
            else:
                cells.append(number_cell(value, minor_unit(currency)))
        table.add_row(*cells)
    console = Console(highlight=False, file=io.StringIO() if args.output else None)
    if args.width:
        console.width = args.width
    elif args.output or not console.is_terminal:
        console.width = 160
    console.print(table)
    if args.output:
        assert isinstance(console.file, io.StringIO)
        write_output(console.file.getvalue(), args.output, args)


def _cmd_claims(args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.period import as_date

    args.as_of = as_date(args.as_of)
    if args.format == "xlsx" and args.output is None:
        raise CLIError("--format xlsx writes a workbook: give its file with -o claims.xlsx")
    if args.output is not None:  # the -o rules, checked before any work
        check_target(Path(args.output), args)
    ledger, _ = load_ledger(args)
    frame = ck.late_payment_claims(
        ledger,
        args.as_of,
        rate=_rate(args.rate, args),
        indemnity=args.indemnity,
        days_in_year=args.days_in_year,
        exclude_disputed=args.exclude_disputed,
        by=args.by,
    )
    if args.by is None:
        frame = frame.sort_values("claimable", ascending=False, kind="stable")
    _emit(frame, args, ledger.currency, "customer_id" if args.by is None else args.by)
    return EXIT_OK


def add_claims_command(sub: Any, report: argparse.ArgumentParser) -> None:
    """Register ``creditkpi claims``: the inputs of ``report``, its own options."""
    claims = sub.add_parser(
        "claims",
        help="late-payment penalties and 40 € indemnities each late invoice owes (France)",
        description="One row per invoice paid late or overdue at --as-of: days late, the "
        "penalties accrued (the ECB rate + 10 points by default, French law L441-10), the "
        "fixed recovery indemnity and the total claimable; or their sums --by a column. "
        "Reads the same files and input options as 'creditkpi report'.",
        epilog="Example: creditkpi claims invoices.csv payments.csv --as-of 2024-12-31 "
        "--format xlsx -o claims.xlsx",
    )
    share_inputs(claims, report)
    opts = claims.add_argument_group("claims")
    opts.add_argument("--as-of", required=True, metavar="DATE",
                      help="the cut-off, YYYY-MM-DD (nothing dated later counts)")  # fmt: skip
    opts.add_argument("--rate", metavar="RATE|FILE",
                      help="yearly penalty rate: 'statutory' (default: the ECB rate + 10 "
                      "points), a fraction such as 0.12, or a file of dated rates (date, rate)")  # fmt: skip
    opts.add_argument("--indemnity", metavar="AMOUNT",
                      help="fixed indemnity per late invoice (default 40 for a euro ledger)")  # fmt: skip
    opts.add_argument("--days-in-year", type=int, choices=(360, 365, 366), default=365,
                      help="divisor of the yearly rate (default 365)")  # fmt: skip
    opts.add_argument("--exclude-disputed", action="store_true",
                      help="leave out invoices under an open dispute at --as-of")  # fmt: skip
    opts.add_argument("--by", metavar="COLUMN",
                      help="sum the claims per customer_id or invoice column")  # fmt: skip
    file_output_options(
        claims,
        ("table", "csv", "xlsx"),
        "terminal table (default), CSV (every column, exact amounts) or an Excel workbook "
        "(needs -o and the excel extra; text never runs as a formula)",
    )
    claims.set_defaults(func=_cmd_claims)
