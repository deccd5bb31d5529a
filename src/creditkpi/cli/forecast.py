"""``creditkpi forecast``: expected cash of the open invoices, and its backtest."""

from __future__ import annotations

import argparse
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from creditkpi.cli.common import (
    EXIT_OK,
    check_target,
    number_cell,
    positive_int,
    show_progress,
    terminal_options,
    write_file,
    write_output,
)
from creditkpi.cli.inputs import load_ledger, share_inputs
from creditkpi.core.safe_text import printable


def _money_text(value: Any) -> str:
    return number_cell(value, 2)


def _forecast_payload(fc: Any, bt: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The forecast (and backtest) as plain JSON values; money as exact decimal text."""
    import math

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, pd.Timestamp):
            return str(value.date())
        if isinstance(value, float) and math.isnan(value):
            return None
        return value.item() if hasattr(value, "item") else value

    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        flat = frame.reset_index()
        return [{str(k): plain(v) for k, v in row.items()} for row in flat.to_dict("records")]

    summary = fc.summary
    payload: dict[str, Any] = {
        "as_of": str(fc.as_of),
        "horizon": str(fc.horizon),
        "freq": str(fc.freq),
        "method": fc.method,
        "currency": fc.currency,
        "scope": "invoices open at as_of only; future invoicing is not forecast",
        "summary": (
            {str(k): plain(v) for k, v in summary.items()}
            if isinstance(summary, pd.Series)
            else records(summary)
        ),
        "windows": records(fc.windows),
    }
    if bt is not None:
        payload["backtest"] = {
            "origins": [str(o.date()) for o in bt.totals.index.get_level_values(0).unique()],
            "overall": records(bt.overall),
            "by_step": records(bt.summary),
        }
    return payload


def _emit_forecast(fc: Any, bt: Any, args: argparse.Namespace) -> None:
    fmt = args.format
    if fmt == "json":
        import json

        from creditkpi.core.safe_text import json_text

        text = json_text(json.dumps(_forecast_payload(fc, bt, args), indent=2, ensure_ascii=False))
        write_output(text + "\n", args.output, args)
        return
    if fmt == "csv":
        from creditkpi.dashboard.cells import table_csv

        if bt is not None:  # the backtest's table per method and step
            frame = bt.summary.reset_index().set_index("method")
            text = table_csv(frame, "method", escape_formulas=not args.raw_csv)
        else:
            frame = fc.windows.reset_index()
            frame["start"] = [str(d.date()) for d in frame["start"]]
            frame["end"] = [str(d.date()) for d in frame["end"]]
            first = frame.columns[0]
            text = table_csv(
                frame.set_index(first), str(first), escape_formulas=not args.raw_csv,
                money=("expected_cash", "expected_write_offs"),
            )  # fmt: skip
        write_output(text, args.output, args)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, file=io.StringIO() if args.output else None)
    if args.width:
        console.width = args.width
    elif args.output or not console.is_terminal:
        console.width = 110
    windows = fc.total_windows
    title = f"Expected cash from the receivables open at {fc.as_of} ({fc.method}, {fc.currency})"
    # as wide as its title (up to the terminal), so the title does not wrap over two lines
    table = Table(
        title=title,
        caption="open invoices only: future invoicing is not forecast",
        header_style="bold",
        min_width=min(len(title), console.width),
    )
    for title in ("window", "from", "to", "expected cash", "write-offs"):
        table.add_column(title, justify="left" if title in ("from", "to") else "right")
    for step, row in windows.iterrows():
        table.add_row(
            str(step),
            str(row["start"].date()),
            str(row["end"].date()),
            _money_text(row["expected_cash"]),
            _money_text(row["expected_write_offs"]),
        )
    console.print(table)
    summary = fc.summary if fc.by is not None else fc.summary.to_frame().T
    totals = Table(title="Open receivables", header_style="bold")
    label = "group" if fc.by is None else fc.by
    for title in (label, "open", "within horizon", "beyond", "write-offs", "invoices"):
        totals.add_column(title, justify="left" if title == label else "right")
    for group, row in summary.iterrows():
        totals.add_row(
            Text(printable("all" if fc.by is None else group)),
            _money_text(row["open_balance"]),
            _money_text(row["within_horizon"]),
            _money_text(row["beyond_horizon"]),
            _money_text(row["write_offs"]),
            str(int(row["open_invoices"])),
        )
    console.print(totals)
    if bt is not None:
        origins = bt.totals.index.get_level_values(0).unique()
        title = (
            f"Backtest: {len(origins)} origins from {origins[0].date()} to "
            f"{origins[-1].date()}, each forecast from data dated <= origin"
        )
        check = Table(
            title=title,
            caption="WAPE, MAPE: lower is better; bias > 0: forecast too high",
            header_style="bold",
            min_width=min(len(title), console.width),
        )
        for title in ("method", "WAPE", "bias", "MAPE", "MAPE undefined"):
            check.add_column(title, justify="left" if title == "method" else "right")
        for method, row in bt.overall.iterrows():
            check.add_row(
                str(method),
                number_cell(row["wape"], percent=True),
                number_cell(row["bias"], percent=True),
                number_cell(row["mape"], percent=True),
                str(int(row["mape_undefined"])),
            )
        console.print(check)
    if args.output:
        assert isinstance(console.file, io.StringIO)
        write_output(console.file.getvalue(), args.output, args)


def _cmd_forecast(args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.expected_cash import horizon_offsets
    from creditkpi.core.period import as_date

    args.as_of = as_date(args.as_of)
    targets = [Path(p) for p in (args.output, args.chart) if p is not None]
    if args.chart is not None:
        from creditkpi.plotting import figure_class

        figure_class()  # no matplotlib: say so before any work
    for target in targets:  # the -o rules, checked before any work
        check_target(target, args)
    ledger, _ = load_ledger(args)
    with show_progress("forecasting…", show=not args.quiet):
        fc = ck.collection_forecast(
            ledger,
            args.as_of,
            horizon=args.horizon,
            freq=args.freq,
            method=args.method,
            by=args.by,
            min_history=args.min_history,
            fallback=args.fallback,
            money="decimal",
        )
        bt = None
        if args.backtest:
            # weekly origins, the last one a horizon before --as-of: every actual is known
            span = int(horizon_offsets(args.as_of, args.horizon, args.freq)[-1])
            last = args.as_of - timedelta(days=span)
            origins = [last - timedelta(weeks=k) for k in range(args.backtest)][::-1]
            bt = ck.backtest_forecast(
                ledger,
                origins=origins,
                horizon=args.horizon,
                freq=args.freq,
                min_history=args.min_history,
                fallback=args.fallback,
                money="decimal",
            )
    if args.chart is not None:
        import matplotlib

        matplotlib.use("Agg")
        figure: Any = (bt.plot() if bt is not None else fc.plot()).figure
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=150, facecolor="white")
        write_file(Path(args.chart), buffer.getvalue(), args)
    _emit_forecast(fc, bt, args)
    return EXIT_OK


def add_forecast_command(sub: Any, report: argparse.ArgumentParser) -> None:
    """Register ``creditkpi forecast``: the inputs of ``report``, its own options."""
    forecast = sub.add_parser(
        "forecast",
        help="expected cash from the open invoices, week by week (and its backtest)",
        description="Expected cash per window from the invoices open at --as-of, from each "
        "customer's time-to-pay curve conditional on how late the invoice already is. "
        "Future invoicing is not forecast. Reads the same files and input options as "
        "'creditkpi report'.",
        epilog="Example: creditkpi forecast invoices.csv payments.csv --as-of 2024-12-31 "
        "--backtest 52 --chart backtest.png",
    )
    share_inputs(forecast, report)
    opts = forecast.add_argument_group("forecast")
    opts.add_argument("--as-of", required=True, metavar="DATE",
                      help="the forecast date, YYYY-MM-DD (nothing dated later is read)")  # fmt: skip
    opts.add_argument("--horizon", default="13W", metavar="LENGTH",
                      help="how far ahead: 13W (default), 3M, 90D")  # fmt: skip
    opts.add_argument("--freq", default="W", metavar="LENGTH",
                      help="window length: W (default), 2W, M, D")  # fmt: skip
    opts.add_argument("--method", choices=("survival", "average_delay", "due_date"),
                      default="survival",
                      help="survival (default): time-to-pay curves; average_delay: due date + "
                      "average days late; due_date: every invoice on its due date")  # fmt: skip
    opts.add_argument("--by", metavar="COLUMN",
                      help="one forecast per customer_id or invoice column")  # fmt: skip
    opts.add_argument("--min-history", type=int, default=20, metavar="N",
                      help="invoices a customer must have settled to use its own curve "
                      "(default 20)")  # fmt: skip
    opts.add_argument("--fallback", default="all", metavar="COLUMN",
                      help="curve of customers with less history: an invoice column's group "
                      "(segment, country) or 'all' (default: the whole ledger)")  # fmt: skip
    opts.add_argument("--backtest", type=positive_int, metavar="N",
                      help="also backtest the three methods at N weekly origins, the last one a "
                      "horizon before --as-of (WAPE, bias, MAPE)")  # fmt: skip
    out = forecast.add_argument_group("output")
    out.add_argument("--format", "-f", choices=("table", "csv", "json"), default="table",
                     help="terminal table (default), CSV (the windows; with --backtest the "
                     "backtest per method and step) or JSON (everything)")  # fmt: skip
    out.add_argument("--output", "-o", metavar="FILE",
                     help="write to FILE instead of stdout (never an input file; an existing "
                     "file needs --force)")  # fmt: skip
    out.add_argument("--chart", metavar="PNG",
                     help="also draw the forecast (with --backtest: forecast vs actual per "
                     "origin) as a PNG file (needs: pip install matplotlib (the charts extra))")  # fmt: skip
    out.add_argument("--force", action="store_true",
                     help="replace existing output files (never an input file)")  # fmt: skip
    out.add_argument("--raw-csv", action="store_true",
                     help="CSV cells exactly as in the data (no formula neutralisation)")  # fmt: skip
    terminal_options(out)
    forecast.set_defaults(func=_cmd_forecast, charts=None)
