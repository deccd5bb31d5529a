"""Dates of input columns as day numbers (days since 1970-01-01), exactly.

* **Native dates** (numpy/pandas ``datetime64`` of any unit, Arrow ``date32``,
  ``date64`` and timestamps, Python ``date``/``datetime``) are converted from
  their own unit, never through nanoseconds: years 1 to 9999 round-trip, and
  anything outside that range is an ``invalid-date`` error quoting the value.
  A time-zone-aware value counts on its own wall-clock date.
* **Text** is read without a Python object per row (:mod:`.text`): ISO dates
  (``2024-01-31``, with or without a time and an offset), ``2024/01/31``,
  ``31/01/2024`` or ``01/31/2024`` (``/``, ``.`` or ``-``), ``31 Jan 2024``,
  ``Jan 31, 2024``; several layouts may share a column. A day-first or
  month-first layout is settled by a value that can only be read one way
  (``25/01/2024``), over every date column of the call; when no value settles
  it, the dates are an ``ambiguous-date`` error naming ``date_format`` --
  never a silent month-first reading. Two time-zone offsets in one column are
  an error.
* **Numbers** are not dates: ``20240101`` or ``45292.0`` is an error whose
  hint names ``date_format="%Y%m%d"`` (YYYYMMDD numbers) and
  ``date_format="excel"`` (Excel serial days, 1900 date system), the options
  that read them.
* ``date_format`` (a ``strptime`` format) reads text in that layout (ISO dates
  are read too); formats made of ``%Y %y %m %d %b %B %H %I %M %S %f %p %z``
  and literal characters are parsed as vectors, any other one value by value
  with :func:`datetime.strptime`.

The shapes recognised, the ``date_format`` option and the arithmetic of days
are in :mod:`.date_formats`; this module reads columns with them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import AmbiguousDateError, InvalidDateError
from creditkpi.core.ingest.date_formats import (
    BIG_YEAR,
    BLANK,
    MONTHS,
    NUMBER,
    SHORT_YEAR,
    DateFormat,
    days_from_ymd,
    excel_days,
    two_digit_year,
    yyyymmdd_days,
)
from creditkpi.core.ingest.source import (
    ColumnData,
    arrow_numbers,
    arrow_valid,
    as_arrow,
    pyarrow_module,
    take_values,
)
from creditkpi.core.ingest.text import (
    Chars,
    array_texts,
    arrow_chars,
    arrow_texts,
    chunks,
    read_number,
    shape_groups,
    unicode_chars,
)
from creditkpi.core.period import FIRST_DAY, LAST_DAY

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: the day number stored for a missing date (the ledger's "never")
MISSING = 2**40

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_RANGE = "years 0001 to 9999"
_NUMBER_HINT = (
    'pass date_format="%Y%m%d" for YYYYMMDD numbers or date_format="excel" for Excel serial days'
)
_FORMAT_HINT = "pass date_format= (a strptime format such as '%d/%m/%Y')"


# ----------------------------------------------------------------------------- results
@dataclass(slots=True)
class ParsedDates:
    """One date column read, possibly waiting for the day/month order of the call."""

    column: str
    days: IntArray
    missing: BoolArray
    values: Callable[[IntArray], list[Any]]
    ids: Any = None
    # time zone (UTC offset in minutes, or a named zone) -> first row
    offsets: dict[int | str, int] = field(default_factory=dict)
    pending: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    pending_a: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    pending_b: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    pending_y: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    proof: str | None = None  # "day-first" or "month-first"
    proof_row: int = -1

    def require(self) -> None:
        """Refuse missing dates in a column that must have them (``InvalidDateError``)."""
        if self.missing.any():
            where = np.flatnonzero(self.missing)
            raise InvalidDateError(
                f"{where.size} date(s) are missing",
                column=self.column,
                ids=[] if self.ids is None else list(self.ids[where[:5]]),
                count=int(where.size),
            )


class DateError(Exception):
    """Rows of one column that are not dates (raised as InvalidDateError by the reader)."""

    def __init__(self, rows: IntArray, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.rows = rows
        self.message = message
        self.hint = hint


class DateReader:
    """Reads every date column of one call with one ``date_format``.

    :meth:`read` parses a column; rows written ``a/b/yyyy`` that read both
    ways wait until :meth:`finish` has seen every column and settled the
    order from the values that can only be read one way.
    """

    def __init__(self, date_format: str | None) -> None:
        self.format = DateFormat.parse(date_format)
        self.parsed: list[ParsedDates] = []

    # -------------------------------------------------------------- reading
    def read(self, data: ColumnData, *, column: str, ids: Any) -> ParsedDates:
        """Parse one column (its missing rows are ``MISSING``, reported by the caller)."""

        def values(rows: IntArray) -> list[Any]:
            return take_values(data, rows)

        try:
            parsed = self._read(data, column, values)
            parsed.ids = ids
        except DateError as exc:
            raise InvalidDateError(
                f"{exc.rows.size} value(s) {exc.message}",
                column=column,
                ids=list(ids[exc.rows[:5]]),
                count=int(exc.rows.size),
                values=values(exc.rows[:5]),
                hint=exc.hint,
            ) from None
        self.parsed.append(parsed)
        return parsed

    def _read(self, data: ColumnData, column: str, values: Any) -> ParsedDates:
        arrow = as_arrow(data)
        if arrow is not None:
            return self._read_arrow(arrow, column, values)
        series = data if isinstance(data, pd.Series) else pd.Series(data)
        dtype = series.dtype
        n = len(series)
        if isinstance(dtype, pd.CategoricalDtype):
            return self._categorical(series, column, values)
        if pd.api.types.is_datetime64_any_dtype(dtype):
            stamped: Any = series
            if getattr(stamped.dt, "tz", None) is not None:
                stamped = stamped.dt.tz_localize(None)  # the wall-clock date
            stamps = stamped.to_numpy()
            missing = np.isnat(stamps)
            days = stamps.astype("datetime64[D]").astype(np.int64)
            return self._native(column, days, missing, values)
        if pd.api.types.is_bool_dtype(dtype):
            raise DateError(np.flatnonzero(series.notna().to_numpy()), "are true/false, not dates")
        if pd.api.types.is_numeric_dtype(dtype):
            missing = series.isna().to_numpy(dtype=bool)
            if pd.api.types.is_integer_dtype(dtype):
                numbers: npt.NDArray[Any] = series.to_numpy(dtype=np.int64, na_value=0)
            else:
                numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
            return self._numbers(column, numbers, missing, values)
        if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            return self._objects(column, series.to_numpy(dtype=object), values)
        raise DateError(np.arange(n, dtype=np.int64)[:5], f"have type {dtype}, not dates")

    def _categorical(self, series: pd.Series, column: str, values: Any) -> ParsedDates:
        """The categories the rows use, parsed once, then spread over the rows by their codes.

        Only the used categories are read: an unused one neither settles the
        day/month order nor breaks a rule. A category that reads as no date
        (a blank) makes its rows missing, as the same text would.
        """
        every = np.asarray(series.cat.categories, dtype=object)
        all_codes = np.asarray(series.cat.codes.to_numpy(), dtype=np.int64)
        used = np.unique(all_codes[all_codes >= 0])
        codes = np.where(all_codes >= 0, np.searchsorted(used, all_codes), -1)
        categories = pd.Series(every[used], dtype=object)
        try:
            inner = self._read(categories, column, lambda rows: categories.iloc[rows].tolist())
        except DateError as exc:
            rows = np.flatnonzero(np.isin(codes, exc.rows))
            raise DateError(rows, exc.message, exc.hint) from None
        safe = np.maximum(codes, 0)
        missing = codes < 0
        if used.size and inner.missing.any():
            missing = missing | inner.missing[safe]
        if used.size == 0:  # every row empty: no category to read
            days = np.full(codes.size, MISSING, dtype=np.int64)
        else:
            days = np.where(missing, MISSING, inner.days[safe])
        out = ParsedDates(column, np.asarray(days, dtype=np.int64), missing, values)
        if inner.proof is not None:
            out.proof = inner.proof
            out.proof_row = int(np.argmax(codes == inner.proof_row))
        if inner.pending.size:
            slot = np.full(len(categories), -1, dtype=np.int64)
            slot[inner.pending] = np.arange(inner.pending.size)
            where = np.flatnonzero(~missing & (slot[safe] >= 0))
            k = slot[safe[where]]
            out.pending = where
            out.pending_a, out.pending_b = inner.pending_a[k], inner.pending_b[k]
            out.pending_y = inner.pending_y[k]
        out.offsets = {off: int(np.argmax(codes == row)) for off, row in inner.offsets.items()}
        return out

    def _read_arrow(self, arr: Any, column: str, values: Any) -> ParsedDates:
        pa = pyarrow_module()
        import pyarrow.compute as pc

        t = arr.type
        valid = arrow_valid(arr)
        missing = ~valid
        if pa.types.is_dictionary(t):
            return self._read_arrow(arr.dictionary_decode(), column, values)
        if pa.types.is_date32(t):
            days = arrow_numbers(arr.cast(pa.int32()), np.int64)
            return self._native(column, days, missing, values)
        if pa.types.is_date64(t):
            ms = arrow_numbers(arr.cast(pa.int64()), np.int64)
            return self._native(column, ms // 86_400_000, missing, values)
        if pa.types.is_timestamp(t):
            if t.tz is not None:
                arr = pc.local_timestamp(arr)
            per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000}.get(
                t.unit, 86_400_000_000_000
            )
            ticks = arrow_numbers(arr.cast(pa.int64()), np.int64)
            return self._native(column, ticks // per_day, missing, values)
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return self._text_arrow(arr, column, values)
        if pa.types.is_null(t):
            return ParsedDates(column, np.full(len(arr), MISSING, np.int64), missing, values)
        if pa.types.is_boolean(t):
            raise DateError(np.flatnonzero(valid), "are true/false, not dates")
        if pa.types.is_integer(t):
            return self._numbers(column, arrow_numbers(arr, np.int64), missing, values)
        if pa.types.is_floating(t) or pa.types.is_decimal(t):
            numbers = arrow_numbers(arr.cast(pa.float64()), np.float64)
            return self._numbers(column, numbers, missing, values)
        if pa.types.is_string_view(t) if hasattr(pa.types, "is_string_view") else False:
            return self._text_arrow(arr.cast(pa.large_string()), column, values)
        raise DateError(np.flatnonzero(valid)[:5], f"have type {t}, not dates")

    # -------------------------------------------------------------- native dates and numbers
    def _native(self, column: str, days: IntArray, missing: BoolArray, values: Any) -> ParsedDates:
        days = np.asarray(days, dtype=np.int64)
        if missing.any():
            days = np.where(missing, MISSING, days)
            present = days[~missing]
        else:
            present = days
        if present.size and (present.min() < FIRST_DAY or present.max() > LAST_DAY):
            outside = ((days < FIRST_DAY) | (days > LAST_DAY)) & ~missing
            raise DateError(np.flatnonzero(outside), f"are outside the supported range ({_RANGE})")
        return ParsedDates(column, days, missing, values)

    def _numbers(
        self, column: str, numbers: npt.NDArray[Any], missing: BoolArray, values: Any
    ) -> ParsedDates:
        present = np.flatnonzero(~missing)
        if present.size and not self.format.reads_numbers:
            raise DateError(present, "are numbers, not dates", _NUMBER_HINT)
        days = np.full(numbers.shape[0], MISSING, dtype=np.int64)
        if present.size:
            got, bad = (excel_days if self.format.excel else yyyymmdd_days)(numbers[present])
            if bad.any():
                what = "Excel serial days" if self.format.excel else "YYYYMMDD dates"
                raise DateError(present[bad], f"are not {what} ({_RANGE})")
            days[present] = got
        return ParsedDates(column, days, missing, values)

    # -------------------------------------------------------------- objects and text
    def _objects(self, column: str, objects: npt.NDArray[Any], values: Any) -> ParsedDates:
        n = objects.shape[0]
        kinds = np.fromiter((_kind(v) for v in objects), dtype=np.int8, count=n)
        days = np.full(n, MISSING, dtype=np.int64)
        missing = kinds == _K_MISSING
        bad = np.flatnonzero(kinds == _K_OTHER)
        if bad.size:
            raise DateError(bad, "are not dates")
        native = np.flatnonzero(kinds == _K_DATE)
        parsed = ParsedDates(column, days, missing, values)
        if native.size:
            for row in native.tolist():
                offset = _utc_offset(objects[row])
                if offset is not None:
                    parsed.offsets.setdefault(offset, row)
            days[native] = [_day_of(v) for v in objects[native]]
            outside = native[(days[native] < FIRST_DAY) | (days[native] > LAST_DAY)]
            if outside.size:
                raise DateError(outside, f"are outside the supported range ({_RANGE})")
        numbers = np.flatnonzero(kinds == _K_NUMBER)
        if numbers.size:
            if not self.format.reads_numbers:
                raise DateError(numbers, "are numbers, not dates", _NUMBER_HINT)
            as_float = np.asarray([float(v) for v in objects[numbers]], dtype=np.float64)
            got, wrong = (excel_days if self.format.excel else yyyymmdd_days)(as_float)
            if wrong.any():
                raise DateError(numbers[wrong], f"are not dates ({_RANGE})")
            days[numbers] = got
        text = np.flatnonzero(kinds == _K_TEXT)
        if text.size:
            sub = objects[text]
            self._text(parsed, text, unicode_chars(sub), array_texts(sub))
        _check_offsets(parsed)
        return parsed

    def _text_arrow(self, arr: Any, column: str, values: Any) -> ParsedDates:
        n = len(arr)
        parsed = ParsedDates(column, np.full(n, MISSING, dtype=np.int64), ~arrow_valid(arr), values)
        for start, stop in chunks(n):
            rows = np.arange(start, stop, dtype=np.int64)
            chars = arrow_chars(arr, start, stop)
            self._text(parsed, rows, chars, arrow_texts(arr.slice(start, stop - start)))
        _check_offsets(parsed)
        return parsed

    def _text(
        self,
        parsed: ParsedDates,
        rows: IntArray,
        chars: Chars,
        texts: Callable[[IntArray], list[Any]],
        *,
        again: bool = True,
    ) -> None:
        """Parse text rows (``rows`` of the column; ``chars`` holds them in order)."""
        local = np.arange(chars.size, dtype=np.int64)
        empty = (chars.lengths == 0) & ~chars.long
        parsed.missing[rows[empty]] = True
        todo = local[~empty & ~chars.long]
        special = local[chars.long]
        if not again and special.size:
            raise DateError(rows[special], "are not dates (too long)")
        # rows too long for the matrix, or not ASCII: stripped, then through the matrix again
        if chars.codes.dtype == np.uint8 and chars.codes.size and todo.size:
            wide = np.flatnonzero((chars.codes[todo] >= 128).any(axis=1))
            special = np.concatenate([special, todo[wide]])
            todo = np.delete(todo, wide)
        if special.size:
            raw = texts(special)
            stripped = np.asarray([str(t).strip() for t in raw], dtype=object)
            self._text(
                parsed,
                rows[special],
                unicode_chars(stripped),
                lambda r: raw_take(raw, r),
                again=False,
            )
        for shape, members in shape_groups(chars, todo):
            self._shape(parsed, rows, chars, shape, members, texts)

    def _shape(
        self,
        parsed: ParsedDates,
        rows: IntArray,
        chars: Chars,
        shape: str,
        members: IntArray,
        texts: Callable[[IntArray], list[Any]],
    ) -> None:
        if BLANK.fullmatch(shape):
            parsed.missing[rows[members]] = True
            return
        match = None
        for layout in self.format.layouts:
            match = layout.fullmatch(shape)
            if match is not None:
                break
        if match is None:
            if self.format.strptime:
                self._strptime(parsed, rows, members, texts)
                return
            if NUMBER.fullmatch(shape):
                if self.format.excel:
                    numbers = np.asarray(
                        [float(str(t).strip().replace(",", ".")) for t in texts(members)]
                    )
                    got, bad = excel_days(numbers)
                    if bad.any():
                        raise DateError(rows[members[bad]], f"are not Excel serial days ({_RANGE})")
                    parsed.days[rows[members]] = got
                    return
                raise DateError(rows[members], "are numbers, not dates", _NUMBER_HINT)
            if BIG_YEAR.fullmatch(shape):
                raise DateError(rows[members], f"are outside the supported range ({_RANGE})")
            if SHORT_YEAR.fullmatch(shape):
                raise DateError(
                    rows[members], "have a two-digit year", "pass date_format= (e.g. '%d/%m/%y')"
                )
            hint = _FORMAT_HINT if self.format.text is None else None
            what = "are not dates" + (
                f" in the format {self.format.text!r}" if self.format.text is not None else ""
            )
            raise DateError(rows[members], what, hint)
        spans = match.groupdict()
        fields = {name: match.span(name) for name, value in spans.items() if value is not None}

        def number(name: str) -> IntArray:
            a, b = fields[name]
            return read_number(chars, members, a, b)

        year = number("y") if "y" in fields else two_digit_year(number("yy"))
        bad = np.zeros(members.size, dtype=bool)
        if "H" in fields:
            hour, minute = number("H"), number("Mi")
            second = number("S") if "S" in fields else np.zeros_like(hour)
            if "p" in fields:
                bad |= (hour < 1) | (hour > 12)
            else:
                bad |= hour > 23
            bad |= (minute > 59) | (second > 60)
        if "tz" in fields:
            a, b = fields["tz"]
            tz = shape[a:b]
            if tz == "Z":
                key = np.zeros(members.size, dtype=np.int64)
            else:
                sign = -1 if tz[0] == "-" else 1
                hh = read_number(chars, members, a + 1, a + 3)
                mm = (
                    read_number(chars, members, b - 2, b)
                    if b - a > 3
                    else np.zeros(members.size, np.int64)
                )
                key = sign * (hh * 60 + mm)
                bad |= (hh > 23) | (mm > 59)
            for value in np.unique(key).tolist():
                parsed.offsets.setdefault(int(value), int(rows[members[np.argmax(key == value)]]))
        if "a" in fields:
            first, second_field = number("a"), number("b")
            self._day_month(parsed, rows, members, first, second_field, year, bad, texts)
            return
        if "mon" in fields:
            a, b = fields["mon"]
            name = chars.text(int(members[0]))[a:b].lower().rstrip(".")
            month_number = MONTHS.get(name)
            if month_number is None:
                raise DateError(rows[members], "are not dates (unknown month name)", _FORMAT_HINT)
            month = np.full(members.size, month_number, dtype=np.int64)
        else:
            month = number("m")
        day = number("d")
        self._store(parsed, rows[members], year, month, day, bad)

    def _day_month(
        self,
        parsed: ParsedDates,
        rows: IntArray,
        members: IntArray,
        first: IntArray,
        second: IntArray,
        year: IntArray,
        bad: BoolArray,
        texts: Callable[[IntArray], list[Any]],
    ) -> None:
        """``a/b/yyyy``: read where only one order makes a date; the rest waits."""
        bad = bad | ((first > 12) & (second > 12)) | (first < 1) | (second < 1)
        if bad.any():
            raise DateError(rows[members[bad]], "are not dates")
        day_first = (first > 12) & (second <= 12)
        month_first = (second > 12) & (first <= 12)
        for proof, where in (("day-first", day_first), ("month-first", month_first)):
            if where.any():
                row = int(rows[members[np.argmax(where)]])
                if parsed.proof is not None and parsed.proof != proof:
                    _contradiction(parsed, parsed.proof_row, row)
                parsed.proof, parsed.proof_row = proof, row
        same = first == second
        sel = day_first | same
        if sel.any():
            self._store(parsed, rows[members[sel]], year[sel], second[sel], first[sel], bad[sel])
        if month_first.any():
            sel = month_first
            self._store(parsed, rows[members[sel]], year[sel], first[sel], second[sel], bad[sel])
        wait = ~(day_first | month_first | same)
        if wait.any():
            parsed.pending = np.concatenate([parsed.pending, rows[members[wait]]])
            parsed.pending_a = np.concatenate([parsed.pending_a, first[wait]])
            parsed.pending_b = np.concatenate([parsed.pending_b, second[wait]])
            parsed.pending_y = np.concatenate([parsed.pending_y, year[wait]])

    def _store(
        self,
        parsed: ParsedDates,
        where: IntArray,
        year: IntArray,
        month: IntArray,
        day: IntArray,
        bad: BoolArray,
    ) -> None:
        days, wrong = days_from_ymd(year, month, day)
        wrong |= bad
        if wrong.any():
            out_of_range = wrong & ((year < 1) | (year > 9999))
            if out_of_range.any():
                raise DateError(where[out_of_range], f"are outside the supported range ({_RANGE})")
            raise DateError(where[wrong], "are not dates (no such day or time)")
        parsed.days[where] = days

    def _strptime(
        self,
        parsed: ParsedDates,
        rows: IntArray,
        members: IntArray,
        texts: Callable[[IntArray], list[Any]],
    ) -> None:
        fmt = self.format.text
        assert fmt is not None
        raw = texts(members)
        uniques, inverse = np.unique(np.asarray([str(t).strip() for t in raw]), return_inverse=True)
        got = np.zeros(uniques.size, dtype=np.int64)
        bad = np.zeros(uniques.size, dtype=bool)
        for k, text in enumerate(uniques.tolist()):
            try:
                got[k] = datetime.strptime(text, fmt).toordinal() - _EPOCH_ORDINAL
            except ValueError:
                bad[k] = True
        if bad[inverse].any():
            raise DateError(rows[members[bad[inverse]]], f"are not dates in the format {fmt!r}")
        parsed.days[rows[members]] = got[inverse]

    # -------------------------------------------------------------- the order of the call
    def finish(self) -> None:
        """Settle the day/month order over every column read, and fill the waiting rows."""
        proofs = [p for p in self.parsed if p.proof is not None]
        orders = {p.proof for p in proofs}
        if len(orders) > 1:
            day_first = next(p for p in proofs if p.proof == "day-first")
            month_first = next(p for p in proofs if p.proof == "month-first")
            raise AmbiguousDateError(
                f"dates are day-first in column '{day_first.column}' and month-first in "
                f"column '{month_first.column}'",
                column=month_first.column,
                values=[
                    *day_first.values(np.asarray([day_first.proof_row])),
                    *month_first.values(np.asarray([month_first.proof_row])),
                ],
                hint="pass date_format= for the layout of your dates",
            )
        order = orders.pop() if orders else None
        for parsed in self.parsed:
            if parsed.pending.size == 0:
                continue
            if order is None:
                first = parsed.pending[:5]
                raise AmbiguousDateError(
                    f"{parsed.pending.size} date(s) read as day-first or month-first and no "
                    "value settles which",
                    column=parsed.column,
                    ids=[] if parsed.ids is None else list(parsed.ids[first]),
                    count=int(parsed.pending.size),
                    values=parsed.values(first),
                    hint="pass date_format='%d/%m/%Y' (day first) or date_format='%m/%d/%Y' (month first)",
                )
            if order == "day-first":
                month, day = parsed.pending_b, parsed.pending_a
            else:
                month, day = parsed.pending_a, parsed.pending_b
            days, wrong = days_from_ymd(parsed.pending_y, month, day)
            if wrong.any():  # pragma: no cover - both fields are <= 12 and valid either way
                raise InvalidDateError("is not a date", column=parsed.column)
            parsed.days[parsed.pending] = days
            parsed.pending = np.zeros(0, np.int64)


def raw_take(raw: list[Any], rows: IntArray) -> list[Any]:
    return [raw[int(k)] for k in rows]


def _check_offsets(parsed: ParsedDates) -> None:
    if len(parsed.offsets) > 1:
        rows = np.asarray(sorted(parsed.offsets.values()), dtype=np.int64)
        raise DateError(rows, f"mix time zones ({_offsets_text(set(parsed.offsets))})")


def _contradiction(parsed: ParsedDates, row: int, other: int) -> None:
    raise AmbiguousDateError(
        "dates are written both day-first and month-first",
        column=parsed.column,
        values=parsed.values(np.asarray([row, other], dtype=np.int64)),
        hint="pass date_format= for the layout of your dates",
    )


_K_MISSING, _K_TEXT, _K_DATE, _K_NUMBER, _K_OTHER = 0, 1, 2, 3, 4


def _kind(value: object) -> int:
    if value is None or value is pd.NA or value is pd.NaT:
        return _K_MISSING
    if isinstance(value, str):
        return _K_TEXT
    if isinstance(value, (date, np.datetime64)):
        if isinstance(value, np.datetime64) and np.isnat(value):
            return _K_MISSING
        return _K_DATE
    if isinstance(value, (bool, np.bool_)):
        return _K_OTHER
    if isinstance(value, (float, np.floating)) and value != value:
        return _K_MISSING
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _K_NUMBER
    return _K_OTHER


def _day_of(value: Any) -> int:
    if isinstance(value, datetime):
        value = value.date()  # the wall-clock date, whatever its time zone
    if isinstance(value, date):
        return value.toordinal() - _EPOCH_ORDINAL
    return int(np.datetime64(value, "D").astype(np.int64))


def _utc_offset(value: Any) -> int | str | None:
    """The time zone of an aware datetime: its named zone, else its UTC offset in minutes.

    A named zone (``Europe/Paris``) is one zone whatever its offset on the day
    (+01:00 in winter, +02:00 in summer); only a fixed offset is its offset.
    """
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    tz = value.tzinfo
    name = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if name is None and not isinstance(tz, timezone) and type(tz).__module__ != "datetime":
        name = str(tz) or None  # dateutil and other named zones
    if isinstance(name, str):
        return name
    offset = value.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def _offsets_text(offsets: set[int | str]) -> str:
    def show(zone: int | str) -> str:
        if isinstance(zone, str):
            return zone
        sign = "-" if zone < 0 else "+"
        hours, mins = divmod(abs(zone), 60)
        return f"{sign}{hours:02d}:{mins:02d}"

    def order(zone: int | str) -> tuple[int, int, str]:
        return (1, 0, zone) if isinstance(zone, str) else (0, zone, "")

    return ", ".join(show(m) for m in sorted(offsets, key=order))


def date_values(days: Sequence[int] | IntArray) -> list[str]:
    """Day numbers as ISO text (for messages)."""
    return [str(np.datetime64(int(d), "D")) for d in days]
