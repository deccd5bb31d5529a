"""The French *Fichier des Écritures Comptables* (FEC) into a ledger.

The FEC (article A47 A-1 of the Livre des procédures fiscales) holds every
entry line of a fiscal year in 18 columns (:data:`FEC_COLUMNS`), tab or pipe
separated, in UTF-8 or ISO 8859-15, amounts with a decimal comma and no
thousands separator, dates as ``AAAAMMJJ``. The customer sub-ledger is in
it: the lines on accounts ``411…`` (and ``416…``, doubtful customers), the
customer in ``CompAuxNum``, and the lettering code (``EcritureLet``) that
ties each payment to the invoices it settles.

This module reads the file(s) with the shared file reader
(:func:`~creditkpi.core.ingest.files.read_table`), checks the entries as the
format requires, decides what each customer line is from its entry and its
journal, and hands the lines to :mod:`creditkpi.core.ingest.gl`, which applies
the lettering and builds the ledger through ``Ledger.from_frames``. The rules
are on the *From your accounting system* page of the documentation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    InvalidOptionError,
    MissingFECColumnError,
    MissingValueError,
    UnbalancedEntryError,
    UnreadableFileError,
)
from creditkpi.core.ingest.columns import Names
from creditkpi.core.ingest.dates import DateReader
from creditkpi.core.ingest.files import read_table
from creditkpi.core.ingest.gl import (
    Carry,
    Lines,
    check_terms,
    debit_minus_credit,
    group_codes,
    ledger_of,
    say_skipped,
    text_values,
)
from creditkpi.core.ingest.source import to_table
from creditkpi.core.ledger import CREDIT_NOTE, PAYMENT, WRITE_OFF, Ledger
from creditkpi.core.money import CURRENCIES, cents_to_decimal

__all__ = ["FEC_COLUMNS", "JOURNAL_KINDS", "JOURNAL_PREFIXES", "from_fec", "read_fec"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: the 18 columns of an FEC, in their order (article A47 A-1 LPF)
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)

#: what ``journals=`` may map a journal code to
JOURNAL_KINDS = ("sales", "bank", "cash", "write_off", "opening", "misc")

#: default journal kinds, from the start of the journal code (upper case), longest first
JOURNAL_PREFIXES: dict[str, str] = {
    "VEN": "sales",
    "VTE": "sales",
    "FAC": "sales",
    "INV": "sales",
    "VT": "sales",
    "VE": "sales",
    "BQ": "bank",
    "BAN": "bank",
    "BNK": "bank",
    "CB": "bank",
    "CAI": "cash",
    "CSH": "cash",
    "CA": "cash",
    "RAN": "opening",
    "ANO": "opening",
    "OUV": "opening",
    "AN": "opening",
    "OD": "misc",
    "MISC": "misc",
}

#: counterpart accounts that decide a customer credit's kind, in this order
_WRITE_OFF_ACCOUNTS = ("654",)
_CASH_ACCOUNTS = ("51", "53")
_SALES_ACCOUNTS = ("70", "4457")
#: doubtful customers (clients douteux ou litigieux) and their provisions
_DOUBTFUL_ACCOUNT = "416"
_PROVISION_ACCOUNT = "491"
#: PieceRef values that name no document (the entry number names it instead)
_NO_PIECE = {"", "-", "/", "--", "0"}


def read_fec(
    source: Any,
    *,
    sep: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """One FEC table from a file, several files (consecutive years) or frames.

    Files are read with the shared reader (separator guessed among tab and
    ``|``; UTF-8 with or without byte order mark, else ISO 8859-15 unless
    ``encoding`` is given). Column names are matched without regard to case.
    A ``_file`` column numbers the sources (entry numbers are per file).
    """
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    if not sources:
        raise InvalidOptionError("from_fec needs at least one file or frame", argument="source")
    frames = []
    for k, one in enumerate(sources):
        if isinstance(one, (str, Path)):
            frame = _read_file(Path(one), sep=sep, encoding=encoding)
            where = str(one)
        else:
            frame = _as_pandas(one)
            where = f"frame {k}" if len(sources) > 1 else "the frame"
        frame = _canonical_names(frame, where)
        frames.append(frame.assign(_file=k))
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True, sort=False)


def _read_file(path: Path, *, sep: str | None, encoding: str | None) -> pd.DataFrame:
    if encoding is not None:
        return read_table(path, sep=sep, encoding=encoding)
    try:
        return read_table(path, sep=sep, encoding="utf-8-sig")
    except UnreadableFileError as exc:
        if exc.option is None:
            raise
        # the format allows ISO 8859-15 (Latin-9): what is not UTF-8 is read as it
        return read_table(path, sep=sep, encoding="iso-8859-15")


def _as_pandas(frame: Any) -> pd.DataFrame:
    if isinstance(frame, pd.DataFrame):
        return frame
    table = to_table(frame, "FEC")
    return pd.DataFrame({name: text_values(table.column(k)) for k, name in enumerate(table.names)})


def _canonical_names(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    lower = {str(c).strip().lower(): c for c in frame.columns}
    rename = {}
    missing = []
    for name in FEC_COLUMNS:
        theirs = lower.get(name.lower())
        if theirs is None:
            missing.append(name)
        elif theirs != name:
            rename[theirs] = name
    if missing:
        raise MissingFECColumnError(
            f"{len(missing)} of the 18 FEC columns are missing from {where} (it has: "
            f"{', '.join(map(str, frame.columns))})",
            column=missing[0],
            ids=missing,
            hint="an FEC has the 18 columns of article A47 A-1 LPF (JournalCode ... Idevise); "
            "for another line-item export use Ledger.from_gl_lines",
        )
    # a separator at the end of every line (some exports write one) is no column
    empty = [c for c in frame.columns if str(c).startswith("Unnamed:") and frame[c].isna().all()]
    if empty:
        frame = frame.drop(columns=empty)
    return frame.rename(columns=rename) if rename else frame


def journal_kinds(codes: npt.NDArray[Any], journals: Mapping[str, str] | None) -> npt.NDArray[Any]:
    """The kind of each journal code: ``journals`` first, then :data:`JOURNAL_PREFIXES`."""
    given = dict(journals or {})
    for code, kind in given.items():
        if kind not in JOURNAL_KINDS:
            raise InvalidOptionError(
                f"journals= maps {code!r} to {kind!r}; a journal kind is one of "
                f"{', '.join(JOURNAL_KINDS)}",
                argument="journals",
            )
    distinct, inverse = np.unique(np.asarray(codes, dtype=object).astype(str), return_inverse=True)
    kinds: list[str] = []
    prefixes = sorted(JOURNAL_PREFIXES, key=len, reverse=True)
    for code in distinct.tolist():
        found: str | None = given.get(code)
        if found is None:
            upper = code.strip().upper()
            found = next((JOURNAL_PREFIXES[p] for p in prefixes if upper.startswith(p)), "other")
        kinds.append(found)
    return np.asarray(kinds, dtype=object)[inverse]


def from_fec(
    cls: type[Ledger],
    source: Any,
    *,
    accounts: Sequence[str] = ("411", "416"),
    terms: int | Mapping[str, int] = 30,
    due_dates: Any = None,
    journals: Mapping[str, str] | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    date_format: str | None = "%Y%m%d",
    currency: str = "EUR",
    applied: str = "posting",
) -> Ledger:
    """:meth:`Ledger.from_fec` (see there)."""
    terms = check_terms(terms)
    if applied not in ("posting", "lettering"):
        raise InvalidOptionError(
            f"applied must be 'posting' (a credit settles its invoices from its EcritureDate) "
            f"or 'lettering' (from its DateLet), got {applied!r}",
            argument="applied",
        )
    if isinstance(accounts, str) or not all(isinstance(a, str) and a for a in accounts):
        raise InvalidOptionError(
            f"accounts must be account number prefixes such as ('411', '416'), got {accounts!r}",
            argument="accounts",
        )
    code = str(currency).strip().upper()
    if code not in CURRENCIES:
        raise InvalidOptionError(
            f"currency must be an ISO 4217 code, got {currency!r}", argument="currency"
        )
    digits = CURRENCIES[code]
    fec = read_fec(source, sep=sep, encoding=encoding)
    n = len(fec)
    # every line: its entry (file, journal, number) and its account's role, read on
    # the distinct values (a few thousand accounts and journals for a million lines)
    files = fec["_file"].to_numpy(dtype=np.int64)
    j_code, journal_names = _codes(fec["JournalCode"])
    e_code, entry_names = _codes(fec["EcritureNum"])
    key = (files * (len(journal_names) + 1) + j_code) * (len(entry_names) + 1) + e_code
    entry = pd.factorize(key)[0].astype(np.int64)
    a_code, account_names = _codes(fec["CompteNum"])

    def account_is(prefixes: Sequence[str]) -> BoolArray:
        return _starts(account_names, prefixes)[a_code]

    def entry_label(where: IntArray) -> npt.NDArray[Any]:
        return np.asarray(
            [f"{journal_names[j_code[k]]} {entry_names[e_code[k]]}" for k in where.tolist()],
            dtype=object,
        )

    ids = Names(n, entry_label)
    if decimal is None:
        decimal = _decimal_of(fec)
    signed_all = debit_minus_credit(
        fec["Debit"], fec["Credit"], names=("Debit", "Credit"), ids=ids, digits=digits,
        decimal=decimal,
    )  # fmt: skip
    _check_balanced(entry, signed_all, entry_label, digits)

    is_customer_all = account_is(accounts)
    n_entries = int(entry.max()) + 1 if n else 0

    def entry_has(mask: BoolArray) -> BoolArray:
        return np.asarray(np.bincount(entry[mask], minlength=n_entries) > 0)

    other = ~is_customer_all
    write_off_entry = entry_has(other & account_is(_WRITE_OFF_ACCOUNTS))
    cash_entry = entry_has(other & account_is(_CASH_ACCOUNTS))
    sales_entry = entry_has(other & account_is(_SALES_ACCOUNTS))
    kind_names = journal_kinds(np.asarray(journal_names, dtype=object), journals)

    # from here on, the customer lines and the provision credits (491) only
    provision_all = account_is((_PROVISION_ACCOUNT,)) & (signed_all < 0) & ~is_customer_all
    rows = np.flatnonzero(is_customer_all | provision_all)
    part = fec.iloc[rows]
    is_customer = is_customer_all[rows]
    signed = signed_all[rows]
    ent = entry[rows]
    account = np.asarray(account_names, dtype=object)[a_code[rows]]
    journal_kind = kind_names[j_code[rows]]
    number = np.asarray(entry_names, dtype=object)[e_code[rows]]
    line_ids = Names(rows.size, lambda where: entry_label(rows[where]))
    reader = DateReader(date_format)
    posted = reader.read(part["EcritureDate"], column="EcritureDate", ids=line_ids)
    piece = reader.read(part["PieceDate"], column="PieceDate", ids=line_ids)
    reader.finish()
    if (posted.missing & is_customer).any():
        where = np.flatnonzero(posted.missing & is_customer)
        raise MissingValueError(
            f"{where.size} customer line(s) have no EcritureDate",
            column="EcritureDate",
            ids=list(line_ids[where[:5]]),
            count=int(where.size),
        )
    piece_day = np.where(piece.missing, posted.days, piece.days)
    doubtful_account = _starts(account, (_DOUBTFUL_ACCOUNT,)) & is_customer
    opening = journal_kind == "opening"

    aux = _text(part["CompAuxNum"])
    customer = np.where(pd.isna(aux), account, aux).astype(object)
    piece_ref = _text(part["PieceRef"])
    no_piece = pd.isna(piece_ref) | np.isin(piece_ref.astype(str), list(_NO_PIECE))
    document = np.where(no_piece, number, piece_ref).astype(object)
    letter = _text(part["EcritureLet"])

    # transfers to doubtful customers: debit 416 / credit 411 in one entry
    credit = signed < 0
    debit = signed > 0
    to_doubtful = entry_has_rows(ent, is_customer & doubtful_account & debit, n_entries)
    from_ordinary = entry_has_rows(ent, is_customer & ~doubtful_account & credit, n_entries)
    transfer = (
        is_customer
        & to_doubtful
        & from_ordinary
        & ((doubtful_account & debit) | (~doubtful_account & credit))
    )

    # fiscal years: the files in date order, a file holding opening entries (à
    # nouveaux) starting a new one; lettering codes tie lines within a year only
    year = _fiscal_years(files, kind_names[j_code] == "opening", rows, posted.days, is_customer)
    letter[~is_customer] = None  # a provision line's lettering is not a customer's
    group = group_codes(customer, letter, scope=year)
    aliases: list[tuple[int, int]] = []
    # the 416 debit of a transfer continues the invoices its 411 credit letters
    for e in np.unique(ent[transfer]).tolist():
        lines = np.flatnonzero(transfer & (ent == e))
        for who in np.unique(customer[lines]).tolist():
            mine = lines[customer[lines] == who]
            codes = [int(g) for g in group[mine] if g >= 0]
            aliases += [(codes[0], g) for g in codes[1:]]
    # an opening line of a year whose earlier year is read carries that year's open
    # items: the earlier line with its id and side (per invoice), else every open
    # earlier item of its customer (per customer); an opening line of a customer
    # the earlier years never saw is an opening item
    opening_line = is_customer & opening & (year > 0)
    real = is_customer & ~opening_line & ~transfer & (signed != 0)
    source, by_customer = _carried_items(opening_line, real, customer, document, signed, year)
    carried = opening_line & ((source >= 0) | by_customer)
    # the per-customer opening lines of one customer and year share their lettering
    for _, mine in _by_key(np.flatnonzero(carried & by_customer & (group >= 0)), customer, year):
        aliases += [(int(group[mine[0]]), int(g)) for g in group[mine[1:]]]
    group = _merge(group, aliases)

    used = is_customer & ~transfer & ~carried & (signed != 0)
    kind = np.full(rows.size, PAYMENT, dtype=np.int8)
    kind[(journal_kind == "sales") & credit] = CREDIT_NOTE
    kind[(journal_kind == "write_off") & credit] = WRITE_OFF
    kind[sales_entry[ent] & credit] = CREDIT_NOTE
    kind[cash_entry[ent] & credit] = PAYMENT
    kind[write_off_entry[ent] & credit] = WRITE_OFF
    # invoices on their document date; settlements on the day they were posted,
    # except what an opening entry carries, which is dated by its document
    day = np.where(debit | opening, piece_day, posted.days)

    keep = np.flatnonzero(used)
    document = _unique_debit_ids(document, keep[debit[keep]], day)
    extra = [c for c in fec.columns if c not in FEC_COLUMNS and c != "_file"]
    attrs = part.iloc[keep][extra].reset_index(drop=True) if extra else pd.DataFrame()
    # with applied="lettering", a credit settles its invoices from its DateLet
    lettered_on = None
    if applied == "lettering":
        when = DateReader(date_format).read(part["DateLet"], column="DateLet", ids=line_ids)
        lettered_on = np.where(when.missing, posted.days, when.days)
    position = np.full(rows.size, -1, dtype=np.int64)
    position[keep] = np.arange(keep.size)
    carrying = np.flatnonzero(carried)
    carry = None
    if carrying.size:
        carry = Carry(
            stage=year[carrying],
            group=group[carrying],
            line=np.where(source[carrying] >= 0, position[np.maximum(source[carrying], 0)], -1),
            customer=np.asarray(customer[carrying], dtype=object),
            applied=(posted.days if lettered_on is None else lettered_on)[carrying],
        )
    lines_ = Lines(
        customer=customer[keep],
        document=document[keep],
        day=day[keep],
        cents=signed[keep],
        group=group[keep],
        kind=kind[keep],
        row=np.arange(keep.size, dtype=np.int64),
        due=np.full(keep.size, 2**40, dtype=np.int64),
        attrs=attrs,
        settle_day=None if lettered_on is None else lettered_on[keep],
        stage=year[keep] if carry is not None else None,
        carry=carry,
    )

    def check_openings(ledger: Ledger, found: IntArray) -> None:
        """What an opening line says is open, against what the earlier year leaves open."""
        said = signed[carrying].copy()
        per_customer = by_customer[carrying]
        if per_customer.any():  # per customer: the total of its lines, on its first one
            totals: dict[tuple[Any, int], int] = {}
            first: dict[tuple[Any, int], int] = {}
            for j in np.flatnonzero(per_customer).tolist():
                key = (customer[carrying[j]], int(year[carrying[j]]))
                totals[key] = totals.get(key, 0) + int(said[j])
                first.setdefault(key, j)
            for j in np.flatnonzero(per_customer).tolist():
                key = (customer[carrying[j]], int(year[carrying[j]]))
                said[j] = totals[key] if first[key] == j else 0
                found[j] = found[j] if first[key] == j else 0
        wrong = np.flatnonzero(said != found)
        if wrong.size:
            shown = [
                f"opening {cents_to_decimal(int(said[j]), digits)}, earlier year leaves "
                f"{cents_to_decimal(int(found[j]), digits)} open"
                for j in wrong[:5].tolist()
            ]
            say_skipped(
                ledger,
                "opening-balance-mismatch",
                "fec",
                "Debit",
                f"{wrong.size} opening line(s) carry another amount than the earlier year "
                f"leaves open (first: {shown[0]}); the earlier year's items are kept as read",
                entry_label(rows[carrying[wrong]]),
                rows[carrying[wrong]],
            )

    doubtful = _doubtful(
        transfer & credit & ~doubtful_account,
        group,
        customer,
        document,
        posted.days,
        signed,
        np.flatnonzero(~is_customer),
        keep,
        debit,
        digits,
    )
    ledger = ledger_of(
        cls, lines_, terms=terms, due_dates=due_dates, doubtful=doubtful, currency=code,
        digits=digits, on_carried=check_openings,
    )  # fmt: skip
    zero = np.flatnonzero(is_customer & ~transfer & ~carried & (signed == 0))
    if zero.size:
        # nothing to read in them, but said: a line is never dropped silently
        say_skipped(
            ledger,
            "zero-line",
            "fec",
            "Debit",
            f"{zero.size} customer line(s) with neither a debit nor a credit carry no amount "
            "and were skipped",
            entry_label(rows[zero]),
            rows[zero],
        )
    return ledger


def _fiscal_years(
    files: IntArray,
    opening_all: BoolArray,
    rows: IntArray,
    posted: IntArray,
    is_customer: BoolArray,
) -> IntArray:
    """The fiscal year (0, 1, ...) of each customer line.

    The files (an FEC is one fiscal year) are taken in the order of their first
    customer line's date; each file after the first that holds opening entries
    starts a new year, one without continues the year before (a year split into
    several files).
    """
    file_of = files[rows]
    n_files = int(files.max()) + 1 if files.size else 0
    if n_files <= 1:
        return np.zeros(rows.size, dtype=np.int64)
    first = np.full(n_files, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, file_of[is_customer], posted[is_customer])
    has_opening = np.bincount(files[opening_all], minlength=n_files) > 0
    order = np.lexsort((np.arange(n_files), first))
    year_of_file = np.zeros(n_files, dtype=np.int64)
    current = 0
    for k, f in enumerate(order.tolist()):
        if k and has_opening[f]:
            current += 1
        year_of_file[f] = current
    return year_of_file[file_of]


def _by_key(where: IntArray, *keys: npt.NDArray[Any]) -> list[tuple[Any, IntArray]]:
    """The rows of ``where`` grouped by the values of ``keys`` (first appearance order)."""
    if where.size == 0:
        return []
    frame = pd.DataFrame({f"k{j}": key[where] for j, key in enumerate(keys)})
    groups = frame.groupby(list(frame.columns), sort=False).indices
    return [(key, where[np.sort(index)]) for key, index in groups.items()]


def _carried_items(
    opening_line: BoolArray,
    real: BoolArray,
    customer: npt.NDArray[Any],
    document: npt.NDArray[Any],
    signed: IntArray,
    year: IntArray,
) -> tuple[IntArray, BoolArray]:
    """What each opening line of a later year carries.

    ``source``: the earlier line of the same customer, document and side
    (``-1``: none), for an opening per invoice. Lines sharing those (a
    generic ``PieceRef`` such as ``VIR``) pair up one to one: first those of
    the same amount (an item nothing settled), the most recent year first,
    then the others in order. ``by_customer``: an opening line matching no
    earlier line, of a customer with lines in earlier years (one opening per
    customer, carrying the customer's balance).
    """
    n = opening_line.size
    source = np.full(n, -1, dtype=np.int64)
    by_customer = np.zeros(n, dtype=bool)
    lines = np.flatnonzero(opening_line)
    if lines.size == 0:
        return source, by_customer
    # only the earlier lines that could match (the documents of the opening lines)
    wanted = np.flatnonzero(real & pd.Series(document).isin(set(document[lines])).to_numpy())
    earlier = pd.DataFrame(
        {"c": customer[wanted], "d": document[wanted], "a": signed[wanted], "k": wanted,
         "y": year[wanted]}
    ).sort_values(["y", "k"], ascending=[False, True], kind="stable")  # fmt: skip
    asked = pd.DataFrame(
        {"c": customer[lines], "d": document[lines], "a": signed[lines], "at": lines,
         "y_at": year[lines]}
    )  # fmt: skip
    asked["side"] = asked["a"] > 0
    earlier["side"] = earlier["a"] > 0
    for opening_year in np.unique(year[lines]).tolist():
        candidates = earlier[earlier["y"].to_numpy() < opening_year]
        taken: list[int] = []
        for keys in (["c", "d", "a"], ["c", "d", "side"]):
            ask = asked[
                (asked["y_at"].to_numpy() == opening_year) & (source[asked["at"].to_numpy()] < 0)
            ].copy()
            free = candidates[~np.isin(candidates["k"].to_numpy(), taken)].copy()
            ask["n"] = ask.groupby(keys, sort=False, dropna=False).cumcount()
            free["n"] = free.groupby(keys, sort=False, dropna=False).cumcount()
            found = ask.merge(free[[*keys, "n", "k"]], on=[*keys, "n"], how="inner")
            matched = found["k"].to_numpy(dtype=np.int64)
            source[found["at"].to_numpy(dtype=np.int64)] = matched
            taken += matched.tolist()
    # per customer: the customer has lines in an earlier year
    first_year = pd.Series(year[real]).groupby(pd.Series(customer[real], dtype=object)).min()
    seen = pd.Series(customer[lines], dtype=object).map(first_year).to_numpy(dtype=float)
    by_customer[lines] = (source[lines] < 0) & (seen < year[lines])
    return source, by_customer


def entry_has_rows(entry: IntArray, mask: BoolArray, size: int) -> BoolArray:
    """Per line, whether its entry has a line in ``mask``."""
    return np.asarray(np.bincount(entry[mask], minlength=size)[entry] > 0)


def _codes(column: pd.Series) -> tuple[IntArray, list[Any]]:
    """Integer codes of a text column's stripped values, and the distinct values (``None``: empty)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    names = _text(np.asarray(uniques, dtype=object)).tolist()
    # values that differ only by surrounding spaces share one code
    merged, distinct = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=False)
    return merged[codes].astype(np.int64), list(distinct)


def _text(values: Any) -> npt.NDArray[Any]:
    """Text cells stripped, ``None`` where empty."""
    s = pd.Series(np.asarray(values, dtype=object), dtype=object)
    stripped = s.where(s.isna(), s.astype(str).str.strip())
    return stripped.where(stripped.ne(""), None).to_numpy(dtype=object, copy=True)


def _starts(values: Any, prefixes: Sequence[str]) -> BoolArray:
    s = pd.Series(np.asarray(values, dtype=object), dtype=object).fillna("").astype(str)
    return s.str.startswith(tuple(prefixes)).to_numpy(dtype=bool)


def _decimal_of(fec: pd.DataFrame) -> str | None:
    """``","`` when an amount is written with a decimal comma (the format's rule)."""
    for name in ("Debit", "Credit"):
        column = fec[name]
        if pd.api.types.is_numeric_dtype(column.dtype):
            continue
        if column.dropna().astype(str).str.contains(",", regex=False).any():
            return ","
    return None


def _check_balanced(entry: IntArray, signed: IntArray, label: Any, digits: int) -> None:
    if entry.size == 0:
        return
    total = np.zeros(int(entry.max()) + 1, dtype=np.int64)
    np.add.at(total, entry, signed)
    bad = np.flatnonzero(total != 0)
    if bad.size == 0:
        return
    first_line = np.full(total.size, -1, dtype=np.int64)
    first_line[entry[::-1]] = np.arange(entry.size - 1, -1, -1)
    where = first_line[bad[:5]]
    debits = np.zeros(total.size, dtype=np.int64)
    np.add.at(debits, entry, np.maximum(signed, 0))
    shown = [
        f"debit {cents_to_decimal(int(debits[e]), digits)} "
        f"credit {cents_to_decimal(int(debits[e] - total[e]), digits)}"
        for e in bad[:5].tolist()
    ]
    raise UnbalancedEntryError(
        f"{bad.size} entr{'y does' if bad.size == 1 else 'ies do'} not balance "
        "(debits differ from credits)",
        column="EcritureNum",
        ids=list(label(where)),
        count=int(bad.size),
        values=shown,
        hint="every entry of an FEC balances (article A47 A-1 LPF): check that the "
        "export is complete and that Debit and Credit are read with the right decimal mark "
        '(decimal=",")',
    )


def _merge(group: IntArray, aliases: list[tuple[int, int]]) -> IntArray:
    """Groups joined by ``aliases`` share the smallest code of their set."""
    if not aliases:
        return group
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in aliases:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    remap = {g: find(g) for g in list(parent)}
    out = group.copy()
    s = pd.Series(out)
    mapped = s.map(remap)
    out = np.where(mapped.notna(), mapped.fillna(0).to_numpy(dtype=np.int64), out)
    return np.asarray(out, dtype=np.int64)


def _unique_debit_ids(
    document: npt.NDArray[Any], debits: IntArray, day: IntArray
) -> npt.NDArray[Any]:
    """Invoice ids unique: a second debit line with the same id becomes ``id#2`` (date order)."""
    out = document.copy()
    if debits.size == 0:
        return out
    ids = pd.Series(document[debits], dtype=object)
    dup = ids.duplicated(keep=False).to_numpy()
    if not dup.any():
        return out
    rows = debits[dup]
    order = rows[np.lexsort((rows, day[rows]))]
    rank = pd.Series(document[order], dtype=object).groupby(document[order]).cumcount().to_numpy()
    for k, r in zip(order.tolist(), rank.tolist(), strict=True):
        if r:
            out[k] = f"{document[k]}#{r + 1}"
    return out


def _doubtful(
    transfer_credit: BoolArray,
    group: IntArray,
    customer: npt.NDArray[Any],
    document: npt.NDArray[Any],
    posted: IntArray,
    signed: IntArray,
    prov: IntArray,
    keep: IntArray,
    debit: BoolArray,
    digits: int,
) -> pd.DataFrame | None:
    """Invoices moved to doubtful customers, dated at the transfer, with their 491 provision."""
    rows = np.flatnonzero(transfer_credit)
    if rows.size == 0:
        return None
    invoices = keep[debit[keep]]
    by_group: dict[int, list[int]] = {}
    for k in invoices.tolist():
        if group[k] >= 0:
            by_group.setdefault(int(group[k]), []).append(k)
    by_id = {(customer[k], document[k]): k for k in invoices.tolist()}
    chosen: dict[int, int] = {}  # invoice line -> transfer day
    for r in rows.tolist():
        found = by_group.get(int(group[r]), []) if group[r] >= 0 else []
        if not found and (customer[r], document[r]) in by_id:
            found = [by_id[(customer[r], document[r])]]
        for k in found:
            chosen.setdefault(k, int(posted[r]))
    if not chosen:
        return None
    lines = np.asarray(sorted(chosen), dtype=np.int64)
    inv_ids = document[lines]
    # provisions: credits on 491 whose PieceRef is the invoice, or whose
    # auxiliary account is a customer with one doubtful invoice
    provision = np.full(lines.size, -1, dtype=np.int64)
    if prov.size:
        position = {inv_ids[k]: k for k in range(lines.size)}
        per_customer = pd.Series(customer[lines]).value_counts()
        only = {c: k for k, c in enumerate(customer[lines]) if per_customer[c] == 1}
        for p in prov.tolist():
            k = position.get(document[p])
            if k is None:
                k = only.get(customer[p])
            if k is not None:
                provision[k] = max(provision[k], 0) - int(signed[p])
    epoch = np.datetime64("1970-01-01", "D")
    days = np.asarray([chosen[k] for k in lines.tolist()], dtype=np.int64)
    scale = 10**digits
    return pd.DataFrame(
        {
            "invoice_id": pd.Series(inv_ids, dtype=object),
            "date": epoch + days.astype("timedelta64[D]"),
            "provision": np.where(provision >= 0, provision / scale, np.nan),
        }
    )
