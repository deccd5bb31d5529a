"""The KPI registry: one entry per KPI, read by the dashboard, the distributed
summaries, the command line and the documentation.

Every KPI has **one name** (the key of :data:`KPIS`), used for its dashboard
row, its column in :func:`creditkpi.distributed.kpis`, its JSON key and, where
the KPI is a function of its own, the function's name. Its entry says what it
is (labels in English and French, unit, which direction is better), which
additive parts of :mod:`creditkpi.core.parts` it needs, and the one function
that finishes it from those parts: a formula of :mod:`creditkpi.formulas`.
The ledger function, the formula on the parts, the dashboard row and the
distributed column therefore give the same answer, which a test checks over
random ledgers for every entry.

>>> from creditkpi.registry import KPIS
>>> kpi = KPIS["dso"]
>>> kpi.label, kpi.label_fr, kpi.unit, kpi.better
('DSO (standard)', 'DSO, méthode comptable', 'days', 'lower')
>>> kpi.arguments, kpi.formula.__name__
(('receivables_end', 'sales', 'days'), 'formula_dso')

Adding a KPI is: its metric function (in its family's module under
``creditkpi.metrics``), its entry here, its documentation page, its tests
(see the *Contributing* page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from creditkpi.core import expected_cash, exposure, survival
from creditkpi.core.ledger import Ledger
from creditkpi.metrics import (
    activation,
    activity,
    aging,
    bad_debt,
    cei,
    cohorts,
    cost_per_euro,
    dso,
    forecast,
    profiles,
    provision,
    time_to_pay,
)
from creditkpi.metrics import dispute_rate as disputes
from creditkpi.metrics import payment_delay as delays

__all__ = [
    "COMPANIONS",
    "KPI",
    "KPIS",
    "SECTIONS",
    "TABLES",
    "TABLE_PARTS",
    "Table",
    "TablePart",
    "Unit",
]

Unit = Literal["money", "ratio", "days", "count", "money_per_money"]
Parts = Mapping[str, Any]

#: dashboard sections, in order
SECTIONS = ("Position", "Activity", "Speed", "Collection", "Risk")


@dataclass(frozen=True)
class TablePart:
    """A part that is a table at each as-of date, not one number per group.

    Its rows add up over disjoint customers (same index, summed), like the
    other parts; its first index level is the group. KPIs whose formula
    needs a whole distribution (the time-to-pay curve, loss rates per aging
    bucket) read such a part.

    Attributes
    ----------
    name : str
    compute : callable
        ``compute(ledger, as_of, by) -> DataFrame`` indexed by ``(group, ...)``.
    description : str
    """

    name: str
    compute: Callable[[Ledger, date, str | None], pd.DataFrame]
    description: str


def _survival(ledger: Ledger, as_of: date, by: str | None) -> pd.DataFrame:
    return survival.survival_table(ledger, as_of, by, clock="due")


def _carrying(ledger: Ledger, as_of: date, by: str | None) -> pd.DataFrame:
    return exposure.carrying_amounts(ledger, as_of, by=by)


def _exposure(ledger: Ledger, as_of: date, by: str | None) -> pd.DataFrame:
    out = exposure.loss_exposure(ledger, as_of, by=by)
    # cohorts as text: the same labels once a summary has been written out and read back
    levels = [str(n) for n in out.index.names]
    arrays = [
        out.index.get_level_values(k).astype(str)
        if name == "cohort"
        else out.index.get_level_values(k)
        for k, name in enumerate(levels)
    ]
    out.index = pd.MultiIndex.from_arrays(arrays, names=levels)
    return out


def _expected_cash(ledger: Ledger, as_of: date, by: str | None) -> pd.DataFrame:
    return expected_cash.own_curve_cash(ledger, as_of, by)


def _fallback_balances(ledger: Ledger, as_of: date, by: str | None) -> pd.DataFrame:
    return expected_cash.fallback_balances(ledger, as_of, by)


#: the table parts, by name
TABLE_PARTS: Mapping[str, TablePart] = MappingProxyType(
    {
        p.name: p
        for p in (
            TablePart(
                "survival",
                _survival,
                "time-to-pay table (due-date clock): invoices entering, settled, closed and "
                "censored per (group, day) (core.survival.survival_table)",
            ),
            TablePart(
                "carrying_amounts",
                _carrying,
                "gross carrying amount per (group, aging bucket), doubtful apart "
                "(core.exposure.carrying_amounts)",
            ),
            TablePart(
                "loss_exposure",
                _exposure,
                "amount entering each aging bucket and its loss, per (group, due-date cohort, "
                "bucket) (core.exposure.loss_exposure)",
            ),
            TablePart(
                "expected_cash",
                _expected_cash,
                "expected cash and write-offs per (group, week) over 13 weeks of the open "
                "invoices of customers with their own time-to-pay curve "
                "(core.expected_cash.own_curve_cash)",
            ),
            TablePart(
                "fallback_balances",
                _fallback_balances,
                "open balances per (group, days past due) of customers without enough history, "
                "forecast with the whole ledger's curve (core.expected_cash.fallback_balances)",
            ),
        )
    }
)


@dataclass(frozen=True)
class KPI:
    """What one KPI is, and how it is computed from the additive parts.

    Attributes
    ----------
    name : str
        The KPI's one name (``"countback_dso"``).
    label, label_fr : str
        Human-readable names, English and French.
    unit : {"money", "ratio", "days", "count", "money_per_money"}
        ``money``: an amount in the ledger's currency; ``ratio``: a fraction
        (0.4812, shown as 48.12 %); ``days``; ``count``; ``money_per_money``:
        an amount per unit of currency (cost per euro collected).
    better : {"higher", "lower"} or None
        Which direction is an improvement (``None``: neither).
    basis : {"as_of", "period"}
        A snapshot at an as-of date, or a figure over a period.
    section : str
        Dashboard section (one of :data:`SECTIONS`).
    arguments : tuple of str
        The parts (:data:`creditkpi.core.parts.PARTS`) given, in order, to
        ``formula``: snapshot parts (at the as-of date) for ``as_of`` KPIs,
        period parts for period KPIs; also ``countback_months`` (the months of
        sales walked back) and ``costs`` (the collection costs).
    formula : callable or None
        The formula of :mod:`creditkpi.formulas` that finishes the KPI from
        those parts; ``None`` when the KPI is the (one) part itself.
    function : callable
        The public function of the ledger that computes it.
    page : str
        The documentation page defining it (relative to the docs root).
    options : mapping
        Keyword arguments that make ``function`` compute this KPI (e.g.
        ``{"method": "countback"}``).
    field : str or None
        The column of ``function``'s result holding the KPI, when it returns
        several (``payment_delays``).
    requires : tuple of str
        Inputs the KPI needs beyond invoices and settlements (``"disputes"``,
        ``"doubtful"``, ``"costs"``): without them the dashboard leaves the
        row out instead of showing a meaningless value.
    dashboard : str or None
        ``None`` when the dashboard has a row for it; otherwise why not.
    series : bool
        Whether ``function`` takes a list of dates or periods (a series);
        ``False``: one at a time.
    """

    name: str
    label: str
    label_fr: str
    unit: Unit
    better: Literal["higher", "lower"] | None
    basis: Literal["as_of", "period"]
    section: str
    arguments: tuple[str, ...]
    formula: Callable[..., Any] | None
    function: Callable[..., Any]
    page: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    field: str | None = None
    requires: tuple[str, ...] = ()
    dashboard: str | None = None
    series: bool = True

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts the KPI needs (its formula's arguments)."""
        return self.arguments

    def finish(self, parts: Parts) -> Any:
        """The KPI from its parts: ``formula(*arguments)`` on ``(keys, groups)`` arrays.

        Money KPIs give minor units (int64), the others floats.
        """
        if self.formula is None:
            return np.asarray(parts[self.arguments[0]], dtype=np.int64)
        if any(name in TABLE_PARTS for name in self.arguments):
            # one table per key: the formula gives one value per group
            rows = [
                self.formula(
                    *(parts[name][j] for name in self.arguments),
                    groups=parts["group_labels"],
                    digits=parts["digits"],
                )
                for j in range(len(parts[self.arguments[0]]))
            ]
            return np.asarray(rows)
        if "countback_months" in self.arguments:
            receivables = parts[self.arguments[0]]
            out = np.zeros(receivables.shape, dtype=np.float64)
            for j, months in enumerate(parts["countback_months"]):
                out[j] = self.formula(receivables[j], months)
            return out
        return self.formula(*(parts[name] for name in self.arguments))


@dataclass(frozen=True)
class Table:
    """A KPI that is a table (aged balance, cohorts...): its function and page.

    Tables are built from parts too (:mod:`creditkpi.core.parts`); the
    dashboard shows them beside the previous date and
    :func:`creditkpi.distributed.table` rebuilds them from combined summaries.
    """

    name: str
    label: str
    label_fr: str
    function: Callable[..., Any]
    page: str
    requires: tuple[str, ...] = ()


def _kpis(*entries: KPI) -> Mapping[str, KPI]:
    return MappingProxyType({k.name: k for k in entries})


#: every KPI that is one value per (date or period, group), by name, in dashboard order
KPIS: Mapping[str, KPI] = _kpis(
    # ------------------------------------------------------------------ position
    KPI(
        "receivables", "Receivables outstanding", "Encours clients", "money", None, "as_of",
        "Position", ("receivables",), None, aging.receivables, "kpis/receivables-aging.md",
    ),
    KPI(
        "overdue", "Overdue receivables", "Créances échues", "money", "lower", "as_of",
        "Position", ("overdue",), None, aging.overdue, "kpis/overdue-rate.md",
    ),
    KPI(
        "overdue_rate", "Overdue rate", "Taux d'échu", "ratio", "lower", "as_of", "Position",
        ("overdue", "receivables"), aging.formula_overdue_rate, aging.overdue_rate,
        "kpis/overdue-rate.md",
    ),
    KPI(
        "unapplied_cash", "Unapplied cash", "Encaissements non lettrés", "money", "lower",
        "as_of", "Position", ("unapplied",), None, aging.unapplied_cash,
        "kpis/receivables-aging.md",
    ),
    KPI(
        "disputed_receivables", "Disputed receivables", "Encours en litige", "money", "lower",
        "as_of", "Position", ("disputed",), None, disputes.disputed_receivables, "kpis/dispute-rate.md",
        requires=("disputes",),
    ),
    KPI(
        "dispute_rate", "Dispute rate", "Taux de l'encours en litige", "ratio", "lower",
        "as_of", "Position", ("disputed", "receivables"), disputes.formula_dispute_rate,
        disputes.dispute_rate, "kpis/dispute-rate.md", requires=("disputes",),
    ),
    # ------------------------------------------------------------------ activity
    KPI(
        "sales", "Sales (incl. tax)", "Chiffre d'affaires TTC", "money", None, "period",
        "Activity", ("sales",), None, activity.sales, "kpis/dso.md",
    ),
    KPI(
        "cash_collected", "Cash collected", "Encaissements", "money", "higher", "period",
        "Activity", ("cash",), None, activity.cash_collected, "kpis/cost-per-euro.md",
    ),
    # ------------------------------------------------------------------ speed
    KPI(
        "dso", "DSO (standard)", "DSO, méthode comptable", "days", "lower", "period", "Speed",
        ("receivables_end", "sales", "days"), dso.formula_dso, dso.dso, "kpis/dso.md",
    ),
    KPI(
        "countback_dso", "DSO (countback)", "DSO par épuisement du CA", "days", "lower",
        "period", "Speed", ("receivables_end", "countback_months"), dso.formula_countback_dso,
        dso.dso, "kpis/countback-dso.md", options=MappingProxyType({"method": "countback"}),
    ),
    KPI(
        "best_possible_dso", "Best possible DSO", "Meilleur DSO possible", "days", "lower",
        "period", "Speed", ("current_end", "sales", "days"), dso.formula_best_possible_dso,
        dso.best_possible_dso, "kpis/bpdso-add.md",
    ),
    KPI(
        "average_days_delinquent", "Average days delinquent", "Retard moyen (ADD)", "days",
        "lower", "period", "Speed", ("overdue_end", "sales", "days"),
        dso.formula_average_days_delinquent, dso.average_days_delinquent, "kpis/bpdso-add.md",
    ),
    KPI(
        "days_to_pay", "Average days to pay", "Délai moyen de paiement", "days", "lower",
        "period", "Speed", ("paid_days_to_pay", "paid"), delays.formula_mean_days,
        delays.payment_delays, "kpis/payment-delays.md", field="days_to_pay",
    ),
    KPI(
        "days_late", "Average days late", "Retard moyen de paiement", "days", "lower",
        "period", "Speed", ("paid_days_late", "paid"), delays.formula_mean_days,
        delays.payment_delays, "kpis/payment-delays.md", field="days_late",
    ),
    KPI(
        "share_paid_late", "Share of cash paid late", "Part des encaissements en retard",
        "ratio", "lower", "period", "Speed", ("paid_late", "paid"),
        delays.formula_share_paid_late, delays.payment_delays, "kpis/payment-delays.md",
        field="share_paid_late",
    ),
    KPI(
        "median_days_to_pay", "Median days to pay after due (open invoices censored)",
        "Délai médian de paiement après échéance (encours censuré)", "days", "lower", "as_of",
        "Speed", ("survival",), time_to_pay.formula_median_days_to_pay, time_to_pay.time_to_pay,
        "kpis/time-to-pay.md", field="median", series=False,
    ),
    KPI(
        "settled_average_days", "Average days to pay after due (paid invoices only)",
        "Retard moyen des factures payées", "days", "lower", "as_of", "Speed", ("survival",),
        time_to_pay.formula_settled_average_days, time_to_pay.time_to_pay,
        "kpis/time-to-pay.md", field="settled_average", series=False,
    ),
    KPI(
        "share_paid_within_terms", "Share of invoices paid within terms",
        "Part des factures payées à échéance", "ratio", "higher", "as_of", "Speed",
        ("survival",), time_to_pay.formula_share_paid_within_terms, time_to_pay.time_to_pay,
        "kpis/time-to-pay.md", field="settled_within_0", series=False,
    ),
    # ------------------------------------------------------------------ collection
    KPI(
        "cei", "Collection effectiveness index", "Indice d'efficacité du recouvrement",
        "ratio", "higher", "period", "Collection",
        ("receivables_start", "sales", "receivables_end", "current_end"), cei.formula_cei,
        cei.cei, "kpis/cei.md",
    ),
    KPI(
        "recovery_rate", "Recovery rate", "Taux de recouvrement", "ratio", "higher", "period",
        "Collection", ("recovery_total", "recovery_remaining"), cei.formula_recovery_rate,
        cei.recovery_rate, "kpis/recovery-rate.md",
    ),
    KPI(
        "activation_rate", "Activation rate", "Taux d'activation", "ratio", "higher", "period",
        "Collection", ("customers_activated", "customers_in_progress"),
        activation.formula_activation_rate, activation.activation_rate,
        "kpis/activation-rate.md",
    ),
    KPI(
        "cost_per_euro", "Cost per euro collected", "Coût à l'euro recouvré",
        "money_per_money", "lower", "period", "Collection", ("costs", "cash"),
        cost_per_euro.formula_cost_per_euro, cost_per_euro.cost_per_euro,
        "kpis/cost-per-euro.md", requires=("costs",),
    ),
    KPI(
        "forecast_next_4_weeks", "Expected cash, next 4 weeks (open invoices)",
        "Encaissements attendus à 4 semaines (encours)", "money", None, "as_of",
        "Collection", ("expected_cash", "fallback_balances", "survival"),
        forecast.formula_forecast_next_4_weeks, forecast.collection_forecast,
        "kpis/forecast.md", options=MappingProxyType({"horizon": "4W"}),
        field="within_horizon", series=False,
    ),
    KPI(
        "forecast_next_13_weeks", "Expected cash, next 13 weeks (open invoices)",
        "Encaissements attendus à 13 semaines (encours)", "money", None, "as_of",
        "Collection", ("expected_cash", "fallback_balances", "survival"),
        forecast.formula_forecast_next_13_weeks, forecast.collection_forecast,
        "kpis/forecast.md", options=MappingProxyType({"horizon": "13W"}),
        field="within_horizon", series=False,
    ),
    # ------------------------------------------------------------------ risk
    KPI(
        "bad_debt_to_sales", "Bad debt to sales", "Créances douteuses sur CA", "ratio",
        "lower", "period", "Risk", ("doubtful_change", "sales"),
        bad_debt.formula_bad_debt_to_sales, bad_debt.bad_debt_to_sales, "kpis/bad-debt.md",
        requires=("doubtful",),
    ),
    KPI(
        "loss_rate", "Loss rate (write-offs)", "Taux de sinistre", "ratio", "lower", "period",
        "Risk", ("write_offs", "sales"), bad_debt.formula_loss_rate, bad_debt.loss_rate,
        "kpis/bad-debt.md",
    ),
    KPI(
        "doubtful_receivables", "Doubtful receivables", "Créances douteuses", "money", "lower",
        "as_of", "Risk", ("doubtful",), None, bad_debt.doubtful_receivables, "kpis/bad-debt.md",
        requires=("doubtful",),
    ),
    KPI(
        "provision_rate", "Provision rate", "Taux de provision", "ratio", None, "as_of", "Risk",
        ("provisions", "doubtful"), bad_debt.formula_provision_rate, bad_debt.provision_rate,
        "kpis/bad-debt.md", requires=("doubtful",),
    ),
    KPI(
        "expected_credit_loss", "Expected credit loss", "Pertes de crédit attendues", "money",
        "lower", "as_of", "Risk", ("carrying_amounts", "loss_exposure"),
        provision.formula_expected_credit_loss, provision.expected_credit_loss,
        "kpis/provision-matrix.md",
    ),
    KPI(
        "ecl_coverage", "ECL coverage ratio", "Taux de couverture des pertes attendues",
        "ratio", "lower", "as_of", "Risk", ("carrying_amounts", "loss_exposure"),
        provision.formula_ecl_coverage, provision.ecl_coverage, "kpis/provision-matrix.md",
    ),
)  # fmt: skip

#: every KPI that is a table, by name
TABLES: Mapping[str, Table] = MappingProxyType(
    {
        t.name: t
        for t in (
            Table(
                "aging", "Aged balance", "Balance âgée", aging.aging, "kpis/receivables-aging.md"
            ),
            Table(
                "by_dunning_status",
                "Receivables by dunning status",
                "Encours par statut de relance",
                aging.by_dunning_status,
                "kpis/top-customers-dunning.md",
                requires=("statuses",),
            ),
            Table(
                "dispute_reasons",
                "Open disputes by reason",
                "Raisons de non-paiement",
                disputes.dispute_reasons,
                "kpis/dispute-rate.md",
                requires=("disputes",),
            ),
            Table(
                "top_customers",
                "Top customers by balance",
                "Encours des principaux clients",
                aging.top_customers,
                "kpis/top-customers-dunning.md",
            ),
            Table(
                "cohorts",
                "Invoice cohorts",
                "Cohortes de facturation",
                cohorts.cohorts,
                "kpis/cohorts.md",
            ),
            Table(
                "loss_rates",
                "Historical loss rates per aging bucket",
                "Taux de perte historiques par tranche d'âge",
                provision.loss_rates,
                "kpis/provision-matrix.md",
            ),
            Table(
                "provision_matrix",
                "Provision matrix (IFRS 9)",
                "Matrice de dépréciation (IFRS 9)",
                provision.provision_matrix,
                "kpis/provision-matrix.md",
            ),
            Table(
                "time_to_pay",
                "Time-to-pay curve",
                "Courbe de délai de paiement",
                time_to_pay.time_to_pay,
                "kpis/time-to-pay.md",
            ),
            Table(
                "payer_profiles",
                "Payer profiles",
                "Profils de payeurs",
                profiles.payer_profiles,
                "kpis/payer-profiles.md",
            ),
        )
    }
)

#: public functions that are not KPIs themselves, and what they are instead
COMPANIONS: Mapping[str, str] = MappingProxyType(
    {
        "dashboard": "every KPI of the registry for a period beside the previous one",
        "dso_summary": "the additive parts behind DSO, BPDSO and ADD (receivables, sales)",
        "recovery_summary": "the additive parts behind the recovery rate (target set sums)",
        "backtest_forecast": (
            "the collection forecast made at past dates beside the cash actually received: "
            "a check of the forecast (WAPE, bias, MAPE), not a KPI"
        ),
        "activation_summary": (
            "the counts and amounts behind the activation rate, and the averages per "
            "payment and per activated case"
        ),
    }
)
