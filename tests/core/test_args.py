"""Dates and periods as pandas and numpy users hold them: every accepted form, every refused one.

Each accepted form gives the same answer as the ISO text through a public KPI
(``ck.receivables`` for dates, ``ck.dso`` for periods); each refused form is a
creditkpi error naming the argument.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core.args import as_dates, as_periods, observed_days
from creditkpi.core.errors import InvalidDateError, InvalidOptionError

LEDGER = ck.Ledger.from_records(
    [
        ck.Invoice("F1", "C1", "2013-05-02", "2013-06-01", "1000.00"),
        ck.Invoice("F2", "C2", "2013-06-10", "2013-07-10", "500.00"),
        ck.Invoice("F3", "C1", "2013-07-05", "2013-08-04", "300.00"),
    ],
    [ck.Payment("F1", "2013-06-20", "400.00"), ck.Payment("F2", "2013-07-15", "500.00")],
)
DAY = dt.date(2013, 6, 30)

# ----------------------------------------------------------------------------------
# one date
# ----------------------------------------------------------------------------------

ONE_DATE: dict[str, Any] = {
    "date": DAY,
    "datetime at midnight": dt.datetime(2013, 6, 30),
    "Timestamp": pd.Timestamp("2013-06-30"),
    "Timestamp from to_datetime": pd.to_datetime("30/06/2013", dayfirst=True),
    "datetime64[D]": np.datetime64("2013-06-30"),
    "datetime64[ns] at midnight": np.datetime64("2013-06-30T00:00:00.000000000"),
    "datetime64[s] at midnight": np.datetime64("2013-06-30T00:00:00", "s"),
    "daily Period": pd.Period("2013-06-30", "D"),
    "ISO text": "2013-06-30",
    "ISO text with spaces": " 2013-06-30 ",
    "ISO text with T00:00": "2013-06-30T00:00",
    "ISO text with 00:00:00": "2013-06-30 00:00:00",
    "ISO text with milliseconds": "2013-06-30T00:00:00.000",
    "element of a DatetimeIndex": pd.date_range("2013-06-30", periods=1)[0],
}


@pytest.mark.parametrize("value", ONE_DATE.values(), ids=ONE_DATE.keys())
def test_an_accepted_date_is_one_day(value: Any) -> None:
    assert as_dates(value) == ([DAY], True)
    assert ck.receivables(LEDGER, value) == ck.receivables(LEDGER, "2013-06-30") == 1100.0


REFUSED_DATES: dict[str, tuple[Any, str]] = {
    "ISO text with a time": ("2013-06-30T15:00", "has a time of day"),
    "ISO text with a time zone": ("2013-06-30T00:00+02:00", "has a time zone"),
    "Timestamp with a time": (pd.Timestamp("2013-06-30 08:00"), "has a time of day"),
    "Timestamp with nanoseconds": (
        pd.Timestamp("2013-06-30") + pd.Timedelta(1, "ns"),
        "has a time of day",
    ),
    "Timestamp with a time zone": (pd.Timestamp("2013-06-30", tz="Europe/Paris"), "time zone"),
    "datetime with a time": (dt.datetime(2013, 6, 30, 12), "has a time of day"),
    "datetime64 with a time": (np.datetime64("2013-06-30T12:00"), "has a time of day"),
    "NaT": (pd.NaT, "missing date"),
    "datetime64 NaT": (np.datetime64("NaT"), "missing date"),
    "nan": (float("nan"), "missing date"),
    "monthly Period": (pd.Period("2013-06", "M"), "is a period"),
    "day-first text": ("30/06/2013", "is not a date"),
    "no such day": ("2013-02-30", "is not a date"),
    "empty text": ("", "is not a date"),
    "a number": (20130630, "is not a date"),
    "a float": (41455.0, "is not a date"),
    "a bool": (True, "is not a date"),
    "bytes": (b"2013-06-30", "is not a date"),
    "a set": ({DAY}, "is not a date"),
    "a dict": ({DAY: 1}, "is not a date"),
    "an object": (object(), "is not a date"),
    "a list holding a time": (["2013-06-30", "2013-07-31T10:00"], "has a time of day"),
}


@pytest.mark.parametrize(("value", "message"), REFUSED_DATES.values(), ids=REFUSED_DATES.keys())
def test_a_refused_date_names_the_argument(value: Any, message: str) -> None:
    with pytest.raises(ck.CreditKPIError, match=message) as info:
        ck.receivables(LEDGER, value)
    assert info.value.column == "as_of" and "as_of" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_none_is_refused_the_cut_off_is_never_today() -> None:
    with pytest.raises(InvalidOptionError, match="never defaults the cut-off"):
        ck.receivables(LEDGER, None)


def test_other_date_arguments_are_named() -> None:
    with pytest.raises(InvalidDateError, match="observed 'soon'") as info:
        ck.recovery_rate(LEDGER, "2013-07", observed="soon")
    assert info.value.column == "observed"
    with pytest.raises(InvalidDateError, match="origins") as info:
        ck.backtest_forecast(LEDGER, origins=[pd.Timestamp("2013-06-30 10:00")])
    assert info.value.column == "origins"
    with pytest.raises(InvalidDateError, match="start '2013-06-01 10:00:00' has a time") as info:
        ck.Period(pd.Timestamp("2013-06-01 10:00"), "2013-06-30")
    assert info.value.column == "start"


# ----------------------------------------------------------------------------------
# lists of dates
# ----------------------------------------------------------------------------------

MONTH_ENDS = [dt.date(2013, 6, 30), dt.date(2013, 7, 31)]
MANY_DATES: dict[str, Any] = {
    "list of text": ["2013-06-30", "2013-07-31"],
    "tuple of dates": tuple(MONTH_ENDS),
    "date_range": pd.date_range("2013-06-30", periods=2, freq="ME"),
    "DatetimeIndex": pd.DatetimeIndex(["2013-06-30", "2013-07-31"]),
    "Series of Timestamps": pd.Series(pd.to_datetime(["2013-06-30", "2013-07-31"])),
    "numpy array of datetime64": np.asarray(["2013-06-30", "2013-07-31"], dtype="datetime64[D]"),
    "numpy array of datetime64[ns]": pd.date_range("2013-06-30", periods=2, freq="ME").to_numpy(),
    "daily PeriodIndex": pd.PeriodIndex(["2013-06-30", "2013-07-31"], freq="D"),
    "list of mixed forms": [pd.Timestamp("2013-06-30"), "2013-07-31T00:00"],
}


@pytest.mark.parametrize("value", MANY_DATES.values(), ids=MANY_DATES.keys())
def test_a_list_of_dates_gives_a_series_by_date(value: Any) -> None:
    assert as_dates(value) == (MONTH_ENDS, False)
    result = ck.receivables(LEDGER, value)
    assert list(result.index) == list(pd.to_datetime(MONTH_ENDS))
    assert result.tolist() == [1100.0, 900.0]


def test_an_empty_or_repeated_list_of_dates_is_refused() -> None:
    with pytest.raises(InvalidOptionError, match="empty"):
        ck.receivables(LEDGER, [])
    with pytest.raises(InvalidOptionError, match="more than once"):
        ck.receivables(LEDGER, [pd.Timestamp("2013-06-30"), "2013-06-30"])


# ----------------------------------------------------------------------------------
# periods
# ----------------------------------------------------------------------------------

JUNE = ck.Period.month(2013, 6)
ONE_PERIOD: dict[str, Any] = {
    "Period": JUNE,
    "text": "2013-06",
    "range text": "2013-06-01..2013-06-30",
    "monthly pd.Period": pd.Period("2013-06", "M"),
    "pd.Period from a Timestamp": pd.Timestamp("2013-06-14").to_period("M"),
    "element of a period_range": pd.period_range("2013-06", "2013-07", freq="M")[0],
    "closed Interval of Timestamps": pd.Interval(
        pd.Timestamp("2013-06-01"), pd.Timestamp("2013-06-30"), closed="both"
    ),
}


@pytest.mark.parametrize("value", ONE_PERIOD.values(), ids=ONE_PERIOD.keys())
def test_an_accepted_period_is_one_period(value: Any) -> None:
    assert as_periods(value) == ([JUNE], True)
    assert ck.dso(LEDGER, value) == ck.dso(LEDGER, "2013-06")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (pd.Period("2013Q2", "Q"), ck.Period.quarter(2013, 2)),
        (pd.Period("2013", "Y"), ck.Period.year(2013)),
        (pd.Period("2013-06-30", "D"), ck.Period("2013-06-30", "2013-06-30")),
        (pd.Period("2013-06-26", "W-SUN"), ck.Period("2013-06-24", "2013-06-30")),
        (pd.Period("2013-06", "M"), JUNE),
    ],
    ids=["quarter", "year", "day", "week", "month"],
)
def test_a_pandas_period_of_any_frequency_is_its_days(value: Any, expected: ck.Period) -> None:
    assert ck.Period.parse(value) == expected


MANY_PERIODS: dict[str, Any] = {
    "list of text": ["2013-06", "2013-07"],
    "period_range": pd.period_range("2013-06", "2013-07", freq="M"),
    "list from period_range": list(pd.period_range("2013-06", "2013-07", freq="M")),
    "PeriodIndex": pd.PeriodIndex(["2013-06", "2013-07"], freq="M"),
    "Series of periods": pd.Series(pd.period_range("2013-06", periods=2, freq="M")),
    "tuple of Periods": (JUNE, ck.Period.month(2013, 7)),
    "index of a result": ck.dso(LEDGER, ["2013-06", "2013-07"]).index,
}


@pytest.mark.parametrize("value", MANY_PERIODS.values(), ids=MANY_PERIODS.keys())
def test_a_list_of_periods_gives_a_series_by_period(value: Any) -> None:
    assert as_periods(value) == ([JUNE, ck.Period.month(2013, 7)], False)
    result = ck.dso(LEDGER, value)
    expected = ck.dso(LEDGER, ["2013-06", "2013-07"])
    pd.testing.assert_series_equal(result, expected)
    assert isinstance(result.index, pd.PeriodIndex)


def test_the_index_of_a_result_over_other_periods_reads_back() -> None:
    periods = ["2013-06-01..2013-06-15", "2013-06-16..2013-06-30"]
    first = ck.sales(LEDGER, periods)
    assert isinstance(first.index, pd.IntervalIndex)
    pd.testing.assert_series_equal(ck.sales(LEDGER, first.index), first)


REFUSED_PERIODS: dict[str, tuple[Any, str]] = {
    "a date": (DAY, "is not a period"),
    "a Timestamp": (pd.Timestamp("2013-06-30"), "is not a period"),
    "a datetime64": (np.datetime64("2013-06"), "is not a period"),
    "a number": (201306, "is not a period"),
    "None": (None, "is not a period"),
    "bad text": ("June 2013", "is not a period"),
    "month 13": ("2013-13", "month must be 1 to 12"),
    "an Interval closed on the right": (
        pd.Interval(pd.Timestamp("2013-06-01"), pd.Timestamp("2013-06-30")),
        "closed 'right'",
    ),
    "an Interval with a time": (
        pd.Interval(pd.Timestamp("2013-06-01"), pd.Timestamp("2013-06-30 12:00"), closed="both"),
        "has a time of day",
    ),
    "a set": ({JUNE}, "is not a period"),
    "a list holding a date": (["2013-06", DAY], "is not a period"),
}


@pytest.mark.parametrize(("value", "message"), REFUSED_PERIODS.values(), ids=REFUSED_PERIODS.keys())
def test_a_refused_period_names_the_argument(value: Any, message: str) -> None:
    with pytest.raises(ck.CreditKPIError, match=message) as info:
        ck.dso(LEDGER, value)
    assert info.value.column == "period" and "period" in str(info.value)


def test_observed_dates_take_the_same_forms() -> None:
    periods = [JUNE, ck.Period.month(2013, 7)]
    days = observed_days(periods, pd.DatetimeIndex(["2013-06-15", "2013-07-15"]))
    assert days == observed_days(periods, ["2013-06-15", "2013-07-15"])
    assert observed_days([JUNE], pd.Timestamp("2013-06-15")) == observed_days([JUNE], "2013-06-15")
