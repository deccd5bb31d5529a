"""Exchange differences of a book in several currencies (IAS 21): exposure, unrealised, realised.

Depends only on :mod:`creditkpi.core`. See the *Several currencies* page of
the documentation. On a ledger translated at closing rates
(:meth:`creditkpi.Ledger.translate`), every open invoice has a historical
carrying amount (its balance at its issue date's rate) and a closing one
(at the rate of the as-of date):

* :func:`fx_exposure` -- per transaction currency, what is open in that
  currency, at historical rates, at the closing rate, and the difference;
* :func:`fx_unrealised` -- the unrealised difference on what is open at T:
  ``R(T)`` at the closing rate minus ``R(T)`` at historical rates;
* :func:`fx_realised` -- the realised difference of a period: each
  settlement at its own date's rate minus the historical amount it settles.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.args import as_dates, check_money
from creditkpi.core.fx.rates import Rates
from creditkpi.core.fx.translate import reporting_ledger
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, TableKPI, finish, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import LedgerParts, Settings
from creditkpi.core.period import PeriodLike
from creditkpi.core.shapes import Money, MoneyResult, name_groups, stack_dates

__all__ = [
    "FX_EXPOSURE",
    "FX_REALISED",
    "FX_UNREALISED",
    "KPIS",
    "TABLES",
    "exposure_table",
    "formula_fx_unrealised",
    "fx_exposure",
    "fx_realised",
    "fx_unrealised",
]


def fx_exposure(
    ledger: Ledger,
    as_of: Any,
    *,
    to: str | None = None,
    rates: Rates | None = None,
    by: By = None,
    money: Money = "float",
) -> pd.DataFrame:
    """The exchange exposure at the end of ``as_of``: what is open, per transaction currency.

    Parameters
    ----------
    ledger : Ledger
        A ledger translated at closing rates (:meth:`creditkpi.Ledger.translate`),
        or any ledger with ``to`` and ``rates``.
    as_of : date, str or list of them
        End-of-day cut-off. A list gives one table per date, stacked under
        an outer index level ``as_of``.
    to, rates : str and Rates, optional
        The reporting currency and the rates, to translate ``ledger`` first
        (give both or neither; translate once and pass the translated ledger
        when you ask several questions).
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute (or a list of them): the
        first index levels.
    money : {"float", "decimal"}, default "float"
        Money as floats, or as exact ``Decimal`` (single amounts too).

    Returns
    -------
    DataFrame
        Index ``currency`` (``(by, currency)`` with ``by``); columns ``open``
        (the open balances in that currency, with its minor unit),
        ``historical`` (each at its invoice's issue date rate), ``closing``
        (at the closing rate of ``as_of``), ``unrealised`` = closing -
        historical (both in the reporting currency) and ``invoices``. The
        ``closing`` column adds up to ``R(T)``, ``unrealised`` to
        :func:`fx_unrealised`.

    Raises
    ------
    CreditKPIError
        ``to`` without ``rates`` (or the reverse); a ledger of several
        currencies without them; what :meth:`creditkpi.Ledger.translate`
        raises.

    Notes
    -----
    Per open invoice i at T (IAS 21.23): closing ``round(B_i(T) × rate(T))``,
    historical ``round(B_i(T) × rate(I_i))``, rounded half up to the
    reporting currency's minor unit; the difference is unrealised. Unapplied
    cash is translated at the closing rate like any position, but it is no
    receivable and is not in this table.

    References
    ----------
    The *Several currencies* page of the documentation: the IAS 21 rules and
    a worked example.

    Examples
    --------
    >>> import pandas as pd, creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "US1", "2024-01-15", "2024-02-14", "1000.00", currency="USD"),
    ...      ck.Invoice("F2", "FR1", "2024-01-20", "2024-02-19", "500.00")])
    >>> rates = ck.Rates.from_frame(pd.DataFrame({"date": ["2024-01-15", "2024-01-31"],
    ...     "currency": "USD", "rate": ["1.0945", "1.0837"]}))
    >>> ck.fx_exposure(ledger, "2024-01-31", to="EUR", rates=rates)
                 open  historical  closing  unrealised  invoices
    currency
    EUR        500.00      500.00   500.00        0.00         1
    USD       1000.00      913.66   922.76        9.10         1
    """
    check_money(money)
    book = reporting_ledger(ledger, to, rates)
    dates, single = as_dates(as_of)
    groups = group_codes(book, by)
    source = LedgerParts(book, groups, dates=dates)
    tables = []
    for j in range(len(dates)):
        table = table_at(FX_EXPOSURE, source, j, money=money, by=by)
        tables.append(table)
    result: pd.DataFrame = stack_dates(tables, dates, single)
    return result


def exposure_table(
    parts: pd.DataFrame,
    *,
    groups: Sequence[object],
    settings: Settings,
    by: By = None,
) -> pd.DataFrame:
    """The exposure table from the ``fx_positions`` part (money in minor units).

    ``parts`` is indexed by ``(group, currency)``; without ``by`` it is
    summed over groups. ``open`` stays in each currency's own minor unit.
    """
    del settings
    columns = ["open", "historical", "closing", "invoices"]
    if by is None:
        sums = parts.groupby(level="currency", sort=True)[columns].sum()
        index: pd.Index = pd.Index(list(sums.index), name="currency", dtype=object)
    else:
        order = {g: k for k, g in enumerate(groups)}
        sums = parts[columns].copy()
        sums = sums.iloc[
            np.lexsort(
                (
                    np.asarray([str(c) for c in sums.index.get_level_values("currency")]),
                    np.asarray([order.get(g, len(order)) for g in sums.index.get_level_values(0)]),
                )
            )
        ]
        index = name_groups(
            pd.MultiIndex.from_arrays(
                [sums.index.get_level_values(0), sums.index.get_level_values("currency")],
                names=["group", "currency"],
            ),
            by,
        )
    frame = pd.DataFrame(
        {
            "open": sums["open"].to_numpy(dtype=np.int64),
            "historical": sums["historical"].to_numpy(dtype=np.int64),
            "closing": sums["closing"].to_numpy(dtype=np.int64),
            "unrealised": (sums["closing"] - sums["historical"]).to_numpy(dtype=np.int64),
            "invoices": sums["invoices"].to_numpy(dtype=np.int64),
        },
        index=index,
    )
    return frame


FX_EXPOSURE = TableKPI(
    name="fx_exposure",
    label="Exchange exposure by currency",
    label_fr="Exposition de change par devise",
    definition="What is open in each currency, at historical and at closing rates, and the gap.",
    function=fx_exposure,
    page="kpis/several-currencies.md",
    parts=("fx_positions",),
    build=exposure_table,
    money=("historical", "closing", "unrealised"),
    native_money=("open",),
    requires=("fx",),
    index="currency",
)


def fx_unrealised(
    ledger: Ledger,
    as_of: Any,
    *,
    to: str | None = None,
    rates: Rates | None = None,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    """The unrealised exchange difference on the receivables open at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        A ledger translated at closing rates, or any ledger with ``to`` and
        ``rates`` (see :func:`fx_exposure`).
    as_of : date, str or list of them
        A list gives a Series indexed by date.
    to, rates : str and Rates, optional
        Translate ``ledger`` first (both or neither).
    by : str or list of str, optional
        ``"customer_id"``, ``"currency"`` or an invoice attribute, or a list of them.
    money : {"float", "decimal"}, default "float"
        Money as floats, or as exact ``Decimal`` (single amounts too).

    Returns
    -------
    float, Decimal, Series or DataFrame
        ``R(T)`` at the closing rate minus ``R(T)`` at historical rates, in
        the reporting currency: positive when the open foreign receivables
        are worth more than when they were invoiced.

    Notes
    -----
    ``Σ_i round(B_i(T) × rate(T)) - round(B_i(T) × rate(I_i))`` over the
    invoices open at T, item by item: equal to the ``unrealised`` column of
    :func:`fx_exposure` summed, to the cent.

    Examples
    --------
    >>> import pandas as pd, creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "US1", "2024-01-15", "2024-02-14", "1000.00", currency="USD")])
    >>> rates = ck.Rates.from_frame(pd.DataFrame({"date": ["2024-01-15", "2024-01-31"],
    ...     "currency": "USD", "rate": ["1.0945", "1.0837"]}))
    >>> ck.fx_unrealised(ledger, "2024-01-31", to="EUR", rates=rates, money="decimal")
    Decimal('9.10')
    """
    book = reporting_ledger(ledger, to, rates)
    result: MoneyResult = finish(FX_UNREALISED, book, as_of, by=by, money=money)
    return result


def formula_fx_unrealised(closing: Any, historical: Any) -> Any:
    """The unrealised difference from its two totals: ``closing - historical``.

    Examples
    --------
    >>> formula_fx_unrealised(92276, 91366)
    910
    """
    return closing - historical


FX_UNREALISED = KPI(
    name="fx_unrealised",
    label="Unrealised exchange difference",
    label_fr="Écart de conversion latent",
    definition="Foreign receivables at the closing rate minus the same at their invoices' rates.",
    unit="money",
    better=None,
    basis="as_of",
    section="Currency",
    parts=("receivables", "fx_historical"),
    formula=formula_fx_unrealised,
    function=fx_unrealised,
    page="kpis/several-currencies.md",
    requires=("fx",),
)


def fx_realised(
    ledger: Ledger,
    period: PeriodLike | Sequence[PeriodLike],
    *,
    to: str | None = None,
    rates: Rates | None = None,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    """The realised exchange difference of a period: settlements at their rate against history.

    Parameters
    ----------
    ledger : Ledger
        A ledger translated at closing rates, or any ledger with ``to`` and
        ``rates`` (see :func:`fx_exposure`).
    period : Period, str or list of them
        A list gives a Series indexed by period.
    to, rates : str and Rates, optional
        Translate ``ledger`` first (both or neither).
    by : str or list of str, optional
        ``"customer_id"``, ``"currency"`` or an invoice attribute, or a list of them.
    money : {"float", "decimal"}, default "float"
        Money as floats, or as exact ``Decimal`` (single amounts too).

    Returns
    -------
    float, Decimal, Series or DataFrame
        Over the payments, credit notes and write-offs of invoices posted in
        the period: each at its own date's rate, minus the historical amount
        it settles; positive when a foreign receivable settled for more than
        it was booked at.

    Notes
    -----
    A settlement of ``s`` on invoice i: ``round(s × rate(date)) -
    [round(B_before × rate(I_i)) - round(B_after × rate(I_i))]``. The
    historical parts telescope: an invoice settled in full removes exactly
    its historical amount, leaving no rounding residue.

    Examples
    --------
    >>> import pandas as pd, creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "US1", "2024-01-15", "2024-02-14", "1000.00", currency="USD")],
    ...     [ck.Payment("F1", "2024-02-15", "400.00")])
    >>> rates = ck.Rates.from_frame(pd.DataFrame({"date": ["2024-01-15", "2024-02-15"],
    ...     "currency": "USD", "rate": ["1.0945", "1.0743"]}))
    >>> ck.fx_realised(ledger, "2024-02", to="EUR", rates=rates, money="decimal")
    Decimal('6.88')
    """
    book = reporting_ledger(ledger, to, rates)
    result: MoneyResult = finish(FX_REALISED, book, period, by=by, money=money)
    return result


FX_REALISED = KPI(
    name="fx_realised",
    label="Realised exchange difference",
    label_fr="Écart de change réalisé",
    definition="Settlements at their own date's rate minus the historical amounts they settle.",
    unit="money",
    better=None,
    basis="period",
    section="Currency",
    parts=("fx_realised",),
    formula=None,
    function=fx_realised,
    page="kpis/several-currencies.md",
    requires=("fx",),
)

#: the value KPIs of this module, in dashboard order (the registry collects them)
KPIS = (FX_UNREALISED, FX_REALISED)
#: the table KPIs of this module
TABLES = (FX_EXPOSURE,)
