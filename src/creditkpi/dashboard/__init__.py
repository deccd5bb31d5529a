"""The dashboard (tableau de bord): every KPI of one period beside the previous period.

:func:`dashboard` computes every indicator of SPEC §4.10 for a period and an
as-of date, and the same for the previous period (``period.previous()``, as
of its last day), into a :class:`Dashboard`: a KPI table (current, previous,
change, unit), the detail tables (aged balance, dunning statuses, dispute
reasons, top customers), a 12-month DSO / CEI trend, the cohort table and,
with ``by=``, per-group figures. It exports to JSON, CSV, HTML and a rich
terminal table, and draws PNG charts (:mod:`creditkpi.dashboard.charts`).

This module is not a metric module: it calls the public KPI functions of
:mod:`creditkpi.metrics` (and the core's :func:`~creditkpi.core.engine.flows`
for the period's sales and cash), so a dashboard value is always exactly the
value of the KPI function for the same arguments.
"""

from creditkpi.dashboard.compute import dashboard
from creditkpi.dashboard.model import KPIS, SCHEMA, Dashboard, KPIInfo

__all__ = ["KPIS", "SCHEMA", "Dashboard", "KPIInfo", "dashboard"]
