"""creditkpi: credit-management and collections KPIs from invoices and payments.

>>> import creditkpi as ck
>>> ledger = ck.Ledger.from_records(
...     [ck.Invoice("F1", "ACME", "2024-04-01", "2024-04-30", "1200.00")],
...     [ck.Payment("F1", "2024-05-10", "200.00")])
>>> ck.receivables(ledger, "2024-05-31")
1000.0
"""

from creditkpi import formulas
from creditkpi.core import (
    Cover,
    CreditKPIError,
    CreditLimit,
    DataEndsWarning,
    DataQualityWarning,
    Dispute,
    Doubtful,
    Invoice,
    Ledger,
    MissingRateError,
    Payment,
    Period,
    Rates,
    StatusEvent,
    UndefinedMetricWarning,
    ValidationReport,
    read_table,
)
from creditkpi.dashboard import Dashboard, dashboard
from creditkpi.metrics.activation import activation_rate, activation_summary
from creditkpi.metrics.activity import cash_collected, sales
from creditkpi.metrics.aging import (
    aging,
    over_90_days_rate,
    overdue,
    overdue_rate,
    receivables,
    unapplied_cash,
)
from creditkpi.metrics.backtest import ForecastBacktest, backtest_forecast
from creditkpi.metrics.bad_debt import (
    bad_debt_to_sales,
    doubtful_receivables,
    loss_rate,
    provision_rate,
)
from creditkpi.metrics.cei import cei, recovery_rate, recovery_summary
from creditkpi.metrics.cohorts import cohorts
from creditkpi.metrics.cost_per_euro import cost_per_euro
from creditkpi.metrics.dispute_rate import dispute_rate, dispute_reasons, disputed_receivables
from creditkpi.metrics.dso import average_days_delinquent, best_possible_dso, dso, dso_summary
from creditkpi.metrics.dunning import by_dunning_status
from creditkpi.metrics.exposure import credit_exposure, limit_bands
from creditkpi.metrics.forecast import CollectionForecast, collection_forecast
from creditkpi.metrics.fx import fx_exposure, fx_realised, fx_unrealised
from creditkpi.metrics.late_payment import (
    late_payment_claims,
    late_payment_indemnities,
    late_payment_penalties,
    terms_beyond_legal,
)
from creditkpi.metrics.limits import (
    cover_at_risk,
    covered_share,
    limit_utilisation,
    over_limit,
    over_limit_customers,
    uncovered_exposure,
    unlimited_exposure,
)
from creditkpi.metrics.loss_rates import loss_rates
from creditkpi.metrics.open_items import open_items
from creditkpi.metrics.payment_delay import payment_delays
from creditkpi.metrics.profiles import payer_profiles
from creditkpi.metrics.provision import ecl_coverage, expected_credit_loss, provision_matrix
from creditkpi.metrics.time_to_pay import TimeToPay, time_to_pay
from creditkpi.metrics.top_customers import top_customers
from creditkpi.statement import Statement, StatementSection, statement
from creditkpi.version import VERSION

__version__ = VERSION

__all__ = [
    "CollectionForecast",
    "Cover",
    "CreditKPIError",
    "CreditLimit",
    "Dashboard",
    "DataEndsWarning",
    "DataQualityWarning",
    "Dispute",
    "Doubtful",
    "ForecastBacktest",
    "Invoice",
    "Ledger",
    "MissingRateError",
    "Payment",
    "Period",
    "Rates",
    "Statement",
    "StatementSection",
    "StatusEvent",
    "TimeToPay",
    "UndefinedMetricWarning",
    "ValidationReport",
    "activation_rate",
    "activation_summary",
    "aging",
    "average_days_delinquent",
    "backtest_forecast",
    "bad_debt_to_sales",
    "best_possible_dso",
    "by_dunning_status",
    "cash_collected",
    "cei",
    "cohorts",
    "collection_forecast",
    "cost_per_euro",
    "cover_at_risk",
    "covered_share",
    "credit_exposure",
    "dashboard",
    "dispute_rate",
    "dispute_reasons",
    "disputed_receivables",
    "doubtful_receivables",
    "dso",
    "dso_summary",
    "ecl_coverage",
    "expected_credit_loss",
    "formulas",
    "fx_exposure",
    "fx_realised",
    "fx_unrealised",
    "late_payment_claims",
    "late_payment_indemnities",
    "late_payment_penalties",
    "limit_bands",
    "limit_utilisation",
    "loss_rate",
    "loss_rates",
    "open_items",
    "over_90_days_rate",
    "over_limit",
    "over_limit_customers",
    "overdue",
    "overdue_rate",
    "payer_profiles",
    "payment_delays",
    "provision_matrix",
    "provision_rate",
    "read_table",
    "receivables",
    "recovery_rate",
    "recovery_summary",
    "sales",
    "statement",
    "terms_beyond_legal",
    "time_to_pay",
    "top_customers",
    "unapplied_cash",
    "uncovered_exposure",
    "unlimited_exposure",
]
