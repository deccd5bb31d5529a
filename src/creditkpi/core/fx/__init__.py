"""Several currencies: dated exchange rates and the translation of a ledger (IAS 21).

* :mod:`~creditkpi.core.fx.rates` -- :class:`Rates`, from a table or from the
  ECB's bundled history;
* :mod:`~creditkpi.core.fx.convert` -- the one rounding rule, exact;
* :mod:`~creditkpi.core.fx.translate` -- :func:`translate` and the views the
  engine reads (a translated ledger at the closing rates of any date).
"""

from creditkpi.core.fx.rates import DEFAULT_MAX_GAP, MissingRateError, Rates

__all__ = ["DEFAULT_MAX_GAP", "MissingRateError", "Rates"]
