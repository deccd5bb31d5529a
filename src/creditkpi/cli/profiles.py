"""``creditkpi profiles``: payer profiles of your files."""

from __future__ import annotations

import argparse
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from creditkpi.cli.common import (
    EXIT_OK,
    CLIError,
    check_target,
    number_cell,
    show_progress,
    terminal_options,
    write_output,
)
from creditkpi.cli.inputs import load_ledger, share_inputs
from creditkpi.core.safe_text import printable

#: what ``creditkpi profiles --sort`` may sort by (worst first, except customer_id)
PROFILE_SORTS = ("customer_id", "grade", "payment_index", "overdue", "receivables")


def _parse_grades(text: str | None) -> dict[str, float | None] | None:
    """``--grades A=30,B=60,C=90,D``: grade=bound, the last one bare.

    The bound is the most days of every days measure, or with ``--grading
    relative`` the portfolio quantile (``A=0.5,B=0.75,C=0.9,D``).
    """
    if text is None:
        return None
    grades: dict[str, float | None] = {}
    for item in text.split(","):
        label, sep, days = item.strip().partition("=")
        label, days = label.strip(), days.strip()
        if not label or (sep and not days):
            raise CLIError(
                f"--grades expects A=30,B=60,C=90,D (the last one open-ended), got {text!r}"
            )
        if not sep:
            grades[label] = None
            continue
        try:
            grades[label] = float(days)
        except ValueError:
            raise CLIError(f"--grades: {label}={days}: days must be a number") from None
    return grades


def _emit_profiles(frame: pd.DataFrame, args: argparse.Namespace, currency: str) -> None:
    import math

    fmt = args.format
    if fmt == "json":
        import json

        from creditkpi.core.safe_text import json_text

        records = []
        for customer, row in frame.iterrows():
            record: dict[str, Any] = {"customer_id": str(customer)}
            for column, value in row.items():
                if isinstance(value, float) and math.isnan(value):
                    value = None
                elif isinstance(value, Decimal):
                    value = str(value)
                elif hasattr(value, "item"):
                    value = value.item()
                record[str(column)] = value
            records.append(record)
        payload = {
            "as_of": str(args.as_of),
            "window": args.window,
            "currency": currency,
            "customers": records,
        }
        text = json_text(json.dumps(payload, indent=2, ensure_ascii=False))
        write_output(text + "\n", args.output, args)
        return
    if fmt == "csv":
        from creditkpi.core.money import minor_unit
        from creditkpi.dashboard.cells import table_csv
        from creditkpi.metrics.profiles import MONEY_COLUMNS

        flat = frame.copy()
        flat["reasons"] = ["; ".join(r) for r in flat["reasons"]]
        write_output(
            table_csv(
                flat,
                "customer_id",
                escape_formulas=not args.raw_csv,
                digits=minor_unit(currency),
                money=MONEY_COLUMNS,
            ),
            args.output,
            args,
        )
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"Payer profiles at {args.as_of} ({args.window} window, {currency})",
        caption="days: beyond terms (negative = early); index 0-100, higher is better; "
        "* = insufficient history",
        header_style="bold",
    )
    shown = (
        ("customer", None),
        ("grade", "grade"),
        ("index", "payment_index"),
        ("paid d.", "days_beyond_terms"),
        ("median d.", "median_days_beyond_terms"),
        ("open d.", "open_days_late"),
        ("trend", "trend_change"),
        ("receivables", "receivables"),
        ("overdue", "overdue"),
        ("limit use", "limit_use"),
        ("invoices", "invoices"),
    )
    for title, _ in shown:
        table.add_column(title, justify="left" if title in ("customer", "grade") else "right")
    for customer, row in frame.iterrows():
        cells: list[Any] = [
            Text(printable(customer) + (" *" if row["insufficient_history"] else ""))
        ]
        for _title, column in shown[1:]:
            value = row[column]
            if column == "grade":
                cells.append("-" if value is None else Text(printable(value)))
            elif column in ("receivables", "overdue"):
                cells.append(number_cell(value, 2))
            elif column == "limit_use":
                cells.append(number_cell(value, percent=True))
            elif column == "invoices":
                cells.append(str(int(value)))
            else:
                cells.append(number_cell(value, 0 if column == "payment_index" else 1))
        table.add_row(*cells)
    console = Console(highlight=False, file=io.StringIO() if args.output else None)
    if args.width:
        console.width = args.width
    elif args.output or not console.is_terminal:
        console.width = 140
    console.print(table)
    if args.output:
        assert isinstance(console.file, io.StringIO)
        write_output(console.file.getvalue(), args.output, args)


def _cmd_profiles(args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.period import as_date

    args.as_of = as_date(args.as_of)
    if args.output is not None:  # the -o rules, checked before any work
        check_target(Path(args.output), args)
    ledger, _ = load_ledger(args)
    grades = _parse_grades(args.grades)
    with show_progress("computing payer profiles…", show=not args.quiet):
        frame = ck.payer_profiles(
            ledger,
            args.as_of,
            window=args.window,
            min_invoices=args.min_invoices,
            grades=grades,
            grading=args.grading,
        )
    if args.sort == "grade":
        from creditkpi.metrics.profiles import DEFAULT_GRADES

        rank = {label: k for k, label in enumerate(grades or DEFAULT_GRADES)}  # same labels
        keys = pd.DataFrame(
            {"rank": frame["grade"].map(rank).astype(float), "overdue": frame["overdue"]}
        )
        order = keys.sort_values(
            ["rank", "overdue"], ascending=False, kind="stable", na_position="last"
        ).index
        frame = frame.loc[order]
    elif args.sort != "customer_id":
        ascending = args.sort == "payment_index"  # the lowest index is the worst
        frame = frame.sort_values(args.sort, ascending=ascending, kind="stable", na_position="last")
    _emit_profiles(frame, args, ledger.currency)
    return EXIT_OK


def add_profiles_command(sub: Any, report: argparse.ArgumentParser) -> None:
    """Register ``creditkpi profiles``: the inputs of ``report``, its own options."""
    profiles = sub.add_parser(
        "profiles",
        help="payer profiles (payment index, grade, days beyond terms) of your files",
        description="One row per customer at --as-of: how it pays (days beyond terms, trend, "
        "shares paid late, censored median), what it owes, a 0-100 payment index and a grade "
        "with its reasons. Reads the same files and input options as 'creditkpi report'.",
        epilog="Example: creditkpi profiles invoices.csv payments.csv --as-of 2024-12-31 "
        "--sort grade --format csv -o profiles.csv",
    )
    share_inputs(profiles, report)
    opts = profiles.add_argument_group("profiles")
    opts.add_argument("--as-of", required=True, metavar="DATE",
                      help="the cut-off, YYYY-MM-DD (nothing dated later counts)")  # fmt: skip
    opts.add_argument("--window", default="12M", metavar="LENGTH",
                      help="window ending on --as-of, in months or years (default 12M)")  # fmt: skip
    opts.add_argument("--min-invoices", type=int, default=5, metavar="N",
                      help="fewer invoices in the window flag insufficient history (default 5)")  # fmt: skip
    opts.add_argument("--grades", metavar="A=30,B=60,C=90,D",
                      help="grades and the most days each allows on every days measure, the "
                      "last one open-ended (default: the documented A-E scale of days beyond "
                      "terms, share paid late, open balance, write-offs and limit use); with "
                      "--grading relative, quantile levels (default A=0.5,B=0.75,C=0.9,D=0.97,E)")  # fmt: skip
    opts.add_argument("--grading", choices=("absolute", "relative"), default="absolute",
                      help="absolute thresholds (default) or the portfolio's own quantiles")  # fmt: skip
    opts.add_argument("--sort", choices=PROFILE_SORTS, default="customer_id",
                      help="row order: customer_id (default), or worst first by grade, "
                      "payment_index, overdue or receivables")  # fmt: skip
    out = profiles.add_argument_group("output")
    out.add_argument("--format", "-f", choices=("table", "csv", "json"), default="table",
                     help="terminal table (default), CSV (every column) or JSON")  # fmt: skip
    out.add_argument("--output", "-o", metavar="FILE",
                     help="write to FILE instead of stdout (never an input file; an existing "
                     "file needs --force)")  # fmt: skip
    out.add_argument("--force", action="store_true",
                     help="with -o, replace an existing file (never an input file)")  # fmt: skip
    out.add_argument("--raw-csv", action="store_true",
                     help="CSV cells exactly as in the data (no formula neutralisation), "
                     "for programs that read it")  # fmt: skip
    terminal_options(out)
    profiles.set_defaults(func=_cmd_profiles, charts=None)
