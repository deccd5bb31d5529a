"""The KPI registry: every KPI's spec, collected from the metric modules.

Every KPI has **one name** (the key of :data:`KPIS` or :data:`TABLES`), used
for its dashboard row or table, its column in
:func:`creditkpi.distributed.kpis`, its JSON key and, where the KPI is a
function of its own, the function's name. Its spec (a
:class:`~creditkpi.core.kpi.KPI` or :class:`~creditkpi.core.kpi.TableKPI`)
lives beside its function in its metric module and says what it is (labels
in English and French, unit, which direction is better), which additive
parts of :mod:`creditkpi.core.parts` it reads and how it is finished from
them. The ledger function, the dashboard and the distributed path all finish
it with that spec (:mod:`creditkpi.core.kpi`), so they give the same answer.

>>> from creditkpi.registry import KPIS
>>> kpi = KPIS["dso"]
>>> kpi.label, kpi.label_fr, kpi.unit, kpi.better
('DSO (standard)', 'DSO, méthode comptable', 'days', 'lower')
>>> kpi.arguments, kpi.formula.__name__
(('receivables_end', 'sales', 'days'), 'formula_dso')

Adding a KPI is: its function and its spec in its family's module under
``creditkpi.metrics`` (listed in :data:`MODULES`), its documentation page,
its tests (see the *Contributing* page).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, ModuleType

from creditkpi.core.kpi import KPI, SECTIONS, TableKPI
from creditkpi.core.parts import TABLE_PARTS, TablePart
from creditkpi.core.shapes import Unit
from creditkpi.metrics import (
    activation,
    activity,
    aging,
    bad_debt,
    cei,
    cohorts,
    cost_per_euro,
    dispute_rate,
    dso,
    dunning,
    exposure,
    forecast,
    fx,
    late_payment,
    limits,
    loss_rates,
    open_items,
    payment_delay,
    profiles,
    provision,
    time_to_pay,
    top_customers,
)

__all__ = [
    "COMPANIONS",
    "KPI",
    "KPIS",
    "MODULES",
    "SECTIONS",
    "TABLES",
    "TABLE_PARTS",
    "TableKPI",
    "TablePart",
    "Unit",
]

#: the metric modules whose specs (their ``KPIS`` and ``TABLES``) make the registry, in order
MODULES: tuple[ModuleType, ...] = (
    aging,
    dispute_rate,
    activity,
    dso,
    payment_delay,
    time_to_pay,
    cei,
    activation,
    cost_per_euro,
    forecast,
    bad_debt,
    provision,
    late_payment,
    top_customers,
    open_items,
    dunning,
    cohorts,
    loss_rates,
    profiles,
    limits,
    exposure,
    fx,
)


def _collect_kpis() -> Mapping[str, KPI]:
    """Every value KPI of :data:`MODULES`, by dashboard section then module order."""
    found = [k for m in MODULES for k in getattr(m, "KPIS", ())]
    ordered = sorted(found, key=lambda k: SECTIONS.index(k.section))  # stable: module order
    return MappingProxyType({k.name: k for k in ordered})


def _collect_tables() -> Mapping[str, TableKPI]:
    return MappingProxyType({t.name: t for m in MODULES for t in getattr(m, "TABLES", ())})


#: every KPI that is one value per (date or period, group), by name, in dashboard order
KPIS: Mapping[str, KPI] = _collect_kpis()

#: every KPI that is a table, by name
TABLES: Mapping[str, TableKPI] = _collect_tables()

#: public functions that are not KPIs themselves, and what they are instead
COMPANIONS: Mapping[str, str] = MappingProxyType(
    {
        "dashboard": "every KPI of the registry for a period beside the previous one",
        "statement": (
            "one customer's account over a period (opening balance, movements, closing "
            "balance, aged open items): a document to send, not a KPI"
        ),
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
        "read_table": "reads an input file (CSV, Excel, Parquet): not a KPI",
    }
)
