"""The ``creditkpi`` command: ``creditkpi demo`` and ``creditkpi report``.

``creditkpi demo`` prints the dashboard of the bundled sample ledger (its last
full month by default); ``creditkpi report INVOICES [PAYMENTS] --period P``
builds a ledger from your CSV, Parquet or Excel files and prints the
dashboard of ``P``. Both write a terminal table (default), JSON, CSV or HTML,
and optionally PNG charts (``--charts DIR``, needs the ``charts`` extra).

Bad input stops the command with one line on stderr,
``creditkpi: error: <rule>: <message> in column '<column>' (first: <ids>)``,
and exit status 2; data-quality warnings are printed as
``creditkpi: warning: ...`` and the report is still produced.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Literal, NoReturn

import pandas as pd

__all__ = ["CLIError", "main", "read_table"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2

FORMATS = ("table", "json", "csv", "html")
#: the tables ``--map-file`` may hold
TABLES = ("invoices", "payments", "disputes", "statuses", "doubtful")
#: files above this size get a progress spinner on a terminal
LARGE_FILE = 5_000_000


class CLIError(Exception):
    """Bad input at the command line: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_BAD_INPUT,
            f"creditkpi: error: {message} (see '{self.prog} --help')\n",
        )


# ----------------------------------------------------------------------------------
# reading files
# ----------------------------------------------------------------------------------


def read_table(
    path: str | Path,
    *,
    what: str = "invoices",
    sep: str | None = None,
    encoding: str = "utf-8-sig",
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read one input table with :func:`creditkpi.read_table` (CSV cells as text).

    Raises
    ------
    CLIError
        A missing or unreadable file, or a missing optional dependency, in
        one line that names the table (``invoices file not found: ...``).
    """
    from creditkpi.core.errors import UnreadableFileError
    from creditkpi.core.ingest.files import read_table as read

    try:
        return read(path, sep=sep, encoding=encoding, sheet=sheet)
    except UnreadableFileError as exc:
        text = f"cannot read {what} file {path}: {exc.reason}"
        if exc.reason == "file not found":
            text = f"{what} file not found: {path}"
        elif exc.reason == "the file is empty":
            text = f"{what} file {path} is empty"
        if exc.option == ("encoding", "cp1252"):
            text += "; try --encoding cp1252"
        raise CLIError(text) from None


def _currency_option(text: str | None) -> str | None:
    """``--currency``: an ISO 4217 code (case and spaces ignored), checked like a column's."""
    if text is None:
        return None
    from creditkpi.core.money import currency_code

    code = currency_code(text)
    if code is None:
        raise CLIError(
            f"invalid-value: --currency {text!r} is not an ISO 4217 currency code "
            "(e.g. EUR, USD, JPY)"
        )
    return code


#: one column mapping: (table or None for every table, canonical name, their name)
MapEntry = tuple[str | None, str, str]


def _parse_maps(pairs: Sequence[str] | None) -> list[MapEntry]:
    """``--map canonical=theirs`` or ``--map table.canonical=theirs`` (repeatable)."""
    out: list[MapEntry] = []
    for pair in pairs or ():
        key, sep, theirs = pair.partition("=")
        key, theirs = key.strip(), theirs.strip()
        if not sep or not key or not theirs:
            raise CLIError(
                f"--map expects canonical=theirs (e.g. invoice_id=InvoiceNo), got {pair!r}"
            )
        table, dot, canonical = key.partition(".")
        if dot:
            if table not in TABLES:
                raise CLIError(
                    f"--map {pair}: unknown table {table!r} (expected one of {', '.join(TABLES)})"
                )
            out.append((table, canonical, theirs))
        else:
            out.append((None, key, theirs))
    return out


def _read_map_file(path: str) -> list[MapEntry]:
    """A TOML mapping: flat ``canonical = "theirs"`` lines and/or ``[invoices]``... tables."""
    import tomllib

    p = Path(path)
    if not p.exists():
        raise CLIError(f"mapping file not found: {path}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CLIError(f"cannot read mapping file {path}: {' '.join(str(exc).split())}") from None

    def names(where: str, value: object) -> list[str]:
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) and v for v in values):
            raise CLIError(
                f"mapping file {path}: {where} must be a column name (text), got {value!r}"
            )
        return [str(v) for v in values]

    out: list[MapEntry] = []
    for key, value in data.items():
        if isinstance(value, dict):
            if key not in TABLES:
                raise CLIError(
                    f"mapping file {path}: unknown table [{key}] (expected one of "
                    f'{", ".join(TABLES)}, or flat canonical = "theirs" lines)'
                )
            for canonical, theirs in value.items():
                out += [(key, canonical, t) for t in names(f"[{key}] {canonical}", theirs)]
        else:
            out += [(None, key, t) for t in names(key, value)]
    return out


def _apply_mapping(
    frames: dict[str, pd.DataFrame], entries: Sequence[MapEntry], files: Mapping[str, str]
) -> dict[str, list[str]]:
    """Rename their columns to canonical names; return canonical -> their names used.

    An entry without a table applies to every table holding that column; each
    entry must match a column somewhere, so a typo is an error, not a silent
    no-op.
    """
    for table, canonical, theirs in entries:
        targets = [table] if table is not None else list(frames)
        if table is not None and table not in frames:
            raise CLIError(f"--map {table}.{canonical}={theirs}: no {table} file was given")
        if not any(theirs in frames[t].columns for t in targets):
            where = ", ".join(files[t] for t in targets)
            has = ", ".join(map(str, frames[targets[0]].columns))
            raise CLIError(
                f"missing-column: column '{theirs}' (mapped to {canonical}) is not in {where} "
                f"({targets[0]} has: {has})"
            )
    used: dict[str, list[str]] = {}
    for name, frame in list(frames.items()):
        rename: dict[str, str] = {}
        for table, canonical, theirs in entries:
            if table in (None, name) and theirs in frame.columns and theirs not in rename:
                if canonical in rename.values():
                    continue  # the first mapping of a canonical name wins in each table
                rename[theirs] = canonical
        if rename:
            frames[name] = frame.rename(columns=rename)
            for theirs, canonical in rename.items():
                if theirs not in used.setdefault(canonical, []):
                    used[canonical].append(theirs)
    return used


# ----------------------------------------------------------------------------------
# progress and warnings on stderr
# ----------------------------------------------------------------------------------


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def _status(message: str, *, show: bool) -> Iterator[None]:
    """A spinner on stderr while something slow runs (terminals only)."""
    console = _stderr_console()
    if not show or not console.is_terminal:
        yield
        return
    with console.status(message, spinner="dots"):
        yield


def _print_warnings(caught: Sequence[warnings.WarningMessage], quiet: bool) -> None:
    if quiet:
        return
    seen: set[str] = set()
    for w in caught:
        text = " ".join(str(w.message).split())
        if text in seen:
            continue
        seen.add(text)
        from creditkpi.core.errors import UndefinedMetricWarning

        kind = "note" if issubclass(w.category, UndefinedMetricWarning) else "warning"
        print(f"creditkpi: {kind}: {text}", file=sys.stderr)


# ----------------------------------------------------------------------------------
# building the ledger
# ----------------------------------------------------------------------------------


def _load_ledger(args: argparse.Namespace) -> tuple[Any, dict[str, list[str]]]:
    import creditkpi as ck

    mapping: list[MapEntry] = []
    if args.map_file:
        mapping += _read_map_file(args.map_file)
    mapping += _parse_maps(args.map)

    files = {"invoices": args.invoices}
    if args.payments:
        files["payments"] = args.payments
    for table in ("disputes", "statuses", "doubtful"):
        if getattr(args, table):
            files[table] = getattr(args, table)
    if args.invoice_table and len(files) > 1:
        raise CLIError(
            "--invoice-table reads one file (one row per invoice with its settled date): "
            "drop the PAYMENTS / --disputes / --statuses / --doubtful files"
        )
    if not args.invoice_table and (args.settled_date or args.disputed):
        raise CLIError("--settled-date and --disputed go with --invoice-table")

    size = sum(Path(f).stat().st_size for f in files.values() if Path(f).is_file())
    frames: dict[str, pd.DataFrame] = {}
    for table, path in files.items():
        with _status(f"reading {Path(path).name}…", show=size > LARGE_FILE and not args.quiet):
            frames[table] = read_table(
                path, what=table, sep=args.sep, encoding=args.encoding, sheet=args.sheet
            )
    used = _apply_mapping(frames, mapping, files)
    args._mapped = used
    currency = _currency_option(args.currency)
    if currency:
        for table in ("invoices", "payments"):
            if table in frames and "currency" not in frames[table].columns:
                frames[table] = frames[table].assign(currency=currency)
    decimal: Literal[".", ","] | None = "," if args.decimal == "," else None

    with (
        _status("building the ledger…", show=size > LARGE_FILE and not args.quiet),
        _options_as_flags(),
    ):
        if args.invoice_table:
            ledger = ck.Ledger.from_invoice_table(
                frames["invoices"],
                settled_date=args.settled_date or "settled_date",
                disputed=args.disputed,
                date_format=args.date_format,
                decimal=decimal,
            )
        else:
            ledger = ck.Ledger.from_frames(
                frames["invoices"],
                frames.get("payments"),
                frames.get("disputes"),
                frames.get("statuses"),
                frames.get("doubtful"),
                date_format=args.date_format,
                decimal=decimal,
                unknown_invoices=args.unknown_invoices,
            )
    return ledger, used


@contextlib.contextmanager
def _options_as_flags() -> Iterator[None]:
    """Errors of the ledger name the command's flags for the options that fix them."""
    from creditkpi.core.errors import CreditKPIError

    try:
        yield
    except CreditKPIError as exc:
        text = str(exc)
        text = re.sub(r"""decimal=(["'])(.)\1""", r"--decimal \2", text)
        text = re.sub(r"""date_format=(["'])(.*?)\1""", r"--date-format \2", text)
        text = text.replace("date_format=", "--date-format")
        exc.args = (text,)
        raise


def _parse_costs(text: str | None) -> Any:
    """``--costs``: a number (the period's costs) or a file of dated cost lines."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip().replace(" ", ""))
    except InvalidOperation:
        return read_table(text, what="costs")
    if not value.is_finite() or value < 0:
        raise CLIError(f"--costs must be an amount >= 0 or a file of cost lines, got {text!r}")
    return value


def _last_full_month(ledger: Any) -> Any:
    import creditkpi as ck
    from creditkpi.core.period import from_day

    last = ledger._cols.last_day
    if last is None:
        raise CLIError("the ledger is empty: give --period")
    day = from_day(last)
    if (day + timedelta(days=1)).day != 1:
        day = date(day.year, day.month, 1) - timedelta(days=1)
    return ck.Period.month(day.year, day.month)


# ----------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------


def _groups_csv(board: Any) -> str:
    from creditkpi.dashboard.model import _csv_value

    frame = board.groups.copy()
    for column in frame.columns:
        frame[column] = [_csv_value(v) for v in frame[column]]
    text: str = frame.to_csv(lineterminator="\n")
    return text


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot write {output}: {exc.strerror or exc}") from None


def _emit(board: Any, args: argparse.Namespace) -> None:
    fmt = args.format
    if fmt == "json":
        _write(board.to_json() + "\n", args.output)
    elif fmt == "csv":
        text = board.to_csv()
        if board.groups is not None:
            if args.output is None:
                text += "\n" + _groups_csv(board)
            else:
                out = Path(args.output)
                sibling = out.with_name(f"{out.stem}_by_{board.by}{out.suffix or '.csv'}")
                _write(_groups_csv(board), str(sibling))
                print(f"creditkpi: wrote {sibling}", file=sys.stderr)
        _write(text, args.output)
    elif fmt == "html":
        _write(board.to_html(full=True), args.output)
    elif args.output is not None:
        _write(board.to_text(width=args.width or 110), args.output)
    else:
        from rich.console import Console

        console = Console(highlight=False)
        if args.width:
            console.width = args.width
        elif not console.is_terminal:
            console.width = 110
        console.print(board)


def _run_dashboard(ledger: Any, period: Any, args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.period import from_day

    the_period = ck.Period.parse(period)
    if ledger._cols.last_day is not None and not args.quiet:
        last = from_day(ledger._cols.last_day)
        if the_period.start > last:
            print(
                f"creditkpi: note: the data ends on {last}, before the period {the_period} starts",
                file=sys.stderr,
            )

    with _status("computing the dashboard…", show=not args.quiet):
        board = ck.dashboard(
            ledger,
            period,
            as_of=args.as_of,
            costs=_parse_costs(args.costs),
            by=args.by,
            top=args.top,
        )
    _emit(board, args)
    if args.charts:
        with _status("drawing charts…", show=not args.quiet):
            written = board.plot(args.charts)
        if not args.quiet:
            for path in written.values():
                print(f"creditkpi: wrote {path}", file=sys.stderr)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from creditkpi import datasets

    with _status("loading the bundled sample…", show=not args.quiet):
        ledger = datasets.sample()
    period = args.period if args.period else _last_full_month(ledger)
    return _run_dashboard(ledger, period, args)


def _cmd_report(args: argparse.Namespace) -> int:
    ledger, _ = _load_ledger(args)
    return _run_dashboard(ledger, args.period, args)


# ----------------------------------------------------------------------------------
# parser
# ----------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``creditkpi`` command."""
    from creditkpi import __version__

    output = _Parser(add_help=False)
    out = output.add_argument_group("output")
    out.add_argument(
        "--format", "-f", choices=FORMATS, default="table",
        help="terminal table (default), JSON, CSV (the KPI table) or a standalone HTML page",
    )  # fmt: skip
    out.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    out.add_argument(
        "--charts", metavar="DIR",
        help="also write PNG charts (aging, DSO/CEI trend, cohorts) into DIR "
        "(needs: pip install 'creditkpi[charts]')",
    )  # fmt: skip
    out.add_argument(
        "--as-of", metavar="DATE",
        help="cut-off of the snapshot KPIs, YYYY-MM-DD (default: the period's last day)",
    )  # fmt: skip
    out.add_argument(
        "--by", metavar="COLUMN",
        help="add per-group figures (receivables, overdue rate, DSO, aging) by customer_id "
        "or an invoice column (country, segment, ...)",
    )  # fmt: skip
    out.add_argument(
        "--costs", metavar="AMOUNT|FILE",
        help="collection costs of the period (a number) or a file of dated cost lines "
        "(date, amount[, category]) for the cost per euro collected",
    )  # fmt: skip
    out.add_argument("--top", type=_positive_int, default=10, metavar="N",
                     help="customers in the top-customers table (default 10)")  # fmt: skip
    out.add_argument("--width", type=_positive_int, metavar="COLS",
                     help="width of the terminal table")  # fmt: skip
    out.add_argument("--quiet", "-q", action="store_true",
                     help="no warnings, notes or progress on stderr")  # fmt: skip
    out.add_argument("--debug", action="store_true",
                     help="show the Python traceback of an error")  # fmt: skip

    parser = _Parser(
        prog="creditkpi",
        description="Credit-management KPIs (aging, DSO, CEI, recovery rate, ...) from "
        "invoices and payments: the dashboard of a period beside the previous one.",
    )
    parser.add_argument("--version", action="version", version=f"creditkpi {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{demo,report}", parser_class=_Parser)
    sub.required = True

    demo = sub.add_parser(
        "demo",
        parents=[output],
        help="the dashboard of the bundled sample ledger",
        description="The dashboard of the bundled sample ledger (150 customers, 2023-2024).",
    )
    demo.add_argument(
        "--period", "-p", metavar="PERIOD",
        help="2024-06, 2024-Q2, 2024 or 2024-04-01..2024-04-15 (default: the sample's last "
        "full month)",
    )  # fmt: skip
    demo.set_defaults(func=_cmd_demo)

    report = sub.add_parser(
        "report",
        parents=[output],
        help="the dashboard of your invoice and payment files",
        description="The dashboard of a period from your files (CSV, Parquet, .xlsx).",
        epilog="Example: creditkpi report export.csv --invoice-table --settled-date SettledDate "
        "--map invoice_id=invoiceNumber --map customer_id=customerID --map issue_date=InvoiceDate "
        "--map due_date=DueDate --map amount=InvoiceAmount --date-format %m/%d/%Y "
        "--period 2013-Q2",
    )
    report.add_argument("invoices", metavar="INVOICES",
                        help="invoice table: invoice_id, customer_id, issue_date, due_date, "
                        "amount [, currency, grouping columns]")  # fmt: skip
    report.add_argument("payments", metavar="PAYMENTS", nargs="?",
                        help="settlement table: invoice_id, date, amount [, kind, customer_id]")  # fmt: skip
    report.add_argument("--period", "-p", required=True, metavar="PERIOD",
                        help="2024-04, 2024-Q2, 2024 or 2024-04-01..2024-04-15")  # fmt: skip
    inp = report.add_argument_group("input")
    inp.add_argument("--map", "-m", action="append", metavar="CANONICAL=THEIRS",
                     help="your column name for a canonical one (repeat), e.g. "
                     "--map invoice_id=InvoiceNo; table.canonical=theirs for one table only, "
                     "e.g. --map payments.amount=Paid")  # fmt: skip
    inp.add_argument("--map-file", metavar="TOML",
                     help="column mapping file: canonical = \"theirs\" lines, flat or in "
                     "[invoices] / [payments] / [disputes] / [statuses] / [doubtful] tables")  # fmt: skip
    inp.add_argument("--invoice-table", action="store_true",
                     help="INVOICES is a one-row-per-invoice export with a settled-date column "
                     "(fully paid on that date, empty = open); no PAYMENTS")  # fmt: skip
    inp.add_argument("--settled-date", metavar="COL",
                     help="with --invoice-table: the settled-date column (default settled_date)")  # fmt: skip
    inp.add_argument("--disputed", metavar="COL",
                     help="with --invoice-table: a yes/no column of disputed invoices")  # fmt: skip
    inp.add_argument("--date-format", metavar="FMT",
                     help="strptime format of text dates, e.g. %%d/%%m/%%Y; %%Y%%m%%d for YYYYMMDD "
                     "numbers, excel for Excel serial days (default: ISO and common layouts, "
                     "day-first or month-first as the values prove)")  # fmt: skip
    inp.add_argument("--disputes", metavar="FILE",
                     help="disputes table: invoice_id, opened [, resolved, reason]")  # fmt: skip
    inp.add_argument("--statuses", metavar="FILE",
                     help="dunning status events: invoice_id, date, status")  # fmt: skip
    inp.add_argument("--doubtful", metavar="FILE",
                     help="doubtful classifications: invoice_id, date [, provision]")  # fmt: skip
    inp.add_argument("--unknown-invoices", choices=("error", "unapplied"), default="error",
                     help="a payment for an unknown invoice: an error (default) or unapplied cash")  # fmt: skip
    inp.add_argument("--sep", metavar="CHAR",
                     help="CSV separator (default: guessed among , ; tab |)")  # fmt: skip
    inp.add_argument("--decimal", choices=(".", ","), default=".", metavar="MARK",
                     help="decimal mark of text amounts, . (default) or , (with ',': spaces and dots "
                     "group thousands)")  # fmt: skip
    inp.add_argument("--encoding", default="utf-8-sig",
                     help="text encoding of CSV files (default utf-8, e.g. cp1252)")  # fmt: skip
    inp.add_argument("--sheet", metavar="NAME", help="Excel sheet (default: the first)")
    inp.add_argument("--currency", metavar="CODE",
                     help="currency of tables without a currency column (default EUR)")  # fmt: skip
    report.set_defaults(func=_cmd_report)
    return parser


# ----------------------------------------------------------------------------------
# entry point
# ----------------------------------------------------------------------------------


def _error_text(exc: BaseException, mapped: Mapping[str, Sequence[str]]) -> str:
    text = " ".join(str(exc).split())
    text = text.replace("map yours with columns=...", "map yours with --map canonical=theirs")
    column = getattr(exc, "column", None)
    if column is not None and mapped.get(column):
        theirs = " or ".join(f"'{t}'" for t in mapped[column])
        text += f" (your column {theirs})"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``creditkpi`` command; return the exit status (0 ok, 2 bad input)."""
    from creditkpi.core.errors import CreditKPIError
    from creditkpi.dashboard.charts import ChartsUnavailableError

    parser = build_parser()
    args = parser.parse_args(argv)
    args._mapped = {}
    stdout: IO[str] = sys.stdout
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                status: int = args.func(args)
            finally:
                _print_warnings(caught, args.quiet)
        return status
    except (CreditKPIError, CLIError, ChartsUnavailableError) as exc:
        if args.debug:
            raise
        print(f"creditkpi: error: {_error_text(exc, args._mapped)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, ValueError) as exc:
        if args.debug or isinstance(exc, BrokenPipeError):
            if isinstance(exc, BrokenPipeError):
                with contextlib.suppress(Exception):
                    sys.stdout = io.StringIO()
                    stdout.close()
                return EXIT_OK
            raise
        print(f"creditkpi: error: {_error_text(exc, args._mapped)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("creditkpi: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
