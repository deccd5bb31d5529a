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
the lettering and gives the tables ``Ledger.from_frames`` builds from. The rules
are on the *From your accounting system* page of the documentation.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

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
from creditkpi.core.ingest.fec_currency import (
    AMOUNTS,
    LineCurrencies,
    booked_currencies,
    check_groups,
    same_currency,
    text_cells,
    transaction_amounts,
)
from creditkpi.core.ingest.fec_years import by_key, carried_items, fiscal_years, merge_groups
from creditkpi.core.ingest.files import read_table
from creditkpi.core.ingest.gl import (
    Carry,
    Lines,
    Read,
    frames_of,
    match_groups,
)
from creditkpi.core.ingest.lines import check_currency, check_terms, debit_minus_credit, text_values
from creditkpi.core.ingest.source import to_table
from creditkpi.core.money import cents_to_decimal
from creditkpi.core.records import CREDIT_NOTE, PAYMENT, WRITE_OFF

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
    amounts: str = "booked",
) -> Read:
    """The tables of :meth:`Ledger.from_fec` (see there), which builds the ledger.

    The steps: the options; the file(s) read (:func:`read_fec`), every line's
    entry and account (:class:`_Entries`) and every entry balanced; the
    customer lines read (:func:`_customer_lines`); the transfers to doubtful
    customers (:func:`_transfers`); the lettering groups across fiscal years
    (:func:`_lettering`); each credit's kind (:func:`_credit_kinds`); each
    line's currency (:func:`~creditkpi.core.ingest.fec_currency.transaction_amounts`, with
    ``amounts="transaction"``); the lines settled into tables (:func:`_lines` and
    :func:`~creditkpi.core.ingest.gl.frames_of`), what the opening lines
    carry checked (:func:`_check_openings`) and the zero lines reported.
    """
    terms = check_terms(terms)
    _check_fec_options(accounts, applied, amounts)
    code, digits = check_currency(currency)
    fec = read_fec(source, sep=sep, encoding=encoding)
    entries = _Entries.of(fec)
    mark = _decimal_of(fec) if decimal is None else decimal
    signed_all = debit_minus_credit(
        fec["Debit"], fec["Credit"], names=("Debit", "Credit"), ids=Names(len(fec), entries.label),
        digits=digits, decimal=mark,
    )  # fmt: skip
    _check_balanced(entries.entry, signed_all, entries.label, digits)
    is_customer_all = entries.account_is(accounts)
    roles = _entry_roles(entries, ~is_customer_all)
    kind_names = journal_kinds(np.asarray(entries.journal_names, dtype=object), journals)
    # from here on, the customer lines and the provision credits (491) only
    c = _customer_lines(fec, entries, signed_all, is_customer_all, kind_names, date_format)
    if amounts == "transaction":  # each line in its own currency (Idevise, Montantdevise)
        own = transaction_amounts(c.part, c.signed, booked=code, ids=c.ids, decimal=mark)
        c = dataclasses.replace(c, signed=own.signed)  # the same signs: the same lines
    else:
        own = booked_currencies(c.signed, code)
    transfer = _transfers(c, entries.size)
    lettering = _lettering(c, entries, kind_names, transfer)
    if amounts == "transaction":
        used = c.is_customer & ~lettering.carried & (c.signed != 0)
        check_groups(lettering.group, own.code, used, c.ids, c.letter)
    lines, keep, document = _lines(
        fec, c, lettering, transfer, _credit_kinds(c, roles), applied == "lettering", date_format
    )
    lines.currency = own.code[keep]
    doubtful = _doubtful(
        transfer & (c.signed < 0) & ~c.doubtful_account,
        lettering.group,
        c.customer,
        document,
        c.posted,
        c.signed,
        np.flatnonzero(~c.is_customer),
        keep,
        c.signed > 0,
        own,
    )
    check = functools.partial(
        _check_openings, lines=c, lettering=lettering, label=entries.label, digits=digits
    )
    read = frames_of(
        lines, terms=terms, due_dates=due_dates, doubtful=doubtful, currency=code,
        digits=digits, on_carried=check,
    )  # fmt: skip
    zero = np.flatnonzero(c.is_customer & ~transfer & ~lettering.carried & (c.signed == 0))
    if zero.size:
        # nothing to read in them, but said: a line is never dropped silently
        read.skipped(
            "zero-line",
            "fec",
            "Debit",
            f"{zero.size} customer line(s) with neither a debit nor a credit carry no amount "
            "and were skipped",
            entries.label(c.rows[zero]),
            c.rows[zero],
        )
    return read


def _check_fec_options(accounts: Sequence[str], applied: str, amounts: str) -> None:
    if amounts not in AMOUNTS:
        raise InvalidOptionError(
            f"amounts must be 'booked' (Debit/Credit, in currency=) or 'transaction' (each "
            f"line in its Idevise currency, from Montantdevise), got {amounts!r}",
            argument="amounts",
        )
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


@dataclass(frozen=True)
class _Entries:
    """Every line's entry (file, journal, number) and account, as codes of distinct values.

    Read on the distinct values: a few thousand accounts and journals for a
    million lines.
    """

    files: IntArray
    journal: IntArray
    journal_names: list[Any]
    number: IntArray
    number_names: list[Any]
    account: IntArray
    account_names: list[Any]
    entry: IntArray

    @classmethod
    def of(cls, fec: pd.DataFrame) -> _Entries:
        files = fec["_file"].to_numpy(dtype=np.int64)
        journal, journal_names = _codes(fec["JournalCode"])
        number, number_names = _codes(fec["EcritureNum"])
        key = (files * (len(journal_names) + 1) + journal) * (len(number_names) + 1) + number
        entry = pd.factorize(key)[0].astype(np.int64)
        account, account_names = _codes(fec["CompteNum"])
        return cls(
            files, journal, journal_names, number, number_names, account, account_names, entry
        )

    @property
    def size(self) -> int:
        """The number of entries."""
        return int(self.entry.max()) + 1 if self.entry.size else 0

    def account_is(self, prefixes: Sequence[str]) -> BoolArray:
        """Per line, whether its account starts with one of ``prefixes``."""
        return _starts(self.account_names, prefixes)[self.account]

    def label(self, where: IntArray) -> npt.NDArray[Any]:
        """How messages name the lines ``where``: their entry (``VT 12``)."""
        return np.asarray(
            [
                f"{self.journal_names[self.journal[k]]} {self.number_names[self.number[k]]}"
                for k in where.tolist()
            ],
            dtype=object,
        )

    def having(self, mask: BoolArray) -> BoolArray:
        """Per entry, whether it has a line in ``mask``."""
        return np.asarray(np.bincount(self.entry[mask], minlength=self.size) > 0)


def _entry_roles(entries: _Entries, other: BoolArray) -> tuple[BoolArray, BoolArray, BoolArray]:
    """Per entry, whether its other lines (``other``: not the customer's) hold a write-off,
    a cash or a sales account: what decides a customer credit's kind."""
    return (
        entries.having(other & entries.account_is(_WRITE_OFF_ACCOUNTS)),
        entries.having(other & entries.account_is(_CASH_ACCOUNTS)),
        entries.having(other & entries.account_is(_SALES_ACCOUNTS)),
    )


@dataclass(frozen=True)
class _CustomerLines:
    """The customer lines of an FEC and its provision credits (491), read and checked.

    ``rows`` are their lines in the file, ``part`` those rows of the file;
    ``posted`` is the day each line was posted, ``piece_day`` its document's
    day (the posting day when it has none); ``document`` its ``PieceRef``, or
    the entry number where the reference names no document.
    """

    rows: IntArray
    part: pd.DataFrame
    is_customer: BoolArray
    signed: IntArray
    entry: IntArray
    journal_kind: npt.NDArray[Any]
    ids: Names
    posted: IntArray
    piece_day: IntArray
    doubtful_account: BoolArray
    customer: npt.NDArray[Any]
    document: npt.NDArray[Any]
    letter: npt.NDArray[Any]


def _customer_lines(
    fec: pd.DataFrame,
    entries: _Entries,
    signed_all: IntArray,
    is_customer_all: BoolArray,
    kind_names: npt.NDArray[Any],
    date_format: str | None,
) -> _CustomerLines:
    """The customer lines and the provision credits, their dates read (one day/month order)."""
    provision_all = entries.account_is((_PROVISION_ACCOUNT,)) & (signed_all < 0) & ~is_customer_all
    rows = np.flatnonzero(is_customer_all | provision_all)
    part = fec.iloc[rows]
    is_customer = is_customer_all[rows]
    account = np.asarray(entries.account_names, dtype=object)[entries.account[rows]]
    number = np.asarray(entries.number_names, dtype=object)[entries.number[rows]]
    line_ids = Names(rows.size, lambda where: entries.label(rows[where]))
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
    aux = text_cells(part["CompAuxNum"])
    piece_ref = text_cells(part["PieceRef"])
    no_piece = pd.isna(piece_ref) | np.isin(piece_ref.astype(str), list(_NO_PIECE))
    letter = text_cells(part["EcritureLet"])
    letter[~is_customer] = None  # a provision line's lettering is not a customer's
    return _CustomerLines(
        rows=rows,
        part=part,
        is_customer=is_customer,
        signed=signed_all[rows],
        entry=entries.entry[rows],
        journal_kind=kind_names[entries.journal[rows]],
        ids=line_ids,
        posted=posted.days,
        piece_day=np.where(piece.missing, posted.days, piece.days),
        doubtful_account=_starts(account, (_DOUBTFUL_ACCOUNT,)) & is_customer,
        customer=np.where(pd.isna(aux), account, aux).astype(object),
        document=np.where(no_piece, number, piece_ref).astype(object),
        letter=letter,
    )


def _transfers(c: _CustomerLines, n_entries: int) -> BoolArray:
    """The lines of the transfers to doubtful customers: debit 416 / credit 411 in one entry."""
    credit, debit = c.signed < 0, c.signed > 0
    to_doubtful = entry_has_rows(c.entry, c.is_customer & c.doubtful_account & debit, n_entries)
    from_ordinary = entry_has_rows(c.entry, c.is_customer & ~c.doubtful_account & credit, n_entries)
    return np.asarray(
        c.is_customer
        & to_doubtful
        & from_ordinary
        & ((c.doubtful_account & debit) | (~c.doubtful_account & credit))
    )


class _Lettering(NamedTuple):
    """Each customer line's fiscal year and lettering group, and what opening lines carry.

    ``source`` and ``by_customer`` as :func:`carried_items` gives them;
    ``carried``: the opening lines that carry earlier open items (not read
    as items themselves).
    """

    year: IntArray
    group: IntArray
    source: IntArray
    by_customer: BoolArray
    carried: BoolArray


def _lettering(
    c: _CustomerLines, entries: _Entries, kind_names: npt.NDArray[Any], transfer: BoolArray
) -> _Lettering:
    """The fiscal years and lettering groups of the customer lines (:class:`_Lettering`)."""
    # fiscal years: the files in date order, a file holding opening entries (à
    # nouveaux) starting a new one; lettering codes tie lines within a year only
    opening_all = kind_names[entries.journal] == "opening"
    year = fiscal_years(entries.files, opening_all, c.rows, c.posted, c.is_customer)
    group = match_groups(c.customer, c.letter, scope=year)
    aliases: list[tuple[int, int]] = []
    # the 416 debit of a transfer continues the invoices its 411 credit letters
    for e in np.unique(c.entry[transfer]).tolist():
        lines = np.flatnonzero(transfer & (c.entry == e))
        for who in np.unique(c.customer[lines]).tolist():
            mine = lines[c.customer[lines] == who]
            codes = [int(g) for g in group[mine] if g >= 0]
            aliases += [(codes[0], g) for g in codes[1:]]
    # an opening line of a year whose earlier year is read carries that year's open
    # items: the earlier line with its id and side (per invoice), else every open
    # earlier item of its customer (per customer); an opening line of a customer
    # the earlier years never saw is an opening item
    opening_line = c.is_customer & (c.journal_kind == "opening") & (year > 0)
    real = c.is_customer & ~opening_line & ~transfer & (c.signed != 0)
    source, by_customer = carried_items(opening_line, real, c.customer, c.document, c.signed, year)
    carried = opening_line & ((source >= 0) | by_customer)
    # the per-customer opening lines of one customer and year share their lettering
    for _, mine in by_key(np.flatnonzero(carried & by_customer & (group >= 0)), c.customer, year):
        aliases += [(int(group[mine[0]]), int(g)) for g in group[mine[1:]]]
    return _Lettering(year, merge_groups(group, aliases), source, by_customer, carried)


def _credit_kinds(
    c: _CustomerLines, roles: tuple[BoolArray, BoolArray, BoolArray]
) -> npt.NDArray[np.int8]:
    """Each credit's kind: from its journal, then from its entry's counterpart accounts."""
    credit = c.signed < 0
    write_off_entry, cash_entry, sales_entry = roles
    kind = np.full(c.rows.size, PAYMENT, dtype=np.int8)
    kind[(c.journal_kind == "sales") & credit] = CREDIT_NOTE
    kind[(c.journal_kind == "write_off") & credit] = WRITE_OFF
    kind[sales_entry[c.entry] & credit] = CREDIT_NOTE
    kind[cash_entry[c.entry] & credit] = PAYMENT
    kind[write_off_entry[c.entry] & credit] = WRITE_OFF
    return kind


def _lines(
    fec: pd.DataFrame,
    c: _CustomerLines,
    lettering: _Lettering,
    transfer: BoolArray,
    kind: npt.NDArray[np.int8],
    by_lettering: bool,
    date_format: str | None,
) -> tuple[Lines, IntArray, npt.NDArray[Any]]:
    """The lines to settle (:class:`~creditkpi.core.ingest.gl.Lines`), which customer lines
    they are, and every line's document id (a repeated invoice id made unique)."""
    debit = c.signed > 0
    used = c.is_customer & ~transfer & ~lettering.carried & (c.signed != 0)
    # invoices on their document date; settlements on the day they were posted,
    # except what an opening entry carries, which is dated by its document
    day = np.where(debit | (c.journal_kind == "opening"), c.piece_day, c.posted)
    keep = np.flatnonzero(used)
    document = _unique_debit_ids(c.document, keep[debit[keep]], day)
    extra = [name for name in fec.columns if name not in FEC_COLUMNS and name != "_file"]
    attrs = c.part.iloc[keep][extra].reset_index(drop=True) if extra else pd.DataFrame()
    # with applied="lettering", a credit settles its invoices from its DateLet
    lettered_on = None
    if by_lettering:
        when = DateReader(date_format).read(c.part["DateLet"], column="DateLet", ids=c.ids)
        lettered_on = np.where(when.missing, c.posted, when.days)
    position = np.full(c.rows.size, -1, dtype=np.int64)
    position[keep] = np.arange(keep.size)
    carrying = np.flatnonzero(lettering.carried)
    carry = None
    if carrying.size:
        source = lettering.source[carrying]
        carry = Carry(
            stage=lettering.year[carrying],
            group=lettering.group[carrying],
            line=np.where(source >= 0, position[np.maximum(source, 0)], -1),
            customer=np.asarray(c.customer[carrying], dtype=object),
            applied=(c.posted if lettered_on is None else lettered_on)[carrying],
        )
    lines = Lines(
        customer=c.customer[keep],
        document=document[keep],
        day=day[keep],
        cents=c.signed[keep],
        group=lettering.group[keep],
        kind=kind[keep],
        row=np.arange(keep.size, dtype=np.int64),
        due=np.full(keep.size, 2**40, dtype=np.int64),
        attrs=attrs,
        settle_day=None if lettered_on is None else lettered_on[keep],
        stage=lettering.year[keep] if carry is not None else None,
        carry=carry,
    )
    return lines, keep, document


def _check_openings(
    read: Read,
    found: IntArray,
    *,
    lines: _CustomerLines,
    lettering: _Lettering,
    label: Callable[[IntArray], npt.NDArray[Any]],
    digits: int,
) -> None:
    """What an opening line says is open, against what the earlier year leaves open.

    ``found`` is what each carrying line found open (:func:`~creditkpi.core.ingest.gl.settle`).
    """
    c = lines
    carrying = np.flatnonzero(lettering.carried)
    said = c.signed[carrying].copy()
    per_customer = lettering.by_customer[carrying]
    if per_customer.any():  # per customer: the total of its lines, on its first one
        totals: dict[tuple[Any, int], int] = {}
        first: dict[tuple[Any, int], int] = {}
        for j in np.flatnonzero(per_customer).tolist():
            key = (c.customer[carrying[j]], int(lettering.year[carrying[j]]))
            totals[key] = totals.get(key, 0) + int(said[j])
            first.setdefault(key, j)
        for j in np.flatnonzero(per_customer).tolist():
            key = (c.customer[carrying[j]], int(lettering.year[carrying[j]]))
            said[j] = totals[key] if first[key] == j else 0
            found[j] = found[j] if first[key] == j else 0
    wrong = np.flatnonzero(said != found)
    if wrong.size:
        shown = [
            f"opening {cents_to_decimal(int(said[j]), digits)}, earlier year leaves "
            f"{cents_to_decimal(int(found[j]), digits)} open"
            for j in wrong[:5].tolist()
        ]
        read.skipped(
            "opening-balance-mismatch",
            "fec",
            "Debit",
            f"{wrong.size} opening line(s) carry another amount than the earlier year "
            f"leaves open (first: {shown[0]}); the earlier year's items are kept as read",
            label(c.rows[carrying[wrong]]),
            c.rows[carrying[wrong]],
        )


def entry_has_rows(entry: IntArray, mask: BoolArray, size: int) -> BoolArray:
    """Per line, whether its entry has a line in ``mask``."""
    return np.asarray(np.bincount(entry[mask], minlength=size)[entry] > 0)


def _codes(column: pd.Series) -> tuple[IntArray, list[Any]]:
    """Integer codes of a text column's stripped values, and the distinct values (``None``: empty)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    names = text_cells(np.asarray(uniques, dtype=object)).tolist()
    # values that differ only by surrounding spaces share one code
    merged, distinct = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=False)
    return merged[codes].astype(np.int64), list(distinct)


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
    own: LineCurrencies,
) -> pd.DataFrame | None:
    """Invoices moved to doubtful customers, dated at the transfer, with their 491 provision.

    ``own``: each line's currency; a provision is in its invoice's.
    """
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
                same_currency(own, int(lines[k]), p, document)
                provision[k] = max(provision[k], 0) - int(signed[p])
    epoch = np.datetime64("1970-01-01", "D")
    days = np.asarray([chosen[k] for k in lines.tolist()], dtype=np.int64)
    scale = 10 ** own.digits[lines]
    return pd.DataFrame(
        {
            "invoice_id": pd.Series(inv_ids, dtype=object),
            "date": epoch + days.astype("timedelta64[D]"),
            "provision": np.where(provision >= 0, provision / scale, np.nan),
        }
    )
