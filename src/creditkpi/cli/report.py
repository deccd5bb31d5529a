"""``creditkpi demo`` and ``creditkpi report``: the dashboard of a period, in every output format.

``--format html`` and ``--format pdf`` write the monthly credit pack
(:mod:`creditkpi.dashboard.pack`); the PDF is printed on A4 by a headless
Chromium (:func:`creditkpi.printing.html_to_pdf`) and written by the same
rules as every other output file.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from creditkpi.cli.common import (
    EXIT_OK,
    CLIError,
    check_target,
    say,
    show_progress,
    write_file,
    write_output,
)
from creditkpi.cli.inputs import load_ledger, read_input
from creditkpi.core.safe_text import printable


def _parse_costs(text: str | None) -> Any:
    """``--costs``: a number (the period's costs) or a file of dated cost lines."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip().replace(" ", ""))
    except InvalidOperation:
        return read_input(text, what="costs")
    if not value.is_finite() or value < 0:
        raise CLIError(f"--costs must be an amount >= 0 or a file of cost lines, got {text!r}")
    return value


def _last_full_month(ledger: Any) -> Any:
    import creditkpi as ck

    day = ledger.last_date
    if day is None:
        raise CLIError("the ledger is empty: give --period")
    if (day + timedelta(days=1)).day != 1:
        day = date(day.year, day.month, 1) - timedelta(days=1)
    return ck.Period.month(day.year, day.month)


def _groups_csv(board: Any, args: argparse.Namespace) -> str:
    from creditkpi.core.money import minor_unit
    from creditkpi.dashboard.cells import table_csv

    return table_csv(
        board.groups,
        "group",
        escape_formulas=not args.raw_csv,
        digits=minor_unit(board.currency),
        money=board.money_columns("groups"),
    )


def _output_plan(args: argparse.Namespace) -> list[Path]:
    """The files the command will write, checked before any work is done.

    The options read before the long work too: ``--locale``, ``--targets``,
    and for ``--format pdf`` an ``--output`` and a Chromium browser.
    """
    from creditkpi.core.formatting import check_locale
    from creditkpi.dashboard.charts import FILES
    from creditkpi.dashboard.targets import read_targets

    check_locale(args.locale)
    args._targets = read_targets(args.targets)
    if args.format == "pdf":
        from creditkpi.printing import ChromiumNotFoundError, find_chromium

        if args.output is None:
            raise CLIError("--format pdf writes a file: give --output FILE.pdf")
        try:
            find_chromium()
        except ChromiumNotFoundError as exc:
            raise CLIError(
                f"--format pdf needs a Chromium browser to print the pack: {exc}; "
                "or write --format html and print it from a browser"
            ) from None
    targets: list[Path] = []
    if args.output is not None:
        out = Path(args.output)
        targets.append(out)
        if args.format == "csv" and args.by is not None:
            targets.append(_companion(out, args.by))
    if args.charts:
        from creditkpi.plotting import figure_class

        figure_class()  # no matplotlib: say so before any work
        folder = Path(args.charts)
        if folder.exists() and not folder.is_dir():
            raise CLIError(f"--charts {folder}: not a folder")
        targets += [folder / name for name in FILES.values()]
    for target in targets:
        check_target(target, args)
    return targets


def _companion(output: Path, by: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in by)
    return output.with_name(f"{output.stem}_by_{safe}{output.suffix or '.csv'}")


def _chart_images(board: Any, args: argparse.Namespace) -> dict[str, bytes] | None:
    """The charts, drawn once for ``--charts`` and the HTML page (``None``: no matplotlib)."""
    from creditkpi.dashboard.charts import chart_images
    from creditkpi.plotting import ChartsUnavailableError

    if not args.charts and args.format not in ("html", "pdf"):
        return None
    try:
        with show_progress("drawing charts", show=not args.quiet):
            return chart_images(board, locale=args.locale)
    except ChartsUnavailableError:
        if args.charts:
            raise
        return None


def _emit(board: Any, args: argparse.Namespace) -> None:
    from creditkpi.dashboard.pack import html_page

    fmt = args.format
    images = _chart_images(board, args)
    if fmt == "json":
        write_output(board.to_json() + "\n", args.output, args)
    elif fmt == "csv":
        text = board.to_csv(escape_formulas=not args.raw_csv)
        if board.groups is not None:
            if args.output is None:
                text += "\n" + _groups_csv(board, args)
            else:
                sibling = _companion(Path(args.output), board.by)
                write_file(sibling, _groups_csv(board, args).encode("utf-8"), args)
                if not args.quiet:
                    print(f"creditkpi: wrote {printable(sibling)}", file=sys.stderr)
        write_output(text, args.output, args)
    elif fmt in ("html", "pdf"):
        page = html_page(
            board, full=True, charts=True, images=images, locale=args.locale,
            docs_url=args.docs_url, paper="A4" if fmt == "pdf" else None,
        )  # fmt: skip
        if fmt == "html":
            write_output(page, args.output, args)
        else:
            _write_pdf(page, Path(args.output), args)
    elif args.output is not None:
        write_output(board.to_text(width=args.width or 110, locale=args.locale), args.output, args)
    else:
        from rich.console import Console

        from creditkpi.dashboard.render import rich_group

        console = Console(highlight=False)
        if args.width:
            console.width = args.width
        elif not console.is_terminal:
            console.width = 110
        console.print(rich_group(board, locale=args.locale))
    if args.charts and images is not None:
        from creditkpi.dashboard.charts import FILES

        for name, png in images.items():
            target = Path(args.charts) / FILES[name]
            write_file(target, png, args)
            if not args.quiet:
                print(f"creditkpi: wrote {printable(target)}", file=sys.stderr)


def _write_pdf(page: str, target: Path, args: argparse.Namespace) -> None:
    """Print the pack to PDF in memory, then write it by the rules of every output file."""
    from creditkpi.dashboard.pack import pdf_of

    with show_progress("printing the PDF", show=not args.quiet):
        printed = pdf_of(page)
    write_file(target, printed, args)


def _run_dashboard(ledger: Any, period: Any, args: argparse.Namespace) -> int:
    import creditkpi as ck

    the_period = ck.Period.parse(period)
    last = ledger.last_date
    if last is not None and not args.quiet and the_period.start > last:
        say("note", f"the data ends on {last}, before the period {the_period} starts")

    with show_progress("computing the dashboard", show=not args.quiet):
        board = ck.dashboard(
            ledger,
            period,
            as_of=args.as_of,
            costs=_parse_costs(args.costs),
            by=args.by,
            n=args.top,
            targets=args._targets,
        )
    _emit(board, args)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from creditkpi import datasets

    _output_plan(args)
    with show_progress("loading the bundled sample", show=not args.quiet):
        ledger = datasets.sample()
    period = args.period if args.period else _last_full_month(ledger)
    return _run_dashboard(ledger, period, args)


def cmd_report(args: argparse.Namespace) -> int:
    _output_plan(args)
    ledger, _ = load_ledger(args)
    return _run_dashboard(ledger, args.period, args)
