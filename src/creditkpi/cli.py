"""The ``creditkpi`` command: ``creditkpi demo`` and ``creditkpi report``.

``creditkpi demo`` prints the dashboard of the bundled sample ledger (its last
full month by default); ``creditkpi report INVOICES [PAYMENTS] --period P``
builds a ledger from your CSV, Parquet or Excel files and prints the
dashboard of ``P``. Both write a terminal table (default), JSON, CSV or HTML,
and optionally PNG charts (``--charts DIR``, needs the ``charts`` extra).

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
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Literal, NoReturn

import pandas as pd

from creditkpi.core.safe_text import printable

__all__ = ["CLIError", "main", "read_table"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2

FORMATS = ("table", "json", "csv", "html")
#: the tables ``--map-file`` may hold
TABLES = ("invoices", "payments", "disputes", "statuses", "doubtful")
#: input files above this size (about a million rows) show progress on a terminal
LARGE_FILE = 40_000_000
#: building a ledger from more rows than this shows progress on a terminal
LARGE_ROWS = 1_000_000


#: column names that look like a settlement date (compared lower case, letters and
#: digits only): a one-table export read without --invoice-table holds one of them
SETTLEMENT_DATE_NAMES = (
    "settleddate", "settlementdate", "datesettled", "settledon", "settled",
    "paymentdate", "paiddate", "datepaid", "paidon", "lastpaymentdate",
    "clearingdate", "cleareddate", "clearedon", "closeddate", "closedate",
    "datereglement", "datedereglement", "reglementdate", "datepaiement",
    "datedepaiement", "dateencaissement", "datelettrage",
)  # fmt: skip


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
def _status(message: str, *, show: bool, console: Any = None) -> Iterator[None]:
    """Progress on stderr while something long runs: a moving bar and the time elapsed.

    Only on a terminal (nothing when stderr is a file, a pipe or captured by
    tests) and only when ``show``; it disappears when the step is done.
    """
    console = console or _stderr_console()
    if not show or not console.is_terminal:
        yield
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        progress.add_task(printable(message), total=None)
        yield


def _say(kind: str, text: object) -> None:
    """One ``creditkpi: <kind>: <text>`` line on stderr, control characters made visible."""
    print(f"creditkpi: {kind}: {printable(' '.join(str(text).split()))}", file=sys.stderr)


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
        _say(kind, text)


# ----------------------------------------------------------------------------------
# building the ledger
# ----------------------------------------------------------------------------------


def _load_ledger(args: argparse.Namespace) -> tuple[Any, dict[str, list[str]]]:
    """The ledger of the command's files, and what ``--map`` mapped; says what it read."""
    used: dict[str, list[str]] = {}
    if args.fec:
        ledger = _load_fec(args)
    else:
        ledger, used = _load_tables(args)
    if not args.quiet:
        from creditkpi.core.ledger import counted

        first, last = ledger.first_date, ledger.last_date
        span = "no dates" if first is None else f"{first} to {last}"
        counts = counted(
            (ledger.n_invoices, "invoice"),
            (ledger.n_settlements, "settlement"),
            (ledger.n_customers, "customer"),
            thousands=",",
        )
        _say("read", f"{counts}, {span}")
    _refuse_unsettled(ledger, args)
    return ledger, used


def _terms_option(text: str | None) -> int:
    if text is None:
        return 30
    try:
        value = int(text)
    except ValueError:
        raise CLIError(f"--terms expects whole days, got {text!r}") from None
    if value < 0:
        raise CLIError(f"--terms expects whole days >= 0, got {text!r}")
    return value


def _load_fec(args: argparse.Namespace) -> Any:
    """``--fec``: INVOICES (and PAYMENTS) are FEC files of consecutive fiscal years."""
    import creditkpi as ck

    clashes = [
        flag
        for flag, given in (
            ("--invoice-table", args.invoice_table),
            ("--settled-date", args.settled_date),
            ("--disputed", args.disputed),
            ("--map", args.map),
            ("--map-file", args.map_file),
            ("--disputes", args.disputes),
            ("--statuses", args.statuses),
            ("--doubtful", args.doubtful),
            ("--sheet", args.sheet),
        )
        if given
    ]
    if clashes:
        raise CLIError(
            f"{', '.join(clashes)} cannot be used with --fec (an FEC is read by its 18 "
            "columns and its lettering)"
        )
    accounts = tuple(a.strip() for a in (args.fec_accounts or "411,416").split(",") if a.strip())
    if not accounts:
        raise CLIError("--fec-accounts expects account prefixes such as 411,416")
    files = [f for f in (args.invoices, args.payments) if f]
    for path in files:
        if not Path(path).is_file():
            raise CLIError(f"FEC file not found: {path}")
    rows = sum(Path(path).stat().st_size for path in files) // 150
    with (
        _status(f"reading the FEC ({rows:,} lines)", show=rows > LARGE_ROWS and not args.quiet),
        _options_as_flags(),
    ):
        return ck.Ledger.from_fec(
            files,
            accounts=accounts,
            terms=_terms_option(args.terms),
            sep=args.sep,
            encoding=args.encoding,
            decimal="," if args.decimal == "," else None,
            date_format=args.date_format or "%Y%m%d",
            currency=_currency_option(args.currency) or "EUR",
        )


def _settlement_date_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of ``frame`` whose name looks like a settlement date."""
    return [
        str(name)
        for name in frame.columns
        if re.sub(r"[^0-9a-z]", "", str(name).lower()) in SETTLEMENT_DATE_NAMES
    ]


def _load_tables(args: argparse.Namespace) -> tuple[Any, dict[str, list[str]]]:
    import creditkpi as ck

    if args.fec_accounts or args.terms is not None:
        raise CLIError("--fec-accounts and --terms go with --fec")
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

    frames: dict[str, pd.DataFrame] = {}
    for table, path in files.items():
        size = Path(path).stat().st_size if Path(path).is_file() else 0
        message = f"reading {Path(path).name} ({size / 1e6:,.0f} MB)"
        with _status(message, show=size > LARGE_FILE and not args.quiet):
            frames[table] = read_table(
                path,
                what=table,
                sep=args.sep,
                encoding=args.encoding or "utf-8-sig",
                sheet=args.sheet,
            )
    fec_columns = {"journalcode", "ecriturenum", "comptenum", "debit", "credit"}
    if fec_columns <= {str(c).lower() for c in frames["invoices"].columns}:
        raise CLIError(
            f"{Path(args.invoices).name} has the columns of an FEC (JournalCode, EcritureNum, "
            "CompteNum, Debit, Credit): read it with --fec (and --terms DAYS for the due dates)"
        )
    looks_settled = [] if len(files) > 1 else _settlement_date_columns(frames["invoices"])
    used = _apply_mapping(frames, mapping, files)
    args._mapped = used
    currency = _currency_option(args.currency)
    if currency:
        for table in ("invoices", "payments"):
            if table in frames and "currency" not in frames[table].columns:
                frames[table] = frames[table].assign(currency=currency)
    decimal: Literal[".", ","] | None = "," if args.decimal == "," else None

    rows = sum(len(frame) for frame in frames.values())
    with (
        _status(f"building the ledger ({rows:,} rows)", show=rows > LARGE_ROWS and not args.quiet),
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
    mapped = {theirs for names in used.values() for theirs in names}
    args._looks_settled = [name for name in looks_settled if name not in mapped]
    return ledger, used


def _refuse_unsettled(ledger: Any, args: argparse.Namespace) -> None:
    """A one-table export read as invoices only: no report where every invoice looks unpaid."""
    looks_settled: list[str] = getattr(args, "_looks_settled", [])
    if args.fec or args.invoice_table or ledger.n_settlements or not looks_settled:
        return
    from creditkpi.core.errors import NoSettlementsReadError

    column = looks_settled[0]
    raise NoSettlementsReadError(
        f"{ledger.n_invoices:,} invoices and no settlement read from one file, every invoice "
        "would count as unpaid, but it has a settlement date",
        column=column,
        count=len(looks_settled),
        hint=f"read it as a one-row-per-invoice export with --invoice-table "
        f"--settled-date {column}, or give the PAYMENTS file",
    )


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


def _groups_csv(board: Any, args: argparse.Namespace) -> str:
    from creditkpi.core.money import minor_unit
    from creditkpi.dashboard.model import _table_csv

    return _table_csv(
        board.groups,
        "group",
        escape_formulas=not args.raw_csv,
        digits=minor_unit(board.currency),
        money_default=True,
    )


def _input_files(args: argparse.Namespace) -> list[Path]:
    """Every file the command reads (the report must never overwrite one of them)."""
    names = [getattr(args, a, None) for a in ("invoices", "payments", *TABLES[2:], "map_file")]
    costs = getattr(args, "costs", None)
    if costs is not None and Path(costs).is_file():
        names.append(costs)
    return [Path(n) for n in names if n]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_target(target: Path, args: argparse.Namespace) -> None:
    """The rules of every file the command writes (``--output`` and its companions).

    Never an input file (same file, whatever the path), never through a
    symbolic link, never a folder, and an existing file only with ``--force``.
    """
    if target.is_symlink():
        raise CLIError(f"{target} is a symbolic link: the report is not written through links")
    if not target.exists():
        return
    if target.is_dir():
        raise CLIError(f"{target} is a folder: give a file name")
    for source in _input_files(args):
        if _same_file(target, source):
            raise CLIError(f"{target} is an input file ({source}): refusing to overwrite it")
    if not args.force:
        raise CLIError(f"{target} already exists: add --force to overwrite it")


def _output_plan(args: argparse.Namespace) -> list[Path]:
    """The files the command will write, checked before any work is done."""
    from creditkpi.dashboard.charts import FILES

    targets: list[Path] = []
    if args.output is not None:
        out = Path(args.output)
        targets.append(out)
        if args.format == "csv" and args.by is not None:
            targets.append(_companion(out, args.by))
    if args.charts:
        from creditkpi.dashboard.charts import _figure_class

        _figure_class()  # no matplotlib: say so before any work
        folder = Path(args.charts)
        if folder.exists() and not folder.is_dir():
            raise CLIError(f"--charts {folder}: not a folder")
        targets += [folder / name for name in FILES.values()]
    for target in targets:
        _check_target(target, args)
    return targets


def _companion(output: Path, by: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in by)
    return output.with_name(f"{output.stem}_by_{safe}{output.suffix or '.csv'}")


_UMASK: int | None = None


def _file_mode() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return 0o666 & ~_UMASK


def _write_file(target: Path, data: bytes, args: argparse.Namespace) -> None:
    """Write ``data`` to ``target`` atomically, by the rules of :func:`_check_target`.

    A temporary file in the same folder is written, flushed and renamed
    over the target, so a reader never sees half a report and a failure
    leaves the old file intact. Without ``--force`` the rename is a hard
    link, which fails if the file appeared meanwhile.
    """
    _check_target(target, args)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise CLIError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _file_mode())
        if args.force:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise CLIError(f"{target} already exists: add --force to overwrite it") from None
            except OSError:  # a file system without hard links
                if target.exists() or target.is_symlink():
                    raise CLIError(
                        f"{target} already exists: add --force to overwrite it"
                    ) from None
                os.replace(temporary, target)
    except OSError as exc:
        raise CLIError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _write(text: str, output: str | None, args: argparse.Namespace) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    _write_file(Path(output), text.encode("utf-8"), args)


def _chart_images(board: Any, args: argparse.Namespace) -> dict[str, bytes] | None:
    """The charts, drawn once for ``--charts`` and the HTML page (``None``: no matplotlib)."""
    from creditkpi.dashboard.charts import ChartsUnavailableError, chart_images

    if not args.charts and args.format != "html":
        return None
    try:
        with _status("drawing charts", show=not args.quiet):
            return chart_images(board)
    except ChartsUnavailableError:
        if args.charts:
            raise
        return None


def _emit(board: Any, args: argparse.Namespace) -> None:
    from creditkpi.dashboard.render import html_page

    fmt = args.format
    images = _chart_images(board, args)
    if fmt == "json":
        _write(board.to_json() + "\n", args.output, args)
    elif fmt == "csv":
        text = board.to_csv(escape_formulas=not args.raw_csv)
        if board.groups is not None:
            if args.output is None:
                text += "\n" + _groups_csv(board, args)
            else:
                sibling = _companion(Path(args.output), board.by)
                _write_file(sibling, _groups_csv(board, args).encode("utf-8"), args)
                if not args.quiet:
                    print(f"creditkpi: wrote {printable(sibling)}", file=sys.stderr)
        _write(text, args.output, args)
    elif fmt == "html":
        _write(html_page(board, full=True, charts=True, images=images), args.output, args)
    elif args.output is not None:
        _write(board.to_text(width=args.width or 110), args.output, args)
    else:
        from rich.console import Console

        console = Console(highlight=False)
        if args.width:
            console.width = args.width
        elif not console.is_terminal:
            console.width = 110
        console.print(board)
    if args.charts and images is not None:
        from creditkpi.dashboard.charts import FILES

        for name, png in images.items():
            target = Path(args.charts) / FILES[name]
            _write_file(target, png, args)
            if not args.quiet:
                print(f"creditkpi: wrote {printable(target)}", file=sys.stderr)


def _run_dashboard(ledger: Any, period: Any, args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.period import from_day

    the_period = ck.Period.parse(period)
    if ledger._cols.last_day is not None and not args.quiet:
        last = from_day(ledger._cols.last_day)
        if the_period.start > last:
            _say("note", f"the data ends on {last}, before the period {the_period} starts")

    with _status("computing the dashboard", show=not args.quiet):
        board = ck.dashboard(
            ledger,
            period,
            as_of=args.as_of,
            costs=_parse_costs(args.costs),
            by=args.by,
            n=args.top,
        )
    _emit(board, args)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from creditkpi import datasets

    _output_plan(args)
    with _status("loading the bundled sample", show=not args.quiet):
        ledger = datasets.sample()
    period = args.period if args.period else _last_full_month(ledger)
    return _run_dashboard(ledger, period, args)


def _cmd_report(args: argparse.Namespace) -> int:
    _output_plan(args)
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
        help="terminal table (default), JSON, CSV (the KPI table) or an HTML page you can "
        "send (one file, charts embedded when matplotlib is installed)",
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
        "(needs: pip install 'creditkpi[charts]'); the HTML page embeds them anyway",
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
    inp.add_argument("--sheet", metavar="NAME", help="Excel sheet (default: the first)")
    inp.add_argument("--currency", metavar="CODE",
                     help="currency of tables without a currency column (default EUR)")  # fmt: skip
    report.set_defaults(func=_cmd_report)
    _add_profiles_command(sub, report)
    _add_forecast_command(sub, report)
    return parser


# ----------------------------------------------------------------------------------
# creditkpi profiles: payer profiles of your files
# ----------------------------------------------------------------------------------

#: what ``creditkpi profiles --sort`` may sort by (worst first, except customer_id)
PROFILE_SORTS = ("customer_id", "grade", "payment_index", "overdue", "receivables")


def _parse_grades(text: str | None) -> dict[str, float | None] | None:
    """``--grades A=30,B=60,C=90,D``: grade=most days beyond terms, the last one bare."""
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


def _profile_cell(value: Any, digits: int = 1, percent: bool = False) -> str:
    """A number of the profiles table as text; ``-`` for a missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if percent:
        return f"{float(value):.0%}"
    return f"{float(value):,.{digits}f}"


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
        _write(text + "\n", args.output, args)
        return
    if fmt == "csv":
        from creditkpi.dashboard.model import _table_csv

        flat = frame.copy()
        flat["reasons"] = ["; ".join(r) for r in flat["reasons"]]
        _write(
            _table_csv(flat, "customer_id", escape_formulas=not args.raw_csv),
            args.output,
            args,
        )
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from creditkpi.core.safe_text import printable

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
        ("open d.", "open_days_beyond_terms"),
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
                cells.append(_profile_cell(value, 2))
            elif column == "limit_use":
                cells.append(_profile_cell(value, percent=True))
            elif column == "invoices":
                cells.append(str(int(value)))
            else:
                cells.append(_profile_cell(value, 0 if column == "payment_index" else 1))
        table.add_row(*cells)
    console = Console(highlight=False, file=io.StringIO() if args.output else None)
    if args.width:
        console.width = args.width
    elif args.output or not console.is_terminal:
        console.width = 140
    console.print(table)
    if args.output:
        assert isinstance(console.file, io.StringIO)
        _write(console.file.getvalue(), args.output, args)


def _cmd_profiles(args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.period import as_date

    args.as_of = as_date(args.as_of)
    if args.output is not None:  # the -o rules, checked before any work
        _check_target(Path(args.output), args)
    ledger, _ = _load_ledger(args)
    grades = _parse_grades(args.grades)
    with _status("computing payer profiles…", show=not args.quiet):
        frame = ck.payer_profiles(
            ledger,
            args.as_of,
            window=args.window,
            min_invoices=args.min_invoices,
            grades=grades,
        )
    if args.sort == "grade":
        from creditkpi.metrics.profiles import DEFAULT_GRADES

        rank = {label: k for k, label in enumerate(grades or DEFAULT_GRADES)}
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


def _add_profiles_command(sub: Any, report: argparse.ArgumentParser) -> None:
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
    # the positional files and the input group of `report`, shared as argparse's
    # parents= shares them, so both commands always read files the same way
    for action in report._positionals._group_actions:
        profiles._positionals._add_action(action)
    for group in report._action_groups:
        if group.title == "input":
            inputs = profiles.add_argument_group("input")
            for action in group._group_actions:
                inputs._add_action(action)
    opts = profiles.add_argument_group("profiles")
    opts.add_argument("--as-of", required=True, metavar="DATE",
                      help="the cut-off, YYYY-MM-DD (nothing dated later counts)")  # fmt: skip
    opts.add_argument("--window", default="12M", metavar="LENGTH",
                      help="window ending on --as-of, in months or years (default 12M)")  # fmt: skip
    opts.add_argument("--min-invoices", type=int, default=5, metavar="N",
                      help="fewer invoices in the window flag insufficient history (default 5)")  # fmt: skip
    opts.add_argument("--grades", metavar="A=30,B=60,C=90,D",
                      help="grades and the most days beyond terms each allows, the last one "
                      "open-ended (default A=30,B=60,C=90,D)")  # fmt: skip
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
    out.add_argument("--width", type=_positive_int, metavar="COLS",
                     help="width of the terminal table")  # fmt: skip
    out.add_argument("--quiet", "-q", action="store_true",
                     help="no warnings, notes or progress on stderr")  # fmt: skip
    out.add_argument("--debug", action="store_true",
                     help="show the Python traceback of an error")  # fmt: skip
    profiles.set_defaults(func=_cmd_profiles, charts=None)
    sub.metavar = "{" + ",".join(sub.choices) + "}"


# ----------------------------------------------------------------------------------
# creditkpi forecast: expected cash of the open invoices, and its backtest
# ----------------------------------------------------------------------------------


def _money_text(value: Any) -> str:
    return _profile_cell(value, 2)


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
        _write(text + "\n", args.output, args)
        return
    if fmt == "csv":
        from creditkpi.dashboard.model import _table_csv

        if bt is not None:  # the backtest's table per method and step
            frame = bt.summary.reset_index().set_index("method")
            text = _table_csv(frame, "method", escape_formulas=not args.raw_csv)
        else:
            frame = fc.windows.reset_index()
            frame["start"] = [str(d.date()) for d in frame["start"]]
            frame["end"] = [str(d.date()) for d in frame["end"]]
            first = frame.columns[0]
            text = _table_csv(
                frame.set_index(first), str(first), escape_formulas=not args.raw_csv,
                money_default=True,
            )  # fmt: skip
        _write(text, args.output, args)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from creditkpi.core.safe_text import printable

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
                _profile_cell(row["wape"], percent=True),
                _profile_cell(row["bias"], percent=True),
                _profile_cell(row["mape"], percent=True),
                str(int(row["mape_undefined"])),
            )
        console.print(check)
    if args.output:
        assert isinstance(console.file, io.StringIO)
        _write(console.file.getvalue(), args.output, args)


def _cmd_forecast(args: argparse.Namespace) -> int:
    import creditkpi as ck
    from creditkpi.core.expected_cash import horizon_offsets
    from creditkpi.core.period import as_date

    args.as_of = as_date(args.as_of)
    targets = [Path(p) for p in (args.output, args.chart) if p is not None]
    if args.chart is not None:
        from creditkpi.dashboard.charts import _figure_class

        _figure_class()  # no matplotlib: say so before any work
    for target in targets:  # the -o rules, checked before any work
        _check_target(target, args)
    ledger, _ = _load_ledger(args)
    with _status("forecasting…", show=not args.quiet):
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
        figure = bt.plot() if bt is not None else fc.plot()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=150, facecolor="white")
        _write_file(Path(args.chart), buffer.getvalue(), args)
    _emit_forecast(fc, bt, args)
    return EXIT_OK


def _add_forecast_command(sub: Any, report: argparse.ArgumentParser) -> None:
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
    for action in report._positionals._group_actions:
        forecast._positionals._add_action(action)
    for group in report._action_groups:
        if group.title == "input":
            inputs = forecast.add_argument_group("input")
            for action in group._group_actions:
                inputs._add_action(action)
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
    opts.add_argument("--backtest", type=_positive_int, metavar="N",
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
                     "origin) as a PNG file (needs: pip install 'creditkpi[charts]')")  # fmt: skip
    out.add_argument("--force", action="store_true",
                     help="replace existing output files (never an input file)")  # fmt: skip
    out.add_argument("--raw-csv", action="store_true",
                     help="CSV cells exactly as in the data (no formula neutralisation)")  # fmt: skip
    out.add_argument("--width", type=_positive_int, metavar="COLS",
                     help="width of the terminal table")  # fmt: skip
    out.add_argument("--quiet", "-q", action="store_true",
                     help="no warnings, notes or progress on stderr")  # fmt: skip
    out.add_argument("--debug", action="store_true",
                     help="show the Python traceback of an error")  # fmt: skip
    forecast.set_defaults(func=_cmd_forecast, charts=None)
    sub.metavar = "{" + ",".join(sub.choices) + "}"


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
        _say("error", _error_text(exc, args._mapped))
        return EXIT_BAD_INPUT
    except (OSError, ValueError) as exc:
        if args.debug or isinstance(exc, BrokenPipeError):
            if isinstance(exc, BrokenPipeError):
                with contextlib.suppress(Exception):
                    sys.stdout = io.StringIO()
                    stdout.close()
                return EXIT_OK
            raise
        _say("error", _error_text(exc, args._mapped))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("creditkpi: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
