"""Reading one input table from a file: CSV, Excel or Parquet (shared with the command line).

CSV cells are read as **text**: ids keep their leading zeros (``0000611365``
stays ``0000611365``, where ``pandas.read_csv`` would make it the number
611365), amounts keep their exact decimals, dates are left for the ledger to
read. The separator is guessed among ``, ; tab |`` from the first line,
``.tsv`` files are tab-separated. ``decimal=","`` turns the numbers of a file
written with decimal commas (``1 234,56``, ``1.234,56``) into plain text
numbers (``1234.56``), column by column, where every cell of the column is
such a number: ids and dates are never touched.

Files of :data:`ARROW_MIN_BYTES` or more are parsed by pandas' ``pyarrow``
engine from pandas 3.1 when pyarrow is installed (multi-threaded: a 99 MiB FEC in 0.5 s
instead of 2.3 s); it gives the same frame as pandas' own reader (a property
test checks it on quoted, accented, empty and separator-holding cells), and
whatever it cannot read is read again by pandas' reader, which reports the
error.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import warnings
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from creditkpi.core.errors import DuplicateColumnError, InvalidOptionError, UnreadableFileError
from creditkpi.core.money import SPACES, parse_amount_text

__all__ = ["UnreadableFileError", "read_table"]

_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}

#: files this large (bytes) are parsed with pyarrow's multi-threaded CSV reader, if installed
ARROW_MIN_BYTES = 8 * 2**20
#: pandas' pyarrow engine keeps every cell as written with ``dtype=str`` from pandas 3.1
ARROW_ENGINE_KEEPS_TEXT = tuple(int(part) for part in pd.__version__.split(".")[:2]) >= (3, 1)


def read_table(
    path: str | Path,
    *,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read one input table from a CSV, Excel (``.xlsx``/``.xlsm``) or Parquet file.

    The result feeds :meth:`~creditkpi.Ledger.from_frames` or
    :meth:`~creditkpi.Ledger.from_invoice_table` as it is (map your column
    names with ``columns=``).

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.txt``, ``.tsv`` (optionally ``.gz``, ``.bz2``, ``.xz``,
        ``.zip``), ``.xlsx``/``.xlsm`` (needs ``openpyxl``: the ``excel``
        extra) or ``.parquet``/``.pq`` (needs ``pyarrow``: the ``arrow`` extra).
    sep : str, optional
        CSV separator; guessed among ``,`` ``;`` tab ``|`` from the first line
        when omitted.
    decimal : {".", ","}, optional
        Decimal mark of the numbers written in the file. With ``","``, the
        text columns whose every cell is a number written with a decimal
        comma and spaces or dots grouping thousands (``1 234,56``) become
        plain text numbers (``1234.56``); with ``"."``, those with commas
        grouping thousands (``1,234.56``) do. Columns holding anything else
        (ids, dates, names) are left as they are. Default: numbers are left
        as written (pass ``decimal=`` to :meth:`~creditkpi.Ledger.from_frames`
        instead, or here).
    encoding : str, optional
        Text encoding of CSV files (default UTF-8, with or without a byte
        order mark; e.g. ``"cp1252"`` for files saved by Excel on Windows).
    sheet : str or int, optional
        Excel sheet (default: the first).

    Returns
    -------
    pandas.DataFrame
        CSV columns as text (missing cells: missing values); Excel and
        Parquet columns as stored.

    Raises
    ------
    UnreadableFileError
        The file is missing, a directory, empty, not text in ``encoding``
        (the message suggests ``encoding="cp1252"``), an old ``.xls``, or
        needs an optional dependency that is not installed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "factures.csv").write_text(
    ...     "numero;client;montant\\n0001;C1;1 234,50\\n0002;C2;99,90\\n", encoding="utf-8")
    >>> read_table(folder / "factures.csv", decimal=",").to_dict("list")
    {'numero': ['0001', '0002'], 'client': ['C1', 'C2'], 'montant': ['1234.50', '99.90']}
    """
    if decimal not in (None, ".", ","):
        raise InvalidOptionError(
            f'decimal must be None, "." or ",", got {decimal!r}', argument="decimal"
        )
    p = Path(path)
    where = str(path)
    if not p.exists():
        raise UnreadableFileError("file not found", path=where)
    if p.is_dir():
        raise UnreadableFileError("this is a directory, not a file", path=where)
    name = p.name.lower()
    if name.endswith((".parquet", ".pq")):
        frame = _parquet(p, where)
    elif name.endswith((".xlsx", ".xlsm")):
        frame = _excel(p, where, sheet)
    elif name.endswith(".xls"):
        raise UnreadableFileError(
            "old Excel .xls files are not read: save the sheet as .xlsx or CSV", path=where
        )
    else:
        frame = _csv(p, where, name, sep, _encoding(encoding or "utf-8-sig"))
    if decimal is not None:
        frame = _numbers_as_text(frame, decimal)
    return frame


def _parquet(p: Path, where: str) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UnreadableFileError(
            "reading Parquet needs pyarrow: pip install pyarrow (the arrow extra)", path=where
        ) from None
    try:
        return pd.read_parquet(p)
    except (OSError, ValueError) as exc:
        raise UnreadableFileError(f"not a Parquet file ({_one_line(exc)})", path=where) from None


def _excel(p: Path, where: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise UnreadableFileError(
            "reading Excel files needs openpyxl: pip install openpyxl (the excel extra)", path=where
        ) from None
    try:
        raw: pd.DataFrame = pd.read_excel(
            p, sheet_name=0 if sheet is None else sheet, dtype=object, header=None
        )
    except (OSError, ValueError, KeyError) as exc:
        raise UnreadableFileError(
            f"cannot read the workbook ({_one_line(exc)})", path=where
        ) from None
    if raw.empty:
        return raw
    # the first row is the header, read as written (pandas would rename a repeated name)
    names = raw.iloc[0].tolist()
    _check_header(names, where)
    columns = [
        f"Unnamed: {k}" if v is None or (isinstance(v, float) and v != v) else str(v)
        for k, v in enumerate(names)
    ]
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = pd.Index(columns, dtype=object)
    return frame


def _encoding(encoding: str) -> str:
    """``encoding=``: a text encoding Python knows (an unknown name is an option error)."""
    try:
        # base64, rot13...: codecs Python knows, but not text encodings
        known = getattr(codecs.lookup(encoding), "_is_text_encoding", True)
    except (LookupError, TypeError):
        known = False
    if not known:
        raise InvalidOptionError(
            f"encoding {encoding!r} is not a text encoding Python knows (e.g. 'utf-8', "
            "'cp1252', 'iso-8859-15')",
            argument="encoding",
        )
    return encoding


def _check_header(names: list[Any], where: str) -> None:
    """Two columns of one file with one name are an error (pandas would rename one ``x.1``)."""
    seen: dict[str, int] = {}
    for k, value in enumerate(names):
        if value is None or (isinstance(value, float) and value != value):
            continue
        text = str(value).strip()
        if not text:
            continue
        if text in seen:
            raise DuplicateColumnError(
                f"{where} has {sum(str(v).strip() == text for v in names)} columns named "
                f"{text!r} (columns {seen[text] + 1} and {k + 1}); keep one (or rename the others)",
                column=text,
            )
        seen[text] = k


def _csv(p: Path, where: str, name: str, sep: str | None, encoding: str) -> pd.DataFrame:
    if sep is None:
        sep = "\t" if name.endswith((".tsv", ".tsv.gz")) else _sniff_separator(p, name, encoding)
    options: dict[str, Any] = {
        "sep": sep, "dtype": str, "keep_default_na": False, "na_values": [""], "encoding": encoding,
    }  # fmt: skip
    try:
        header = pd.read_csv(p, header=None, nrows=1, **options)
    except (UnicodeError, pd.errors.EmptyDataError, ValueError, OSError):
        header = None  # the full read below says what is wrong
    if header is not None and len(header):
        _check_header(header.iloc[0].tolist(), where)
    if _arrow_reads(p):
        try:
            fast: pd.DataFrame = pd.read_csv(p, engine="pyarrow", **options)
            # pandas' reader skips lines of blanks, pyarrow's keeps them as a
            # one-column row (it refuses them where there are more columns)
            if fast.shape[1] > 1:
                return fast
        except Exception:  # pandas' own reader reads it again and says why
            pass
    try:
        with warnings.catch_warnings():
            # index_col=False: a separator closing every line is no column (pandas
            # would take the first column as the index and shift every other); a
            # line with more cells than the header loses them: an error, not a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame: pd.DataFrame = pd.read_csv(p, index_col=False, **options)
        return frame
    except pd.errors.ParserWarning:
        raise UnreadableFileError(
            "some lines have more cells than the header (their last cells would be lost)",
            path=where,
        ) from None
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"not {encoding} text ({exc.reason} at byte {exc.start})",
            path=where,
            option=("encoding", "cp1252"),
        ) from None
    except UnicodeError as exc:  # e.g. UTF-16 without its byte order mark
        raise UnreadableFileError(
            f"not {encoding} text ({_one_line(exc)})", path=where, option=("encoding", "cp1252")
        ) from None
    except pd.errors.EmptyDataError:
        raise UnreadableFileError("the file is empty", path=where) from None
    except (ValueError, OSError) as exc:
        raise UnreadableFileError(f"cannot read it as CSV ({_one_line(exc)})", path=where) from None


def _arrow_reads(p: Path) -> bool:
    """Whether pyarrow parses this file: large, uncompressed, pandas 3.1+ with pyarrow.

    Before pandas 3.1 the ``pyarrow`` engine infers types before ``dtype=str``
    applies (``0001`` becomes ``"1"`` under 3.0, ``1`` becomes ``"1.0"`` and an
    empty column ``"nan"`` under 2.2): there pandas' own reader reads every file.
    """
    if p.suffix.lower() in _COMPRESSED or p.stat().st_size < ARROW_MIN_BYTES:
        return False
    if not ARROW_ENGINE_KEEPS_TEXT:
        return False
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _sniff_separator(p: Path, name: str, encoding: str) -> str:
    """The most frequent of ``, ; tab |`` on the first line (``,`` when none is there)."""
    opener: Any = open
    for suffix, compressed in _COMPRESSED.items():
        if name.endswith(suffix):
            opener = compressed
    if name.endswith((".zip", ".zst")):
        return ","
    try:
        handle: IO[str]
        with opener(p, "rt", encoding=encoding, errors="replace", newline="") as handle:
            first = handle.readline()
    except (OSError, EOFError, UnicodeError):
        return ","
    counts = {sep: first.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def _numbers_as_text(frame: pd.DataFrame, decimal: str) -> pd.DataFrame:
    """Columns of numbers written with ``decimal`` and grouped thousands, as plain text numbers.

    Only columns that prove they hold amounts are rewritten: every cell is a
    number, one holds the decimal mark or a thousands mark that is not a space
    (``1.234`` with ``decimal=","``), and none starts with a zero before
    another digit. Text that only looks like grouped numbers -- ids ``001 234``,
    a SIREN ``552 120 222`` -- is never touched (spaces group thousands in
    :meth:`~creditkpi.Ledger.from_frames` anyway).
    """
    out = frame
    grouping = "," if decimal == "." else "".join(SPACES) + ".,'"
    proof = (decimal, *(c for c in grouping if c not in SPACES and c != decimal))
    for k in range(frame.shape[1]):
        column = frame.iloc[:, k]
        if not (
            pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)
        ):
            continue
        values = column.dropna()
        texts = values[[isinstance(v, str) for v in values]]
        if texts.empty or len(texts) != len(values):
            continue
        distinct = pd.unique(np.asarray(texts, dtype=object))
        if not any(any(ch in grouping for ch in v) for v in distinct):
            continue  # plain digits: ids, nothing to convert
        if not any(any(ch in v for ch in proof) for v in distinct):
            continue  # whole numbers grouped by spaces (or ids that look like them)
        if any(_zero_padded(v, decimal) for v in distinct):
            continue  # zero-padded: codes, not amounts
        parsed = {v: parse_amount_text(v, decimal) for v in distinct if v.strip()}
        if any(value is None for value in parsed.values()):
            continue
        plain = {v: format(value, "f") for v, value in parsed.items() if value is not None}
        if out is frame:
            out = frame.copy()
        out.iloc[:, k] = column.map(plain, na_action="ignore").where(column.notna(), column)
    return out


def _zero_padded(text: str, decimal: str) -> bool:
    """Whether the whole part of a number has a leading zero (``007``, ``001 234``): a code."""
    whole = text.strip().lstrip("+-").split(decimal, 1)[0]
    digits = "".join(ch for ch in whole if ch.isdigit())
    return len(digits) > 1 and digits[0] == "0"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
