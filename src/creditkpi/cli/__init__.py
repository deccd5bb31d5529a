"""The ``creditkpi`` command: ``creditkpi demo`` and ``creditkpi report``.

``creditkpi demo`` prints the dashboard of the bundled sample ledger (its last
full month by default); ``creditkpi report INVOICES [PAYMENTS] --period P``
builds a ledger from your CSV, Parquet or Excel files and prints the
dashboard of ``P``. Both write a terminal table (default), JSON, CSV, the
monthly credit pack as an HTML page or an A4 PDF (``--format html|pdf``;
the PDF through a headless Chromium), with targets (``--targets FILE``, a
TOML ``[targets]`` table) and optionally PNG charts (``--charts DIR``, needs
the ``charts`` extra).

Every command that reads files says on stderr what it read
(``creditkpi: read: 2,466 invoices, 0 settlements, 100 customers, 2012-01-03
to 2013-12-02``, not with ``-q``), and refuses a one-table export read without
settlements when a column looks like a settlement date
(:data:`SETTLEMENT_DATE_NAMES`), pointing at ``--invoice-table`` and
``--settled-date``. ``--fec`` reads French FEC files.

Bad input stops the command with one line on stderr,
``creditkpi: error: <rule>: <message> in column '<column>' (first: <ids>)``,
and exit status 2; data-quality warnings are printed as
``creditkpi: warning: ...`` and the report is still produced.

The command does not trust the data it prints: labels (customer ids, dispute
reasons, ...) are printed as text, never as rich markup, with control
characters made visible; CSV text cells that a spreadsheet would run as a
formula are neutralised (``--raw-csv`` turns that off); ``--output`` never
overwrites an input file, overwrites an existing file only with ``--force``,
refuses symbolic links and writes atomically (a temporary file in the same
folder, then a rename), and so do the companion files (the ``_by_<group>``
CSV, the charts).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import IO, Any

from creditkpi.cli.claims import add_claims_command
from creditkpi.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    FORMATS,
    CLIError,
    Parser,
    positive_int,
    print_warnings,
    say,
    terminal_options,
)
from creditkpi.cli.exposure import add_exposure_command
from creditkpi.cli.forecast import add_forecast_command
from creditkpi.cli.inputs import read_input
from creditkpi.cli.items import add_items_commands
from creditkpi.cli.profiles import add_profiles_command
from creditkpi.cli.report import cmd_demo, cmd_report
from creditkpi.core.ingest.columns import SETTLEMENT_DATE_NAMES

__all__ = ["SETTLEMENT_DATE_NAMES", "CLIError", "build_parser", "main", "read_input"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``creditkpi`` command."""
    from creditkpi.version import VERSION

    output = _output_options()
    parser = Parser(
        prog="creditkpi",
        description="Credit-management KPIs (aging, DSO, CEI, recovery rate, ...) from "
        "invoices and payments: the dashboard of a period beside the previous one.",
    )
    parser.add_argument("--version", action="version", version=f"creditkpi {VERSION}")
    sub = parser.add_subparsers(
        dest="command",
        parser_class=Parser,
    )
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
    demo.set_defaults(func=cmd_demo)
    report = _report_command(sub, output)
    add_profiles_command(sub, report)
    add_exposure_command(sub, report)
    add_forecast_command(sub, report)
    add_claims_command(sub, report)
    add_items_commands(sub, report)
    sub.metavar = "{" + ",".join(sub.choices) + "}"  # every command, in the order added
    return parser


def _output_options() -> Parser:
    """The options of the dashboard's output, shared by ``demo`` and ``report``."""
    output = Parser(add_help=False)
    out = output.add_argument_group("output")
    out.add_argument(
        "--format", "-f", choices=FORMATS, default="table",
        help="terminal table (default), JSON, CSV (the KPI table), or the credit pack: an "
        "HTML page you can send (one file, charts embedded when matplotlib is installed) or "
        "an A4 PDF (with --output; needs a Chromium browser)",
    )  # fmt: skip
    out.add_argument(
        "--targets", metavar="TOML",
        help="targets of KPIs: a TOML file with a [targets] table of registry names, e.g. "
        "dso = 45 and overdue_rate = 0.15 (ratios as fractions); shown met or missed",
    )  # fmt: skip
    out.add_argument(
        "--locale", metavar="LOCALE",
        help="how amounts and numbers read: en_US (default, $6,000.00), fr_FR "
        "(6 000,00 €), de_DE, en_GB...",
    )  # fmt: skip
    out.add_argument(
        "--docs-url", metavar="URL",
        help="the documentation site the pack's KPI definitions link to",
    )  # fmt: skip
    out.add_argument(
        "--output", "-o", metavar="FILE",
        help="write to FILE instead of stdout (never an input file; an existing file only "
        "with --force; not through a symbolic link)",
    )  # fmt: skip
    out.add_argument("--force", action="store_true",
                     help="overwrite existing output files (never an input file)")  # fmt: skip
    out.add_argument(
        "--charts", metavar="DIR",
        help="also write PNG charts (aging, DSO/CEI trend, cohorts) into DIR "
        "(needs: pip install matplotlib (the charts extra)); the HTML page embeds them anyway",
    )  # fmt: skip
    out.add_argument(
        "--raw-csv", action="store_true",
        help="CSV for programs: write text cells verbatim (by default a cell starting with "
        "= + - @ tab or carriage return gets a leading ' so spreadsheets do not run it)",
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
        "(date, amount[, category]) for the cost per unit of currency collected (per euro, per "
        "dollar: the book's currency)",
    )  # fmt: skip
    out.add_argument("--top", type=positive_int, default=10, metavar="N",
                     help="customers in the top-customers table (default 10)")  # fmt: skip
    terminal_options(out)
    return output


def _report_command(sub: Any, output: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The ``report`` command and its input options (``profiles`` and ``forecast`` share them)."""
    report: argparse.ArgumentParser = sub.add_parser(
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
                     "[invoices] / [payments] / [disputes] / [statuses] / [doubtful] / [limits] "
                     "/ [cover] tables")  # fmt: skip
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
    inp.add_argument("--limits", metavar="FILE",
                     help="credit limits: customer_id, date, amount (each limit applies from "
                     "its date on)")  # fmt: skip
    inp.add_argument("--cover", metavar="FILE",
                     help="credit-insurance cover: customer_id, start, amount [, end, share "
                     "(default 0.9), declare_within (days after due), insurer]")  # fmt: skip
    inp.add_argument("--unknown-invoices", choices=("error", "unapplied"), default="error",
                     help="a payment for an unknown invoice: an error (default) or unapplied cash")  # fmt: skip
    inp.add_argument("--sep", metavar="CHAR",
                     help="CSV separator (default: guessed among , ; tab |)")  # fmt: skip
    inp.add_argument("--decimal", choices=(".", ","), default=".", metavar="MARK",
                     help="decimal mark of text amounts, . (default) or , (with ',': spaces and dots "
                     "group thousands)")  # fmt: skip
    inp.add_argument("--encoding",
                     help="text encoding of CSV files (default utf-8, e.g. cp1252; with --fec: "
                     "utf-8, else iso-8859-15)")  # fmt: skip
    inp.add_argument("--fec", action="store_true",
                     help="INVOICES (and PAYMENTS) are French FEC files (Fichier des Ecritures "
                     "Comptables) of consecutive fiscal years: the customer lines and their "
                     "lettering make the invoices and settlements")  # fmt: skip
    inp.add_argument("--fec-accounts", metavar="PREFIXES",
                     help="with --fec: customer account prefixes (default 411,416)")  # fmt: skip
    inp.add_argument("--terms", metavar="DAYS",
                     help="with --fec: days from issue to due date (default 30: an FEC has no "
                     "due dates)")  # fmt: skip
    inp.add_argument("--applied", choices=("posting", "lettering"),
                     help="with --fec: a credit settles its invoices from the day it was posted "
                     "(posting, the default: EcritureDate) or lettered (lettering: DateLet; "
                     "meanwhile it is the customer's unapplied credit). Tables: map a payments "
                     "column to 'applied'")  # fmt: skip
    inp.add_argument("--sheet", metavar="NAME", help="Excel sheet (default: the first)")
    inp.add_argument("--currency", metavar="CODE",
                     help="currency of tables without a currency column (default EUR)")  # fmt: skip
    inp.add_argument("--to", metavar="CODE",
                     help="translate a book of several currencies into this reporting currency "
                     "(IAS 21; with --rates)")  # fmt: skip
    inp.add_argument("--rates", metavar="FILE|ecb",
                     help="with --to: a table of date, currency, rate (units per one EUR), or "
                     "'ecb' for the ECB reference rates bundled with the fx extra")  # fmt: skip
    inp.add_argument("--fx-method", choices=("closing", "constant"), default="closing",
                     help="with --to: positions at the as-of date's rate and flows at their own "
                     "date's (closing, the default), or every amount at the rates' latest "
                     "(constant)")  # fmt: skip
    report.set_defaults(func=cmd_report)
    return report


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
    from creditkpi.plotting import ChartsUnavailableError

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
                print_warnings(caught, args.quiet)
        return status
    except (CreditKPIError, CLIError, ChartsUnavailableError) as exc:
        if args.debug:
            raise
        say("error", _error_text(exc, args._mapped))
        return EXIT_BAD_INPUT
    except (OSError, ValueError) as exc:
        if args.debug or isinstance(exc, BrokenPipeError):
            if isinstance(exc, BrokenPipeError):
                with contextlib.suppress(Exception):
                    sys.stdout = io.StringIO()
                    stdout.close()
                return EXIT_OK
            raise
        say("error", _error_text(exc, args._mapped))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("creditkpi: interrupted", file=sys.stderr)
        return 130
