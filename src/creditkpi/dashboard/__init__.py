"""The dashboard (tableau de bord): every KPI of one period beside the previous period.

:func:`dashboard` computes every KPI of the registry for a period and an
as-of date, and the same for the previous period (``period.previous()``, as
of its last day), into a :class:`Dashboard`: a KPI table (current, previous,
change, unit), the detail tables (aged balance, dunning statuses, dispute
reasons, top customers), a 12-month DSO / CEI trend, the cohort table and,
with ``by=``, per-group figures. It exports to JSON, CSV, HTML and a rich
terminal table, and draws PNG charts (:mod:`creditkpi.dashboard.charts`).

* :mod:`~creditkpi.dashboard.compute` -- the computation: the registry's
  formulas on the core's additive parts, so a dashboard value is exactly the
  value of the KPI function for the same arguments;
* :mod:`~creditkpi.dashboard.model` -- the :class:`Dashboard` object, its
  long form and its JSON;
* :mod:`~creditkpi.dashboard.render` -- text, rich and HTML renderings;
* :mod:`~creditkpi.dashboard.charts` -- PNG charts (the ``charts`` extra).
"""

from creditkpi.dashboard.compute import dashboard
from creditkpi.dashboard.model import SCHEMA, Dashboard

__all__ = ["SCHEMA", "Dashboard", "dashboard"]
