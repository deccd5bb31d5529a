"""Pure formulas: plain numbers in, float out.

Each formula is defined next to its metric (``creditkpi.metrics.*``) and
re-exported here under its short name; the registry
(:mod:`creditkpi.registry`) finishes every KPI with them, so the ledger
functions, the dashboard and the distributed summaries give exactly what
these formulas give on the same figures.

Inputs are ``int``, ``Decimal`` (exact), ``Fraction`` or ``float`` (taken at
its binary value); integer numpy arrays work too. The result is the exact
quotient rounded once. An undefined result (a denominator ``<= 0``) is
``nan`` with an :class:`~creditkpi.UndefinedMetricWarning`; a ``nan`` input
gives ``nan``.

>>> from creditkpi import formulas as f
>>> round(f.recovery_rate(266_000, 138_000), 4)
0.4812

Two formulas give more than one number: :func:`provision_matrix` (gross
carrying amounts and loss rates per bucket in, the IFRS 7.35N table out) and
:func:`payment_index` (days beyond terms in, the 0-100 index out, element
by element).
"""

from creditkpi.core.ratios import share
from creditkpi.metrics.activation import formula_activation_rate as activation_rate
from creditkpi.metrics.aging import formula_over_90_days_rate as over_90_days_rate
from creditkpi.metrics.aging import formula_overdue_rate as overdue_rate
from creditkpi.metrics.bad_debt import formula_bad_debt_to_sales as bad_debt_to_sales
from creditkpi.metrics.bad_debt import formula_loss_rate as loss_rate
from creditkpi.metrics.bad_debt import formula_provision_rate as provision_rate
from creditkpi.metrics.cei import formula_cei as cei
from creditkpi.metrics.cei import formula_recovery_rate as recovery_rate
from creditkpi.metrics.cost_per_euro import formula_cost_per_euro as cost_per_euro
from creditkpi.metrics.dispute_rate import formula_dispute_rate as dispute_rate
from creditkpi.metrics.dso import formula_average_days_delinquent as average_days_delinquent
from creditkpi.metrics.dso import formula_best_possible_dso as best_possible_dso
from creditkpi.metrics.dso import formula_countback_dso as countback_dso
from creditkpi.metrics.dso import formula_dso as dso
from creditkpi.metrics.forecast import formula_expected_in_window as expected_in_window
from creditkpi.metrics.fx import formula_fx_unrealised as fx_unrealised
from creditkpi.metrics.late_payment import formula_terms_beyond_legal as terms_beyond_legal
from creditkpi.metrics.limits import formula_covered_share as covered_share
from creditkpi.metrics.limits import formula_limit_utilisation as limit_utilisation
from creditkpi.metrics.limits import formula_uncovered_exposure as uncovered_exposure
from creditkpi.metrics.payment_delay import formula_mean_days as mean_days
from creditkpi.metrics.payment_delay import formula_share_paid_late as share_paid_late
from creditkpi.metrics.payment_delay import (
    formula_weighted_average_days as weighted_average_days,
)
from creditkpi.metrics.profiles import formula_payment_index as payment_index
from creditkpi.metrics.provision import formula_provision_matrix as provision_matrix

__all__ = [
    "activation_rate",
    "average_days_delinquent",
    "bad_debt_to_sales",
    "best_possible_dso",
    "cei",
    "cost_per_euro",
    "countback_dso",
    "covered_share",
    "dispute_rate",
    "dso",
    "expected_in_window",
    "fx_unrealised",
    "limit_utilisation",
    "loss_rate",
    "mean_days",
    "over_90_days_rate",
    "overdue_rate",
    "payment_index",
    "provision_matrix",
    "provision_rate",
    "recovery_rate",
    "share",
    "share_paid_late",
    "terms_beyond_legal",
    "uncovered_exposure",
    "weighted_average_days",
]
