"""Charts of plain tables: aged balance, DSO / CEI trend, cohorts, time to pay, forecast.

A leaf: this package imports nothing else of creditkpi (its modules:
:mod:`~creditkpi.plotting.base`, what the charts share;
:mod:`~creditkpi.plotting.book`, the book's position;
:mod:`~creditkpi.plotting.curves`, the payments to come). The results' ``plot``
methods (:meth:`creditkpi.TimeToPay.plot`, :meth:`creditkpi.CollectionForecast.plot`,
:meth:`creditkpi.ForecastBacktest.plot`) and the dashboard's charts
(:mod:`creditkpi.dashboard.charts`) call down into it.

matplotlib is an optional dependency (``pip install matplotlib (the charts extra)``); it
is imported only when a chart is drawn, and a missing install raises
:class:`ChartsUnavailableError` (an :class:`ImportError`) saying what to
install. The charts are drawn on :class:`matplotlib.figure.Figure` objects
directly (no ``pyplot``, no global state, no display needed): they work the
same in a notebook, a server or a CI job.

Every function takes plain tables, so the charts can also be drawn from
tables you built yourself:

* :func:`aging_chart` -- an aged-balance table (``amount``, ``share``
  [``previous_amount``]) as grouped bars with the share of each bucket;
* :func:`receivables_chart` -- receivables at each month's end, overdue
  and not yet due stacked, with the overdue rate;
* :func:`trend_chart` -- a period-indexed table (``dso``, ``countback_dso``
  [``best_possible_dso``], ``cei``) as two panels: days and CEI in percent;
* :func:`cohort_chart` -- a cohort × age table of fractions as a heat map;
* :func:`survival_chart` -- time-to-pay curves (share not yet settled by
  day, with their confidence band), one per group;
* :func:`forecast_chart`, :func:`backtest_chart` -- the collection forecast
  per window, and forecast against actual cash per origin.

Values stay what the library returns (fractions, days, ``Decimal``); the
percent axes and labels are presentation only.
"""

from creditkpi.plotting.base import ChartsUnavailableError, figure_class
from creditkpi.plotting.book import aging_chart, cohort_chart, receivables_chart, trend_chart
from creditkpi.plotting.curves import backtest_chart, forecast_chart, survival_chart

__all__ = [
    "ChartsUnavailableError",
    "aging_chart",
    "backtest_chart",
    "cohort_chart",
    "figure_class",
    "forecast_chart",
    "receivables_chart",
    "survival_chart",
    "trend_chart",
]
