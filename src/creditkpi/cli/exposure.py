"""``creditkpi exposure``: each customer's exposure beside its credit limit and insurance cover."""

from __future__ import annotations

import argparse
import io
import math
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from creditkpi.cli.common import (
    EXIT_OK,
    check_target,
    number_cell,
    show_progress,
    terminal_options,
    write_output,
)
from creditkpi.cli.inputs import load_ledger, share_inputs
from creditkpi.core.safe_text import printable

#: what ``creditkpi exposure --sort`` may sort by (largest first, except customer_id)
EXPOSURE_SORTS = (
    "over_limit",
    "utilisation",
    "exposure",
    "uncovered",
    "past_deadline",
    "customer_id",
)

#: the portfolio totals printed with the table: (KPI function, the input it needs)
_TOTALS = (
    ("over_limit", "limits"),
    ("over_limit_customers", "limits"),
    ("limit_utilisation", "limits"),
    ("unlimited_exposure", "limits"),
    ("covered_share", "cover"),
    ("uncovered_exposure", "cover"),
    ("cover_at_risk", "cover"),
)


def _totals(ledger: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The limit and cover KPIs of the book at ``--as-of`` (those its inputs allow)."""
    import creditkpi as ck
    from creditkpi.registry import KPIS

    out: dict[str, Any] = {}
    for name, needs in _TOTALS:
        if needs in ledger.inputs:
            # money exact (Decimal): JSON writes it as text, the table to the cent
            exact = {"money": "decimal"} if KPIS[name].unit == "money" else {}
            out[name] = getattr(ck, name)(ledger, args.as_of, unapplied=args.unapplied, **exact)
    return out


def _plain(value: Any) -> Any:
    """A JSON value: text for money, ``None`` for undefined."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else str(value)
    return value.item() if hasattr(value, "item") else value


def _emit(
    frame: pd.DataFrame, totals: dict[str, Any], args: argparse.Namespace, currency: str
) -> None:
    from creditkpi.core.money import minor_unit

    fmt = args.format
    if fmt == "json":
        import json

        from creditkpi.core.safe_text import json_text

        records = [
            {"customer_id": str(customer), **{str(k): _plain(v) for k, v in row.items()}}
            for customer, row in frame.iterrows()
        ]
        payload = {
            "as_of": str(args.as_of),
            "currency": currency,
            "unapplied": args.unapplied,
            "totals": {k: _plain(v) for k, v in totals.items()},
            "customers": records,
        }
        write_output(json_text(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n",
                     args.output, args)  # fmt: skip
        return
    if fmt == "csv":
        from creditkpi.dashboard.cells import table_csv
        from creditkpi.metrics.exposure import EXPOSURE_COLUMNS

        text = table_csv(
            frame,
            "customer_id",
            escape_formulas=not args.raw_csv,
            digits=minor_unit(currency),
            money=[c for c in EXPOSURE_COLUMNS if c != "utilisation"],
        )
        write_output(text, args.output, args)
        return
    _emit_table(frame, totals, args, currency)


def _emit_table(
    frame: pd.DataFrame, totals: dict[str, Any], args: argparse.Namespace, currency: str
) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from creditkpi.metrics.exposure import EXPOSURE_COLUMNS

    soon = EXPOSURE_COLUMNS[-1]
    shown = (
        ("customer", None),
        ("exposure", "exposure"),
        ("limit", "limit"),
        ("use", "utilisation"),
        ("over limit", "over_limit"),
        ("cover", "cover_limit"),
        ("covered", "covered"),
        ("uncovered", "uncovered"),
        ("past deadline", "past_deadline"),
        ("deadline ≤ 15 d", soon),
    )
    caption = [f"{len(frame):,} customers"]
    if "over_limit" in totals:
        caption.append(
            f"over limit: {number_cell(totals['over_limit'], 2)} ({totals['over_limit_customers']}"
            f" customers); limits used {number_cell(totals['limit_utilisation'], percent=True)}"
        )
    if "covered_share" in totals:
        caption.append(
            f"insured {number_cell(totals['covered_share'], percent=True)} of the exposure; "
            f"past the declaration deadline: {number_cell(totals['cover_at_risk'], 2)}"
        )
    table = Table(
        title=f"Credit exposure at {args.as_of} ({currency}, unapplied credits "
        f"{'netted' if args.unapplied == 'net' else 'not netted'})",
        caption="; ".join(caption),
        header_style="bold",
    )
    for title, _ in shown:
        table.add_column(title, justify="left" if title == "customer" else "right")
    for customer, row in frame.iterrows():
        cells: list[Any] = [Text(printable(customer))]
        for _, column in shown[1:]:
            value = row[column]
            percent = column == "utilisation"
            cells.append(number_cell(value, 2, percent=percent))
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


def _cmd_exposure(args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.period import as_date

    args.as_of = as_date(args.as_of)
    if args.output is not None:  # the -o rules, checked before any work
        check_target(Path(args.output), args)
    ledger, _ = load_ledger(args)
    with show_progress("computing the credit exposure…", show=not args.quiet):
        money: Literal["float", "decimal"] = "decimal" if args.format == "json" else "float"
        frame = ck.credit_exposure(ledger, args.as_of, unapplied=args.unapplied, money=money)
        totals = _totals(ledger, args)
    if args.sort != "customer_id":
        frame = frame.sort_values(
            [args.sort, "exposure"], ascending=False, kind="stable", na_position="last"
        )
    _emit(frame, totals, args, ledger.currency)
    return EXIT_OK


def add_exposure_command(sub: Any, report: argparse.ArgumentParser) -> None:
    """Register ``creditkpi exposure``: the inputs of ``report``, its own options."""
    command = sub.add_parser(
        "exposure",
        help="each customer's exposure beside its credit limit and insurance cover",
        description="One row per customer at --as-of: its exposure (open receivables, "
        "unapplied credits netted), its credit limit (--limits), the use of it and what is "
        "over, its insurer's cover (--cover), what is covered and uncovered, and the insured "
        "balances past (or within 15 days of) their declaration deadline; the book's totals "
        "below. Reads the same files and input options as 'creditkpi report'.",
        epilog="Example: creditkpi exposure invoices.csv payments.csv --limits limits.csv "
        "--cover cover.csv --as-of 2024-12-31 --format csv -o exposure.csv",
    )
    share_inputs(command, report)
    opts = command.add_argument_group("exposure")
    opts.add_argument("--as-of", required=True, metavar="DATE",
                      help="the cut-off, YYYY-MM-DD (nothing dated later counts)")  # fmt: skip
    opts.add_argument("--unapplied", choices=("net", "gross"), default="net",
                      help="net each customer's unapplied credits (default) or not")  # fmt: skip
    opts.add_argument("--sort", choices=EXPOSURE_SORTS, default="over_limit",
                      help="row order, largest first: over_limit (default), utilisation, "
                      "exposure, uncovered, past_deadline; or customer_id")  # fmt: skip
    out = command.add_argument_group("output")
    out.add_argument("--format", "-f", choices=("table", "csv", "json"), default="table",
                     help="terminal table (default), CSV (every column) or JSON (with the "
                     "book's totals)")  # fmt: skip
    out.add_argument("--output", "-o", metavar="FILE",
                     help="write to FILE instead of stdout (never an input file; an existing "
                     "file needs --force)")  # fmt: skip
    out.add_argument("--force", action="store_true",
                     help="with -o, replace an existing file (never an input file)")  # fmt: skip
    out.add_argument("--raw-csv", action="store_true",
                     help="CSV cells exactly as in the data (no formula neutralisation), "
                     "for programs that read it")  # fmt: skip
    terminal_options(out)
    command.set_defaults(func=_cmd_exposure, charts=None)
