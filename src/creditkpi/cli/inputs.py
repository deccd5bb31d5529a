"""Reading the command's input files into a ledger (``report``, ``profiles`` and ``forecast`` alike)."""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from creditkpi.cli.common import INPUT_TABLES, LARGE_FILE, LARGE_ROWS, CLIError, say, show_progress
from creditkpi.core.ingest.columns import settlement_date_columns


def read_input(
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
            if table not in INPUT_TABLES:
                raise CLIError(
                    f"--map {pair}: unknown table {table!r} (expected one of {', '.join(INPUT_TABLES)})"
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
            if key not in INPUT_TABLES:
                raise CLIError(
                    f"mapping file {path}: unknown table [{key}] (expected one of "
                    f'{", ".join(INPUT_TABLES)}, or flat canonical = "theirs" lines)'
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


def load_ledger(args: argparse.Namespace) -> tuple[Any, dict[str, list[str]]]:
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
        say("read", f"{counts}, {span}")
    _refuse_unsettled(ledger, args)
    return _translated(ledger, args), used


def _translated(ledger: Any, args: argparse.Namespace) -> Any:
    """``--to CODE --rates FILE|ecb [--fx-method]``: the ledger in the reporting currency."""
    to, source = getattr(args, "to", None), getattr(args, "rates", None)
    if to is None and source is None:
        return ledger
    if to is None or source is None:
        raise CLIError("--to and --rates go together (the reporting currency and its rates)")
    import creditkpi as ck

    if source.strip().lower() == "ecb":
        try:
            rates = ck.Rates.ecb()
        except ImportError as exc:
            raise CLIError(str(exc)) from None
    else:
        frame = read_input(source, what="rates", sep=args.sep, sheet=args.sheet)
        # constant rates are a table given for the purpose (budget rates): no age limit
        if args.fx_method == "constant":
            rates = ck.Rates.from_frame(frame, max_gap=None)
        else:
            rates = ck.Rates.from_frame(frame)
    book = ledger.translate(to, rates, method=args.fx_method)
    if not args.quiet:
        say("translated", book.translation.describe())
    return book


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
        show_progress(
            f"reading the FEC ({rows:,} lines)", show=rows > LARGE_ROWS and not args.quiet
        ),
        _options_as_flags(),
    ):
        ledger = ck.Ledger.from_fec(
            files,
            accounts=accounts,
            terms=_terms_option(args.terms),
            sep=args.sep,
            encoding=args.encoding,
            decimal="," if args.decimal == "," else None,
            date_format=args.date_format or "%Y%m%d",
            currency=_currency_option(args.currency) or "EUR",
            applied=args.applied or "posting",
        )
        return _credit_files(ledger, args)


def _credit_files(ledger: Any, args: argparse.Namespace) -> Any:
    """The ledger with the ``--limits`` and ``--cover`` files (as they are, no ``--map``)."""
    given = {t: getattr(args, t, None) for t in ("limits", "cover")}
    if not any(given.values()):
        return ledger
    frames = {
        t: read_input(path, what=t, sep=args.sep, encoding="utf-8-sig")
        for t, path in given.items()
        if path
    }
    return ledger.with_credit(frames.get("limits"), frames.get("cover"))


def _load_tables(args: argparse.Namespace) -> tuple[Any, dict[str, list[str]]]:
    import creditkpi as ck

    if args.fec_accounts or args.terms is not None:
        raise CLIError("--fec-accounts and --terms go with --fec")
    if args.applied:
        raise CLIError(
            "--applied goes with --fec; a payments table gives its application dates in a "
            "column mapped to applied (--map payments.applied=COLUMN)"
        )
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
    if args.invoice_table and len(files) > 1:  # limits and cover are customers': allowed
        raise CLIError(
            "--invoice-table reads one file (one row per invoice with its settled date): "
            "drop the PAYMENTS / --disputes / --statuses / --doubtful files"
        )
    if not args.invoice_table and (args.settled_date or args.disputed):
        raise CLIError("--settled-date and --disputed go with --invoice-table")

    for table in ("limits", "cover"):
        if getattr(args, table, None):
            files[table] = getattr(args, table)
    frames: dict[str, pd.DataFrame] = {}
    for table, path in files.items():
        size = Path(path).stat().st_size if Path(path).is_file() else 0
        message = f"reading {Path(path).name} ({size / 1e6:,.0f} MB)"
        with show_progress(message, show=size > LARGE_FILE and not args.quiet):
            frames[table] = read_input(
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
    looks_settled = (
        []
        if len(set(files) - {"limits", "cover"}) > 1
        else settlement_date_columns(list(map(str, frames["invoices"].columns)))
    )
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
        show_progress(
            f"building the ledger ({rows:,} rows)", show=rows > LARGE_ROWS and not args.quiet
        ),
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
                # no payments file: checked below, with the command's options in the hint
                frames.get("payments", []),
                frames.get("disputes"),
                frames.get("statuses"),
                frames.get("doubtful"),
                date_format=args.date_format,
                decimal=decimal,
                unknown_invoices=args.unknown_invoices,
            )
        if "limits" in frames or "cover" in frames:
            ledger = ledger.with_credit(
                frames.get("limits"),
                frames.get("cover"),
                date_format=args.date_format,
                decimal=decimal,
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


def share_inputs(command: argparse.ArgumentParser, report: argparse.ArgumentParser) -> None:
    """Give ``command`` the positional files and the input options of ``report``.

    Shared as argparse's ``parents=`` shares them (the same actions), so
    ``profiles`` and ``forecast`` always read files as ``report`` does.
    """
    for action in report._positionals._group_actions:
        command._positionals._add_action(action)
    for group in report._action_groups:
        if group.title == "input":
            inputs = command.add_argument_group("input")
            for action in group._group_actions:
                inputs._add_action(action)
